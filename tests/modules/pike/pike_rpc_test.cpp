// pike.top and pike.list, Kamailio's shape, read in process from the real host while it counts requests.
#include "inprocess_host.hpp"

#include "core/rpc.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

namespace kit = siphost::testkit;

namespace {

std::string top(std::vector<siphost::core::rpc_param> params, const char* name = "pike.top") {
    auto reply = siphost::core::rpc_registry::instance().call(name, params);
    return reply ? siphost::core::to_text(*reply) : "no reply";
}

TEST(modules_pike_rpc, top_lists_hot_and_warm_addresses) {
    siphost::tests::inprocess_host proxy(R"cfg(
debug=2
children=1
loadmodule "sl"
loadmodule "pike"
modparam("pike", "sampling_time_unit", 60)
modparam("pike", "reqs_density_per_unit", 3)
modparam("pike", "remove_latency", 60)
request_route {
    if ($rU == "ip") pike_check_ip("$hdr(X-IP)"); else pike_check_req();
    sl_send_reply("200", "OK");
}
)cfg");
    kit::peer uac;
    auto send = [&](std::string user, std::string extra) {
        kit::request_options options;
        options.extra_headers = extra;
        uac.send(kit::request("OPTIONS", "sip:" + user + "@127.0.0.1", uac, options), proxy.port());
        ASSERT_TRUE(uac.receive());
    };
    for (int i = 0; i < 5; ++i)
        send("x", "");
    send("ip", "X-IP: 2001:db8::1\r\n");

    const std::string hot = R"({"ip_addr": "127.0.0.1", "leaf_hits_prev": 0, "leaf_hits_curr": 5, )"
                            R"("expires": 60, "status": "HOT"})";
    const std::string warm = R"({"ip_addr": "2001:db8::1", "leaf_hits_prev": 0, "leaf_hits_curr": 1, )"
                             R"("expires": 60, "status": "WARM"})";
    EXPECT_EQ(top({}), "[{\"max_hits\": 3, \"list\": [" + hot + "], \"number_of_rows\": 1}]");
    EXPECT_EQ(top({std::string("HOT")}), top({}));
    EXPECT_EQ(top({std::string("warm")}),
              "[{\"max_hits\": 3, \"list\": [" + warm + "], \"number_of_rows\": 1}]");
    EXPECT_EQ(top({std::string("ALL")}),
              "[{\"max_hits\": 3, \"list\": [" + hot + ", " + warm + "], \"number_of_rows\": 2}]");
    EXPECT_EQ(top({std::string("ALL")}, "pike.list"), top({std::string("ALL")}));
    EXPECT_EQ(top({std::string("COLD")}), "fault 500: Bad argument. Select: ALL, HOT or WARM");
    EXPECT_EQ(top({int64_t{1}}), "fault 500: Bad argument. Select: ALL, HOT or WARM");
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
