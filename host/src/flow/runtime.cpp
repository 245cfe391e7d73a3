#include "flow/runtime.hpp"

#include "core/log.hpp"
#include "net/resolver.hpp"
#include "net/socket_address.hpp"
#include "plugin/host_services.hpp"
#include "sip/reply_destination.hpp"
#include "sip/serializer.hpp"
#include "sip/uri.hpp"

#include <array>
#include <cstring>
#include <span>

namespace siphost::flow {
namespace {

runtime* active = nullptr; ///< the process's runtime, for the host table's C functions

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

int copy_out(const sip::write_result& r, size_t* len) {
    *len = r.size;
    return r.ok() ? 0 : -1;
}

// ---- the host table's C functions that need the runtime ----

int c_resolve(siphost_str uri_or_host, uint16_t port, siphost_addr* out, siphost_socket** from) {
    const net::listening_socket* socket = nullptr;
    if (active == nullptr || out == nullptr || active->resolve(view(uri_or_host), port, *out, &socket) != 0)
        return -1;
    if (from != nullptr)
        *from = to_handle(socket);
    return 0;
}

int c_next_hop(const siphost_msg* msg, siphost_str* hop) {
    std::string_view text;
    if (active == nullptr || active->next_hop(*msg, text) != 0)
        return -1;
    *hop = to_str(text);
    return 0;
}

int c_build_request(const siphost_msg* msg, const siphost_socket* from, siphost_str branch, char* buf, size_t cap,
                    size_t* len) {
    const auto* socket = from_handle(from);
    if (socket == nullptr || !msg->sip.is_request())
        return -1;
    sip::via_spec via{"UDP", socket->host, socket->port, view(branch), {}};
    return copy_out(sip::write_forwarded_request(msg->sip, via, std::span<char>(buf, cap)), len);
}

int c_build_relayed_reply(const siphost_msg* reply, char* buf, size_t cap, size_t* len) {
    return copy_out(sip::write_relayed_reply(reply->sip, std::span<char>(buf, cap)), len);
}

int c_build_reply(const siphost_msg* request, int code, siphost_str reason, siphost_str to_tag,
                  siphost_str extra_headers, siphost_str body, char* buf, size_t cap, size_t* len) {
    sip::local_reply reply{code, view(reason), view(to_tag), view(extra_headers), view(body)};
    return copy_out(sip::write_local_reply(request->sip, reply, std::span<char>(buf, cap)), len);
}

int c_reply_destination(const siphost_msg* request, siphost_addr* out, siphost_socket** from) {
    const net::listening_socket* socket = nullptr;
    if (active == nullptr || out == nullptr || active->reply_destination(*request, *out, &socket) != 0)
        return -1;
    if (from != nullptr)
        *from = to_handle(socket);
    return 0;
}

int c_send(siphost_socket* from, const siphost_addr* dst, siphost_str bytes) {
    if (active == nullptr || dst == nullptr)
        return -1;
    return active->send(from_handle(from), *dst, view(bytes));
}

int c_send_stateless_reply(siphost_msg* request, int code, siphost_str reason, siphost_str to_tag,
                           siphost_str extra_headers) {
    if (active == nullptr || request == nullptr)
        return -1;
    return active->send_stateless_reply(*request, code, view(reason), view(to_tag), view(extra_headers));
}

int c_socket_address(const siphost_socket* sock, siphost_str* host, uint16_t* port, uint8_t* proto) {
    const auto* socket = from_handle(sock);
    if (socket == nullptr)
        return -1;
    if (host != nullptr)
        *host = to_str(socket->host);
    if (port != nullptr)
        *port = socket->port;
    if (proto != nullptr)
        *proto = SIPHOST_PROTO_UDP;
    return 0;
}

int c_is_myself(siphost_str host, uint16_t port) {
    return active != nullptr && active->is_myself(view(host), port) ? 1 : 0;
}

int c_route_lookup(uint32_t route_type, siphost_str name) {
    if (active == nullptr || active->interpreter() == nullptr)
        return -1;
    return active->interpreter()->route_lookup(route_type, view(name));
}

int c_route_run(int route_id, siphost_msg* msg) {
    if (active == nullptr || active->interpreter() == nullptr || msg == nullptr)
        return SIPHOST_ROUTE_EXITED;
    const script::interpreter& interpreter = *active->interpreter();
    const auto& log_prefix = interpreter.script().log_prefix();
    if (log_prefix.pieces.empty() || core::has_message_prefix())
        return interpreter.run_route(route_id, msg); // a worker: the received message's prefix stands
    // A timer (tm's fr_timer firing failure_route): no message was received, so the route's message gives
    // the prefix, as it would have on a worker.
    thread_local std::string prefix;
    prefix.clear();
    interpreter.render(log_prefix, msg, prefix);
    core::set_message_prefix(prefix);
    int rc = interpreter.run_route(route_id, msg);
    core::set_message_prefix({});
    return rc;
}

siphost_pv_spec* c_pv_parse(siphost_str text, char* err, size_t err_size) {
    std::string error = "the script is not loaded yet";
    if (active != nullptr && active->interpreter() != nullptr) {
        auto spec = active->interpreter()->pv_parse(view(text), error);
        if (spec)
            return reinterpret_cast<siphost_pv_spec*>(spec.release()); // the module owns it until pv_free
    }
    if (err != nullptr && err_size > 0)
        std::snprintf(err, err_size, "%s", error.c_str());
    return nullptr;
}

int c_pv_get(const siphost_pv_spec* pv, siphost_msg* msg, siphost_value* out) {
    if (active == nullptr || active->interpreter() == nullptr || pv == nullptr || out == nullptr)
        return -1;
    return active->interpreter()->pv_get(*reinterpret_cast<const script::pv_spec*>(pv), msg, out);
}

int c_pv_set(const siphost_pv_spec* pv, siphost_msg* msg, const siphost_value* value) {
    if (active == nullptr || active->interpreter() == nullptr || pv == nullptr || value == nullptr)
        return -1;
    return active->interpreter()->pv_set(*reinterpret_cast<const script::pv_spec*>(pv), msg, *value);
}

void c_pv_free(siphost_pv_spec* pv) { std::unique_ptr<script::pv_spec> owned(reinterpret_cast<script::pv_spec*>(pv)); }

int c_register_request_hook(int when, siphost_message_hook_fn fn, void* data) {
    return active == nullptr ? -1 : active->register_hook(true, when, fn, data);
}

int c_register_reply_hook(int when, siphost_message_hook_fn fn, void* data) {
    return active == nullptr ? -1 : active->register_hook(false, when, fn, data);
}

} // namespace

runtime::runtime() {
    active = this;
    plugin::host_services::instance().fill(host_);
    fill_message_functions(host_);
    host_.resolve = c_resolve;
    host_.msg_next_hop = c_next_hop;
    host_.build_request = c_build_request;
    host_.build_relayed_reply = c_build_relayed_reply;
    host_.build_reply = c_build_reply;
    host_.reply_destination = c_reply_destination;
    host_.send = c_send;
    host_.send_stateless_reply = c_send_stateless_reply;
    host_.socket_address = c_socket_address;
    host_.is_myself = c_is_myself;
    host_.route_lookup = c_route_lookup;
    host_.route_run = c_route_run;
    host_.pv_parse = c_pv_parse;
    host_.pv_get = c_pv_get;
    host_.pv_set = c_pv_set;
    host_.pv_free = c_pv_free;
    host_.register_request_hook = c_register_request_hook;
    host_.register_reply_hook = c_register_reply_hook;
}

runtime::~runtime() {
    if (active == this)
        active = nullptr;
}

void runtime::attach(net::udp_transport* transport, const script::interpreter* interpreter,
                     std::vector<std::string> aliases) {
    transport_ = transport;
    interpreter_ = interpreter;
    aliases_ = std::move(aliases);
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
    siphost_msg& msg = received;
    msg.reset();
    msg.source = datagram.source;
    msg.socket = datagram.socket;
    auto status = msg.sip.parse(datagram.bytes);
    if (!status.ok()) {
        refuse(msg);
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
    if (msg.sip.is_request())
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
    // The Via may be what is broken: answer to where the datagram came from.
    transport_->send(msg.socket, msg.source, std::string_view(send_buffer.data(), written.size));
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
        for (size_t at = params.find("rport"); at != std::string_view::npos; at = params.find("rport", at + 1)) {
            bool starts = at > 0 && params[at - 1] == ';';
            size_t end = at + 5;
            bool ends = end == params.size() || params[end] == ';' || params[end] == ' ' || params[end] == '\t';
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

void runtime::handle_request(siphost_msg& msg) {
    note_received_and_rport(msg);
    if (run_hooks(request_pre_, msg))
        return;
    if (interpreter_ != nullptr)
        interpreter_->run_request_route(&msg);
    run_hooks(request_post_, msg);
}

void runtime::handle_reply(siphost_msg& msg) {
    if (run_hooks(reply_pre_, msg))
        return;
    if (interpreter_ != nullptr && interpreter_->run_core_onreply(&msg) == SIPHOST_ROUTE_DROPPED)
        return;
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
                       "dropped a reply addressed to " + std::string(to->host) + ", a broadcast or multicast address");
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
    return transport_->send(socket_for(*endpoint.endpoint), *endpoint.endpoint,
                            std::string_view(send_buffer.data(), written.size));
}

const net::listening_socket* runtime::socket_for(const net::udp_endpoint& to) const {
    if (transport_ == nullptr)
        return nullptr;
    for (const auto& listen : transport_->listens())
        if (listen->endpoint.address().is_v6() == to.address().is_v6())
            return listen.get();
    return nullptr;
}

bool runtime::is_myself(std::string_view host, uint16_t port) const {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(host), ec);
    if (transport_ != nullptr) {
        for (const auto& listen : transport_->listens()) {
            bool same_host = ec ? false : address == listen->endpoint.address();
            if (same_host && (port == 0 || port == listen->port))
                return true;
        }
    }
    for (const auto& alias : aliases_) {
        // alias=host[:port]
        auto colon = alias.rfind(':');
        bool has_port = colon != std::string::npos && alias.find(']') < colon;
        has_port = has_port || (colon != std::string::npos && alias.find(':') == colon);
        std::string_view alias_host = has_port ? std::string_view(alias).substr(0, colon) : std::string_view(alias);
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

int runtime::send(const net::listening_socket* from, const siphost_addr& to, std::string_view bytes) {
    if (transport_ == nullptr)
        return -1;
    return transport_->send(from, net::to_endpoint(to), bytes) ? 0 : -1;
}

int runtime::resolve(std::string_view uri_or_host, uint16_t port, siphost_addr& out,
                     const net::listening_socket** from) const {
    std::string_view host = uri_or_host;
    sip::uri parsed;
    if (uri_or_host.find(':') != std::string_view::npos && parsed.parse(uri_or_host) &&
        (parsed.scheme() == sip::uri_scheme::sip || parsed.scheme() == sip::uri_scheme::sips)) {
        host = parsed.host_address();
        if (port == 0)
            port = parsed.port() != 0 ? parsed.port() : (parsed.scheme() == sip::uri_scheme::sips ? 5061 : 5060);
    }
    if (port == 0)
        port = 5060;
    auto result = net::resolve_host(host, port);
    if (!result.endpoint) {
        core::log_host(SIPHOST_LOG_ERR, "core", result.error);
        return -1;
    }
    out = net::to_siphost_addr(*result.endpoint);
    if (from != nullptr)
        *from = socket_for(*result.endpoint);
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

int runtime::reply_destination(const siphost_msg& request, siphost_addr& out,
                               const net::listening_socket** from) const {
    auto to = sip::reply_destination(request.sip, request.source.port());
    if (!to)
        return -1;
    net::udp_endpoint endpoint;
    if (request.rport_forced && request.socket != nullptr) {
        endpoint = request.source; // force_rport(): back to where it came from, whatever the Via says
    } else {
        auto resolved = net::resolve_host(to->host, to->port);
        if (!resolved.endpoint)
            return -1;
        endpoint = *resolved.endpoint;
    }
    out = net::to_siphost_addr(endpoint);
    if (from != nullptr)
        *from = request.socket != nullptr ? request.socket : socket_for(endpoint);
    return 0;
}

int runtime::send_stateless_reply(siphost_msg& request, int code, std::string_view reason, std::string_view to_tag,
                                  std::string_view extra_headers) {
    if (!request.sip.is_request() || request.sip.method_id() == sip::method_kind::ack)
        return -1;
    auto written = sip::write_local_reply(request.sip, {code, reason, to_tag, extra_headers, {}},
                                          std::span<char>(send_buffer));
    if (!written.ok())
        return -1;
    siphost_addr to{};
    const net::listening_socket* from = nullptr;
    if (reply_destination(request, to, &from) != 0)
        return -1;
    return send(from, to, std::string_view(send_buffer.data(), written.size));
}

int runtime::forward(siphost_msg* msg, std::string_view host, uint16_t port, int proto) {
    if (msg == nullptr || !msg->sip.is_request() || transport_ == nullptr)
        return -1;
    if (proto != 0 && proto != SIPHOST_PROTO_UDP) {
        core::log_host(SIPHOST_LOG_ERR, "core", "forward: only UDP is supported");
        return -1;
    }
    std::string_view target = host;
    if (target.empty() && next_hop(*msg, target) != 0) {
        core::log_host(SIPHOST_LOG_ERR, "core", "forward: the request has no next hop");
        return -1;
    }
    siphost_addr to{};
    const net::listening_socket* from = nullptr;
    if (resolve(target, port, to, &from) != 0 || from == nullptr)
        return -1;
    auto branch = stateless_branch(msg->sip);
    sip::via_spec via{"UDP", from->host, from->port, branch, {}};
    auto written = sip::write_forwarded_request(msg->sip, via, std::span<char>(send_buffer));
    if (!written.ok()) {
        core::log_host(SIPHOST_LOG_ERR, "core",
                       "forward: cannot build the request to relay (" + std::string(write_failure(written.status)) + ")");
        return -1;
    }
    return send(from, to, std::string_view(send_buffer.data(), written.size)) == 0 ? 1 : -1;
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
