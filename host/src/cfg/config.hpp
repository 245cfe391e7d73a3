#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cfg/ast.hpp"
#include "cfg/global_params.hpp"

namespace siphost::cfg {

/// A `loadmodule` statement that succeeded.
struct loaded_module {
    std::string written; ///< as written in the config ("tm.so")
    std::string name;    ///< the module's own name ("tm")
    source_location where;
};

/// A `loadmodule` or `modparam` statement as read: reading records it, applying (apply_module_statements)
/// carries it out, in the config's order, so that reading a config has no side effects.
struct module_statement {
    enum class kind { loadmodule, modparam } what = kind::loadmodule;
    // loadmodule
    std::string file;    ///< as written ("tm.so")
    std::string options; ///< loadmodule("x", "options")
    std::string mpath;   ///< mpath= as it stood at this line
    // modparam
    std::string module_regex, param;
    bool is_int = false;
    std::int64_t number = 0;
    std::string text;
    /// loadmodule: the keyword and the file name; modparam: the module, the parameter and the value.
    source_location where[3];
};

/// A custom config variable (`group.name = value [desc "text"]`), Kamailio's cfg framework's script form.
struct custom_variable {
    std::string group;
    std::string name;
    bool is_int = false;
    std::int64_t number = 0;
    std::string text;
    std::string description;
    source_location where;
};

/// A config after reading and resolving: global parameters, modules, and the route blocks with every call
/// bound. The script layer compiles it.
/// How many flag names 'avpflags' may declare (the bits of siphost_avp_list::entry::script_flags).
inline constexpr std::size_t max_avp_flags = 32;
/// The highest message flag number (setflag's range).
inline constexpr int max_message_flag = 63;

struct config {
    global_params params;
    std::vector<module_statement> module_statements; ///< in the config's order
    std::vector<loaded_module> modules;              ///< filled when the statements are applied
    std::size_t modparam_count = 0;
    std::vector<route_block> routes; ///< a route's id is its index here
    std::vector<custom_variable> custom_variables;
    /// Names declared with 'avpflags a, b;' (setavpflag, isavpflagset): the flag of a name is its bit, in
    /// the order first declared.
    std::vector<std::string> avp_flag_names;
    /// Message flags named with 'flags NAME[: n], ...;' (setflag, resetflag, isflagset take the names).
    std::vector<std::pair<std::string, int>> flag_names;
    source_location start; ///< the config's first line: where diagnostics about the whole config point

    /// The id of the route block of this type (one SIPHOST_ROUTE_* bit) and name, or -1. Sub-routes
    /// (route[X]) have type SIPHOST_ROUTE_REQUEST and a name; "0" and "" name a type's main block.
    int find_route(std::uint32_t type, std::string_view name) const;
};

} // namespace siphost::cfg
