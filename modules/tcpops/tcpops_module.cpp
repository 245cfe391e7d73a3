// tcpops: TCP, TLS and WebSocket connections by id ($conid), Kamailio's tcpops module. Every function works
// on the host's connection table through ABI 1.5's connection calls; a function without a conid argument
// works on the connection the message arrived on. The return codes are what Kamailio 5.6.3 returned for the
// same calls (tests/modules/tcpops measures both):
//
//   tcp_conid_state(conid)                 1 open, 3 still connecting (opened by us), -1 no such connection
//   tcp_conid_alive(conid)                 1 open, -1 otherwise
//   tcp_keepalive_enable([conid], idle, count, interval)
//   tcp_keepalive_disable([conid])         1 done, -1 no such connection (a negative value keeps the
//                                          system's, as 0 does, and is 1 as in Kamailio)
//   tcp_set_connection_lifetime([conid], lifetime)
//                                          1 done, -1 a negative lifetime; with a conid that is not open 0,
//                                          which ends the script, as Kamailio 5.6.3 does
//   tcp_close_connection([conid])          1 closing, -1 no such connection
//   tcp_get_conid(hostport, pvname)        1 found (the id written to pvname), -1 none, -5 the host does not
//                                          resolve; the port defaults to 5060
#include <siphost/module.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

