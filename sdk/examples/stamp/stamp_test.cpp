// stamp's tests, written with siphost's test kit: the module runs in the real siphost, driven over SIP.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <string>

namespace kit = siphost::testkit;

namespace {

/// The stock modules (the kit's default) and the directory stamp was built in.
kit::host_options with_stamp() {
    kit::host_options options;
    options.module_dirs.push_back(STAMP_MODULE_DIR);
    return options;
}

TEST(stamp, a_relayed_request_carries_the_stamp_and_the_script_sees_it) {
    kit::peer uas;
    kit::host proxy("debug=2\n"
                    "loadmodule \"tm\"\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"stamp\"\n"
                    "request_route {\n"
                    "  stamp_request(\"edge-1 $rm\");\n"
                    "  xlog(\"L_INFO\", \"stamped [$stamp(value)]\\n\");\n"
                    "  t_relay_to_udp(\"127.0.0.1\", \"" +
                        std::to_string(uas.port()) +
                        "\");\n"
                        "}\n",
                    with_stamp());
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:bob@127.0.0.1", uac), proxy.port());
    auto relayed = uas.receive();
    ASSERT_TRUE(relayed) << proxy.log();
    EXPECT_EQ(relayed->header("X-Stamp"), "edge-1 OPTIONS");
    uas.reply(*relayed, 200, "OK");
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->status(), 200);
    EXPECT_TRUE(proxy.wait_for_log("stamped [edge-1 OPTIONS]")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0) << proxy.log();
}

TEST(stamp, a_refused_request_gets_a_stamped_reply) {
    kit::host proxy("loadmodule \"sl\"\nloadmodule \"stamp\"\n"
                    "modparam(\"stamp\", \"header\", \"X-Node\")\n"
                    "request_route { stamp_request(\"edge-2\"); stamp_reject(503); }\n",
                    with_stamp());
    kit::peer uac;
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac), proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->status(), 503);
    EXPECT_EQ(reply->header("X-Node"), "edge-2");
}

TEST(stamp, a_bad_limit_is_refused_at_check_time) {
    auto result = kit::host::check(
        "loadmodule \"sl\"\nloadmodule \"stamp\"\nrequest_route { if (stamp_limit(0)) { exit; } }\n",
        with_stamp());
    EXPECT_EQ(result.exit_status, 1) << result.output;
    EXPECT_NE(result.output.find("stamp_limit"), std::string::npos) << result.output;
}

} // namespace
