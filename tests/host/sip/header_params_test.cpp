#include "sip/header_params.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace siphost::sip {
namespace {

std::vector<header_param> read_all(std::string_view text, bool& ok) {
    std::vector<header_param> out;
    std::size_t pos = 0;
    ok = read_header_params(text, pos, true, [&](const header_param& p) { out.push_back(p); });
    return out;
}

TEST(sip_header_params, LwsAroundSemicolonAndEquals) {
    bool ok = false;
    auto params = read_all(";   tag    = 1918181833n ;\r\n  lr; q = 0.33", ok);
    ASSERT_TRUE(ok);
    ASSERT_EQ(params.size(), 3u);
    EXPECT_EQ(params[0].name, "tag");
    EXPECT_EQ(params[0].value, "1918181833n");
    EXPECT_EQ(params[1].name, "lr");
    EXPECT_FALSE(params[1].has_value);
    EXPECT_EQ(params[2].value, "0.33");
}

TEST(sip_header_params, QuotedAndHostValues) {
    bool ok = false;
    auto params = read_all(";a=\"x \\\" y\";received=[2001:db8::1];r2=2001:db8::9:255", ok);
    ASSERT_TRUE(ok);
    ASSERT_EQ(params.size(), 3u);
    EXPECT_EQ(params[0].value, "\"x \\\" y\"");
    EXPECT_EQ(unquote(params[0].value), "x \" y");
    EXPECT_EQ(params[1].value, "[2001:db8::1]");
    EXPECT_EQ(params[2].value, "2001:db8::9:255");
}

TEST(sip_header_params, StopsAtCommaAndRefusesGarbage) {
    bool ok = false;
    auto params = read_all(";a=1, next", ok);
    EXPECT_TRUE(ok);
    EXPECT_EQ(params.size(), 1u);
    read_all(";;", ok);
    EXPECT_FALSE(ok);
    read_all(";a=", ok);
    EXPECT_FALSE(ok);
    read_all(";a=\"open", ok);
    EXPECT_FALSE(ok);
    read_all(";a=[zz]", ok);
    EXPECT_FALSE(ok);
    read_all("junk", ok);
    EXPECT_FALSE(ok);
}

TEST(sip_header_params, FindByName) {
    EXPECT_EQ(find_header_param(";Tag=abc;lr", "tag"), "abc");
    EXPECT_EQ(find_header_param(";Tag=abc;lr", "LR"), "");
    EXPECT_FALSE(find_header_param(";Tag=abc;lr", "q").has_value());
    EXPECT_FALSE(find_header_param("", "q").has_value());
}

TEST(sip_header_params, QuotedStringScanning) {
    std::string_view s = "\"a\\\"b\" rest";
    EXPECT_EQ(scan_quoted_string(s, 0), 6u);
    EXPECT_EQ(scan_quoted_string("\"abc", 0), std::string_view::npos);
    EXPECT_EQ(scan_quoted_string("\"a\\\r\n\"", 0), std::string_view::npos);
    EXPECT_EQ(unquote("plain"), "plain");
}

} // namespace
} // namespace siphost::sip
