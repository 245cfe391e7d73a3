// pv.so in the real host: pv_isset, pv_unset, is_int, typeof on AVPs and script variables the config sets,
// and the config errors their fixups give when they parse the variable.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>

#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

/// pv, sl and xlog; body runs on one request, which then gets a 200.
std::string config(std::string_view body) {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"pv\"\nrequest_route "
           "{\n" +
           std::string(body) + "\n    sl_send_reply(\"200\", \"OK\");\n}\n";
}

/// Runs one request through a host on body and returns the host's log.
std::string run(std::string_view body) {
    kit::host proxy(config(body));
    kit::peer uac;
    uac.send(kit::request("BYE", "sip:b@127.0.0.1", uac), proxy.port());
    auto reply = uac.receive();
    EXPECT_TRUE(reply) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
    return proxy.log();
}

std::string fixup_error(std::string_view call) {
    auto result = kit::host::check(config("    " + std::string(call) + ";"));
    return result.exit_status == 0 ? "" : result.output;
}

TEST(modules_pv, call_site_is_parsed_by_its_fixup) {
    std::string log = run(R"~(
    pv_isset("$avp(x)"); $var(before) = $rc;
    $avp(x) = "I remember";
    pv_isset("$avp(x)"); $var(after) = $rc;
    xlog("L_INFO", "isset $var(before) $var(after)\n");)~");
    EXPECT_NE(log.find("isset -1 1"), std::string::npos) << log;
    EXPECT_EQ(log.find("pv: "), std::string::npos) << "pv logs nothing: " << log;
}

TEST(modules_pv, variable_the_host_cannot_parse_fails_the_config_with_its_reason) {
    std::string error = fixup_error(R"(pv_isset("$bogus"))");
    EXPECT_NE(error.find("$bogus"), std::string::npos) << error;
    EXPECT_NE(error.find("unknown pseudo-variable"), std::string::npos) << error;
    EXPECT_NE(fixup_error(R"~(pv_isset("avp(x)"))~"), "");
    EXPECT_NE(fixup_error(R"(typeof("$bogus", "int"))"), "");
}

TEST(modules_pv, pv_unset_removes_the_value) {
    std::string log = run(R"~(
    $avp(x) = 5;
    pv_isset("$avp(x)"); $var(a) = $rc;
    pv_unset("$avp(x)"); $var(b) = $rc;
    pv_isset("$avp(x)"); $var(c) = $rc;
    xlog("L_INFO", "unset $var(a) $var(b) $var(c)\n");)~");
    EXPECT_NE(log.find("unset 1 1 -1"), std::string::npos) << log;
}

TEST(modules_pv, is_int_and_typeof) {
    std::string log = run(R"~(
    is_int("$avp(n)"); $var(a) = $rc;
    typeof("$avp(n)", "null"); $var(b) = $rc;
    xlog("L_INFO", "unset: is_int $var(a) null $var(b)\n");
    $avp(n) = 7;
    is_int("$avp(n)"); $var(a) = $rc;
    typeof("$avp(n)", "int"); $var(b) = $rc;
    typeof("$avp(n)", "str"); $var(c) = $rc;
    xlog("L_INFO", "int: is_int $var(a) int $var(b) str $var(c)\n");
    $avp(n) = "7";
    is_int("$avp(n)"); $var(a) = $rc;
    typeof("$avp(n)", "str"); $var(b) = $rc;
    typeof("$avp(n)", "null"); $var(c) = $rc;
    xlog("L_INFO", "str: is_int $var(a) str $var(b) null $var(c)\n");)~");
    EXPECT_NE(log.find("unset: is_int -1 null 1"), std::string::npos) << log;
    EXPECT_NE(log.find("int: is_int 1 int 1 str -1"), std::string::npos) << log;
    EXPECT_NE(log.find("str: is_int -1 str 1 null -1"), std::string::npos) << log;
}

TEST(modules_pv, typeof_type_must_be_known) {
    EXPECT_NE(fixup_error(R"~(typeof("$avp(n)", "float"))~"), "");
}

TEST(modules_pv, never_assigned_var_is_the_integer_zero) {
    std::string log = run(R"~(
    is_int("$var(count)"); $var(a) = $rc;
    $var(count) = "abc";
    is_int("$var(count)"); $var(b) = $rc;
    xlog("L_INFO", "var: $var(a) $var(b)\n");)~");
    EXPECT_NE(log.find("var: 1 -1"), std::string::npos) << log;
}

} // namespace
