#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <siphost/module.h>

namespace siphost::cfg {

/// What a core function does; the interpreter switches on it.
enum class core_op {
    forward,         ///< forward([host[, port]]): stateless relay, any transport
    forward_udp,     ///< forward_udp([host[, port]])
    forward_tcp,     ///< forward_tcp([host[, port]])
    forward_tls,     ///< forward_tls([host[, port]])
    setflag,         ///< setflag(n)
    resetflag,       ///< resetflag(n)
    isflagset,       ///< isflagset(n)
    log,             ///< log([level,] text)
    rewriteuri,      ///< rewriteuri(uri) / seturi(uri)
    revert_uri,      ///< revert_uri()
    setdsturi,       ///< setdsturi(uri)
    resetdsturi,     ///< resetdsturi()
    force_rport,     ///< force_rport() / add_rport()
    append_branch,   ///< append_branch([uri]): a target for the stateful relay's parallel fork
    is_myself,       ///< is_myself(uri or host)
    strip,           ///< strip(n): drops the first n characters of the R-URI's user
    strip_tail,      ///< strip_tail(n): drops the last n characters of the R-URI's user
    prefix,          ///< prefix(s): puts s before the R-URI's user
    rewriteuser,     ///< rewriteuser(user) / setuser(user): the password stays
    rewriteuserpass, ///< rewriteuserpass(user:password) / setuserpass()
    rewritehost,     ///< rewritehost(host) / sethost(host)
    rewriteport,     ///< rewriteport(port) / setport(port); "" removes the port
    rewritehostport, ///< rewritehostport(host[:port]) / sethostport()
    add_local_rport, ///< add_local_rport(): rport in the Via this server adds

    /// set_forward_no_connect(): relay only over a connection already open
    set_forward_no_connect,
    /// set_reply_no_connect(): replies only over a connection already open
    set_reply_no_connect,
    /// set_forward_close(): close the connection after relaying
    set_forward_close,
    /// set_reply_close(): close the connection after the reply
    set_reply_close,
    /// force_tcp_alias([port]): requests to the peer's address and port reuse its connection
    force_tcp_alias,
    /// force_send_socket([proto:]addr[:port]): the local socket a relayed request leaves from
    force_send_socket,
    userphone,            ///< userphone(): ";user=phone" on the R-URI unless it has it
    rewritehostporttrans, ///< rewritehostporttrans(host[:port][;transport=x]) / sethpt(): transport replaced
    remove_branch,        ///< remove_branch([index]): one target of the destination set (0 the first)
    clear_branches,       ///< clear_branches(): empties the destination set
    /// set_advertised_address(addr), set_advertised_port(port): accepted, without effect (warned at load)
    set_advertised,
    udp_mtu_try_proto, ///< udp_mtu_try_proto(proto): accepted, without effect (warned at load)
    cfg_select,        ///< cfg_select(group, id): siphost's cfg groups have no instances: an error
    cfg_reset,         ///< cfg_reset(group): back to the default instance, which is the only one
    setavpflag,        ///< setavpflag(name, flag): on the newest value of the AVP name
    resetavpflag,      ///< resetavpflag(name, flag)
    isavpflagset,      ///< isavpflagset(name, flag)
    forward_sctp,      ///< forward_sctp(host[, port]): siphost has no SCTP: false (warned at load)
    error,             ///< error(text, text): does nothing and is true, as Kamailio's (warned at load)
    exec_command       ///< exec("command"): the command run by /bin/sh, as written (no pseudo-variables)
};

/// An argument kind of core functions only, beside siphost_arg_kind: a quoted string taken as written, with
/// no pseudo-variables (Kamailio's exec() hands its command to the shell, where a '$' is the shell's).
inline constexpr std::uint8_t literal_string_arg = 0x40;

/// One overload of a core function, declared like a module command.
struct core_function {
    const char* name;
    core_op op;
    std::uint32_t arg_count;
    std::uint32_t route_types;
    std::uint8_t arg_kinds[SIPHOST_MAX_ARGS];
};

/// Every core function overload.
const std::vector<core_function>& core_functions();

/// The standard Kamailio module that provides a well-known function, or "" when none is known.
std::string_view standard_module_for(std::string_view function);
/// Every function of the standard table (for "did you mean").
std::vector<std::string_view> standard_function_names();

} // namespace siphost::cfg
