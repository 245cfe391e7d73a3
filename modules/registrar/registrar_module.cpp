// registrar: SIP registrations (Kamailio's registrar module) over usrloc's table, replying through sl.
//
//   save(domain[, flags[, uri]])        a REGISTER: add, refresh or remove bindings, reply 200 listing them
//   lookup(domain[, uri])               route to the AOR's contacts: the best into the Request-URI, the rest
//                                       as branches (append_branches)
//   lookup_branches(domain)             lookup() on the Request-URI and on each plain branch
//   registered(domain[, uri])           true when the AOR has a contact
//   unregister(domain, uri[, ruid])     remove the AOR's contacts, or one of them
//
// Return codes, parameters and error replies are Kamailio's; docs/registrar.md is the long form.
#include "registrar.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

namespace siphost::modules::registrar {

context& ctx() {
    static context instance;
    return instance;
}

void log(int level, std::string_view text) {
    sdk::log(ctx().host, ctx().self, level, text);
}

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/// Undoes %XX escapes of a URI's user part. False on a broken escape.
bool unescape(std::string_view in, std::string& out) {
    out.clear();
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size())
            return false;
        int hi = hex_digit(in[i + 1]);
        int lo = hex_digit(in[i + 2]);
        if (hi < 0 || lo < 0)
            return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return true;
}

} // namespace

bool extract_aor(std::string_view text, std::string& aor, bool& no_user) {
    const context& c = ctx();
    no_user = false;
    siphost_uri uri;
    if (!sdk::parse_uri(c.host, sdk::trim(text), uri) ||
        (uri.scheme != SIPHOST_URI_SIP && uri.scheme != SIPHOST_URI_SIPS && uri.scheme != SIPHOST_URI_TEL))
        return false;
    std::string user;
    if (!unescape(sdk::view(uri.user), user))
        return false;
    if (user.empty()) {
        no_user = true;
        return false;
    }
    if (c.params.case_sensitive == 0)
        for (char& ch : user)
            ch = sdk::ascii_lower(ch);
    aor = std::move(user);
    if (c.ul->use_domain() != 0 && uri.host.len > 0) {
        aor.push_back('@');
        for (char ch : sdk::view(uri.host))
            aor.push_back(sdk::ascii_lower(ch));
    }
    return true;
}

namespace {

/// A header name as RFC 3261 writes one (a token), or empty (sock_hdr_name not set).
bool valid_header_name(std::string_view name) {
    constexpr std::string_view token_marks = "-.!%*_+`'~";
    return std::all_of(name.begin(), name.end(), [&](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) != 0 ||
               token_marks.find(ch) != std::string_view::npos;
    });
}

/// $ruid: the ruid of the Request-URI's branch, which the last successful lookup() set; null before. Kept
/// when the script changes the Request-URI afterwards or a later lookup() finds nothing (Kamailio 5.6.3,
/// measured). In branch_route tm's copy of the branch carries that branch's own.
int get_ruid(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    siphost_branch own = sdk::sized<siphost_branch>();
    if (ctx().host->msgctx->ruri_branch(msg, &own) != 0 || own.ruid.len == 0)
        *out = sdk::null_value();
    else
        *out = sdk::str_value(sdk::view(own.ruid));
    return 0;
}

/// A call site's location table (its first argument, a constant) and constant flags.
struct call_site {
    siphost_udomain* domain = nullptr;
    uint32_t match_option = 0; ///< registered(): 1 Call-ID, 2 received, 4 contact
    uint32_t match_action = 0; ///< registered(): 1 restore the contact's xavps, 2 no xavp_rcd
};

std::unique_ptr<call_site> fix_domain(const siphost_value* args, const int* constant) {
    if (!constant[0])
        throw sdk::config_error("the location table must be a constant name, such as \"location\"");
    prepare_xavps();
    auto site = std::make_unique<call_site>();
    site->domain = ctx().ul->get_domain(args[0].str);
    if (site->domain == nullptr)
        throw sdk::config_error("cannot open location table '" + std::string(sdk::arg_view(args[0])) +
                                "' (see usrloc's log)");
    return site;
}

