#include "core/command_line.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace siphost::core {
namespace {

int parse_int(std::string_view flag, std::string_view text, int min, int max) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        throw std::invalid_argument(std::string(flag) + " needs a number from " + std::to_string(min) + " to " +
                                    std::to_string(max) + ", not '" + std::string(text) + "'");
    return value;
}

/// A config string literal holding text.
std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}

bool yes_no(std::string_view flag, std::string_view text) {
    if (text == "yes" || text == "on" || text == "y" || text == "1")
        return true;
    if (text == "no" || text == "off" || text == "n" || text == "0")
        return false;
    throw std::invalid_argument(std::string(flag) + " needs yes/on or no/off, not '" + std::string(text) + "'");
}

/// -l [proto:]addr[:port][/advertised[:port]]: a listen= statement.
std::string listen_statement(std::string_view value) {
    if (value.empty())
        throw std::invalid_argument("-l needs an address");
    auto slash = value.find('/');
    if (slash == std::string_view::npos)
        return "listen=" + std::string(value);
    if (slash + 1 >= value.size())
        throw std::invalid_argument("-l " + std::string(value) + ": nothing after '/' (the advertised address)");
    return "listen=" + std::string(value.substr(0, slash)) + " advertise " + std::string(value.substr(slash + 1));
}

/// --modparam=module:param:type:value, type s (string) or i (integer): a modparam statement.
std::string modparam_statement(std::string_view value) {
    std::string_view rest = value;
    std::string_view parts[3];
    for (auto& part : parts) {
        auto colon = rest.find(':');
        if (colon == std::string_view::npos)
            throw std::invalid_argument("--modparam=" + std::string(value) +
                                        ": write it as module:parameter:type:value (type s or i)");
        part = rest.substr(0, colon);
        rest = rest.substr(colon + 1);
    }
    auto [module, param, type] = parts;
    if (module.empty() || param.empty())
        throw std::invalid_argument("--modparam=" + std::string(value) + ": the module and the parameter are needed");
    std::string literal;
    if (type == "s" || type == "S") {
        literal = quoted(rest);
    } else if (type == "i" || type == "I") {
        literal = std::to_string(parse_int("--modparam's integer", rest, INT32_MIN, INT32_MAX));
    } else {
        throw std::invalid_argument("--modparam=" + std::string(value) + ": the type is s (string) or i (integer), not '" +
                                    std::string(type) + "'");
    }
    return "modparam(" + quoted(module) + ", " + quoted(param) + ", " + literal + ")";
}

using handler = void (*)(command_line&, std::string_view flag, std::string_view value);

/// One option, as nginx declares a directive: its names, whether it takes a value, and what it does.
struct option_spec {
    char short_name;        ///< '\0' for a long-only option
    const char* long_name;  ///< nullptr for a short-only option
    const char* value_name; ///< nullptr for a flag without a value
    const char* help;
    handler apply;
};

void ignore(command_line& o, std::string_view flag, std::string_view value, std::string_view why) {
    o.ignored.push_back(std::string(flag) + (value.empty() ? "" : " " + std::string(value)) + ": " +
                        std::string(why));
}

void prelude(command_line& o, std::string statement) {
    o.config_prelude.push_back(std::move(statement));
}

