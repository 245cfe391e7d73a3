// pike.so in the real host, over the wire: an address that floods is reported once (-2), blocked after (-1),
// let through again once a sampling unit is quiet, forgotten and logged as unblocked after remove_latency;
// event_route[pike:blocked]; pike_check_ip with IPv4, IPv6 and bad text; the blocked_ips metric; and
// siphost -c's diagnostics. Times are kept small through the parameters.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

std::string config(std::string_view params, std::string_view routes) {
    return "debug=2\nchildren=2\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"pike\"\n" +
           std::string(params) + std::string(routes);
}

const std::string small_times = R"(modparam("pike", "sampling_time_unit", 1)
modparam("pike", "reqs_density_per_unit", 3)
modparam("pike", "remove_latency", 2)
)";

/// The reply's reason carries pike's result: "rc 1", "rc -1", "rc -2".
const std::string answer_with_rc = R"cfg(request_route {
    if ($rU == "ip") pike_check_ip("$hdr(X-IP)"); else pike_check_req();
    sl_send_reply("200", "rc $rc");
}
event_route[pike:blocked] {
    xlog("L_INFO", "pike:blocked ran for $si, $rm $ci\n");
}
)cfg";

/// pike's result for one request from uac ("" when no reply came).
std::string check(kit::peer& uac, const kit::host& proxy, std::string_view user = "x", std::string ip = "") {
    kit::request_options options;
    if (!ip.empty())
        options.extra_headers = "X-IP: " + ip + "\r\n";
    uac.send(kit::request("OPTIONS", "sip:" + std::string(user) + "@127.0.0.1", uac, options), proxy.port());
    auto reply = uac.receive();
    if (!reply)
        return "";
    std::string line = reply->first_line();
    size_t at = line.find("rc ");
    return at == std::string::npos ? line : line.substr(at + 3);
}

TEST(modules_pike, flooding_address_is_reported_once_then_blocked) {
    kit::host proxy(config(small_times, answer_with_rc));
    kit::peer uac;
    std::vector<std::string> results;
    for (int i = 0; i < 10; ++i)
        results.push_back(check(uac, proxy));
    // A burst of 10 in well under a second meets at most one unit boundary: the first three always pass,
    // one is the first report, and the flood is blocked at least once after it.
    std::string seen;
    for (auto& r : results)
        seen += r + " ";
    EXPECT_EQ(results[0], "1") << seen;
    EXPECT_EQ(results[1], "1") << seen;
    EXPECT_EQ(results[2], "1") << seen;
    EXPECT_EQ(std::count(results.begin(), results.end(), "-2"), 1) << seen;
    auto first_report = std::find(results.begin(), results.end(), "-2");
    EXPECT_NE(std::find(first_report, results.end(), "-1"), results.end()) << seen;
    EXPECT_EQ(std::count(results.begin(), results.end(), ""), 0) << seen << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("PIKE - BLOCKing ip 127.0.0.1")) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("pike:blocked ran for 127.0.0.1, OPTIONS")) << proxy.log();

    // Quiet for remove_latency (2 s, aged each second): forgotten, logged, and counted afresh.
    EXPECT_TRUE(proxy.wait_for_log("PIKE - UNBLOCKing ip 127.0.0.1", 6000ms)) << proxy.log();
    EXPECT_EQ(check(uac, proxy), "1");
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("pike.blocked_ips"), 0);
}

TEST(modules_pike, quiet_unit_lets_a_reported_address_through) {
    kit::host proxy(config(R"(modparam("pike", "sampling_time_unit", 1)
modparam("pike", "reqs_density_per_unit", 3)
modparam("pike", "remove_latency", 30)
)",
                           answer_with_rc));
    kit::peer uac;
    std::string seen;
    for (int i = 0; i < 5; ++i)
        seen += check(uac, proxy) + " ";
    EXPECT_NE(seen.find("-2"), std::string::npos) << seen;
    // Two sampling units later both the current and the previous unit are empty: allowed, still kept.
    std::this_thread::sleep_for(2500ms);
    EXPECT_EQ(check(uac, proxy), "1");
    EXPECT_EQ(proxy.log().find("UNBLOCKing"), std::string::npos) << "kept for remove_latency";
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("pike.blocked_ips"), 1) << "reported, not forgotten yet";
}

