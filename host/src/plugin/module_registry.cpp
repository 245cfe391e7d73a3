#include "plugin/module_registry.hpp"

#include "core/log.hpp"
#include "core/rpc.hpp"
#include "core/suggest.hpp"
#include "plugin/descriptor_check.hpp"
#include "plugin/module_path.hpp"

#include <array>
#include <limits>
#include <regex>
#include <system_error>

namespace siphost::plugin {
namespace {

const std::vector<command_ref> no_commands;

std::string join_paths(const std::vector<std::filesystem::path>& paths) {
    std::string text;
    for (const auto& p : paths) {
        if (!text.empty())
            text += ", ";
        text += p.string();
    }
    return text;
}

std::string kind_name(uint32_t kinds) {
    if (kinds == (SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING))
        return "integer or string";
    return kinds == SIPHOST_PARAM_INT ? "integer" : "string";
}

} // namespace

module_registry::~module_registry() { destroy_all(); }

load_outcome module_registry::load(std::string_view name_or_path) {
    auto candidates = candidate_paths(name_or_path, search_dirs_);
    std::optional<std::filesystem::path> found;
    for (const auto& candidate : candidates) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec)) {
            found = candidate;
            break;
        }
    }
    if (!found) {
        if (candidates.empty())
            throw load_error("module '" + std::string(name_or_path) +
                             "' not found: no module directory is set (mpath= or -L)");
        throw load_error("module '" + std::string(name_or_path) + "' not found; tried " + join_paths(candidates));
    }

    // The same file again is common in configs assembled from includes: a warning, loaded once.
    for (const auto& loaded : modules_) {
        std::error_code ec;
        if (std::filesystem::equivalent(loaded->path(), *found, ec))
            return {loaded, "module '" + std::string(loaded->name()) + "' is already loaded from '" +
                                loaded->path().string() + "'"};
    }
    auto module = loaded_module::open(*found);
    for (const auto& loaded : modules_) {
        if (loaded->name() == module->name())
            return {loaded, "module '" + std::string(loaded->name()) + "' is already loaded from '" +
                                loaded->path().string() + "'; '" + found->string() + "' is ignored"};
    }
    modules_.push_back(module);
    index(module);
    return {module, std::nullopt};
}

void module_registry::index(const std::shared_ptr<loaded_module>& module) {
    for_each_entry(module->descriptor().commands, [&](const siphost_command& command, size_t) {
        commands_[command.name].push_back({&command, module});
        return true;
    });
    for_each_entry(module->descriptor().pvs, [&](const siphost_pv& pv, size_t) {
        pvs_.try_emplace(pv.name, pv_ref{&pv, module});
        return true;
    });
}

void module_registry::set_param(std::string_view module_regex, std::string_view param, const param_value& value) {
    std::regex pattern;
    try {
        pattern = std::regex(std::string(module_regex), std::regex::icase | std::regex::extended);
    } catch (const std::regex_error& e) {
        throw load_error("modparam: '" + std::string(module_regex) + "' is not a valid module name pattern");
    }
    bool any_module = false;
    bool any_param = false;
    std::vector<std::string_view> known_params;
    for (const auto& module : modules_) {
        if (!std::regex_match(std::string(module->name()), pattern))
            continue;
        any_module = true;
        const siphost_param* match = nullptr;
        for_each_entry(module->descriptor().params, [&](const siphost_param& p, size_t) {
            known_params.emplace_back(p.name);
            if (param == p.name) {
                match = &p;
                return false;
            }
            return true;
        });
        if (match == nullptr)
            continue;
        any_param = true;
        const bool is_int = std::holds_alternative<int64_t>(value);
        const uint32_t given = is_int ? SIPHOST_PARAM_INT : SIPHOST_PARAM_STRING;
        if ((match->kinds & given) == 0)
            throw load_error("modparam: parameter '" + std::string(param) + "' of module '" +
                             std::string(module->name()) + "' takes " + kind_name(match->kinds) + ", not " +
                             (is_int ? "an integer" : "a string"));
        if (match->setter != nullptr) {
            siphost_value v{};
            std::string text;
            if (is_int) {
                v.kind = SIPHOST_VALUE_INT;
                v.num = std::get<int64_t>(value);
            } else {
                text = std::get<std::string>(value);
                v.kind = SIPHOST_VALUE_STR;
                v.str = {text.c_str(), text.size()};
            }
            std::array<char, 256> err{};
            if (match->setter(match->name, &v, err.data(), err.size()) != 0)
                throw load_error("modparam: module '" + std::string(module->name()) + "' refused '" +
                                 std::string(param) + "': " + std::string(err.data()));
        } else if (is_int) {
            int64_t number = std::get<int64_t>(value);
            if (number < std::numeric_limits<int32_t>::min() || number > std::numeric_limits<int32_t>::max())
                throw load_error("modparam: value " + std::to_string(number) + " of '" + std::string(param) +
                                 "' does not fit a 32-bit integer");
            *static_cast<int32_t*>(match->target) = static_cast<int32_t>(number);
        } else {
            *static_cast<const char**>(match->target) = module->keep_string(std::get<std::string>(value));
        }
    }
    if (!any_module)
        throw load_error("modparam: no loaded module matches '" + std::string(module_regex) +
                         "' (loadmodule must come before modparam)");
    if (!any_param) {
        std::string message = "modparam: module '" + std::string(module_regex) + "' has no parameter '" +
                              std::string(param) + "'";
        if (auto near = core::nearest_name(param, known_params))
            message += " (did you mean '" + *near + "'?)";
        throw load_error(message);
    }
}