/// save()'s flags: decimal or hexadecimal ("0x04"). False when neither.
bool parse_flags(const siphost_value& v, uint32_t& flags) {
    int64_t n = 0;
    if (sdk::arg_int(v, n) && n >= 0 && n <= UINT32_MAX) {
        flags = static_cast<uint32_t>(n);
        return true;
    }
    std::string_view text = sdk::trim(sdk::arg_view(v));
    if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X') || text.size() > 10)
        return false;
    uint32_t value = 0;
    for (char ch : text.substr(2)) {
        int d = hex_digit(ch);
        if (d < 0)
            return false;
        value = value * 16 + static_cast<uint32_t>(d);
    }
    flags = value;
    return true;
}

std::unique_ptr<call_site> fix_save(const siphost_value* args, const int* constant) {
    auto site = fix_domain(args, constant);
    uint32_t flags = 0;
    if (constant[1] && !parse_flags(args[1], flags))
        throw sdk::config_error("save(): flags must be a number, decimal or hexadecimal (\"0x04\")");
    return site;
}

/// registered()'s match_option (1 Call-ID, 2 received, 4 contact, compared with $xavp(<xavp_cfg>=>match_*))
/// and match_action (1 restore the contact's xavps, 2 no xavp_rcd): constants, as in Kamailio.
std::unique_ptr<call_site> fix_registered_match(const siphost_value* args, const int* constant,
                                                bool with_action) {
    auto site = fix_domain(args, constant);
    int64_t option = 0;
    if (!constant[2] || !sdk::arg_int(args[2], option) || option < 0 || option > 7)
        throw sdk::config_error("registered(): match_option must be a constant: a sum of 1 (Call-ID), 2 "
                                "(received), 4 (contact)");
    site->match_option = static_cast<uint32_t>(option);
    if (with_action) {
        int64_t action = 0;
        // 1 restores the xavps usrloc's xavp_contact saved with the contact. siphost's usrloc has no
        // xavp_contact (it refuses the parameter), so no contact carries any: nothing to restore, as in a
        // Kamailio without xavp_contact.
        if (!constant[3] || !sdk::arg_int(args[3], action) || action < 0 || action > 3)
            throw sdk::config_error("registered(): match_action must be a constant: a sum of 1 (restore the "
                                    "contact's xavps) and 2 (no xavp_rcd)");
        site->match_action = static_cast<uint32_t>(action);
    }
    if (option != 0 && (ctx().params.xavp_cfg == nullptr || *ctx().params.xavp_cfg == '\0'))
        log(SIPHOST_LOG_WARN, "registered(): match_option without modparam xavp_cfg compares nothing");
    prepare_xavps();
    return site;
}

std::unique_ptr<call_site> fix_registered3(const siphost_value* args, const int* constant) {
    return fix_registered_match(args, constant, false);
}

std::unique_ptr<call_site> fix_registered4(const siphost_value* args, const int* constant) {
    return fix_registered_match(args, constant, true);
}

siphost_udomain* domain_of(void* call_data) {
    return call_data != nullptr ? static_cast<call_site*>(call_data)->domain : nullptr;
}

