// websocket: SIP over WebSocket (RFC 7118) as Kamailio's websocket module.
//
//   ws_handle_handshake()                   in event_route[xhttp:request]: answers the upgrade request and
//                                           makes its connection a WebSocket one (WS over TCP, WSS over TLS)
//   ws_close([status, reason[, conn_id]])   closes a WebSocket connection with a close frame
//   RPC ws.dump [order], ws.close, ws.ping, ws.pong, ws.disable, ws.enable
//   event_route[websocket:closed]           runs when a WebSocket connection closes, for any reason, with $si
//                                           and $sp the client's address and $ws_conid the connection's id
//
// The frames themselves are the host's (net/ws_framer): this module judges the handshake, keeps idle
// connections alive with pings or pongs, and drives the host through the "core.websocket" API
// (siphost/api/websocket.h), which the host publishes once it listens on TCP or TLS.
#include "handshake.hpp"

#include <siphost/api/websocket.h>
#include <siphost/api/xhttp.h>
#include <siphost/module.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::websocket {
namespace {

const char module_name[] = "websocket";

// modparams (Kamailio's defaults; -1 marks the ones siphost takes but does not use, to warn when set)
int32_t keepalive_mechanism_ = 1; // 0 none, 1 ping, 2 pong
int32_t keepalive_timeout_ = 180;
int32_t keepalive_processes_ = 1;
int32_t keepalive_interval_ = 1;
const char* ping_application_data_ = nullptr;
int32_t sub_protocols_ = sub_protocol_sip;
int32_t cors_mode_ = cors_none;
int32_t verbose_list_ = 0;
const char* event_callback_ = nullptr;
int32_t timer_interval_ = -1;
int32_t rm_delay_interval_ = -1;

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
std::atomic<bool> enabled_{true};
std::atomic<const siphost_ws_host_v1*> ws_{nullptr};
std::atomic<const siphost_xhttp_api_v1*> xhttp_{nullptr};
siphost_metric* successful_handshakes_ = nullptr;
siphost_metric* failed_handshakes_ = nullptr;

/// When each connection was last pinged (timer thread only).
std::map<uint64_t, uint64_t> pinged_;

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

// ---- event_route[websocket:closed] ----

constexpr std::string_view closed_event = "websocket:closed";

/// The message event_route[websocket:closed] runs on, and its connection, for $ws_conid (worker thread).
thread_local const siphost_msg* closed_msg_ = nullptr;
thread_local uint64_t closed_conn_id_ = 0;

struct closed_connection {
    uint64_t conn_id = 0;
    siphost_msg* msg = nullptr; ///< owned