const std::vector<command_ref>& module_registry::find_commands(std::string_view name) const {
    auto it = commands_.find(std::string(name));
    return it == commands_.end() ? no_commands : it->second;
}

std::optional<pv_ref> module_registry::find_pv(std::string_view name) const {
    auto it = pvs_.find(std::string(name));
    if (it == pvs_.end())
        return std::nullopt;
    return it->second;
}

std::vector<std::string_view> module_registry::command_names() const {
    std::vector<std::string_view> names;
    names.reserve(commands_.size());
    for (const auto& [name, refs] : commands_)
        names.emplace_back(name);
    return names;
}

std::shared_ptr<const loaded_module> module_registry::find_module(std::string_view name) const {
    for (const auto& module : modules_)
        if (module->name() == name)
            return module;
    return nullptr;
}

std::string module_registry::check_dependencies() const {
    for (size_t i = 0; i < modules_.size(); ++i) {
        const char* const* depends = modules_[i]->descriptor().depends;
        for (size_t d = 0; depends != nullptr && depends[d] != nullptr; ++d) {
            std::string_view needed = depends[d];
            bool before = false, after = false;
            for (size_t j = 0; j < modules_.size(); ++j)
                if (modules_[j]->name() == needed)
                    (j < i ? before : after) = true;
            if (before)
                continue;
            std::string who = "module '" + std::string(modules_[i]->name()) + "' needs module '" +
                              std::string(needed) + "'";
            return after ? who + " loaded before it: move loadmodule \"" + std::string(needed) +
                               ".so\" above loadmodule \"" + std::string(modules_[i]->name()) + ".so\""
                         : who + ": add loadmodule \"" + std::string(needed) + ".so\" before it";
        }
    }
    return {};
}

void module_registry::init_all(const siphost_host_api* host) {
    if (auto problem = check_dependencies(); !problem.empty())
        throw load_error(problem);
    for (const auto& module : modules_) {
        if (module->initialised())
            continue;
        const auto& d = module->descriptor();
        std::string rpc_error;
        bool rpcs_ok = true;
        for_each_entry(d.rpcs, [&](const siphost_rpc_command& rpc, size_t) {
            rpcs_ok = core::rpc_registry::instance().add(std::string(module->name()), &rpc, rpc_error);
            return rpcs_ok;
        });
        if (!rpcs_ok) {
            destroy_all();
            throw load_error("module '" + std::string(module->name()) + "': " + rpc_error);
        }
        if (d.init != nullptr) {
            std::array<char, 512> err{};
            if (d.init(host, module->handle(), err.data(), err.size()) != 0) {
                std::string reason(err.data());
                destroy_all();
                throw load_error("module '" + std::string(module->name()) + "' failed to initialise: " +
                                 (reason.empty() ? std::string("init returned an error and gave no reason")
                                                 : reason));
            }
        }
        module->mark_initialised(true);
    }
}

bool module_registry::init_thread(int kind, int index, std::string& error) {
    for (const auto& module : modules_) {
        const auto& d = module->descriptor();
        if (d.thread_init != nullptr && d.thread_init(kind, index) != 0) {
            static constexpr const char* kinds[] = {"", "worker", "timer", "slow timer", "control"};
            error = "module '" + std::string(module->name()) + "' failed to initialise its " +
                    std::string(kind >= 1 && kind <= 4 ? kinds[kind] : "other") + " thread " +
                    std::to_string(index);
            return false;
        }
    }
    return true;
}

const siphost_event* module_registry::find_event(std::string_view name, std::string* module_name) const {
    const siphost_event* found = nullptr;
    for (const auto& module : modules_) {
        for_each_entry(module->descriptor().events, [&](const siphost_event& e, size_t) {
            std::string_view declared = e.name;
            bool named = (e.flags & SIPHOST_EVENT_NAMED) != 0;
            if (name == declared ||
                (named && name.size() > declared.size() + 1 && name.starts_with(declared) &&
                 name[declared.size()] == ':'))
                found = &e;
            return found == nullptr;
        });
        if (found != nullptr) {
            if (module_name != nullptr)
                *module_name = module->name();
            return found;
        }
    }
    return nullptr;
}

void module_registry::notify_reload() {
    for (const auto& module : modules_)
        if (module->initialised() && module->descriptor().on_reload != nullptr)
            module->descriptor().on_reload();
}

void module_registry::destroy_all() {
    for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
        auto& module = **it;
        if (!module.initialised())
            continue;
        if (module.descriptor().destroy != nullptr)
            module.descriptor().destroy();
        core::rpc_registry::instance().remove_module(module.name());
        module.mark_initialised(false);
    }
}

} // namespace siphost::plugin
