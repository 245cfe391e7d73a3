// The character-class scans: span_of tests sixteen bytes at a time for the classes that hold letters, digits,
// '-' and '.'; it must give exactly what a byte-by-byte scan gives, at every position and for every class.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sip/chars.hpp"

using namespace siphost::sip::chars;

namespace {

std::size_t byte_by_byte_span(std::string_view s, std::size_t pos, uint16_t cls) {
    std::size_t i = pos;
    while (i < s.size() && is(s[i], cls))
        ++i;
    return i - pos;
}

constexpr uint16_t k_classes[] = {k_digit,    k_alpha, k_hex,    k_token, k_word, k_unreserved, k_user,
                                  k_password, k_param, k_header, k_host,  k_lws,  k_not_uri};

} // namespace

TEST(sip_chars, SpanOfMatchesByteByByteOnRandomText) {
    // Mostly letters and digits with every other byte value mixed in, in runs longer than 16 and shorter.
    std::mt19937 random(4475);
    const std::string common = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.";
    for (int round = 0; round < 2000; ++round) {
        std::string text(random() % 90, ' ');
        for (char& c : text)
            c = random() % 8 == 0 ? static_cast<char>(random() % 256) : common[random() % common.size()];
        for (uint16_t cls : k_classes)
            for (std::size_t pos = 0; pos <= text.size(); ++pos)
                ASSERT_EQ(span_of(text, pos, cls), byte_by_byte_span(text, pos, cls))
                    << "class " << cls << " at " << pos << " of " << text.size();
    }
}

TEST(sip_chars, SpanOfStopsAtEveryByteOutsideTheClass) {
    // One foreign byte at each position of a 40-byte run: the span ends exactly there, for all 256 values.
    for (int value = 0; value < 256; ++value) {
        const char c = static_cast<char>(value);
        for (std::size_t at = 0; at < 40; ++at) {
            std::string text(40, 'a');
            text[at] = c;
            std::size_t expected = is(c, k_token) ? 40 : at;
            ASSERT_EQ(span_of(text, 0, k_token), expected) << "byte " << value << " at " << at;
            ASSERT_EQ(span_of(text, 0, k_host), is(c, k_host) ? 40 : at) << "byte " << value << " at " << at;
        }
    }
}

TEST(sip_chars, SpanOfNeverReadsPastTheView) {
    // The view ends inside a longer string of letters: the scan must stop at the view's end.
    const std::string backing(64, 'x');
    for (std::size_t len = 0; len <= 48; ++len)
        for (std::size_t pos = 0; pos <= len; ++pos)
            ASSERT_EQ(span_of(std::string_view(backing.data(), len), pos, k_token), len - pos);
}

TEST(sip_chars, AllOf) {
    EXPECT_TRUE(all_of("abc-DEF.123", k_token));
    EXPECT_FALSE(all_of("", k_token));
    EXPECT_FALSE(all_of("abcdefghijklmnopqrstuvwxyz0123456789 ", k_token));
    EXPECT_TRUE(all_of("0123456789012345678901234567890123456789", k_digit));
}
