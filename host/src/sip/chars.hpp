#pragma once
// Character classes of the SIP grammar (RFC 3261 section 25) and small text helpers shared by the parsers.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/// The classes that hold every letter, digit, '-' and '.': what most SIP text is made of.
inline constexpr uint16_t k_has_alnum_dot_dash = k_token | k_word | k_unreserved | k_host;

#if defined(__SSE2__)
/// How many of the sixteen bytes at p, from the first, are letters, digits, '-' or '.' (0 to 16).
inline unsigned alnum_dot_dash_run(const char* p) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Unsigned range checks: (x - low) <= (high - low) holds when min(x - low, high - low) == x - low.
    auto in_range = [](__m128i v, char low, char high) {
        const __m128i shifted = _mm_sub_epi8(v, _mm_set1_epi8(low));
        return _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(static_cast<char>(high - low))), shifted);
    };
    // OR-ing 0x20 maps exactly the two cases of a letter onto 'a'..'z'.
    const __m128i letter = in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'z');
    const __m128i digit = in_range(x, '0', '9');
    const __m128i dash = _mm_cmpeq_epi8(x, _mm_set1_epi8('-'));
    const __m128i dot = _mm_cmpeq_epi8(x, _mm_set1_epi8('.'));
    const __m128i any = _mm_or_si128(_mm_or_si128(letter, digit), _mm_or_si128(dash, dot));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(any));
    return static_cast<unsigned>(__builtin_ctz(~mask | 0x10000u));
}
#endif

/// Length of the run of characters of class cls starting at pos. Host names, tags, branches and Call-IDs are
/// long runs of letters and digits: for the classes that hold them all, sixteen bytes are tested at a time.
constexpr std::size_t span_of(std::string_view s, std::size_t pos, uint16_t cls) {
    std::size_t i = pos;
    const std::size_t size = s.size();
#if defined(__SSE2__)
    if (!std::is_constant_evaluated() && (cls & k_has_alnum_dot_dash) != 0) {
        while (i < size) {
            if (i + 16 <= size) {
                unsigned run = alnum_dot_dash_run(s.data() + i);
                i += run;
                if (run == 16)
                    continue;
            }
            if (!is(s[i], cls))
                break;
            ++i;
        }
        return i - pos;
    }
#endif
    while (i < size && is(s[i], cls))
        ++i;
    return i - pos;
}

/// True when every character of s is in cls and s is not empty.
constexpr bool all_of(std::string_view s, uint16_t cls) {
    return !s.empty() && span_of(s, 0, cls) == s.size();
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
