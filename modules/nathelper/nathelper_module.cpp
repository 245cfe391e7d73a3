// nathelper: helps UAs behind a NAT (Kamailio 5.6's nathelper module, without its RTP proxy parts).
//
//   nat_uac_test(flags)             guesses whether the sender is behind a NAT (nat_uac_test.cpp)
//   is_rfc1918(ip)                  the address is private (RFC 1918) or shared (RFC 6598)
//   fix_nated_contact()             the Contact's host:port become the source's
//   fix_nated_register()            the source as a URI in received_avp, for the registrar's save()
//   add_rcv_param([flag])           ;received="source URI" on each contact (flag: in the URI)
//   set_contact_alias([trim])       ;alias=ip~port~proto on the Contact URI (the source)
//   add_contact_alias([ip, port, proto])  the same when the Contact differs from the source, or as given
//   handle_ruri_alias()             a Request-URI's alias becomes $du and leaves the URI
//   set_alias_to_pv(pv)             the Contact's alias as a URI in a pseudo-variable
//   fix_nated_sdp(flags[, ip])      the SDP's media (and origin) address become the source's (sdp.cpp)
//
// With natping_interval set, NAT keepalives go to usrloc's contacts (nat_pinger.cpp).
#include "nat_pinger.hpp"
#include "nathelper.hpp"

#include <memory>

namespace siphost::modules::nathelper {

context& ctx() {
    static context instance;
    return instance;
}

void log(int level, std::string_view text) {
    sdk::log(ctx().host, ctx().self, level, text);
}

namespace {

settings& p = ctx().params;

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        context& c = ctx();
        c.host = host;
        c.self = self;
        auto bflag_ok = [](int32_t bit) { return bit >= -1 && bit < 64; };
        if (p.natping_interval < 0)
            throw sdk::config_error("natping_interval must be 0 (no pings) or a number of seconds");
        if (p.natping_processes < 1)
            throw sdk::config_error("natping_processes must be at least 1");
        if (!bflag_ok(p.sipping_bflag) || !bflag_ok(p.natping_disable_bflag))
            throw sdk::config_error("sipping_bflag and natping_disable_bflag must be -1 (unset) or 0..63");
        if (p.keepalive_timeout < 0)
            throw sdk::config_error("keepalive_timeout must be 0 (off) or a number of seconds");
        if (p.nat_addr_mode != 0 && p.nat_addr_mode != 1)
            throw sdk::config_error("nat_addr_mode must be 0 or 1");
        if (p.alias_name == nullptr || *p.alias_name == '\0')
            throw sdk::config_error("alias_name must not be empty");
        // Pinging from another address than a listening socket's takes raw sockets, which siphost does not
        // use.
        if (p.natping_socket != nullptr && *p.natping_socket != '\0')
            throw sdk::config_error("natping_socket (pings from a spoofed source) is not supported");
        if (p.udpping_from_path != 0)
            throw sdk::config_error("udpping_from_path (pings from the Path address) is not supported");
        if (p.force_socket != nullptr && *p.force_socket != '\0')
            throw sdk::config_error("force_socket is not supported yet: pings leave from the socket the host "
                                    "picks for each contact");
        if (p.sipping_from != nullptr && *p.sipping_from != '\0') {
            siphost_uri uri;
            if (!sdk::parse_uri(host, p.sipping_from, uri) || uri.host.len == 0)
                throw sdk::config_error(std::string("sipping_from must be a SIP URI, not '") +
                                        p.sipping_from + "'");
        }
        if (p.sipping_method == nullptr || *p.sipping_method == '\0' ||
            std::string_view(p.sipping_method).find_first_of(" \t\r\n") != std::string_view::npos)
            throw sdk::config_error("sipping_method must be a method name");
        if (p.natping_interval > 0)
            pinger().start(host, self);
        return 0;
    });
}

