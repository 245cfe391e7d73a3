#include "profile_set.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::dialog {

void profile_set::declare(std::string_view list, bool with_value) {
    while (!list.empty()) {
        size_t semi = list.find(';');
        std::string_view name = sdk::trim(list.substr(0, semi));
        list = semi == std::string_view::npos ? std::string_view() : list.substr(semi + 1);
        if (name.empty())
            throw sdk::config_error("a dialog profile list has an empty name");
        if (!profiles_.emplace(std::string(name), with_value).second)
            throw sdk::config_error("dialog profile '" + std::string(name) + "' is declared twice");
    }
}

int profile_set::has_value(std::string_view name) const {
    auto it = profiles_.find(name);
    return it == profiles_.end() ? -1 : (it->second ? 1 : 0);
}

} // namespace siphost::modules::dialog