int cmd_save(siphost_msg* msg, const siphost_value* args, void* data, int argc) {
    uint32_t flags = 0;
    if (argc >= 2 && !parse_flags(args[1], flags)) {
        log(SIPHOST_LOG_ERR, "save(): flags are not a number");
        return -1;
    }
    return save(msg, domain_of(data), flags, argc >= 3 ? sdk::arg_view(args[2]) : std::string_view());
}
int cmd_save1(siphost_msg* msg, const siphost_value* args, void* data) {
    return cmd_save(msg, args, data, 1);
}
int cmd_save2(siphost_msg* msg, const siphost_value* args, void* data) {
    return cmd_save(msg, args, data, 2);
}
int cmd_save3(siphost_msg* msg, const siphost_value* args, void* data) {
    return cmd_save(msg, args, data, 3);
}
int cmd_lookup1(siphost_msg* msg, const siphost_value*, void* data) {
    return lookup(msg, domain_of(data), {});
}
int cmd_lookup2(siphost_msg* msg, const siphost_value* args, void* data) {
    return lookup(msg, domain_of(data), sdk::arg_view(args[1]));
}
int cmd_lookup_branches(siphost_msg* msg, const siphost_value*, void* data) {
    return lookup_branches(msg, domain_of(data));
}
int cmd_registered1(siphost_msg* msg, const siphost_value*, void* data) {
    return registered(msg, domain_of(data), {}, 0, 0);
}
int cmd_registered2(siphost_msg* msg, const siphost_value* args, void* data) {
    return registered(msg, domain_of(data), sdk::arg_view(args[1]), 0, 0);
}
int cmd_registered_match(siphost_msg* msg, const siphost_value* args, void* data) {
    const auto* site = static_cast<const call_site*>(data);
    return registered(msg, domain_of(data), sdk::arg_view(args[1]), site != nullptr ? site->match_option : 0,
                      site != nullptr ? site->match_action : 0);
}
int cmd_unregister2(siphost_msg* msg, const siphost_value* args, void* data) {
    return unregister(msg, domain_of(data), sdk::arg_view(args[1]), {});
}
int cmd_unregister3(siphost_msg* msg, const siphost_value* args, void* data) {
    return unregister(msg, domain_of(data), sdk::arg_view(args[1]), sdk::arg_view(args[2]));
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        context& c = ctx();
        c.host = host;
        c.self = self;
        c.sl = static_cast<const siphost_sl_api_v1*>(
            host->api_lookup(SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR));
        if (c.sl == nullptr || !SIPHOST_HAS(siphost_sl_api_v1, c.sl, reply_with))
            throw sdk::config_error("registrar needs sl's API: load sl before registrar");
        c.ul = static_cast<const siphost_usrloc_api_v1*>(
            host->api_lookup(SIPHOST_USRLOC_API_NAME, SIPHOST_USRLOC_API_MAJOR));
        if (c.ul == nullptr || !SIPHOST_HAS(siphost_usrloc_api_v1, c.ul, nat_bflag))
            throw sdk::config_error("registrar needs usrloc's API: load usrloc before registrar");
        const settings& p = c.params;
        if (p.default_expires < 0 || p.min_expires < 0 || p.max_expires < 0)
            throw sdk::config_error("default_expires, min_expires and max_expires must not be negative");
        if (p.path_mode < 0 || p.path_mode > 2)
            throw sdk::config_error("path_mode must be 0, 1 or 2");
        if (p.default_q < -1 || p.default_q > 1000)
            throw sdk::config_error("default_q must be -1 (unset) or 0..1000");
        if (p.contact_max_size < 16)
            throw sdk::config_error("contact_max_size must be at least 16");
        if (p.xavp_rcd_mask < 0 || p.xavp_rcd_mask > 31)
            throw sdk::config_error("xavp_rcd_mask must be a sum of 1, 2, 4, 8, 16 (0..31)");
        if (p.sock_flag < -1 || p.sock_flag > 63)
            throw sdk::config_error("sock_flag must be a message flag (0..63), or -1 for none");
        if (p.sock_hdr_name != nullptr && !valid_header_name(p.sock_hdr_name))
            throw sdk::config_error("sock_hdr_name '" + std::string(p.sock_hdr_name) +
                                    "' is not a header name (write the name only, without ':')");
        if (p.lookup_filter_mode < 0 || p.lookup_filter_mode > 7)
            throw sdk::config_error(
                "lookup_filter_mode " + std::to_string(p.lookup_filter_mode) +
                ": a sum of 1 (contacts with a branch flag of rlf_bflags), 2 (contacts whose "
                "REGISTER's connection is still open) and 4 (nothing, as in Kamailio 5.6)");
        if (p.gruu_enabled != 0)
            throw sdk::config_error("gruu_enabled " + std::to_string(p.gruu_enabled) +
                                    ": siphost's registrar does not make GRUUs (RFC 5627); set it to 0");
        c.accepted = sdk::register_counter(host, self, "accepted_regs", "REGISTERs saved");
        c.rejected = sdk::register_counter(host, self, "rejected_regs", "REGISTERs refused");
        return 0;
    });
}

