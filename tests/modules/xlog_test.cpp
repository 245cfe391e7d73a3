// xlog.so through the fake host: levels, the prefix modparam, one line per call. Lines go to the host
// without the module's name (self NULL), the prefix written in front of the text.
#include "fake_host.hpp"

#include <gtest/gtest.h>

namespace siphost::tests {
namespace {

constexpr const char* bye_text =
    "BYE sip:b@c SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\nFrom: <sip:a@b>;tag=1\n"
    "To: <sip:c@d>;tag=2\nCall-ID: c\nCSeq: 2 BYE\nContent-Length: 0\n\n";

class modules_xlog : public ::testing::Test {
protected:
    void SetUp() override { msg = host.parse(bye_text); }

    void init() {
        std::string error;
        ASSERT_EQ(xlog.init(host, &error), 0) << error;
    }

    void set_prefix(const char* prefix) {
        *static_cast<const char**>(xlog.find_param("prefix")->target) = prefix;
    }

    void TearDown() override { set_prefix("<script>: "); }

    fake_host host;
    loaded_module xlog{"xlog"};
    std::unique_ptr<siphost_msg> msg;
};

TEST_F(modules_xlog, xlog_logs_at_error_with_the_script_prefix_one_line_per_call) {
    init();
    call_site site(xlog, "xlog", {arg("for BYE the value is <null>\n")});
    EXPECT_EQ(site.run(msg.get()), 1);
    ASSERT_EQ(host.logs.size(), 1u);
    EXPECT_EQ(host.logs[0].level, SIPHOST_LOG_ERR);
    EXPECT_EQ(host.logs[0].module, "");
    EXPECT_EQ(host.logs[0].text, "<script>: for BYE the value is <null>");
}

TEST_F(modules_xlog, level_by_name_constant_or_variable) {
    init();
    call_site info(xlog, "xlog", {arg("L_INFO"), arg("i")});
    call_site from_variable(xlog, "xlog", {arg("", false), arg("v")});
    EXPECT_EQ(info.run(msg.get()), 1);
    EXPECT_EQ(from_variable.run(msg.get(), {arg("L_WARN"), arg("w")}), 1);
    EXPECT_EQ(from_variable.run(msg.get(), {arg("3"), arg("d")}), 1);
    EXPECT_EQ(from_variable.run(msg.get(), {arg(1), arg("n")}), 1);
    EXPECT_EQ(from_variable.run(msg.get(), {arg("nonsense"), arg("x")}), -1);
    ASSERT_EQ(host.logs.size(), 4u);
    EXPECT_EQ(host.logs[0].level, SIPHOST_LOG_INFO);
    EXPECT_EQ(host.logs[1].level, SIPHOST_LOG_WARN);
    EXPECT_EQ(host.logs[2].level, SIPHOST_LOG_DBG);
    EXPECT_EQ(host.logs[3].level, SIPHOST_LOG_NOTICE);
}

TEST_F(modules_xlog, unknown_constant_level_is_a_config_error) {
    init();
    try {
        call_site site(xlog, "xlog", {arg("L_LOUD"), arg("x")});
        FAIL() << "accepted L_LOUD";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown log level \"L_LOUD\""), std::string::npos) << e.what();
    }
}

TEST_F(modules_xlog, shortcuts_have_their_levels) {
    init();
    const std::pair<const char*, int> shortcuts[] = {
        {"xdbg", SIPHOST_LOG_DBG},   {"xinfo", SIPHOST_LOG_INFO},   {"xnotice", SIPHOST_LOG_NOTICE},
        {"xwarn", SIPHOST_LOG_WARN}, {"xerr", SIPHOST_LOG_ERR},     {"xbug", SIPHOST_LOG_BUG},
        {"xcrit", SIPHOST_LOG_CRIT}, {"xalert", SIPHOST_LOG_ALERT},
    };
    for (const auto& [name, level] : shortcuts) {
        call_site site(xlog, name, {arg(name)});
        EXPECT_EQ(site.run(msg.get()), 1);
        ASSERT_FALSE(host.logs.empty());
        EXPECT_EQ(host.logs.back().level, level) << name;
        EXPECT_EQ(host.logs.back().text, "<script>: " + std::string(name));
    }
    EXPECT_EQ(host.logs.size(), 8u);
}

TEST_F(modules_xlog, lines_below_the_threshold_are_skipped) {
    init();
    host.log_threshold = SIPHOST_LOG_ERR;
    call_site debug(xlog, "xdbg", {arg("quiet")});
    EXPECT_EQ(debug.run(msg.get()), 1);
    EXPECT_TRUE(host.logs.empty());
}

TEST_F(modules_xlog, component_prefix_is_written_before_the_text) {
    set_prefix("myapp: ");
    init();
    call_site site(xlog, "xlog", {arg("hi")});
    site.run(msg.get());
    ASSERT_EQ(host.logs.size(), 1u);
    EXPECT_EQ(host.logs[0].module, "");
    EXPECT_EQ(host.logs[0].text, "myapp: hi");
}

TEST_F(modules_xlog, any_other_prefix_is_written_before_the_text) {
    set_prefix("[cfg] ");
    init();
    call_site site(xlog, "xlog", {arg("hi\r\n")});
    site.run(msg.get());
    ASSERT_EQ(host.logs.size(), 1u);
    EXPECT_EQ(host.logs[0].module, "");
    EXPECT_EQ(host.logs[0].text, "[cfg] hi");

    set_prefix("");
    init();
    site.run(msg.get());
    EXPECT_EQ(host.logs.at(1).module, "");
    EXPECT_EQ(host.logs.at(1).text, "hi");
}

} // namespace
} // namespace siphost::tests
