#include "sip/credentials.hpp"

#include "sip/header_params.hpp"

#include <cctype>

namespace siphost::sip {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

void skip_space(std::string_view s, size_t& pos) {
    while (pos < s.size() && is_space(s[pos]))
        ++pos;
}

std::string_view* field_for(digest_credentials& c, std::string_view name) {
    struct entry {
        std::string_view name;
        std::string_view digest_credentials::*field;
    };
    static constexpr entry fields[] = {
        {"username", &digest_credentials::username}, {"realm", &digest_credentials::realm},
        {"nonce", &digest_credentials::nonce},       {"uri", &digest_credentials::uri},
        {"response", &digest_credentials::response}, {"algorithm", &digest_credentials::algorithm},
        {"cnonce", &digest_credentials::cnonce},     {"opaque", &digest_credentials::opaque},
        {"qop", &digest_credentials::qop},           {"nc", &digest_credentials::nc},
    };
    for (const auto& f : fields)
        if (iequals(name, f.name))
            return &(c.*f.field);
    return nullptr;
}

} // namespace

bool parse_digest_credentials(std::string_view value, digest_credentials& out) {
    out = digest_credentials{};
    size_t pos = 0;
    skip_space(value, pos);
    size_t scheme_start = pos;
    while (pos < value.size() && is_token_char(value[pos]))
        ++pos;
    out.scheme = value.substr(scheme_start, pos - scheme_start);
    if (!iequals(out.scheme, "Digest") || pos >= value.size() || !is_space(value[pos]))
        return false;
    bool seen_username = false;
    while (true) {
        skip_space(value, pos);
        size_t name_start = pos;
        while (pos < value.size() && is_token_char(value[pos]))
            ++pos;
        std::string_view name = value.substr(name_start, pos - name_start);
        if (name.empty())
            return false;
        skip_space(value, pos);
        if (pos >= value.size() || value[pos] != '=')
            return false;
        ++pos;
        skip_space(value, pos);
        std::string_view directive;
        if (pos < value.size() && value[pos] == '"') {
            size_t end = scan_quoted_string(value, pos);
            if (end == std::string_view::npos)
                return false;
            directive = value.substr(pos + 1, end - pos - 2);
            pos = end;
        } else {
            size_t start = pos;
            while (pos < value.size() && is_token_char(value[pos]))
                ++pos;
            directive = value.substr(start, pos - start);
        }
        if (std::string_view* field = field_for(out, name)) {
            bool is_username = field == &out.username;
            if (!field->empty() || (is_username && seen_username))
                return false;
            *field = directive;
            seen_username = seen_username || is_username;
        }
        skip_space(value, pos);
        if (pos >= value.size())
            return true;
        if (value[pos] != ',')
            return false;
        ++pos;
    }
}

} // namespace siphost::sip
