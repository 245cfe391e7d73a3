// kex: Kamailio's core extensions module.
//
//   setsflag(flag), resetsflag(flag), issflagset(flag)          script flags: per message, not kept with a
//                                                               transaction (a failure route starts clear)
//   setbflag(flag [, branch]), resetbflag(...), isbflagset(...) branch flags; branch 0 is the Request-URI's,
//                                                               i >= 1 the destination set's target i-1
//   isdsturiset()                                               $du is set
//   $sf, $sF                                                    the script flags, decimal and 8 hex digits
//   pv_printf(var, text), avp_printf(var, text)                 var = text, after expanding text
//   km_append_branch([uri])                                     Kamailio 3.x's name of append_branch()
//   RPC: core.echo, core.prints, core.printi, core.pwd, core.arg, stats.fetch, stats.fetchn (kex_rpc.cpp)
//
// The host already provides setflag/resetflag/isflagset, setdsturi, resetdsturi, is_myself and append_branch
// as core functions, and core.version, core.uptime, core.ps, core.psx, core.info, core.shmmem, core.tcp_info,
// stats.get_statistics, stats.reset_statistics, stats.clear_statistics and system.* as core RPCs: they are
// not declared here. Flags are numbered 0..63, as the host's setflag numbers them.
//
// Branch flags need the host's ABI 1.2 (msgctx branch_flags); the module itself requires 1.1 and refuses a
// setbflag call site, with a sentence, on an older host.
#define SIPHOST_REQUIRE_MINOR 1
#include "kex_rpc.hpp"

#include <siphost/module.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace siphost::modules::kex {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
int sflags_slot_ = -1; ///< the script flags of a message, held in the slot's pointer bits

constexpr int64_t max_flag = 63;

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

bool has_branch_flags() {
    return SIPHOST_HAS(siphost_msgctx_api, host_->msgctx, branch_flags) &&
           SIPHOST_HAS(siphost_msgctx_api, host_->msgctx, set_branch_flags);
}

/// A flag or branch index argument: a number, or a string that holds one ("1", "$var(flag)" expanded).
bool read_number(const siphost_value& arg, int64_t& out) {
    return sdk::arg_int(arg, out);
}

/// The flag number of an argument, logging why it is refused.
bool read_flag(const siphost_value& arg, uint64_t& bit) {
    int64_t flag = -1;
    if (!read_number(arg, flag) || flag < 0 || flag > max_flag) {
        log(SIPHOST_LOG_ERR,
            "invalid flag '" +
                (arg.kind == SIPHOST_VALUE_INT ? std::to_string(arg.num) : std::string(sdk::arg_view(arg))) +
                "': flags are numbered 0 to 63");
        return false;
    }
    bit = uint64_t{1} << flag;
    return true;
}

/// Checks constant flag and branch arguments when the config is read; with_branches: the command needs the
/// host's branch flags.
int check_flag_call(const siphost_value* args, const int* constant, size_t count, bool with_branches,
                    char* err, size_t err_size) {
    if (with_branches && !has_branch_flags()) {
        sdk::write_error(err, err_size,
                         "branch flags need a host with ABI 1.2 or later (this host has 1." +
                             std::to_string(host_->abi_minor) + ")");
        return -1;
    }
    int64_t value = 0;
    if (constant[0] && (!read_number(args[0], value) || value < 0 || value > max_flag)) {
        sdk::write_error(err, err_size,
                         "invalid flag '" + std::string(sdk::arg_view(args[0])) +
                             "': flags are numbered 0 to 63");
        return -1;
    }
    if (count > 1 && constant[1] && (!read_number(args[1], value) || value < 0)) {
        sdk::write_error(err, err_size,
                         "invalid branch index '" + std::string(sdk::arg_view(args[1])) +
                             "': 0 is the Request-URI, 1.. the branches appended");
        return -1;
    }
    return 0;
}

int fix_flag(const siphost_value* args, const int* constant, void**, char* err, size_t err_size) {
    return check_flag_call(args, constant, 1, false, err, err_size);
}

int fix_bflag(const siphost_value* args, const int* constant, void**, char* err, size_t err_size) {
    return check_flag_call(args, constant, 1, true, err, err_size);
}

int fix_bflag_branch(const siphost_value* args, const int* constant, void**, char* err, size_t err_size) {
    return check_flag_call(args, constant, 2, true, err, err_size);
}

// ---- script flags ----

uint64_t script_flags(const siphost_msg* msg) {
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(host_->msgctx->slot_get(msg, sflags_slot_)));
}

