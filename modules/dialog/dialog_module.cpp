// Kamailio's dialog module for siphost: tracks INVITE dialogs (states, timeouts, flags, variables, profiles)
// on tm's transaction callbacks, and ends them on BYE, on timeout or from the proxy (dlg_bye, dlg.end_dlg).
#include "module_state.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::dialog {
namespace sdk = siphost::sdk;

module_state& state() {
    static module_state instance;
    return instance;
}

void log(int level, std::string_view text) {
    sdk::log(state().host, state().self, level, text);
}

void count(siphost_metric* metric, int64_t delta) {
    const module_state& s = state();
    if (metric != nullptr && s.params.enable_stats != 0)
        s.host->metrics->metric_add(metric, delta);
}

std::vector<std::shared_ptr<dialog>> profile_members(std::string_view profile,
                                                     const std::string_view* value) {
    module_state& s = state();
    bool with_value = s.profiles.has_value(profile) == 1;
    std::vector<std::shared_ptr<dialog>> out;
    for (const auto& d : s.table->all())
        for (const auto& [name, member_value] : d->profiles)
            if (name == profile && (!with_value || value == nullptr || member_value == *value)) {
                out.push_back(d);
                break;
            }
    return out;
}

namespace {

// ---- parameters ----

int declare_profiles(const char* name, const siphost_value* value, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        state().profiles.declare(sdk::arg_view(*value), std::string_view(name) == "profiles_with_value");
        return 0;
    });
}

settings& p() {
    return state().params;
}

const siphost_param params[] = {
    sdk::int_param("enable_stats", &p().enable_stats, "keep the dialog:* statistics (1) or not (0)"),
    sdk::int_param("hash_size", &p().hash_size, "the number of h_entry values (a power of two)"),
    sdk::int_param("dlg_flag", &p().dlg_flag, "a message flag that makes t_relay's INVITE a dialog"),
    sdk::string_param("timeout_avp", &p().timeout_avp, "a pseudo-variable holding the dialog's timeout (s)"),
    sdk::int_param("default_timeout", &p().default_timeout,
                   "seconds a confirmed dialog lives without traffic"),
    sdk::int_param("early_timeout", &p().early_timeout, "seconds an unanswered dialog lives"),
    sdk::int_param("noack_timeout", &p().noack_timeout, "seconds a 2xx waits for its ACK"),
    sdk::int_param("end_timeout", &p().end_timeout, "not used: ended dialogs are removed at once"),
    sdk::string_param("dlg_extra_hdrs", &p().dlg_extra_hdrs, "header lines added to the module's BYEs"),
    sdk::int_param("dlg_match_mode", &p().dlg_match_mode,
                   "0: by the did cookie, 1: cookie or Call-ID and tags, 2: Call-ID and tags"),
    sdk::string_param("rr_param", &p().rr_param, "the cookie's name: did only"),
    sdk::int_param("detect_spirals", &p().detect_spirals, "an INVITE that comes back joins its dialog"),
    sdk::string_param("db_url", &p().db_url, "not used: dialogs are kept in memory only"),
    sdk::int_param("db_mode", &p().db_mode, "only 0 (no database)"),
    sdk::int_param("send_bye", &p().send_bye, "send BYE both ways when a dialog times out"),
    sdk::setter_param("profiles_with_value", SIPHOST_PARAM_STRING, declare_profiles,
                      "profile names (';'-separated) whose members carry a value"),
    sdk::setter_param("profiles_no_value", SIPHOST_PARAM_STRING, declare_profiles,
                      "profile names (';'-separated) without values"),
    sdk::end_of_params(),
};

// ---- profiles in the script ----

/// A profile name known at load time must be declared.
struct profile_call {
    siphost_pv_spec* size = nullptr; ///< get_profile_size's result variable
};

std::unique_ptr<profile_call> fix_profile(const siphost_value* args, const int* constant) {
    if (constant[0] != 0 && state().profiles.has_value(sdk::arg_view(args[0])) < 0)
        throw sdk::config_error("dialog profile '" + std::string(sdk::arg_view(args[0])) +
                                "' is not declared (profiles_with_value, profiles_no_value)");
    return std::make_unique<profile_call>();
}

