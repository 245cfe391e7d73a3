// tmx: pseudo-variables and helpers about the current transaction (Kamailio's tmx module), through the
// "tm" major 1 API (<siphost/api/tm.h>); tm must be loaded before tmx (the descriptor's depends).
//
//   $T_reply_code     the reply code (onreply: the reply's; failure: the chosen one; request: the last sent)
//   $T_reply_reason   the reason phrase of that reply (onreply and failure routes)
//   $T_reply_last     the last reply code received on the branch (onreply route)
//   $T_reply_ruid     the usrloc record id of the branch's contact (onreply, failure, branch-failure)
//   $T_req(pv)        pv evaluated on the transaction's request
//   $T_rpl(pv)        pv evaluated on the reply of onreply_route / the chosen reply of failure_route
//   $T_inv(pv)        pv evaluated on the INVITE a CANCEL cancels
//   $T_branch_idx     the branch a tm route runs for; in failure_route the number of branches so far
//   $T(name)          id_index, id_label (id_index_n, id_label_n: making the transaction), reply_code,
//                     reply_reason, reply_type, branch_index
//   $T_branch(name)   flags, uri, ruid of the branch a tm route runs for
//   t_is_failure_route(), t_is_branch_route(), t_is_reply_route()
//
// Where each value is there and what it is elsewhere was measured on Kamailio 5.6.3 (docs/tmx.md): Kamailio
// gives null for some, an empty string for others, and reads $T(flags), $T(uri) and $T(ruid) as the label.
#include <siphost/api/tm.h>
#include <siphost/module.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

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

// Without a transaction Kamailio 5.6.3 gives 0 for the reply code and the branch index (measured in
// request_route before t_newtran), not null.
int reply_code_of(siphost_msg* msg) {
    return std::max(tm_->reply_code(msg), 0);
}

int branch_idx_of(siphost_msg* msg) {
    // In failure_route Kamailio 5.6.3 gives the number of branches the transaction has had (measured: 1 after
    // one failed branch, 2 after a parallel fork of two), not the index of the one that failed.
    if (tm_->route_type() == SIPHOST_ROUTE_FAILURE) {
        auto info = sdk::sized<siphost_tm_transaction_info>();
        if (siphost_tm_transaction* t = tm_->transaction(msg);
            t != nullptr && tm_->transaction_info(t, &info) == 0)
            return static_cast<int>(info.branch_count);
    }
    return std::max(tm_->branch_index(msg), 0);
}

/// What the tm route running now is about; false outside tm's routes (or with a tm of minor 0).
bool route_info_of(siphost_msg* msg, siphost_tm_route_info& info) {
    info = sdk::sized<siphost_tm_route_info>();
    return SIPHOST_HAS(siphost_tm_api_v1, tm_, route_info) && tm_->route_info(msg, &info) == 0;
}

bool in_route(const siphost_tm_route_info& info, std::initializer_list<uint32_t> types) {
    return std::find(types.begin(), types.end(), info.route_type) != types.end();
}

/// The routes where Kamailio reads the branch's ruid and flags: those that run for a reply or a failure.
bool after_a_reply(const siphost_tm_route_info& info) {
    return in_route(info, {SIPHOST_ROUTE_TM_ONREPLY, SIPHOST_ROUTE_FAILURE, SIPHOST_ROUTE_BRANCH_FAILURE});
}

/// $T_reply_reason: the reply's reason in onreply_route, the chosen reply's in failure_route (a timeout's
/// "Request Timeout" included); an empty string elsewhere, with a transaction or without.
siphost_value reply_reason_of(siphost_msg* msg) {
    siphost_tm_route_info info;
    if (route_info_of(msg, info) && in_route(info, {SIPHOST_ROUTE_TM_ONREPLY, SIPHOST_ROUTE_FAILURE}))
        return sdk::str_value(sdk::view(info.reply_reason));
    return sdk::str_value("");
}

int get_reply_code(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    *out = sdk::int_value(reply_code_of(msg));
    return 0;
}

int get_branch_idx(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    *out = sdk::int_value(branch_idx_of(msg));
    return 0;
}

int get_reply_reason(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        *out = reply_reason_of(msg);
        return 0;
    });
}

int get_reply_last(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    // Only onreply_route has it; Kamailio gives an empty string in every other route.
    siphost_tm_route_info info;
    if (route_info_of(msg, info) && info.route_type == SIPHOST_ROUTE_TM_ONREPLY)
        *out = sdk::int_value(info.branch_last_code);
    else
        *out = sdk::str_value("");
    return 0;
}

