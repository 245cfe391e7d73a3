#include "cfg/descriptor_catalog.hpp"

#include <regex.h>

#include <algorithm>
#include <climits>

namespace siphost::cfg {
namespace {

/// Steps through a descriptor table whose entries begin with struct_size and end with a NULL name.
template <typename Entry, typename Fn> void for_each_entry(const Entry* table, Fn fn) {
    if (table == nullptr)
        return;
    const auto* bytes = reinterpret_cast<const unsigned char*>(table);
    std::size_t stride = table->struct_size;
    if (stride < offsetof(Entry, name) + sizeof(const char*))
        return; // a broken table: the loader refuses it
    for (std::size_t i = 0; i < 100000; ++i) {
        const auto* entry = reinterpret_cast<const Entry*>(bytes + i * stride);
        if (entry->name == nullptr)
            return;
        fn(*entry);
    }
}

} // namespace

descriptor_catalog::descriptor_catalog(loader_fn loader) : loader_(std::move(loader)) {}

load_result descriptor_catalog::load_module(std::string_view name, std::string_view options,
                                            std::string_view mpath) {
    load_result result;
    std::string error;
    const siphost_module* module = loader_(name, options, mpath, error);
    if (module == nullptr) {
        result.error = error.empty() ? "cannot load module '" + std::string(name) + "'" : error;
        return result;
    }
    result.ok = true;
    result.module_name = module->name ? module->name : "";
    if (std::find(modules_.begin(), modules_.end(), module) != modules_.end()) {
        result.already_loaded = true;
        return result;
    }
    modules_.push_back(module);
    return result;
}

std::string descriptor_catalog::set_module_param(std::string_view module_regex, std::string_view param,
                                                 const siphost_value& value) {
    regex_t re;
    std::string pattern = "^(" + std::string(module_regex) + ")$";
    if (regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
        return "'" + std::string(module_regex) + "' is not a valid module name or regular expression";
    std::string result;
    int matched = 0;
    int with_param = 0;
    std::string last_match;
    for (const auto* module : modules_) {
        if (module->name == nullptr || regexec(&re, module->name, 0, nullptr, 0) != 0)
            continue;
        ++matched;
        last_match = module->name;
        const siphost_param* found = nullptr;
        for_each_entry(module->params, [&](const siphost_param& p) {
            if (param == p.name)
                found = &p;
        });
        // With a regex over several modules, the parameter goes to those that have it (as Kamailio does).
        if (found == nullptr)
            continue;
        ++with_param;
        std::uint32_t wanted = value.kind == SIPHOST_VALUE_INT ? SIPHOST_PARAM_INT : SIPHOST_PARAM_STRING;
        if ((found->kinds & wanted) == 0) {
            result = "parameter '" + std::string(param) + "' of module '" + module->name + "' needs " +
                     (wanted == SIPHOST_PARAM_INT ? "a string, not a number" : "a number, not a string");
            break;
        }
        if (found->setter != nullptr) {
            std::string copy(value.str.s ? value.str.s : "", value.str.len);
            siphost_value delivered = value;
            delivered.str = {copy.c_str(), copy.size()};
            char err[256] = {0};
            if (found->setter(found->name, &delivered, err, sizeof err) != 0) {
                err[sizeof err - 1] = '\0';
                result = "module '" + std::string(module->name) + "' refused '" + std::string(param) +
                         "': " + (err[0] ? err : "invalid value");
                break;
            }
        } else if (found->target != nullptr && wanted == SIPHOST_PARAM_INT) {
            if (value.num < INT32_MIN || value.num > INT32_MAX) {
                result = "the value of '" + std::string(param) + "' is out of range";
                break;
            }
            *static_cast<std::int32_t*>(found->target) = static_cast<std::int32_t>(value.num);
        } else if (found->target != nullptr) {
            string_values_.emplace_back(value.str.s ? value.str.s : "", value.str.len);
            *static_cast<const char**>(found->target) = string_values_.back().c_str();
        }
    }
    if (result.empty() && matched == 0)
        result = "no loaded module matches '" + std::string(module_regex) + "'";
    else if (result.empty() && with_param == 0)
        result = matched == 1 ? "module '" + last_match + "' has no parameter '" + std::string(param) + "'"
                              : "no module matching '" + std::string(module_regex) + "' has a parameter '" +
                                    std::string(param) + "'";
    regfree(&re);
    if (result.empty() && matched == 0)
        result = "no loaded module matches '" + std::string(module_regex) + "'";
    return result;
}

std::vector<command_overload> descriptor_catalog::find_commands(std::string_view name) const {
    std::vector<command_overload> found;
    for (const auto* module : modules_)
        for_each_entry(module->commands, [&](const siphost_command& c) {
            if (name == c.name)
                found.push_back({&c, module->name ? module->name : ""});
        });
    return found;
}

std::optional<pv_export> descriptor_catalog::find_pv(std::string_view name) const {
    for (const auto* module : modules_) {
        std::optional<pv_export> found;
        for_each_entry(module->pvs, [&](const siphost_pv& pv) {
            if (!found && name == pv.name)
                found = pv_export{&pv, module->name ? module->name : ""};
        });
        if (found)
            return found;
    }
    return std::nullopt;
}

std::vector<std::string> descriptor_catalog::command_names() const {
    std::vector<std::string> names;
    for (const auto* module : modules_)
        for_each_entry(module->commands, [&](const siphost_command& c) { names.emplace_back(c.name); });
    return names;
}

std::vector<std::string> descriptor_catalog::module_names() const {
    std::vector<std::string> names;
    for (const auto* module : modules_)
        names.emplace_back(module->name ? module->name : "");
    return names;
}

} // namespace siphost::cfg
