// script::value and script::uri_parts.

#include <gtest/gtest.h>

#include "script/uri_parts.hpp"
#include "script/value.hpp"

namespace siphost::script {
namespace {

TEST(script_value, conversions) {
    EXPECT_EQ(0, value().to_int());
    EXPECT_EQ(42, value::borrow("42abc").to_int());
    EXPECT_EQ(-7, value::borrow(" -7").to_int());
    EXPECT_EQ(0, value::borrow("abc").to_int());
    EXPECT_TRUE(value::borrow("-12").is_numeric());
    EXPECT_FALSE(value::borrow("12a").is_numeric());
    EXPECT_FALSE(value::borrow("").is_numeric());
    EXPECT_FALSE(value::borrow("-").is_numeric());
    std::string out;
    value().append_to(out);
    value::make_int(-3).append_to(out);
    value::borrow("x").append_to(out);
    EXPECT_EQ("<null>-3x", out);
}

TEST(script_value, truth) {
    EXPECT_FALSE(value().truthy());
    EXPECT_FALSE(value::make_int(0).truthy());
    EXPECT_TRUE(value::make_int(-1).truthy());
    EXPECT_FALSE(value::borrow("0").truthy());
    EXPECT_TRUE(value::borrow("abc").truthy());
    EXPECT_FALSE(value::borrow("").truthy());
}

TEST(script_value, copies_keep_their_own_storage) {
    value a = value::own("a long string that does not fit in the small buffer");
    value b = a;
    value c = std::move(a);
    EXPECT_EQ(b.text(), c.text());
    EXPECT_NE(b.text().data(), c.text().data());
    std::string source = "borrowed";
    value d = value::borrow(source);
    d.make_owned();
    source = "changed!";
    EXPECT_EQ("borrowed", d.text());
    siphost_value abi = value::make_int(9).to_abi();
    EXPECT_EQ(SIPHOST_VALUE_INT, abi.kind);
    EXPECT_EQ(9, value::from_abi(abi, false).number());
}

TEST(script_uri, parts) {
    auto u = uri_parts::parse("sip:bob:secret@example.com:5080;transport=udp?h=1");
    ASSERT_TRUE(u.valid);
    EXPECT_EQ("sip", u.scheme);
    EXPECT_EQ("bob", u.user);
    EXPECT_EQ("secret", u.password);
    EXPECT_EQ("example.com", u.host);
    EXPECT_EQ("5080", u.port);
    EXPECT_EQ(";transport=udp?h=1", u.rest);
    EXPECT_EQ("sip:alice:secret@example.com:5080;transport=udp?h=1", u.with_user("alice"));
    EXPECT_EQ("sip:example.com:5080;transport=udp?h=1",
              uri_parts::parse("sip:b@example.com:5080;transport=udp?h=1").with_user(""));
    EXPECT_EQ("sip:bob:secret@h:5080;transport=udp?h=1", u.with_host("h"));
    EXPECT_EQ("sip:bob:secret@example.com;transport=udp?h=1", u.with_port(""));
    auto v6 = uri_parts::parse("\"Bob\" <sips:[2001:db8::1]:5061>;tag=x");
    ASSERT_TRUE(v6.valid);
    EXPECT_EQ("sips", v6.scheme);
    EXPECT_EQ("[2001:db8::1]", v6.host);
    EXPECT_EQ("5061", v6.port);
    EXPECT_FALSE(v6.has_user);
    EXPECT_FALSE(uri_parts::parse("no scheme").valid);
    EXPECT_FALSE(uri_parts::parse("sip:").valid);
    EXPECT_FALSE(uri_parts::parse("<sip:unclosed").valid);
}

} // namespace
} // namespace siphost::script
