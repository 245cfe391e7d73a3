// sl.so through the fake host: replies, To-tags, absorbed ACKs, counters, sl.stats, send_reply with and
// without tm, and the "sl" API.
#include "fake_host.hpp"

#include <siphost/api/sl.h>
#include <siphost/api/tm.h>
#include <siphost/module.hpp>

#include <gtest/gtest.h>

namespace siphost::tests {
namespace {

constexpr const char* invite_text = "INVITE sip:bob@example.com SIP/2.0\n"
                                    "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-inv-1\n"
                                    "Max-Forwards: 70\n"
                                    "From: Alice <sip:alice@example.com>;tag=from-1\n"
                                    "To: Bob <sip:bob@example.com>\n"
                                    "Call-ID: call-1@198.51.100.7\n"
                                    "CSeq: 1 INVITE\n"
                                    "Content-Length: 0\n"
                                    "\n";

/// The ACK a UAC sends for a negative reply to invite_text that carried to_tag (RFC 3261 17.1.1.3).
std::string ack_for(std::string_view to_tag, std::string_view branch = "z9hG4bK-inv-1") {
    return "ACK sip:bob@example.com SIP/2.0\n"
           "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=" +
           std::string(branch) +
           "\n"
           "Max-Forwards: 70\n"
           "From: Alice <sip:alice@example.com>;tag=from-1\n"
           "To: Bob <sip:bob@example.com>;tag=" +
           std::string(to_tag) +
           "\n"
           "Call-ID: call-1@198.51.100.7\n"
           "CSeq: 1 ACK\n"
           "Content-Length: 0\n"
           "\n";
}

class modules_sl : public ::testing::Test {
protected:
    void SetUp() override {
        std::string error;
        ASSERT_EQ(sl.init(host, &error), 0) << error;
        invite = host.parse(invite_text);
    }

