// kex.so in the real host: script flags, branch flags, isdsturiset, pv_printf and km_append_branch, seen in
// the log and on the wire, and the config errors of their fixups.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <string>

namespace kit = siphost::testkit;

namespace {

/// kex, sl and xlog; body runs on each request, which then gets reply (a 200 unless body answers itself).
std::string config(std::string_view body) {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"kex\"\n"
           "request_route {\n" +
           std::string(body) + "\n    sl_send_reply(\"200\", \"OK\");\n}\n";
}

/// Runs one request through a host on body and returns the host's log.
std::string run(std::string_view body, std::string_view ruri = "sip:b@127.0.0.1") {
    kit::host proxy(config(body));
    kit::peer uac;
    uac.send(kit::request("OPTIONS", ruri, uac), proxy.port());
    auto reply = uac.receive();
    EXPECT_TRUE(reply) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
    return proxy.log();
}

std::string config_error(std::string_view call) {
    auto result = kit::host::check(config("    " + std::string(call) + ";"));
    return result.exit_status == 0 ? "" : result.output;
}

bool has(const std::string& log, std::string_view text) {
    return log.find(text) != std::string::npos;
}

TEST(modules_kex, script_flags_set_test_and_reset) {
    std::string log = run(R"~(
    issflagset("3"); $var(a) = $rc;
    setsflag("3");
    issflagset("3"); $var(b) = $rc;
    issflagset("4"); $var(c) = $rc;
    $var(f) = 63;
    setsflag("$var(f)");
    issflagset($var(f)); $var(d) = $rc;
    resetsflag("3");
    issflagset("3"); $var(e) = $rc;
    xlog("L_INFO", "sflags $var(a) $var(b) $var(c) $var(d) $var(e)\n");)~");
    EXPECT_TRUE(has(log, "sflags -1 1 -1 1 -1")) << log;
}

TEST(modules_kex, script_flags_are_separate_from_message_flags_and_belong_to_one_message) {
    kit::host proxy(config(R"~(
    isflagset("5"); $var(m) = $rc;
    issflagset("5"); $var(s) = $rc;
    xlog("L_INFO", "$ci: flag $var(m) sflag $var(s)\n");
    setsflag("5");)~"));
    kit::peer uac;
    for (std::string call_id : {"first", "second"}) {
        kit::request_options options;
        options.call_id = call_id;
        uac.send(kit::request("OPTIONS", "sip:b@127.0.0.1", uac, options), proxy.port());
        ASSERT_TRUE(uac.receive()) << proxy.log();
    }
    EXPECT_EQ(proxy.stop(), 0);
    // setsflag on the first request neither sets the message flag nor carries over to the next message.
    EXPECT_TRUE(has(proxy.log(), "first: flag -1 sflag -1")) << proxy.log();
    EXPECT_TRUE(has(proxy.log(), "second: flag -1 sflag -1")) << proxy.log();
}

TEST(modules_kex, branch_flags_of_the_request_uri_and_of_appended_branches) {
    std::string log = run(R"~(
    isbflagset("2"); $var(a) = $rc;
    setbflag("2");
    isbflagset("2"); $var(b) = $rc;
    isbflagset("2", "0"); $var(c) = $rc;
    km_append_branch("sip:other@127.0.0.1");
    isbflagset("2", "1"); $var(d) = $rc;
    setbflag("7", "1");
    isbflagset("7", "1"); $var(e) = $rc;
    isbflagset("7"); $var(f) = $rc;
    resetbflag("2");
    isbflagset("2"); $var(g) = $rc;
    resetbflag("7", "1");
    isbflagset("7", "1"); $var(h) = $rc;
    xlog("L_INFO", "bflags $var(a) $var(b) $var(c) $var(d) $var(e) $var(f) $var(g) $var(h)\n");)~");
    EXPECT_TRUE(has(log, "bflags -1 1 1 -1 1 -1 -1 -1")) << log;
}

TEST(modules_kex, append_branch_without_uri_takes_branch_zeros_flags) {
    std::string log = run(R"~(
    setbflag("4");
    km_append_branch();
    isbflagset("4", "1"); $var(a) = $rc;
    xlog("L_INFO", "copied $var(a)\n");)~");
    EXPECT_TRUE(has(log, "copied 1")) << log;
}

TEST(modules_kex, a_branch_that_does_not_exist_is_false_with_a_reason) {
    std::string log = run(R"~(
    setbflag("1", "3"); $var(a) = $rc;
    isbflagset("1", "3"); $var(b) = $rc;
    xlog("L_INFO", "missing $var(a) $var(b)\n");)~");
    EXPECT_TRUE(has(log, "missing -1 -1")) << log;
    EXPECT_TRUE(has(log, "no branch 3")) << log;
}

TEST(modules_kex, isdsturiset_follows_du) {
    std::string log = run(R"~(
    isdsturiset(); $var(a) = $rc;
    $du = "sip:127.0.0.1:5099";
    isdsturiset(); $var(b) = $rc;
    resetdsturi();
    isdsturiset(); $var(c) = $rc;
    xlog("L_INFO", "du $var(a) $var(b) $var(c)\n");)~");
    EXPECT_TRUE(has(log, "du -1 1 -1")) << log;
}

TEST(modules_kex, pv_printf_expands_into_the_variable) {
    std::string log = run(R"~(
    pv_printf("$var(x)", "$rm to $rU");
    avp_printf("$avp(y)", "[$var(x)]");
    pv_printf("$ru", "sip:changed@$rd");
    xlog("L_INFO", "printf $var(x) $avp(y) $ru\n");)~");
    EXPECT_TRUE(has(log, "printf OPTIONS to b [OPTIONS to b] sip:changed@127.0.0.1")) << log;
}

TEST(modules_kex, km_append_branch_targets_reach_a_redirect) {
    kit::host proxy(config(R"~(
    km_append_branch("sip:first@127.0.0.1");
    $ru = "sip:second@127.0.0.1";
    km_append_branch();
    sl_send_reply("302", "Moved");
    exit;)~"));
    kit::peer uac;
    uac.send(kit::request("INVITE", "sip:b@127.0.0.1", uac), proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->status(), 302);
    auto contacts = reply->headers("Contact");
    std::string all;
    for (const auto& c : contacts)
        all += c + "|";
    EXPECT_TRUE(has(all, "<sip:first@127.0.0.1>")) << all;
    // the Request-URI itself, then the two targets
    EXPECT_EQ(contacts.size(), 3u) << all;
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_kex, bad_constant_arguments_fail_the_config_naming_the_problem) {
    std::string error = config_error(R"~(setsflag("64"))~");
    EXPECT_TRUE(has(error, "invalid flag '64'")) << error;
    error = config_error(R"~(issflagset("abc"))~");
    EXPECT_TRUE(has(error, "invalid flag 'abc'")) << error;
    error = config_error(R"~(setbflag("1", "-2"))~");
    EXPECT_TRUE(has(error, "invalid branch index '-2'")) << error;
    error = config_error(R"~(pv_printf("var(x)", "y"))~");
    EXPECT_NE(error, "");
    error = config_error(R"~(pv_printf("$nosuch(x)", "y"))~");
    EXPECT_TRUE(has(error, "$nosuch(x)")) << error;
    EXPECT_EQ(config_error(R"~(setsflag("0"); setbflag("63", "1"); pv_printf("$var(x)", "y"))~"), "");
}

TEST(modules_kex, a_flag_out_of_range_at_run_time_is_false_with_a_reason) {
    std::string log = run(R"~(
    $var(f) = 99;
    setsflag("$var(f)"); $var(a) = $rc;
    xlog("L_INFO", "runtime $var(a)\n");)~");
    EXPECT_TRUE(has(log, "runtime -1")) << log;
    EXPECT_TRUE(has(log, "invalid flag '99'")) << log;
}

} // namespace
