#include "log_level.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::xlog {
namespace {

struct named_level {
    std::string_view name;
    int level;
};

constexpr named_level levels[] = {
    {"L_ALERT", SIPHOST_LOG_ALERT},   {"L_BUG", SIPHOST_LOG_BUG},   {"L_CRIT2", -3},
    {"L_CRIT", SIPHOST_LOG_CRIT},     {"L_ERR", SIPHOST_LOG_ERR},   {"L_WARN", SIPHOST_LOG_WARN},
    {"L_NOTICE", SIPHOST_LOG_NOTICE}, {"L_INFO", SIPHOST_LOG_INFO}, {"L_DBG", SIPHOST_LOG_DBG},
};

} // namespace

bool parse_log_level(std::string_view text, int& level) {
    text = sdk::trim(text);
    for (const named_level& candidate : levels) {
        if (sdk::iequals(candidate.name, text)) {
            level = candidate.level;
            return true;
        }
    }
    int64_t number = 0;
    siphost_value value = sdk::str_value(text);
    if (sdk::arg_int(value, number) && number >= SIPHOST_LOG_ALERT && number <= SIPHOST_LOG_DBG) {
        level = static_cast<int>(number);
        return true;
    }
    return false;
}

} // namespace siphost::modules::xlog
