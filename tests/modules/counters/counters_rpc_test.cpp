// The cnt.* RPC commands, called in process through the real host's RPC registry while it serves SIP: the
// script counters under their own groups beside the other modules' statistics, and the host's stats.*
// commands seeing the same counters.
#include "inprocess_host.hpp"

#include "core/rpc.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace kit = siphost::testkit;
using siphost::core::rpc_param;

namespace {

const char* const config = R"(
debug=2
children=1
loadmodule "sl"
loadmodule "counters"
modparam("counters", "script_counter", "requests")
modparam("counters", "script_counter", "test.bar:bars counted")
request_route {
    cnt_inc("requests");
    cnt_add("test.bar", 2);
    sl_send_reply("200", "OK");
}
)";

std::string call(std::string_view name, const std::vector<rpc_param>& params = {}) {
    auto result = siphost::core::rpc_registry::instance().call(name, params);
    return result ? siphost::core::to_text(*result) : "no call";
}

/// Sends n OPTIONS and waits until sl has counted the n replies (counted once sent).
void send(const siphost::tests::inprocess_host& proxy, int n) {
    kit::peer uac;
    for (int i = 0; i < n; ++i) {
        uac.send(kit::request("OPTIONS", "sip:b@127.0.0.1", uac), proxy.port());
        ASSERT_TRUE(uac.receive());
    }
    const std::string counted = "[" + std::to_string(n) + "]";
    for (int i = 0; i < 200 && call("cnt.get", {std::string("sl"), std::string("sent_replies")}) != counted;
         ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

TEST(modules_counters_rpc, get_and_group_values) {
    siphost::tests::inprocess_host proxy(config);
    send(proxy, 3);
    EXPECT_EQ(call("cnt.get", {std::string("script"), std::string("requests")}), "[3]");
    EXPECT_EQ(call("cnt.get", {std::string("test"), std::string("bar")}), "[6]");
    EXPECT_EQ(call("cnt.get", {std::string("sl"), std::string("200_replies")}), "[3]");
    EXPECT_EQ(call("cnt.grp_get_all", {std::string("test")}), R"([{"bar": 6}])");
    EXPECT_EQ(call("cnt.get_vars", {std::string("script")}), R"([{"requests": 3}])");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_counters_rpc, groups_and_names) {
    siphost::tests::inprocess_host proxy(config);
    std::string groups = call("cnt.grps_list");
    EXPECT_NE(groups.find("\"script\""), std::string::npos) << groups;
    EXPECT_NE(groups.find("\"test\""), std::string::npos) << groups;
    EXPECT_NE(groups.find("\"sl\""), std::string::npos) << groups;
    EXPECT_EQ(groups.find("\"counters\""), std::string::npos) << "shown under their own groups: " << groups;
    EXPECT_EQ(call("cnt.list_groups"), groups);
    EXPECT_EQ(call("cnt.var_list", {std::string("test")}), R"(["bar"])");
    EXPECT_NE(call("cnt.list_vars", {std::string("sl")}).find("\"sent_replies\""), std::string::npos);
    EXPECT_EQ(call("cnt.help", {std::string("test"), std::string("bar")}), R"(["bars counted"])");
    EXPECT_EQ(call("cnt.help", {std::string("script"), std::string("requests")}),
              R"(["custom script counter"])");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_counters_rpc, reset_a_script_counter_and_another_modules) {
    siphost::tests::inprocess_host proxy(config);
    send(proxy, 2);
    EXPECT_EQ(call("cnt.reset", {std::string("test"), std::string("bar")}), "[]");
    EXPECT_EQ(call("cnt.get", {std::string("test"), std::string("bar")}), "[0]");
    EXPECT_EQ(call("cnt.get", {std::string("script"), std::string("requests")}), "[2]");
    EXPECT_EQ(call("cnt.reset", {std::string("sl"), std::string("sent_replies")}), "[]");
    EXPECT_EQ(call("cnt.get", {std::string("sl"), std::string("sent_replies")}), "[0]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_counters_rpc, the_hosts_stats_commands_see_the_script_counters) {
    siphost::tests::inprocess_host proxy(config);
    send(proxy, 2);
    std::string listed = call("stats.get_statistics", {std::string("counters:")});
    EXPECT_EQ(listed, R"(["counters:script.requests = 2", "counters:test.bar = 4"])");
    // stats.reset_statistics resets them as it resets every counter.
    call("stats.reset_statistics", {std::string("counters:")});
    EXPECT_EQ(call("cnt.get", {std::string("script"), std::string("requests")}), "[0]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_counters_rpc, bad_arguments_are_faults_that_say_why) {
    siphost::tests::inprocess_host proxy(config);
    EXPECT_EQ(call("cnt.get", {std::string("script")}), "fault 400: group and counter name expected");
    EXPECT_EQ(call("cnt.get", {std::string("script"), std::string("nope")}),
              "fault 400: non-existent counter script.nope");
    EXPECT_EQ(call("cnt.reset", {std::string("nope"), std::string("x")}),
              "fault 400: non-existent counter nope.x");
    EXPECT_EQ(call("cnt.var_list"), "fault 400: group name expected");
    // Kamailio's answer to a group it does not have: an empty reply.
    EXPECT_EQ(call("cnt.grp_get_all", {std::string("nope")}), "[{}]");
    EXPECT_EQ(call("cnt.var_list", {std::string("nope")}), "[]");
    EXPECT_EQ(call("cnt.help", {std::string("sl"), std::string("sent_replies")}),
              "fault 400: no description of sl.sent_replies here: only script counters carry theirs");
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
