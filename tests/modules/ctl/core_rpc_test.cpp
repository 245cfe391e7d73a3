// The core's RPC commands in process, as kamcmd would call them: introspection, core.*, and the statistics
// over the metric registry with Kamailio's argument forms (all, group:, name) and faults.
#include "app/core_rpc.hpp"
#include "core/metrics.hpp"
#include "core/rpc.hpp"

#include <gtest/gtest.h>

using siphost::core::metric_kind;
using siphost::core::metric_registry;
using siphost::core::rpc_registry;
using siphost::core::to_text;

namespace {

class CoreRpc : public ::testing::Test {
protected:
    void SetUp() override {
        siphost::app::install_core_rpcs();
        std::string error;
        auto& metrics = metric_registry::instance();
        metrics.reset();
        auto* a = metrics.add("grp", "alpha", metric_kind::counter, "", {}, nullptr, nullptr, error);
        auto* b = metrics.add("grp", "beta", metric_kind::gauge, "", {}, nullptr, nullptr, error);
        auto* c = metrics.add("other", "alpha", metric_kind::counter, "", {}, nullptr, nullptr, error);
        ASSERT_TRUE(a && b && c) << error;
        a->root.value = 5;
        b->root.value = 7;
        c->root.value = 9;
    }
    void TearDown() override { metric_registry::instance().reset(); }
    static std::string call(std::string_view name, std::vector<siphost::core::rpc_param> params = {}) {
        return to_text(*rpc_registry::instance().call(name, params));
    }
};

TEST_F(CoreRpc, Statistics) {
    EXPECT_EQ(call("stats.get_statistics", {std::string("all")}),
              R"(["grp:alpha = 5", "grp:beta = 7", "other:alpha = 9"])");
    EXPECT_EQ(call("stats.get_statistics", {std::string("grp:")}), R"(["grp:alpha = 5", "grp:beta = 7"])");
    EXPECT_EQ(call("stats.get_statistics", {std::string("alpha")}),
              R"(["grp:alpha = 5", "other:alpha = 9"])");
    EXPECT_EQ(call("stats.get_statistics", {std::string("other:alpha"), std::string("beta")}),
              R"(["grp:beta = 7", "other:alpha = 9"])");
    EXPECT_EQ(call("stats.get_statistics", {std::string("nosuch")}), "[]");
    EXPECT_EQ(call("stats.get_statistics"), "fault 400: Please provide which stats to retrieve");
    EXPECT_EQ(call("stats.reset_statistics"), "fault 400: Please provide stats name");

    EXPECT_EQ(call("stats.reset_statistics", {std::string("grp:")}), "[]");
    EXPECT_EQ(call("stats.get_statistics", {std::string("all")}),
              R"(["grp:alpha = 0", "grp:beta = 7", "other:alpha = 9"])")
        << "counters reset, gauges say what is";
    EXPECT_EQ(call("stats.clear_statistics", {std::string("other:")}), R"(["other:alpha = 9"])");
    EXPECT_EQ(call("stats.get_statistics", {std::string("other:")}), R"(["other:alpha = 0"])");
}

TEST_F(CoreRpc, Introspection) {
    std::string methods = call("system.listMethods");
    for (const char* name : {"\"core.uptime\"", "\"stats.get_statistics\"", "\"system.methodHelp\""})
        EXPECT_NE(methods.find(name), std::string::npos) << methods;
    EXPECT_EQ(call("system.methodHelp", {std::string("core.uptime")}),
              R"(["Returns uptime of SIP server."])");
    EXPECT_EQ(call("system.methodHelp"), "fault 400: Method Name Expected");
    EXPECT_EQ(call("system.methodHelp", {std::string("no.such")}), "fault 400: command not found");
    EXPECT_EQ(call("system.methodSignature", {std::string("system.methodHelp")}), R"(["s"])");
}

TEST_F(CoreRpc, CoreCommandsHaveKamailiosShapes) {
    EXPECT_TRUE(call("core.uptime").starts_with(R"([{"now": ")")) << call("core.uptime");
    EXPECT_NE(call("core.uptime").find(R"("uptime": )"), std::string::npos);
    EXPECT_TRUE(call("core.version").starts_with(R"(["siphost )")) << call("core.version");
    std::string ps = call("core.ps");
    EXPECT_TRUE(ps.find(R"("main process - attendant")") != std::string::npos) << ps;
    std::string psx = call("core.psx");
    EXPECT_TRUE(psx.starts_with(R"([{"IDX": 0, "PID": )")) << psx;
    std::string shm = call("core.shmmem");
    for (const char* key : {"total", "free", "used", "real_used", "max_used", "fragments"})
        EXPECT_NE(shm.find("\"" + std::string(key) + "\": "), std::string::npos) << key << " in " << shm;
    EXPECT_EQ(call("core.tcp_info"), R"([{"readers": 0, "max_connections": 0, "max_tls_connections": 0, )"
                                     R"("opened_connections": 0, "opened_tls_connections": 0, )"
                                     R"("write_queued_bytes": 0}])");
    siphost::app::set_core_rpc_sources({[] { return size_t{3}; }, 2048, 4});
    EXPECT_NE(call("core.tcp_info").find(R"("readers": 4, "max_connections": 2048)"), std::string::npos);
    EXPECT_NE(call("core.tcp_info").find(R"("opened_connections": 3)"), std::string::npos);
    siphost::app::set_core_rpc_sources({});
}

} // namespace
