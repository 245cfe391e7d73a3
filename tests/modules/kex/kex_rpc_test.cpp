// kex's RPC commands, called in process through the real host's RPC registry while it serves SIP.
#include "inprocess_host.hpp"

#include "core/rpc.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace kit = siphost::testkit;
using siphost::core::rpc_param;

namespace {

const char* const config = R"(
debug=2
children=1
loadmodule "sl"
loadmodule "kex"
request_route { sl_send_reply("200", "OK"); }
)";

std::string call(std::string_view name, const std::vector<rpc_param>& params = {}) {
    auto result = siphost::core::rpc_registry::instance().call(name, params);
    return result ? siphost::core::to_text(*result) : "no call";
}

TEST(modules_kex_rpc, echo_prints_and_printi_give_their_parameters_back) {
    siphost::tests::inprocess_host proxy(config);
    EXPECT_EQ(call("core.echo", {std::string("a"), int64_t{5}}), R"(["a", 5])");
    EXPECT_EQ(call("core.prints", {std::string("x"), int64_t{7}}), R"(["x", "7"])");
    EXPECT_EQ(call("core.printi", {int64_t{1}, std::string("-2")}), "[1, -2]");
    EXPECT_EQ(call("core.printi", {int64_t{1}, std::string("z")}),
              "fault 400: parameter 2 is not an integer: 'z'");
    EXPECT_EQ(call("core.echo"), "[]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_kex_rpc, pwd_and_arg_describe_the_process) {
    siphost::tests::inprocess_host proxy(config);
    EXPECT_EQ(call("core.pwd"), "[\"" + std::filesystem::current_path().string() + "\"]");
    // In process, the command line is the test program's.
    EXPECT_NE(call("core.arg").find("modules_kex_rpc_test"), std::string::npos) << call("core.arg");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_kex_rpc, fetch_shows_the_hosts_statistics_by_group_dot_name) {
    siphost::tests::inprocess_host proxy(config);
    kit::peer uac;
    for (int i = 0; i < 3; ++i) {
        uac.send(kit::request("OPTIONS", "sip:b@127.0.0.1", uac), proxy.port());
        ASSERT_TRUE(uac.receive());
    }
    // sl counts a reply once it is sent: the last count may land just after the UAC has the reply.
    std::string text;
    for (int i = 0; i < 200 && text.find("\"sl.200_replies\": 3") == std::string::npos; ++i) {
        if (i > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        text = call("stats.fetchn", {std::string("sl:")});
    }
    EXPECT_NE(text.find("\"sl.200_replies\": 3"), std::string::npos) << text;
    EXPECT_NE(text.find("\"sl.sent_replies\": 3"), std::string::npos) << text;
    EXPECT_EQ(call("stats.fetch", {std::string("sl.200_replies")}), R"([{"sl.200_replies": "3"}])");
    EXPECT_EQ(call("stats.fetch", {std::string("sl:sent_replies"), std::string("200_replies")}),
              R"([{"sl.200_replies": "3", "sl.sent_replies": "3"}])");
    EXPECT_EQ(call("stats.fetchn", {std::string("no_such_statistic")}), "[{}]");
    EXPECT_NE(call("stats.fetchn", {std::string("all")}).find("\"sl.sent_replies\": 3"), std::string::npos);
    EXPECT_EQ(call("stats.fetch"), "fault 400: Please provide which stats to retrieve");
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
