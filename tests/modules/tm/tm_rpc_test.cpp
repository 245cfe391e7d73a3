// tm.stats and tm.list, read in process from the real host while a transaction it made is in its table.
#include "../inprocess_host.hpp"

#include "core/rpc.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace kit = siphost::testkit;

namespace {

TEST(modules_tm_rpc, stats_and_list) {
    siphost::tests::inprocess_host proxy(R"(
debug=2
children=1
loadmodule "tm"
request_route { t_newtran(); t_reply("486", "Busy Here"); }
)");
    kit::peer uac;
    kit::request_options options;
    options.call_id = "call-1@127.0.0.1";
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac, options), proxy.port());
    auto busy = uac.receive(); // no 100: t_newtran() does not send it, t_relay() would
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status(), 486);

    auto& rpc = siphost::core::rpc_registry::instance();
    // The INVITE's transaction stays (wt_timer is 5 s): it is current, and its reply was tm's own. tm
    // counts a reply once it is sent: the last count may land just after the UAC has the reply.
    const std::string expected =
        "[{\"current\": 1, \"waiting\": 0, \"total\": 1, \"total_local\": 0, \"rpl_received\": 0, "
        "\"rpl_generated\": 1, \"rpl_sent\": 1, \"6xx\": 0, \"5xx\": 0, \"4xx\": 1, \"3xx\": 0, "
        "\"2xx\": 0, \"created\": 1, \"freed\": 0}]";
    std::string stats;
    for (int i = 0; i < 200 && stats != expected; ++i) {
        if (i > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        stats = siphost::core::to_text(*rpc.call("tm.stats", {}));
    }
    EXPECT_EQ(stats, expected);
    std::string list = siphost::core::to_text(*rpc.call("tm.list", {}));
    EXPECT_NE(list.find("\"method\": \"INVITE\""), std::string::npos) << list;
    EXPECT_NE(list.find("\"callid\": \"call-1@127.0.0.1\""), std::string::npos) << list;
    EXPECT_NE(list.find("\"status\": 486"), std::string::npos) << list;
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
