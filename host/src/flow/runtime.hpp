#pragma once
// The path of one message through siphost, and the one place that knows the order of the steps:
//
//   datagram -> sip::message (zero copy) -> refused? answer 400/505/... or drop, with one log line
//   request  -> Via received/rport -> modules' pre-script hooks -> request_route -> post-script hooks
//   reply    -> pre-script hooks -> core onreply_route -> post-script hooks (tm takes its replies)
//               -> nobody took it: stateless relay to the second Via
//
// It also offers the services the host table's adapters (abi/) wrap: sending, resolving, where replies go,
// stateless replies, hooks. It stands above net, sip, script and plugin.

#include "message/message_context.hpp"
#include "net/tcp_transport.hpp"
#include "net/udp_transport.hpp"
#include "script/core_actions.hpp"
#include "script/interpreter.hpp"

#include <siphost/module.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::flow {

struct message_hook {
    siphost_message_hook_fn fn;
    void* data;
};

class runtime final : public script::core_actions {
public:
    runtime() = default;
    ~runtime() override = default;
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    /// Gives the runtime its transport and script. aliases are extra names of this server (alias=).
    void attach(net::udp_transport* transport, const script::interpreter* interpreter,
                std::vector<std::string> aliases);

    /// Gives the runtime its TCP side (nullptr: none, disable_tcp).
    /// The TCP transport (null: none); publishes the "core.websocket" API over it.
    void attach_tcp(net::tcp_transport* tcp);

    /// The whole path of one received datagram; called on the worker thread that received it.
    void on_datagram(net::udp_worker& worker, const net::datagram& datagram);
    /// The same path for one message read from a TCP connection; called on the worker it was posted to.
    void on_stream_message(const net::stream_message& message);

    // script::core_actions
    int forward(siphost_msg* msg, std::string_view host, uint16_t port, int proto) override;
    int force_rport(siphost_msg* msg) override;
    int force_tcp_alias(siphost_msg* msg, uint16_t port) override;
    bool is_myself(std::string_view host, uint16_t port) const override;
    const net::listening_socket* find_socket(int proto, std::string_view address, uint16_t port) const override;

    // What the host table's functions do (abi/ holds the thin C adapters over these).
    /// Sends to dst on its protocol from its socket (or one of the destination's family). 0 or -1.
    int send(const siphost_dest& dst, std::string_view bytes);
    /// The ABI's send_request: send after the script's onsend_route, when it has one, ran on msg; 0,
    /// SIPHOST_SEND_DROPPED (the script dropped it, nothing sent) or -1.
    int send_request(siphost_msg& msg, const siphost_dest& dst, std::string_view bytes);
    /// A URI or host and port to a destination with the socket to send from. 0 or -1.
    int resolve(std::string_view uri_or_host, uint16_t port, siphost_dest& out) const;
    int next_hop(const siphost_msg& msg, std::string_view& hop) const;
    int reply_destination(const siphost_msg& request, siphost_dest& out) const;
    /// A local reply to request (with the reply headers the script queued on it) sent where replies go.
    int send_stateless_reply(siphost_msg& request, int code, std::string_view reason, std::string_view to_tag,
                             std::string_view extra_headers);
    int register_hook(bool request, int when, siphost_message_hook_fn fn, void* data);
    /// Runs a route on msg with msg's route type set for the ABI's msgctx->route_type (and restored after).
    int run_route(int route_id, siphost_msg& msg) const;

    const script::interpreter* interpreter() const { return interpreter_; }
    net::udp_transport* transport() const { return transport_; }
    net::tcp_transport* tcp() const { return tcp_; }

private:
    void on_message(std::string_view bytes, const net::udp_endpoint& source,
                    const net::listening_socket* socket, uint8_t proto, uint64_t conn_id);
    void handle_request(siphost_msg& msg);
    void handle_reply(siphost_msg& msg);
    void refuse(siphost_msg& msg);
    /// Answers an HTTP request that cannot be read or that no module serves, on its connection.
    void refuse_http(siphost_msg& msg, std::string_view status, std::string_view why);
    void note_received_and_rport(siphost_msg& msg);
    void note_connection(siphost_msg& msg);
    /// tcp_accept_aliases: aliases the request's connection when its top Via has ";alias".
    void note_alias(siphost_msg& msg);
    bool relay_reply_statelessly(siphost_msg& msg);
    static bool run_hooks(const std::vector<message_hook>& hooks, siphost_msg& msg);
    const net::listening_socket* socket_for(const net::udp_endpoint& to,
                                            uint8_t proto = SIPHOST_PROTO_UDP) const;

    net::udp_transport* transport_ = nullptr;
    net::tcp_transport* tcp_ = nullptr;
    const script::interpreter* interpreter_ = nullptr;
    std::vector<std::string> aliases_;
    std::vector<message_hook> request_pre_, request_post_, reply_pre_, reply_post_; ///< fixed after init
};

/// The transport token of a Via header for a siphost_proto ("UDP", "TCP", "TLS", ...).
std::string_view via_transport(uint8_t proto);

/// RFC 3261 16.11: the branch of a stateless relay, a function of the received top Via (or, without the
/// RFC 3261 cookie, of the fields that identify the transaction), so that a retransmission, and the CANCEL or
/// ACK of an INVITE, leave with the same branch.
std::string stateless_branch(const sip::message& request);

} // namespace siphost::flow
