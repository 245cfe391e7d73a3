#include "posix_regex.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::textops {

posix_regex::posix_regex(const std::string& pattern, int cflags)
    : pattern_(pattern), newline_sensitive_((cflags & REG_NEWLINE) != 0) {
    int rc = regcomp(&compiled_, pattern.c_str(), REG_EXTENDED | cflags);
    if (rc != 0) {
        char reason[160];
        regerror(rc, &compiled_, reason, sizeof reason);
        throw sdk::config_error("bad regular expression \"" + pattern + "\": " + reason);
    }
}

posix_regex::~posix_regex() {
    regfree(&compiled_);
}

bool posix_regex::search(std::string_view text, size_t from, regex_match& match) const {
    if (from > text.size())
        return false;
    regmatch_t groups[regex_match::max_groups];
    groups[0].rm_so = static_cast<regoff_t>(from);
    groups[0].rm_eo = static_cast<regoff_t>(text.size());
    int eflags = REG_STARTEND;
    bool line_start = from == 0 || (newline_sensitive_ && text[from - 1] == '\n');
    if (!line_start)
        eflags |= REG_NOTBOL;
    // REG_STARTEND reads only [rm_so, rm_eo), so an empty view still needs a valid pointer.
    const char* data = text.data() != nullptr ? text.data() : "";
    if (regexec(&compiled_, data, regex_match::max_groups, groups, eflags) != 0)
        return false;
    for (size_t i = 0; i < regex_match::max_groups; ++i) {
        match.start[i] = groups[i].rm_so;
        match.end[i] = groups[i].rm_eo;
    }
    return true;
}

} // namespace siphost::modules::textops
