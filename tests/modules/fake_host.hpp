#pragma once
// A test double of the siphost host: it implements siphost_host_api over a simple message model so that a
// module's commands can be run without the real host.
//
//  - Messages are raw SIP text parsed naively (first line, "Name: value" lines, body after the blank line).
//    Header lookups know the compact forms and split list headers (Via, Route, Record-Route, Contact) at
//    commas; they see the received headers minus those removed, not the added ones.
//  - Changes are recorded, not applied: header adds and removals, msg_replace edits (overlaps refused),
//    Request-URI and $du; render() applies them to show what would be sent.
//  - Sending is recorded: stateless replies (send_stateless_reply) and datagrams (send).
//  - AVP lists, $var, a route table, request/reply hooks, exported APIs, log lines.
//  - The sub-tables: msgctx (per-message slots, route type, errors, reply headers, the destination set),
//    sip (the host's own SIP parser, siphost_sip), async (periodic and one-shot timers, posted tasks and
//    watched descriptors are recorded; tests run them), metrics (values readable with counter()), rpc (a
//    reply tree that run_rpc() prints) and events (event routes are entries of the route table).
//
// The modules under test are the real built .so files, loaded with dlopen from SIPHOST_MODULE_DIR. As in
// the host, a command's fixup runs only after its module's init (call_site refuses otherwise).
// One fake_host exists at a time (the C function table reaches it through a global).

#include <siphost/module.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::tests {

struct header_line {
    std::string_view name;  ///< as written
    std::string_view value; ///< trimmed; points into the message's raw bytes
    size_t line_start = 0;  ///< offset of the line in raw
    size_t line_end = 0;    ///< offset just past its CRLF
};

struct header_add {
    std::string text;
    int position = SIPHOST_HDR_BOTTOM;
    std::string anchor;
};

struct header_removal {
    std::string name;
    int32_t index = -1;
};

struct replacement {
    size_t offset = 0;
    size_t length = 0;
    std::string text;
};

struct sent_reply {
    int code = 0;
    std::string reason;
    std::string to_tag;
    std::string extra_headers;
};

struct sent_datagram {
    siphost_dest to{};
    std::string bytes;
};

struct log_line {
    int level = 0;
    std::string module; ///< the name of the handle the module passed; empty for NULL
    std::string text;
};

/// A target of a message's destination set, owning its strings.
struct stored_branch {
    std::string uri;
    std::string dst_uri;
    std::string path;
    std::string instance;
    std::string ruid;
    int32_t q = 0;
    uint32_t info = 0;
    uint64_t flags = 0;
    siphost_socket* socket = nullptr;
    uint32_t reg_id = 0;
};

/// A timer registered with async->every.
struct periodic_timer {
    std::string module;
    uint32_t interval_ms = 0;
    uint32_t flags = 0;
    siphost_timer_fn fn = nullptr;
    void* data = nullptr;
};

/// A task posted with async->post, run by fake_host::run_posted_tasks.
struct posted_task {
    std::string module;
    int worker = -1;
    siphost_task_fn fn = nullptr;
    void* data = nullptr;
};

/// What an RPC handler answered (fake_host::run_rpc): its reply printed as JSON-like text ("[1, \"x\",
/// {\"k\": 2}]"), or a fault.
struct rpc_reply {
    int fault_code = 0; ///< 0: no fault
    std::string fault_message;
    std::string text;
};

/// A value kept by the fake (AVPs, $var): owns its string.
struct stored_value {
    uint32_t kind = SIPHOST_VALUE_NULL;
    int64_t num = 0;
    std::string text;

    siphost_value as_value() const;
    static stored_value from(const siphost_value& v);
};

} // namespace siphost::tests

// The concrete types behind the ABI's opaque handles (test code only; the real host has its own).
struct siphost_socket {
    std::string host = "192.0.2.10";
    uint16_t port = 5060;
    uint8_t proto = SIPHOST_PROTO_UDP;
    std::string name; ///< "udp:192.0.2.10:5060", made by socket_info
};

/// Names a loaded module to the fake (loaded_module owns one per module).
struct siphost_module_handle {
    std::string name;
};

struct siphost_metric {
    std::string full_name; ///< "sl.sent_replies"
    uint32_t kind = SIPHOST_METRIC_COUNTER;
    size_t label_count = 0;
    int64_t value = 0;
    int64_t (*read)(void*) = nullptr;
    void* read_data = nullptr;
};