    ~closed_connection() {
        if (msg != nullptr)
            host_->msg_free(msg);
    }
};

/// Posted and not yet run: what a worker stopped at shutdown never ran is freed at destroy.
std::mutex pending_mutex_;
std::vector<std::unique_ptr<closed_connection>> pending_;

void run_closed(void* data) {
    std::unique_ptr<closed_connection> closed;
    {
        std::lock_guard lock(pending_mutex_);
        auto it =
            std::find_if(pending_.begin(), pending_.end(), [data](const auto& p) { return p.get() == data; });
        if (it == pending_.end())
            return;
        closed = std::move(*it);
        pending_.erase(it);
    }
    sdk::guard(0, [&] {
        // Looked up again: a reload may have taken the block away since the connection closed.
        int route = host_->events->lookup(self_, sdk::str(closed_event));
        if (route < 0)
            return 0;
        closed_msg_ = closed->msg;
        closed_conn_id_ = closed->conn_id;
        host_->events->run(route, closed->msg);
        closed_msg_ = nullptr;
        closed_conn_id_ = 0;
        return 0;
    });
}

/// The host's on_close function (an io thread): a message from the client's address, over the connection's
/// transport, for the event route, which a worker runs.
void connection_closed(const siphost_ws_conn_info* info, void*) {
    if (info == nullptr || host_->events == nullptr ||
        host_->events->lookup(self_, sdk::str(closed_event)) < 0)
        return;
    auto closed = std::make_unique<closed_connection>();
    closed->conn_id = info->conn_id;
    std::string id = std::to_string(info->conn_id);
    std::string text = "OPTIONS sip:websocket.invalid SIP/2.0\r\n"
                       "Via: SIP/2.0/" +
                       std::string(info->proto == SIPHOST_PROTO_WSS ? "WSS" : "WS") +
                       " websocket.invalid;branch=z9hG4bKwsclosed" + id +
                       "\r\nFrom: <sip:websocket.invalid>;tag=" + id +
                       "\r\nTo: <sip:websocket.invalid>\r\nCall-ID: websocket-closed-" + id +
                       "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    // From the client, over its connection, to the socket it came to: $si, $sp, $pr and $conid show them.
    siphost_dest from = info->remote;
    from.struct_size = sizeof from;
    closed->msg = host_->msg_parse(sdk::str(text), &from);
    if (closed->msg == nullptr) {
        log(SIPHOST_LOG_ERR, "cannot make the message of event_route[websocket:closed] for connection " + id);
        return;
    }
    void* task = closed.get();
    {
        std::lock_guard lock(pending_mutex_);
        pending_.push_back(std::move(closed));
    }
    if (host_->async->post(self_, -1, run_closed, task) != 0) {
        log(SIPHOST_LOG_DBG, "event_route[websocket:closed] not run for connection " + id + ": stopping");
        std::lock_guard lock(pending_mutex_);
        pending_.erase(std::find_if(pending_.begin(), pending_.end(),
                                    [task](const auto& p) { return p.get() == task; }));
    }
}

int get_ws_conid(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    *out = msg != nullptr && msg == closed_msg_ ? sdk::int_value(static_cast<int64_t>(closed_conn_id_))
                                                : sdk::null_value();
    return 0;
}

std::once_flag close_listener_;

/// The host's WebSocket functions; null when siphost listens on no TCP or TLS address. The first lookup
/// asks the host to tell closes, before any connection can be upgraded (only this module upgrades).
const siphost_ws_host_v1* ws_host() {
    const siphost_ws_host_v1* api = ws_.load(std::memory_order_acquire);
    if (api != nullptr)
        return api;
    api = static_cast<const siphost_ws_host_v1*>(
        host_->api_lookup(SIPHOST_WS_HOST_API_NAME, SIPHOST_WS_HOST_API_MAJOR));
    if (api == nullptr || api->struct_size < sizeof(siphost_ws_host_v1))
        return nullptr;
    std::call_once(close_listener_, [api] {
        if (SIPHOST_HAS(siphost_ws_host_v1, api, on_close))
            api->on_close(connection_closed, nullptr);
        else
            log(SIPHOST_LOG_WARN, "the host does not tell when a WebSocket connection closes: "
                                  "event_route[websocket:closed] will not run");
    });
    ws_.store(api, std::memory_order_release);
    return api;
}

/// Tells xhttp that the request was answered here (else it answers 500 after the route).
void tell_xhttp(siphost_msg* msg) {
    const siphost_xhttp_api_v1* api = xhttp_.load(std::memory_order_acquire);
    if (api == nullptr) {
        api = static_cast<const siphost_xhttp_api_v1*>(
            host_->api_lookup(SIPHOST_XHTTP_API_NAME, SIPHOST_XHTTP_API_MAJOR));
        if (api == nullptr || !SIPHOST_HAS(siphost_xhttp_api_v1, api, answered))
            return;
        xhttp_.store(api, std::memory_order_release);
    }
    api->answered(msg);
}

void count(siphost_metric* metric) {
    if (metric != nullptr)
        host_->metrics->metric_add(metric, 1);
}

std::vector<std::string_view> header_values(const siphost_msg* msg, std::string_view name) {
    std::vector<std::string_view> values;
    for (uint32_t i = 0; i < 16; ++i) {
        bool found = false;
        std::string_view value = sdk::header(host_, msg, name, i, &found);
        if (!found)
            break;
        values.push_back(value);
    }
    return values;
}

std::string peer_text(const siphost_dest& d) {
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(d.family == 6 ? AF_INET6 : AF_INET, d.ip, text, sizeof text) == nullptr)
        return "*";
    return d.family == 6 ? "[" + std::string(text) + "]" : std::string(text);
}

