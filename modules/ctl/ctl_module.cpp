// ctl: serves the host's RPC commands to Kamailio's kamcmd over binrpc (Kamailio's ctl module: its name and
// parameters). The sockets are opened on the async thread when the server starts (not at siphost -c) and
// served there through watched descriptors; each request runs its command through the ABI 1.1 dispatch.
#include "binrpc.hpp"
#include "listener.hpp"

#include <siphost/module.hpp>

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace siphost::modules::ctl {
namespace {

namespace sdk = siphost::sdk;

constexpr const char* module_name = "ctl";
constexpr const char* default_socket = "unix:/run/kamailio/kamailio_ctl";
constexpr size_t max_connections = 64;
constexpr size_t read_chunk = 65536;

struct connection {
    int fd = -1;
    siphost_fd_watch* watch = nullptr;
    std::vector<uint8_t> input;
    const listener* from = nullptr;
};

/// Everything the module holds; touched on the main thread (params, init, destroy) and on the async thread
/// (serving), never both at once: destroy runs after the async thread stopped.
struct state {
    const siphost_host_api* host = nullptr;
    siphost_module_handle* self = nullptr;
    std::vector<listener> listeners;
    std::vector<siphost_fd_watch*> listener_watches;
    std::list<connection> connections;
    std::atomic<size_t> connection_count{0}; ///< for ctl.connections, which any transport's thread may run
    int32_t mode = 0600;
    int uid = -1;
    int gid = -1;
    int32_t max_body_kb = 32;
    int32_t max_struct_kb = 8;
    int32_t buffer_size = 1024; // accepted for Kamailio's configs; replies are not printed through a buffer
    int32_t autoconversion = 0;
};

state& the() {
    static state s;
    return s;
}

void log(int level, const std::string& text) {
    if (the().host != nullptr)
        the().host->log(the().self, level, sdk::str(text));
}

size_t max_body() {
    return static_cast<size_t>(the().max_body_kb) * 1024;
}

// ---- parameters ----

int set_binrpc(const char*, const siphost_value* value, char* err, size_t err_size) {
    listener l;
    std::string error;
    if (!listener::parse(sdk::arg_view(*value), l, error)) {
        sdk::write_error(err, err_size, error);
        return -1;
    }
    the().listeners.push_back(std::move(l));
    return 0;
}

/// user and group: a name or a number.
int set_owner(const char* name, const siphost_value* value, char* err, size_t err_size) {
    bool is_user = std::string_view(name) == "user";
    int id = -1;
    if (value->kind == SIPHOST_VALUE_INT) {
        id = static_cast<int>(value->num);
    } else {
        std::string text(sdk::arg_view(*value));
        if (is_user) {
            if (const passwd* pw = ::getpwnam(text.c_str()))
                id = static_cast<int>(pw->pw_uid);
        } else if (const group* gr = ::getgrnam(text.c_str())) {
            id = static_cast<int>(gr->gr_gid);
        }
        if (id < 0) {
            sdk::write_error(err, err_size,
                             std::string(is_user ? "user" : "group") + " '" + text + "' does not exist");
            return -1;
        }
    }
    if (id < 0) {
        sdk::write_error(err, err_size, std::string(name) + " must not be negative");
        return -1;
    }
    (is_user ? the().uid : the().gid) = id;
    return 0;
}

// ---- replies ----

bool encode(const siphost_rpc_api* rpc, const siphost_rpc_node* node, binrpc::writer& w, std::string& error);

/// An integer, double or string member's value.
void add_scalar(const siphost_rpc_member& m, binrpc::writer& w) {
    if (m.kind == SIPHOST_RPC_MEMBER_INT)
        w.add_int(m.num);
    else if (m.kind == SIPHOST_RPC_MEMBER_DOUBLE)
        w.add_double(m.real);
    else if (m.kind == SIPHOST_RPC_MEMBER_STR)
        w.add_str(sdk::view(m.str));
}

/// Whether an array element is the JSON form of a named element ({"Contact": {..}}: one member, a struct
/// or an array), which Kamailio's ctl writes as that member itself.
bool is_named_element(const siphost_rpc_api* rpc, const siphost_rpc_node* element) {
    siphost_rpc_member only{};
    only.struct_size = sizeof only;
    return rpc->node_size(element) == 1 && rpc->node_member(element, 0, &only) == 0 &&
           only.kind == SIPHOST_RPC_MEMBER_NODE;
}

/// Encodes an array that is a member of a struct as Kamailio's ctl does, as a struct (kamcmd reads no array
/// there). A named element gives its member to it ({"Contacts": [{"Contact": {..}}]} becomes Contacts:
/// { Contact: {..} Contact: {..} }: ul.dump); another struct stays an unnamed struct in it (htable.dump's
/// slot: { {name value type} }); a scalar is named after the array. Both measured on Kamailio 5.6.3.
bool encode_array_in_struct(const siphost_rpc_api* rpc, const siphost_rpc_node* array, std::string_view key,
                            binrpc::writer& w, std::string& error) {
    for (size_t i = 0; i < rpc->node_size(array); ++i) {
        siphost_rpc_member m{};
        m.struct_size = sizeof m;
        if (rpc->node_member(array, i, &m) != 0)
            break;
        if (m.kind == SIPHOST_RPC_MEMBER_NODE && rpc->node_kind(m.node) == SIPHOST_RPC_NODE_STRUCT) {
            bool named = is_named_element(rpc, m.node);
            if (!named)
                w.begin(binrpc::t_struct);
            if (!encode(rpc, m.node, w, error))
                return false;
            if (!named)
                w.end(binrpc::t_struct);
            continue;
        }
        w.add_name(key);
        if (m.kind == SIPHOST_RPC_MEMBER_NODE) { // an array in the array
            w.begin(binrpc::t_struct);
            if (!encode_array_in_struct(rpc, m.node, key, w, error))
                return false;
            w.end(binrpc::t_struct);
        } else {
            add_scalar(m, w);
        }
    }
    return true;
}

/// Encodes a reply node's members; false when a struct outgrows binrpc_struct_max_body_size.
bool encode(const siphost_rpc_api* rpc, const siphost_rpc_node* node, binrpc::writer& w, std::string& error) {
    bool in_struct = rpc->node_kind(node) == SIPHOST_RPC_NODE_STRUCT;
    for (size_t i = 0; i < rpc->node_size(node); ++i) {
        siphost_rpc_member m{};
        m.struct_size = sizeof m;
        if (rpc->node_member(node, i, &m) != 0)
            break;
        if (in_struct)
            w.add_name(sdk::view(m.key));
        switch (m.kind) {
        case SIPHOST_RPC_MEMBER_INT:
        case SIPHOST_RPC_MEMBER_DOUBLE:
        case SIPHOST_RPC_MEMBER_STR:
            add_scalar(m, w);
            break;
        case SIPHOST_RPC_MEMBER_NODE: {
            bool array = rpc->node_kind(m.node) == SIPHOST_RPC_NODE_ARRAY;
            auto type = array && !in_struct ? binrpc::t_array : binrpc::t_struct;
            size_t start = w.size();
            w.begin(type);
            bool ok = array && in_struct ? encode_array_in_struct(rpc, m.node, sdk::view(m.key), w, error)
                                         : encode(rpc, m.node, w, error);
            if (!ok)
                return false;
            w.end(type);
            if (type == binrpc::t_struct &&
                w.size() - start > static_cast<size_t>(the().max_struct_kb) * 1024) {
                error = "a struct of the reply is larger than binrpc_struct_max_body_size";
                return false;
            }
            break;
        }
        default:
            break;
        }
    }
    return true;
}

/// Runs one request packet and returns the reply packet.
std::vector<uint8_t> answer(std::span<const uint8_t> packet) {
    binrpc::request_packet request;
    std::string error;
    if (!binrpc::decode_request(packet, request, error)) {
        log(SIPHOST_LOG_WARN, "bad binrpc request: " + error);
        return binrpc::fault_packet(request.cookie, 400, "bad request: " + error);
    }
    const siphost_rpc_api* rpc = the().host->rpc;
    siphost_rpc_call* call = rpc->call_new(sdk::str(request.method));
    if (call == nullptr)
        return binrpc::fault_packet(request.cookie, 500, "out of memory");
    for (const auto& p : request.params) {
        if (const auto* number = std::get_if<int64_t>(&p))
            rpc->call_add_int(call, *number);
        else if (const auto* real = std::get_if<double>(&p))
            rpc->call_add_double(call, *real);
        else
            rpc->call_add_str(call, sdk::str(std::get<std::string>(p)));
    }
    std::vector<uint8_t> out;
    if (rpc->call_run(call) != 0) {
        siphost_str message{};
        int code = rpc->call_fault(call, &message);
        out = binrpc::fault_packet(request.cookie, code, sdk::view(message));
    } else {
        binrpc::writer w;
        if (!encode(rpc, rpc->call_reply(call), w, error))
            out = binrpc::fault_packet(request.cookie, 500, error);
        else if (w.size() > max_body())
            out = binrpc::fault_packet(request.cookie, 500, "the reply is larger than binrpc_max_body_size");
        else
            out = w.packet(binrpc::reply, request.cookie);
    }
    rpc->call_free(call);
    return out;
}

// ---- serving ----

void close_connection(connection& c) {
    the().host->async->fd_unwatch(c.watch);
    ::close(c.fd);
    the().connections.remove_if([&](const connection& other) { return &other == &c; });
    the().connection_count = the().connections.size();
}

/// Writes all of a reply on a stream; false when the peer does not take it within the socket's timeout.
bool send_all(int fd, const std::vector<uint8_t>& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

void on_connection(int fd, uint32_t, void* data) {
    auto& c = *static_cast<connection*>(data);
    uint8_t buffer[read_chunk];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0)
        return close_connection(c);
    c.input.insert(c.input.end(), buffer, buffer + n);
    // Requests one after the other on one connection, each answered in turn.
    while (!c.input.empty()) {
        size_t size = 0;
        std::string error;
        auto framed = binrpc::frame_size(c.input, max_body(), size, error);
        if (framed == binrpc::frame::need_more)
            return;
        if (framed == binrpc::frame::bad) {
            log(SIPHOST_LOG_WARN, "dropping a binrpc connection: " + error);
            send_all(fd, binrpc::fault_packet(0, 400, error));
            return close_connection(c);
        }
        auto reply = answer(std::span<const uint8_t>(c.input.data(), size));
        c.input.erase(c.input.begin(), c.input.begin() + static_cast<std::ptrdiff_t>(size));
        if (!send_all(fd, reply))
            return close_connection(c);
    }
}

void on_accept(int fd, uint32_t, void* data) {
    const auto* from = static_cast<const listener*>(data);
    int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0)
        return;
    if (the().connections.size() >= max_connections) {
        log(SIPHOST_LOG_WARN, "too many binrpc connections: refusing one on " + from->name());
        ::close(client);
        return;
    }
    // Blocking writes with a timeout, so that a reply is written whole and a stalled reader cannot hold the
    // async thread for long; reads never block (MSG_DONTWAIT).
    timeval timeout{2, 0};
    ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    auto& c = the().connections.emplace_back();
    c.fd = client;
    c.from = from;
    c.watch = the().host->async->fd_watch(the().self, client, SIPHOST_FD_READ, on_connection, &c);
    if (c.watch == nullptr) {
        ::close(client);
        the().connections.pop_back();
    }
    the().connection_count = the().connections.size();
}

void on_datagram(int fd, uint32_t, void*) {
    std::vector<uint8_t> buffer(read_chunk);
    sockaddr_storage peer{};
    socklen_t peer_size = sizeof peer;
    ssize_t n = ::recvfrom(fd, buffer.data(), buffer.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&peer),
                           &peer_size);
    if (n <= 0)
        return;
    size_t size = 0;
    std::string error;
    std::span<const uint8_t> packet(buffer.data(), static_cast<size_t>(n));
    auto framed = binrpc::frame_size(packet, max_body(), size, error);
    if (framed != binrpc::frame::complete || size != packet.size()) {
        log(SIPHOST_LOG_WARN,
            "dropping a binrpc datagram: " + (error.empty() ? std::string("truncated") : error));
        return;
    }
    auto reply = answer(packet);
    if (peer_size > 0)
        ::sendto(fd, reply.data(), reply.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&peer),
                 peer_size);
}