int store_script_flags(siphost_msg* msg, uint64_t flags) {
    void* bits = reinterpret_cast<void*>(static_cast<uintptr_t>(flags));
    return host_->msgctx->slot_set(msg, sflags_slot_, bits) == 0 ? 1 : -1;
}

int cmd_setsflag(siphost_msg* msg, const siphost_value* args, void*) {
    uint64_t bit = 0;
    return read_flag(args[0], bit) ? store_script_flags(msg, script_flags(msg) | bit) : -1;
}

int cmd_resetsflag(siphost_msg* msg, const siphost_value* args, void*) {
    uint64_t bit = 0;
    return read_flag(args[0], bit) ? store_script_flags(msg, script_flags(msg) & ~bit) : -1;
}

int cmd_issflagset(siphost_msg* msg, const siphost_value* args, void*) {
    uint64_t bit = 0;
    return read_flag(args[0], bit) && (script_flags(msg) & bit) != 0 ? 1 : -1;
}

/// $sf: the script flags, decimal.
int get_sflags(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    *out = sdk::int_value(static_cast<int64_t>(script_flags(msg) & 0xffffffffu));
    return 0;
}

/// $sF: the script flags as 8 hex digits.
int get_sflags_hex(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    thread_local char text[24];
    std::snprintf(text, sizeof text, "%08llX", static_cast<unsigned long long>(script_flags(msg) & 0xffffffffu));
    *out = sdk::str_value(text);
    return 0;
}

// ---- branch flags ----

/// The branch index argument (absent: 0, the Request-URI's branch).
bool read_branch(const siphost_value* args, size_t count, uint32_t& index) {
    if (count < 2) {
        index = 0;
        return true;
    }
    int64_t value = -1;
    if (!read_number(args[1], value) || value < 0 || value > UINT32_MAX) {
        log(SIPHOST_LOG_ERR, "invalid branch index '" + std::string(sdk::arg_view(args[1])) + "'");
        return false;
    }
    index = static_cast<uint32_t>(value);
    return true;
}

enum class bflag_op { set, reset, test };

int branch_flag(siphost_msg* msg, const siphost_value* args, size_t count, bflag_op op) {
    uint64_t bit = 0;
    uint32_t index = 0;
    if (!has_branch_flags() || !read_flag(args[0], bit) || !read_branch(args, count, index))
        return -1;
    uint64_t flags = 0;
    if (host_->msgctx->branch_flags(msg, index, &flags) != 0) {
        log(SIPHOST_LOG_ERR, "no branch " + std::to_string(index) + " (the message has " +
                                 std::to_string(host_->msgctx->branch_count(msg) + 1) + " branches)");
        return -1;
    }
    if (op == bflag_op::test)
        return (flags & bit) != 0 ? 1 : -1;
    flags = op == bflag_op::set ? (flags | bit) : (flags & ~bit);
    return host_->msgctx->set_branch_flags(msg, index, flags) == 0 ? 1 : -1;
}

int cmd_setbflag(siphost_msg* msg, const siphost_value* args, void*) {
    return branch_flag(msg, args, 1, bflag_op::set);
}
int cmd_setbflag_branch(siphost_msg* msg, const siphost_value* args, void*) {
    return branch_flag(msg, args, 2, bflag_op::set);
}
int cmd_resetbflag(siphost_msg* msg, const siphost_value* args, void*) {
    return branch_flag(msg, args, 1, bflag_op::reset);
}
int cmd_resetbflag_branch(siphost_msg* msg, const siphost_value* args, void*) {
    return branch_flag(msg, args, 2, bflag_op::reset);
}
int cmd_isbflagset(siphost_msg* msg, const siphost_value* args, void*) {
    return branch_flag(msg, args, 1, bflag_op::test);
}
int cmd_isbflagset_branch(siphost_msg* msg, const siphost_value* args, void*) {
    return branch_flag(msg, args, 2, bflag_op::test);
}

// ---- $du, pv_printf, km_append_branch ----

int cmd_isdsturiset(siphost_msg* msg, const siphost_value*, void*) {
    return host_->msg_dst_uri(msg).len > 0 ? 1 : -1;
}

/// A pv_printf call site: the variable written, parsed once.
std::unique_ptr<sdk::parsed_pv> fix_printf(const siphost_value* args, const int*) {
    return std::make_unique<sdk::parsed_pv>(host_, sdk::arg_view(args[0]));
}

int cmd_pv_printf(siphost_msg* msg, const siphost_value* args, void* data) {
    siphost_value text = sdk::str_value(sdk::arg_view(args[1]));
    if (static_cast<const sdk::parsed_pv*>(data)->set(msg, &text) != 0) {
        log(SIPHOST_LOG_ERR, "pv_printf: the variable cannot be set");
        return -1;
    }
    return 1;
}

