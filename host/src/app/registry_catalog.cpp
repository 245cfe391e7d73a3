#include "app/registry_catalog.hpp"

#include "plugin/module_path.hpp"

namespace siphost::app {

registry_catalog::registry_catalog(plugin::module_registry& registry, std::optional<std::string> module_path_override,
                                   std::vector<std::filesystem::path> default_dirs)
    : registry_(registry), module_path_override_(std::move(module_path_override)),
      default_dirs_(std::move(default_dirs)) {}

cfg::load_result registry_catalog::load_module(std::string_view name, std::string_view, std::string_view mpath) {
    std::vector<std::filesystem::path> dirs;
    if (module_path_override_)
        dirs = plugin::split_search_path(*module_path_override_);
    else if (!mpath.empty())
        dirs = plugin::split_search_path(mpath);
    else
        dirs = default_dirs_;
    registry_.set_search_dirs(std::move(dirs));

    cfg::load_result result;
    try {
        auto outcome = registry_.load(name);
        result.ok = true;
        result.module_name = std::string(outcome.module->name());
        if (outcome.warning) {
            result.already_loaded = true;
            warnings_.push_back(*outcome.warning);
        }
    } catch (const plugin::load_error& e) {
        result.error = e.what();
    }
    return result;
}

std::string registry_catalog::set_module_param(std::string_view module_regex, std::string_view param,
                                               const siphost_value& value) {
    plugin::param_value converted;
    if (value.kind == SIPHOST_VALUE_INT)
        converted = value.num;
    else
        converted = std::string(value.str.s == nullptr ? "" : value.str.s, value.str.len);
    try {
        registry_.set_param(module_regex, param, converted);
    } catch (const plugin::load_error& e) {
        return e.what();
    }
    return {};
}

std::vector<cfg::command_overload> registry_catalog::find_commands(std::string_view name) const {
    std::vector<cfg::command_overload> overloads;
    for (const auto& ref : registry_.find_commands(name))
        overloads.push_back({ref.command, std::string(ref.owner->name())});
    return overloads;
}

std::optional<cfg::pv_export> registry_catalog::find_pv(std::string_view name) const {
    auto ref = registry_.find_pv(name);
    if (!ref)
        return std::nullopt;
    return cfg::pv_export{ref->pv, std::string(ref->owner->name())};
}

std::vector<std::string> registry_catalog::command_names() const {
    std::vector<std::string> names;
    for (auto name : registry_.command_names())
        names.emplace_back(name);
    return names;
}

std::vector<std::string> registry_catalog::module_names() const {
    std::vector<std::string> names;
    for (const auto& module : registry_.modules())
        names.emplace_back(module->name());
    return names;
}

std::vector<std::filesystem::path> default_module_dirs() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    auto dir = exe.parent_path();
    return {dir / "modules", dir.parent_path() / "lib" / "siphost" / "modules"};
}

std::optional<cfg::event_export> registry_catalog::find_event(std::string_view name) const {
    std::string module;
    const siphost_event* event = registry_.find_event(name, &module);
    if (event == nullptr)
        return std::nullopt;
    return cfg::event_export{event->route_type, (event->flags & SIPHOST_EVENT_NAMED) != 0, event->name, module};
}

} // namespace siphost::app
