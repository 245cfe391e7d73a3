#include "net/socket_address.hpp"

#include <gtest/gtest.h>

using namespace siphost::net;

TEST(SocketAddress, RoundTripsThroughTheAbiDestination) {
    udp_endpoint v4(boost::asio::ip::make_address("127.0.0.1"), 5060);
    auto abi = to_dest(v4);
    EXPECT_EQ(abi.struct_size, sizeof(siphost_dest));
    EXPECT_EQ(abi.proto, SIPHOST_PROTO_UDP);
    EXPECT_EQ(abi.family, 4);
    EXPECT_EQ(abi.port, 5060);
    EXPECT_EQ(abi.ip[0], 127);
    EXPECT_EQ(abi.conn_id, 0u);
    EXPECT_EQ(to_endpoint(abi), v4);
    udp_endpoint v6(boost::asio::ip::make_address("::1"), 5070);
    EXPECT_EQ(to_endpoint(to_dest(v6)), v6);
}

TEST(SocketAddress, SetAddressLeavesTheRestOfTheDestination) {
    siphost_dest d{};
    d.struct_size = sizeof d;
    d.proto = SIPHOST_PROTO_TCP;
    d.conn_id = 7;
    set_address(d, udp_endpoint(boost::asio::ip::make_address("::1"), 5080));
    EXPECT_EQ(d.family, 6);
    EXPECT_EQ(d.proto, SIPHOST_PROTO_TCP);
    EXPECT_EQ(d.conn_id, 7u);
    EXPECT_EQ(d.ip[15], 1);
}
