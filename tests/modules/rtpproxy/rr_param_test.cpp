// rr's add_rr_param() over the wire: the parameter lands in the Record-Route URI record_route() writes, and
// comes back in the in-dialog request's Route, where check_route_param() finds it (the stock config's
// ;nat=yes round trip), whether called before or after record_route(), also in tm's branch route.
// The host listens on 127.0.0.1:5060 in a network namespace of its own, so <sip:127.0.0.1;lr> is its own.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t uas_port = 5099;

kit::host_options on_5060() {
    kit::host_options options;
    options.port = 5060;
    return options;
}

class modules_rr_add_rr_param : public ::testing::Test {
protected:
    std::string request(std::string_view method, std::string_view ruri, std::string_view test_case,
                        std::string extra = "") {
        kit::request_options options;
        options.extra_headers = "X-Case: " + std::string(test_case) + "\r\n" + extra;
        return kit::request(method, std::string(ruri), uac, options);
    }

    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{R"(
debug=3
children=1
loadmodule "sl"
loadmodule "pv"
loadmodule "xlog"
loadmodule "rr"
request_route {
    if ($hdr(X-Case) == "in-dialog") {
        loose_route();
        check_route_param("nat=yes"); $var(nat) = $rc;
        sl_send_reply("200", "nat $var(nat) end");
        exit;
    }
    if ($hdr(X-Case) == "before") {
        add_rr_param(";nat=yes"); $var(a) = $rc;
        record_route();
    } else {
        record_route();
        add_rr_param(";nat=yes"); $var(a) = $rc;
    }
    xlog("L_INFO", "case $hdr(X-Case) add_rr_param rc=$var(a)\n");
    forward("127.0.0.1", 5099);
}
)",
                    on_5060()};
};

TEST_F(modules_rr_add_rr_param, the_parameter_comes_back_in_the_route_of_the_dialog) {
    uac.send(request("INVITE", "sip:bob@127.0.0.1:5099", "before"), proxy.port());
    auto invite = uas.receive();
    ASSERT_TRUE(invite) << proxy.log();
    auto rr = invite->header("Record-Route");
    ASSERT_TRUE(rr) << invite->text();
    EXPECT_TRUE(rr->starts_with("<sip:127.0.0.1:5060;lr;ftag=")) << *rr;
    EXPECT_TRUE(rr->ends_with(";nat=yes>")) << *rr;
    EXPECT_TRUE(proxy.wait_for_log("case before add_rr_param rc=1")) << proxy.log();

    // The in-dialog request carries the Record-Route as its Route; check_route_param() (after
    // loose_route(), as the stock config does) finds the parameter.
    uac.send(request("BYE", "sip:bob@127.0.0.1:5099", "in-dialog", "Route: " + *rr + "\r\n"), proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->first_line(), "SIP/2.0 200 nat 1 end");
    // Without it, the check fails.
    uac.send(request("BYE", "sip:bob@127.0.0.1:5099", "in-dialog", "Route: <sip:127.0.0.1:5060;lr>\r\n"),
             proxy.port());
    reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->first_line(), "SIP/2.0 200 nat -1 end");
}

TEST_F(modules_rr_add_rr_param, after_record_route_it_goes_into_the_header) {
    uac.send(request("INVITE", "sip:bob@127.0.0.1:5099", "after"), proxy.port());
    auto invite = uas.receive();
    ASSERT_TRUE(invite) << proxy.log();
    auto rr = invite->header("Record-Route");
    ASSERT_TRUE(rr) << invite->text();
    EXPECT_TRUE(rr->starts_with("<sip:127.0.0.1:5060;lr;ftag=")) << *rr;
    EXPECT_TRUE(rr->ends_with(";nat=yes>")) << *rr;
    EXPECT_EQ(invite->headers("Record-Route").size(), 1u) << invite->text();
    EXPECT_TRUE(proxy.wait_for_log("case after add_rr_param rc=1")) << proxy.log();
}

// The stock config's way: record_route() in request_route, add_rr_param() in tm's branch route.
TEST(modules_rr_add_rr_param_tm, in_a_branch_route_after_record_route) {
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{R"(
debug=2
children=1
loadmodule "sl"
loadmodule "tm"
loadmodule "rr"
request_route {
    record_route();
    t_on_branch("NAT");
    t_relay("127.0.0.1", 5099);
}
branch_route[NAT] {
    add_rr_param(";nat=yes");
}
)",
                    on_5060()};
    kit::request_options options;
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1:5099", uac, options), proxy.port());
    auto invite = uas.receive();
    ASSERT_TRUE(invite) << proxy.log();
    auto rr = invite->header("Record-Route");
    ASSERT_TRUE(rr) << invite->text();
    EXPECT_TRUE(rr->ends_with(";nat=yes>")) << *rr;
    EXPECT_EQ(invite->headers("Record-Route").size(), 1u) << invite->text();
    uas.reply(*invite, 486, "Busy Here");
    EXPECT_TRUE(uac.receive()) << proxy.log(); // 100 or 486: the transaction goes on normally
}

} // namespace
