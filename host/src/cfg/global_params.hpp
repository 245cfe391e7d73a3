#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cfg/diagnostics.hpp"

namespace siphost::cfg {

/// One `listen=[proto:]addr[:port]` entry.
struct listen_address {
    std::string proto;      ///< "udp", "tcp", "tls", "sctp"; "" when not written (all the host supports)
    std::string host;       ///< IPv4, IPv6 (without brackets), or a name
    std::uint16_t port = 0; ///< 0 when not written (the `port` parameter applies)
    bool ipv6 = false;
    std::string advertise; ///< "advertise host:port" when given
    source_location where;
};

/// The core's global parameters with Kamailio's defaults.
struct global_params {
    int debug = 0; ///< L_WARN
    bool fork = true;
    bool log_stderror = false;
    std::string log_facility = "LOG_DAEMON";
    std::string log_prefix; ///< a template ("{$mt $ci} "), compiled by the script layer; "" when unset
    source_location log_prefix_where;
    std::string log_name;
    std::vector<listen_address> listen;
    std::uint16_t port = 5060;
    int children = 8;
    std::vector<std::string> alias;
    bool auto_aliases = true;
    std::string mpath;                   ///< mpath= or loadpath=, colon-separated
    std::uint32_t max_while_loops = 100; ///< the iteration limit of one while loop
    // TCP (docs/transports.md), with Kamailio's defaults.
    bool disable_tcp = false;
    bool onsend_route_reply = false;   ///< onsend_route runs for the replies siphost relays too
    int tcp_connection_lifetime = 120; ///< seconds
    int tcp_max_connections = 2048;
    int tcp_connect_timeout = 10; ///< seconds
    int tcp_send_timeout = 10;    ///< seconds
    bool tcp_accept_no_cl = false;
    bool tcp_accept_aliases = false;
    bool tcp_keepalive = true;
    int tcp_children = 0; ///< io threads for TCP; 0: the host's choice
    // TLS (docs/tls.md): the tls module holds the rest.
    bool enable_tls = false;          ///< enable_tls (disable_tls inverted)
    std::uint16_t tls_port_no = 5061; ///< the TLS port of a listen address written without one
    /// Every parameter as written (name -> last value text), for `-c` and for parameters siphost ignores.
    std::map<std::string, std::string> written;
};

/// A parameter value as the parser saw it.
struct param_value {
    std::string text; ///< the decoded string, or the raw text of an unquoted value ("udp:1.2.3.4:5060")
    bool quoted = false;
    bool is_number = false;
    std::int64_t number = 0;
};

/// Applies `name = value` to params, reporting an unknown name (with the nearest known one) or a bad value.
void apply_global_param(global_params& params, const std::string& name, source_location name_where,
                        const param_value& value, source_location value_where, diagnostics& diags);

/// Parses "[proto:]addr[:port]"; false with a reason in error.
bool parse_listen(const std::string& text, listen_address& out, std::string& error);

/// The names of every global parameter the reader knows, for suggestions.
const std::vector<std::string>& known_global_params();

} // namespace siphost::cfg