struct siphost_timer {
    std::string module;
    uint32_t delay_ms = 0;
    siphost_timer_fn fn = nullptr;
    void* data = nullptr;
    bool cancelled = false;
};

struct siphost_fd_watch {
    std::string module;
    int fd = -1;
    uint32_t events = 0;
    siphost_fd_fn fn = nullptr;
    void* data = nullptr;
};

struct siphost_avp_list {
    struct entry {
        std::string name;
        siphost::tests::stored_value value;
    };
    std::deque<entry> entries; ///< front is the most recently added
};

struct siphost_pv_spec {
    enum class kind { avp, var, ruri, method, dst_uri, header, status };
    kind which = kind::avp;
    std::string name;
};

struct siphost_msg {
    siphost_msg() = default;
    siphost_msg(const siphost_msg&) = delete;
    siphost_msg& operator=(const siphost_msg&) = delete;
    ~siphost_msg(); ///< destroys the per-message slot values

    uint64_t id = 0;
    std::string raw;
    bool request = true;
    std::string_view method;
    std::string_view original_ruri;
    std::string ruri;
    int status = 0;
    std::string_view reason;
    std::vector<siphost::tests::header_line> headers;
    std::string_view body;
    std::string dst_uri;
    uint64_t flags = 0;
    siphost_socket* socket = nullptr;
    siphost_dest source{};
    siphost_avp_list* avps = nullptr; ///< owned: see owned_avps
    std::unique_ptr<siphost_avp_list> owned_avps;

    std::vector<bool> removed_lines; ///< per headers[i]
    std::vector<siphost::tests::header_add> added;
    std::vector<siphost::tests::header_removal> removals;
    std::vector<siphost::tests::replacement> replacements;
    std::optional<uint32_t> relayed_max_forwards; ///< set by msg_set_max_forwards

    // The message context (host->msgctx).
    uint32_t route_type = 0; ///< what msgctx->route_type says; parse() sets REQUEST or CORE_ONREPLY
    std::vector<siphost::tests::stored_branch> branches;
    std::map<int, std::pair<void*, void (*)(void*)>> slots; ///< slot -> value and its destroy
    int error_code = 0;
    std::string error_reason;
    std::string reply_headers; ///< lines queued by msgctx->add_reply_header
};

namespace siphost::tests {

class fake_host {
public:
    fake_host();
    ~fake_host();
    fake_host(const fake_host&) = delete;
    fake_host& operator=(const fake_host&) = delete;

    const siphost_host_api* api() const { return &api_; }
    static fake_host& current();

    /// Parses raw SIP text ("\n" line ends are turned into CRLF). Throws std::invalid_argument when the text
    /// is not a SIP message. The message arrived on socket() from 198.51.100.7:5060.
    std::unique_ptr<siphost_msg> parse(std::string_view text);

    /// The message as it would be sent: the received bytes with every recorded change applied.
    std::string render(const siphost_msg& msg) const;

    /// A metric's value, "<module>.<name>" ("sl.sent_replies"; a labelled series is
    /// "<module>.<name>{value1,value2}"), or nullopt when not registered.
    std::optional<int64_t> counter(const std::string& full_name) const;

    /// Runs the registered request hooks of the given kind; true when one consumed the message.
    bool run_request_hooks(siphost_msg* msg, int when);

    /// Calls every periodic timer once with now_ms, in registration order.
    void run_timers(uint64_t now_ms);
    /// Runs the posted tasks, oldest first, and forgets them.
    void run_posted_tasks();

    /// Calls a module's RPC command with these parameters and returns its reply.
    rpc_reply run_rpc(const siphost_rpc_command& command, const std::vector<stored_value>& params);

    /// Names this server: host and port (port 0 matches any port).
    void add_myself(std::string host, uint16_t port) { myself_.emplace_back(std::move(host), port); }

    siphost_socket& socket() { return socket_; }