template <size_t PvarIndex>
std::unique_ptr<profile_call> fix_profile_size(const siphost_value* args, const int* constant) {
    auto call = fix_profile(args, constant);
    std::string name(sdk::arg_view(args[PvarIndex]));
    char reason[200] = "";
    call->size = state().host->pv_parse(sdk::str(name), reason, sizeof reason);
    if (call->size == nullptr)
        throw sdk::config_error("get_profile_size cannot write \"" + name + "\": " + reason);
    return call;
}

void free_profile_call(void* data) {
    std::unique_ptr<profile_call> call(static_cast<profile_call*>(data));
    if (call && call->size != nullptr)
        state().host->pv_free(call->size);
}

/// The declared profile of args[0] (-1 after logging when it is not declared) and whether it has values.
int profile_kind(const siphost_value& arg) {
    int kind = state().profiles.has_value(sdk::arg_view(arg));
    if (kind < 0)
        log(SIPHOST_LOG_ERR, "dialog profile '" + std::string(sdk::arg_view(arg)) + "' is not declared");
    return kind;
}

int set_profile(siphost_msg* msg, const siphost_value* args, bool has_value_arg) {
    int kind = profile_kind(args[0]);
    if (kind < 0)
        return -1;
    auto d = current(msg);
    if (!d) {
        log(SIPHOST_LOG_ERR, "set_dlg_profile: the message has no dialog (call dlg_manage() first)");
        return -1;
    }
    std::string value = kind == 1 && has_value_arg ? std::string(sdk::arg_view(args[1])) : std::string();
    std::lock_guard lock(state().table->mutex());
    d->profiles.emplace_back(std::string(sdk::arg_view(args[0])), std::move(value));
    return 1;
}

int cmd_set_profile(siphost_msg* msg, const siphost_value* args, void*) {
    return set_profile(msg, args, false);
}
int cmd_set_profile_value(siphost_msg* msg, const siphost_value* args, void*) {
    return set_profile(msg, args, true);
}

/// Finds (and with erase, removes) the message dialog's membership in a profile.
int find_membership(siphost_msg* msg, const siphost_value* args, bool has_value_arg, bool erase) {
    int kind = profile_kind(args[0]);
    if (kind < 0)
        return -1;
    auto d = current(msg);
    if (!d)
        return -1;
    std::string_view profile = sdk::arg_view(args[0]);
    std::lock_guard lock(state().table->mutex());
    for (auto it = d->profiles.begin(); it != d->profiles.end(); ++it)
        if (it->first == profile && (kind == 0 || !has_value_arg || it->second == sdk::arg_view(args[1]))) {
            if (erase)
                d->profiles.erase(it);
            return 1;
        }
    return -1;
}

int cmd_unset_profile(siphost_msg* msg, const siphost_value* args, void*) {
    return find_membership(msg, args, false, true);
}
int cmd_unset_profile_value(siphost_msg* msg, const siphost_value* args, void*) {
    return find_membership(msg, args, true, true);
}
int cmd_is_in_profile(siphost_msg* msg, const siphost_value* args, void*) {
    return find_membership(msg, args, false, false);
}
int cmd_is_in_profile_value(siphost_msg* msg, const siphost_value* args, void*) {
    return find_membership(msg, args, true, false);
}

int profile_size(siphost_msg* msg, const siphost_value* args, const std::string_view* value, void* data) {
    if (profile_kind(args[0]) < 0)
        return -1;
    size_t size = 0;
    {
        std::lock_guard lock(state().table->mutex());
        size = profile_members(sdk::arg_view(args[0]), value).size();
    }
    siphost_value out = sdk::int_value(static_cast<int64_t>(size));
    return state().host->pv_set(static_cast<profile_call*>(data)->size, msg, &out) == 0 ? 1 : -1;
}

int cmd_get_profile_size(siphost_msg* msg, const siphost_value* args, void* data) {
    return profile_size(msg, args, nullptr, data);
}
int cmd_get_profile_size_value(siphost_msg* msg, const siphost_value* args, void* data) {
    std::string_view value = sdk::arg_view(args[1]);
    return profile_size(msg, args, &value, data);
}

