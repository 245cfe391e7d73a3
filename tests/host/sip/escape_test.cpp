#include "sip/escape.hpp"

#include <gtest/gtest.h>

namespace siphost::sip {
namespace {

TEST(sip_escape, Unescape) {
    EXPECT_EQ(unescape("%75se%72"), "user");
    EXPECT_EQ(unescape("a%2"), "a%2"); // an incomplete escape is kept
    EXPECT_EQ(unescape("%zz"), "%zz");
    EXPECT_EQ(unescape("%00"), std::string(1, '\0'));
    EXPECT_EQ(unescape(""), "");
}

TEST(sip_escape, ValidEscapes) {
    EXPECT_TRUE(valid_escapes("a%41b"));
    EXPECT_TRUE(valid_escapes("plain"));
    EXPECT_FALSE(valid_escapes("a%4"));
    EXPECT_FALSE(valid_escapes("%"));
    EXPECT_FALSE(valid_escapes("%G0"));
}

TEST(sip_escape, EscapedEqual) {
    EXPECT_TRUE(escaped_equal("%61lice", "alice", false));
    EXPECT_FALSE(escaped_equal("%41lice", "alice", false));
    EXPECT_TRUE(escaped_equal("%41lice", "alice", true));
    EXPECT_FALSE(escaped_equal("alice", "alic", false));
    EXPECT_FALSE(escaped_equal("alic", "alice", true));
}

} // namespace
} // namespace siphost::sip
