#include "net/socket_address.hpp"

#include <gtest/gtest.h>

using namespace siphost::net;

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
