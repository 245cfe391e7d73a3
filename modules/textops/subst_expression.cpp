#include "subst_expression.hpp"

#include <siphost/module.hpp>

#include <vector>

namespace siphost::modules::textops {

subst_expression::subst_expression(std::string_view expression) {
    std::string text(expression);
    if (text.size() < 3)
        throw sdk::config_error("subst expression \"" + text +
                                "\" is too short: expected /regex/replacement/flags");
    char delimiter = text[0];
    if (delimiter == '\\' || delimiter == ' ')
        throw sdk::config_error("subst expression \"" + text +
                                "\" must start with its delimiter, such as '/'");

    // The pattern: up to the next unescaped delimiter; "\<delimiter>" stands for the delimiter itself.
    std::string pattern;
    size_t i = 1;
    for (; i < text.size() && text[i] != delimiter; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            if (text[i + 1] != delimiter)
                pattern.push_back('\\');
            pattern.push_back(text[++i]);
            continue;
        }
        pattern.push_back(text[i]);
    }
    if (i >= text.size())
        throw sdk::config_error("subst expression \"" + text + "\" has no end to its regex");
    if (pattern.empty())
        throw sdk::config_error("subst expression \"" + text + "\" has an empty regex");

    // The replacement, split into literal text and group references.
    ++i;
    piece current;
    for (; i < text.size() && text[i] != delimiter; ++i) {
        char c = text[i];
        if (c != '\\') {
            current.literal.push_back(c);
            continue;
        }
        if (i + 1 >= text.size())
            throw sdk::config_error("subst expression \"" + text + "\" ends with a lone backslash");
        char escaped = text[++i];
        if (escaped >= '0' && escaped <= '9') {
            if (!current.literal.empty())
                replacement_.push_back(std::move(current));
            current = piece{};
            replacement_.push_back(piece{std::string(), escaped - '0'});
        } else if (escaped == 'n') {
            current.literal.push_back('\n');
        } else if (escaped == 'r') {
            current.literal.push_back('\r');
        } else if (escaped == 't') {
            current.literal.push_back('\t');
        } else {
            current.literal.push_back(escaped); // "\\", "\<delimiter>", and anything else taken literally
        }
    }
    if (i >= text.size())
        throw sdk::config_error("subst expression \"" + text + "\" has no end to its replacement");
    if (!current.literal.empty())
        replacement_.push_back(std::move(current));

    int cflags = REG_NEWLINE;
    for (++i; i < text.size(); ++i) {
        switch (text[i]) {
        case 'i':
            cflags |= REG_ICASE;
            break;
        case 'g':
            global_ = true;
            break;
        case 's':
            cflags &= ~REG_NEWLINE;
            break;
        default:
            throw sdk::config_error("subst expression \"" + text + "\" has an unknown flag '" +
                                    std::string(1, text[i]) + "' (known: i, g, s)");
        }
    }
    regex_ = std::make_unique<posix_regex>(pattern, cflags);
    for (const piece& p : replacement_)
        if (p.group > static_cast<int>(regex_->group_count()))
            throw sdk::config_error("subst expression \"" + text + "\" refers to group " +
                                    std::to_string(p.group) + " but its regex has " +
                                    std::to_string(regex_->group_count()));
}

void subst_expression::expand(std::string_view text, const regex_match& match, std::string& out) const {
    for (const piece& p : replacement_) {
        if (p.group < 0) {
            out.append(p.literal);
            continue;
        }
        regoff_t start = match.start[p.group];
        regoff_t end = match.end[p.group];
        if (start >= 0 && end >= start && static_cast<size_t>(end) <= text.size())
            out.append(text.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
    }
}

} // namespace siphost::modules::textops
