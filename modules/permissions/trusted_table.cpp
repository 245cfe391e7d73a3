#include "trusted_table.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace siphost::modules::permissions {

posix_regex::posix_regex(const std::string& pattern, bool ignore_case) {
    int rc = regcomp(&regex_, pattern.c_str(), REG_EXTENDED | REG_NOSUB | (ignore_case ? REG_ICASE : 0));
    if (rc != 0) {
        char reason[256] = {};
        regerror(rc, &regex_, reason, sizeof reason);
        throw std::invalid_argument("bad regular expression \"" + pattern + "\": " + reason);
    }
}

posix_regex::~posix_regex() {
    regfree(&regex_);
}

bool posix_regex::matches(const std::string& text) const {
    return regexec(&regex_, text.c_str(), 0, nullptr, 0) == 0;
}

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool known_proto(const std::string& proto) {
    for (const char* p : {"any", "udp", "tcp", "tls", "sctp", "ws", "wss", "none"})
        if (proto == p)
            return true;
    return false;
}

} // namespace

void trusted_table::add(std::string_view src_ip, std::string_view proto,
                        std::optional<std::string> from_pattern, std::optional<std::string> ruri_pattern,
                        std::string_view tag, int64_t priority) {
    trusted_entry entry;
    entry.src_ip = std::string(src_ip);
    entry.proto = lower(proto);
    if (entry.src_ip.empty())
        throw std::invalid_argument("empty source address");
    if (!known_proto(entry.proto))
        throw std::invalid_argument("bad protocol \"" + std::string(proto) +
                                    "\" (any, udp, tcp, tls, sctp, ws, wss or none)");
    if (from_pattern) {
        entry.from_pattern = *from_pattern;
        entry.from_regex = std::make_shared<posix_regex>(*from_pattern);
    }
    if (ruri_pattern) {
        entry.ruri_pattern = *ruri_pattern;
        entry.ruri_regex = std::make_shared<posix_regex>(*ruri_pattern);
    }
    entry.tag = std::string(tag);
    entry.priority = priority;
    entries_.push_back(std::move(entry));
}

void trusted_table::finish() {
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const trusted_entry& a, const trusted_entry& b) { return a.priority > b.priority; });
}

std::vector<const trusted_entry*> trusted_table::match(std::string_view src_ip, std::string_view proto,
                                                       const std::string& from_uri,
                                                       const std::string& ruri) const {
    std::vector<const trusted_entry*> found;
    std::string wanted = lower(proto);
    for (const trusted_entry& e : entries_) {
        if (e.src_ip != src_ip)
            continue;
        if (e.proto == "none" || (e.proto != "any" && wanted != "any" && e.proto != wanted))
            continue;
        if (e.from_regex && !e.from_regex->matches(from_uri))
            continue;
        if (e.ruri_regex && !e.ruri_regex->matches(ruri))
            continue;
        found.push_back(&e);
    }
    return found;
}

} // namespace siphost::modules::permissions
