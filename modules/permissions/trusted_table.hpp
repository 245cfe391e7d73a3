#pragma once
// The trusted table of permissions: peers (a source address as text, a protocol) whose requests are trusted
// when their From URI and Request-URI match the row's regular expressions.

#include <regex.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::permissions {

/// A compiled POSIX extended regular expression (as Kamailio matches the patterns).
class posix_regex {
public:
    /// Throws std::invalid_argument with regerror's reason. ignore_case: as the allow and deny files match.
    explicit posix_regex(const std::string& pattern, bool ignore_case = false);
    ~posix_regex();
    posix_regex(const posix_regex&) = delete;
    posix_regex& operator=(const posix_regex&) = delete;
    bool matches(const std::string& text) const;

private:
    regex_t regex_{};
};

struct trusted_entry {
    std::string src_ip;
    std::string proto; ///< lower case: any, udp, tcp, tls, sctp, ws, wss, none
    std::string from_pattern;
    std::string ruri_pattern;
    std::shared_ptr<posix_regex> from_regex; ///< null: any From URI
    std::shared_ptr<posix_regex> ruri_regex; ///< null: any Request-URI
    std::string tag;
    int64_t priority = 0;
};

class trusted_table {
public:
    /// Adds a row; throws std::invalid_argument for a bad protocol or pattern.
    void add(std::string_view src_ip, std::string_view proto, std::optional<std::string> from_pattern,
             std::optional<std::string> ruri_pattern, std::string_view tag, int64_t priority);
    /// Orders the rows from the highest priority down; call once after the last add.
    void finish();

    /// The rows that trust a request from src_ip over proto ("udp", ...) with from_uri and ruri, in order.
    std::vector<const trusted_entry*> match(std::string_view src_ip, std::string_view proto,
                                            const std::string& from_uri, const std::string& ruri) const;
    const std::vector<trusted_entry>& entries() const { return entries_; }

private:
    std::vector<trusted_entry> entries_;
};

} // namespace siphost::modules::permissions