void destroy() {
    context& c = ctx();
    if (c.received_pv != nullptr)
        c.host->pv_free(c.received_pv);
    c.received_pv = nullptr;
}

// ---- fixups: constant arguments are checked when the config is read ----

std::unique_ptr<int> fix_nat_uac_test(const siphost_value* args, const int* constant) {
    int64_t flags = 0;
    if (constant[0] && (!sdk::arg_int(args[0], flags) || flags < 1 || flags > all_uac_tests))
        throw sdk::config_error("nat_uac_test() takes a sum of test flags from 1 to 511 (1, 2, 4, ... 256)");
    return nullptr;
}

std::unique_ptr<int> fix_nated_sdp(const siphost_value* args, const int* constant) {
    int64_t flags = 0;
    if (constant[0] && (!sdk::arg_int(args[0], flags) || flags < 1 || flags > 15))
        throw sdk::config_error("fix_nated_sdp() takes a sum of flags from 1 to 15 (1, 2, 4, 8)");
    return nullptr;
}

std::unique_ptr<int> fix_nated_sdp_ip(const siphost_value* args, const int* constant) {
    fix_nated_sdp(args, constant);
    std::string_view ip = sdk::trim(sdk::arg_view(args[1]));
    if (constant[1] && !ip.empty() && !parse_ip(ip))
        throw sdk::config_error("fix_nated_sdp(): '" + std::string(ip) + "' is not an IP address");
    return nullptr;
}

std::unique_ptr<int> fix_int_flag(const siphost_value* args, const int* constant) {
    int64_t value = 0;
    if (constant[0] && !sdk::arg_int(args[0], value))
        throw sdk::config_error("the flag must be a number");
    return nullptr;
}

std::unique_ptr<int> fix_add_contact_alias(const siphost_value* args, const int* constant) {
    int64_t port = 0;
    if (constant[0] && !parse_ip(sdk::trim(sdk::arg_view(args[0]))))
        throw sdk::config_error("add_contact_alias(): '" + std::string(sdk::arg_view(args[0])) +
                                "' is not an IP address");
    if (constant[1] && (!sdk::arg_int(args[1], port) || port < 1 || port > 65535))
        throw sdk::config_error("add_contact_alias(): the port must be 1..65535");
    if (constant[2] && proto_number(sdk::trim(sdk::arg_view(args[2]))) == 0)
        throw sdk::config_error("add_contact_alias(): the transport must be udp, tcp, tls, sctp, ws or wss");
    return nullptr;
}

/// received_avp is a pseudo-variable: parsed at the first fixup that needs it (pv_parse works from the fixups
/// on, not in init).
std::unique_ptr<int> fix_register(const siphost_value*, const int*) {
    context& c = ctx();
    if (c.received_pv != nullptr)
        return nullptr;
    if (p.received_avp == nullptr || *p.received_avp == '\0') {
        log(SIPHOST_LOG_WARN, "fix_nated_register() does nothing without modparam(\"nathelper\", "
                              "\"received_avp\", ...)");
        return nullptr;
    }
    char err[200] = "";
    c.received_pv = c.host->pv_parse(sdk::str(p.received_avp), err, sizeof err);
    if (c.received_pv == nullptr)
        throw sdk::config_error(std::string("received_avp: ") + err);
    return nullptr;
}

int fix_pv_target(const siphost_value* args, const int*, void** call_data, char* err, size_t err_size) {
    siphost_pv_spec* spec = ctx().host->pv_parse(args[0].str, err, err_size);
    if (spec == nullptr)
        return -1;
    *call_data = spec;
    return 0;
}

void free_pv_target(void* call_data) {
    if (call_data != nullptr)
        ctx().host->pv_free(static_cast<siphost_pv_spec*>(call_data));
}

// ---- pseudo-variables ----

/// $rr_count: the Record-Route entries of the message (each URI of a header line counts).
int get_rr_count(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    siphost_str value{};
    uint32_t count = 0;
    while (ctx().host->msg_header(msg, sdk::str("Record-Route"), count, &value) == 1)
        ++count;
    *out = sdk::int_value(count);
    return 0;
}