    fake_host host;
    loaded_module sl{"sl"};
    std::unique_ptr<siphost_msg> invite;
};

TEST_F(modules_sl, negative_reply_gets_a_to_tag_and_is_counted) {
    call_site reply(sl, "sl_send_reply", {arg(404), arg("Not Here")});
    EXPECT_EQ(reply.run(invite.get()), 1);
    ASSERT_EQ(host.replies.size(), 1u);
    EXPECT_EQ(host.replies[0].code, 404);
    EXPECT_EQ(host.replies[0].reason, "Not Here");
    EXPECT_EQ(host.replies[0].to_tag.size(), 33u);
    EXPECT_EQ(host.counter("sl.404_replies"), 1);
    EXPECT_EQ(host.counter("sl.4xx_replies"), 0);
    EXPECT_EQ(host.counter("sl.sent_replies"), 1);
    EXPECT_EQ(host.counter("sl.sent_err_replies"), 1);
}

TEST_F(modules_sl, class_counter_takes_codes_without_their_own) {
    call_site reply(sl, "sl_reply", {arg(486), arg("Busy Here")});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.counter("sl.4xx_replies"), 1);
    call_site ok(sl, "sl_reply", {arg(200), arg("OK")});
    EXPECT_EQ(ok.run(invite.get()), 1);
    EXPECT_EQ(host.counter("sl.200_replies"), 1);
    EXPECT_EQ(host.counter("sl.2xx_replies"), 0);
    EXPECT_EQ(host.counter("sl.sent_replies"), 2);
    EXPECT_EQ(host.counter("sl.sent_err_replies"), 1);
}

TEST_F(modules_sl, provisional_below_180_has_no_tag) {
    call_site trying(sl, "sl_send_reply", {arg(100), arg("Trying")});
    EXPECT_EQ(trying.run(invite.get()), 1);
    ASSERT_EQ(host.replies.size(), 1u);
    EXPECT_TRUE(host.replies[0].to_tag.empty());
    call_site ringing(sl, "sl_send_reply", {arg(180), arg("Ringing")});
    EXPECT_EQ(ringing.run(invite.get()), 1);
    EXPECT_FALSE(host.replies[1].to_tag.empty());
}

TEST_F(modules_sl, request_with_to_tag_keeps_it) {
    std::string bye = ack_for("theirs");
    bye.replace(0, 3, "BYE");
    bye.replace(bye.find("CSeq: 1 ACK"), 11, "CSeq: 2 BYE");
    auto request = host.parse(bye);
    call_site reply(sl, "sl_send_reply", {arg(481), arg("No Dialog")});
    EXPECT_EQ(reply.run(request.get()), 1);
    EXPECT_TRUE(host.replies.at(0).to_tag.empty());
}

TEST_F(modules_sl, tag_is_the_same_for_the_same_request_and_differs_by_branch) {
    call_site reply(sl, "sl_send_reply", {arg(403), arg("Forbidden")});
    auto again = host.parse(invite_text);
    std::string other_text = invite_text;
    other_text.replace(other_text.find("z9hG4bK-inv-1"), 13, "z9hG4bK-inv-2");
    auto other = host.parse(other_text);
    reply.run(invite.get());
    reply.run(again.get());
    reply.run(other.get());
    ASSERT_EQ(host.replies.size(), 3u);
    EXPECT_EQ(host.replies[0].to_tag, host.replies[1].to_tag);
    EXPECT_NE(host.replies[0].to_tag, host.replies[2].to_tag);
    // The fixed prefix marks every sl tag.
    EXPECT_EQ(host.replies[0].to_tag.substr(0, 17), host.replies[2].to_tag.substr(0, 17));
}

TEST_F(modules_sl, ack_to_own_negative_reply_is_absorbed) {
    call_site reply(sl, "sl_send_reply", {arg(486), arg("Busy Here")});
    ASSERT_EQ(reply.run(invite.get()), 1);
    auto ack = host.parse(ack_for(host.replies.at(0).to_tag));
    EXPECT_TRUE(host.run_request_hooks(ack.get(), SIPHOST_HOOK_PRE_SCRIPT));
    EXPECT_EQ(host.counter("sl.received_ACKs"), 1);
}

TEST_F(modules_sl, other_acks_and_requests_go_on_to_the_script) {
    call_site reply(sl, "sl_send_reply", {arg(486), arg("Busy Here")});
    ASSERT_EQ(reply.run(invite.get()), 1);
    std::string tag = host.replies.at(0).to_tag;
    auto foreign_tag = host.parse(ack_for("a-tag-of-the-uas"));
    EXPECT_FALSE(host.run_request_hooks(foreign_tag.get(), SIPHOST_HOOK_PRE_SCRIPT));
    // Same tag, other transaction (an ACK for a 2xx has a new branch): not ours to absorb.
    auto other_branch = host.parse(ack_for(tag, "z9hG4bK-ack-2xx"));
    EXPECT_FALSE(host.run_request_hooks(other_branch.get(), SIPHOST_HOOK_PRE_SCRIPT));
    EXPECT_FALSE(host.run_request_hooks(invite.get(), SIPHOST_HOOK_PRE_SCRIPT));
    EXPECT_EQ(host.counter("sl.received_ACKs"), 0);
}

TEST_F(modules_sl, never_replies_to_an_ack_or_a_reply) {
    auto ack = host.parse(ack_for("x"));
    call_site reply(sl, "sl_send_reply", {arg(500), arg("Oops")});
    EXPECT_EQ(reply.run(ack.get()), -1);
    auto response = host.parse("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKx\n"
                               "From: <sip:a@b>;tag=1\nTo: <sip:c@d>\nCall-ID: c\nCSeq: 1 INVITE\n\n");
    EXPECT_EQ(reply.run(response.get()), -1);
    EXPECT_TRUE(host.replies.empty());
}

TEST_F(modules_sl, reply_code_is_checked_when_the_config_is_read) {
    EXPECT_THROW(call_site(sl, "sl_send_reply", {arg(99), arg("x")}), std::runtime_error);
    EXPECT_THROW(call_site(sl, "sl_send_reply", {arg(700), arg("x")}), std::runtime_error);
    EXPECT_THROW(call_site(sl, "sl_reply", {arg("abc"), arg("x")}), std::runtime_error);
    EXPECT_NO_THROW(call_site(sl, "sl_reply", {arg("404"), arg("x")}));
}

TEST_F(modules_sl, reply_code_from_a_variable_is_checked_at_run_time) {
    call_site reply(sl, "sl_send_reply", {arg(0, false), arg("x")});
    EXPECT_EQ(reply.run(invite.get(), {arg(1000), arg("x")}), -1);
    EXPECT_EQ(reply.run(invite.get(), {arg("603"), arg("Decline")}), 1);
    EXPECT_EQ(host.replies.at(0).code, 603);
}

TEST_F(modules_sl, send_failure_is_false_and_counted) {
    host.send_result = -1;
    call_site reply(sl, "sl_send_reply", {arg(404), arg("Not Here")});
    EXPECT_EQ(reply.run(invite.get()), -1);
    EXPECT_EQ(host.counter("sl.failures"), 1);
    EXPECT_EQ(host.counter("sl.sent_replies"), 0);
}

TEST_F(modules_sl, redirect_carries_the_changed_request_uri) {
    ASSERT_EQ(host.api()->msg_set_ruri(invite.get(), sdk::str("sip:bob@192.0.2.99")), 0);
    call_site reply(sl, "sl_send_reply", {arg(302), arg("Moved")});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.replies.at(0).extra_headers, "Contact: <sip:bob@192.0.2.99>\r\n");
}

