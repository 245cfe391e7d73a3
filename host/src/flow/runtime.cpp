#include "flow/runtime.hpp"

#include "core/log.hpp"
#include "flow/send_lines.hpp"
#include "net/resolver.hpp"
#include "net/socket_address.hpp"
#include "net/ws_bridge.hpp"
#include "plugin/host_services.hpp"
#include "sip/chars.hpp"
#include "sip/header_params.hpp"
#include "sip/reply_destination.hpp"
#include "sip/serializer.hpp"
#include "sip/uri.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <span>

namespace siphost::flow {
namespace {

// Outgoing messages are written here: one per thread, as large as a UDP datagram can be.
thread_local std::array<char, 65536> send_buffer;

// A received datagram is parsed into this context: one per worker thread, reused for every message.
thread_local siphost_msg received;

uint64_t fnv1a(uint64_t hash, std::string_view bytes) {
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

// HTTP over a TCP listener (xhttp). The SIP parser reads an HTTP request once its start line names the target
// as a SIP URI: "GET /RPC?a=1 HTTP/1.1" is parsed as "GET sip:%2FRPC%3Fa%3D1@http.invalid SIP/2.0" followed
// by the received headers and body. xhttp's $hu unescapes the user part; the reserved host (RFC 6761) marks
// the message as HTTP, and a SIP request naming that host is refused so that it cannot pass for one.
constexpr std::string_view http_mark_host = "http.invalid";

enum class http_start { not_http, ok, bad };

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::strchr("-.!%*_+`'~", c) != nullptr;
}

http_start http_as_sip(std::string_view bytes, std::string& out) {
    size_t eol = bytes.find("\r\n");
    std::string_view line = bytes.substr(0, eol);
    size_t last_sp = line.rfind(' ');
    if (last_sp == std::string_view::npos || !line.substr(last_sp + 1).starts_with("HTTP/"))
        return http_start::not_http;
    std::string_view version = line.substr(last_sp + 1);
    size_t first_sp = line.find(' ');
    if (eol == std::string_view::npos || (version != "HTTP/1.1" && version != "HTTP/1.0") || first_sp == 0 ||
        first_sp == last_sp)
        return http_start::bad;
    std::string_view method = line.substr(0, first_sp);
    std::string_view target = line.substr(first_sp + 1, last_sp - first_sp - 1);
    if (!std::all_of(method.begin(), method.end(), is_token_char) || target.empty())
        return http_start::bad;
    out.clear();
    out.append(method).append(" sip:");
    static const char hex[] = "0123456789ABCDEF";
    for (char c : target) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return http_start::bad; // no spaces or controls inside an HTTP request target
        if (std::isalnum(u) != 0 || std::strchr("-_.!~*'()", c) != nullptr) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        }
    }
    out.append("@").append(http_mark_host).append(" SIP/2.0");
    // The parser wants the headers every SIP request has; they follow the received ones (HTTP sends no Via,
    // CSeq or Call-ID; an HTTP "From" or "To" makes the request a duplicate-header 400).
    size_t headers_end = bytes.find("\r\n\r\n", eol);
    if (headers_end == std::string_view::npos)
        return http_start::bad;
    out.append(bytes.substr(eol, headers_end - eol));
    out.append("\r\nVia: SIP/2.0/TCP ").append(http_mark_host);
    out.append("\r\nFrom: <sip:").append(http_mark_host).append(">;tag=http");
    out.append("\r\nTo: <sip:").append(http_mark_host).append(">");
    out.append("\r\nCall-ID: http");
    out.append("\r\nCSeq: 1 ").append(method);
    out.append(bytes.substr(headers_end));
    return http_start::ok;
}

std::string_view write_failure(sip::write_status status) {
    switch (status) {
    case sip::write_status::ok:
        return "ok";
    case sip::write_status::too_small:
        return "larger than a datagram";
    case sip::write_status::wrong_kind:
        return "not a request";
    case sip::write_status::not_indexed:
        return "unparsable message";
    case sip::write_status::conflicting_edits:
        return "the script's changes overlap";
    case sip::write_status::no_via:
        return "no Via";
    case sip::write_status::bad_argument:
        return "bad argument";
    }
    return "unknown";
}

