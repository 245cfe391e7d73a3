#pragma once
// The substitution of the {re.subst,/regex/replacement/flags} transformation (Kamailio's textops provides
// it): a POSIX extended regex, compiled once when the config is read. Any first character is the delimiter
// ("\<delimiter>" stands for it); the replacement may hold \0..\9 (the match, its groups; a group that did
// not match or does not exist is empty), \n, \r, \t, and "\<other>" for that character. Flags: i (ignore
// case), g (every match, not only the first), s (the value is one string: without it, as in Kamailio, '^'
// and '$' match at line breaks and '.' does not match one).

#include <regex.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::cfg {

class regex_substitution {
public:
    /// Parses and compiles expression; nullptr with a sentence in error when it is malformed.
    static std::shared_ptr<const regex_substitution> parse(std::string_view expression, std::string& error);

    ~regex_substitution();
    regex_substitution(const regex_substitution&) = delete;
    regex_substitution& operator=(const regex_substitution&) = delete;

    /// The text with the first (every, with g) match replaced; unchanged when nothing matches. nullopt
    /// where Kamailio's substitution fails: an empty text, or a match of no bytes (it would never advance).
    std::optional<std::string> apply(std::string_view text) const;

private:
    regex_substitution() = default;

    /// A run of literal replacement text, or (group >= 0) what that group matched.
    struct replacement_part {
        std::string literal;
        int group = -1;
    };

    regex_t compiled_{};
    bool compiled_ok_ = false;
    bool every_match_ = false;
    std::vector<replacement_part> replacement_;
};

} // namespace siphost::cfg