TEST_F(modules_sl, redirect_carries_the_destination_set_with_q_values) {
    ASSERT_EQ(host.api()->msg_set_ruri(invite.get(), sdk::str("sip:bob@192.0.2.99")), 0);
    siphost_branch first = sdk::sized<siphost_branch>();
    first.uri = sdk::str("sip:bob@192.0.2.100");
    first.q = 500;
    first.info = SIPHOST_BRANCH_Q_SET;
    siphost_branch second = sdk::sized<siphost_branch>();
    second.uri = sdk::str("sip:bob@192.0.2.101");
    ASSERT_EQ(host.api()->msgctx->append_branch(invite.get(), &first), 0);
    ASSERT_EQ(host.api()->msgctx->append_branch(invite.get(), &second), 1);
    call_site reply(sl, "sl_send_reply", {arg(300), arg("Multiple Choices")});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.replies.at(0).extra_headers,
              "Contact: <sip:bob@192.0.2.99>, <sip:bob@192.0.2.100>;q=0.5, <sip:bob@192.0.2.101>\r\n");
}

TEST_F(modules_sl, redirect_without_a_new_target_has_no_contact) {
    call_site reply(sl, "sl_send_reply", {arg(302), arg("Moved")});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.replies.at(0).extra_headers, "");
}

TEST_F(modules_sl, stats_rpc_has_kamailios_shape) {
    call_site reply(sl, "sl_send_reply", {arg(0, false), arg("x")});
    for (int code : {100, 180, 200, 200, 404, 486, 500, 503, 603})
        ASSERT_EQ(reply.run(invite.get(), {arg(code), arg("x")}), 1);
    const siphost_rpc_command* stats = sl.find_rpc("sl.stats");
    ASSERT_NE(stats, nullptr);
    rpc_reply answer = host.run_rpc(*stats, {});
    EXPECT_EQ(answer.fault_code, 0);
    EXPECT_EQ(answer.text,
              "[{\"200\": 2, \"202\": 0, \"2xx\": 0, \"300\": 0, \"301\": 0, \"302\": 0, \"3xx\": 0, "
              "\"400\": 0, \"401\": 0, \"403\": 0, \"404\": 1, \"407\": 0, \"408\": 0, \"483\": 0, "
              "\"4xx\": 1, \"500\": 1, \"5xx\": 1, \"6xx\": 1, \"xxx\": 2}]");
}

TEST_F(modules_sl, counters_are_metrics_of_the_module) {
    EXPECT_EQ(host.counter("sl.sent_replies"), 0); // registered at init, so the shutdown line shows 0
    EXPECT_EQ(host.counter("sl.1xx_replies"), 0);
    EXPECT_EQ(host.counter("sl.received_ACKs"), 0);
}

