// rr.so through the fake host: the Record-Route it adds, loose_route() per RFC 3261 16.4/16.12 with its
// return codes, and $route_uri.
#include "fake_host.hpp"

#include <siphost/module.hpp>

#include <gtest/gtest.h>

namespace siphost::tests {
namespace {

/// A request to bob with the given Request-URI, extra header lines and To-tag (empty: initial request).
std::string request(std::string_view method, std::string_view ruri, std::string_view extra_headers,
                    std::string_view to_tag = "bob-tag") {
    std::string text = std::string(method) + " " + std::string(ruri) + " SIP/2.0\n";
    text += "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-1\n";
    text += std::string(extra_headers);
    text += "From: <sip:alice@example.com>;tag=alice-tag\n";
    text +=
        "To: <sip:bob@example.com>" + (to_tag.empty() ? std::string() : ";tag=" + std::string(to_tag)) + "\n";
    text += "Call-ID: rr-1\nCSeq: 2 " + std::string(method) + "\nContent-Length: 0\n\n";
    return text;
}

class modules_rr : public ::testing::Test {
protected:
    void SetUp() override {
        host.add_myself("192.0.2.10", 5060);
        std::string error;
        ASSERT_EQ(rr.init(host, &error), 0) << error;
    }

    /// Runs loose_route() on text; returns the code and leaves the message in msg.
    int loose_route(const std::string& text) {
        msg = host.parse(text);
        call_site site(rr, "loose_route", {});
        return site.run(msg.get());
    }