int cmd_ws_handle_handshake(siphost_msg* msg, const siphost_value*, void*) {
    siphost_dest from{};
    from.struct_size = sizeof from;
    if (host_->msg_source(msg, &from) != 0 || from.conn_id == 0 ||
        (from.proto != SIPHOST_PROTO_TCP && from.proto != SIPHOST_PROTO_TLS)) {
        log(SIPHOST_LOG_ERR, "ws_handle_handshake: the request did not come over a TCP or TLS connection");
        return 0;
    }
    const siphost_ws_host_v1* ws = ws_host();
    if (ws == nullptr) {
        log(SIPHOST_LOG_ERR, "ws_handle_handshake: the host offers no WebSocket transport");
        return 0;
    }
    tell_xhttp(msg);
    if (!enabled_.load(std::memory_order_relaxed)) {
        log(SIPHOST_LOG_INFO, "disabled (ws.disable): refusing the handshake with 503");
        ws->refuse(from.conn_id, sdk::str(http_response(503, "Service Unavailable", {})));
        count(failed_handshakes_);
        return 0;
    }
    handshake_request request;
    request.connection = header_values(msg, "Connection");
    request.upgrade = header_values(msg, "Upgrade");
    request.key = header_values(msg, "Sec-WebSocket-Key");
    request.protocol = header_values(msg, "Sec-WebSocket-Protocol");
    request.version = header_values(msg, "Sec-WebSocket-Version");
    request.origin = header_values(msg, "Origin");
    handshake_answer a = answer(request, sub_protocols_, cors_mode_);
    if (a.code != 101) {
        log(SIPHOST_LOG_WARN, "refusing the WebSocket handshake from " + peer_text(from) + " with " +
                                  std::to_string(a.code) + ": " + a.why);
        ws->refuse(from.conn_id, sdk::str(a.response));
        count(failed_handshakes_);
        return 0;
    }
    if (ws->upgrade(from.conn_id, sdk::str(a.response)) != 0) {
        log(SIPHOST_LOG_ERR, "ws_handle_handshake: the connection closed before its upgrade");
        count(failed_handshakes_);
        return 0;
    }
    count(successful_handshakes_);
    return 1;
}

int close_connection(siphost_msg* msg, int64_t code, std::string_view reason, int64_t conn_id) {
    if (code < 1000 || code > 4999) {
        log(SIPHOST_LOG_ERR,
            "ws_close: the status " + std::to_string(code) + " is not a close code (1000-4999)");
        return -1;
    }
    if (conn_id < 0) {
        siphost_dest from{};
        from.struct_size = sizeof from;
        if (msg == nullptr || host_->msg_source(msg, &from) != 0 ||
            (from.proto != SIPHOST_PROTO_WS && from.proto != SIPHOST_PROTO_WSS)) {
            log(SIPHOST_LOG_ERR, "ws_close: the message did not come over a WebSocket connection");
            return -1;
        }
        conn_id = static_cast<int64_t>(from.conn_id);
    }
    const siphost_ws_host_v1* ws = ws_host();
    if (ws == nullptr ||
        ws->close(static_cast<uint64_t>(conn_id), static_cast<uint16_t>(code), sdk::str(reason)) != 0) {
        log(SIPHOST_LOG_ERR, "ws_close: no WebSocket connection " + std::to_string(conn_id));
        return -1;
    }
    return 1;
}

int cmd_ws_close0(siphost_msg* msg, const siphost_value*, void*) {
    return close_connection(msg, 1000, "Normal closure", -1);
}

int cmd_ws_close2(siphost_msg* msg, const siphost_value* args, void*) {
    return close_connection(msg, args[0].num, sdk::arg_view(args[1]), -1);
}