uint8_t proto_of_transport(std::string_view name) {
    auto is = [name](std::string_view want) {
        return name.size() == want.size() &&
               std::equal(name.begin(), name.end(), want.begin(),
                          [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
    };
    if (is("TCP"))
        return SIPHOST_PROTO_TCP;
    if (is("TLS"))
        return SIPHOST_PROTO_TLS;
    if (is("SCTP"))
        return SIPHOST_PROTO_SCTP;
    if (is("WS"))
        return SIPHOST_PROTO_WS;
    if (is("WSS"))
        return SIPHOST_PROTO_WSS;
    return SIPHOST_PROTO_UDP;
}

/// The connection id a Via's ";i=" parameter carries (hex, as written by note_connection), or 0.
uint64_t via_connection(const sip::via& via) {
    uint64_t id = 0;
    size_t pos = 0;
    sip::read_header_params(via.params, pos, false, [&id](const sip::header_param& p) {
        if (p.name.size() != 1 || (p.name[0] != 'i' && p.name[0] != 'I') || !p.has_value ||
            p.value.size() > 16)
            return;
        uint64_t value = 0;
        for (char c : p.value) {
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0)
                return;
            value = value * 16 + static_cast<uint64_t>(digit);
        }
        id = value;
    });
    return id;
}

/// True when a Via has the RFC 5923 "alias" parameter.
bool via_has_alias(const sip::via& via) {
    bool found = false;
    size_t pos = 0;
    sip::read_header_params(via.params, pos, false, [&found](const sip::header_param& p) {
        if (sip::chars::iequals(p.name, "alias"))
            found = true;
    });
    return found;
}

/// Back to where msg came from, over its connection when it came over one: for answers that cannot trust
/// what the message says about its sender.
siphost_dest back_to_source(const siphost_msg& msg) {
    siphost_dest to{};
    to.struct_size = sizeof to;
    net::set_address(to, msg.source);
    to.proto = msg.proto;
    to.conn_id = msg.conn_id;
    to.socket = to_handle(msg.socket);
    return to;
}

} // namespace

std::string_view via_transport(uint8_t proto) {
    switch (proto) {
    case SIPHOST_PROTO_TCP:
        return "TCP";
    case SIPHOST_PROTO_TLS:
        return "TLS";
    case SIPHOST_PROTO_SCTP:
        return "SCTP";
    case SIPHOST_PROTO_WS:
        return "WS";
    case SIPHOST_PROTO_WSS:
        return "WSS";
    default:
        return "UDP";
    }
}

void runtime::attach(net::udp_transport* transport, const script::interpreter* interpreter,
                     std::vector<std::string> aliases) {
    transport_ = transport;
    interpreter_ = interpreter;
    aliases_ = std::move(aliases);
    // Published by the core: rr finds it at its first record_route() (siphost/api/send_lines.h).
    auto& services = plugin::host_services::instance();
    if (services.find_api(SIPHOST_SEND_LINES_API_NAME, SIPHOST_SEND_LINES_API_MAJOR) == nullptr)
        services.export_api("core", SIPHOST_SEND_LINES_API_NAME, SIPHOST_SEND_LINES_API_MAJOR,
                            send_lines_table());
}

void runtime::attach_tcp(net::tcp_transport* tcp) {
    tcp_ = tcp;
    net::ws_bridge::attach(tcp);
    // Published by the core, not a module: the websocket module finds it at first use
    // (siphost/api/websocket.h).
    auto& services = plugin::host_services::instance();
    if (tcp != nullptr && services.find_api(SIPHOST_WS_HOST_API_NAME, SIPHOST_WS_HOST_API_MAJOR) == nullptr)
        services.export_api("core", SIPHOST_WS_HOST_API_NAME, SIPHOST_WS_HOST_API_MAJOR,
                            net::ws_bridge::table());
}

int runtime::register_hook(bool request, int when, siphost_message_hook_fn fn, void* data) {
    if (fn == nullptr || (when != SIPHOST_HOOK_PRE_SCRIPT && when != SIPHOST_HOOK_POST_SCRIPT))
        return -1;
    auto& hooks = request ? (when == SIPHOST_HOOK_PRE_SCRIPT ? request_pre_ : request_post_)
                          : (when == SIPHOST_HOOK_PRE_SCRIPT ? reply_pre_ : reply_post_);
    hooks.push_back({fn, data});
    return 0;
}

bool runtime::run_hooks(const std::vector<message_hook>& hooks, siphost_msg& msg) {
    for (const auto& hook : hooks)
        if (hook.fn(&msg, hook.data) == SIPHOST_HOOK_CONSUMED)
            return true;
    return false;
}

void runtime::on_datagram(net::udp_worker&, const net::datagram& datagram) {
    on_message(datagram.bytes, datagram.source, datagram.socket, SIPHOST_PROTO_UDP, 0);
}

void runtime::on_stream_message(const net::stream_message& message) {
    on_message(message.bytes, message.source, message.socket, message.proto, message.conn_id);
}

