// pv: the pv module's script functions. The standard pseudo-variables ($avp, $var, $rm, $ru, ...) are the
// host's own, so `loadmodule "pv.so"` adds no pseudo-variable; it provides:
//
//   pv_isset(pv)         the variable has a value (not $null)
//   pv_unset(pv)         sets it to $null (deletes an AVP)
//   is_int(pv)           its value is an integer
//   typeof(pv, type)     its value is of type "int", "str" or "null"
//
// Fixups run while the config is read, before init hands the module the host table, so a call site's variable
// is parsed (host->pv_parse) in init. A host that cannot parse yet at init (its script is attached later)
// gets the parse retried once, at the call site's first use; a variable that still fails then is logged once
// and the call is false. (The host already checks SIPHOST_ARG_PVAR names when it reads the config.)
#include <siphost/module.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace siphost::modules::pv {
namespace {

const siphost_host_api* host_ = nullptr;

/// One call site: the variable's text, its parsed form, and typeof's wanted kind.
struct pv_call {
    std::string text;
    std::atomic<siphost_pv_spec*> spec{nullptr};
    std::once_flag late_parse; ///< the retry at first use when init could not parse
    int wanted_kind = -1;
};

/// Call sites waiting for init to parse them; fixups and init run on the main thread.
std::vector<pv_call*> pending_;

bool parse_call(pv_call& call, char* err, size_t err_size) {
    char reason[200] = "";
    siphost_pv_spec* spec = host_->pv_parse(sdk::str(call.text), reason, sizeof reason);
    call.spec.store(spec, std::memory_order_release);
    if (spec != nullptr)
        return true;
    sdk::write_error(err, err_size, "cannot use \"" + call.text + "\": " + reason);
    return false;
}

/// The parsed variable, parsing it now if init could not; NULL when it cannot be parsed.
const siphost_pv_spec* spec_of(pv_call& call) {
    if (siphost_pv_spec* spec = call.spec.load(std::memory_order_acquire))
        return spec;
    std::call_once(call.late_parse, [&] {
        char err[240];
        if (host_ != nullptr && !parse_call(call, err, sizeof err))
            sdk::log(host_, SIPHOST_LOG_ERR, "pv", err);
    });
    return call.spec.load(std::memory_order_acquire);
}

std::unique_ptr<pv_call> make_call(const siphost_value& arg) {
    auto call = std::make_unique<pv_call>();
    call->text.assign(sdk::arg_view(arg));
    if (call->text.empty() || call->text.front() != '$')
        throw sdk::config_error("\"" + call->text +
                                "\" is not a pseudo-variable (write it with '$', e.g. $avp(x))");
    if (host_ != nullptr) {
        char reason[240];
        if (!parse_call(*call, reason, sizeof reason))
            throw sdk::config_error(reason);
    } else {
        pending_.push_back(call.get());
    }
    return call;
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

void free_call(void* data) {
    std::unique_ptr<pv_call> call(static_cast<pv_call*>(data));
    pending_.erase(std::remove(pending_.begin(), pending_.end(), call.get()), pending_.end());
    if (siphost_pv_spec* spec = call->spec.load(); spec != nullptr && host_ != nullptr)
        host_->pv_free(spec);
}

/// The value's kind, or -1 when it cannot be read.
int value_kind(siphost_msg* msg, pv_call& call) {
    const siphost_pv_spec* spec = spec_of(call);
    if (spec == nullptr)
        return -1;
    siphost_value value = sdk::null_value();
    if (host_->pv_get(spec, msg, &value) != 0)
        return SIPHOST_VALUE_NULL; // the host reads a failed get as $null
    return static_cast<int>(value.kind);
}

int cmd_pv_isset(siphost_msg* msg, const siphost_value*, void* data) {
    int kind = value_kind(msg, *static_cast<pv_call*>(data));
    return kind > SIPHOST_VALUE_NULL ? 1 : -1;
}

int cmd_pv_unset(siphost_msg* msg, const siphost_value*, void* data) {
    const siphost_pv_spec* spec = spec_of(*static_cast<pv_call*>(data));
    if (spec == nullptr)
        return -1;
    siphost_value null = sdk::null_value();
    return host_->pv_set(spec, msg, &null) == 0 ? 1 : -1;
}

int cmd_is_int(siphost_msg* msg, const siphost_value*, void* data) {
    return value_kind(msg, *static_cast<pv_call*>(data)) == SIPHOST_VALUE_INT ? 1 : -1;
}

int cmd_typeof(siphost_msg* msg, const siphost_value*, void* data) {
    auto& call = *static_cast<pv_call*>(data);
    int kind = value_kind(msg, call);
    return kind >= 0 && kind == call.wanted_kind ? 1 : -1;
}

/// Parses the call sites read so far; one that fails is left to its first use (see the top of the file).
int parse_pending(const siphost_host_api* host) {
    host_ = host;
    std::vector<pv_call*> waiting;
    waiting.swap(pending_);
    char ignored[8];
    for (pv_call* call : waiting)
        parse_call(*call, ignored, sizeof ignored);
    return 0;
}

int init(const siphost_host_api* host, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] { return parse_pending(host); });
}

void destroy() {
    // The host may release call data after destroy; it must not call pv_free then.
    host_ = nullptr;
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("pv_isset", any, guarded<&cmd_pv_isset>, {SIPHOST_ARG_PVAR}, sdk::fixup<&fix_pv>, free_call,
            "the pseudo-variable has a value"),
    command("pv_unset", any, guarded<&cmd_pv_unset>, {SIPHOST_ARG_PVAR}, sdk::fixup<&fix_pv>, free_call,
            "sets the pseudo-variable to $null"),
    command("is_int", any, guarded<&cmd_is_int>, {SIPHOST_ARG_PVAR}, sdk::fixup<&fix_pv>, free_call,
            "the pseudo-variable holds an integer"),
    command("typeof", any, guarded<&cmd_typeof>, {SIPHOST_ARG_PVAR, SIPHOST_ARG_STRING},
            sdk::fixup<&fix_typeof>, free_call, "the pseudo-variable's value is of type int, str or null"),
    sdk::end_of_commands(),
};

const siphost_module descriptor =
    sdk::module("pv", "1.0", commands, nullptr, nullptr, init, nullptr, destroy);

} // namespace
} // namespace siphost::modules::pv

SIPHOST_MODULE(siphost::modules::pv::descriptor)