void destroy() {
    free_xavps();
    context& c = ctx();
    if (c.received_pv != nullptr)
        c.host->pv_free(c.received_pv);
    c.received_pv = nullptr;
}

/// received_avp is a pseudo-variable: parsed at the first fixup (pv_parse works from the fixups on).
void parse_received_avp() {
    context& c = ctx();
    if (c.params.received_avp != nullptr && *c.params.received_avp != '\0' && c.received_pv == nullptr) {
        char err[200] = "";
        c.received_pv = c.host->pv_parse(sdk::str(c.params.received_avp), err, sizeof err);
        if (c.received_pv == nullptr)
            throw sdk::config_error(std::string("received_avp: ") + err);
    }
}

std::unique_ptr<call_site> fix_save1(const siphost_value* args, const int* constant) {
    parse_received_avp();
    return fix_domain(args, constant);
}

std::unique_ptr<call_site> fix_save_flags(const siphost_value* args, const int* constant) {
    parse_received_avp();
    return fix_save(args, constant);
}

constexpr uint32_t save_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE;
constexpr uint32_t lookup_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE;

siphost_command cmd(const char* name, uint32_t routes, siphost_command_fn fn,
                    std::initializer_list<siphost_arg_kind> args, siphost_fixup_fn fixup, const char* doc) {
    return sdk::command(name, routes, fn, args, fixup, sdk::free_call_data<call_site>, doc);
}

