#pragma once
// NAT keepalives: every natping_interval seconds, a CRLFCRLF datagram or a SIP request (sipping_method from
// sipping_from) to each contact usrloc holds, so that the NAT in front of the UA keeps its binding open.

#include <siphost/api/usrloc.h>
#include <siphost/module.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace siphost::modules::nathelper {

class nat_pinger {
public:
    /// One contact to keep alive, copied out of usrloc's table.
    struct target {
        std::string domain;
        std::string aor;
        std::string address;  ///< the Contact URI
        std::string received; ///< where it registered from, or empty
        std::string path;     ///< the Path values, or empty
        std::string ruid;
        uint64_t cflags = 0;
    };

    /// Checks the parameters, finds usrloc and starts the periodic timer and the reply filter (at init, when
    /// natping_interval is set). Throws sdk::config_error with the reason.
    void start(const siphost_host_api* host, siphost_module_handle* self);

    /// One round of pings (the timer's work; also what the tests drive through the timer).
    void run_cycle();

    /// A reply to one of our SIP pings: note the contact alive; true when the reply was ours (then the host
    /// drops it, as it belongs to no transaction).
    bool take_reply(const siphost_msg* reply);

    /// nathelper.enable_ping: on or off at run time.
    void set_enabled(bool enabled) { enabled_ = enabled; }
    bool enabled() const { return enabled_; }

private:
    void ping(const target& t, uint64_t now_ms, std::unordered_set<std::string>& seen);
    bool send_sip_ping(const target& t, const siphost_dest& dest);
    void forget_unseen(const std::unordered_set<std::string>& seen);

    const siphost_host_api* host_ = nullptr;
    siphost_module_handle* self_ = nullptr;
    const siphost_usrloc_api_v1* ul_ = nullptr;
    std::atomic<bool> enabled_{true};
    std::atomic<uint64_t> sequence_{0};
    std::string call_id_prefix_; ///< "nhping.<random>." : marks the replies that are ours
    bool walk_failed_logged_ = false;
    std::mutex alive_mutex_;
    /// ruid -> when its contact last answered a SIP ping (or was first pinged), for keepalive_timeout.
    std::unordered_map<std::string, uint64_t> last_alive_ms_;
};

nat_pinger& pinger();

} // namespace siphost::modules::nathelper
