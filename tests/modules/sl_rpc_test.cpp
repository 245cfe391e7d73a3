// sl.stats, Kamailio's shape, read in process from the real host while it serves the replies it counts.
#include "inprocess_host.hpp"

#include "core/rpc.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace kit = siphost::testkit;

namespace {

TEST(modules_sl_rpc, stats_has_kamailios_shape) {
    siphost::tests::inprocess_host proxy(R"(
debug=2
children=1
loadmodule "sl"
request_route { sl_send_reply($rU, "x"); }
)");
    kit::peer uac;
    for (int code : {100, 180, 200, 200, 404, 486, 500, 503, 603}) {
        uac.send(kit::request("INVITE", "sip:" + std::to_string(code) + "@127.0.0.1", uac), proxy.port());
        auto reply = uac.receive();
        ASSERT_TRUE(reply) << code;
        EXPECT_EQ(reply->status(), code);
    }
    // sl counts a reply once it is sent: the last count may land just after the UAC has the reply.
    const std::string expected =
        "[{\"200\": 2, \"202\": 0, \"2xx\": 0, \"300\": 0, \"301\": 0, \"302\": 0, \"3xx\": 0, "
        "\"400\": 0, \"401\": 0, \"403\": 0, \"404\": 1, \"407\": 0, \"408\": 0, \"483\": 0, "
        "\"4xx\": 1, \"500\": 1, \"5xx\": 1, \"6xx\": 1, \"xxx\": 2}]";
    std::string text;
    for (int i = 0; i < 200 && text != expected; ++i) {
        if (i > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto stats = siphost::core::rpc_registry::instance().call("sl.stats", {});
        ASSERT_TRUE(stats);
        text = siphost::core::to_text(*stats);
    }
    EXPECT_EQ(text, expected);
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
