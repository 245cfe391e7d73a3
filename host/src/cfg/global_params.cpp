#include "cfg/global_params.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace siphost::cfg {
namespace {

/// Parameters of Kamailio's core that siphost accepts and ignores (with a warning), so that stock configs
/// load.
const std::vector<std::string>& ignored_params() {
    // Kamailio 5.6's core parameters (its core cookbook), less those siphost honours (handled_params).
    static const std::vector<std::string> names = {
        // general
        "advertised_address", "advertised_port", "async_workers", "async_nonblock", "async_usleep",
        "async_workers_group", "auto_bind_ipv6", "bind_ipv6_link_local", "check_via", "chroot", "corelog",
        "disable_core_dump", "exit_timeout", "fork_delay", "group", "gid", "http_reply_parse", "ip_free_bind",
        "ipv6_hex_style", "kemi.onsend_route_callback", "kemi.received_route_callback",
        "kemi.reply_route_callback", "kemi.pre_routing_callback", "latency_cfg_log", "latency_limit_action",
        "latency_limit_db", "latency_log", "local_rport", "log_engine_data", "log_engine_type",
        "log_prefix_mode", "cfgengine", "maxbuffer", "max_branches", "max_recursive_level", "mcast",
        "mcast_loopback", "mcast_ttl", "memdbg", "memlog", "mem_join", "mem_safety", "mem_status_mode",
        "mem_summary", "mhomed", "mlock_pages", "modinit_delay", "open_files_limit", "phone2tel",
        "pmtu_discovery", "pv_buffer_size", "pv_buffer_slots", "pv_cache_limit", "pv_cache_action", "rundir",
        "run_dir", "received_route_mode", "reply_to_via", "route_locks_size", "server_header",
        "server_signature", "server_id", "shm_force_alloc", "shm_mem_size", "sip_parser_log",
        "sip_parser_log_oneline", "sip_warning", "socket_workers", "sql_buffer_size", "statistics",
        "stats_name_separator", "tos", "udp_mtu", "udp_mtu_try_proto", "uri_host_extra_chars", "user", "uid",
        "user_agent_header", "verbose_startup", "version_table", "wait_worker1_mode", "wait_worker1_time",
        "wait_worker1_usleep", "workdir", "wdir", "xavp_via_params", "xavp_via_fields", "pid_file",
        "force_rport", "log_color", "pkg_mem_size",
        // DNS
        "dns", "rev_dns", "dns_cache_del_nonexp", "dns_cache_rec_pref", "dns_cache_flags",
        "dns_cache_gc_interval", "dns_cache_init", "dns_cache_max_ttl", "dns_cache_mem", "dns_cache_min_ttl",
        "dns_cache_negative_ttl", "dns_naptr_ignore_rfc", "dns_retr_no", "dns_retr_time",
        "dns_search_full_match", "dns_servers_no", "dns_srv_lb", "dns_try_ipv6", "dns_try_naptr",
        "dns_sctp_pref", "dns_tcp_pref", "dns_tls_pref", "dns_udp_pref", "dns_use_search_list",
        "use_dns_cache", "use_dns_failover",
        // destination blocklist
        "dst_blocklist_expire", "dst_blocklist_gc_interval", "dst_blocklist_init", "dst_blocklist_mem",
        "use_dst_blocklist", "dst_blacklist_expire", "dst_blacklist_gc_interval", "dst_blacklist_init",
        "dst_blacklist_mem", "use_dst_blacklist",
        // TCP
        "disable_tcp", "tcp_accept_aliases", "tcp_accept_haproxy", "tcp_accept_hep3", "tcp_accept_no_cl",
        "tcp_accept_unique", "tcp_async", "tcp_buf_write", "tcp_children", "tcp_clone_rcvbuf",
        "tcp_connection_lifetime", "tcp_connection_match", "tcp_connect_timeout", "tcp_conn_wq_max",
        "tcp_crlf_ping", "tcp_defer_accept", "tcp_delayed_ack", "tcp_fd_cache", "tcp_keepalive",
        "tcp_keepcnt", "tcp_keepidle", "tcp_keepintvl", "tcp_linger2", "tcp_max_connections",
        "tcp_no_connect", "tcp_poll_method", "tcp_rd_buf_size", "tcp_reuse_port", "tcp_script_mode",
        "tcp_send_timeout", "tcp_source_ipv4", "tcp_source_ipv6", "tcp_syncnt", "tcp_wait_data",
        "tcp_wq_blk_size", "tcp_wq_max", "tcp_wq_timeout",
        // TLS
        "tls_max_connections", "tls_method", "tls_verify", "tls_require_certificate", "tls_certificate",
        "tls_private_key", "tls_ca_list", "tls_handshake_timeout", "tls_send_timeout",
        // SCTP
        "disable_sctp", "enable_sctp", "sctp_children", "sctp_socket_rcvbuf", "sctp_socket_sndbuf",
        "sctp_autoclose", "sctp_send_ttl", "sctp_send_retries", "sctp_assoc_tracking", "sctp_assoc_reuse",
        "sctp_max_assocs", "sctp_srto_initial", "sctp_srto_max", "sctp_srto_min", "sctp_asocmaxrxt",
        "sctp_init_max_attempts", "sctp_init_max_timeo", "sctp_hbinterval", "sctp_pathmaxrxt",
        "sctp_sack_delay", "sctp_sack_freq", "sctp_max_burst",
        // UDP and real time
        "udp4_raw", "udp4_raw_mtu", "udp4_raw_ttl", "real_time", "rt_prio", "rt_policy", "rt_timer1_prio",
        "rt_timer1_policy", "rt_timer2_prio", "rt_timer2_policy"};
    return names;
}

const std::vector<std::string>& handled_params() {
    static const std::vector<std::string> names = {"debug",
                                                   "fork",
                                                   "log_stderror",
                                                   "log_facility",
                                                   "log_prefix",
                                                   "log_name",
                                                   "listen",
                                                   "port",
                                                   "children",
                                                   "alias",
                                                   "auto_aliases",
                                                   "mpath",
                                                   "loadpath",
                                                   "max_while_loops",
                                                   "disable_tcp",
                                                   "onsend_route_reply",
                                                   "tcp_connection_lifetime",
                                                   "tcp_max_connections",
                                                   "tcp_connect_timeout",
                                                   "tcp_send_timeout",
                                                   "tcp_accept_no_cl",
                                                   "tcp_accept_aliases",
                                                   "tcp_keepalive",
                                                   "tcp_children",
                                                   "enable_tls",
                                                   "disable_tls",
                                                   "tls_port_no"};
    return names;
}

bool parse_bool(const param_value& v, bool& out) {
    if (v.is_number) {
        out = v.number != 0;
        return true;
    }
    std::string t = v.text;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    if (t == "yes" || t == "on" || t == "true" || t == "enable" || t == "1")
        out = true;
    else if (t == "no" || t == "off" || t == "false" || t == "disable" || t == "0")
        out = false;
    else
        return false;
    return true;
}

bool parse_port(std::string_view text, std::uint16_t& out) {
    if (text.empty() || text.size() > 5)
        return false;
    std::uint32_t value = 0;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
            return false;
        value = value * 10 + (c - '0');
    }
    if (value == 0 || value > 65535)
        return false;
    out = static_cast<std::uint16_t>(value);
    return true;
}

