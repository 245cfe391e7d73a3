#include "net/ws_bridge.hpp"

#include "net/socket_address.hpp"
#include "net/tcp_transport.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
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

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

siphost_ws_conn_info info_of(const tcp_connection& connection, int64_t now) {
    siphost_ws_conn_info info{};
    info.struct_size = sizeof info;
    info.conn_id = connection.id();
    info.proto = connection.proto();
    info.remote.struct_size = sizeof info.remote;
    set_address(info.remote, connection.remote());
    info.remote.proto = info.proto;
    info.remote.conn_id = info.conn_id;
    info.local.struct_size = sizeof info.local;
    if (const auto* local = connection.local()) {
        set_address(info.local, local->endpoint);
        info.local.proto = local->proto;
        // The ABI's socket handle is the listening socket (message_context.hpp's to_handle).
        info.local.socket = reinterpret_cast<siphost_socket*>(const_cast<listening_socket*>(local));
        info.remote.socket = info.local.socket;
    }
    info.idle_ms = static_cast<uint64_t>(std::max<int64_t>(0, now - connection.ws_last_frame_ms()));
    info.age_ms = static_cast<uint64_t>(std::max<int64_t>(0, now - connection.ws_since_ms()));
    return info;
}

void for_each(int (*fn)(const siphost_ws_conn_info* info, void* arg), void* arg) {
    auto* tcp = transport.load(std::memory_order_acquire);
    if (tcp == nullptr || fn == nullptr)
        return;
    int64_t now = now_ms();
    for (const auto& connection : tcp->connections()) {
        if (!connection->websocket())
            continue;
        siphost_ws_conn_info info = info_of(*connection, now);
        if (fn(&info, arg) != 0)
            return;
    }
}

/// The module's on_close function; read on every close of a WebSocket connection, set rarely.
struct close_listener {
    void (*fn)(const siphost_ws_conn_info*, void*) = nullptr;
    void* arg = nullptr;
};
std::mutex listener_mutex;
close_listener listener;

int on_close(void (*fn)(const siphost_ws_conn_info* info, void* arg), void* arg) {
    std::lock_guard lock(listener_mutex);
    listener = close_listener{fn, fn != nullptr ? arg : nullptr};
    return 0;
}

const siphost_ws_host_v1 bridge_table = {
    sizeof(siphost_ws_host_v1), upgrade, refuse, close, ping, for_each, on_close};

} // namespace

void ws_bridge::closed(const tcp_connection& connection) {
    close_listener current;
    {
        std::lock_guard lock(listener_mutex);
        current = listener;
    }
    if (current.fn == nullptr)
        return;
    siphost_ws_conn_info info = info_of(connection, now_ms());
    current.fn(&info, current.arg);
}

const siphost_ws_host_v1* ws_bridge::table() {
    return &bridge_table;
}

void ws_bridge::attach(tcp_transport* tcp) {
    transport.store(tcp, std::memory_order_release);
    if (tcp == nullptr)
        on_close(nullptr, nullptr); // the modules that listened go away after the transport
}

} // namespace siphost::net
