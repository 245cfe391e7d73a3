#pragma once
// siphost's test kit: a module's tests run against the real host, not a fake of it.
//
// A testkit::host starts the siphost executable as a child process on a config you give (loadmodule lines
// and routes), listening on a free loopback port, and hands back what it logged. testkit::peer is a UDP
// socket on loopback that plays a UAC or a UAS: it sends SIP messages to the host and receives what the host
// sends. Together they run a module the way a user's config runs it, over the wire.
//
//     siphost::testkit::host proxy(R"(
//         loadmodule "sl.so"
//         loadmodule "mymod.so"
//         request_route { mymod_stamp("x"); sl_send_reply("200", "OK"); }
//     )");
//     siphost::testkit::peer uac;
//     uac.send(siphost::testkit::request("OPTIONS", "sip:a@127.0.0.1", uac), proxy.port());
//     auto reply = uac.receive();            // std::optional<testkit::message>, empty after the timeout
//     EXPECT_EQ(reply->status(), 200);
//
// Which siphost and which module directories: host_options, which default to the environment variables
// SIPHOST_BINARY and SIPHOST_MODULE_PATH (colon-separated, given to siphost's -L) when they are set, else to
// the siphost of the installed package and its own default module directory. The host adds
// `listen=udp:127.0.0.1:PORT` in front of the config unless the options say otherwise.
//
// Traffic goes to loopback only. Run the tests in a network namespace of their own where you can
// (`unshare -n`, as root): then nothing else on the machine competes for the ports.
//
// Needs C++17. Link siphost::testkit (CMake) or -lsiphost_testkit.

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::testkit {

using namespace std::chrono_literals;

/// One SIP message as it travelled, with read-only helpers. Header lookups match names without regard to
/// case and know the compact forms (v, f, t, i, m, l, c, k, s, e, o, r, u, x).
class message {
public:
    message() = default;
    explicit message(std::string text, uint16_t from_port = 0)
        : text_(std::move(text)), from_port_(from_port) {}

    const std::string& text() const { return text_; }
    uint16_t from_port() const { return from_port_; }
    std::string first_line() const;
    bool is_request() const;
    /// The status code of a reply, 0 for a request.
    int status() const;
    /// The method of a request, or the CSeq method of a reply.
    std::string method() const;
    std::string request_uri() const;
    /// The index-th value of a header (a list header's comma-separated values count one each for Via,
    /// Route, Record-Route and Contact); nullopt when there is none.
    std::optional<std::string> header(std::string_view name, size_t index = 0) const;
    /// Every value of a header in order (list headers split as above).
    std::vector<std::string> headers(std::string_view name) const;
    std::string body() const;

private:
    std::string text_;
    uint16_t from_port_ = 0;
};

/// A UDP endpoint on 127.0.0.1 that sends to and receives from the host.
class peer {
public:
    /// port 0: a free one.
    explicit peer(uint16_t port = 0);
    ~peer();
    peer(const peer&) = delete;
    peer& operator=(const peer&) = delete;

    uint16_t port() const { return port_; }
    void send(std::string_view text, uint16_t to_port);
    /// The next datagram that arrives within timeout.
    std::optional<message> receive(std::chrono::milliseconds timeout = 2000ms);
    /// Every datagram that arrives until none comes for quiet (bounded by 1000 datagrams).
    std::vector<message> drain(std::chrono::milliseconds quiet = 300ms);
    /// Answers a request: a reply with the request's Via, From, To (with to_tag added when it has none),
    /// Call-ID and CSeq, sent back to where the request came from. extra_headers end each line with CRLF.
    void reply(const message& request, int code, std::string_view reason, std::string_view to_tag = "uas-tag",
               std::string_view extra_headers = "");

private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

/// A request as a UAC on `from` sends it: Via with the peer's port, From, To, Call-ID, CSeq, Max-Forwards 70
/// and Content-Length. extra_headers end each line with CRLF.
struct request_options {
    std::string call_id = ""; ///< empty: a fresh one
    uint32_t cseq = 1;
    std::string from_uri = "sip:alice@127.0.0.1";
    std::string to_uri = ""; ///< empty: the Request-URI
    std::string extra_headers;
    std::string body;
};
std::string request(std::string_view method, std::string_view request_uri, const peer& from,
                    const request_options& options = {});

// The installed package (and the in-tree target) define these for the code that uses the kit; see
// siphost::testkit in siphostConfig.cmake.
#ifndef SIPHOST_TESTKIT_BINARY
#define SIPHOST_TESTKIT_BINARY "siphost"
#endif
#ifndef SIPHOST_TESTKIT_MODULE_PATH
#define SIPHOST_TESTKIT_MODULE_PATH ""
#endif

namespace detail {
inline std::string from_environment(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}
std::vector<std::string> split_path(const std::string& colon_separated);
} // namespace detail

struct host_options {
    /// The siphost executable.
    std::string binary = detail::from_environment("SIPHOST_BINARY", SIPHOST_TESTKIT_BINARY);
    /// Given to siphost's -L; empty: siphost's default module directory.
    std::vector<std::string> module_dirs =
        detail::split_path(detail::from_environment("SIPHOST_MODULE_PATH", SIPHOST_TESTKIT_MODULE_PATH));
    bool add_listen = true; ///< prepend listen=udp:127.0.0.1:PORT
    /// The port siphost listens on; 0: a free one. Without add_listen, the UDP port the config listens on
    /// (the host is ready when it is bound).
    uint16_t port = 0;
    std::vector<std::string> extra_args; ///< more command-line options (-A NAME, -n 2, ...)
    std::chrono::milliseconds start_timeout = 10000ms;
};

/// Thrown when siphost refuses the config or does not start; what() carries its log.
class start_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What `siphost -c` said of a config.
struct check_result {
    int exit_status = -1;
    std::string output;
};

/// The real siphost, running config in a child process until stop() or destruction.
class host {
public:
    explicit host(std::string_view config, host_options options = {});
    ~host();
    host(const host&) = delete;
    host& operator=(const host&) = delete;

    uint16_t port() const { return port_; }
    /// Everything siphost logged so far.
    std::string log() const;
    /// True once the log contains text (checked until timeout).
    bool wait_for_log(std::string_view text, std::chrono::milliseconds timeout = 2000ms) const;
    /// A metric's value ("sl.sent_replies") as siphost's shutdown line ("counters: ...") shows it; nullopt
    /// before stop() or when the line does not name it.
    std::optional<int64_t> counter(std::string_view name) const;
    /// Stops siphost with SIGINT as an operator would and returns its exit status (SIGKILL after 10 s,
    /// then -1). Idempotent.
    int stop();
    /// The scratch directory of this host (its config and log are there; removed on destruction).
    const std::string& directory() const { return dir_; }

    /// Runs `siphost -c` on config, with the same options; nothing is started.
    static check_result check(std::string_view config, host_options options = {});

private:
    std::string dir_;
    std::string log_path_;
    uint16_t port_ = 0;
    int pid_ = -1;
    int exit_status_ = -1;
};

} // namespace siphost::testkit