    // What modules did, for the tests to look at.
    std::vector<log_line> logs;
    std::vector<sent_reply> replies;
    std::vector<sent_datagram> datagrams;
    std::map<std::string, const void*> apis;
    std::map<std::string, stored_value> vars; ///< $var(name)
    struct hook {
        int when;
        siphost_message_hook_fn fn;
        void* data;
    };
    std::vector<hook> request_hooks;
    std::vector<hook> reply_hooks;
    /// route_lookup finds these (type bit, name) at their index; route_run calls on_route_run.
    std::vector<std::pair<uint32_t, std::string>> routes;
    std::function<int(int, siphost_msg*)> on_route_run;
    int log_threshold = SIPHOST_LOG_DBG;
    int send_result = 0;       ///< what send/send_stateless_reply return (set -1 to simulate a failure)
    int64_t branch_limit = 12; ///< limit(SIPHOST_LIMIT_BRANCHES): a destination set holds one fewer
    std::vector<periodic_timer> timers;
    std::vector<std::unique_ptr<siphost_timer>> one_shot_timers;
    std::vector<posted_task> tasks;
    std::vector<std::unique_ptr<siphost_fd_watch>> fd_watches;

    // Used by the C table (public so that the table's functions can reach them).
    std::map<std::string, std::unique_ptr<siphost_metric>> metrics_; ///< by full name
    std::vector<void (*)(void*)> slot_destroys_;                     ///< per registered slot
    std::vector<std::pair<std::string, uint16_t>> myself_;
    uint64_t next_msg_id_ = 1;

private:
    siphost_host_api api_{};
    siphost_msgctx_api msgctx_{};
    siphost_sip_api sip_{};
    siphost_async_api async_{};
    siphost_metrics_api metrics_api_{};
    siphost_rpc_api rpc_{};
    siphost_events_api events_{};
    siphost_socket socket_;
};

/// A test argument: a value plus the storage its string points to.
struct test_arg {
    stored_value value;
    bool constant = true;
};

inline test_arg arg(std::string_view text, bool constant = true) {
    return test_arg{stored_value{SIPHOST_VALUE_STR, 0, std::string(text)}, constant};
}
inline test_arg arg(int64_t number, bool constant = true) {
    return test_arg{stored_value{SIPHOST_VALUE_INT, number, std::string()}, constant};
}
inline test_arg arg(int number, bool constant = true) {
    return arg(static_cast<int64_t>(number), constant);
}
inline test_arg arg(const char* text, bool constant = true) {
    return arg(std::string_view(text), constant);
}

/// A module loaded from SIPHOST_MODULE_DIR with dlopen; destroy() runs at destruction when init ran.
class loaded_module {
public:
    explicit loaded_module(const std::string& name);
    ~loaded_module();
    loaded_module(const loaded_module&) = delete;
    loaded_module& operator=(const loaded_module&) = delete;

    const siphost_module& descriptor() const { return *descriptor_; }

    /// The handle that names this module in its calls to the host.
    siphost_module_handle* handle() { return &self_; }

    /// Runs the module's init on host, then, the first time it succeeds, thread_init(SIPHOST_THREAD_WORKER,
    /// 0) for the test's thread; returns the result and puts the error text in *error.
    int init(const fake_host& host, std::string* error = nullptr);
    /// Whether an init has succeeded (fixups may run).
    bool initialised() const { return initialised_; }

    /// The command of that name and argument count, or NULL.
    const siphost_command* find(std::string_view name, uint32_t arg_count) const;

    /// The modparam of that name, or NULL.
    const siphost_param* find_param(std::string_view name) const;

    /// The RPC command of that name, or NULL.
    const siphost_rpc_command* find_rpc(std::string_view name) const;

private:
    void* handle_ = nullptr;
    const siphost_module* descriptor_ = nullptr;
    siphost_module_handle self_;
    bool initialised_ = false;
};

/// One call site of a command, prepared as the host does when it reads the config: the fixup runs with the
/// constant arguments, the call data is released at destruction.
class call_site {
public:
    /// Throws std::runtime_error("fixup: <module's reason>") when the fixup refuses, std::logic_error when
    /// the module has no such command or has a fixup to run but was not initialised.
    call_site(const loaded_module& module, std::string_view name, std::vector<test_arg> args);
    ~call_site();
    call_site(const call_site&) = delete;
    call_site& operator=(const call_site&) = delete;

    /// Calls the handler with the arguments given at construction.
    int run(siphost_msg* msg);
    /// Calls the handler with other evaluated arguments (for arguments that are not constant).
    int run(siphost_msg* msg, const std::vector<test_arg>& args);

    const siphost_command& command() const { return *command_; }

private:
    const siphost_command* command_ = nullptr;
    std::vector<test_arg> args_;
    void* call_data_ = nullptr;
};

/// "192.0.2.1" -> a UDP destination at that IPv4 address and port (struct_size set, no socket).
siphost_dest ipv4(const char* dotted, uint16_t port);

} // namespace siphost::tests
