#pragma once
// The module registry as the config reader sees it (cfg::module_catalog): `loadmodule` loads at once,
// `modparam` configures at once, and calls and pseudo-variables resolve against what is loaded.

#include "cfg/module_catalog.hpp"
#include "plugin/module_registry.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace siphost::app {

class registry_catalog : public cfg::module_catalog {
public:
    /// module_path_override is -L (it wins over mpath=); default_dirs are used when neither is given.
    registry_catalog(plugin::module_registry& registry, std::optional<std::string> module_path_override,
                     std::vector<std::filesystem::path> default_dirs);

    cfg::load_result load_module(std::string_view name, std::string_view options, std::string_view mpath) override;
    std::string set_module_param(std::string_view module_regex, std::string_view param,
                                 const siphost_value& value) override;
    std::vector<cfg::command_overload> find_commands(std::string_view name) const override;
    std::optional<cfg::pv_export> find_pv(std::string_view name) const override;
    std::vector<std::string> command_names() const override;
    std::vector<std::string> module_names() const override;
    std::optional<cfg::event_export> find_event(std::string_view name) const override;

    /// Warnings collected while loading (a module loaded twice), for the caller to print.
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    plugin::module_registry& registry_;
    std::optional<std::string> module_path_override_;
    std::vector<std::filesystem::path> default_dirs_;
    std::vector<std::string> warnings_;
};

/// Where modules are looked for when neither -L nor mpath= says: beside the executable (modules/, as in the
/// build tree) and the installed lib/siphost/modules.
std::vector<std::filesystem::path> default_module_dirs();

} // namespace siphost::app