namespace siphost::modules::tcpops {
namespace {

const char module_name[] = "tcpops";

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;

constexpr int kamailio_connecting = 3; // tcp_conid_state's "setting up an outgoing connection"
constexpr uint16_t default_port = 5060;

/// A conid argument as a connection id; false for anything that cannot name one (0, negative, too large).
bool conid_arg(const siphost_value& v, uint64_t& out) {
    int64_t n = 0;
    if (!sdk::arg_int(v, n) || n <= 0)
        return false;
    out = static_cast<uint64_t>(n);
    return true;
}

/// The connection msg arrived on, or 0 (UDP, or a message the host made).
uint64_t own_conid(const siphost_msg* msg) {
    auto source = sdk::sized<siphost_dest>();
    if (msg == nullptr || host_->msg_source(msg, &source) != 0)
        return 0;
    return source.conn_id;
}

int conid_state(uint64_t conid) {
    switch (host_->conn_state(conid)) {
    case SIPHOST_CONN_OPEN:
        return 1;
    case SIPHOST_CONN_CONNECTING:
        return kamailio_connecting;
    default:
        return -1;
    }
}

int cmd_conid_state(siphost_msg*, const siphost_value* args, void*) {
    uint64_t conid = 0;
    return conid_arg(args[0], conid) ? conid_state(conid) : -1;
}

int cmd_conid_alive(siphost_msg*, const siphost_value* args, void*) {
    uint64_t conid = 0;
    return conid_arg(args[0], conid) && host_->conn_state(conid) == SIPHOST_CONN_OPEN ? 1 : -1;
}

int keepalive_enable(uint64_t conid, const siphost_value* values) {
    int64_t idle = 0, count = 0, interval = 0;
    if (conid == 0 || !sdk::arg_int(values[0], idle) || !sdk::arg_int(values[1], count) ||
        !sdk::arg_int(values[2], interval) || idle > INT32_MAX || count > INT32_MAX || interval > INT32_MAX)
        return -1;
    // Kamailio 5.6.3 turns keepalive on and returns 1 for a negative value too; the system's value stays.
    idle = std::max<int64_t>(idle, 0);
    count = std::max<int64_t>(count, 0);
    interval = std::max<int64_t>(interval, 0);
    return host_->conn_set_keepalive(conid, 1, static_cast<uint32_t>(idle), static_cast<uint32_t>(count),
                                     static_cast<uint32_t>(interval)) == 0
               ? 1
               : -1;
}

int cmd_keepalive_enable4(siphost_msg*, const siphost_value* args, void*) {
    uint64_t conid = 0;
    return conid_arg(args[0], conid) ? keepalive_enable(conid, args + 1) : -1;
}

int cmd_keepalive_enable3(siphost_msg* msg, const siphost_value* args, void*) {
    return keepalive_enable(own_conid(msg), args);
}

int keepalive_disable(uint64_t conid) {
    return conid != 0 && host_->conn_set_keepalive(conid, 0, 0, 0, 0) == 0 ? 1 : -1;
}

int cmd_keepalive_disable1(siphost_msg*, const siphost_value* args, void*) {
    uint64_t conid = 0;
    return conid_arg(args[0], conid) ? keepalive_disable(conid) : -1;
}

int cmd_keepalive_disable0(siphost_msg* msg, const siphost_value*, void*) {
    return keepalive_disable(own_conid(msg));
}

int set_lifetime(uint64_t conid, const siphost_value& value) {
    int64_t seconds = 0;
    if (!sdk::arg_int(value, seconds) || seconds < 0 || seconds > UINT32_MAX)
        return -1;
    if (host_->conn_set_lifetime(conid, static_cast<uint32_t>(seconds)) == 0)
        return 1;
    // Kamailio 5.6.3 returns 0 here, so the script ends: a config written for it expects that.
    sdk::log(host_, self_, SIPHOST_LOG_ERR,
             "tcp_set_connection_lifetime: no open connection " + std::to_string(conid));
    return 0;
}

int cmd_set_lifetime2(siphost_msg*, const siphost_value* args, void*) {
    uint64_t conid = 0;
    return conid_arg(args[0], conid) ? set_lifetime(conid, args[1]) : -1;
}

int cmd_set_lifetime1(siphost_msg* msg, const siphost_value* args, void*) {
    uint64_t conid = own_conid(msg);
    return conid != 0 ? set_lifetime(conid, args[0]) : -1;
}

int close_connection(uint64_t conid) {
    return conid != 0 && host_->conn_close(conid) == 0 ? 1 : -1;
}

int cmd_close1(siphost_msg*, const siphost_value* args, void*) {
    uint64_t conid = 0;
    return conid_arg(args[0], conid) ? close_connection(conid) : -1;
}

int cmd_close0(siphost_msg* msg, const siphost_value*, void*) {
    return close_connection(own_conid(msg));
}

std::unique_ptr<sdk::parsed_pv> fix_get_conid(const siphost_value* args, const int*) {
    return std::make_unique<sdk::parsed_pv>(host_, sdk::arg_view(args[1]));
}

int cmd_get_conid(siphost_msg* msg, const siphost_value* args, void* call_data) {
    const auto* target = static_cast<const sdk::parsed_pv*>(call_data);
    std::string_view host;
    uint16_t port = 0;
    if (target == nullptr || !sdk::split_host_port(sdk::arg_view(args[0]), host, port))
        return -1;
    if (port == 0)
        port = default_port;
    auto to = sdk::sized<siphost_dest>();
    std::string name(host);
    if (inet_pton(AF_INET, name.c_str(), to.ip) == 1) {
        to.family = 4;
    } else if (inet_pton(AF_INET6, name.c_str(), to.ip) == 1) {
        to.family = 6;
    } else {
        to.proto = SIPHOST_PROTO_TCP; // a name: resolved as the host would reach it over TCP
        if (host_->resolve(sdk::str(name), port, &to) != 0)
            return -5; // Kamailio 5.6.3's code for a host that does not resolve
    }
    to.port = port;
    uint64_t conid = 0;
    if (host_->conn_find(&to, &conid) != 0)
        return -1;
    siphost_value value = sdk::int_value(static_cast<int64_t>(conid));
    return target->set(msg, &value) == 0 ? 1 : -1;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char*, size_t) {
    host_ = host;
    self_ = self;
    return 0;
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
constexpr auto INT = SIPHOST_ARG_INT;

const siphost_command commands[] = {
    sdk::command("tcp_conid_state", any, sdk::guarded<&cmd_conid_state>, {INT}, nullptr, nullptr,
                 "1 open, 3 connecting, -1 no such connection"),
    sdk::command("tcp_conid_alive", any, sdk::guarded<&cmd_conid_alive>, {INT}, nullptr, nullptr,
                 "1 when the connection is open"),
    sdk::command("tcp_keepalive_enable", any, sdk::guarded<&cmd_keepalive_enable4>, {INT, INT, INT, INT},
                 nullptr, nullptr, "TCP keepalive on a connection: idle, count, interval"),
    sdk::command("tcp_keepalive_enable", any, sdk::guarded<&cmd_keepalive_enable3>, {INT, INT, INT}, nullptr,
                 nullptr, "TCP keepalive on the message's connection: idle, count, interval"),
    sdk::command("tcp_keepalive_disable", any, sdk::guarded<&cmd_keepalive_disable1>, {INT}, nullptr, nullptr,
                 "no TCP keepalive on a connection"),
    sdk::command("tcp_keepalive_disable", any, sdk::guarded<&cmd_keepalive_disable0>, {}, nullptr, nullptr,
                 "no TCP keepalive on the message's connection"),
    sdk::command("tcp_set_connection_lifetime", any, sdk::guarded<&cmd_set_lifetime2>, {INT, INT}, nullptr,
                 nullptr, "a connection closes after this many idle seconds, from now"),
    sdk::command("tcp_set_connection_lifetime", any, sdk::guarded<&cmd_set_lifetime1>, {INT}, nullptr,
                 nullptr, "the message's connection closes after this many idle seconds, from now"),
    sdk::command("tcp_close_connection", any, sdk::guarded<&cmd_close1>, {INT}, nullptr, nullptr,
                 "closes a connection"),
    sdk::command("tcp_close_connection", any, sdk::guarded<&cmd_close0>, {}, nullptr, nullptr,
                 "closes the message's connection"),
    sdk::command("tcp_get_conid", any, sdk::guarded<&cmd_get_conid>, {SIPHOST_ARG_STRING, SIPHOST_ARG_PVAR},
                 sdk::fixup<&fix_get_conid>, sdk::free_call_data<sdk::parsed_pv>,
                 "writes the id of the open connection to host:port into a variable"),
    sdk::end_of_commands(),
};

const siphost_module descriptor = sdk::module(module_name, "1.0", commands, nullptr, nullptr, init);

} // namespace
} // namespace siphost::modules::tcpops

SIPHOST_MODULE(siphost::modules::tcpops::descriptor)