bool valid_host_name(std::string_view host) {
    if (host.empty())
        return false;
    for (char c : host)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
            return false;
    return true;
}

} // namespace

const std::vector<std::string>& known_global_params() {
    static const std::vector<std::string> all = [] {
        std::vector<std::string> names = handled_params();
        names.insert(names.end(), ignored_params().begin(), ignored_params().end());
        return names;
    }();
    return all;
}

bool parse_listen(const std::string& input, listen_address& out, std::string& error) {
    std::string text = input;
    auto adv = text.find(" advertise ");
    if (adv != std::string::npos) {
        out.advertise = text.substr(adv + 11);
        while (!out.advertise.empty() && out.advertise.front() == ' ')
            out.advertise.erase(0, 1);
        text.erase(adv);
    }
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    std::string_view rest = text;
    for (const char* proto : {"udp:", "tcp:", "tls:", "sctp:"}) {
        std::string_view p(proto);
        if (rest.size() > p.size() && std::equal(p.begin(), p.end(), rest.begin(), [](char a, char b) {
                return a == std::tolower(static_cast<unsigned char>(b));
            })) {
            out.proto = std::string(p.substr(0, p.size() - 1));
            rest.remove_prefix(p.size());
            break;
        }
    }
    std::string_view host;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos) {
            error = "missing ']' after the IPv6 address";
            return false;
        }
        host = rest.substr(1, close - 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                error = "expected ':port' after the IPv6 address";
                return false;
            }
            port = after.substr(1);
        }
        out.ipv6 = true;
    } else if (std::count(rest.begin(), rest.end(), ':') > 1) {
        host = rest; // a bare IPv6 address; a port needs brackets
        out.ipv6 = true;
    } else {
        auto colon = rest.find(':');
        host = rest.substr(0, colon);
        if (colon != std::string_view::npos)
            port = rest.substr(colon + 1);
    }
    out.host = std::string(host);
    if (out.ipv6) {
        unsigned char buf[16];
        if (inet_pton(AF_INET6, out.host.c_str(), buf) != 1) {
            error = "'" + out.host + "' is not an IPv6 address";
            return false;
        }
    } else if (!out.host.empty() && std::isdigit(static_cast<unsigned char>(out.host.back())) &&
               std::all_of(out.host.begin(), out.host.end(),
                           [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; })) {
        unsigned char buf[4];
        if (inet_pton(AF_INET, out.host.c_str(), buf) != 1) {
            error = "'" + out.host + "' is not an IPv4 address";
            return false;
        }
    } else if (!valid_host_name(out.host) && out.host != "*") {
        error = "'" + out.host + "' is not an address or a host name";
        return false;
    }
    if (!port.empty() && !parse_port(port, out.port)) {
        error = "'" + std::string(port) + "' is not a port (1-65535)";
        return false;
    }
    if (port.empty() && rest.size() && rest.back() == ':') {
        error = "a port is missing after ':'";
        return false;
    }
    return true;
}