const option_spec options_table[] = {
    {'a', nullptr, "MODE", "auto aliases: yes/on or no/off (auto_aliases=)",
     [](command_line& o, std::string_view f, std::string_view v) {
         prelude(o, std::string("auto_aliases=") + (yes_no(f, v) ? "yes" : "no"));
     }},
    {'\0', "alias", "[PROTO:]HOST[:PORT]", "add an alias (alias=)",
     [](command_line& o, std::string_view, std::string_view v) { prelude(o, "alias=" + std::string(v)); }},
    {'\0', "atexit", "Y/N", "accepted without effect",
     [](command_line& o, std::string_view f, std::string_view v) {
         yes_no(f, v);
         ignore(o, f, v, "siphost has no shared memory pool for libraries' exit handlers to reach");
     }},
    {'A', nullptr, "NAME[=VALUE]", "define NAME for #!ifdef and substitution, as #!define does",
     [](command_line& o, std::string_view, std::string_view v) {
         auto eq = v.find('=');
         std::string name(v.substr(0, eq));
         if (name.empty())
             throw std::invalid_argument("-A needs NAME or NAME=VALUE");
         o.defines.emplace_back(std::move(name), eq == std::string_view::npos ? "" : std::string(v.substr(eq + 1)));
     }},
    {'b', nullptr, "BYTES", "largest UDP receive buffer to probe for (maxbuffer=)",
     [](command_line& o, std::string_view f, std::string_view v) {
         prelude(o, "maxbuffer=" + std::to_string(parse_int(f, v, 0, INT32_MAX)));
     }},
    {'c', nullptr, nullptr, "check the configuration file and exit (errors: exit status 1)",
     [](command_line& o, std::string_view, std::string_view) { o.check_only = true; }},
    {'\0', "cfg-print", nullptr, "print the configuration after the preprocessor and exit",
     [](command_line& o, std::string_view, std::string_view) { o.print_config = true; }},
    {'d', nullptr, nullptr, "raise the log level by one (repeatable)",
     [](command_line& o, std::string_view, std::string_view) { ++o.debug_delta; }},
    {'\0', "debug", "LEVEL", "the log level (debug=)",
     [](command_line& o, std::string_view f, std::string_view v) {
         prelude(o, "debug=" + std::to_string(parse_int(f, v, -5, 9)));
     }},
    {'D', nullptr, nullptr, "do not daemonize (-DD: also stay in the foreground process)",
     [](command_line& o, std::string_view, std::string_view) { ++o.foreground; }},
    {'e', nullptr, nullptr, "colour the log on a terminal (log_color=yes)",
     [](command_line& o, std::string_view, std::string_view) { prelude(o, "log_color=yes"); }},
    {'E', nullptr, nullptr, "log to stderr instead of syslog",
     [](command_line& o, std::string_view, std::string_view) { o.log_to_stderr = true; }},
    {'f', nullptr, "FILE", "configuration file (default: siphost.cfg)",
     [](command_line& o, std::string_view, std::string_view v) {
         o.config_file = std::string(v);
         o.config_file_given = true;
     }},
    {'g', nullptr, "GROUP", "run as this group (name or number) once the sockets are open",
     [](command_line& o, std::string_view, std::string_view v) { o.group = std::string(v); }},
    {'G', nullptr, "FILE", "write the process group id to FILE",
     [](command_line& o, std::string_view, std::string_view v) { o.pgid_file = std::string(v); }},
    {'h', "help", nullptr, "print this help and exit",
     [](command_line& o, std::string_view, std::string_view) { o.show_help = true; }},
    {'I', nullptr, nullptr, "print how siphost was built and exit",
     [](command_line& o, std::string_view, std::string_view) { o.show_build_options = true; }},
    {'K', nullptr, nullptr, "check the Via host of replies before relaying them (check_via=yes)",
     [](command_line& o, std::string_view, std::string_view) { prelude(o, "check_via=yes"); }},
    {'l', nullptr, "ADDRESS", "listen on [proto:]addr[:port][/advertised], in addition to the config's",
     [](command_line& o, std::string_view, std::string_view v) { prelude(o, listen_statement(v)); }},
    {'\0', "loadmodule", "NAME", "load a module before the config's (loadmodule)",
     [](command_line& o, std::string_view, std::string_view v) { prelude(o, "loadmodule " + quoted(v)); }},
    {'\0', "log-engine", "NAME[:DATA]", "accepted without effect",
     [](command_line& o, std::string_view f, std::string_view v) {
         ignore(o, f, v, "siphost logs to syslog or stderr only");
     }},
    {'L', nullptr, "DIR[:DIR...]", "module directories; overrides mpath= in the config",
     [](command_line& o, std::string_view, std::string_view v) { o.module_path = std::string(v); }},
    {'m', nullptr, "MB", "accepted without effect",
     [](command_line& o, std::string_view f, std::string_view v) {
         parse_int(f, v, 1, INT32_MAX);
         ignore(o, f, v, "siphost has no fixed-size shared memory pool; it allocates as it needs");
     }},
    {'M', nullptr, "MB", "accepted without effect",
     [](command_line& o, std::string_view f, std::string_view v) {
         parse_int(f, v, 1, INT32_MAX);
         ignore(o, f, v, "siphost has no fixed-size private memory pool; it allocates as it needs");
     }},
    {'\0', "modparam", "MOD:PARAM:TYPE:VALUE", "set a module parameter (TYPE s or i) after the config's",
     [](command_line& o, std::string_view, std::string_view v) {
         o.config_postlude.push_back(modparam_statement(v));
     }},
    {'\0', "module-info", "FILE", "print what a module declares, or why the loader refuses it",
     [](command_line& o, std::string_view, std::string_view v) { o.module_info_file = std::string(v); }},
    {'n', nullptr, "N", "number of worker threads (children=)",
     [](command_line& o, std::string_view f, std::string_view v) { o.children = parse_int(f, v, 1, 1024); }},
    {'N', nullptr, "N", "TCP io threads (tcp_children=)",
     [](command_line& o, std::string_view f, std::string_view v) {
         prelude(o, "tcp_children=" + std::to_string(parse_int(f, v, 1, 1024)));
     }},
    {'O', nullptr, "LEVEL", "accepted without effect",
     [](command_line& o, std::string_view f, std::string_view v) {
         ignore(o, f, v, "siphost compiles the script the same way at every level");
     }},
    {'P', nullptr, "FILE", "write the main process id to FILE",
     [](command_line& o, std::string_view, std::string_view v) { o.pid_file = std::string(v); }},
    {'Q', nullptr, "N", "SCTP processes (sctp_children=)",
     [](command_line& o, std::string_view f, std::string_view v) {
         prelude(o, "sctp_children=" + std::to_string(parse_int(f, v, 1, 1024)));
     }},
    {'r', nullptr, nullptr, "add received= when the Via host does not resolve to the source (dns=yes)",
     [](command_line& o, std::string_view, std::string_view) { prelude(o, "dns=yes"); }},
    {'R', nullptr, nullptr, "the same by reverse DNS (rev_dns=yes)",
     [](command_line& o, std::string_view, std::string_view) { prelude(o, "rev_dns=yes"); }},
    {'\0', "server-id", "N", "this instance's number (server_id=)",
     [](command_line& o, std::string_view f, std::string_view v) {
         prelude(o, "server_id=" + std::to_string(parse_int(f, v, 0, INT32_MAX)));
     }},
    {'S', nullptr, nullptr, "no SCTP (disable_sctp=yes)",
     [](command_line& o, std::string_view, std::string_view) { prelude(o, "disable_sctp=yes"); }},
    {'\0', "subst", "/RE/REPL/FLAGS", "a #!subst directive before the config",
     [](command_line& o, std::string_view, std::string_view v) { prelude(o, "#!subst " + quoted(v)); }},
    {'\0', "substdef", "/NAME/VALUE/", "a #!substdef directive before the config",
     [](command_line& o, std::string_view, std::string_view v) { prelude(o, "#!substdef " + quoted(v)); }},
    {'\0', "substdefs", "/NAME/VALUE/", "a #!substdefs directive before the config",
     [](command_line& o, std::string_view, std::string_view v) { prelude(o, "#!substdefs " + quoted(v)); }},
    {'t', nullptr, "DIR", "chroot to DIR once the modules are loaded and the sockets open",
     [](command_line& o, std::string_view, std::string_view v) { o.chroot_dir = std::string(v); }},
    {'T', nullptr, nullptr, "no TCP (disable_tcp=yes)",
     [](command_line& o, std::string_view, std::string_view) { prelude(o, "disable_tcp=yes"); }},
    {'u', nullptr, "USER", "run as this user (name or number) once the sockets are open",
     [](command_line& o, std::string_view, std::string_view v) { o.user = std::string(v); }},
    {'v', "version", nullptr, "print the version and exit",
     [](command_line& o, std::string_view, std::string_view) { o.show_version = true; }},
    {'V', nullptr, nullptr, "the same as -v",
     [](command_line& o, std::string_view, std::string_view) { o.show_version = true; }},
    {'w', nullptr, "DIR", "working directory (default: where siphost was started)",
     [](command_line& o, std::string_view, std::string_view v) { o.working_dir = std::string(v); }},
    {'W', nullptr, "METHOD", "accepted without effect",
     [](command_line& o, std::string_view f, std::string_view v) {
         ignore(o, f, v, "Boost.Asio picks the poll method (epoll on Linux)");
     }},
    {'x', nullptr, "NAME", "accepted without effect",
     [](command_line& o, std::string_view f, std::string_view v) {
         ignore(o, f, v, "siphost has no shared memory manager to choose");
     }},
    {'X', nullptr, "NAME", "accepted without effect",
     [](command_line& o, std::string_view f, std::string_view v) {
         ignore(o, f, v, "siphost has no private memory manager to choose");
     }},
    {'Y', nullptr, "DIR", "runtime directory (rundir=)",
     [](command_line& o, std::string_view, std::string_view v) { prelude(o, "rundir=" + quoted(v)); }},
};

