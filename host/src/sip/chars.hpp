#pragma once
// Character classes of the SIP grammar (RFC 3261 section 25) and small text helpers shared by the parsers.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siphost::sip::chars {

enum char_class : uint16_t {
    k_digit = 1u << 0,
    k_alpha = 1u << 1,
    k_hex = 1u << 2,
    k_token = 1u << 3,      ///< token: alphanum and -.!%*_+`'~
    k_word = 1u << 4,       ///< word (Call-ID): token plus ()<>:\"/[]?{}
    k_unreserved = 1u << 5, ///< URI unreserved: alphanum and -_.!~*'()
    k_user = 1u << 6,       ///< user-unreserved: &=+$,;?/
    k_password = 1u << 7,   ///< password extras: &=+$,
    k_param = 1u << 8,      ///< param-unreserved: []/:&+$
    k_header = 1u << 9,     ///< hnv-unreserved: []/?:+$
    k_host = 1u << 10,      ///< host name: alphanum and -._
    k_lws = 1u << 11,       ///< SP, HT, CR, LF (inside a header value CR/LF only occur in folds)
    k_not_uri = 1u << 12,   ///< cannot occur in a URI written in a header: controls, SP, '"', '<', '>', DEL
};

constexpr std::array<uint16_t, 256> make_table() {
    std::array<uint16_t, 256> t{};
    auto add = [&t](std::string_view set, uint16_t bits) {
        for (char c : set)
            t[static_cast<unsigned char>(c)] |= bits;
    };
    for (int c = '0'; c <= '9'; ++c)
        t[c] |= k_digit | k_hex | k_token | k_word | k_unreserved | k_host;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] |= k_alpha | k_token | k_word | k_unreserved | k_host;
    for (int c = 'A'; c <= 'Z'; ++c)
        t[c] |= k_alpha | k_token | k_word | k_unreserved | k_host;
    add("abcdefABCDEF", k_hex);
    add("-.!%*_+`'~", k_token | k_word);
    add("()<>:\\\"/[]?{}", k_word);
    add("-_.!~*'()", k_unreserved);
    add("&=+$,;?/", k_user);
    add("&=+$,", k_password);
    add("[]/:&+$", k_param);
    add("[]/?:+$", k_header);
    add("-._", k_host);
    add(" \t\r\n", k_lws);
    for (int c = 0; c < 0x20; ++c)
        t[c] |= k_not_uri;
    add(" \"<>\x7f", k_not_uri);
    return t;
}

inline constexpr std::array<uint16_t, 256> table = make_table();

constexpr bool is(char c, uint16_t cls) {
    return (table[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) {
    return is(c, k_alpha);
}
constexpr bool is_token(char c) {
    return is(c, k_token);
}
constexpr bool is_lws(char c) {
    return is(c, k_lws);
}
constexpr bool is_ws(char c) {
    return c == ' ' || c == '\t';
}

constexpr char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

constexpr int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i]))
            return false;
    return true;
}

/// Skips SP, HT and folds (CR/LF) from pos; returns the first other position.
constexpr std::size_t skip_lws(std::string_view s, std::size_t pos) {
    while (pos < s.size() && is_lws(s[pos]))
        ++pos;
    return pos;
}

/// Removes leading and trailing LWS.
constexpr std::string_view trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_lws(s[b]))
        ++b;
    while (e > b && is_lws(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

/// True when every character of s is in cls and s is not empty.
constexpr bool all_of(std::string_view s, uint16_t cls) {
    if (s.empty())
        return false;
    for (char c : s)
        if (!is(c, cls))
            return false;
    return true;
}

/// Length of the run of characters of class cls starting at pos.
constexpr std::size_t span_of(std::string_view s, std::size_t pos, uint16_t cls) {
    std::size_t i = pos;
    while (i < s.size() && is(s[i], cls))
        ++i;
    return i - pos;
}

/// Parses 1*DIGIT into a value no larger than max. False on an empty string, another character or overflow.
constexpr bool parse_uint(std::string_view s, uint64_t max, uint64_t& out) {
    if (s.empty())
        return false;
    uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c))
            return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
        if (v > max)
            return false;
    }
    out = v;
    return true;
}

} // namespace siphost::sip::chars