void apply_global_param(global_params& params, const std::string& name, source_location name_where,
                        const param_value& value, source_location value_where, diagnostics& diags) {
    params.written[name] = value.text;
    auto need_int = [&](int& target, int low, int high) {
        if (!value.is_number || value.number < low || value.number > high) {
            diags.error(value_where, "'" + name + "' needs a number from " + std::to_string(low) + " to " +
                                         std::to_string(high));
            return;
        }
        target = static_cast<int>(value.number);
    };
    auto need_bool = [&](bool& target) {
        if (!parse_bool(value, target))
            diags.error(value_where, "'" + name + "' needs yes or no",
                        "also accepted: on/off, true/false, 1/0");
    };
    if (name == "debug") {
        // Kamailio takes any number; levels past L_DBG (3) log what L_DBG logs, below L_ALERT (-5) nothing
        // more.
        if (!value.is_number) {
            diags.error(value_where, "'debug' needs a number", "from -5 (alert) to 3 (debug)");
        } else if (value.number > 3 || value.number < -5) {
            params.debug = value.number > 3 ? 3 : -5;
            diags.warning(value_where, "debug=" + std::to_string(value.number) + " is taken as " +
                                           std::to_string(params.debug) + ", the " +
                                           (value.number > 3 ? "highest" : "lowest") + " level");
        } else {
            params.debug = static_cast<int>(value.number);
        }
    } else if (name == "fork") {
        need_bool(params.fork);
    } else if (name == "log_stderror") {
        need_bool(params.log_stderror);
    } else if (name == "auto_aliases") {
        need_bool(params.auto_aliases);
    } else if (name == "children") {
        need_int(params.children, 1, 1024);
    } else if (name == "max_while_loops") {
        int limit = 0;
        need_int(limit, 1, 100000000);
        if (limit > 0)
            params.max_while_loops = static_cast<std::uint32_t>(limit);
    } else if (name == "port") {
        std::uint16_t port = 0;
        if (!parse_port(value.is_number ? std::to_string(value.number) : value.text, port))
            diags.error(value_where, "'port' needs a port number (1-65535)");
        else
            params.port = port;
    } else if (name == "log_facility") {
        static const std::vector<std::string> facilities = {
            "LOG_AUTH",   "LOG_AUTHPRIV", "LOG_CRON",   "LOG_DAEMON", "LOG_FTP",
            "LOG_KERN",   "LOG_LOCAL0",   "LOG_LOCAL1", "LOG_LOCAL2", "LOG_LOCAL3",
            "LOG_LOCAL4", "LOG_LOCAL5",   "LOG_LOCAL6", "LOG_LOCAL7", "LOG_LPR",
            "LOG_MAIL",   "LOG_NEWS",     "LOG_SYSLOG", "LOG_USER",   "LOG_UUCP"};
        if (std::find(facilities.begin(), facilities.end(), value.text) == facilities.end()) {
            std::string near = nearest_name(value.text, facilities);
            diags.error(value_where, "unknown log facility '" + value.text + "'",
                        near.empty() ? "for example LOG_LOCAL0" : "did you mean '" + near + "'?");
        } else {
            params.log_facility = value.text;
        }
    } else if (name == "log_prefix") {
        if (!value.quoted)
            diags.error(value_where, "'log_prefix' needs a quoted string");
        params.log_prefix = value.text;
        params.log_prefix_where = value_where;
    } else if (name == "log_name") {
        params.log_name = value.text;
    } else if (name == "mpath" || name == "loadpath") {
        if (!value.quoted)
            diags.error(value_where, "'" + name + "' needs a quoted string",
                        "mpath=\"/usr/lib/siphost/modules\"");
        params.mpath = value.text;
    } else if (name == "listen") {
        listen_address address;
        std::string error;
        if (!parse_listen(value.text, address, error)) {
            diags.error(value_where, "bad listen address '" + value.text + "': " + error,
                        "write [proto:]addr[:port], e.g. udp:127.0.0.1:5060 or udp:[::1]:5060");
        } else {
            address.where = value_where;
            params.listen.push_back(std::move(address));
        }
    } else if (name == "disable_tcp") {
        need_bool(params.disable_tcp);
    } else if (name == "onsend_route_reply") {
        need_bool(params.onsend_route_reply);
    } else if (name == "tcp_accept_no_cl") {
        need_bool(params.tcp_accept_no_cl);
    } else if (name == "tcp_accept_aliases") {
        need_bool(params.tcp_accept_aliases);
    } else if (name == "enable_tls") {
        need_bool(params.enable_tls);
    } else if (name == "disable_tls") {
        bool disabled = !params.enable_tls;
        need_bool(disabled);
        params.enable_tls = !disabled;
    } else if (name == "tls_port_no") {
        int port = params.tls_port_no;
        need_int(port, 1, 65535);
        params.tls_port_no = static_cast<std::uint16_t>(port);
    } else if (name == "tcp_keepalive") {
        need_bool(params.tcp_keepalive);
    } else if (name == "tcp_connection_lifetime") {
        need_int(params.tcp_connection_lifetime, 1, 86400 * 365);
    } else if (name == "tcp_max_connections") {
        need_int(params.tcp_max_connections, 1, 1000000);
    } else if (name == "tcp_connect_timeout") {
        need_int(params.tcp_connect_timeout, 1, 3600);
    } else if (name == "tcp_send_timeout") {
        need_int(params.tcp_send_timeout, 1, 3600);
    } else if (name == "tcp_children") {
        need_int(params.tcp_children, 1, 64);
    } else if (name == "alias") {
        if (value.text.empty())
            diags.error(value_where, "'alias' needs a host name");
        else
            params.alias.push_back(value.text);
    } else if (std::find(ignored_params().begin(), ignored_params().end(), name) != ignored_params().end()) {
        diags.warning(name_where, "parameter '" + name + "' is accepted but has no effect in siphost");
    } else {
        std::string near = nearest_name(name, known_global_params());
        diags.error(name_where, "unknown global parameter '" + name + "'",
                    near.empty() ? std::string() : "did you mean '" + near + "'?");
    }
}

} // namespace siphost::cfg