TEST_F(modules_sl, reply_error_sends_500) {
    call_site reply(sl, "sl_reply_error", {});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.replies.at(0).code, 500);
}

TEST_F(modules_sl, reply_error_sends_the_last_internal_error) {
    host.api()->msgctx->set_error(invite.get(), 400, sdk::str("Bad Header"));
    call_site reply(sl, "sl_reply_error", {});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.replies.at(0).code, 400);
    EXPECT_EQ(host.replies.at(0).reason, "Bad Header");
    host.api()->msgctx->set_error(invite.get(), 0, sdk::str(""));
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.replies.at(1).code, 500);
}

TEST_F(modules_sl, empty_reason_gets_the_standard_phrase) {
    // sl keeps no table of phrases: the host writes the standard one (module.h, build_reply).
    call_site reply(sl, "sl_send_reply", {arg(483), arg("")});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.replies.at(0).reason, "Too Many Hops");
}

// A stand-in for tm's "tm" major 1 table: only what sl uses is set.
int fake_tm_has_transaction_result = 0;
int fake_tm_replies = 0;
int fake_tm_has_transaction(siphost_msg*) {
    return fake_tm_has_transaction_result;
}
int fake_tm_reply(siphost_msg*, int code, siphost_str) {
    ++fake_tm_replies;
    return code == 200 ? 1 : -1;
}

TEST_F(modules_sl, send_reply_is_stateless_without_tm) {
    call_site reply(sl, "send_reply", {arg(200), arg("OK")});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(host.replies.size(), 1u);
}

TEST_F(modules_sl, send_reply_asks_tm_first) {
    siphost_tm_api_v1 tm{};
    tm.struct_size = sizeof tm;
    tm.has_transaction = fake_tm_has_transaction;
    tm.reply = fake_tm_reply;
    host.apis["tm/1"] = &tm; // exported after sl's init, as when tm loads after sl
    fake_tm_replies = 0;
    fake_tm_has_transaction_result = 1;
    call_site reply(sl, "send_reply", {arg(200), arg("OK")});
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(fake_tm_replies, 1);
    EXPECT_TRUE(host.replies.empty());
    fake_tm_has_transaction_result = 0; // no transaction for this request: stateless
    EXPECT_EQ(reply.run(invite.get()), 1);
    EXPECT_EQ(fake_tm_replies, 1);
    EXPECT_EQ(host.replies.size(), 1u);
}

TEST_F(modules_sl, exports_its_api_for_tm) {
    auto* api = static_cast<const siphost_sl_api_v1*>(host.api()->api_lookup("sl", 1));
    ASSERT_NE(api, nullptr);
    ASSERT_TRUE(SIPHOST_HAS(siphost_sl_api_v1, api, reply_totag));
    EXPECT_EQ(api->reply(invite.get(), 486, sdk::str("Busy Here")), 1);
    char tag[48];
    size_t len = 0;
    ASSERT_EQ(api->reply_totag(invite.get(), tag, sizeof tag, &len), 0);
    EXPECT_EQ(std::string(tag, len), host.replies.at(0).to_tag);
    EXPECT_EQ(api->reply_totag(invite.get(), tag, 10, &len), -1);

    EXPECT_EQ(
        api->reply_with(invite.get(), 200, sdk::str("OK"), sdk::str("X-Extra: 1\r\n"), sdk::str("hello")), 1);
    ASSERT_EQ(host.datagrams.size(), 1u);
    const std::string& sent = host.datagrams[0].bytes;
    EXPECT_EQ(sent.rfind("SIP/2.0 200 OK\r\n", 0), 0u);
    EXPECT_NE(sent.find("X-Extra: 1\r\n"), std::string::npos);
    EXPECT_NE(sent.find("Content-Length: 5\r\n\r\nhello"), std::string::npos);
    EXPECT_NE(sent.find(";tag=" + host.replies.at(0).to_tag), std::string::npos);
}

} // namespace
} // namespace siphost::tests