std::unique_ptr<profile_call> fix_bye(const siphost_value* args, const int* constant) {
    std::string_view side = sdk::arg_view(args[0]);
    if (constant[0] != 0 && side != "caller" && side != "callee" && side != "all")
        throw sdk::config_error("dlg_bye: the side is \"caller\", \"callee\" or \"all\"");
    return std::make_unique<profile_call>();
}

std::unique_ptr<profile_call> fix_property(const siphost_value* args, const int* constant) {
    std::string_view name = sdk::arg_view(args[0]);
    if (name == "ka-src" || name == "ka-dst")
        throw sdk::config_error("dialog property '" + std::string(name) +
                                "' is not supported: siphost's dialog sends no keep-alives");
    if (constant[0] != 0 && name != "timeout-noreset")
        throw sdk::config_error("unknown dialog property '" + std::string(name) + "'");
    return std::make_unique<profile_call>();
}

// ---- the descriptor ----

constexpr uint32_t request = SIPHOST_ROUTE_REQUEST;
constexpr uint32_t in_calls =
    SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_BRANCH | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_TM_ONREPLY;
constexpr uint32_t later_routes = SIPHOST_ROUTE_BRANCH | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_TM_ONREPLY;
constexpr auto S = SIPHOST_ARG_STRING;
constexpr auto PV = SIPHOST_ARG_PVAR;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("dlg_manage", request, guarded<&cmd_dlg_manage>, {}, nullptr, nullptr,
            "tracks the INVITE's dialog; on an in-dialog request, matches it when loose_route() did not"),
    command("is_known_dlg", in_calls, guarded<&cmd_is_known_dlg>, {}, nullptr, nullptr,
            "the message belongs to a tracked dialog"),
    command("dlg_isflagset", in_calls, guarded<&cmd_dlg_isflagset>, {S}, nullptr, nullptr,
            "a flag of the dialog is set"),
    command("dlg_setflag", in_calls, guarded<&cmd_dlg_setflag>, {S}, nullptr, nullptr, "sets a dialog flag"),
    command("dlg_resetflag", in_calls, guarded<&cmd_dlg_resetflag>, {S}, nullptr, nullptr,
            "resets a dialog flag"),
    command("dlg_set_timeout", SIPHOST_ROUTE_ANY, guarded<&cmd_dlg_set_timeout>, {S}, nullptr, nullptr,
            "the message's dialog times out after this many seconds without traffic"),
    command("dlg_set_timeout", SIPHOST_ROUTE_ANY, guarded<&cmd_dlg_set_timeout_id>, {S, S, S}, nullptr,
            nullptr, "the dialog h_entry, h_id times out after this many seconds without traffic"),
    command("dlg_get", in_calls, guarded<&cmd_dlg_get>, {S, S, S}, nullptr, nullptr,
            "makes the dialog of Call-ID, From tag, To tag the message's"),
    command("dlg_bye", SIPHOST_ROUTE_ANY, guarded<&cmd_dlg_bye>, {S}, sdk::fixup<&fix_bye>,
            sdk::free_call_data<profile_call>,
            "sends BYE to the caller, the callee or all, and ends the dialog"),
    command("dlg_set_property", SIPHOST_ROUTE_ANY, guarded<&cmd_dlg_set_property>, {S},
            sdk::fixup<&fix_property>, sdk::free_call_data<profile_call>,
            "timeout-noreset: in-dialog requests do not push the timeout back"),
    command("dlg_reset_property", SIPHOST_ROUTE_ANY, guarded<&cmd_dlg_reset_property>, {S},
            sdk::fixup<&fix_property>, sdk::free_call_data<profile_call>, "undoes dlg_set_property"),
    command("set_dlg_profile", in_calls, guarded<&cmd_set_profile>, {S}, sdk::fixup<&fix_profile>,
            free_profile_call, "adds the dialog to a profile"),
    command("set_dlg_profile", in_calls, guarded<&cmd_set_profile_value>, {S, S}, sdk::fixup<&fix_profile>,
            free_profile_call, "adds the dialog to a profile with a value"),
    command("unset_dlg_profile", later_routes, guarded<&cmd_unset_profile>, {S}, sdk::fixup<&fix_profile>,
            free_profile_call, "takes the dialog out of a profile"),
    command("unset_dlg_profile", later_routes, guarded<&cmd_unset_profile_value>, {S, S},
            sdk::fixup<&fix_profile>, free_profile_call, "takes the dialog out of a profile for a value"),
    command("is_in_profile", in_calls, guarded<&cmd_is_in_profile>, {S}, sdk::fixup<&fix_profile>,
            free_profile_call, "the dialog is in a profile"),
    command("is_in_profile", in_calls, guarded<&cmd_is_in_profile_value>, {S, S}, sdk::fixup<&fix_profile>,
            free_profile_call, "the dialog is in a profile with a value"),
    command("get_profile_size", in_calls, guarded<&cmd_get_profile_size>, {S, PV},
            sdk::fixup<&fix_profile_size<1>>, free_profile_call, "the number of dialogs in a profile"),
    command("get_profile_size", in_calls, guarded<&cmd_get_profile_size_value>, {S, S, PV},
            sdk::fixup<&fix_profile_size<2>>, free_profile_call,
            "the number of dialogs in a profile with a value"),
    sdk::end_of_commands(),
};

