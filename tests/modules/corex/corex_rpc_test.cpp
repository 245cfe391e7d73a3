// corex.debug, called in process through the real host's RPC registry: the global log level read and set.
#include "inprocess_host.hpp"

#include "core/rpc.hpp"

#include <gtest/gtest.h>

using siphost::core::rpc_param;

namespace {

std::string call(std::string_view name, const std::vector<rpc_param>& params = {}) {
    auto result = siphost::core::rpc_registry::instance().call(name, params);
    return result ? siphost::core::to_text(*result) : "no call";
}

TEST(modules_corex_rpc, debug_reads_and_sets_the_global_log_level) {
    siphost::tests::inprocess_host proxy("debug=2\nchildren=1\nloadmodule \"corex\"\n"
                                         "request_route { drop; }\n");
    EXPECT_EQ(call("corex.debug"), R"([{"debug": 2}])");
    EXPECT_EQ(call("corex.debug", {int64_t{3}}), R"([{"old": 2, "new": 3}])");
    EXPECT_EQ(call("corex.debug"), R"([{"debug": 3}])");
    EXPECT_EQ(call("corex.debug", {std::string("-1")}), R"([{"old": 3, "new": -1}])");
    EXPECT_EQ(call("corex.debug", {int64_t{9}}), "fault 400: debug must be from -5 (alert) to 3 (debug)");
    EXPECT_EQ(call("corex.debug", {std::string("loud")}), "fault 400: the log level must be an integer");
    EXPECT_EQ(call("corex.debug"), R"([{"debug": -1}])");
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
