#pragma once
// xlog's level argument: Kamailio's names (L_ALERT, L_BUG, L_CRIT, L_ERR, L_WARN, L_NOTICE, L_INFO, L_DBG)
// or the level's number.

#include <string_view>

namespace siphost::modules::xlog {

/// Parses a level name or number; false when it is neither.
bool parse_log_level(std::string_view text, int& level);

} // namespace siphost::modules::xlog