siphost_metric* metric(const char* name, uint32_t kind, const char* help) {
    siphost_metric_desc desc = sdk::sized<siphost_metric_desc>();
    desc.name = name;
    desc.kind = kind;
    desc.help = help;
    siphost_metric* m = state().host->metrics->metric_register(state().self, &desc);
    if (m == nullptr)
        throw sdk::config_error(std::string("cannot register the statistic dialog:") + name);
    return m;
}

void check_parameters() {
    const settings& s = state().params;
    if (s.hash_size <= 0 || (s.hash_size & (s.hash_size - 1)) != 0)
        throw sdk::config_error("hash_size must be a power of two, not " + std::to_string(s.hash_size));
    if (s.dlg_flag < -1 || s.dlg_flag > 63)
        throw sdk::config_error("dlg_flag must be a flag number from 0 to 63");
    if (s.default_timeout <= 0)
        throw sdk::config_error("default_timeout must be a positive number of seconds");
    if (s.db_mode != 0)
        throw sdk::config_error("db_mode " + std::to_string(s.db_mode) +
                                " is not supported: siphost keeps dialogs in memory only (db_mode 0)");
    if (s.dlg_match_mode < 0 || s.dlg_match_mode > 2)
        throw sdk::config_error("dlg_match_mode is 0, 1 or 2");
    if (s.rr_param != nullptr && std::string_view(s.rr_param) != "did")
        throw sdk::config_error("rr_param: siphost's dialog cookie is always named did");
    if (s.db_url != nullptr)
        log(SIPHOST_LOG_WARN, "db_url is not used: dialogs are kept in memory only (db_mode 0)");
    if (s.end_timeout != -1)
        log(SIPHOST_LOG_WARN, "end_timeout is not used: an ended dialog is removed at once");
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        module_state& s = state();
        s.host = host;
        s.self = self;
        check_parameters();
        s.tm = static_cast<const siphost_tm_api_v1*>(
            host->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR));
        if (s.tm == nullptr || !SIPHOST_HAS(siphost_tm_api_v1, s.tm, t_uac))
            throw sdk::config_error("dialog needs tm's API: load tm before dialog");
        if (host->api_lookup(SIPHOST_RR_API_NAME, SIPHOST_RR_API_MAJOR) == nullptr &&
            s.params.dlg_match_mode != 2)
            log(SIPHOST_LOG_WARN, "rr is not loaded before dialog: no 'did' Record-Route cookie; in-dialog "
                                  "requests are matched on Call-ID and tags before the script (as "
                                  "dlg_match_mode 2)");
        s.table = std::make_unique<dialog_table>(static_cast<uint32_t>(s.params.hash_size));
        s.slot = register_slot();
        if (s.slot < 0)
            throw sdk::config_error("cannot reserve a per-message slot");
        s.metrics.active = metric("active_dialogs", SIPHOST_METRIC_GAUGE, "confirmed dialogs");
        s.metrics.early = metric("early_dialogs", SIPHOST_METRIC_GAUGE, "dialogs with a provisional reply");
        s.metrics.processed = metric("processed_dialogs", SIPHOST_METRIC_COUNTER, "dialogs created");
        s.metrics.expired = metric("expired_dialogs", SIPHOST_METRIC_COUNTER, "dialogs ended by a timeout");
        s.metrics.failed = metric("failed_dialogs", SIPHOST_METRIC_COUNTER, "INVITEs answered negatively");
        if (s.tm->register_callback(nullptr, SIPHOST_TM_CB_REQUEST_IN, on_request_in, nullptr) != 0)
            throw sdk::config_error("tm refused dialog's transaction callback");
        // Kamailio sees in-dialog requests when loose_route() takes this proxy's Route (rr's callback);
        // without rr, every request with a To tag is matched before the script.
        s.rr = static_cast<const siphost_rr_api_v1*>(
            host->api_lookup(SIPHOST_RR_API_NAME, SIPHOST_RR_API_MAJOR));
        if (s.rr != nullptr && SIPHOST_HAS(siphost_rr_api_v1, s.rr, register_callback)) {
            if (s.rr->register_callback(on_loose_route, nullptr) != 0)
                throw sdk::config_error("rr refused dialog's loose_route callback");
        } else {
            s.rr = nullptr;
            if (host->register_request_hook(SIPHOST_HOOK_PRE_SCRIPT, on_request, nullptr) != 0)
                throw sdk::config_error("cannot watch in-dialog requests");
        }
        if (host->async->every(self, 1000, SIPHOST_TIMER_SLOW, on_tick, nullptr) != 0)
            throw sdk::config_error("cannot start the dialog timer");
        if (host->api_export(self, SIPHOST_DIALOG_API_NAME, SIPHOST_DIALOG_API_MAJOR, api()) != 0)
            throw sdk::config_error("cannot publish the dialog API");
        return 0;
    });
}

