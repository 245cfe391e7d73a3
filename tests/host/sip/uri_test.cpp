#include "sip/uri.hpp"

#include <gtest/gtest.h>

#include "sip/escape.hpp"

namespace siphost::sip {
namespace {

uri parsed(std::string_view text) {
    uri u;
    EXPECT_TRUE(u.parse(text)) << text;
    return u;
}

TEST(sip_uri, SipWithEveryPart) {
    uri u = parsed("sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr?Subject=hi&Priority=urgent");
    EXPECT_EQ(u.scheme(), uri_scheme::sip);
    EXPECT_EQ(u.user(), "alice");
    EXPECT_EQ(u.password(), "secret");
    EXPECT_EQ(u.host(), "atlanta.example.com");
    EXPECT_EQ(u.host_kind(), host_type::name);
    EXPECT_EQ(u.port(), 5070);
    EXPECT_TRUE(u.has_port());
    EXPECT_EQ(u.params(), ";transport=tcp;lr");
    EXPECT_EQ(u.param("TRANSPORT"), "tcp");
    EXPECT_EQ(u.param("lr"), "");
    EXPECT_FALSE(u.param("maddr").has_value());
    EXPECT_EQ(u.headers(), "Subject=hi&Priority=urgent");
}

TEST(sip_uri, HostKinds) {
    EXPECT_EQ(parsed("sip:192.0.2.1").host_kind(), host_type::ipv4);
    uri v6 = parsed("sips:[2001:db8::1]:5061");
    EXPECT_EQ(v6.scheme(), uri_scheme::sips);
    EXPECT_EQ(v6.host_kind(), host_type::ipv6);
    EXPECT_EQ(v6.host(), "[2001:db8::1]");
    EXPECT_EQ(v6.host_address(), "2001:db8::1");
    EXPECT_EQ(v6.port(), 5061);
    uri mapped = parsed("sip:ted@[::ffff:192.0.2.2]");
    EXPECT_EQ(mapped.host_address(), "::ffff:192.0.2.2");
    EXPECT_FALSE(mapped.has_port());
}

TEST(sip_uri, RefusesBrokenHostsAndPorts) {
    uri u;
    EXPECT_FALSE(u.parse("sip:2001:db8::10")); // RFC 5118 ipv6-bad: no brackets
    EXPECT_FALSE(u.parse("sip:host:99999"));
    EXPECT_FALSE(u.parse("sip:host:"));
    EXPECT_FALSE(u.parse("sip:[2001:db8::1"));
    EXPECT_FALSE(u.parse("sip:user@"));
    EXPECT_FALSE(u.parse("sip:@host"));
    EXPECT_FALSE(u.parse("sip:256.1.1.1"));
    EXPECT_FALSE(u.parse("sip:host name"));
    EXPECT_FALSE(u.parse("sip:user@example.com; lr"));
    EXPECT_FALSE(u.parse("<sip:user@example.com>"));
    EXPECT_FALSE(u.parse("sip:a%4@host"));     // bad escape
    EXPECT_FALSE(u.parse("sip:host;=v"));      // empty parameter name
    EXPECT_FALSE(u.parse("sip:host?"));        // empty headers
    EXPECT_FALSE(u.parse("sip:host?novalue")); // header without '='
    EXPECT_FALSE(u.parse("1sip:host"));
    EXPECT_FALSE(u.parse(":host"));
    EXPECT_FALSE(u.parse("sip"));
    EXPECT_TRUE(u.text().empty());
}

TEST(sip_uri, ThreeColonIpv6IsAcceptedLiberally) {
    // RFC 5118 4.3: accept the historic form that the old ABNF allowed.
    uri u = parsed("sip:user@[2001:db8:::192.0.2.1]");
    EXPECT_EQ(u.host_kind(), host_type::ipv6);
    EXPECT_EQ(parsed("sip:[2001:db8::10:5070]").port(), 0);
}

TEST(sip_uri, EscapedParts) {
    uri u = parsed("sip:sips%3Auser%40example.com@example.net");
    EXPECT_EQ(unescape(u.user()), "sips:user@example.com");
    EXPECT_EQ(u.host(), "example.net");
    uri c = parsed("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
    EXPECT_EQ(unescape(c.user()), "caller");
    EXPECT_EQ(c.param("lr"), "");
    ASSERT_TRUE(c.param("name").has_value());
    EXPECT_EQ(unescape(*c.param("name")), "value%41");
    uri n = parsed("sip:null-%00-null@example.com");
    EXPECT_EQ(unescape(n.user()), std::string("null-\0-null", 11));
}

TEST(sip_uri, UnusualUserAndPassword) {
    uri u = parsed(
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"
        "@example.com");
    EXPECT_EQ(u.user(), "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    EXPECT_EQ(u.password(), "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    EXPECT_EQ(u.host(), "example.com");
    uri semi = parsed("sip:user;par=u%40example.net@example.com");
    EXPECT_EQ(semi.user(), "user;par=u%40example.net");
    EXPECT_TRUE(semi.params().empty());
}

TEST(sip_uri, TelAndOpaqueSchemes) {
    uri t = parsed("tel:+1-201-555-0123;phone-context=example.com");
    EXPECT_EQ(t.scheme(), uri_scheme::tel);
    EXPECT_EQ(t.user(), "+1-201-555-0123");
    EXPECT_EQ(t.param("phone-context"), "example.com");
    uri o = parsed("soap.beep://192.0.2.103:3002");
    EXPECT_EQ(o.scheme(), uri_scheme::other);
    EXPECT_EQ(o.scheme_text(), "soap.beep");
    EXPECT_EQ(o.opaque(), "//192.0.2.103:3002");
    EXPECT_TRUE(o.host().empty());
    EXPECT_EQ(parsed("nobodyKnowsThisScheme:totallyopaquecontent").opaque(), "totallyopaquecontent");
    uri bad;
    EXPECT_FALSE(bad.parse("http:has space"));
    EXPECT_FALSE(bad.parse("tel:"));
}

bool equal(std::string_view a, std::string_view b) {
    uri x = parsed(a), y = parsed(b);
    bool forward = uri_equal(x, y), backward = uri_equal(y, x);
    EXPECT_EQ(forward, backward) << a << " vs " << b;
    return forward;
}

TEST(sip_uri, EquivalentPerRfc3261) {
    // The examples of RFC 3261 19.1.4.
    EXPECT_TRUE(equal("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"));
    EXPECT_TRUE(equal("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"));
    EXPECT_TRUE(equal("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"));
    EXPECT_TRUE(equal("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"));
    EXPECT_TRUE(equal("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                      "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"));
    EXPECT_TRUE(equal("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                      "sip:alice@atlanta.com?priority=urgent&subject=project%20x"));
}

TEST(sip_uri, NotEquivalentPerRfc3261) {
    EXPECT_FALSE(equal("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"));
    EXPECT_FALSE(equal("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
    EXPECT_FALSE(equal("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"));
    EXPECT_FALSE(equal("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"));
    EXPECT_FALSE(equal("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"));
    EXPECT_FALSE(equal("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
    EXPECT_FALSE(equal("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"));
    EXPECT_FALSE(equal("sip:alice@example.com", "sips:alice@example.com"));
    EXPECT_FALSE(equal("sip:alice:a@example.com", "sip:alice@example.com"));
}

TEST(sip_uri, RepeatedParametersCountWithTheirFirstValue) {
    EXPECT_TRUE(equal("sips:b%40c@host;ttl=.1;ttl=5", "sips:b%40c@host;ttl=.1;ttl=5"));
    EXPECT_TRUE(equal("sip:h;ttl=1;ttl=5", "sip:h;ttl=1"));
    EXPECT_FALSE(equal("sip:h;ttl=1;ttl=5", "sip:h;ttl=5"));
}

TEST(sip_uri, TelAndOtherEquivalence) {
    EXPECT_TRUE(equal("tel:+1-201-555-0123", "tel:+1(201)5550123"));
    EXPECT_FALSE(equal("tel:+1-201-555-0123", "tel:+1-201-555-0124"));
    EXPECT_TRUE(equal("urn:abc", "URN:abc"));
    EXPECT_FALSE(equal("urn:abc", "urn:ABC"));
    EXPECT_FALSE(equal("urn:abc", "sip:abc"));
}

TEST(sip_uri, ClassifyHost) {
    EXPECT_EQ(classify_host("example.com"), host_type::name);
    EXPECT_EQ(classify_host("192.0.2.1"), host_type::ipv4);
    EXPECT_EQ(classify_host("2001:db8::9:255"), host_type::ipv6);
    EXPECT_EQ(classify_host("[2001:db8::9:255]"), host_type::ipv6);
    EXPECT_EQ(classify_host("1.2.3"), host_type::none);
    EXPECT_EQ(classify_host("bad host"), host_type::none);
    EXPECT_EQ(classify_host(""), host_type::none);
    EXPECT_EQ(classify_host("[]"), host_type::none);
}

} // namespace
} // namespace siphost::sip

namespace siphost::sip {
namespace {

uri_replacement user(std::string_view v) {
    uri_replacement r;
    r.user = v;
    return r;
}
uri_replacement host(std::string_view v) {
    uri_replacement r;
    r.host = v;
    return r;
}
uri_replacement port(std::string_view v) {
    uri_replacement r;
    r.port = v;
    return r;
}

std::string rebuilt(std::string_view text, uri_replacement replace) {
    uri u;
    EXPECT_TRUE(u.parse(text)) << text;
    return rebuild_uri(u, replace);
}

TEST(sip_uri_rebuild, ReplacesOnePartAndKeepsTheRest) {
    constexpr std::string_view text = "sip:bob:secret@example.com:5080;transport=udp?h=1";
    EXPECT_EQ("sip:alice:secret@example.com:5080;transport=udp?h=1", rebuilt(text, user("alice")));
    EXPECT_EQ("sip:example.com:5080;transport=udp", rebuilt("sip:b@example.com:5080;transport=udp", user("")));
    EXPECT_EQ("sip:bob:secret@h:5080;transport=udp?h=1", rebuilt(text, host("h")));
    EXPECT_EQ("sip:bob:secret@example.com;transport=udp?h=1", rebuilt(text, port("")));
    EXPECT_EQ("sip:bob:secret@example.com:5090;transport=udp?h=1", rebuilt(text, port("5090")));
    EXPECT_EQ("sip:bob:secret@example.com:5080;transport=udp?h=1", rebuilt(text, {}));
}

TEST(sip_uri_rebuild, KeepsIpv6BracketsAndTheScheme) {
    EXPECT_EQ("sips:carol@[2001:db8::1]:5061", rebuilt("sips:[2001:db8::1]:5061", user("carol")));
    EXPECT_EQ("SIP:x@[::1]", rebuilt("SIP:x@host", host("[::1]")));
}

TEST(sip_uri_rebuild, ATelUriHasANumberAndNoHost) {
    EXPECT_EQ("tel:+4912345;phone-context=x", rebuilt("tel:+1555;phone-context=x", user("+4912345")));
}

} // namespace
} // namespace siphost::sip
