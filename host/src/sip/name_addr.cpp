#include "sip/name_addr.hpp"

#include "sip/chars.hpp"
#include "sip/header_params.hpp"

namespace siphost::sip {

using namespace chars;

namespace {

/// Reads "display-name <" at pos. On success pos is just past '<' and display holds the name (may be empty).
/// Returns false when the text is not in name-addr form (the caller then tries addr-spec).
bool read_display_name(std::string_view s, std::size_t& pos, std::string_view& display, bool& broken) {
    std::size_t p = pos;
    broken = false;
    if (p < s.size() && s[p] == '"') {
        std::size_t end = scan_quoted_string(s, p);
        if (end == std::string_view::npos) {
            broken = true;
            return false;
        }
        display = s.substr(p, end - p);
        p = skip_lws(s, end);
        if (p >= s.size() || s[p] != '<') {
            broken = true;
            return false;
        }
        pos = p + 1;
        return true;
    }
    std::size_t name_end = p;
    while (p < s.size()) {
        if (s[p] == '<') {
            display = s.substr(pos, name_end - pos);
            pos = p + 1;
            return true;
        }
        std::size_t n = span_of(s, p, k_token);
        if (n == 0)
            return false;
        p += n;
        name_end = p;
        p = skip_lws(s, p);
    }
    return false;
}

} // namespace

bool plausible_uri(std::string_view text) {
    std::size_t scheme = 0;
    while (scheme < text.size() && (is(text[scheme], k_alpha | k_digit) || text[scheme] == '+' ||
                                    text[scheme] == '-' || text[scheme] == '.'))
        ++scheme;
    if (scheme == 0 || !is_alpha(text[0]) || scheme + 1 >= text.size() || text[scheme] != ':')
        return false;
    // Letters, digits, '-' and '.' are most of a URI: skip them in runs, test the rest one by one.
    for (std::size_t i = scheme + 1; i < text.size(); ++i) {
        i += span_of(text, i, k_unreserved);
        if (i < text.size() && is(text[i], k_not_uri))
            return false;
    }
    return true;
}

bool parse_name_addr(std::string_view s, std::size_t& pos, bool allow_wildcard, name_addr& out,
                     bool parse_uri) {
    pos = skip_lws(s, pos);
    std::size_t start = pos;
    if (pos >= s.size())
        return false;
    if (allow_wildcard && s[pos] == '*') {
        std::size_t after = skip_lws(s, pos + 1);
        if (after == s.size() || s[after] == ',') {
            out.wildcard = true;
            out.value = s.substr(start, 1);
            pos = after;
            return true;
        }
    }
    bool broken = false;
    std::size_t p = pos;
    if (read_display_name(s, p, out.display_name, broken)) {
        std::size_t close = s.find('>', p);
        if (close == std::string_view::npos)
            return false;
        out.uri_text = s.substr(p, close - p);
        out.angle_brackets = true;
        pos = skip_lws(s, close + 1);
    } else {
        if (broken)
            return false;
        out.display_name = {};
        std::size_t end = pos;
        while (end < s.size() && s[end] != ';' && s[end] != ',' && !is_lws(s[end])) {
            if (s[end] == '?')
                return false;
            ++end;
        }
        out.uri_text = s.substr(pos, end - pos);
        pos = skip_lws(s, end);
    }
    if (parse_uri ? !out.uri.parse(out.uri_text) : !plausible_uri(out.uri_text))
        return false;
    std::size_t params_start = pos;
    bool valid = read_header_params(s, pos, true, [&](const header_param& prm) {
        if (!out.has_tag && iequals(prm.name, "tag")) {
            out.has_tag = true;
            out.tag = prm.value;
        }
    });
    if (!valid || (out.has_tag && out.tag.empty()))
        return false;
    out.params = trim(s.substr(params_start, pos - params_start));
    out.value = trim(s.substr(start, pos - start));
    return true;
}

bool parse_single_name_addr(std::string_view value, name_addr& out, bool parse_uri) {
    std::size_t pos = 0;
    return parse_name_addr(value, pos, false, out, parse_uri) && pos == value.size();
}

} // namespace siphost::sip
