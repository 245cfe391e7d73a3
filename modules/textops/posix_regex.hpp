#pragma once
// A POSIX extended regular expression, compiled once (when the config is read) and matched against bytes
// that are not NUL-terminated (REG_STARTEND), so a received message is searched where it lies.

#include <regex.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace siphost::modules::textops {

/// One match: offsets into the searched text; groups[0] is the whole match, unmatched groups are -1.
struct regex_match {
    static constexpr size_t max_groups = 10;
    regoff_t start[max_groups];
    regoff_t end[max_groups];
};

class posix_regex {
public:
    /// Compiles pattern with REG_EXTENDED plus cflags; throws sdk::config_error with regerror's sentence.
    posix_regex(const std::string& pattern, int cflags);
    ~posix_regex();
    posix_regex(const posix_regex&) = delete;
    posix_regex& operator=(const posix_regex&) = delete;

    /// Finds the first match in text at or after from. `^` matches at from only when from starts a line
    /// (REG_NEWLINE) or the text. Thread-safe: regexec on a compiled regex_t is.
    bool search(std::string_view text, size_t from, regex_match& match) const;

    const std::string& pattern() const { return pattern_; }
    /// The number of parenthesised groups in the pattern.
    size_t group_count() const { return compiled_.re_nsub; }

private:
    regex_t compiled_;
    std::string pattern_;
    bool newline_sensitive_;
};

} // namespace siphost::modules::textops