void runtime::on_message(std::string_view bytes, const net::udp_endpoint& source,
                         const net::listening_socket* socket, uint8_t proto, uint64_t conn_id) {
    siphost_msg& msg = received;
    msg.reset();
    msg.id = siphost_msg::next_id();
    msg.source = source;
    msg.socket = socket;
    msg.proto = proto;
    msg.conn_id = conn_id;
    thread_local std::string http_copy; // lives as long as `received` parses it (reset below)
    http_start http = http_start::not_http;
    if (proto == SIPHOST_PROTO_TCP || proto == SIPHOST_PROTO_TLS) { // HTTP and HTTPS (WebSocket upgrades)
        http = http_as_sip(bytes, http_copy);
        if (http == http_start::ok)
            bytes = http_copy;
    }
    auto status = http == http_start::bad ? sip::parse_result{} : msg.sip.parse(bytes);
    if (http == http_start::bad || (http == http_start::ok && !status.ok())) {
        refuse_http(msg, "400 Bad Request", "refused a malformed HTTP request");
        msg.reset();
        return;
    }
    if (!status.ok()) {
        refuse(msg);
        return;
    }
    if (http == http_start::not_http && msg.sip.is_request() &&
        sip::chars::iequals(msg.sip.parsed_request_uri().host(), http_mark_host)) {
        core::log_host(SIPHOST_LOG_WARN, "core",
                       "dropped a SIP request for " + std::string(http_mark_host) + " (reserved for HTTP)");
        msg.reset();
        return;
    }
    const bool prefixed = interpreter_ != nullptr && !interpreter_->script().log_prefix().pieces.empty();
    if (prefixed) {
        // Rendered into a buffer the worker keeps, so that the prefix costs no allocation per message.
        thread_local std::string prefix;
        prefix.clear();
        interpreter_->render(interpreter_->script().log_prefix(), &msg, prefix);
        core::set_message_prefix(prefix);
    }
    if (http == http_start::ok) {
        // No request_route: a module's pre-script hook (xhttp's) takes HTTP requests or nobody does.
        msg.route_type = SIPHOST_ROUTE_EVENT;
        bool taken = run_hooks(request_pre_, msg);
        msg.route_type = 0;
        if (!taken)
            refuse_http(msg, "404 Not Found", "refused an HTTP request no module serves (xhttp)");
    } else if (msg.sip.is_request())
        handle_request(msg);
    else
        handle_reply(msg);
    if (prefixed)
        core::set_message_prefix({});
    msg.reset(); // AVPs belong to one message (unless a module swapped them out)
}

void runtime::refuse(siphost_msg& msg) {
    const auto& status = msg.sip.status();
    std::string peer = net::address_text(msg.source) + ":" + std::to_string(msg.source.port());
    if (status.drop() || !msg.sip.indexed() || !msg.sip.is_request()) {
        core::log_host(SIPHOST_LOG_WARN, "core",
                       "dropped a malformed message from " + peer + ": " + std::string(status.reason()));
        return;
    }
    core::log_host(SIPHOST_LOG_WARN, "core",
                   "refused a malformed request from " + peer + " with " + std::to_string(status.reply_code) +
                       ": " + std::string(status.reason()));
    auto written = sip::write_local_reply(msg.sip, {status.reply_code, status.reason(), {}, {}, {}},
                                          std::span<char>(send_buffer));
    if (!written.ok())
        return;
    // The Via may be what is broken: answer to where the message came from (over its connection).
    send(back_to_source(msg), std::string_view(send_buffer.data(), written.size));
}

void runtime::refuse_http(siphost_msg& msg, std::string_view status, std::string_view why) {
    core::log_host(SIPHOST_LOG_WARN, "core",
                   std::string(why) + " from " + net::address_text(msg.source) + ":" +
                       std::to_string(msg.source.port()));
    siphost_dest to = back_to_source(msg);
    to.flags = SIPHOST_DEST_NO_CONNECT; // only on the request's own connection
    std::string reply = "HTTP/1.1 " + std::string(status) + "\r\nContent-Length: 0\r\n\r\n";
    send(to, reply);
}