void stop_serving() {
    for (auto& c : the().connections) {
        the().host->async->fd_unwatch(c.watch);
        ::close(c.fd);
    }
    the().connections.clear();
    the().connection_count = 0;
    for (auto* watch : the().listener_watches)
        the().host->async->fd_unwatch(watch);
    the().listener_watches.clear();
    for (auto& l : the().listeners)
        l.close();
}

int thread_init(int kind, int) {
    if (kind != SIPHOST_THREAD_ASYNC)
        return 0;
    for (auto& l : the().listeners) {
        std::string error;
        if (!l.open(static_cast<unsigned>(the().mode), the().uid, the().gid, error)) {
            log(SIPHOST_LOG_ERR, "cannot listen on " + l.name() + ": " + error);
            stop_serving();
            return -1;
        }
        auto* watch = the().host->async->fd_watch(the().self, l.fd, SIPHOST_FD_READ,
                                                  l.is_stream() ? on_accept : on_datagram, &l);
        if (watch == nullptr) {
            log(SIPHOST_LOG_ERR, "cannot watch " + l.name());
            stop_serving();
            return -1;
        }
        the().listener_watches.push_back(watch);
        log(SIPHOST_LOG_INFO, "binrpc listening on " + l.name());
    }
    return 0;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    the().host = host;
    the().self = self;
    if (!SIPHOST_HAS(siphost_rpc_api, host->rpc, command_find)) {
        sdk::write_error(err, err_size, "ctl needs a host with ABI 1.1 (RPC dispatch)");
        return -1;
    }
    if (the().mode < 0 || the().mode > 07777) {
        sdk::write_error(err, err_size, "mode must be a permission mode such as 0600");
        return -1;
    }
    if (the().max_body_kb <= 0 || the().max_struct_kb <= 0) {
        sdk::write_error(err, err_size,
                         "binrpc_max_body_size and binrpc_struct_max_body_size must be positive");
        return -1;
    }
    if (the().listeners.empty()) {
        listener l;
        std::string error;
        listener::parse(default_socket, l, error);
        the().listeners.push_back(std::move(l));
    }
    return 0;
}