TEST(modules_pike, check_ip_counts_the_given_address) {
    kit::host proxy(config(R"(modparam("pike", "reqs_density_per_unit", 2)
modparam("pike", "sampling_time_unit", 60)
)",
                           answer_with_rc));
    kit::peer uac;
    std::vector<std::string> v6, v4;
    for (int i = 0; i < 4; ++i)
        v6.push_back(check(uac, proxy, "ip", "2001:db8::7"));
    EXPECT_EQ(v6, (std::vector<std::string>{"1", "1", "-2", "-1"}));
    EXPECT_EQ(check(uac, proxy, "ip", "[2001:db8::8]"), "1") << "another address";
    for (int i = 0; i < 3; ++i)
        v4.push_back(check(uac, proxy, "ip", "192.0.2.9"));
    EXPECT_EQ(v4, (std::vector<std::string>{"1", "1", "-2"}));
    EXPECT_EQ(check(uac, proxy), "1") << "the sender itself is counted apart";
    EXPECT_EQ(check(uac, proxy, "ip", "garbage"), "-1");
    EXPECT_TRUE(proxy.wait_for_log("failed to parse ip address: garbage")) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("PIKE - BLOCKing ip 2001:db8::7"));
    EXPECT_TRUE(proxy.wait_for_log("PIKE - BLOCKing ip 192.0.2.9"));
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("pike.blocked_ips"), 2);
}

TEST(modules_pike, log_level_parameter_sets_the_report_level) {
    // At L_DBG the report is below debug=2: not written.
    kit::host proxy(config(R"(modparam("pike", "reqs_density_per_unit", 1)
modparam("pike", "sampling_time_unit", 60)
modparam("pike", "pike_log_level", 3)
)",
                           answer_with_rc));
    kit::peer uac;
    EXPECT_EQ(check(uac, proxy), "1");
    EXPECT_EQ(check(uac, proxy), "-2");
    EXPECT_TRUE(proxy.wait_for_log("pike:blocked ran for 127.0.0.1")) << proxy.log();
    EXPECT_EQ(proxy.log().find("BLOCKing"), std::string::npos) << proxy.log();
}

TEST(modules_pike, config_check_reports_bad_parameters) {
    struct bad_config {
        std::string params;
        std::string expected;
    };
    const bad_config cases[] = {
        {R"(modparam("pike", "sampling_time_unit", 0))", "sampling_time_unit must be from 1 to 86400"},
        {R"(modparam("pike", "reqs_density_per_unit", 0))", "reqs_density_per_unit must be at least 1"},
        {R"(modparam("pike", "remove_latency", -3))", "remove_latency must be from 1 to 86400"},
        {R"(modparam("pike", "pike_log_level", 9))", "pike_log_level must be a log level"},
        {R"(modparam("pike", "sampling_time_unit", "fast"))", "sampling_time_unit"},
    };
    for (const bad_config& c : cases) {
        auto result = kit::host::check(config(c.params + "\n", "request_route { pike_check_req(); }\n"));
        EXPECT_EQ(result.exit_status, 1) << c.params << ": " << result.output;
        EXPECT_NE(result.output.find(c.expected), std::string::npos) << c.expected << " in:\n"
                                                                     << result.output;
    }
    auto extra_argument = kit::host::check(config("", "request_route { pike_check_req(\"1.2.3.4\"); }\n"));
    EXPECT_EQ(extra_argument.exit_status, 1) << extra_argument.output;
    auto good =
        kit::host::check(config(R"(modparam("pike", "sampling_time_unit", 2)
modparam("pike", "reqs_density_per_unit", 16)
modparam("pike", "remove_latency", 4)
)",
                                "request_route { if (!pike_check_req()) exit; pike_check_ip(\"$si\"); }\n"
                                "event_route[pike:blocked] { xlog(\"L_ALERT\", \"flood $si\\n\"); }\n"));
    EXPECT_EQ(good.exit_status, 0) << good.output;
}

} // namespace