void runtime::note_received_and_rport(siphost_msg& msg) {
    // RFC 3261 18.2.1 and RFC 3581: the Via says where the sender thinks it is; the source says where it is.
    const sip::via* top = msg.sip.via_at(0);
    if (top == nullptr)
        return;
    const char* base = msg.sip.raw().data();
    auto source_ip = msg.source.address();
    boost::system::error_code ec;
    auto sent_by = boost::asio::ip::make_address(std::string(top->host), ec);
    bool fill_rport = top->has_rport && top->rport == 0;
    bool add_received = fill_rport || ec || sent_by != source_ip;
    if (fill_rport) {
        // Find the bare "rport" parameter to give it the source port.
        auto params = top->params;
        for (size_t at = params.find("rport"); at != std::string_view::npos;
             at = params.find("rport", at + 1)) {
            bool starts = at > 0 && params[at - 1] == ';';
            size_t end = at + 5;
            bool ends =
                end == params.size() || params[end] == ';' || params[end] == ' ' || params[end] == '\t';
            if (starts && ends) {
                auto offset = static_cast<size_t>(params.data() + at - base);
                msg.sip.replace(offset, 5, "rport=" + std::to_string(msg.source.port()));
                break;
            }
        }
    }
    if (add_received && top->received.empty()) {
        auto end = static_cast<uint32_t>(top->value.data() + top->value.size() - base);
        std::string ip = source_ip.to_string();
        msg.sip.edits().insert(end, {";received=", ip});
    }
}

void runtime::note_connection(siphost_msg& msg) {
    // A request that came over a connection names it in its Via (";i=", as Kamailio does), so that its
    // replies, relayed statelessly, go back over that connection even when the Via's port is not the peer's.
    thread_local uint64_t noted_for = 0; // a message forwarded twice (forking) gets it once
    const sip::via* top = msg.sip.via_at(0);
    if (msg.proto == SIPHOST_PROTO_UDP || msg.conn_id == 0 || top == nullptr || noted_for == msg.id)
        return;
    noted_for = msg.id;
    char hex[17];
    int n = std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(msg.conn_id));
    auto end = static_cast<uint32_t>(top->value.data() + top->value.size() - msg.sip.raw().data());
    msg.sip.edits().insert(end, {";i=", std::string(hex, static_cast<size_t>(n))});
}

void runtime::note_alias(siphost_msg& msg) {
    // tcp_accept_aliases: a top Via with ";alias" asks that requests to its port reuse this connection
    // (RFC 5923; Kamailio takes the port only, on the peer's own address).
    if ((msg.proto != SIPHOST_PROTO_TCP && msg.proto != SIPHOST_PROTO_TLS) || msg.conn_id == 0 ||
        tcp_ == nullptr || !tcp_->options().accept_aliases)
        return;
    const sip::via* top = msg.sip.via_at(0);
    if (top == nullptr || !via_has_alias(*top))
        return;
    force_tcp_alias(&msg, 0);
}

int runtime::force_tcp_alias(siphost_msg* msg, uint16_t port) {
    if (msg == nullptr || msg->conn_id == 0 || tcp_ == nullptr ||
        (msg->proto != SIPHOST_PROTO_TCP && msg->proto != SIPHOST_PROTO_TLS &&
         msg->proto != SIPHOST_PROTO_WS && msg->proto != SIPHOST_PROTO_WSS))
        return 1; // UDP: no connection to alias, and not an error (as in Kamailio)
    if (port == 0) {
        const sip::via* top = msg->sip.via_at(0);
        port = top != nullptr ? top->port : 0;
    }
    if (port == 0) // a Via without a port: the transport's default
        port = msg->proto == SIPHOST_PROTO_TLS || msg->proto == SIPHOST_PROTO_WSS ? 5061 : 5060;
    if (tcp_->add_alias(msg->conn_id, port))
        return 1;
    core::log_host(SIPHOST_LOG_WARN, "core",
                   "cannot alias connection " + std::to_string(msg->conn_id) + " to port " +
                       std::to_string(port) + ": it is closed or has " +
                       std::to_string(net::tcp_transport::max_aliases) + " aliases already");
    return -1;
}

void runtime::handle_request(siphost_msg& msg) {
    note_alias(msg);
    note_received_and_rport(msg);
    if (run_hooks(request_pre_, msg))
        return;
    if (interpreter_ != nullptr) {
        msg.route_type = SIPHOST_ROUTE_REQUEST;
        interpreter_->run_request_route(&msg);
        msg.route_type = 0;
    }
    run_hooks(request_post_, msg);
}

void runtime::handle_reply(siphost_msg& msg) {
    if (run_hooks(reply_pre_, msg))
        return;
    if (interpreter_ != nullptr) {
        msg.route_type = SIPHOST_ROUTE_CORE_ONREPLY;
        int result = interpreter_->run_core_onreply(&msg);
        msg.route_type = 0;
        if (result == SIPHOST_ROUTE_DROPPED)
            return;
    }
    if (run_hooks(reply_post_, msg))
        return;
    relay_reply_statelessly(msg);
}

