#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <siphost/module.h>

namespace siphost::cfg {

/// The result of `loadmodule` as the catalog reports it.
struct load_result {
    bool ok = false;
    bool already_loaded = false; ///< the module was loaded before (Kamailio warns and goes on)
    std::string module_name;     ///< the descriptor's name ("tm") when ok
    std::string error;           ///< one sentence when not ok (the loader's refusal)
};

/// One overload of a module command.
struct command_overload {
    const siphost_command* command = nullptr;
    std::string module;
};

/// A pseudo-variable a module exports.
struct pv_export {
    const siphost_pv* pv = nullptr;
    std::string module;
};

/// An event route a module declares (siphost_event).
struct event_export {
    std::uint32_t route_type = SIPHOST_ROUTE_EVENT; ///< what its block's calls are checked against
    bool named = false;                             ///< written event_route[declared:NAME]
    std::string declared;                           ///< "tm:branch-failure"
    std::string module;
};

/// What the config reader asks of the module registry while it reads. The lead's plugin registry
/// implements it; tests implement it over static descriptor tables (see descriptor_catalog).
class module_catalog {
public:
    virtual ~module_catalog() = default;

    /// Loads a module now (`loadmodule "x"` / `loadmodule("x", "opts")`), searching mpath (the config's
    /// mpath= value so far, colon-separated, possibly empty; -L given on the command line overrides it).
    virtual load_result load_module(std::string_view name, std::string_view options,
                                    std::string_view mpath) = 0;

    /// Applies `modparam(module_regex, param, value)`: the module name is a case-insensitive regex over the
    /// loaded modules' names, the parameter must exist in each match and accept the value's kind. Returns ""
    /// on success, else one sentence.
    virtual std::string set_module_param(std::string_view module_regex, std::string_view param,
                                         const siphost_value& value) = 0;

    /// Every overload of a command called name, over all loaded modules.
    virtual std::vector<command_overload> find_commands(std::string_view name) const = 0;
    /// The module pseudo-variable called name (without '$'), if a loaded module exports it.
    virtual std::optional<pv_export> find_pv(std::string_view name) const = 0;
    /// Names of every loaded command, for "did you mean".
    virtual std::vector<std::string> command_names() const = 0;
    /// Names of every loaded module in load order.
    virtual std::vector<std::string> module_names() const = 0;
    /// The event a loaded module declares that event_route[name] is (for a named event, name is
    /// "declared:NAME"); nothing when no module declares it.
    virtual std::optional<event_export> find_event(std::string_view name) const {
        (void)name;
        return std::nullopt;
    }
};

} // namespace siphost::cfg