const siphost_command commands[] = {
    cmd("save", save_routes, sdk::guarded<&cmd_save1>, {SIPHOST_ARG_STRING}, sdk::fixup<&fix_save1>,
        "save(domain): stores the REGISTER's contacts and replies"),
    cmd("save", save_routes, sdk::guarded<&cmd_save2>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
        sdk::fixup<&fix_save_flags>, "save(domain, flags)"),
    cmd("save", save_routes, sdk::guarded<&cmd_save3>,
        {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_save_flags>,
        "save(domain, flags, uri)"),
    cmd("lookup", lookup_routes, sdk::guarded<&cmd_lookup1, -3>, {SIPHOST_ARG_STRING},
        sdk::fixup<&fix_domain>, "lookup(domain): routes to the Request-URI's contacts"),
    cmd("lookup", lookup_routes, sdk::guarded<&cmd_lookup2, -3>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
        sdk::fixup<&fix_domain>, "lookup(domain, uri)"),
    cmd("lookup_branches", lookup_routes, sdk::guarded<&cmd_lookup_branches, -3>, {SIPHOST_ARG_STRING},
        sdk::fixup<&fix_domain>,
        "lookup_branches(domain): lookup() on the Request-URI and each plain branch"),
    cmd("registered", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_registered1>, {SIPHOST_ARG_STRING},
        sdk::fixup<&fix_domain>, "registered(domain): true when the Request-URI's AOR has a contact"),
    cmd("registered", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_registered2>,
        {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_domain>, "registered(domain, uri)"),
    cmd("registered", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_registered_match>,
        {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_INT}, sdk::fixup<&fix_registered3>,
        "registered(domain, uri, match_option): only contacts matching $xavp(<xavp_cfg>=>match_*)"),
    cmd("registered", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_registered_match>,
        {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_INT, SIPHOST_ARG_INT},
        sdk::fixup<&fix_registered4>,
        "registered(domain, uri, match_option, match_action): 1 restores the contact's xavps, 2 leaves "
        "xavp_rcd alone"),
    cmd("unregister", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_unregister2>,
        {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_domain>,
        "unregister(domain, uri): removes every contact of the AOR"),
    cmd("unregister", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_unregister3>,
        {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_domain>,
        "unregister(domain, uri, ruid): removes one contact"),
    sdk::end_of_commands(),
};

settings& p = ctx().params;

const siphost_param params[] = {
    sdk::int_param("default_expires", &p.default_expires, "expires of a contact that gives none"),
    sdk::int_param("min_expires", &p.min_expires, "the lowest expires accepted (0: no minimum)"),
    sdk::int_param("min_expires_mode", &p.min_expires_mode, "below min_expires: 0 raise it, 1 reply 423"),
    sdk::int_param("max_expires", &p.max_expires, "the highest expires stored (0: no maximum)"),
    sdk::int_param("default_q", &p.default_q, "q of a contact that gives none (-1: unset)"),
    sdk::int_param("append_branches", &p.append_branches, "lookup() adds the other contacts as branches"),
    sdk::int_param("case_sensitive", &p.case_sensitive, "AOR users compare case-sensitively"),
    sdk::int_param("max_contacts", &p.max_contacts, "the most contacts per AOR (0: no limit)"),
    sdk::int_param("retry_after", &p.retry_after, "Retry-After of 5xx replies (0: none)"),
    sdk::int_param("method_filtering", &p.method_filtering,
                   "lookup() skips contacts not allowing the method"),
    sdk::int_param("use_path", &p.use_path, "store the Path header"),
    sdk::int_param("path_mode", &p.path_mode, "0 store, 1 echo when supported, 2 require 'path' support"),
    sdk::int_param("contact_max_size", &p.contact_max_size, "the longest Contact URI stored"),
    sdk::int_param("gruu_enabled", &p.gruu_enabled,
                   "GRUU in replies (RFC 5627): only 0, siphost makes no GRUUs"),
    sdk::string_param("received_avp", &p.received_avp, "pseudo-variable holding the received URI"),
    sdk::string_param("received_param", &p.received_param, "Contact parameter naming the received URI"),
    sdk::string_param(
        "xavp_cfg", &p.xavp_cfg,
        "xavp of per-request settings: max_contacts, expires, q, match_callid/received/contact, rlf_bflags, "
        "socket"),
    sdk::string_param("xavp_rcd", &p.xavp_rcd,
                      "xavp that gets the used record's ruid, contact, expires, received, path"),
    sdk::int_param("xavp_rcd_mask", &p.xavp_rcd_mask,
                   "xavp_rcd fields left out: 1 ruid, 2 contact, 4 expires, 8 received, 16 path"),
    sdk::int_param("sock_flag", &p.sock_flag,
                   "message flag: save() stores the socket $xavp(<xavp_cfg>=>socket) names (-1: none)"),
    sdk::string_param("sock_hdr_name", &p.sock_hdr_name,
                      "with sock_flag: the header whose value names the socket save() stores (instead of the "
                      "xavp_cfg socket)"),
    sdk::int_param("lookup_filter_mode", &p.lookup_filter_mode,
                   "1: lookup() keeps contacts with a branch flag of $xavp(<xavp_cfg>=>rlf_bflags); 2: only "
                   "those whose REGISTER's connection is still open"),
    sdk::end_of_params(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("ruid", SIPHOST_PV_NAME_NONE, get_ruid, nullptr, nullptr, nullptr,
                         "the ruid of the location record lookup() put into the Request-URI"),
    sdk::end_of_pvs(),
};

const char* const depends[] = {"sl", "usrloc", nullptr};

const siphost_module descriptor = sdk::module({.name = "registrar",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .pvs = pvs,
                                               .depends = depends,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::registrar

SIPHOST_MODULE(siphost::modules::registrar::descriptor)
