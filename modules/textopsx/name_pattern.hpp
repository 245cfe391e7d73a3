#pragma once
// keep_hf's regular expression: POSIX extended, case-insensitive (as Kamailio compiles it), compiled when the
// config is read and matched against header names.

#include <regex.h>

#include <string>
#include <string_view>

namespace siphost::modules::textopsx {

class name_pattern {
public:
    /// Compiles pattern; throws sdk::config_error with regerror's sentence.
    explicit name_pattern(const std::string& pattern);
    ~name_pattern();
    name_pattern(const name_pattern&) = delete;
    name_pattern& operator=(const name_pattern&) = delete;

    /// True when the pattern matches somewhere in name. Thread-safe (regexec on a compiled regex_t is).
    bool matches(std::string_view name) const;

private:
    regex_t compiled_;
};

} // namespace siphost::modules::textopsx
