#include "cfg/core_functions.hpp"

#include <utility>

namespace siphost::cfg {

const std::vector<core_function>& core_functions() {
    constexpr std::uint32_t any = SIPHOST_ROUTE_ANY;
    constexpr std::uint32_t request_like =
        SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_BRANCH;
    constexpr std::uint32_t forwarding = request_like | SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_TM_ONREPLY;
    constexpr auto S = SIPHOST_ARG_STRING;
    constexpr auto I = SIPHOST_ARG_INT;
    static const std::vector<core_function> table = {
        {"forward", core_op::forward, 0, forwarding, {}},
        {"forward", core_op::forward, 1, forwarding, {S}},
        {"forward", core_op::forward, 2, forwarding, {S, I}},
        {"forward_udp", core_op::forward_udp, 0, forwarding, {}},
        {"forward_udp", core_op::forward_udp, 1, forwarding, {S}},
        {"forward_udp", core_op::forward_udp, 2, forwarding, {S, I}},
        {"forward_tcp", core_op::forward_tcp, 0, forwarding, {}},
        {"forward_tcp", core_op::forward_tcp, 1, forwarding, {S}},
        {"forward_tcp", core_op::forward_tcp, 2, forwarding, {S, I}},
        {"setflag", core_op::setflag, 1, any, {I}},
        {"resetflag", core_op::resetflag, 1, any, {I}},
        {"isflagset", core_op::isflagset, 1, any, {I}},
        {"log", core_op::log, 1, any, {S}},
        {"log", core_op::log, 2, any, {I, S}},
        {"rewriteuri", core_op::rewriteuri, 1, request_like, {S}},
        {"seturi", core_op::rewriteuri, 1, request_like, {S}},
        {"revert_uri", core_op::revert_uri, 0, request_like, {}},
        {"setdsturi", core_op::setdsturi, 1, request_like, {S}},
        {"resetdsturi", core_op::resetdsturi, 0, request_like, {}},
        {"force_rport", core_op::force_rport, 0, SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_BRANCH, {}},
        {"add_rport", core_op::force_rport, 0, SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_BRANCH, {}},
        {"is_myself", core_op::is_myself, 1, any, {S}},
        {"append_branch", core_op::append_branch, 0, SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE, {}},
        {"append_branch", core_op::append_branch, 1, SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE, {S}},
    };
    return table;
}

namespace {
const std::vector<std::pair<std::string_view, std::string_view>>& standard_table() {
    static const std::vector<std::pair<std::string_view, std::string_view>> table = {
        {"t_relay", "tm"},
        {"t_relay_to_udp", "tm"},
        {"t_relay_to_tcp", "tm"},
        {"t_relay_to_tls", "tm"},
        {"t_on_reply", "tm"},
        {"t_on_failure", "tm"},
        {"t_on_branch", "tm"},
        {"t_reply", "tm"},
        {"t_check_trans", "tm"},
        {"t_newtran", "tm"},
        {"t_check_status", "tm"},
        {"t_release", "tm"},
        {"t_is_canceled", "tm"},
        {"t_set_fr", "tm"},
        {"t_forward_nonack", "tm"},
        {"t_lookup_request", "tm"},
        {"t_branch_timeout", "tm"},
        {"t_any_timeout", "tm"},
        {"t_precheck_trans", "tm"},
        {"sl_send_reply", "sl"},
        {"sl_reply", "sl"},
        {"sl_reply_error", "sl"},
        {"send_reply", "sl"},
        {"record_route", "rr"},
        {"loose_route", "rr"},
        {"record_route_preset", "rr"},
        {"add_rr_param", "rr"},
        {"is_method", "textops"},
        {"append_hf", "textops"},
        {"remove_hf", "textops"},
        {"is_present_hf", "textops"},
        {"search", "textops"},
        {"subst", "textops"},
        {"insert_hf", "textops"},
        {"has_body", "textops"},
        {"search_append", "textops"},
        {"replace", "textops"},
        {"subst_uri", "textops"},
        {"append_to_reply", "textops"},
        {"xlog", "xlog"},
        {"xdbg", "xlog"},
        {"xinfo", "xlog"},
        {"xnotice", "xlog"},
        {"xwarn", "xlog"},
        {"xerr", "xlog"},
        {"xbug", "xlog"},
        {"xcrit", "xlog"},
        {"xalert", "xlog"},
        {"mf_process_maxfwd_header", "maxfwd"},
        {"is_maxfwd_lt", "maxfwd"},
        {"pv_isset", "pv"},
        {"pv_unset", "pv"},
        {"sanity_check", "sanity"},
        {"save", "registrar"},
        {"lookup", "registrar"},
        {"registered", "registrar"},
        {"auth_check", "auth_db"},
        {"www_authorize", "auth_db"},
        {"proxy_authorize", "auth_db"},
        {"auth_challenge", "auth"},
        {"consume_credentials", "auth"},
        {"is_uri_host_local", "domain"},
        {"is_from_local", "domain"},
        {"uri_param", "siputils"},
        {"has_totag", "siputils"},
        {"is_user", "siputils"},
        {"nat_uac_test", "nathelper"},
        {"fix_nated_contact", "nathelper"},
        {"fix_nated_register", "nathelper"},
        {"dlg_manage", "dialog"},
        {"ds_select_dst", "dispatcher"},
        {"ds_next_dst", "dispatcher"},
        {"acc_log_request", "acc"},
        {"rtpproxy_manage", "rtpproxy"},
        {"pike_check_req", "pike"},
    };
    return table;
}
} // namespace

std::string_view standard_module_for(std::string_view function) {
    for (const auto& [name, module] : standard_table())
        if (name == function)
            return module;
    return {};
}

std::vector<std::string_view> standard_function_names() {
    std::vector<std::string_view> names;
    for (const auto& entry : standard_table())
        names.push_back(entry.first);
    return names;
}

} // namespace siphost::cfg
