#include "sip/via.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace siphost::sip {
namespace {

std::vector<via> vias(std::string_view value) {
    std::vector<via> out;
    EXPECT_TRUE(parse_via_values(value, [&](const via& v) { out.push_back(v); })) << value;
    return out;
}

bool valid(std::string_view value) {
    return parse_via_values(value, [](const via&) {});
}

TEST(sip_via, AllParameters) {
    auto v = vias("SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5070;"
                  "maddr=224.2.0.1;ttl=16;x-custom=1");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].protocol_name, "SIP");
    EXPECT_EQ(v[0].protocol_version, "2.0");
    EXPECT_EQ(v[0].transport, "UDP");
    EXPECT_EQ(v[0].host, "pc33.example.com");
    EXPECT_EQ(v[0].port, 5066);
    EXPECT_EQ(v[0].branch, "z9hG4bK776asdhds");
    EXPECT_EQ(v[0].received, "192.0.2.1");
    EXPECT_TRUE(v[0].has_rport);
    EXPECT_EQ(v[0].rport, 5070);
    EXPECT_EQ(v[0].maddr, "224.2.0.1");
    EXPECT_EQ(v[0].ttl, 16);
    EXPECT_EQ(v[0].params.substr(0, 8), ";branch=");
}

TEST(sip_via, RportFlagAndDefaults) {
    auto v = vias("SIP/2.0/TCP 127.0.0.1;rport;branch=z9hG4bK-1");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_TRUE(v[0].has_rport);
    EXPECT_EQ(v[0].rport, 0);
    EXPECT_FALSE(v[0].has_port);
    EXPECT_EQ(v[0].ttl, -1);
    EXPECT_TRUE(v[0].maddr.empty());
}

TEST(sip_via, LwsEverywhereAndCommaLists) {
    // wsinv.dat's values.
    auto a = vias("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].transport, "UDP");
    EXPECT_EQ(a[0].host, "192.0.2.2");
    EXPECT_EQ(a[0].branch, "390skdjuw");
    auto b = vias(
        "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0 "
        "  / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239");
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[0].transport, "TCP");
    EXPECT_EQ(b[0].host, "spindle.example.com");
    EXPECT_EQ(b[0].branch, "z9hG4bK9ikj8");
    EXPECT_EQ(b[1].host, "192.168.255.111");
    EXPECT_EQ(b[1].branch, "z9hG4bK30239");
    auto c = vias("SIP/2.0/UDP h1 : 5060 ;branch=z9hG4bK1");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].port, 5060);
}

TEST(sip_via, Ipv6SentByAndReceived) {
    auto v = vias("SIP/2.0/UDP [2001:db8::9:1]:6050;received=2001:db8::9:255;branch=z9hG4bKas3");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].host, "2001:db8::9:1");
    EXPECT_EQ(v[0].host_kind, host_type::ipv6);
    EXPECT_EQ(v[0].port, 6050);
    EXPECT_EQ(v[0].received, "2001:db8::9:255");
    auto w = vias("SIP/2.0/UDP [::ffff:192.0.2.2];received=[2001:db8::9:255]");
    EXPECT_EQ(w[0].received, "[2001:db8::9:255]");
    EXPECT_FALSE(valid("SIP/2.0/UDP 2001:db8::1;branch=z9hG4bK1"));
}

TEST(sip_via, Refusals) {
    EXPECT_FALSE(valid("SIP/2.0/UDP 192.0.2.15;;,;,,")); // badinv01.dat
    EXPECT_FALSE(valid("SIP/2.0/UDP"));
    EXPECT_FALSE(valid("SIP/2.0 host"));
    EXPECT_FALSE(valid("SIP/2.0/UDPhost"));
    EXPECT_FALSE(valid("SIP/2.0/UDP host:70000"));
    EXPECT_FALSE(valid("SIP/2.0/UDP host;received=example.com"));
    EXPECT_FALSE(valid("SIP/2.0/UDP host;rport=abc"));
    EXPECT_FALSE(valid("SIP/2.0/UDP host;ttl=256"));
    EXPECT_FALSE(valid("SIP/2.0/UDP host;branch"));
    EXPECT_FALSE(valid("SIP/2.0/UDP host,"));
    EXPECT_FALSE(valid(""));
    EXPECT_TRUE(valid("SIP/2.0/UDP host"));
}

} // namespace
} // namespace siphost::sip
