#include "net/ws_bridge.hpp"

#include "net/socket_address.hpp"
#include "net/tcp_transport.hpp"

#include <atomic>
#include <chrono>
#include <string>

namespace siphost::net {
namespace {

std::atomic<tcp_transport*> transport{nullptr};

std::shared_ptr<tcp_connection> find_ws(uint64_t conn_id) {
    auto* tcp = transport.load(std::memory_order_acquire);
    if (tcp == nullptr)
        return nullptr;
    auto connection = tcp->find(conn_id);
    return connection && connection->websocket() ? connection : nullptr;
}

std::string text(siphost_str s) {
    return s.s != nullptr ? std::string(s.s, s.len) : std::string();
}

int upgrade(uint64_t conn_id, siphost_str reply) {
    auto* tcp = transport.load(std::memory_order_acquire);
    if (tcp == nullptr)
        return -1;
    auto connection = tcp->find(conn_id);
    if (!connection || connection->websocket())
        return -1;
    return connection->upgrade(text(reply), tcp->ws_twin(connection->local())) ? 0 : -1;
}

int refuse(uint64_t conn_id, siphost_str reply) {
    auto* tcp = transport.load(std::memory_order_acquire);
    auto connection = tcp != nullptr ? tcp->find(conn_id) : nullptr;
    return connection && !connection->websocket() && connection->send_and_close(text(reply)) ? 0 : -1;
}

int close(uint64_t conn_id, uint16_t code, siphost_str reason) {
    auto connection = find_ws(conn_id);
    return connection && connection->ws_close(code, text(reason)) ? 0 : -1;
}

int ping(uint64_t conn_id, int pong, siphost_str data) {
    auto connection = find_ws(conn_id);
    return connection &&
                   connection->ws_control(pong != 0 ? ws_framer::op_pong : ws_framer::op_ping, text(data))
               ? 0
               : -1;
}

void for_each(int (*fn)(const siphost_ws_conn_info* info, void* arg), void* arg) {
    auto* tcp = transport.load(std::memory_order_acquire);
    if (tcp == nullptr || fn == nullptr)
        return;
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    for (const auto& connection : tcp->connections()) {
        if (!connection->websocket())
            continue;
        siphost_ws_conn_info info{};
        info.struct_size = sizeof info;
        info.conn_id = connection->id();
        info.proto = connection->proto();
        info.remote.struct_size = sizeof info.remote;
        set_address(info.remote, connection->remote());
        info.remote.proto = info.proto;
        info.remote.conn_id = info.conn_id;
        info.local.struct_size = sizeof info.local;
        if (const auto* local = connection->local()) {
            set_address(info.local, local->endpoint);
            info.local.proto = local->proto;
        }
        info.idle_ms = static_cast<uint64_t>(std::max<int64_t>(0, now - connection->ws_last_frame_ms()));
        info.age_ms = static_cast<uint64_t>(std::max<int64_t>(0, now - connection->ws_since_ms()));
        if (fn(&info, arg) != 0)
            return;
    }
}

const siphost_ws_host_v1 bridge_table = {sizeof(siphost_ws_host_v1), upgrade, refuse, close, ping, for_each};

} // namespace

const siphost_ws_host_v1* ws_bridge::table() {
    return &bridge_table;
}

void ws_bridge::attach(tcp_transport* tcp) {
    transport.store(tcp, std::memory_order_release);
}

} // namespace siphost::net