/// $rr_top_count: 2 when the topmost Record-Route is one of the pair a proxy adds on a transport change
/// (its URI carries r2=on), 1 for a single one, 0 without any.
int get_rr_top_count(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    siphost_str value{};
    if (ctx().host->msg_header(msg, sdk::str("Record-Route"), 0, &value) != 1) {
        *out = sdk::int_value(0);
        return 0;
    }
    siphost_uri uri{};
    std::string_view r2;
    bool doubled = sdk::parse_uri(ctx().host, sdk::uri_of(ctx().host, sdk::view(value)), uri) &&
                   sdk::param(ctx().host, sdk::view(uri.params), "r2", &r2) && sdk::iequals(r2, "on");
    *out = sdk::int_value(doubled ? 2 : 1);
    return 0;
}

// ---- RPC ----

void rpc_enable_ping(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = ctx().host->rpc;
    siphost_value value{};
    int64_t on = 0;
    if (rpc->param_count(call) != 1 || rpc->param(call, 0, &value) != 0 || !sdk::arg_int(value, on)) {
        rpc->fault(call, 400, sdk::str("one number: 0 stops NAT pings, another starts them"));
        return;
    }
    pinger().set_enabled(on != 0);
}

// ---- the tables ----

constexpr uint32_t request = SIPHOST_ROUTE_REQUEST;
constexpr uint32_t onreply = SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_TM_ONREPLY;
constexpr uint32_t branch = SIPHOST_ROUTE_BRANCH;
constexpr uint32_t failure = SIPHOST_ROUTE_FAILURE;
constexpr uint32_t local = SIPHOST_ROUTE_LOCAL;
using sdk::command;
using sdk::fixup;
using sdk::guarded;
constexpr auto S = SIPHOST_ARG_STRING;
constexpr auto I = SIPHOST_ARG_INT;