int cmd_ws_close3(siphost_msg* msg, const siphost_value* args, void*) {
    if (args[2].num <= 0) {
        log(SIPHOST_LOG_ERR, "ws_close: the connection id must be positive");
        return -1;
    }
    return close_connection(msg, args[0].num, sdk::arg_view(args[1]), args[2].num);
}

std::string_view ping_data() {
    return ping_application_data_ != nullptr ? std::string_view(ping_application_data_) : "siphost";
}

void keepalive(uint64_t now_ms, void*) {
    if (keepalive_mechanism_ == 0)
        return;
    const siphost_ws_host_v1* ws = ws_host();
    if (ws == nullptr)
        return;
    struct visit {
        const siphost_ws_host_v1* ws;
        uint64_t now_ms;
        std::map<uint64_t, uint64_t> seen;
    } v{ws, now_ms, {}};
    ws->for_each(
        [](const siphost_ws_conn_info* info, void* arg) {
            auto& v = *static_cast<visit*>(arg);
            uint64_t timeout_ms = static_cast<uint64_t>(keepalive_timeout_) * 1000;
            auto last = pinged_.find(info->conn_id);
            uint64_t last_ping = last != pinged_.end() ? last->second : 0;
            v.seen[info->conn_id] = last_ping;
            // Idle for keepalive_timeout, and not pinged within it: a ping (its pong resets the idle time)
            // or, as Kamailio's mechanism 2, an unsolicited pong.
            if (info->idle_ms < timeout_ms || (last_ping != 0 && v.now_ms - last_ping < timeout_ms))
                return 0;
            bool pong = keepalive_mechanism_ == 2;
            if (v.ws->ping(info->conn_id, pong ? 1 : 0, sdk::str(ping_data())) == 0) {
                v.seen[info->conn_id] = v.now_ms;
                if (verbose_list_ != 0)
                    log(SIPHOST_LOG_DBG, std::string("keepalive: ") + (pong ? "pong" : "ping") +
                                             " on WebSocket connection " + std::to_string(info->conn_id));
            }
            return 0;
        },
        &v);
    pinged_ = std::move(v.seen); // closed connections drop out
}

// ---- RPC ----

std::optional<int64_t> id_param(siphost_rpc_call* call) {
    siphost_value given{};
    int64_t id = 0;
    if (host_->rpc->param_count(call) < 1 || host_->rpc->param(call, 0, &given) != 0 ||
        !sdk::arg_int(given, id))
        return std::nullopt;
    return id;
}

void rpc_dump(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    std::string order = "id_hash";
    if (rpc->param_count(call) > 0) {
        siphost_value given{};
        if (rpc->param(call, 0, &given) == 0 && given.kind == SIPHOST_VALUE_STR)
            order.assign(sdk::arg_view(given));
        if (order != "id_hash" && order != "used_desc" && order != "used_asc") {
            rpc->fault(call, 500, sdk::str("Bad order parameter (id_hash, used_desc or used_asc)"));
            return;
        }
    }
    std::vector<siphost_ws_conn_info> all;
    if (const siphost_ws_host_v1* ws = ws_host())
        ws->for_each(
            [](const siphost_ws_conn_info* info, void* arg) {
                static_cast<std::vector<siphost_ws_conn_info>*>(arg)->push_back(*info);
                return 0;
            },
            &all);
    if (order == "used_desc") // most recently used first
        std::stable_sort(all.begin(), all.end(),
                         [](const auto& a, const auto& b) { return a.idle_ms < b.idle_ms; });
    else if (order == "used_asc")
        std::stable_sort(all.begin(), all.end(),
                         [](const auto& a, const auto& b) { return a.idle_ms > b.idle_ms; });
    constexpr size_t max_dump = 50; // as Kamailio: the first 50
    siphost_rpc_node* top = rpc->add_struct(rpc->result(call), nullptr);
    siphost_rpc_node* list = rpc->add_array(top, "connections");
    size_t shown = 0;
    for (const auto& c : all) {
        if (shown == max_dump)
            break;
        const char* proto = c.proto == SIPHOST_PROTO_WSS ? "wss" : "ws";
        std::string line = std::to_string(c.conn_id) + ": " + proto + ":" + peer_text(c.remote) + ":" +
                           std::to_string(c.remote.port) + " -> " + proto + ":" + peer_text(c.local) + ":" +
                           std::to_string(c.local.port) + " (state: OPEN, last used " +
                           std::to_string(c.idle_ms / 1000) + "s ago, sub-protocol: sip)";
        rpc->add_str(list, nullptr, sdk::str(line));
        ++shown;
    }
    siphost_rpc_node* info = rpc->add_struct(top, "info");
    rpc->add_int(info, "wscounter", static_cast<int64_t>(shown));
    rpc->add_str(info, "truncated", sdk::str(all.size() > max_dump ? "yes" : "no"));
}

