// siputils.so through the fake host.
#include "fake_host.hpp"

#include <gtest/gtest.h>

namespace siphost::tests {
namespace {

std::string request(std::string_view ruri, std::string_view to_tag, int vias) {
    std::string text = "INVITE " + std::string(ruri) + " SIP/2.0\n";
    for (int i = 0; i < vias; ++i)
        text += "Via: SIP/2.0/UDP 203.0.113." + std::to_string(i + 1) + ";branch=z9hG4bK" +
                std::to_string(i) + "\n";
    text += "From: <sip:a@b>;tag=1\nTo: <sip:c@d>" + (to_tag.empty() ? "" : ";tag=" + std::string(to_tag)) +
            "\nCall-ID: c\nCSeq: 1 INVITE\n\n";
    return text;
}

class modules_siputils : public ::testing::Test {
protected:
    void SetUp() override {
        host.add_myself("192.0.2.10", 5060);
        host.add_myself("proxy.example.com", 0);
        std::string error;
        ASSERT_EQ(siputils.init(host, &error), 0) << error;
    }

    int run(std::string_view name, const std::string& text, std::vector<test_arg> args = {}) {
        auto msg = host.parse(text);
        call_site site(siputils, name, std::move(args));
        return site.run(msg.get());
    }

    fake_host host;
    loaded_module siputils{"siputils"};
};

const std::string reply_text = "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKp\n"
                               "Via: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bKu\n"
                               "From: <sip:a@b>;tag=1\nTo: <sip:c@d>;tag=2\nCall-ID: c\nCSeq: 1 INVITE\n\n";

TEST_F(modules_siputils, has_totag) {
    EXPECT_EQ(run("has_totag", request("sip:b@c", "t", 1)), 1);
    EXPECT_EQ(run("has_totag", request("sip:b@c", "", 1)), -1);
}

TEST_F(modules_siputils, is_request_and_is_reply) {
    EXPECT_EQ(run("is_request", request("sip:b@c", "", 1)), 1);
    EXPECT_EQ(run("is_reply", request("sip:b@c", "", 1)), -1);
    EXPECT_EQ(run("is_request", reply_text), -1);
    EXPECT_EQ(run("is_reply", reply_text), 1);
}

TEST_F(modules_siputils, is_first_hop) {
    EXPECT_EQ(run("is_first_hop", request("sip:b@c", "", 1)), 1);
    EXPECT_EQ(run("is_first_hop", request("sip:b@c", "", 2)), -1);
    EXPECT_EQ(run("is_first_hop", reply_text), 1);
}

TEST_F(modules_siputils, is_uri_host_local) {
    EXPECT_EQ(run("is_uri_host_local", request("sip:bob@192.0.2.10:5060", "", 1)), 1);
    EXPECT_EQ(run("is_uri_host_local", request("sip:bob@PROXY.example.com", "", 1)), 1);
    EXPECT_EQ(run("is_uri_host_local", request("sip:bob@203.0.113.9", "", 1)), -1);
    EXPECT_EQ(run("is_uri_host_local", request("tel:+15551234", "", 1)), -1);
}

TEST_F(modules_siputils, uri_param) {
    std::string text = request("sip:bob@h;transport=tcp;lr", "", 1);
    EXPECT_EQ(run("uri_param", text, {arg("transport")}), 1);
    EXPECT_EQ(run("uri_param", text, {arg("lr")}), 1);
    EXPECT_EQ(run("uri_param", text, {arg("maddr")}), -1);
    EXPECT_EQ(run("uri_param", text, {arg("transport"), arg("tcp")}), 1);
    EXPECT_EQ(run("uri_param", text, {arg("transport"), arg("udp")}), -1);
    EXPECT_THROW(call_site(siputils, "uri_param", {arg("")}), std::runtime_error);
}

} // namespace
} // namespace siphost::tests
