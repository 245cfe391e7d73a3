#pragma once
// The dialog profiles the config declares (profiles_with_value, profiles_no_value).

#include <map>
#include <string>
#include <string_view>

namespace siphost::modules::dialog {

class profile_set {
public:
    /// Adds the names of a ';'-separated list; throws sdk::config_error on an empty or repeated name.
    void declare(std::string_view list, bool with_value);
    /// 1 with values, 0 without, -1 when not declared.
    int has_value(std::string_view name) const;
    const std::map<std::string, bool, std::less<>>& all() const { return profiles_; }

private:
    std::map<std::string, bool, std::less<>> profiles_;
};

} // namespace siphost::modules::dialog