bool runtime::relay_reply_statelessly(siphost_msg& msg) {
    const sip::via* top = msg.sip.via_at(0);
    if (top == nullptr || !is_myself(top->host, top->port == 0 ? 5060 : top->port)) {
        core::log_host(SIPHOST_LOG_NOTICE, "core", "dropped a reply whose top Via is not this server's");
        return false;
    }
    auto to = sip::relay_destination(msg.sip);
    if (!to) {
        core::log_host(SIPHOST_LOG_NOTICE, "core", "dropped a reply with no second Via to relay it to");
        return false;
    }
    if (sip::is_unsafe_destination(to->host)) {
        core::log_host(SIPHOST_LOG_WARN, "core",
                       "dropped a reply addressed to " + std::string(to->host) +
                           ", a broadcast or multicast address");
        return false;
    }
    auto endpoint = net::resolve_host(to->host, to->port);
    if (!endpoint.endpoint) {
        core::log_host(SIPHOST_LOG_ERR, "core", "cannot relay a reply: " + endpoint.error);
        return false;
    }
    auto written = sip::write_relayed_reply(msg.sip, std::span<char>(send_buffer));
    if (!written.ok()) {
        core::log_host(SIPHOST_LOG_ERR, "core", "cannot build the relayed reply");
        return false;
    }
    // The second Via's transport says how the request came: TCP replies reuse its connection (by address).
    const sip::via* upstream = msg.sip.via_at(1);
    uint8_t proto = upstream != nullptr ? proto_of_transport(upstream->transport)
                                        : static_cast<uint8_t>(SIPHOST_PROTO_UDP);
    siphost_dest dest{};
    dest.struct_size = sizeof dest;
    net::set_address(dest, *endpoint.endpoint);
    dest.proto = proto;
    dest.conn_id = proto != SIPHOST_PROTO_UDP ? via_connection(*upstream) : 0;
    dest.socket = to_handle(socket_for(*endpoint.endpoint, proto));
    // In the core onreply_route set_forward_*() stand for set_reply_*(), as in Kamailio.
    dest.flags = msg.forward_send_flags | msg.reply_send_flags;
    return send_request(msg, dest, std::string_view(send_buffer.data(), written.size)) == 0;
}

int runtime::run_route(int route_id, siphost_msg& msg) const {
    if (interpreter_ == nullptr)
        return SIPHOST_ROUTE_NOT_FOUND;
    uint32_t type = interpreter_->route_type_of(route_id);
    if (type == 0)
        return SIPHOST_ROUTE_NOT_FOUND;
    uint32_t outer = msg.route_type;
    msg.route_type = type;
    const auto& log_prefix = interpreter_->script().log_prefix();
    int result;
    if (log_prefix.pieces.empty()) {
        result = interpreter_->run_route(route_id, &msg);
    } else {
        // As Kamailio sets it for every route it runs: the prefix comes from the route's message, so a
        // failure_route that a reply (on a worker) or a timer runs logs with the request's, as branch_route
        // does, and onreply_route with the reply's. The received message's prefix comes back afterwards.
        std::string outer_prefix(core::current_message_prefix());
        std::string prefix;
        interpreter_->render(log_prefix, &msg, prefix);
        core::set_message_prefix(prefix);
        result = interpreter_->run_route(route_id, &msg);
        core::set_message_prefix(outer_prefix);
    }
    msg.route_type = outer;
    return result;
}

const net::listening_socket* runtime::socket_for(const net::udp_endpoint& to, uint8_t proto) const {
    if (proto == SIPHOST_PROTO_TCP || proto == SIPHOST_PROTO_TLS || proto == SIPHOST_PROTO_WS ||
        proto == SIPHOST_PROTO_WSS)
        return tcp_ != nullptr ? tcp_->socket_for(to, proto) : nullptr;
    if (transport_ == nullptr)
        return nullptr;
    for (const auto& listen : transport_->listens())
        if (listen->endpoint.address().is_v6() == to.address().is_v6())
            return listen.get();
    return nullptr;
}

