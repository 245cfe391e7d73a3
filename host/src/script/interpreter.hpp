#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "script/compiled_script.hpp"
#include "script/core_actions.hpp"
#include "script/worker_state.hpp"

namespace siphost::script {

struct run_context;

/// What is being sent while onsend_route runs (Kamailio's send information): what $snd, $sndto, $sndfrom and
/// the snd_ip, to_port, ... comparisons read.
struct send_info {
    std::string to_address; ///< where it goes (an IPv6 address without brackets)
    std::uint16_t to_port = 0;
    bool to_v6 = false;
    std::uint8_t proto = 0;   ///< SIPHOST_PROTO_*
    std::string from_address; ///< the local socket it leaves from
    std::uint16_t from_port = 0;
    bool from_v6 = false;
    std::string_view buffer; ///< the bytes to send
};

/// Makes info the send information of this thread's runs until the scope ends (scopes nest).
class sending_scope {
public:
    explicit sending_scope(const send_info& info);
    ~sending_scope();
    sending_scope(const sending_scope&) = delete;
    sending_scope& operator=(const sending_scope&) = delete;

private:
    const send_info* outer_;
};

/// Runs the compiled script on messages. It holds nothing per message (each run has its own context on
/// the stack), so one interpreter serves every worker thread; $var values live in a per-thread worker_state.
/// It is host code: it reads and changes the message (message/message_context.hpp) directly; modules'
/// functions it calls get the same message through the host table.
///
/// The script it runs can be replaced while workers run (a reload): publish() swaps it atomically. A thread
/// handling one message holds a message_scope, which pins the script that was published when the message
/// started, so that the whole message runs on one script, whatever is published meanwhile; a script stays
/// alive while a scope holds it.
class interpreter {
public:
    /// Pins the script published now on this thread until the scope ends; nested scopes (a module's
    /// route_run from a command) keep the outer one's script.
    class message_scope {
    public:
        /// between_messages: the caller holds nothing of a script (a worker before a message, a timer
        /// before its ticks), so what script() kept for this thread outside scopes can go.
        explicit message_scope(const interpreter& owner, bool between_messages = false);
        ~message_scope();
        message_scope(const message_scope&) = delete;
        message_scope& operator=(const message_scope&) = delete;

    private:
        friend class interpreter;
        const interpreter* owner_ = nullptr;
        std::shared_ptr<const compiled_script> script_;
        message_scope* outer_ = nullptr;
        bool active_ = false;
    };

    /// route(X) may nest this deep (a route calling itself stops here with an error).
    static constexpr int max_route_depth = 100;

    /// actions may be null (forward() and is_myself() then fail).
    interpreter(std::shared_ptr<const compiled_script> script, core_actions* actions);

    /// Runs request_route on a request. Returns a siphost_route_result (RAN, EXITED, DROPPED); RAN when there
    /// is no request_route. rc, when given, receives the last return code ($rc).
    int run_request_route(siphost_msg* msg, std::int64_t* rc = nullptr) const;
    /// Runs the core onreply_route on a reply (RAN when there is none; DROPPED means: do not relay it).
    int run_core_onreply(siphost_msg* msg, std::int64_t* rc = nullptr) const;
    /// Runs onsend_route on msg about to be sent as info says. NOT_FOUND when the script has none; DROPPED
    /// means: do not send it.
    int run_onsend_route(siphost_msg* msg, const send_info& info) const;
    /// Whether the running script has an onsend_route (what a send checks first, so that a config without
    /// one pays a branch).
    bool has_onsend_route() const { return script().onsend_route() >= 0; }
    /// Runs any route by its ABI id (route_ids.hpp; the ABI's route_run). NOT_FOUND when this script has no
    /// block for the id.
    int run_route(int route_id, siphost_msg* msg, std::int64_t* rc = nullptr) const;
    /// The ABI's route_lookup: type is one SIPHOST_ROUTE_* bit; -1 when this script has no such block. While
    /// a new script compiles on this thread (a reload's fixups), that script answers: its fixups look up its
    /// blocks, not the running script's.
    int route_lookup(std::uint32_t type, std::string_view name) const {
        if (const compiled_script* compiling = compiled_script::being_compiled())
            return compiling->route_id(type, name);
        return script().route_id(type, name);
    }
    /// The type of the block an ABI route id names in this script, or 0 when it has none.
    std::uint32_t route_type_of(int route_id) const {
        const compiled_script& s = script();
        int index = s.route_index_of_id(route_id);
        return index < 0 ? 0 : s.route(index).type;
    }

    /// The log_prefix evaluated for msg ("" when the config sets none).
    std::string render_log_prefix(siphost_msg* msg) const;
    /// Renders any template for msg (used by tests and by xlog-like callers).
    void render(const compiled_template& t, siphost_msg* msg, std::string& out) const;

    /// The ABI's pv_parse / pv_get / pv_set / pv_free. pv_get's strings stay valid until the next pv_get on
    /// the same thread.
    std::unique_ptr<pv_spec> pv_parse(std::string_view text, std::string& error) const {
        return script().parse_pv(text, error);
    }
    int pv_get(const pv_spec& pv, siphost_msg* msg, siphost_value* out) const;
    int pv_set(const pv_spec& pv, siphost_msg* msg, const siphost_value& value) const;

    /// The script of this thread's message_scope; outside one, the script published now (kept alive on this
    /// thread until its next call of script() outside a scope).
    const compiled_script& script() const;
    /// Drops what script() keeps for this thread outside a scope: the main thread calls it before the modules
    /// are destroyed, so that no script outlives them there.
    static void release_thread_script();
    /// The same for every thread: at shutdown, once no thread runs the script, before the modules go.
    static void release_every_thread_script();
    /// The script published now, for the next messages.
    std::shared_ptr<const compiled_script> published() const { return script_.load(); }
    /// Makes next the script of every message that starts from now on; returns the one it replaces. Messages
    /// running keep theirs until they end.
    std::shared_ptr<const compiled_script> publish(std::shared_ptr<const compiled_script> next);

private:
    int run(const compiled_script& s, int route_index, siphost_msg* msg, std::int64_t* rc) const;
    worker_state& worker(const compiled_script& s) const;

    std::atomic<std::shared_ptr<const compiled_script>> script_;
    core_actions* actions_;
};

} // namespace siphost::script
