#pragma once
// How sht_match_name, sht_rm_name, $shtcn and friends compare a name or value with what the script gave.

#include "posix_regex.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace siphost::modules::htable {

class matcher {
public:
    enum class op { eq, ne, re, sw, ew, all };

    /// From a function's op argument ("eq", "ne", "re", "sw"; allowed lists which) and its value. False with
    /// the reason in error.
    bool assign(std::string_view op_name, std::string_view allowed, const std::string& value,
                std::string& error);
    /// From $shtcn/$shtcv's expression, as Kamailio 5.6 reads it: "~~re" regex, "%~s" starts with, "~%s"
    /// ends with (SQL's like "s%" and "%s"), "==s" equal, "**" everything, anything else a regex.
    bool assign_expression(const std::string& expression, std::string& error);
    bool matches(const std::string& text) const;
    /// True for "**", which also counts integer values in $shtcv.
    bool matches_all() const { return op_ == op::all; }

private:
    op op_ = op::eq;
    std::string text_;
    std::unique_ptr<posix_regex> regex_;
};

} // namespace siphost::modules::htable
