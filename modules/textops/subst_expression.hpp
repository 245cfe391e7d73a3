#pragma once
// A sed-style substitution, "/re/replacement/flags", as textops' subst() takes it: any delimiter (the first
// character), "\<delimiter>" for a literal delimiter, flags i (ignore case), g (every match), s (single
// string: '.' matches line breaks too and ^/$ match only at the ends of the message; by default the match is
// line-oriented, REG_NEWLINE, as Kamailio's). The replacement may hold \0..\9 (the match and
// its groups), \\, \n, \r, \t.

#include "posix_regex.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::textops {

class subst_expression {
public:
    /// Parses and compiles; throws sdk::config_error with a sentence on a malformed expression.
    explicit subst_expression(std::string_view expression);

    /// Appends to out the replacement for one match of the regex in text.
    void expand(std::string_view text, const regex_match& match, std::string& out) const;

    const posix_regex& regex() const { return *regex_; }
    bool global() const { return global_; }

private:
    /// A piece of the replacement: literal text, or group number `group` when group >= 0.
    struct piece {
        std::string literal;
        int group = -1;
    };

    std::unique_ptr<posix_regex> regex_;
    std::vector<piece> replacement_;
    bool global_ = false;
};

} // namespace siphost::modules::textops
