#include "sip/header_params.hpp"

#include <string>

#include "sip/chars.hpp"

namespace siphost::sip {

using namespace chars;

std::size_t scan_quoted_string(std::string_view s, std::size_t pos) {
    ++pos; // opening quote
    while (pos < s.size()) {
        char c = s[pos];
        if (c == '"')
            return pos + 1;
        if (c == '\\') {
            // quoted-pair excludes CR and LF: a backslash cannot escape a line end.
            if (pos + 1 >= s.size() || s[pos + 1] == '\r' || s[pos + 1] == '\n')
                return std::string_view::npos;
            pos += 2;
            continue;
        }
        ++pos;
    }
    return std::string_view::npos;
}

bool read_header_param(std::string_view s, std::size_t& pos, header_param& p) {
    pos = skip_lws(s, pos + 1); // past ';'
    std::size_t name_len = span_of(s, pos, k_token);
    if (name_len == 0)
        return false;
    p.name = s.substr(pos, name_len);
    pos = skip_lws(s, pos + name_len);
    p.has_value = false;
    p.value = {};
    if (pos < s.size() && s[pos] == '=') {
        pos = skip_lws(s, pos + 1);
        if (pos >= s.size())
            return false;
        std::size_t start = pos;
        if (s[pos] == '"') {
            pos = scan_quoted_string(s, pos);
            if (pos == std::string_view::npos)
                return false;
        } else if (s[pos] == '[') {
            std::size_t close = s.find(']', pos);
            if (close == std::string_view::npos)
                return false;
            for (std::size_t i = pos + 1; i < close; ++i)
                if (!(hex_value(s[i]) >= 0 || s[i] == ':' || s[i] == '.'))
                    return false;
            pos = close + 1;
        } else {
            // token, with ':' allowed for IPv6 addresses written without brackets
            while (true) {
                pos += span_of(s, pos, k_token);
                if (pos >= s.size() || s[pos] != ':')
                    break;
                ++pos;
            }
        }
        if (pos == start)
            return false;
        p.value = s.substr(start, pos - start);
        p.has_value = true;
        pos = skip_lws(s, pos);
    }
    return true;
}

std::optional<std::string_view> find_header_param(std::string_view params, std::string_view name) {
    std::size_t pos = skip_lws(params, 0);
    while (pos < params.size() && params[pos] == ';') {
        header_param p;
        if (!read_header_param(params, pos, p))
            return std::nullopt;
        if (iequals(p.name, name))
            return p.value;
    }
    return std::nullopt;
}

std::string unquote(std::string_view text) {
    if (text.size() < 2 || text.front() != '"' || text.back() != '"')
        return std::string(text);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
        if (text[i] == '\\' && i + 2 < text.size())
            ++i;
        out.push_back(text[i]);
    }
    return out;
}

} // namespace siphost::sip