const net::listening_socket* runtime::find_socket(int proto, std::string_view address_text, uint16_t port) const {
    if (address_text.size() >= 2 && address_text.front() == '[' && address_text.back() == ']')
        address_text = address_text.substr(1, address_text.size() - 2);
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(address_text), ec);
    if (ec)
        return nullptr;
    for (const auto* listens : {transport_ != nullptr ? &transport_->listens() : nullptr,
                                tcp_ != nullptr ? &tcp_->listens() : nullptr}) {
        if (listens == nullptr)
            continue;
        for (const auto& listen : *listens) {
            if ((proto != 0 && proto != listen->proto) || (port != 0 && port != listen->port))
                continue;
            const auto& bound = listen->endpoint.address();
            if (address == bound)
                return listen.get();
            // A wildcard listen receives on and sends from every interface of its family.
            if (bound.is_unspecified() && bound.is_v6() == address.is_v6()) {
                const auto& local = net::interface_addresses();
                if (std::find(local.begin(), local.end(), address) != local.end())
                    return listen.get();
            }
        }
    }
    return nullptr;
}

bool runtime::is_myself(std::string_view host, uint16_t port) const {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    // A listen address (a wildcard one receives on every interface of its family), on any transport.
    if (find_socket(0, host, port) != nullptr)
        return true;
    for (const auto& alias : aliases_) {
        // alias=host[:port]
        auto colon = alias.rfind(':');
        bool has_port = colon != std::string::npos && alias.find(']') < colon;
        has_port = has_port || (colon != std::string::npos && alias.find(':') == colon);
        std::string_view alias_host =
            has_port ? std::string_view(alias).substr(0, colon) : std::string_view(alias);
        if (alias_host.size() >= 2 && alias_host.front() == '[')
            alias_host = alias_host.substr(1, alias_host.size() - 2);
        if (alias_host.size() != host.size() ||
            !std::equal(host.begin(), host.end(), alias_host.begin(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
            continue;
        if (!has_port || port == 0 || std::to_string(port) == alias.substr(colon + 1))
            return true;
    }
    return false;
}

int runtime::send(const siphost_dest& dst, std::string_view bytes) {
    if (dst.proto == SIPHOST_PROTO_TCP || dst.proto == SIPHOST_PROTO_TLS || dst.proto == SIPHOST_PROTO_WS ||
        dst.proto == SIPHOST_PROTO_WSS) {
        const std::string name(via_transport(dst.proto));
        if (tcp_ == nullptr) {
            core::log_host(SIPHOST_LOG_ERR, "core",
                           "cannot send over " + name + ": no TCP or TLS listen address (disable_tcp?)");
            return -1;
        }
        auto to = dst.family != 0 ? net::to_endpoint(dst) : net::udp_endpoint();
        if (tcp_->send(dst.conn_id, to, bytes, (dst.flags & SIPHOST_DEST_NO_CONNECT) != 0, dst.proto,
                       (dst.flags & SIPHOST_DEST_CLOSE) != 0))
            return 0;
        core::log_host(
            SIPHOST_LOG_ERR, "core",
            "cannot send over " + name +
                ((dst.flags & SIPHOST_DEST_NO_CONNECT) != 0 ? " (no open connection, no_connect)" : "") +
                " to " +
                (dst.family != 0 ? net::address_text(to) + ":" + std::to_string(to.port())
                                 : "connection " + std::to_string(dst.conn_id)));
        return -1;
    }
    if (transport_ == nullptr)
        return -1;
    if (dst.proto != SIPHOST_PROTO_UDP && dst.proto != SIPHOST_PROTO_NONE) {
        core::log_host(SIPHOST_LOG_ERR, "core", "cannot send: this transport is not served");
        return -1;
    }
    const net::listening_socket* from = from_handle(dst.socket);
    if (from != nullptr && from->proto != SIPHOST_PROTO_UDP)
        from = nullptr; // a TCP socket given for a UDP destination: send from one of UDP's
    return transport_->send(from, net::to_endpoint(dst), bytes) ? 0 : -1;
}

int runtime::send_request(siphost_msg& msg, const siphost_dest& dst, std::string_view bytes) {
    // Replies pass onsend_route only with onsend_route_reply=yes, as in Kamailio.
    if (interpreter_ != nullptr && interpreter_->has_onsend_route() &&
        (msg.sip.is_request() || interpreter_->script().params().onsend_route_reply)) {
        // Kamailio's send information: where it goes, the local socket it leaves from, the bytes.
        script::send_info info;
        info.proto = dst.proto == SIPHOST_PROTO_NONE ? static_cast<uint8_t>(SIPHOST_PROTO_UDP) : dst.proto;
        if (dst.family != 0) {
            auto to = net::to_endpoint(dst);
            info.to_address = to.address().to_string();
            info.to_port = to.port();
            info.to_v6 = to.address().is_v6();
        }
        const net::listening_socket* from = from_handle(dst.socket);
        if (from == nullptr && dst.family != 0)
            from = socket_for(net::to_endpoint(dst), info.proto);
        if (from != nullptr) {
            info.from_address = from->endpoint.address().to_string();
            info.from_port = from->port;
            info.from_v6 = from->endpoint.address().is_v6();
        }
        info.buffer = bytes;
        script::sending_scope sending(info);
        if (run_route(interpreter_->route_lookup(SIPHOST_ROUTE_ONSEND, ""), msg) == SIPHOST_ROUTE_DROPPED)
            return SIPHOST_SEND_DROPPED;
    }
    return send(dst, bytes);
}

int runtime::resolve(std::string_view uri_or_host, uint16_t port, siphost_dest& out) const {
    std::string_view host = uri_or_host;
    // A socket given by the caller (force_send_socket) names the protocol when nothing else does.
    const auto* chosen = from_handle(out.socket);
    uint8_t proto = out.proto != SIPHOST_PROTO_NONE ? out.proto
                    : chosen != nullptr           ? chosen->proto
                                                  : static_cast<uint8_t>(SIPHOST_PROTO_UDP);
    sip::uri parsed;
    if (uri_or_host.find(':') != std::string_view::npos && parsed.parse(uri_or_host) &&
        (parsed.scheme() == sip::uri_scheme::sip || parsed.scheme() == sip::uri_scheme::sips)) {
        host = parsed.host_address();
        if (parsed.scheme() == sip::uri_scheme::sips)
            proto = SIPHOST_PROTO_TLS;
        if (auto transport = parsed.param("transport"); transport && !transport->empty()) {
            std::string name(*transport);
            for (auto& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            proto = name == "tcp"    ? SIPHOST_PROTO_TCP
                    : name == "tls"  ? SIPHOST_PROTO_TLS
                    : name == "sctp" ? SIPHOST_PROTO_SCTP
                    : name == "ws"   ? SIPHOST_PROTO_WS
                    : name == "wss"  ? SIPHOST_PROTO_WSS
                                     : SIPHOST_PROTO_UDP;
        }
        if (port == 0)
            port =
                parsed.port() != 0 ? parsed.port() : (parsed.scheme() == sip::uri_scheme::sips ? 5061 : 5060);
    }
    if (port == 0)
        port = proto == SIPHOST_PROTO_TLS || proto == SIPHOST_PROTO_WSS ? 5061 : 5060;
    auto result = net::resolve_host(host, port);
    if (!result.endpoint) {
        core::log_host(SIPHOST_LOG_ERR, "core", result.error);
        return -1;
    }
    net::set_address(out, *result.endpoint);
    out.proto = proto;
    out.conn_id = 0;
    // A given socket of another protocol or address family cannot carry it (Kamailio ignores such a forced
    // socket too): the host chooses.
    if (chosen == nullptr || chosen->proto != proto ||
        chosen->endpoint.address().is_v6() != result.endpoint->address().is_v6())
        out.socket = to_handle(socket_for(*result.endpoint, proto));
    if (out.socket == nullptr) {
        core::log_host(SIPHOST_LOG_ERR, "core",
                       "no " + std::string(via_transport(proto)) + " listen address to send to " +
                           std::string(host));
        return -1;
    }
    return 0;
}

int runtime::next_hop(const siphost_msg& msg, std::string_view& hop) const {
    if (!msg.sip.is_request())
        return -1;
    if (!msg.dst_uri.empty()) {
        hop = msg.dst_uri;
        return 0;
    }
    auto routes = msg.sip.routes();
    if (routes && !routes->empty() && routes->front().uri.params().find(";lr") != std::string_view::npos) {
        hop = routes->front().uri_text;
        return 0;
    }
    hop = msg.sip.current_request_uri();
    return hop.empty() ? -1 : 0;
}

int runtime::reply_destination(const siphost_msg& request, siphost_dest& out) const {
    auto to = sip::reply_destination(request.sip, request.source.port());
    if (!to)
        return -1;
    const sip::via* top = request.sip.via_at(0);
    net::udp_endpoint endpoint;
    if (request.proto != SIPHOST_PROTO_UDP && request.socket != nullptr) {
        endpoint = request.source; // RFC 3261 18.2.2: over the connection, else a new one to its source
    } else if (request.rport_forced && request.socket != nullptr) {
        endpoint = request.source; // force_rport(): back to where it came from, whatever the Via says
    } else if (request.socket != nullptr && top != nullptr && top->maddr.empty()) {
        // RFC 3261 18.2.2: a request from the network got the source address as `received` when its sent-by
        // said otherwise (note_received_and_rport), so the reply goes to that address, never to a resolved
        // sent-by name (which may not resolve at all); the port is rport's (RFC 3581), else the sent-by's.
        uint16_t port = top->has_rport ? (top->rport != 0 ? top->rport : request.source.port()) : to->port;
        endpoint = net::udp_endpoint(request.source.address(), port);
    } else {
        auto resolved = net::resolve_host(to->host, to->port);
        if (!resolved.endpoint)
            return -1;
        endpoint = *resolved.endpoint;
    }
    net::set_address(out, endpoint);
    out.proto = request.proto;
    out.conn_id = request.conn_id;
    out.flags = request.reply_send_flags; // set_reply_no_connect(), set_reply_close()
    out.socket = to_handle(request.socket != nullptr ? request.socket : socket_for(endpoint, request.proto));
    return 0;
}

int runtime::send_stateless_reply(siphost_msg& request, int code, std::string_view reason,
                                  std::string_view to_tag, std::string_view extra_headers) {
    if (!request.sip.is_request() || request.sip.method_id() == sip::method_kind::ack)
        return -1;
    std::string storage;
    auto written = sip::write_local_reply(
        request.sip, {code, reason, to_tag, request.local_reply_headers(extra_headers, storage), {}},
        std::span<char>(send_buffer));
    if (!written.ok())
        return -1;
    siphost_dest to{};
    to.struct_size = sizeof to;
    if (reply_destination(request, to) != 0)
        return -1;
    return send(to, std::string_view(send_buffer.data(), written.size));
}

int runtime::forward(siphost_msg* msg, std::string_view host, uint16_t port, int proto) {
    if (msg == nullptr || !msg->sip.is_request() || transport_ == nullptr)
        return -1;
    if (proto != 0 && proto != SIPHOST_PROTO_UDP && proto != SIPHOST_PROTO_TCP &&
        proto != SIPHOST_PROTO_TLS && proto != SIPHOST_PROTO_WS && proto != SIPHOST_PROTO_WSS) {
        core::log_host(SIPHOST_LOG_ERR, "core", "forward: only UDP, TCP, TLS, WS and WSS are served");
        return -1;
    }
    std::string_view target = host;
    if (target.empty() && next_hop(*msg, target) != 0) {
        core::log_host(SIPHOST_LOG_ERR, "core", "forward: the request has no next hop");
        return -1;
    }
    siphost_dest to{};
    to.struct_size = sizeof to;
    to.proto = static_cast<uint8_t>(proto);
    to.socket = to_handle(msg->send_socket); // kept by resolve when the protocols agree
    if (resolve(target, port, to) != 0 || to.socket == nullptr)
        return -1;
    to.flags = msg->forward_send_flags; // set_forward_no_connect(), set_forward_close()
    const net::listening_socket* from = from_handle(to.socket);
    auto branch = stateless_branch(msg->sip);
    note_connection(*msg);
    auto written = write_request_from(*msg, *from, branch, std::span<char>(send_buffer));
    if (!written.ok()) {
        core::log_host(SIPHOST_LOG_ERR, "core",
                       "forward: cannot build the request to relay (" +
                           std::string(write_failure(written.status)) + ")");
        return -1;
    }
    int sent = send_request(*msg, to, std::string_view(send_buffer.data(), written.size));
    return sent == SIPHOST_SEND_DROPPED ? 0 : sent == 0 ? 1 : -1;
}

int runtime::force_rport(siphost_msg* msg) {
    if (msg == nullptr || !msg->sip.is_request())
        return -1;
    msg->rport_forced = true;
    return 1;
}

std::string stateless_branch(const sip::message& request) {
    uint64_t hash = 14695981039346656037ull;
    const sip::via* top = request.via_at(0);
    if (top != nullptr && top->branch.starts_with("z9hG4bK")) {
        hash = fnv1a(hash, top->branch);
        hash = fnv1a(hash, top->host);
        hash = fnv1a(hash, std::string_view(reinterpret_cast<const char*>(&top->port), sizeof top->port));
    } else {
        // RFC 2543 peers: the fields that identify the transaction (the method is left out so that a CANCEL
        // or the ACK of a negative reply gets the INVITE's branch).
        hash = fnv1a(hash, request.call_id());
        uint32_t cseq = request.cseq().number;
        hash = fnv1a(hash, std::string_view(reinterpret_cast<const char*>(&cseq), sizeof cseq));
        hash = fnv1a(hash, request.from().tag);
        hash = fnv1a(hash, request.request_uri());
        if (top != nullptr)
            hash = fnv1a(hash, top->value);
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string branch = "z9hG4bKsph";
    for (int shift = 60; shift >= 0; shift -= 4)
        branch += hex[(hash >> shift) & 0xf];
    return branch;
}

} // namespace siphost::flow
