#pragma once
// siphost's command line, with Kamailio's flags so that existing service files and habits carry over.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace siphost::core {

struct command_line {
    std::string config_file = "siphost.cfg";            ///< -f FILE
    bool config_file_given = false;
    bool check_only = false;                            ///< -c: read and check the config, then exit
    std::optional<std::string> module_path;             ///< -L DIR[:DIR]: overrides mpath=
    bool log_to_stderr = false;                         ///< -E
    int foreground = 0;                                 ///< -D: 1 = no daemon, keep parent; -DD: 2 = plain foreground
    std::optional<int> children;                        ///< -n N
    std::vector<std::pair<std::string, std::string>> defines; ///< -A NAME[=VALUE]
    int debug_delta = 0;                                ///< each -d raises the log level by one
    bool show_version = false;                          ///< -V
    bool show_help = false;                             ///< -h
    std::optional<std::string> module_info_file;        ///< --module-info FILE
};

/// Parses argv. Throws std::invalid_argument with a one-line reason on a bad command line.
command_line parse_command_line(int argc, const char* const* argv);

/// The text of -h.
std::string usage_text(const std::string& program);

} // namespace siphost::core
