#include "core/command_line.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace siphost::core {
namespace {

int parse_count(std::string_view flag, std::string_view text) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 1024)
        throw std::invalid_argument(std::string(flag) + " needs a number from 1 to 1024, not '" + std::string(text) +
                                    "'");
    return value;
}

} // namespace

command_line parse_command_line(int argc, const char* const* argv) {
    command_line options;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&](std::string_view flag) -> std::string_view {
            // Both "-f FILE" and "-fFILE", as getopt allows.
            if (arg.size() > flag.size() && !flag.starts_with("--"))
                return arg.substr(flag.size());
            if (i + 1 >= argc)
                throw std::invalid_argument(std::string(flag) + " needs a value");
            return argv[++i];
        };
        if (arg == "--module-info") {
            options.module_info_file = std::string(value("--module-info"));
        } else if (arg == "--help" || arg == "-h") {
            options.show_help = true;
        } else if (arg == "--version" || arg == "-V" || arg == "-v") {
            options.show_version = true;
        } else if (arg.starts_with("-f")) {
            options.config_file = std::string(value("-f"));
            options.config_file_given = true;
        } else if (arg.starts_with("-L")) {
            options.module_path = std::string(value("-L"));
        } else if (arg.starts_with("-n")) {
            options.children = parse_count("-n", value("-n"));
        } else if (arg.starts_with("-A")) {
            std::string_view define = value("-A");
            auto eq = define.find('=');
            std::string name(define.substr(0, eq));
            if (name.empty())
                throw std::invalid_argument("-A needs NAME or NAME=VALUE");
            options.defines.emplace_back(std::move(name),
                                         eq == std::string_view::npos ? "" : std::string(define.substr(eq + 1)));
        } else if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-') {
            // Clusters of flags without values: -c, -E, -D, -DD, -d, -dd, -cE ...
            for (char flag : arg.substr(1)) {
                switch (flag) {
                case 'c':
                    options.check_only = true;
                    break;
                case 'E':
                    options.log_to_stderr = true;
                    break;
                case 'D':
                    ++options.foreground;
                    break;
                case 'd':
                    ++options.debug_delta;
                    break;
                default:
                    throw std::invalid_argument("unknown option '-" + std::string(1, flag) +
                                                "' (siphost -h lists the options)");
                }
            }
        } else {
            throw std::invalid_argument("unexpected argument '" + std::string(arg) +
                                        "' (siphost -h lists the options)");
        }
    }
    return options;
}

std::string usage_text(const std::string& program) {
    return "Usage: " + program + R"( [options]
A SIP server that runs Kamailio configuration files.

  -f FILE             configuration file (default: siphost.cfg)
  -c                  check the configuration file and exit (errors: exit status 1)
  -L DIR[:DIR...]     module directories; overrides mpath= in the config
  -E                  log to stderr instead of syslog
  -D                  do not daemonize (-DD: also stay in the foreground process)
  -n N                number of worker threads (children=)
  -A NAME[=VALUE]     define NAME for #!ifdef and substitution, as #!define does
  -d                  raise the log level by one (repeatable)
  -V                  print the version and exit
  -h                  print this help and exit
  --module-info FILE  print what a module declares, or why the loader refuses it
)";
}

} // namespace siphost::core
