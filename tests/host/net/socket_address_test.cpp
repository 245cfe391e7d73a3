#include "net/socket_address.hpp"

#include <gtest/gtest.h>

using namespace siphost::net;

TEST(ListenSpec, ParsesProtocolAddressAndPort) {
    auto spec = parse_listen("udp:127.0.0.1:5080");
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->proto, "udp");
    EXPECT_EQ(spec->host, "127.0.0.1");
    EXPECT_EQ(spec->port, 5080);
    spec = parse_listen("10.0.0.1");
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->proto, "udp");
    EXPECT_EQ(spec->port, 0);
}

TEST(ListenSpec, ParsesIpv6WithAndWithoutBrackets) {
    auto spec = parse_listen("udp:[::1]:5062");
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->host, "::1");
    EXPECT_EQ(spec->port, 5062);
    spec = parse_listen("[2001:db8::1]");
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->host, "2001:db8::1");
    EXPECT_EQ(spec->port, 0);
    spec = parse_listen("::1");
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->host, "::1");
}

TEST(ListenSpec, RefusesMalformedValues) {
    EXPECT_FALSE(parse_listen("udp:127.0.0.1:99999"));
    EXPECT_FALSE(parse_listen("udp:127.0.0.1:port"));
    EXPECT_FALSE(parse_listen("[::1"));
    EXPECT_FALSE(parse_listen("udp:"));
}

TEST(SocketAddress, RoundTripsThroughTheAbiAddress) {
    udp_endpoint v4(boost::asio::ip::make_address("127.0.0.1"), 5060);
    auto abi = to_siphost_addr(v4);
    EXPECT_EQ(abi.family, 4);
    EXPECT_EQ(abi.port, 5060);
    EXPECT_EQ(abi.ip[0], 127);
    EXPECT_EQ(to_endpoint(abi), v4);
    udp_endpoint v6(boost::asio::ip::make_address("::1"), 5070);
    EXPECT_EQ(to_endpoint(to_siphost_addr(v6)), v6);
}