int get_reply_ruid(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    siphost_tm_route_info info;
    if (route_info_of(msg, info) && after_a_reply(info))
        *out = sdk::str_value(sdk::view(info.branch_ruid));
    else
        *out = sdk::str_value("");
    return 0;
}

// ---- $T(name) and $T_branch(name): one list of names, as in Kamailio, where both accept all of them ----

enum class t_name : uint8_t {
    id_index,
    id_label,
    id_index_n,
    id_label_n,
    reply_code,
    reply_reason,
    reply_type,
    branch_index,
    flags,
    uri,
    ruid
};

constexpr std::pair<std::string_view, t_name> t_names[] = {
    {"id_index", t_name::id_index},
    {"id_label", t_name::id_label},
    {"id_index_n", t_name::id_index_n},
    {"id_label_n", t_name::id_label_n},
    {"reply_code", t_name::reply_code},
    {"reply_reason", t_name::reply_reason},
    {"reply_type", t_name::reply_type},
    {"branch_index", t_name::branch_index},
    {"flags", t_name::flags},
    {"uri", t_name::uri},
    {"ruid", t_name::ruid},
};

int parse_t_name(siphost_str inner_name, void** pv_data, char* err, size_t err_size) {
    std::string_view text = sdk::trim(sdk::view(inner_name));
    for (const auto& [name, value] : t_names)
        if (text == name) {
            *pv_data = reinterpret_cast<void*>(static_cast<uintptr_t>(value));
            return 0;
        }
    sdk::write_error(err, err_size,
                     "unknown name \"" + std::string(text) +
                         "\": the names are id_index, id_label, id_index_n, id_label_n, reply_code, "
                         "reply_reason, reply_type, branch_index, flags, uri and ruid");
    return -1;
}

t_name name_of(void* pv_data) {
    return static_cast<t_name>(reinterpret_cast<uintptr_t>(pv_data));
}

int get_t(siphost_msg* msg, void* pv_data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        t_name name = name_of(pv_data);
        *out = sdk::null_value();
        switch (name) {
        case t_name::reply_code:
            *out = sdk::int_value(reply_code_of(msg));
            return 0;
        case t_name::branch_index:
            *out = sdk::int_value(branch_idx_of(msg));
            return 0;
        case t_name::reply_reason:
            *out = reply_reason_of(msg);
            return 0;
        default:
            break;
        }
        siphost_tm_transaction* t = tm_->transaction(msg);
        // The _n names make the transaction when there is none yet, as t_newtran() would.
        if (t == nullptr && (name == t_name::id_index_n || name == t_name::id_label_n) &&
            host_->msgctx->route_type(msg) == SIPHOST_ROUTE_REQUEST && tm_->newtran(msg) == 1)
            t = tm_->transaction(msg);
        auto info = sdk::sized<siphost_tm_transaction_info>();
        if (t == nullptr || tm_->transaction_info(t, &info) != 0)
            return 0;
        switch (name) {
        case t_name::id_index:
        case t_name::id_index_n:
            *out = sdk::int_value(info.index);
            break;
        case t_name::reply_type: {
            // 1 when failure_route's chosen reply is tm's own (a timeout), else 0 (branch-failure too).
            siphost_tm_route_info route;
            *out = sdk::int_value(route_info_of(msg, route) && route.route_type == SIPHOST_ROUTE_FAILURE
                                      ? route.reply_local
                                      : 0);
            break;
        }
        default:
            // id_label, id_label_n, and the names only $T_branch reads: Kamailio 5.6.3 gives the label for
            // $T(flags), $T(uri) and $T(ruid) (measured), so siphost does too.
            *out = sdk::int_value(info.label);
            break;
        }
        return 0;
    });
}

int get_t_branch(siphost_msg* msg, void* pv_data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        *out = sdk::null_value();
        if (tm_->transaction(msg) == nullptr)
            return 0;
        siphost_tm_route_info info;
        bool routed = route_info_of(msg, info);
        switch (name_of(pv_data)) {
        case t_name::flags:
            if (routed && after_a_reply(info))
                *out = sdk::int_value(static_cast<int64_t>(info.branch_flags));
            break;
        case t_name::uri:
            if (routed && info.route_type == SIPHOST_ROUTE_TM_ONREPLY)
                *out = sdk::str_value(sdk::view(info.branch_uri));
            break;
        case t_name::ruid:
            *out = sdk::str_value("");
            if (routed && after_a_reply(info))
                *out = sdk::str_value(sdk::view(info.branch_ruid));
            break;
        default:
            *out = sdk::str_value(""); // a name of $T(): an empty string with a transaction, as in Kamailio
            break;
        }
        return 0;
    });
}

