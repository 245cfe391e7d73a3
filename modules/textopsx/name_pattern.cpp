#include "name_pattern.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::textopsx {

name_pattern::name_pattern(const std::string& pattern) {
    int rc = regcomp(&compiled_, pattern.c_str(), REG_EXTENDED | REG_ICASE);
    if (rc != 0) {
        char reason[160];
        regerror(rc, &compiled_, reason, sizeof reason);
        throw sdk::config_error("bad regular expression \"" + pattern + "\": " + reason);
    }
}

name_pattern::~name_pattern() {
    regfree(&compiled_);
}

bool name_pattern::matches(std::string_view name) const {
    regmatch_t whole[1];
    whole[0].rm_so = 0;
    whole[0].rm_eo = static_cast<regoff_t>(name.size());
    // REG_STARTEND: the name is a view into the message, not NUL-terminated.
    const char* data = name.data() != nullptr ? name.data() : "";
    return regexec(&compiled_, data, 1, whole, REG_STARTEND) == 0;
}

} // namespace siphost::modules::textopsx