void rpc_close(siphost_rpc_call* call) {
    auto id = id_param(call);
    if (!id) {
        host_->rpc->fault(call, 500, sdk::str("Not enough parameters"));
        return;
    }
    const siphost_ws_host_v1* ws = ws_host();
    if (ws == nullptr || *id <= 0 ||
        ws->close(static_cast<uint64_t>(*id), 1000, sdk::str("Normal closure")) != 0)
        host_->rpc->fault(call, 500, sdk::str("Unknown connection ID"));
}

template <int Pong> void rpc_ping(siphost_rpc_call* call) {
    auto id = id_param(call);
    if (!id) {
        host_->rpc->fault(call, 500, sdk::str("Not enough parameters"));
        return;
    }
    const siphost_ws_host_v1* ws = ws_host();
    if (ws == nullptr || *id <= 0 || ws->ping(static_cast<uint64_t>(*id), Pong, sdk::str(ping_data())) != 0)
        host_->rpc->fault(call, 500, sdk::str("Unknown connection ID"));
}

void rpc_disable(siphost_rpc_call*) {
    enabled_.store(false);
    log(SIPHOST_LOG_WARN, "disabling websockets - new connections will be dropped");
}

void rpc_enable(siphost_rpc_call*) {
    enabled_.store(true);
    log(SIPHOST_LOG_WARN, "enabling websockets");
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        self_ = self;
        if (keepalive_mechanism_ < 0 || keepalive_mechanism_ > 2)
            throw sdk::config_error("keepalive_mechanism must be 0 (none), 1 (ping) or 2 (pong)");
        if (keepalive_timeout_ < 1)
            throw sdk::config_error("keepalive_timeout must be at least 1 second");
        if (keepalive_interval_ < 1)
            throw sdk::config_error("keepalive_interval must be at least 1 second");
        if (keepalive_processes_ < 1)
            throw sdk::config_error("keepalive_processes must be at least 1");
        if (keepalive_processes_ > 1)
            log(SIPHOST_LOG_WARN,
                "keepalive_processes: siphost sends keepalives from its one slow timer thread "
                "(the host reads and writes frames on its own io threads): " +
                    std::to_string(keepalive_processes_) + " taken as 1");
        if ((sub_protocols_ & sub_protocol_msrp) != 0)
            throw sdk::config_error(
                "sub_protocols: msrp (2) is not served (siphost has no msrp module); use 1");
        if (sub_protocols_ != sub_protocol_sip)
            throw sdk::config_error("sub_protocols must be 1 (sip)");
        if (cors_mode_ < cors_none || cors_mode_ > cors_origin)
            throw sdk::config_error("cors_mode must be 0, 1 or 2");
        if (ping_application_data_ != nullptr && std::string_view(ping_application_data_).size() > 125)
            throw sdk::config_error("ping_application_data is longer than a control frame's 125 bytes");
        if (event_callback_ != nullptr && *event_callback_ != '\0')
            log(SIPHOST_LOG_WARN, "event_callback is for KEMI scripts, which siphost does not run: ignored");
        if (timer_interval_ != -1 || rm_delay_interval_ != -1)
            log(SIPHOST_LOG_WARN, "timer_interval and rm_delay_interval have no use in siphost: a closed "
                                  "WebSocket connection is freed at once; ignored");
        successful_handshakes_ = sdk::register_counter(host, self, "ws_sip_successful_handshakes",
                                                       "WebSocket handshakes accepted");
        failed_handshakes_ =
            sdk::register_counter(host, self, "ws_failed_handshakes", "WebSocket handshakes refused");
        if (host->async->every(self, static_cast<uint32_t>(keepalive_interval_) * 1000, SIPHOST_TIMER_SLOW,
                               keepalive, nullptr) != 0)
            throw sdk::config_error("cannot start the keepalive timer");
        return 0;
    });
}

