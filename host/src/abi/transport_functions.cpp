// Building and sending messages, where replies go, the host's sockets: adapters over flow::runtime and the
// SIP serializer.
#include "abi/host_table.hpp"
#include "cfg/global_params.hpp"
#include "flow/runtime.hpp"
#include "flow/send_lines.hpp"
#include "message/message_context.hpp"
#include "net/socket_address.hpp"
#include "net/tcp_transport.hpp"
#include "sip/serializer.hpp"

#include <chrono>
#include <span>

namespace siphost::abi {
namespace {

using flow::from_handle;
using flow::to_str;
using flow::view;

bool dest_ok(const siphost_dest* d) {
    return d != nullptr && d->struct_size >= sizeof(siphost_dest);
}

int copy_out(const sip::write_result& r, size_t* len) {
    *len = r.size;
    return r.ok() ? 0 : -1;
}

int resolve(siphost_str uri_or_host, uint16_t port, siphost_dest* out) {
    auto* runtime = parts().runtime;
    if (runtime == nullptr || !dest_ok(out))
        return -1;
    return runtime->resolve(view(uri_or_host), port, *out);
}

int next_hop(const siphost_msg* msg, siphost_str* hop) {
    std::string_view text;
    auto* runtime = parts().runtime;
    if (runtime == nullptr || msg == nullptr || hop == nullptr || runtime->next_hop(*msg, text) != 0)
        return -1;
    *hop = to_str(text);
    return 0;
}

int build_request(const siphost_msg* msg, const siphost_socket* from, siphost_str branch, char* buf,
                  size_t cap, size_t* len) {
    const auto* socket = from_handle(from);
    if (socket == nullptr || msg == nullptr || !msg->sip.is_request())
        return -1;
    return copy_out(flow::write_request_from(*msg, *socket, view(branch), std::span<char>(buf, cap)), len);
}

int build_relayed_reply(const siphost_msg* reply, char* buf, size_t cap, size_t* len) {
    return copy_out(sip::write_relayed_reply(reply->sip, std::span<char>(buf, cap)), len);
}

int build_reply(const siphost_msg* request, int code, siphost_str reason, siphost_str to_tag,
                siphost_str extra_headers, siphost_str body, char* buf, size_t cap, size_t* len) {
    std::string storage;
    sip::local_reply reply{code, view(reason), view(to_tag),
                           request->local_reply_headers(view(extra_headers), storage), view(body)};
    return copy_out(sip::write_local_reply(request->sip, reply, std::span<char>(buf, cap)), len);
}

int reply_destination(const siphost_msg* request, siphost_dest* out) {
    auto* runtime = parts().runtime;
    if (runtime == nullptr || request == nullptr || !dest_ok(out))
        return -1;
    return runtime->reply_destination(*request, *out);
}

int send(const siphost_dest* dst, siphost_str bytes) {
    auto* runtime = parts().runtime;
    if (runtime == nullptr || !dest_ok(dst))
        return -1;
    return runtime->send(*dst, view(bytes));
}

int send_request(siphost_msg* msg, const siphost_dest* dst, siphost_str bytes) {
    auto* runtime = parts().runtime;
    if (runtime == nullptr || msg == nullptr || !dest_ok(dst))
        return -1;
    return runtime->send_request(*msg, *dst, view(bytes));
}

int send_stateless_reply(siphost_msg* request, int code, siphost_str reason, siphost_str to_tag,
                         siphost_str extra_headers) {
    auto* runtime = parts().runtime;
    if (runtime == nullptr || request == nullptr)
        return -1;
    return runtime->send_stateless_reply(*request, code, view(reason), view(to_tag), view(extra_headers));
}

int socket_info(const siphost_socket* sock, siphost_socket_info* out) {
    const auto* socket = from_handle(sock);
    if (socket == nullptr || out == nullptr || out->struct_size < sizeof(siphost_socket_info))
        return -1;
    out->host = to_str(socket->host);
    out->port = socket->port;
    out->proto = socket->proto;
    out->family = socket->endpoint.address().is_v6() ? 6 : 4;
    out->index = static_cast<uint32_t>(socket->index);
    out->name = to_str(socket->name);
    return 0;
}

int is_myself(siphost_str host, uint16_t port) {
    auto* runtime = parts().runtime;
    return runtime != nullptr && runtime->is_myself(view(host), port) ? 1 : 0;
}

// [1.5] connections by id, for tcpops: the open connection or null.
std::shared_ptr<net::tcp_connection> open_connection(uint64_t conn_id) {
    auto* runtime = parts().runtime;
    auto* tcp = runtime != nullptr ? runtime->tcp() : nullptr;
    return tcp != nullptr && conn_id != 0 ? tcp->find(conn_id) : nullptr;
}

int conn_state(uint64_t conn_id) {
    auto connection = open_connection(conn_id);
    if (connection == nullptr)
        return SIPHOST_CONN_NONE;
    return connection->connecting() ? SIPHOST_CONN_CONNECTING : SIPHOST_CONN_OPEN;
}

int conn_find(const siphost_dest* to, uint64_t* conn_id) {
    auto* runtime = parts().runtime;
    auto* tcp = runtime != nullptr ? runtime->tcp() : nullptr;
    if (tcp == nullptr || !dest_ok(to) || conn_id == nullptr || (to->family != 4 && to->family != 6))
        return -1;
    uint64_t found = tcp->find_by_remote(net::to_endpoint(*to));
    if (found == 0)
        return -1;
    *conn_id = found;
    return 0;
}

int conn_set_lifetime(uint64_t conn_id, uint32_t seconds) {
    auto connection = open_connection(conn_id);
    return connection != nullptr && connection->set_lifetime(std::chrono::seconds(seconds)) ? 0 : -1;
}

int conn_set_keepalive(uint64_t conn_id, int enable, uint32_t idle, uint32_t count, uint32_t interval) {
    constexpr uint32_t most = 0x7fffffff; // setsockopt takes an int
    auto connection = open_connection(conn_id);
    if (connection == nullptr || idle > most || count > most || interval > most)
        return -1;
    return connection->set_keepalive(enable != 0, static_cast<int>(idle), static_cast<int>(count),
                                     static_cast<int>(interval))
               ? 0
               : -1;
}

int conn_close(uint64_t conn_id) {
    auto connection = open_connection(conn_id);
    if (connection == nullptr)
        return -1;
    connection->close("closed by the script");
    return 0;
}

siphost_socket* socket_find(siphost_str name) {
    auto* runtime = parts().runtime;
    cfg::listen_address wanted;
    std::string error;
    if (runtime == nullptr || name.len == 0 || !cfg::parse_listen(std::string(view(name)), wanted, error))
        return nullptr;
    int proto = wanted.proto.empty()    ? 0
                : wanted.proto == "udp" ? SIPHOST_PROTO_UDP
                : wanted.proto == "tcp" ? SIPHOST_PROTO_TCP
                : wanted.proto == "tls" ? SIPHOST_PROTO_TLS
                                        : -1;
    return proto < 0 ? nullptr : flow::to_handle(runtime->find_socket(proto, wanted.host, wanted.port));
}

} // namespace

void fill_transport_functions(siphost_host_api& api) {
    api.resolve = resolve;
    api.msg_next_hop = next_hop;
    api.build_request = build_request;
    api.build_relayed_reply = build_relayed_reply;
    api.build_reply = build_reply;
    api.reply_destination = reply_destination;
    api.send = send;
    api.send_stateless_reply = send_stateless_reply;
    api.socket_info = socket_info;
    api.is_myself = is_myself;
    api.conn_state = conn_state;                 // [1.5]
    api.conn_find = conn_find;                   // [1.5]
    api.conn_set_lifetime = conn_set_lifetime;   // [1.5]
    api.conn_set_keepalive = conn_set_keepalive; // [1.5]
    api.conn_close = conn_close;                 // [1.5]
    api.socket_find = socket_find;               // [1.6]
    api.send_request = send_request;             // [1.7]
}

} // namespace siphost::abi
