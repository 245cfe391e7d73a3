#pragma once
// The path of one message through siphost, and the one place that knows the order of the steps:
//
//   datagram -> sip::message (zero copy) -> refused? answer 400/505/... or drop, with one log line
//   request  -> Via received/rport -> modules' pre-script hooks -> request_route -> post-script hooks
//   reply    -> pre-script hooks -> core onreply_route -> post-script hooks (tm takes its replies)
//               -> nobody took it: stateless relay to the second Via
//
// It also implements what the script and the modules ask of the runtime: forward(), sending, replies, the
// script's routes and pseudo-variables through the host table. It stands above net, sip, script and plugin.

#include "flow/message_context.hpp"
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
    /// Only one runtime exists per process: the host table's C functions reach it through a global.
    runtime();
    ~runtime() override;
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    /// The host table handed to modules: complete from construction; functions that need the transport or
    /// the script fail (return an error) until attach() gave them.
    const siphost_host_api* host_table() const { return &host_; }

    /// Gives the runtime its transport and script. aliases are extra names of this server (alias=).
    void attach(net::udp_transport* transport, const script::interpreter* interpreter,
                std::vector<std::string> aliases);

    /// The whole path of one received datagram; called on the worker thread that received it.
    void on_datagram(net::udp_worker& worker, const net::datagram& datagram);

    // script::core_actions
    int forward(siphost_msg* msg, std::string_view host, uint16_t port, int proto) override;
    int force_rport(siphost_msg* msg) override;

    /// Nonzero when host:port names this server (a listen address or an alias; port 0: any port).
    bool is_myself(std::string_view host, uint16_t port) const;

    // What the host table's functions do (they are thin C wrappers over these).
    int send(const net::listening_socket* from, const siphost_addr& to, std::string_view bytes);
    int resolve(std::string_view uri_or_host, uint16_t port, siphost_addr& out,
                const net::listening_socket** from) const;
    int next_hop(const siphost_msg& msg, std::string_view& hop) const;
    int reply_destination(const siphost_msg& request, siphost_addr& out, const net::listening_socket** from) const;
    int send_stateless_reply(siphost_msg& request, int code, std::string_view reason, std::string_view to_tag,
                             std::string_view extra_headers);
    int register_hook(bool request, int when, siphost_message_hook_fn fn, void* data);

    const script::interpreter* interpreter() const { return interpreter_; }
    net::udp_transport* transport() const { return transport_; }

private:
    void handle_request(siphost_msg& msg);
    void handle_reply(siphost_msg& msg);
    void refuse(siphost_msg& msg);
    void note_received_and_rport(siphost_msg& msg);
    bool relay_reply_statelessly(siphost_msg& msg);
    static bool run_hooks(const std::vector<message_hook>& hooks, siphost_msg& msg);
    const net::listening_socket* socket_for(const net::udp_endpoint& to) const;

    siphost_host_api host_{};                     ///< the table modules hold
    net::udp_transport* transport_ = nullptr;
    const script::interpreter* interpreter_ = nullptr;
    std::vector<std::string> aliases_;
    std::vector<message_hook> request_pre_, request_post_, reply_pre_, reply_post_; ///< fixed after init
};

/// RFC 3261 16.11: the branch of a stateless relay, a function of the received top Via (or, without the
/// RFC 3261 cookie, of the fields that identify the transaction), so that a retransmission, and the CANCEL or
/// ACK of an INVITE, leave with the same branch.
std::string stateless_branch(const sip::message& request);

} // namespace siphost::flow