const siphost_command commands[] = {
    sdk::command("ws_handle_handshake", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_ws_handle_handshake, 0>, {},
                 nullptr, nullptr, "answers a WebSocket upgrade request and upgrades its connection"),
    sdk::command("ws_close", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_ws_close0>, {}, nullptr, nullptr,
                 "closes the message's WebSocket connection (1000, Normal closure)"),
    sdk::command("ws_close", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_ws_close2>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "closes the message's WebSocket connection: status, reason"),
    sdk::command("ws_close", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_ws_close3>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_STRING, SIPHOST_ARG_INT}, nullptr, nullptr,
                 "closes a WebSocket connection: status, reason, connection id"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("keepalive_mechanism", &keepalive_mechanism_, "0 none, 1 ping, 2 pong"),
    sdk::int_param("keepalive_timeout", &keepalive_timeout_, "seconds idle before a keepalive"),
    sdk::int_param("keepalive_processes", &keepalive_processes_, "taken as 1 (one timer thread)"),
    sdk::int_param("keepalive_interval", &keepalive_interval_, "seconds between keepalive runs"),
    sdk::string_param("ping_application_data", &ping_application_data_, "data in keepalive frames"),
    sdk::int_param("sub_protocols", &sub_protocols_, "1: sip (msrp is not served)"),
    sdk::int_param("cors_mode", &cors_mode_, "0 none, 1 '*', 2 the request's Origin"),
    sdk::int_param("verbose_list", &verbose_list_, "logs each keepalive at debug level"),
    sdk::string_param("event_callback", &event_callback_, "KEMI function (not used by siphost)"),
    sdk::int_param("timer_interval", &timer_interval_, "not used by siphost"),
    sdk::int_param("rm_delay_interval", &rm_delay_interval_, "not used by siphost"),
    sdk::end_of_params(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("ws_conid", SIPHOST_PV_NAME_NONE, get_ws_conid, nullptr, nullptr, nullptr,
                         "in event_route[websocket:closed]: the id of the connection that closed"),
    sdk::end_of_pvs(),
};

const siphost_event events[] = {
    sdk::event("websocket:closed", SIPHOST_ROUTE_EVENT, 0, "a WebSocket connection closed ($ws_conid)"),
    sdk::end_of_events(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("ws.dump", rpc_dump,
             "Details of the first 50 WebSocket connections [id_hash|used_desc|used_asc]."),
    sdk::rpc("ws.close", rpc_close, "Starts the close handshake on a WebSocket connection."),
    sdk::rpc("ws.ping", rpc_ping<0>, "Sends a Ping frame on a WebSocket connection."),
    sdk::rpc("ws.pong", rpc_ping<1>, "Sends a Pong frame on a WebSocket connection."),
    sdk::rpc("ws.disable", rpc_disable, "Refuses new WebSocket handshakes (503)."),
    sdk::rpc("ws.enable", rpc_enable, "Accepts new WebSocket handshakes."),
    sdk::end_of_rpcs(),
};

/// After every thread stopped: the close events no worker ran.
void destroy() {
    std::lock_guard lock(pending_mutex_);
    pending_.clear();
}

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .pvs = pvs,
                                               .events = events,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::websocket

SIPHOST_MODULE(siphost::modules::websocket::descriptor)
