#pragma once
// The RTP proxies of rtpproxy_sock, grouped in sets, and the control protocol to them: one command, one
// reply, matched by a cookie, over UDP (retried rtpproxy_retr times, rtpproxy_tout seconds each) or a unix
// stream socket. A proxy that does not answer is disabled for rtpproxy_disable_tout seconds.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::rtpproxy {

/// One RTP proxy: where it listens and whether it answers.
struct proxy {
    std::string url; ///< as configured ("udp:127.0.0.1:7722")
    bool unix_socket = false;
    std::string host; ///< IP address (udp) or socket path (unix)
    uint16_t port = 0;
    int weight = 1;
    std::atomic<bool> disabled{false};
    std::atomic<uint64_t> recheck_ms{0}; ///< when a disabled proxy is tried again
    std::atomic<bool> manually_disabled{false};
};

/// A set of proxies; a call goes to one of them, chosen by the Call-ID's hash and the weights.
struct proxy_group {
    int id = 0;
    std::vector<std::unique_ptr<proxy>> proxies;
};

class proxy_set {
public:
    /// Adds the proxies of one rtpproxy_sock value ("[N ==] url[=weight] ..."); throws sdk::config_error.
    void add(std::string_view value);
    bool empty() const { return groups_.empty(); }
    proxy_group* group(int id);
    std::vector<proxy_group>& groups() { return groups_; }

    /// Sets the timing parameters (seconds, retries).
    void configure(int timeout_s, int retries, int disable_s);
    /// Asks each proxy for its version; one that does not answer with 20040107 is disabled for a while.
    void check_all(uint64_t now_ms);

    /// Sends command (without cookie) to a proxy of the group picked for call_id; the reply without its
    /// cookie, or nullopt when no proxy of the group answered (each that failed is disabled).
    std::optional<std::string> send(proxy_group& group, std::string_view call_id, std::string_view command,
                                    uint64_t now_ms, proxy** used = nullptr);
    /// One exchange with one proxy; nullopt on no answer.
    std::optional<std::string> exchange(proxy& p, std::string_view command);
    /// Checks the version of p and enables or disables it.
    bool check(proxy& p, uint64_t now_ms);

private:
    proxy* pick(proxy_group& group, std::string_view call_id, uint64_t now_ms);

    std::vector<proxy_group> groups_;
    int timeout_s_ = 1;
    int retries_ = 5;
    int disable_s_ = 60;
    std::atomic<uint64_t> cookie_{0};
};

} // namespace siphost::modules::rtpproxy
