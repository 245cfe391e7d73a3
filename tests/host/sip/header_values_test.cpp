#include "sip/header_values.hpp"

#include <gtest/gtest.h>

namespace siphost::sip {
namespace {

TEST(sip_header_values, CSeq) {
    cseq_value c;
    ASSERT_TRUE(parse_cseq("0009\r\n  INVITE", c));
    EXPECT_EQ(c.number, 9u);
    EXPECT_EQ(c.method, "INVITE");
    ASSERT_TRUE(parse_cseq("4294967295 REGISTER", c));
    EXPECT_EQ(c.number, 4294967295u);
    EXPECT_FALSE(parse_cseq("4294967296 REGISTER", c));
    EXPECT_FALSE(parse_cseq("36893488147419103232 REGISTER", c));
    EXPECT_FALSE(parse_cseq("1INVITE", c));
    EXPECT_FALSE(parse_cseq("INVITE", c));
    EXPECT_FALSE(parse_cseq("1 INVITE extra", c));
    EXPECT_FALSE(parse_cseq("-1 INVITE", c));
}

TEST(sip_header_values, CallId) {
    EXPECT_TRUE(parse_call_id("wsinv.ndaksdj@192.0.2.1"));
    EXPECT_TRUE(parse_call_id("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"));
    EXPECT_FALSE(parse_call_id(""));
    EXPECT_FALSE(parse_call_id("a b"));
    EXPECT_FALSE(parse_call_id("a@"));
    EXPECT_FALSE(parse_call_id("a@b@c"));
}

TEST(sip_header_values, Numbers) {
    uint64_t n = 0;
    EXPECT_TRUE(parse_number("0068", 255, n));
    EXPECT_EQ(n, 68u);
    EXPECT_FALSE(parse_number("300", 255, n));
    EXPECT_FALSE(parse_number("-999", 0xffffffff, n));
    EXPECT_FALSE(parse_number("", 10, n));
    EXPECT_FALSE(parse_number("1 2", 100, n));
    uint32_t seconds = 0;
    EXPECT_TRUE(parse_delta_seconds("3600", seconds));
    EXPECT_EQ(seconds, 3600u);
    EXPECT_TRUE(parse_delta_seconds("10000000000000000000000000000000000", seconds));
    EXPECT_EQ(seconds, 0xffffffffu);
    EXPECT_FALSE(parse_delta_seconds("soon", seconds));
}

TEST(sip_header_values, MediaType) {
    media_type t;
    ASSERT_TRUE(parse_media_type("multipart/mixed;boundary=7a9cbec02ceef655", t));
    EXPECT_EQ(t.type, "multipart");
    EXPECT_EQ(t.subtype, "mixed");
    EXPECT_EQ(t.params, ";boundary=7a9cbec02ceef655");
    ASSERT_TRUE(parse_media_type("application / sdp", t));
    EXPECT_EQ(t.subtype, "sdp");
    EXPECT_FALSE(parse_media_type("application", t));
    EXPECT_FALSE(parse_media_type("application/", t));
}

TEST(sip_header_values, TokenLists) {
    std::string_view v = "noProxiesSupportThis , norDoAnyProxiesSupportThis";
    std::size_t pos = 0;
    std::string_view tag;
    ASSERT_TRUE(next_list_token(v, pos, tag));
    EXPECT_EQ(tag, "noProxiesSupportThis");
    ASSERT_TRUE(next_list_token(v, pos, tag));
    EXPECT_EQ(tag, "norDoAnyProxiesSupportThis");
    EXPECT_EQ(pos, v.size());
    pos = 0;
    EXPECT_FALSE(next_list_token("a,", pos, tag) && next_list_token("a,", pos, tag));
    pos = 0;
    EXPECT_FALSE(next_list_token("a b", pos, tag));
}

} // namespace
} // namespace siphost::sip