const option_spec* find_short(char name) {
    for (const auto& spec : options_table)
        if (spec.short_name == name)
            return &spec;
    return nullptr;
}

const option_spec* find_long(std::string_view name) {
    for (const auto& spec : options_table)
        if (spec.long_name != nullptr && name == spec.long_name)
            return &spec;
    return nullptr;
}

} // namespace

command_line parse_command_line(int argc, const char* const* argv) {
    command_line options;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto next_value = [&](std::string_view flag) -> std::string_view {
            if (i + 1 >= argc)
                throw std::invalid_argument(std::string(flag) + " needs a value");
            return argv[++i];
        };
        if (arg.starts_with("--") && arg.size() > 2) {
            // --name, --name=value or --name value, as getopt_long reads them.
            std::string_view body = arg.substr(2);
            auto eq = body.find('=');
            std::string_view name = body.substr(0, eq);
            const option_spec* spec = find_long(name);
            std::string flag = "--" + std::string(name);
            if (spec == nullptr)
                throw std::invalid_argument("unknown option '" + flag + "' (siphost -h lists the options)");
            if (spec->value_name == nullptr) {
                if (eq != std::string_view::npos)
                    throw std::invalid_argument(flag + " takes no value");
                spec->apply(options, flag, {});
            } else {
                spec->apply(options, flag, eq != std::string_view::npos ? body.substr(eq + 1) : next_value(flag));
            }
        } else if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-') {
            // A cluster of flags (-cE, -DD, -dd); an option with a value ends it, its value glued (-fk.cfg) or
            // in the next argument, as getopt allows.
            for (size_t k = 1; k < arg.size(); ++k) {
                const option_spec* spec = find_short(arg[k]);
                std::string flag = "-" + std::string(1, arg[k]);
                if (spec == nullptr)
                    throw std::invalid_argument("unknown option '" + flag + "' (siphost -h lists the options)");
                if (spec->value_name == nullptr) {
                    spec->apply(options, flag, {});
                    continue;
                }
                spec->apply(options, flag, k + 1 < arg.size() ? arg.substr(k + 1) : next_value(flag));
                break;
            }
        } else {
            throw std::invalid_argument("unexpected argument '" + std::string(arg) +
                                        "' (siphost -h lists the options)");
        }
    }
    return options;
}

std::string usage_text(const std::string& program) {
    std::string text = "Usage: " + program + " [options]\nA SIP server that runs Kamailio configuration files.\n\n";
    for (const auto& spec : options_table) {
        std::string names;
        if (spec.short_name != '\0')
            names = "-" + std::string(1, spec.short_name);
        if (spec.long_name != nullptr)
            names += (names.empty() ? "--" : ", --") + std::string(spec.long_name);
        if (spec.value_name != nullptr)
            names += (spec.short_name == '\0' ? "=" : " ") + std::string(spec.value_name);
        names.resize(std::max<size_t>(names.size() + 2, 30), ' ');
        text += "  " + names + spec.help + "\n";
    }
    return text;
}

} // namespace siphost::core
