// counters.so in the real host: script counters declared by modparam, changed by cnt_inc, cnt_add and
// cnt_reset, read from the host's metrics (the "counters:" line siphost logs when it stops), and the config
// errors of bad declarations and calls.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <string>

namespace kit = siphost::testkit;

namespace {

const char* const declarations = R"(modparam("counters", "script_counter", "requests")
modparam("counters", "script_counter", "out.forwarded  forwarded requests")
modparam("counters", "script_counter", "test.x:another example")
)";

std::string config(std::string_view body, std::string_view params = declarations) {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"counters\"\n" +
           std::string(params) + "request_route {\n" + std::string(body) +
           "\n    sl_send_reply(\"200\", \"OK\");\n}\n";
}

std::string config_error(std::string_view body, std::string_view params = declarations) {
    auto result = kit::host::check(config("    " + std::string(body) + ";", params));
    return result.exit_status == 0 ? "" : result.output;
}

bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

/// Sends n OPTIONS through a host on body and stops it; the host's metrics are then in its last log line.
void run(kit::host& proxy, int n) {
    kit::peer uac;
    for (int i = 0; i < n; ++i) {
        kit::request_options options;
        options.extra_headers = "X-N: " + std::to_string(i) + "\r\n";
        uac.send(kit::request("OPTIONS", "sip:b@127.0.0.1", uac, options), proxy.port());
        ASSERT_TRUE(uac.receive()) << proxy.log();
    }
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_counters, inc_add_and_reset_change_the_hosts_metrics) {
    kit::host proxy(config(R"~(
    cnt_inc("requests");
    cnt_add("out.forwarded", 10);
    $var(n) = "5";
    cnt_add("test.x", "$var(n)");
    if ($hdr(X-N) == "2") { cnt_reset("test.x"); })~"));
    run(proxy, 4);
    EXPECT_EQ(proxy.counter("counters.script.requests"), 4) << proxy.log();
    EXPECT_EQ(proxy.counter("counters.out.forwarded"), 40) << proxy.log();
    // 5 + 5, reset on the third request, then 5
    EXPECT_EQ(proxy.counter("counters.test.x"), 5) << proxy.log();
}

TEST(modules_counters, a_name_from_a_variable_is_looked_up_per_call) {
    kit::host proxy(config(R"~(
    $var(name) = "script.requests";
    cnt_inc("$var(name)");
    $var(name) = "nothing.here";
    cnt_inc("$var(name)"); $var(rc) = $rc;
    xlog("L_INFO", "unknown counter rc $var(rc)\n");)~"));
    run(proxy, 2);
    EXPECT_EQ(proxy.counter("counters.script.requests"), 2) << proxy.log();
    EXPECT_TRUE(has(proxy.log(), "unknown counter rc -1")) << proxy.log();
    EXPECT_TRUE(has(proxy.log(), "no script counter 'nothing.here'")) << proxy.log();
}

TEST(modules_counters, script_cnt_grp_name_is_the_default_group) {
    kit::host proxy(config(R"~(cnt_inc("hits"); cnt_inc("mine.hits");)~",
                           R"(modparam("counters", "script_counter", "hits")
modparam("counters", "script_cnt_grp_name", "mine")
)"));
    run(proxy, 3);
    EXPECT_EQ(proxy.counter("counters.mine.hits"), 6) << proxy.log();
}

TEST(modules_counters, bad_declarations_and_calls_fail_the_config_naming_the_problem) {
    std::string error = config_error(R"~(cnt_inc("nope"))~");
    EXPECT_TRUE(has(error, "no script counter 'nope'")) << error;
    error = config_error(R"~(cnt_add("requests", "-3"))~");
    EXPECT_TRUE(has(error, "non-negative integer, not '-3'")) << error;
    error = config_error(R"~(cnt_add("requests", "many"))~");
    EXPECT_TRUE(has(error, "not 'many'")) << error;
    error = config_error("$var(x) = 1", R"~(modparam("counters", "script_counter", "bad!name"))~"
                                        "\n");
    EXPECT_TRUE(has(error, "'bad!name' is not a counter name")) << error;
    error = config_error("$var(x) = 1", R"(modparam("counters", "script_counter", "a.b")
modparam("counters", "script_counter", "a.b second"))"
                                        "\n");
    EXPECT_TRUE(has(error, "'a.b' is declared twice")) << error;
    error = config_error("$var(x) = 1", R"~(modparam("counters", "script_cnt_grp_name", "no group"))~"
                                        "\n");
    EXPECT_TRUE(has(error, "is not a group name")) << error;
    EXPECT_EQ(config_error(R"~(cnt_inc("requests"); cnt_add("test.x", 2); cnt_reset("out.forwarded"))~"), "");
}

} // namespace
