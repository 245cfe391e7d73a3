// maxfwd.so through the fake host: Kamailio's return codes, the added header, max_limit.
#include "fake_host.hpp"

#include <gtest/gtest.h>

namespace siphost::tests {
namespace {

std::string request_with(std::string_view max_forwards_line) {
    return "OPTIONS sip:b@c SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\n" + std::string(max_forwards_line) +
           "From: <sip:a@b>;tag=1\nTo: <sip:c@d>\nCall-ID: c\nCSeq: 2 OPTIONS\nContent-Length: 0\n\n";
}

class modules_maxfwd : public ::testing::Test {
protected:
    void SetUp() override {
        std::string error;
        ASSERT_EQ(maxfwd.init(host, &error), 0) << error;
    }

    int process(std::string_view header_line, int64_t initial = 10) {
        msg = host.parse(request_with(header_line));
        call_site site(maxfwd, "mf_process_maxfwd_header", {arg(initial)});
        return site.run(msg.get());
    }

    int less_than(std::string_view header_line, int64_t limit) {
        msg = host.parse(request_with(header_line));
        call_site site(maxfwd, "is_maxfwd_lt", {arg(limit)});
        return site.run(msg.get());
    }

    fake_host host;
    loaded_module maxfwd{"maxfwd"};
    std::unique_ptr<siphost_msg> msg;
};

TEST_F(modules_maxfwd, missing_header_is_relayed_with_the_given_value) {
    EXPECT_EQ(process(""), 2);
    EXPECT_EQ(msg->relayed_max_forwards, 10u);
    EXPECT_TRUE(msg->added.empty()) << "the host writes the header, once";
}

TEST_F(modules_maxfwd, positive_value_is_left_to_the_host_to_decrement) {
    EXPECT_EQ(process("Max-Forwards: 70\n"), 1);
    EXPECT_TRUE(msg->added.empty());
    EXPECT_TRUE(msg->replacements.empty());
    EXPECT_FALSE(msg->relayed_max_forwards);
}

TEST_F(modules_maxfwd, zero_is_false_so_the_script_answers_483) {
    EXPECT_EQ(process("Max-Forwards: 0\n"), -1);
}

TEST_F(modules_maxfwd, malformed_value_is_minus_two) {
    EXPECT_EQ(process("Max-Forwards: ten\n"), -2);
    EXPECT_EQ(process("Max-Forwards: -1\n"), -2);
    EXPECT_EQ(process("Max-Forwards: \n"), -2);
}

TEST_F(modules_maxfwd, value_above_max_limit_is_relayed_as_the_limit_minus_one) {
    // As Kamailio: lowered to max_limit (70), then decremented for this hop.
    EXPECT_EQ(process("Max-Forwards: 200\n"), 1);
    EXPECT_EQ(msg->relayed_max_forwards, 69u);
    EXPECT_TRUE(msg->replacements.empty());
    EXPECT_TRUE(msg->added.empty());
}

TEST_F(modules_maxfwd, max_limit_out_of_range_fails_init) {
    auto* limit = static_cast<int32_t*>(maxfwd.find_param("max_limit")->target);
    *limit = 0;
    std::string error;
    int too_small = maxfwd.init(host, &error);
    *limit = 257;
    std::string error_big;
    int too_big = maxfwd.init(host, &error_big);
    *limit = 70;
    EXPECT_EQ(too_small, -1);
    EXPECT_EQ(too_big, -1);
    EXPECT_NE(error.find("max_limit must be from 1 to 256"), std::string::npos) << error;
    EXPECT_EQ(maxfwd.init(host, &error), 0);
}

TEST_F(modules_maxfwd, argument_is_checked_when_the_config_is_read) {
    EXPECT_THROW(call_site(maxfwd, "mf_process_maxfwd_header", {arg(0)}), std::runtime_error);
    EXPECT_THROW(call_site(maxfwd, "mf_process_maxfwd_header", {arg(300)}), std::runtime_error);
    EXPECT_THROW(call_site(maxfwd, "is_maxfwd_lt", {arg("many")}), std::runtime_error);
    EXPECT_NO_THROW(call_site(maxfwd, "mf_process_maxfwd_header", {arg("10")}));
}

TEST_F(modules_maxfwd, is_maxfwd_lt_codes) {
    EXPECT_EQ(less_than("Max-Forwards: 3\n", 5), 1);
    EXPECT_EQ(less_than("Max-Forwards: 5\n", 5), -1);
    EXPECT_EQ(less_than("", 5), -2);
    EXPECT_EQ(less_than("Max-Forwards: x\n", 5), -3);
}

} // namespace
} // namespace siphost::tests
