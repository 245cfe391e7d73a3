// xlog.so in the real host: levels, the prefix modparam, one line per call. Lines carry no module name, the
// prefix written in front of the text; the test reads siphost's log.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

/// xlog and sl with the given log level, modparams and request_route body; the route ends with a 200.
std::string config(std::string_view body, std::string_view debug = "3", std::string_view params = "") {
    return "debug=" + std::string(debug) + "\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\n" +
           std::string(params) + "request_route {\n" + std::string(body) +
           "\n    sl_send_reply(\"200\", \"OK\");\n}\n";
}

/// Runs a BYE through the host and returns its log lines after the PID: "ERROR: <script>: text".
std::vector<std::string> run(kit::host& proxy) {
    kit::peer uac;
    kit::request_options options;
    options.to_uri = "sip:c@127.0.0.1";
    uac.send(kit::request("BYE", "sip:b@127.0.0.1", uac, options), proxy.port());
    auto reply = uac.receive();
    EXPECT_TRUE(reply) << proxy.log();
    std::vector<std::string> lines;
    std::string log = proxy.log();
    for (size_t start = 0; start < log.size();) {
        size_t end = log.find('\n', start);
        std::string line = log.substr(start, end == std::string::npos ? end : end - start);
        size_t after_pid = line.find(") ");
        if (after_pid != std::string::npos)
            lines.push_back(line.substr(after_pid + 2));
        start = end == std::string::npos ? log.size() : end + 1;
    }
    return lines;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines)
        out += line + "\n";
    return out;
}

TEST(modules_xlog, xlog_logs_at_error_with_the_script_prefix_one_line_per_call) {
    kit::host proxy(config(R"(    xlog("for $rm the value is $avp(none)\n");)"));
    auto lines = run(proxy);
    EXPECT_TRUE(has(lines, "ERROR: <script>: for BYE the value is <null>")) << joined(lines);
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [](const std::string& l) { return l.find("for BYE") != std::string::npos; }),
              1);
}

TEST(modules_xlog, level_by_name_constant_or_variable) {
    kit::host proxy(config(R"~(
    xlog("L_INFO", "i\n");
    $var(level) = "L_WARN"; xlog("$var(level)", "w\n");
    $var(level) = "3"; xlog("$var(level)", "d\n");
    $var(level) = 1; xlog("$var(level)", "n\n");
    $var(level) = "nonsense"; xlog("$var(level)", "x\n");
    xlog("L_INFO", "nonsense gave $rc\n");)~"));
    auto lines = run(proxy);
    EXPECT_TRUE(has(lines, "INFO: <script>: i")) << joined(lines);
    EXPECT_TRUE(has(lines, "WARNING: <script>: w")) << joined(lines);
    EXPECT_TRUE(has(lines, "DEBUG: <script>: d")) << joined(lines);
    EXPECT_TRUE(has(lines, "NOTICE: <script>: n")) << joined(lines);
    EXPECT_TRUE(has(lines, "INFO: <script>: nonsense gave -1")) << joined(lines);
    EXPECT_EQ(joined(lines).find("<script>: x"), std::string::npos) << joined(lines);
}

TEST(modules_xlog, unknown_constant_level_is_a_config_error) {
    auto result = kit::host::check(config(R"(    xlog("L_LOUD", "x");)"));
    EXPECT_EQ(result.exit_status, 1) << result.output;
    EXPECT_NE(result.output.find("unknown log level \"L_LOUD\""), std::string::npos) << result.output;
}

TEST(modules_xlog, shortcuts_have_their_levels) {
    kit::host proxy(config(R"(
    xdbg("xdbg"); xinfo("xinfo"); xnotice("xnotice"); xwarn("xwarn");
    xerr("xerr"); xbug("xbug"); xcrit("xcrit"); xalert("xalert");)"));
    auto lines = run(proxy);
    for (const char* line : {"DEBUG: <script>: xdbg", "INFO: <script>: xinfo", "NOTICE: <script>: xnotice",
                             "WARNING: <script>: xwarn", "ERROR: <script>: xerr", "BUG: <script>: xbug",
                             "CRITICAL: <script>: xcrit", "ALERT: <script>: xalert"})
        EXPECT_TRUE(has(lines, line)) << line << "\n" << joined(lines);
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [](const std::string& l) { return l.find("<script>: x") != std::string::npos; }),
              8);
}

TEST(modules_xlog, lines_below_the_threshold_are_skipped) {
    kit::host proxy(config(R"(    xdbg("quiet"); xerr("loud");)", "-1"));
    auto lines = run(proxy);
    EXPECT_TRUE(has(lines, "ERROR: <script>: loud")) << joined(lines);
    EXPECT_EQ(joined(lines).find("quiet"), std::string::npos) << joined(lines);
}

TEST(modules_xlog, component_prefix_is_written_before_the_text) {
    kit::host proxy(config(R"(    xlog("hi");)", "3", "modparam(\"xlog\", \"prefix\", \"myapp: \")\n"));
    auto lines = run(proxy);
    EXPECT_TRUE(has(lines, "ERROR: myapp: hi")) << joined(lines);
}

TEST(modules_xlog, any_other_prefix_is_written_before_the_text) {
    kit::host with(config(R"(    xlog("hi\r\n");)", "3", "modparam(\"xlog\", \"prefix\", \"[cfg] \")\n"));
    auto lines = run(with);
    EXPECT_TRUE(has(lines, "ERROR: [cfg] hi")) << joined(lines);

    kit::host without(config(R"(    xlog("hi\r\n");)", "3", "modparam(\"xlog\", \"prefix\", \"\")\n"));
    lines = run(without);
    EXPECT_TRUE(has(lines, "ERROR: hi")) << joined(lines);
}

} // namespace
