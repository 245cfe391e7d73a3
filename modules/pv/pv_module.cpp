// pv: the pv module's script functions. The standard pseudo-variables ($avp, $var, $rm, $ru, ...) are the
// host's own, so `loadmodule "pv.so"` adds no pseudo-variable; it provides:
//
//   pv_isset(pv)         the variable has a value (not $null)
//   pv_unset(pv)         sets it to $null (deletes an AVP)
//   is_int(pv)           its value is an integer
//   typeof(pv, type)     its value is of type "int", "str" or "null"
//
// Each call site's variable is parsed once, by its fixup (host->pv_parse; fixups run after init); a variable
// the host cannot parse fails the config with the host's reason.
#include <siphost/module.hpp>

#include <memory>
#include <string>

namespace siphost::modules::pv {
namespace {

const siphost_host_api* host_ = nullptr;

/// One call site: the variable, parsed once, and typeof's wanted kind.
struct pv_call {
    sdk::parsed_pv variable;
    int wanted_kind = -1;
};

std::unique_ptr<pv_call> make_call(const siphost_value& arg) {
    return std::make_unique<pv_call>(pv_call{sdk::parsed_pv(host_, sdk::arg_view(arg))});
}

std::unique_ptr<pv_call> fix_pv(const siphost_value* args, const int*) {
    return make_call(args[0]);
}

std::unique_ptr<pv_call> fix_typeof(const siphost_value* args, const int* constant) {
    if (!constant[1])
        throw sdk::config_error("typeof: the type must be a constant: \"int\", \"str\" or \"null\"");
    std::string_view type = sdk::trim(sdk::arg_view(args[1]));
    int kind = -1;
    if (sdk::iequals(type, "int"))
        kind = SIPHOST_VALUE_INT;
    else if (sdk::iequals(type, "str"))
        kind = SIPHOST_VALUE_STR;
    else if (sdk::iequals(type, "null"))
        kind = SIPHOST_VALUE_NULL;
    else
        throw sdk::config_error("typeof: unknown type \"" + std::string(type) +
                                "\"; use \"int\", \"str\" or \"null\"");
    auto call = make_call(args[0]);
    call->wanted_kind = kind;
    return call;
}

/// The value's kind.
int value_kind(siphost_msg* msg, const pv_call& call) {
    siphost_value value = sdk::null_value();
    if (call.variable.get(msg, &value) != 0)
        return SIPHOST_VALUE_NULL; // the host reads a failed get as $null
    return static_cast<int>(value.kind);
}

int cmd_pv_isset(siphost_msg* msg, const siphost_value*, void* data) {
    int kind = value_kind(msg, *static_cast<const pv_call*>(data));
    return kind > SIPHOST_VALUE_NULL ? 1 : -1;
}

int cmd_pv_unset(siphost_msg* msg, const siphost_value*, void* data) {
    siphost_value null = sdk::null_value();
    return static_cast<const pv_call*>(data)->variable.set(msg, &null) == 0 ? 1 : -1;
}

int cmd_is_int(siphost_msg* msg, const siphost_value*, void* data) {
    return value_kind(msg, *static_cast<const pv_call*>(data)) == SIPHOST_VALUE_INT ? 1 : -1;
}

int cmd_typeof(siphost_msg* msg, const siphost_value*, void* data) {
    const auto& call = *static_cast<const pv_call*>(data);
    int kind = value_kind(msg, call);
    return kind >= 0 && kind == call.wanted_kind ? 1 : -1;
}

int init(const siphost_host_api* host, siphost_module_handle*, char*, size_t) {
    host_ = host;
    return 0;
}

void destroy() {
    // The host may release call data after destroy; it must not call pv_free then.
    host_ = nullptr;
}

/// $conid: the connection (TCP, TLS, WS, WSS) the message came over; $null for UDP.
int get_conid(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    auto source = sdk::sized<siphost_dest>();
    *out = host_->msg_source(msg, &source) == 0 && source.conn_id != 0
               ? sdk::int_value(static_cast<int64_t>(source.conn_id))
               : sdk::null_value();
    return 0;
}

const siphost_pv pvs[] = {
    sdk::pseudo_variable("conid", SIPHOST_PV_NAME_NONE, get_conid, nullptr, nullptr, nullptr,
                         "the id of the connection the message came over; $null for UDP"),
    sdk::end_of_pvs(),
};

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("pv_isset", any, guarded<&cmd_pv_isset>, {SIPHOST_ARG_PVAR}, sdk::fixup<&fix_pv>, sdk::free_call_data<pv_call>,
            "the pseudo-variable has a value"),
    command("pv_unset", any, guarded<&cmd_pv_unset>, {SIPHOST_ARG_PVAR}, sdk::fixup<&fix_pv>, sdk::free_call_data<pv_call>,
            "sets the pseudo-variable to $null"),
    command("is_int", any, guarded<&cmd_is_int>, {SIPHOST_ARG_PVAR}, sdk::fixup<&fix_pv>, sdk::free_call_data<pv_call>,
            "the pseudo-variable holds an integer"),
    command("typeof", any, guarded<&cmd_typeof>, {SIPHOST_ARG_PVAR, SIPHOST_ARG_STRING},
            sdk::fixup<&fix_typeof>, sdk::free_call_data<pv_call>, "the pseudo-variable's value is of type int, str or null"),
    sdk::end_of_commands(),
};

const siphost_module descriptor =
    sdk::module("pv", "1.0", commands, nullptr, pvs, init, nullptr, destroy);

} // namespace
} // namespace siphost::modules::pv

SIPHOST_MODULE(siphost::modules::pv::descriptor)
