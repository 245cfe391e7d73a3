// xlog: formatted log lines from the script (Kamailio's xlog module).
//
//   xlog(fmt)                       at L_ERR
//   xlog(level, fmt)                level L_ALERT .. L_DBG (or its number), constant or from a variable
//   xdbg, xinfo, xnotice, xwarn, xerr, xbug, xcrit, xalert (fmt)
//   modparam("xlog", "prefix", "<script>: ")   what stands before the text
//
// The host evaluates the pseudo-variables of fmt (SIPHOST_ARG_STRING); xlog writes one line per call: a
// trailing line break in fmt (Kamailio scripts end xlog strings with "\n") is dropped, since the host's
// logger ends every line itself. Lines are logged without the module's name (self NULL), so that they read
// "<script>: text" as in Kamailio, not "xlog: <script>: text".
#include "log_level.hpp"

#include <siphost/module.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace siphost::modules::xlog {
namespace {

const char module_name[] = "xlog";

const siphost_host_api* host_ = nullptr;
const char* prefix_param_ = "<script>: ";

/// The prefix modparam, copied at init: what stands in front of every line's text.
std::string prefix_;

std::string_view without_line_break(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

int write_line(int level, std::string_view text) {
    if (host_ == nullptr)
        return -1;
    if (host_->log_enabled != nullptr && !host_->log_enabled(level))
        return 1;
    thread_local std::string line;
    line.assign(prefix_).append(without_line_break(text));
    host_->log(nullptr, level, sdk::str(line));
    return 1;
}

template <int Level> int cmd_fixed_level(siphost_msg*, const siphost_value* args, void*) {
    return write_line(Level, sdk::arg_view(args[0]));
}

std::unique_ptr<int> fix_level(const siphost_value* args, const int* constant) {
    if (!constant[0])
        return nullptr; // a level from a variable is read at each call
    auto level = std::make_unique<int>(0);
    if (!parse_log_level(sdk::arg_view(args[0]), *level))
        throw sdk::config_error("unknown log level \"" + std::string(sdk::arg_view(args[0])) +
                                "\"; use L_ALERT, L_BUG, L_CRIT, L_ERR, L_WARN, L_NOTICE, L_INFO or L_DBG");
    return level;
}

int cmd_xlog_level(siphost_msg*, const siphost_value* args, void* call_data) {
    int level = SIPHOST_LOG_ERR;
    if (call_data != nullptr) {
        level = *static_cast<const int*>(call_data);
    } else if (args[0].kind == SIPHOST_VALUE_INT) {
        level = static_cast<int>(args[0].num);
    } else if (!parse_log_level(sdk::arg_view(args[0]), level)) {
        return -1;
    }
    if (level < SIPHOST_LOG_ALERT)
        level = SIPHOST_LOG_ALERT;
    if (level > SIPHOST_LOG_DBG)
        level = SIPHOST_LOG_DBG;
    return write_line(level, sdk::arg_view(args[1]));
}

int init(const siphost_host_api* host, siphost_module_handle*, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        prefix_.assign(prefix_param_ != nullptr ? prefix_param_ : "");
        return 0;
    });
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("xlog", any, guarded<&cmd_fixed_level<SIPHOST_LOG_ERR>>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "logs the formatted text at L_ERR"),
    command("xlog", any, guarded<&cmd_xlog_level>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            sdk::fixup<&fix_level>, sdk::free_call_data<int>, "logs the formatted text at a level"),
    command("xdbg", any, guarded<&cmd_fixed_level<SIPHOST_LOG_DBG>>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "logs at L_DBG"),
    command("xinfo", any, guarded<&cmd_fixed_level<SIPHOST_LOG_INFO>>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "logs at L_INFO"),
    command("xnotice", any, guarded<&cmd_fixed_level<SIPHOST_LOG_NOTICE>>, {SIPHOST_ARG_STRING}, nullptr,
            nullptr, "logs at L_NOTICE"),
    command("xwarn", any, guarded<&cmd_fixed_level<SIPHOST_LOG_WARN>>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "logs at L_WARN"),
    command("xerr", any, guarded<&cmd_fixed_level<SIPHOST_LOG_ERR>>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "logs at L_ERR"),
    command("xbug", any, guarded<&cmd_fixed_level<SIPHOST_LOG_BUG>>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "logs at L_BUG"),
    command("xcrit", any, guarded<&cmd_fixed_level<SIPHOST_LOG_CRIT>>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "logs at L_CRIT"),
    command("xalert", any, guarded<&cmd_fixed_level<SIPHOST_LOG_ALERT>>, {SIPHOST_ARG_STRING}, nullptr,
            nullptr, "logs at L_ALERT"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::string_param("prefix", &prefix_param_, "what stands before each line (default \"<script>: \")"),
    sdk::end_of_params(),
};

const siphost_module descriptor = sdk::module(module_name, "1.0", commands, params, nullptr, init);

} // namespace
} // namespace siphost::modules::xlog

SIPHOST_MODULE(siphost::modules::xlog::descriptor)