std::once_flag timeout_avp_once;
bool timeout_avp_ok = true;

/// timeout_avp is parsed once the script is compiled ($avp and $var names belong to it).
int thread_init(int, int) {
    std::call_once(timeout_avp_once, [] {
        module_state& s = state();
        if (s.params.timeout_avp == nullptr || *s.params.timeout_avp == '\0')
            return;
        char reason[200] = "";
        s.timeout_avp = s.host->pv_parse(sdk::str(s.params.timeout_avp), reason, sizeof reason);
        if (s.timeout_avp == nullptr) {
            log(SIPHOST_LOG_ERR, std::string("timeout_avp \"") + s.params.timeout_avp + "\": " + reason);
            timeout_avp_ok = false;
        }
    });
    return timeout_avp_ok ? 0 : -1;
}

void destroy() {
    module_state& s = state();
    drop_pending_events();
    if (s.timeout_avp != nullptr)
        s.host->pv_free(s.timeout_avp);
    s.timeout_avp = nullptr;
    s.table.reset();
}

const char* const depends[] = {"tm", nullptr};

const siphost_event events[] = {
    sdk::event("dialog:start", SIPHOST_ROUTE_EVENT, 0, "the INVITE got a 2xx (the 2xx is the message)"),
    sdk::event("dialog:end", SIPHOST_ROUTE_EVENT, 0,
               "a confirmed dialog ended: the BYE, or a local request for a timeout or dlg_bye"),
    sdk::event("dialog:failed", SIPHOST_ROUTE_EVENT, 0,
               "the INVITE got a final reply of 300 or more (the reply), or early_timeout passed"),
    sdk::end_of_events(),
};

const siphost_module descriptor = sdk::module({.name = "dialog",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .pvs = pvs,
                                               .events = events,
                                               .rpcs = rpcs,
                                               .depends = depends,
                                               .init = init,
                                               .thread_init = thread_init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::dialog

SIPHOST_MODULE(siphost::modules::dialog::descriptor)