// ---- $T_inv(pv) ----

struct inv_call {
    inner_pv* data;
    siphost_value* out;
    int rc = 0;
};

int get_t_inv(siphost_msg* msg, void* pv_data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        *out = sdk::null_value();
        if (!SIPHOST_HAS(siphost_tm_api_v1, tm_, with_canceled_request))
            return 0;
        inv_call call{static_cast<inner_pv*>(pv_data), out};
        int found = tm_->with_canceled_request(
            msg,
            [](siphost_msg* request, void* data) {
                auto* c = static_cast<inv_call*>(data);
                // On the INVITE as it was received: Kamailio's $T_inv($ru) is the received Request-URI even
                // when the script had changed it before the transaction was made (measured on 5.6.3).
                siphost_dest source = sdk::sized<siphost_dest>();
                bool known_source = host_->msg_source(request, &source) == 0;
                std::unique_ptr<siphost_msg, void (*)(siphost_msg*)> received(
                    host_->msg_parse(host_->msg_raw(request), known_source ? &source : nullptr),
                    [](siphost_msg* m) { host_->msg_free(m); });
                c->rc = get_inner(received ? received.get() : request, c->data, c->out);
                // The INVITE's transaction may be gone once tm lets go of it: keep a copy of a string.
                if (c->rc == 0 && c->out->kind == SIPHOST_VALUE_STR) {
                    thread_local std::string copy;
                    copy.assign(sdk::view(c->out->str));
                    c->out->str = sdk::str(copy);
                }
            },
            &call);
        return found == 1 ? call.rc : 0;
    });
}

template <uint32_t RouteType> int cmd_is_route(siphost_msg*, const siphost_value*, void*) {
    return tm_->route_type() == RouteType ? 1 : -1;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    const auto* api =
        static_cast<const siphost_tm_api_v1*>(host->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR));
    if (api == nullptr || !SIPHOST_HAS(siphost_tm_api_v1, api, route_type)) {
        sdk::write_error(err, err_size, "tmx needs tm: load tm.so before tmx.so");
        return -1;
    }
    tm_ = api;
    return 0;
}

const siphost_command commands[] = {
    sdk::command("t_is_failure_route", SIPHOST_ROUTE_ANY, cmd_is_route<SIPHOST_ROUTE_FAILURE>, {}, nullptr,
                 nullptr, "true inside failure_route"),
    sdk::command("t_is_branch_route", SIPHOST_ROUTE_ANY, cmd_is_route<SIPHOST_ROUTE_BRANCH>, {}, nullptr,
                 nullptr, "true inside branch_route"),
    sdk::command("t_is_reply_route", SIPHOST_ROUTE_ANY, cmd_is_route<SIPHOST_ROUTE_TM_ONREPLY>, {}, nullptr,
                 nullptr, "true inside a tm onreply_route"),
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
    sdk::pseudo_variable("T_inv", SIPHOST_PV_NAME_REQUIRED, get_t_inv, nullptr, parse_inner, free_inner,
                         "a pseudo-variable of the INVITE a CANCEL cancels"),
    sdk::pseudo_variable("T_reply_reason", SIPHOST_PV_NAME_NONE, get_reply_reason, nullptr, nullptr, nullptr,
                         "the reason phrase of the transaction's reply"),
    sdk::pseudo_variable("T_reply_last", SIPHOST_PV_NAME_NONE, get_reply_last, nullptr, nullptr, nullptr,
                         "the last reply code received on the branch"),
    sdk::pseudo_variable("T_reply_ruid", SIPHOST_PV_NAME_NONE, get_reply_ruid, nullptr, nullptr, nullptr,
                         "the record id of the branch's registered contact"),
    sdk::pseudo_variable("T", SIPHOST_PV_NAME_REQUIRED, get_t, nullptr, parse_t_name, nullptr,
                         "an attribute of the transaction: id_index, id_label, reply_code, ..."),
    sdk::pseudo_variable("T_branch", SIPHOST_PV_NAME_REQUIRED, get_t_branch, nullptr, parse_t_name, nullptr,
                         "an attribute of the branch: flags, uri, ruid"),
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
