// maxfwd.so in the real host, over the wire: Kamailio's return codes, the Max-Forwards the relayed request
// carries, max_limit, and the config errors of its arguments.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>

#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

/// sl, xlog and maxfwd; sip:lt@ runs is_maxfwd_lt(5), anything else mf_process_maxfwd_header(10): each
/// answers "rc N", after relaying the request to the peer on uas_port when the rc says to.
std::string config(uint16_t uas_port, std::string_view params = "") {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"maxfwd\"\n" +
           std::string(params) + R"~(request_route {
    if ($rU == "lt") { is_maxfwd_lt("5"); $var(rc) = $rc; sl_send_reply("200", "rc $var(rc)"); exit; }
    mf_process_maxfwd_header("10");
    $var(rc) = $rc;
    if ($var(rc) < 1) { sl_send_reply("483", "rc $var(rc)"); exit; }
    forward("127.0.0.1", )~" +
           std::to_string(uas_port) + ");\n    sl_send_reply(\"200\", \"rc $var(rc)\");\n}\n";
}

/// A request whose Max-Forwards line is max_forwards_line (empty: none).
std::string request_with(std::string_view max_forwards_line, const kit::peer& uac,
                         std::string_view user = "b") {
    std::string text = kit::request("OPTIONS", "sip:" + std::string(user) + "@127.0.0.1", uac);
    text.replace(text.find("Max-Forwards: 70\r\n"), 18, max_forwards_line);
    return text;
}

class modules_maxfwd : public ::testing::Test {
protected:
    modules_maxfwd() : proxy(config(uas.port())) {}

    /// The proxy's answer ("483 rc -1"), with the Max-Forwards values of what reached the peer when it
    /// relayed the request ("200 rc 1, relayed 69").
    std::string process(std::string_view header_line) {
        uac.send(request_with(header_line, uac), proxy.port());
        auto reply = uac.receive();
        if (!reply)
            return "nothing";
        std::string out = reply->first_line().substr(8);
        if (reply->status() != 200)
            return out;
        auto got = uas.receive(); // sent before the answer
        if (!got)
            return out + ", not relayed";
        out += ", relayed ";
        for (const auto& value : got->headers("Max-Forwards"))
            out += value + " ";
        return out.substr(0, out.size() - 1);
    }

    std::string less_than(std::string_view header_line) {
        uac.send(request_with(header_line, uac, "lt"), proxy.port());
        auto reply = uac.receive();
        return reply ? reply->first_line().substr(8) : "nothing";
    }

    kit::peer uas;
    kit::peer uac;
    kit::host proxy;
};

TEST_F(modules_maxfwd, missing_header_is_relayed_with_the_given_value) {
    EXPECT_EQ(process(""), "200 rc 2, relayed 10") << "the host writes the header, once\n" << proxy.log();
}

TEST_F(modules_maxfwd, positive_value_is_left_to_the_host_to_decrement) {
    EXPECT_EQ(process("Max-Forwards: 70\r\n"), "200 rc 1, relayed 69") << proxy.log();
}

TEST_F(modules_maxfwd, zero_is_false_so_the_script_answers_483) {
    EXPECT_EQ(process("Max-Forwards: 0\r\n"), "483 rc -1") << proxy.log();
}

TEST_F(modules_maxfwd, malformed_value_never_reaches_the_module) {
    // maxfwd's -2 (and is_maxfwd_lt's -3) are for a value it cannot read; the real host's parser refuses such
    // a request first, with a 400, before the script runs.
    for (const char* line : {"Max-Forwards: ten\r\n", "Max-Forwards: -1\r\n", "Max-Forwards: \r\n"}) {
        EXPECT_EQ(process(line), "400 Bad Request - Malformed Header") << line << proxy.log();
        EXPECT_EQ(less_than(line), "400 Bad Request - Malformed Header") << line;
    }
    EXPECT_FALSE(uas.receive(100ms)) << "nothing was relayed";
}

TEST_F(modules_maxfwd, value_above_max_limit_is_relayed_as_the_limit_minus_one) {
    // As Kamailio: lowered to max_limit (70), then decremented for this hop.
    EXPECT_EQ(process("Max-Forwards: 200\r\n"), "200 rc 1, relayed 69") << proxy.log();
}

TEST_F(modules_maxfwd, is_maxfwd_lt_codes) {
    EXPECT_EQ(less_than("Max-Forwards: 3\r\n"), "200 rc 1");
    EXPECT_EQ(less_than("Max-Forwards: 5\r\n"), "200 rc -1");
    EXPECT_EQ(less_than(""), "200 rc -2");
}

TEST(modules_maxfwd_config, max_limit_out_of_range_fails_init) {
    auto too_small = kit::host::check(config(5070, "modparam(\"maxfwd\", \"max_limit\", 0)\n"));
    EXPECT_EQ(too_small.exit_status, 1) << too_small.output;
    EXPECT_NE(too_small.output.find("max_limit must be from 1 to 256"), std::string::npos)
        << too_small.output;
    auto too_big = kit::host::check(config(5070, "modparam(\"maxfwd\", \"max_limit\", 257)\n"));
    EXPECT_EQ(too_big.exit_status, 1) << too_big.output;
    EXPECT_NE(too_big.output.find("max_limit must be from 1 to 256"), std::string::npos) << too_big.output;
    auto fits = kit::host::check(config(5070, "modparam(\"maxfwd\", \"max_limit\", 70)\n"));
    EXPECT_EQ(fits.exit_status, 0) << fits.output;
}

TEST(modules_maxfwd_config, argument_is_checked_when_the_config_is_read) {
    for (const char* call :
         {"mf_process_maxfwd_header(0)", "mf_process_maxfwd_header(300)", "is_maxfwd_lt(\"many\")"}) {
        auto result =
            kit::host::check("loadmodule \"maxfwd\"\nrequest_route { " + std::string(call) + "; }\n");
        EXPECT_EQ(result.exit_status, 1) << call << ": " << result.output;
    }
    auto good =
        kit::host::check("loadmodule \"maxfwd\"\nrequest_route { mf_process_maxfwd_header(\"10\"); }\n");
    EXPECT_EQ(good.exit_status, 0) << good.output;
}

} // namespace
