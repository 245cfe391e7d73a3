#include "cfg/regex_substitution.hpp"

namespace siphost::cfg {
namespace {

constexpr std::size_t max_groups = 10; // \0..\9

/// Reads text from i up to the next delimiter that no backslash escapes, and leaves i on that delimiter.
/// "\<delimiter>" becomes the delimiter; other escapes are kept whole for the caller. False without one.
bool read_part(std::string_view text, char delimiter, std::size_t& i, std::string& out) {
    for (; i < text.size(); ++i) {
        if (text[i] == delimiter)
            return true;
        if (text[i] == '\\' && i + 1 < text.size()) {
            if (text[i + 1] != delimiter)
                out += '\\';
            out += text[++i];
        } else {
            out += text[i];
        }
    }
    return false;
}

} // namespace

std::shared_ptr<const regex_substitution> regex_substitution::parse(std::string_view expression,
                                                                    std::string& error) {
    std::string quoted = "'" + std::string(expression) + "'";
    if (expression.size() < 3 || expression[0] == '\\') {
        error = "the substitution " + quoted + " is not /regex/replacement/flags";
        return nullptr;
    }
    char delimiter = expression[0];
    std::size_t i = 1;
    std::string pattern, replacement;
    if (!read_part(expression, delimiter, i, pattern)) {
        error = "the substitution " + quoted + " has no end to its regex";
        return nullptr;
    }
    ++i;
    if (!read_part(expression, delimiter, i, replacement)) {
        error = "the substitution " + quoted + " has no end to its replacement";
        return nullptr;
    }
    std::shared_ptr<regex_substitution> out(new regex_substitution());
    int flags = REG_EXTENDED | REG_NEWLINE;
    for (++i; i < expression.size(); ++i) {
        if (expression[i] == 'i')
            flags |= REG_ICASE;
        else if (expression[i] == 's')
            flags &= ~REG_NEWLINE;
        else if (expression[i] == 'g')
            out->every_match_ = true;
        else {
            error = "the substitution " + quoted + " has an unknown flag '" + std::string(1, expression[i]) +
                    "' (the flags are i, g and s)";
            return nullptr;
        }
    }

    replacement_part literal;
    for (std::size_t at = 0; at < replacement.size(); ++at) {
        char c = replacement[at];
        if (c != '\\' || at + 1 == replacement.size()) {
            literal.literal += c;
            continue;
        }
        char escaped = replacement[++at];
        if (escaped >= '0' && escaped <= '9') {
            if (!literal.literal.empty())
                out->replacement_.push_back(std::move(literal));
            literal = {};
            out->replacement_.push_back({std::string(), escaped - '0'});
        } else {
            literal.literal += escaped == 'n'   ? '\n'
                               : escaped == 'r' ? '\r'
                               : escaped == 't' ? '\t'
                                                : escaped;
        }
    }
    if (!literal.literal.empty())
        out->replacement_.push_back(std::move(literal));

    int failed = regcomp(&out->compiled_, pattern.c_str(), flags);
    if (failed != 0) {
        char why[256];
        regerror(failed, &out->compiled_, why, sizeof why);
        error = "the substitution " + quoted + " has a bad regex: " + why;
        return nullptr;
    }
    out->compiled_ok_ = true;
    return out;
}

regex_substitution::~regex_substitution() {
    if (compiled_ok_)
        regfree(&compiled_);
}

std::optional<std::string> regex_substitution::apply(std::string_view text) const {
    if (text.empty())
        return std::nullopt;
    const std::string subject(text); // regexec reads up to a NUL
    std::string out;
    std::size_t offset = 0;
    while (offset <= subject.size()) {
        regmatch_t match[max_groups];
        if (regexec(&compiled_, subject.c_str() + offset, max_groups, match, offset > 0 ? REG_NOTBOL : 0) !=
            0)
            break;
        if (match[0].rm_so == match[0].rm_eo)
            return std::nullopt; // Kamailio refuses an empty match rather than loop on it
        out.append(subject, offset, static_cast<std::size_t>(match[0].rm_so));
        for (const auto& part : replacement_) {
            if (part.group < 0) {
                out += part.literal;
                continue;
            }
            const regmatch_t& group = match[part.group];
            if (group.rm_so >= 0 && static_cast<std::size_t>(part.group) <= compiled_.re_nsub)
                out.append(subject, offset + static_cast<std::size_t>(group.rm_so),
                           static_cast<std::size_t>(group.rm_eo - group.rm_so));
        }
        offset += static_cast<std::size_t>(match[0].rm_eo);
        if (!every_match_)
            break;
    }
    out.append(subject, std::min(offset, subject.size()));
    return out;
}

} // namespace siphost::cfg
