#pragma once
// An allow or deny file of permissions (Kamailio's hosts.allow-like syntax): one rule per line,
//
//     LEFT : RIGHT          each side: ALL, or "regex" [, "regex"...], optionally followed by
//                           EXCEPT "regex" [, "regex"...]; '#' starts a comment
//
// A rule matches a pair (a From or To URI, a Request-URI or Contact URI) when its left side matches the first
// and its right side the second. A missing file is an empty one, as in Kamailio.

#include "trusted_table.hpp"

#include <memory>
#include <string>
#include <vector>

namespace siphost::modules::permissions {

class rule_file {
public:
    /// Reads path (a missing file gives no rules); throws std::runtime_error naming the file and line of a
    /// malformed rule or regular expression.
    static rule_file load(const std::string& path);
    /// Parses text as the content of a file named name (for the error messages).
    static rule_file parse(const std::string& name, const std::string& text);

    /// Whether a rule matches the pair.
    bool matches(const std::string& left, const std::string& right) const;
    size_t size() const { return rules_.size(); }

private:
    struct expression {
        bool all = false;
        std::vector<std::shared_ptr<posix_regex>> include;
        std::vector<std::shared_ptr<posix_regex>> except;
        bool matches(const std::string& text) const;
    };
    struct rule {
        expression left;
        expression right;
    };
    std::vector<rule> rules_;
};

/// An allow file and a deny file checked together: a pair is allowed when the allow file matches it, denied
/// when the deny file does, and allowed when neither does.
struct rule_pair {
    rule_file allow;
    rule_file deny;
    /// True when every pair (left, right_i) is allowed.
    bool allows(const std::string& left, const std::vector<std::string>& rights) const;
};

} // namespace siphost::modules::permissions
