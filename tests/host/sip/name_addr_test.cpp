#include "sip/name_addr.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "sip/header_params.hpp"

namespace siphost::sip {
namespace {

name_addr single(std::string_view value) {
    name_addr a;
    EXPECT_TRUE(parse_single_name_addr(value, a)) << value;
    return a;
}

bool valid_single(std::string_view value) {
    name_addr a;
    return parse_single_name_addr(value, a);
}

TEST(sip_name_addr, AddrSpecWithParams) {
    name_addr a = single("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
    EXPECT_FALSE(a.angle_brackets);
    EXPECT_EQ(a.uri_text, "sip:vivekg@chair-dnrc.example.com");
    EXPECT_EQ(a.uri.host(), "chair-dnrc.example.com");
    EXPECT_TRUE(a.has_tag);
    EXPECT_EQ(a.tag, "1918181833n");
    EXPECT_TRUE(a.display_name.empty());
}

TEST(sip_name_addr, QuotedDisplayNameWithEscapes) {
    name_addr a =
        single("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8");
    EXPECT_EQ(a.display_name, "\"J Rosenberg \\\\\\\"\"");
    EXPECT_EQ(unquote(a.display_name), "J Rosenberg \\\"");
    EXPECT_EQ(a.uri_text, "sip:jdrosen@example.com");
    EXPECT_EQ(a.tag, "98asjd8");
}

TEST(sip_name_addr, TokenDisplayNames) {
    EXPECT_EQ(single("caller<sip:caller@example.com>;tag=323").display_name, "caller");
    name_addr a = single("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;tag=_token~1'+`*%!-.");
    EXPECT_EQ(a.display_name, "token1~` token2'+_ token3*%!.-");
    EXPECT_EQ(a.tag, "_token~1'+`*%!-.");
    EXPECT_EQ(single("<sip:a@b>").display_name, "");
}

TEST(sip_name_addr, Refusals) {
    EXPECT_FALSE(valid_single("Bell, Alexander <sip:a.g.bell@example.com>;tag=43"));    // baddn.dat
    EXPECT_FALSE(valid_single("\"Mr. J. User <sip:j.user@example.com>"));               // quotbal.dat
    EXPECT_FALSE(valid_single("< sip:t.watson@example.org >"));                         // badaspec.dat
    EXPECT_FALSE(valid_single("sip:user@example.com?Route=%3Csip:sip.example.com%3E")); // regbadct.dat
    EXPECT_FALSE(valid_single("<sip:a@b"));
    EXPECT_FALSE(valid_single("<sip:a@b>;tag="));
    EXPECT_FALSE(valid_single("<sip:a@b>;;"));
    EXPECT_FALSE(valid_single("<sip:a@b>, <sip:c@d>"));
    EXPECT_FALSE(valid_single(""));
    EXPECT_FALSE(valid_single("*"));
}

TEST(sip_name_addr, LightCheckWithoutUriParse) {
    name_addr a;
    EXPECT_TRUE(parse_single_name_addr("\"x\" <sip:%zz@[bad>;tag=1", a, false));
    EXPECT_EQ(a.tag, "1");
    EXPECT_TRUE(a.uri.text().empty());
    EXPECT_FALSE(parse_single_name_addr("\"x\" <sip:%zz@[bad>;tag=1", a, true));
    EXPECT_FALSE(parse_single_name_addr("Bell, Alexander <sip:a.g.bell@example.com>", a, false));
    EXPECT_FALSE(parse_single_name_addr("< sip:t.watson@example.org >", a, false));
    EXPECT_FALSE(parse_single_name_addr("<nocolon>", a, false));
    EXPECT_TRUE(plausible_uri("isbn:2983792873"));
    EXPECT_FALSE(plausible_uri("sip:"));
    EXPECT_FALSE(plausible_uri("1sip:a"));
    EXPECT_FALSE(plausible_uri("sip:a\"b"));
    EXPECT_FALSE(plausible_uri(""));
}

TEST(sip_name_addr, ListsAndWildcard) {
    std::vector<name_addr> out;
    ASSERT_TRUE(parse_name_addr_values("<sip:a@b;lr>, \"x,y\" <sip:c@d>;q=0.5 , sip:e@f;expires=5", true,
                                       [&](const name_addr& a) { out.push_back(a); }));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].uri.param("lr"), "");
    EXPECT_EQ(out[1].display_name, "\"x,y\"");
    EXPECT_EQ(find_header_param(out[1].params, "q"), "0.5");
    EXPECT_EQ(find_header_param(out[2].params, "expires"), "5");
    out.clear();
    ASSERT_TRUE(parse_name_addr_values(" * ", true, [&](const name_addr& a) { out.push_back(a); }));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].wildcard);
    EXPECT_FALSE(parse_name_addr_values("*", false, [](const name_addr&) {}));
    EXPECT_FALSE(parse_name_addr_values("\"Joe\" <sip:joe@example.org>;;;;", true, [](const name_addr&) {}));
}

TEST(sip_name_addr, UnknownSchemesStayOpaque) {
    EXPECT_EQ(single("isbn:2983792873").uri.scheme(), uri_scheme::other);
    EXPECT_EQ(single("<http://www.example.com>;tag=3234233").uri.opaque(), "//www.example.com");
    // A param after an addr-spec belongs to the header, not to the URI (cparam01.dat).
    name_addr a = single("sip:+19725552222@gw1.example.net;unknownparam");
    EXPECT_TRUE(a.uri.params().empty());
    EXPECT_EQ(a.params, ";unknownparam");
    name_addr b = single("<sip:+19725552222@gw1.example.net;unknownparam>");
    EXPECT_EQ(b.uri.param("unknownparam"), "");
    EXPECT_TRUE(b.params.empty());
}

} // namespace
} // namespace siphost::sip
