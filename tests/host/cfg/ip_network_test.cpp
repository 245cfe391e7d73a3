#include "cfg/ip_network.hpp"

#include <gtest/gtest.h>

using siphost::cfg::in_network;
using siphost::cfg::parse_ip_network;

TEST(cfg_ip_network, ParsesNetworksAndLoneAddresses) {
    auto v4 = parse_ip_network("10.0.0.0/8");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->family, 4);
    EXPECT_EQ(v4->prefix, 8u);
    auto one = parse_ip_network("192.0.2.7");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->prefix, 32u);
    auto v6 = parse_ip_network("2001:db8::/32");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->family, 6);
    EXPECT_EQ(parse_ip_network("[2001:db8::1]")->prefix, 128u);
    for (const char* bad : {"10.0.0.0/33", "2001:db8::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/8x", "/8",
                            "host.example.com/8", "", "10.0.0.0/-1", "300.0.0.0/8"})
        EXPECT_FALSE(parse_ip_network(bad)) << bad;
}

TEST(cfg_ip_network, MatchesByPrefixBits) {
    auto net = *parse_ip_network("192.168.4.0/22"); // 192.168.4.0 - 192.168.7.255
    EXPECT_TRUE(in_network("192.168.4.0", net));
    EXPECT_TRUE(in_network("192.168.7.255", net));
    EXPECT_FALSE(in_network("192.168.8.0", net));
    EXPECT_FALSE(in_network("192.168.3.255", net));
    EXPECT_TRUE(in_network("203.0.113.9", *parse_ip_network("0.0.0.0/0")));
    EXPECT_TRUE(in_network("203.0.113.9", *parse_ip_network("203.0.113.9")));
    EXPECT_FALSE(in_network("203.0.113.10", *parse_ip_network("203.0.113.9")));
    auto v6 = *parse_ip_network("2001:db8:80::/41");
    EXPECT_TRUE(in_network("2001:db8:80::1", v6));
    EXPECT_TRUE(in_network("[2001:db8:ff::1]", v6));
    EXPECT_FALSE(in_network("2001:db8:100::1", v6));
    EXPECT_FALSE(in_network("192.168.4.1", v6)); // another family never matches
    EXPECT_FALSE(in_network("not an address", net));
}