    fake_host host;
    loaded_module rr{"rr"};
    std::unique_ptr<siphost_msg> msg;
};

TEST_F(modules_rr, record_route_names_the_arrival_socket_on_top) {
    auto invite = host.parse(request("INVITE", "sip:bob@198.51.100.20", "", ""));
    call_site site(rr, "record_route", {});
    EXPECT_EQ(site.run(invite.get()), 1);
    ASSERT_EQ(invite->added.size(), 1u);
    EXPECT_EQ(invite->added[0].text, "Record-Route: <sip:192.0.2.10:5060;lr;ftag=alice-tag>\r\n");
    EXPECT_EQ(invite->added[0].position, SIPHOST_HDR_TOP);
}

TEST_F(modules_rr, record_route_appends_params) {
    auto invite = host.parse(request("INVITE", "sip:bob@198.51.100.20", "", ""));
    call_site with_semicolon(rr, "record_route", {arg(";nat=yes")});
    call_site without(rr, "record_route", {arg("x=1")});
    EXPECT_EQ(with_semicolon.run(invite.get()), 1);
    EXPECT_EQ(without.run(invite.get()), 1);
    EXPECT_EQ(invite->added.at(0).text, "Record-Route: <sip:192.0.2.10:5060;lr;ftag=alice-tag;nat=yes>\r\n");
    EXPECT_EQ(invite->added.at(1).text, "Record-Route: <sip:192.0.2.10:5060;lr;ftag=alice-tag;x=1>\r\n");
}

TEST_F(modules_rr, record_route_brackets_ipv6_and_names_tcp) {
    host.socket().host = "2001:db8::10";
    host.socket().proto = SIPHOST_PROTO_TCP;
    auto invite = host.parse(request("INVITE", "sip:bob@198.51.100.20", "", ""));
    call_site site(rr, "record_route", {});
    EXPECT_EQ(site.run(invite.get()), 1);
    EXPECT_EQ(invite->added.at(0).text,
              "Record-Route: <sip:[2001:db8::10]:5060;transport=tcp;lr;ftag=alice-tag>\r\n");
}

TEST_F(modules_rr, append_fromtag_and_full_lr_params) {
    auto* fromtag = static_cast<int32_t*>(rr.find_param("append_fromtag")->target);
    auto* full_lr = static_cast<int32_t*>(rr.find_param("enable_full_lr")->target);
    *fromtag = 0;
    *full_lr = 1;
    auto invite = host.parse(request("INVITE", "sip:bob@198.51.100.20", "", ""));
    call_site site(rr, "record_route", {});
    int rc = site.run(invite.get());
    *fromtag = 1;
    *full_lr = 0;
    EXPECT_EQ(rc, 1);
    EXPECT_EQ(invite->added.at(0).text, "Record-Route: <sip:192.0.2.10:5060;lr=on>\r\n");
}

TEST_F(modules_rr, record_route_without_socket_is_false) {
    auto invite = host.parse(request("INVITE", "sip:bob@198.51.100.20", "", ""));
    invite->socket = nullptr;
    call_site site(rr, "record_route", {});
    EXPECT_EQ(site.run(invite.get()), -1);
    EXPECT_TRUE(invite->added.empty());
}

TEST_F(modules_rr, no_route_is_minus_one) {
    EXPECT_EQ(loose_route(request("BYE", "sip:bob@198.51.100.20", "")), -1);
    EXPECT_TRUE(msg->dst_uri.empty());
}

TEST_F(modules_rr, own_route_is_removed_and_the_request_uri_is_the_next_hop) {
    EXPECT_EQ(loose_route(request("BYE", "sip:bob@198.51.100.20:5062",
                                  "Route: <sip:192.0.2.10:5060;lr;ftag=alice-tag>\n")),
              1);
    EXPECT_TRUE(msg->dst_uri.empty());
    EXPECT_EQ(host.render(*msg).find("Route:"), std::string::npos);
    EXPECT_EQ(msg->ruri, "sip:bob@198.51.100.20:5062");
}

TEST_F(modules_rr, next_loose_route_becomes_the_destination) {
    EXPECT_EQ(loose_route(request("BYE", "sip:bob@198.51.100.20",
                                  "Route: <sip:192.0.2.10;lr>, <sip:203.0.113.5;lr>\n")),
              1);
    EXPECT_EQ(msg->dst_uri, "sip:203.0.113.5;lr");
    std::string out = host.render(*msg);
    EXPECT_NE(out.find("\r\nRoute: <sip:203.0.113.5;lr>\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("192.0.2.10"), std::string::npos) << out;
}

TEST_F(modules_rr, own_route_on_its_own_line_goes_with_the_line) {
    EXPECT_EQ(loose_route(
                  request("BYE", "sip:bob@198.51.100.20",
                          "Route: <sip:192.0.2.10;lr>\nRoute: <sip:203.0.113.5;lr>, <sip:203.0.113.6;lr>\n")),
              1);
    EXPECT_EQ(msg->dst_uri, "sip:203.0.113.5;lr");
    std::string out = host.render(*msg);
    EXPECT_NE(out.find("\r\nRoute: <sip:203.0.113.5;lr>, <sip:203.0.113.6;lr>\r\n"), std::string::npos)
        << out;
    EXPECT_EQ(out.find("192.0.2.10"), std::string::npos) << out;
}

TEST_F(modules_rr, double_record_route_removes_both_own_values) {
    EXPECT_EQ(loose_route(request(
                  "BYE", "sip:bob@198.51.100.20",
                  "Route: <sip:192.0.2.10;lr>, <sip:192.0.2.10:5060;lr;r2=on>, <sip:203.0.113.5;lr>\n")),
              1);
    EXPECT_EQ(msg->dst_uri, "sip:203.0.113.5;lr");
    std::string out = host.render(*msg);
    EXPECT_NE(out.find("\r\nRoute: <sip:203.0.113.5;lr>\r\n"), std::string::npos) << out;
}

TEST_F(modules_rr, route_of_another_port_is_not_ours) {
    EXPECT_EQ(loose_route(request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10:5070;lr>\n")), 1);
    EXPECT_EQ(msg->dst_uri, "sip:192.0.2.10:5070;lr");
    EXPECT_NE(host.render(*msg).find("Route: <sip:192.0.2.10:5070;lr>"), std::string::npos);
}

TEST_F(modules_rr, strict_router_upstream_put_our_uri_in_the_request_uri) {
    EXPECT_EQ(loose_route(request("BYE", "sip:192.0.2.10;lr",
                                  "Route: <sip:203.0.113.5;lr>, <sip:bob@198.51.100.20:5062>\n")),
              1);
    EXPECT_EQ(msg->ruri, "sip:bob@198.51.100.20:5062");
    EXPECT_EQ(msg->dst_uri, "sip:203.0.113.5;lr");
    std::string out = host.render(*msg);
    EXPECT_NE(out.find("\r\nRoute: <sip:203.0.113.5;lr>\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("bob@198.51.100.20:5062>"), std::string::npos) << out;
}

TEST_F(modules_rr, strict_next_hop_gets_the_request_uri_and_the_old_one_goes_last) {
    EXPECT_EQ(loose_route(
                  request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr>, <sip:203.0.113.5>\n")),
              1);
    EXPECT_EQ(msg->ruri, "sip:203.0.113.5");
    EXPECT_TRUE(msg->dst_uri.empty());
    std::string out = host.render(*msg);
    EXPECT_NE(out.find("Route: <sip:bob@198.51.100.20>\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("Route: <sip:192.0.2.10;lr>"), std::string::npos) << out;
    EXPECT_EQ(out.find("<sip:203.0.113.5>"), std::string::npos) << out;
}

TEST_F(modules_rr, preloaded_route_to_ourselves_only_is_minus_three) {
    EXPECT_EQ(loose_route(request("INVITE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr>\n", "")),
              -3);
    EXPECT_TRUE(msg->dst_uri.empty());
}

TEST_F(modules_rr, preloaded_foreign_route_is_followed) {
    EXPECT_EQ(loose_route(request("INVITE", "sip:bob@198.51.100.20", "Route: <sip:203.0.113.5;lr>\n", "")),
              1);
    EXPECT_EQ(msg->dst_uri, "sip:203.0.113.5;lr");
}

TEST_F(modules_rr, malformed_route_is_false) {
    EXPECT_EQ(loose_route(request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr\n")), -1);
    EXPECT_EQ(loose_route(request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr>,,\n")), -1);
}

TEST_F(modules_rr, check_route_param_reads_the_own_route) {
    call_site nat(rr, "check_route_param", {arg("nat=yes")});
    auto with = host.parse(
        request("BYE", "sip:bob@198.51.100.20",
                "Route: <sip:203.0.113.5;lr;nat=yes>, <sip:192.0.2.10;lr;ftag=alice-tag;nat=yes>\n"));
    auto without =
        host.parse(request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr;ftag=alice-tag>\n"));
    auto strict = host.parse(request("BYE", "sip:192.0.2.10;lr;nat=yes", "Route: <sip:bob@198.51.100.20>\n"));
    auto none = host.parse(request("BYE", "sip:bob@198.51.100.20", ""));
    EXPECT_EQ(nat.run(with.get()), 1);
    EXPECT_EQ(nat.run(without.get()), -1);
    EXPECT_EQ(nat.run(strict.get()), 1);
    EXPECT_EQ(nat.run(none.get()), -1);
    EXPECT_THROW(call_site(rr, "check_route_param", {arg("nat=(")}), std::runtime_error);
}

TEST_F(modules_rr, is_direction_compares_ftag_with_the_from_tag) {
    call_site downstream(rr, "is_direction", {arg("downstream")});
    call_site upstream(rr, "is_direction", {arg("upstream")});
    auto from_caller =
        host.parse(request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr;ftag=alice-tag>\n"));
    auto from_callee =
        host.parse(request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr;ftag=bob-tag>\n"));
    auto no_ftag = host.parse(request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr>\n"));
    EXPECT_EQ(downstream.run(from_caller.get()), 1);
    EXPECT_EQ(upstream.run(from_caller.get()), -1);
    EXPECT_EQ(downstream.run(from_callee.get()), -1);
    EXPECT_EQ(upstream.run(from_callee.get()), 1);
    EXPECT_EQ(downstream.run(no_ftag.get()), 1);
    EXPECT_THROW(call_site(rr, "is_direction", {arg("sideways")}), std::runtime_error);
}

TEST_F(modules_rr, route_uri_pseudo_variable) {
    const siphost_module& d = rr.descriptor();
    ASSERT_NE(d.pvs, nullptr);
    ASSERT_STREQ(d.pvs[0].name, "route_uri");
    auto with_route =
        host.parse(request("BYE", "sip:bob@198.51.100.20", "Route: <sip:192.0.2.10;lr;ftag=x>, <sip:b>\n"));
    siphost_value out{};
    ASSERT_EQ(d.pvs[0].get(with_route.get(), nullptr, SIPHOST_PV_NO_INDEX, &out), 0);
    ASSERT_EQ(out.kind, static_cast<uint32_t>(SIPHOST_VALUE_STR));
    EXPECT_EQ(sdk::view(out.str), "sip:192.0.2.10;lr;ftag=x");
    auto without = host.parse(request("BYE", "sip:bob@198.51.100.20", ""));
    ASSERT_EQ(d.pvs[0].get(without.get(), nullptr, SIPHOST_PV_NO_INDEX, &out), 0);
    EXPECT_EQ(out.kind, static_cast<uint32_t>(SIPHOST_VALUE_NULL));
}

} // namespace
} // namespace siphost::tests
