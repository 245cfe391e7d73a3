#pragma once
// siphost's command line: every option of Kamailio 5.6's `kamailio -h`, so that service files, init scripts
// and test harnesses written for Kamailio start siphost unchanged. An option siphost has no use for (memory
// pool sizes, poll method, ...) is accepted with a one-line warning that says so.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace siphost::core {

struct command_line {
    std::string config_file = "siphost.cfg";            ///< -f FILE
    bool config_file_given = false;
    bool check_only = false;                            ///< -c: read and check the config, then exit
    bool print_config = false;                          ///< --cfg-print: the config after the preprocessor
    std::optional<std::string> module_path;             ///< -L DIR[:DIR]: overrides mpath=
    bool log_to_stderr = false;                         ///< -E
    int foreground = 0;                                 ///< -D: 1 = no daemon, keep parent; -DD: 2 = plain foreground
    std::optional<int> children;                        ///< -n N
    std::vector<std::pair<std::string, std::string>> defines; ///< -A NAME[=VALUE]
    int debug_delta = 0;                                ///< each -d raises the log level by one
    bool show_version = false;                          ///< -V, -v, --version
    bool show_help = false;                             ///< -h, --help
    bool show_build_options = false;                    ///< -I
    std::optional<std::string> module_info_file;        ///< --module-info FILE

    /// Config statements the options stand for, read before the config file as if written at its top (so
    /// that the file's own assignments win, as in Kamailio): -l is `listen=`, -T `disable_tcp=yes`,
    /// --alias `alias=`, --loadmodule `loadmodule`, #!subst lines from --subst, ...
    std::vector<std::string> config_prelude;
    /// Statements read after the config file: --modparam, which needs the file's loadmodule lines.
    std::vector<std::string> config_postlude;

    std::optional<std::string> pid_file;    ///< -P FILE: the main process's pid, written once started
    std::optional<std::string> pgid_file;   ///< -G FILE: its process group
    std::optional<std::string> user;        ///< -u USER (name or number): run as it once the sockets are open
    std::optional<std::string> group;       ///< -g GROUP (name or number)
    std::optional<std::string> working_dir; ///< -w DIR
    std::optional<std::string> chroot_dir;  ///< -t DIR

    /// Options accepted without effect, each as the sentence to log ("-m 64: ...").
    std::vector<std::string> ignored;
};

/// Parses argv. Throws std::invalid_argument with a one-line reason on a bad command line.
command_line parse_command_line(int argc, const char* const* argv);

/// The text of -h.
std::string usage_text(const std::string& program);

} // namespace siphost::core