void destroy() {
    if (the().host != nullptr)
        stop_serving();
    the().listeners.clear();
    the().host = nullptr;
}

// ---- ctl's own commands ----

void rpc_listen(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = the().host->rpc;
    for (const auto& l : the().listeners) {
        rpc->add_str(rpc->result(call), nullptr, sdk::str("binrpc"));
        std::string name = l.name();
        auto colon = name.find(':');
        rpc->add_str(rpc->result(call), nullptr, sdk::str(std::string_view(name).substr(0, colon)));
        rpc->add_str(rpc->result(call), nullptr, sdk::str(std::string_view(name).substr(colon + 1)));
    }
}

void rpc_connections(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = the().host->rpc;
    rpc->add_int(rpc->result(call), nullptr, static_cast<int64_t>(the().connection_count.load()));
}

const siphost_param params[] = {
    sdk::setter_param("binrpc", SIPHOST_PARAM_STRING, set_binrpc,
                      "listen address: unix:/path, unixd:/path, tcp:host:port, udp:host:port (repeatable)"),
    sdk::int_param("mode", &the().mode, "permissions of the unix sockets (default 0600)"),
    sdk::setter_param("user", SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING, set_owner,
                      "owner of the unix sockets"),
    sdk::setter_param("group", SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING, set_owner,
                      "group of the unix sockets"),
    sdk::int_param("binrpc_max_body_size", &the().max_body_kb, "largest request or reply body, in KB (32)"),
    sdk::int_param("binrpc_struct_max_body_size", &the().max_struct_kb,
                   "largest struct of a reply, in KB (8)"),
    sdk::int_param("binrpc_buffer_size", &the().buffer_size, "accepted for Kamailio's configs"),
    sdk::int_param("autoconversion", &the().autoconversion, "accepted for Kamailio's configs"),
    sdk::end_of_params(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("ctl.listen", rpc_listen, "List all the sockets on which the ctl module listens."),
    sdk::rpc("ctl.connections", rpc_connections, "Returns the number of open binrpc connections."),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .params = params,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .thread_init = thread_init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::ctl

SIPHOST_MODULE(siphost::modules::ctl::descriptor)
