#include "sip/reply_destination.hpp"

#include <gtest/gtest.h>

#include <string>

namespace siphost::sip {
namespace {

via top_via(std::string_view value) {
    via v;
    std::size_t pos = 0;
    EXPECT_TRUE(parse_via(value, pos, v)) << value;
    return v;
}

TEST(sip_reply_destination, SentByWithDefaultPorts) {
    destination d = destination_of(top_via("SIP/2.0/UDP host.example.com;branch=z9hG4bK1"));
    EXPECT_EQ(d.host, "host.example.com");
    EXPECT_EQ(d.port, 5060);
    EXPECT_TRUE(d.host_is_name);
    EXPECT_EQ(d.transport, "UDP");
    EXPECT_EQ(destination_of(top_via("SIP/2.0/TLS host.example.com")).port, 5061);
    destination p = destination_of(top_via("SIP/2.0/UDP 192.0.2.1:5070"));
    EXPECT_EQ(p.port, 5070);
    EXPECT_FALSE(p.host_is_name);
}

TEST(sip_reply_destination, ReceivedAndRport) {
    destination d = destination_of(top_via("SIP/2.0/UDP host.example.com:5070;received=192.0.2.5"));
    EXPECT_EQ(d.host, "192.0.2.5");
    EXPECT_EQ(d.port, 5070);
    d = destination_of(top_via("SIP/2.0/UDP host.example.com:5070;received=192.0.2.5;rport=40000"));
    EXPECT_EQ(d.port, 40000);
    d = destination_of(top_via("SIP/2.0/UDP host.example.com:5070;rport;received=192.0.2.5"), 41000);
    EXPECT_EQ(d.port, 41000);
    d = destination_of(top_via("SIP/2.0/UDP host.example.com;rport;received=192.0.2.5"));
    EXPECT_EQ(d.port, 5060);
    d = destination_of(top_via("SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]"));
    EXPECT_EQ(d.host, "2001:db8::9:255");
    d = destination_of(top_via("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255"));
    EXPECT_EQ(d.host, "2001:db8::9:255");
    EXPECT_FALSE(d.host_is_name);
}

TEST(sip_reply_destination, Maddr) {
    destination d =
        destination_of(top_via("SIP/2.0/UDP h.example.com:5080;maddr=224.2.0.1;received=192.0.2.5;ttl=3"));
    EXPECT_EQ(d.host, "224.2.0.1");
    EXPECT_EQ(d.port, 5080);
}

TEST(sip_reply_destination, FromMessages) {
    std::string request =
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h1.example.com;rport;branch=z9hG4bK1\r\n"
        "Via: SIP/2.0/UDP h2.example.com\r\nFrom: <sip:c@d>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: 1\r\n"
        "CSeq: 1 OPTIONS\r\n\r\n";
    message m;
    ASSERT_TRUE(m.parse(request).ok());
    auto d = reply_destination(m, 33000);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->host, "h1.example.com");
    EXPECT_FALSE(relay_destination(m).has_value());
    std::string reply = "SIP/2.0 200 OK" + request.substr(request.find("\r\n"));
    ASSERT_TRUE(m.parse(reply).ok());
    auto relay = relay_destination(m);
    ASSERT_TRUE(relay.has_value());
    EXPECT_EQ(relay->host, "h2.example.com");
    EXPECT_FALSE(reply_destination(m).has_value());
}

TEST(sip_reply_destination, UnsafeDestinations) {
    EXPECT_TRUE(is_unsafe_destination("255.255.255.255"));
    EXPECT_TRUE(is_unsafe_destination("0.0.0.0"));
    EXPECT_TRUE(is_unsafe_destination("224.0.0.1"));
    EXPECT_TRUE(is_unsafe_destination("239.255.255.250"));
    EXPECT_TRUE(is_unsafe_destination("ff02::1"));
    EXPECT_TRUE(is_unsafe_destination("[::]"));
    EXPECT_FALSE(is_unsafe_destination("192.0.2.1"));
    EXPECT_FALSE(is_unsafe_destination("2001:db8::1"));
    EXPECT_FALSE(is_unsafe_destination("example.com"));
}

} // namespace
} // namespace siphost::sip