/// The new branch: without a URI the Request-URI with $du and branch 0's flags, as append_branch() makes it.
int append(siphost_msg* msg, const siphost_value* uri) {
    siphost_branch branch = sdk::sized<siphost_branch>();
    if (uri == nullptr) {
        branch.uri = host_->msg_ruri(msg);
        branch.dst_uri = host_->msg_dst_uri(msg);
        uint64_t flags = 0;
        if (has_branch_flags() && host_->msgctx->branch_flags(msg, 0, &flags) == 0)
            branch.flags = flags;
    } else {
        branch.uri = uri->str;
    }
    if (branch.uri.len == 0)
        return -1;
    return host_->msgctx->append_branch(msg, &branch) >= 0 ? 1 : -1;
}

int cmd_km_append_branch(siphost_msg* msg, const siphost_value*, void*) {
    return append(msg, nullptr);
}

int cmd_km_append_branch_uri(siphost_msg* msg, const siphost_value* args, void*) {
    return append(msg, &args[0]);
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    sflags_slot_ = host->msgctx->slot_register(self, nullptr);
    if (sflags_slot_ < 0) {
        sdk::write_error(err, err_size, "cannot reserve the per-message slot of the script flags");
        return -1;
    }
    set_rpc_host(host);
    return 0;
}

void destroy() {
    // Call sites are released after destroy; they must not call pv_free then.
    host_ = nullptr;
    set_rpc_host(nullptr);
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
constexpr uint32_t request_failure = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE;
constexpr auto S = SIPHOST_ARG_STRING;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("setsflag", any, guarded<&cmd_setsflag>, {S}, fix_flag, nullptr, "sets a script flag"),
    command("resetsflag", any, guarded<&cmd_resetsflag>, {S}, fix_flag, nullptr, "resets a script flag"),
    command("issflagset", any, guarded<&cmd_issflagset>, {S}, fix_flag, nullptr, "a script flag is set"),
    command("setbflag", any, guarded<&cmd_setbflag>, {S}, fix_bflag, nullptr,
            "sets a flag of the Request-URI's branch"),
    command("setbflag", any, guarded<&cmd_setbflag_branch>, {S, S}, fix_bflag_branch, nullptr,
            "sets a flag of branch N"),
    command("resetbflag", any, guarded<&cmd_resetbflag>, {S}, fix_bflag, nullptr,
            "resets a flag of the Request-URI's branch"),
    command("resetbflag", any, guarded<&cmd_resetbflag_branch>, {S, S}, fix_bflag_branch, nullptr,
            "resets a flag of branch N"),
    command("isbflagset", any, guarded<&cmd_isbflagset>, {S}, fix_bflag, nullptr,
            "a flag of the Request-URI's branch is set"),
    command("isbflagset", any, guarded<&cmd_isbflagset_branch>, {S, S}, fix_bflag_branch, nullptr,
            "a flag of branch N is set"),
    command("isdsturiset", any, guarded<&cmd_isdsturiset>, {}, nullptr, nullptr, "$du is set"),
    command("pv_printf", any, guarded<&cmd_pv_printf>, {SIPHOST_ARG_PVAR, S}, sdk::fixup<&fix_printf>,
            sdk::free_call_data<sdk::parsed_pv>, "sets the variable to the expanded text"),
    command("avp_printf", any, guarded<&cmd_pv_printf>, {SIPHOST_ARG_PVAR, S}, sdk::fixup<&fix_printf>,
            sdk::free_call_data<sdk::parsed_pv>, "pv_printf's older name"),
    command("km_append_branch", request_failure, guarded<&cmd_km_append_branch>, {}, nullptr, nullptr,
            "adds the Request-URI to the destination set"),
    command("km_append_branch", request_failure, guarded<&cmd_km_append_branch_uri>, {S}, nullptr, nullptr,
            "adds the URI to the destination set"),
    sdk::end_of_commands(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("sf", SIPHOST_PV_NAME_NONE, get_sflags, nullptr, nullptr, nullptr,
                         "the script flags (setsflag), decimal"),
    sdk::pseudo_variable("sF", SIPHOST_PV_NAME_NONE, get_sflags_hex, nullptr, nullptr, nullptr,
                         "the script flags (setsflag), 8 hex digits"),
    sdk::end_of_pvs(),
};

const siphost_module descriptor = sdk::module({.name = "kex",
                                               .version = "1.0",
                                               .commands = commands,
                                               .pvs = pvs,
                                               .rpcs = rpc_commands(),
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::kex

SIPHOST_MODULE(siphost::modules::kex::descriptor)
