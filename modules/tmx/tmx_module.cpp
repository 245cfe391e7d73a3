// tmx: pseudo-variables and helpers about the current transaction (Kamailio's tmx module), through the
// "tm" major 1 API (<siphost/api/tm.h>); tm must be loaded before tmx (the descriptor's depends).
//
//   $T_reply_code     the reply code (onreply: the reply's; failure: the chosen one; request: the last sent)
//   $T_req(pv)        pv evaluated on the transaction's request
//   $T_rpl(pv)        pv evaluated on the reply of onreply_route / the chosen reply of failure_route
//   $T_branch_idx     the branch a tm route runs for; in failure_route the number of branches so far
//   t_is_failure_route(), t_is_branch_route(), t_is_reply_route()
#include <siphost/api/tm.h>
#include <siphost/module.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace siphost::modules::tmx {
namespace {

const char module_name[] = "tmx";

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
const siphost_tm_api_v1* tm_ = nullptr;

/// $T_req(x) / $T_rpl(x): the inner pseudo-variable, parsed at first use (the script's parser is only there
/// once the config is loaded).
struct inner_pv {
    std::string text;
    std::once_flag parsed;
    siphost_pv_spec* spec = nullptr;

    ~inner_pv() {
        if (spec != nullptr && host_ != nullptr)
            host_->pv_free(spec);
    }
};

int parse_inner(siphost_str inner_name, void** pv_data, char* err, size_t err_size) {
    std::string_view text = sdk::trim(sdk::view(inner_name));
    if (text.empty() || text.front() != '$') {
        sdk::write_error(err, err_size, "expects a pseudo-variable, e.g. $T_req($hdr(From))");
        return -1;
    }
    auto data = std::make_unique<inner_pv>();
    data->text.assign(text);
    *pv_data = data.release();
    return 0;
}

void free_inner(void* pv_data) {
    std::unique_ptr<inner_pv> owned(static_cast<inner_pv*>(pv_data));
}

int get_inner(siphost_msg* target, void* pv_data, siphost_value* out) {
    auto* data = static_cast<inner_pv*>(pv_data);
    *out = sdk::null_value();
    if (target == nullptr || data == nullptr || host_ == nullptr)
        return 0;
    std::call_once(data->parsed, [data] {
        char err[160];
        data->spec = host_->pv_parse(sdk::str(data->text), err, sizeof err);
        if (data->spec == nullptr)
            sdk::log(host_, self_, SIPHOST_LOG_ERR, std::string("cannot parse ") + data->text + ": " + err);
    });
    if (data->spec == nullptr)
        return -1;
    return host_->pv_get(data->spec, target, out) < 0 ? -1 : 0;
}

int get_t_req(siphost_msg* msg, void* pv_data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] { return get_inner(tm_->transaction_request(msg), pv_data, out); });
}

int get_t_rpl(siphost_msg* msg, void* pv_data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] { return get_inner(tm_->transaction_reply(msg), pv_data, out); });
}

int get_reply_code(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    int code = tm_->reply_code(msg);
    *out = code < 0 ? sdk::null_value() : sdk::int_value(code);
    return 0;
}

int get_branch_idx(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    // In failure_route Kamailio 5.6.3 gives the number of branches the transaction has had (measured: 1 after
    // one failed branch, 2 after a parallel fork of two), not the index of the one that failed.
    if (tm_->route_type() == SIPHOST_ROUTE_FAILURE) {
        auto info = sdk::sized<siphost_tm_transaction_info>();
        if (siphost_tm_transaction* t = tm_->transaction(msg); t != nullptr && tm_->transaction_info(t, &info) == 0) {
            *out = sdk::int_value(static_cast<int64_t>(info.branch_count));
            return 0;
        }
    }
    int index = tm_->branch_index(msg);
    *out = index < 0 ? sdk::null_value() : sdk::int_value(index);
    return 0;
}

template <uint32_t RouteType> int cmd_is_route(siphost_msg*, const siphost_value*, void*) {
    return tm_->route_type() == RouteType ? 1 : -1;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    const auto* api = static_cast<const siphost_tm_api_v1*>(host->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR));
    if (api == nullptr || !SIPHOST_HAS(siphost_tm_api_v1, api, route_type)) {
        sdk::write_error(err, err_size, "tmx needs tm: load tm.so before tmx.so");
        return -1;
    }
    tm_ = api;
    return 0;
}

const siphost_command commands[] = {
    sdk::command("t_is_failure_route", SIPHOST_ROUTE_ANY, cmd_is_route<SIPHOST_ROUTE_FAILURE>, {}, nullptr, nullptr,
                 "true inside failure_route"),
    sdk::command("t_is_branch_route", SIPHOST_ROUTE_ANY, cmd_is_route<SIPHOST_ROUTE_BRANCH>, {}, nullptr, nullptr,
                 "true inside branch_route"),
    sdk::command("t_is_reply_route", SIPHOST_ROUTE_ANY, cmd_is_route<SIPHOST_ROUTE_TM_ONREPLY>, {}, nullptr, nullptr,
                 "true inside a tm onreply_route"),
    sdk::end_of_commands(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("T_reply_code", SIPHOST_PV_NAME_NONE, get_reply_code, nullptr, nullptr, nullptr,
                         "the transaction's reply code"),
    sdk::pseudo_variable("T_branch_idx", SIPHOST_PV_NAME_NONE, get_branch_idx, nullptr, nullptr, nullptr,
                         "the branch a tm route runs for"),
    sdk::pseudo_variable("T_req", SIPHOST_PV_NAME_REQUIRED, get_t_req, nullptr, parse_inner, free_inner,
                         "a pseudo-variable of the transaction's request"),
    sdk::pseudo_variable("T_rpl", SIPHOST_PV_NAME_REQUIRED, get_t_rpl, nullptr, parse_inner, free_inner,
                         "a pseudo-variable of the transaction's reply"),
    sdk::end_of_pvs(),
};

const char* const depends[] = {"tm", nullptr};

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .commands = commands,
                                               .pvs = pvs,
                                               .depends = depends,
                                               .init = init});

} // namespace
} // namespace siphost::modules::tmx

SIPHOST_MODULE(siphost::modules::tmx::descriptor)
