#include "sip/escape.hpp"

#include "sip/chars.hpp"

namespace siphost::sip {
namespace {

/// Reads one decoded byte at pos and advances pos.
char next_decoded(std::string_view s, std::size_t& pos) {
    if (s[pos] == '%' && pos + 2 < s.size()) {
        int hi = chars::hex_value(s[pos + 1]);
        int lo = chars::hex_value(s[pos + 2]);
        if (hi >= 0 && lo >= 0) {
            pos += 3;
            return static_cast<char>(hi * 16 + lo);
        }
    }
    return s[pos++];
}

} // namespace

bool valid_escapes(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%')
            continue;
        if (i + 2 >= text.size() || chars::hex_value(text[i + 1]) < 0 || chars::hex_value(text[i + 2]) < 0)
            return false;
        i += 2;
    }
    return true;
}

std::string unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();)
        out.push_back(next_decoded(text, pos));
    return out;
}

bool escaped_equal(std::string_view a, std::string_view b, bool case_insensitive) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        char x = next_decoded(a, i);
        char y = next_decoded(b, j);
        if (case_insensitive) {
            x = chars::to_lower(x);
            y = chars::to_lower(y);
        }
        if (x != y)
            return false;
    }
    return i == a.size() && j == b.size();
}

} // namespace siphost::sip