const siphost_command commands[] = {
    command("nat_uac_test", request | onreply | failure | branch, guarded<&cmd_nat_uac_test>, {I},
            fixup<&fix_nat_uac_test>, nullptr,
            "true when a test of the flags says the sender is behind a NAT"),
    command("is_rfc1918", SIPHOST_ROUTE_ANY, guarded<&cmd_is_rfc1918>, {S}, nullptr, nullptr,
            "the address is private (RFC 1918) or shared (RFC 6598)"),
    command("fix_nated_contact", request | onreply | branch, guarded<&cmd_fix_nated_contact>, {}, nullptr,
            nullptr, "writes the source address and port into the Contact URI"),
    command("fix_nated_register", request, guarded<&cmd_fix_nated_register>, {}, fixup<&fix_register>,
            nullptr, "stores the source as a URI in received_avp for save()"),
    command("add_rcv_param", request, guarded<&cmd_add_rcv_param0>, {}, nullptr, nullptr,
            "adds received=\"source URI\" to each Contact"),
    command("add_rcv_param", request, guarded<&cmd_add_rcv_param1>, {I}, fixup<&fix_int_flag>, nullptr,
            "add_rcv_param(flag): nonzero puts it into the Contact URI"),
    command("set_contact_alias", request | onreply | branch | failure, guarded<&cmd_set_contact_alias0>, {},
            nullptr, nullptr, "adds alias=ip~port~proto of the source to the Contact URI"),
    command("set_contact_alias", request | onreply | branch | failure, guarded<&cmd_set_contact_alias1>, {I},
            fixup<&fix_int_flag>, nullptr, "set_contact_alias(trim): 1 first drops an alias already there"),
    command("add_contact_alias", request | onreply | branch | local, guarded<&cmd_add_contact_alias0>, {},
            nullptr, nullptr, "adds the source's alias when the Contact differs from it (2: no need)"),
    command("add_contact_alias", request | onreply | branch | local, guarded<&cmd_add_contact_alias3>,
            {S, I, S}, fixup<&fix_add_contact_alias>, nullptr, "add_contact_alias(ip, port, proto)"),
    command("handle_ruri_alias", request | branch | local, guarded<&cmd_handle_ruri_alias>, {}, nullptr,
            nullptr, "moves the Request-URI's alias into $du (2: no alias)"),
    command("set_alias_to_pv", request | onreply | branch | failure, guarded<&cmd_set_alias_to_pv>,
            {SIPHOST_ARG_PVAR}, fix_pv_target, free_pv_target,
            "writes the Contact's alias as a URI to a variable"),
    command("fix_nated_sdp", request | onreply | failure | branch, guarded<&cmd_fix_nated_sdp1>, {I},
            fixup<&fix_nated_sdp>, nullptr,
            "points the SDP at the source (1 direction, 2 media, 4 mark, 8 origin)"),
    command("fix_nated_sdp", request | onreply | failure | branch, guarded<&cmd_fix_nated_sdp2>, {I, S},
            fixup<&fix_nated_sdp_ip>, nullptr, "fix_nated_sdp(flags, ip): the given address instead"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("natping_interval", &p.natping_interval, "seconds between NAT pings (0: none)"),
    sdk::int_param("ping_nated_only", &p.ping_nated_only, "ping only contacts with usrloc's nat_bflag"),
    sdk::int_param("natping_processes", &p.natping_processes, "accepted; pings go from one timer thread"),
    sdk::int_param("sipping_bflag", &p.sipping_bflag, "branch flag of contacts pinged with a SIP request"),
    sdk::int_param("natping_disable_bflag", &p.natping_disable_bflag, "branch flag of contacts never pinged"),
    sdk::int_param("keepalive_timeout", &p.keepalive_timeout,
                   "seconds without a reply to SIP pings before the contact is removed (0: never)"),
    sdk::int_param("udpping_from_path", &p.udpping_from_path, "not supported (raw sockets)"),
    sdk::int_param("append_sdp_oldmediaip", &p.append_sdp_oldmediaip,
                   "fix_nated_sdp adds a=oldmediaip with the address it replaced"),
    sdk::int_param("filter_server_id", &p.filter_server_id, "accepted; siphost is one server"),
    sdk::int_param("nat_addr_mode", &p.nat_addr_mode, "1: 192.0.0.0/24 counts as private too"),
    sdk::string_param("force_socket", &p.force_socket, "not supported yet"),
    sdk::string_param("natping_socket", &p.natping_socket, "not supported (raw sockets)"),
    sdk::string_param("received_avp", &p.received_avp, "pseudo-variable fix_nated_register writes"),
    sdk::string_param("sipping_from", &p.sipping_from, "From URI of SIP pings (unset: no SIP pings)"),
    sdk::string_param("sipping_method", &p.sipping_method, "method of SIP pings (OPTIONS)"),
    sdk::string_param("nortpproxy_str", &p.nortpproxy_str, "the SDP line fix_nated_sdp(4) adds"),
    sdk::string_param("alias_name", &p.alias_name, "the name of the alias parameter (alias)"),
    sdk::end_of_params(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("rr_count", SIPHOST_PV_NAME_NONE, get_rr_count, nullptr, nullptr, nullptr,
                         "the Record-Route entries of the message"),
    sdk::pseudo_variable("rr_top_count", SIPHOST_PV_NAME_NONE, get_rr_top_count, nullptr, nullptr, nullptr,
                         "2 when the top Record-Route is a double one (r2=on), 1 for a single one, 0 for none"),
    sdk::end_of_pvs(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("nathelper.enable_ping", rpc_enable_ping, "0 stops NAT pings, another number starts them", "d"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = "nathelper",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .pvs = pvs,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::nathelper

SIPHOST_MODULE(siphost::modules::nathelper::descriptor)
