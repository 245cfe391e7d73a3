#pragma once
// A POSIX extended regular expression (regcomp), as Kamailio matches htable names and values.

#include <regex.h>

#include <string>
#include <string_view>

namespace siphost::modules::htable {

class posix_regex {
public:
    posix_regex() = default;
    ~posix_regex() {
        if (compiled_)
            regfree(&re_);
    }
    posix_regex(const posix_regex&) = delete;
    posix_regex& operator=(const posix_regex&) = delete;

    /// Compiles pattern; false with the reason in error.
    bool compile(const std::string& pattern, std::string& error) {
        if (compiled_) {
            regfree(&re_);
            compiled_ = false;
        }
        int rc = regcomp(&re_, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char buf[200];
            regerror(rc, &re_, buf, sizeof buf);
            error = "bad regular expression \"" + pattern + "\": " + buf;
            return false;
        }
        compiled_ = true;
        return true;
    }
    /// True when the expression matches somewhere in text.
    bool matches(const std::string& text) const {
        return compiled_ && regexec(&re_, text.c_str(), 0, nullptr, 0) == 0;
    }

private:
    regex_t re_{};
    bool compiled_ = false;
};

} // namespace siphost::modules::htable
