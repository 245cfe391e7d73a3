#include "sip/transaction_key.hpp"

#include <gtest/gtest.h>

#include <string>

namespace siphost::sip {
namespace {

std::string request(std::string_view method, std::string_view branch, std::string_view cseq_method,
                    std::string_view to_tag = {}) {
    std::string s =
        std::string(method) + " sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a.example.com:5060";
    if (!branch.empty())
        s += ";branch=" + std::string(branch);
    s += "\r\nFrom: <sip:alice@example.com>;tag=f1\r\nTo: <sip:bob@example.com>";
    if (!to_tag.empty())
        s += ";tag=" + std::string(to_tag);
    s += "\r\nCall-ID: c1\r\nCSeq: 5 " + std::string(cseq_method) + "\r\n\r\n";
    return s;
}

TEST(sip_transaction_key, CookieCheck) {
    EXPECT_TRUE(is_rfc3261_branch("z9hG4bK776asdhds"));
    EXPECT_FALSE(is_rfc3261_branch("z9hG4bK")); // badbranch.dat
    EXPECT_FALSE(is_rfc3261_branch("390skdjuw"));
    EXPECT_FALSE(is_rfc3261_branch("Z9HG4BK776"));
    EXPECT_FALSE(is_rfc3261_branch(""));
}

TEST(sip_transaction_key, Rfc3261Matching) {
    std::string invite_text = request("INVITE", "z9hG4bK1", "INVITE");
    std::string ack_text = request("ACK", "z9hG4bK1", "ACK", "t1");
    std::string cancel_text = request("CANCEL", "z9hG4bK1", "CANCEL");
    std::string other_text = request("INVITE", "z9hG4bK2", "INVITE");
    message invite, ack, cancel, other;
    ASSERT_TRUE(invite.parse(invite_text).ok());
    ASSERT_TRUE(ack.parse(ack_text).ok());
    ASSERT_TRUE(cancel.parse(cancel_text).ok());
    ASSERT_TRUE(other.parse(other_text).ok());
    auto ki = make_rfc3261_key(invite);
    ASSERT_TRUE(ki.has_value());
    EXPECT_EQ(ki->branch, "z9hG4bK1");
    EXPECT_EQ(ki->sent_by_host, "a.example.com");
    EXPECT_EQ(ki->sent_by_port, 5060);
    EXPECT_EQ(ki->method, "INVITE");
    EXPECT_TRUE(same_transaction(*ki, *ki));
    EXPECT_TRUE(same_transaction(*ki, *make_rfc3261_key(ack)));
    EXPECT_FALSE(same_transaction(*ki, *make_rfc3261_key(cancel))); // CANCEL is its own transaction
    EXPECT_FALSE(same_transaction(*ki, *make_rfc3261_key(other)));
    EXPECT_EQ(transaction_hash(invite), transaction_hash(cancel));
    EXPECT_EQ(transaction_hash(invite), transaction_hash(ack));
}

TEST(sip_transaction_key, Rfc2543Fallback) {
    std::string invite_text = request("INVITE", {}, "INVITE");
    std::string retrans_text = request("INVITE", {}, "INVITE");
    std::string ack_text = request("ACK", {}, "ACK", "t9");
    std::string bye_text = request("BYE", {}, "BYE");
    message invite, retrans, ack, bye;
    ASSERT_TRUE(invite.parse(invite_text).ok());
    ASSERT_TRUE(retrans.parse(retrans_text).ok());
    ASSERT_TRUE(ack.parse(ack_text).ok());
    ASSERT_TRUE(bye.parse(bye_text).ok());
    EXPECT_FALSE(make_rfc3261_key(invite).has_value());
    rfc2543_key k = make_rfc2543_key(invite);
    EXPECT_EQ(k.call_id, "c1");
    EXPECT_EQ(k.cseq_number, 5u);
    EXPECT_EQ(k.from_tag, "f1");
    EXPECT_EQ(k.to_tag, "");
    EXPECT_EQ(k.request_uri, "sip:bob@example.com");
    EXPECT_EQ(k.top_via, "SIP/2.0/UDP a.example.com:5060");
    EXPECT_TRUE(same_transaction(k, make_rfc2543_key(retrans), false));
    EXPECT_TRUE(same_transaction(k, make_rfc2543_key(ack), true));
    EXPECT_FALSE(same_transaction(k, make_rfc2543_key(bye), false));
    EXPECT_EQ(transaction_hash(invite), transaction_hash(retrans));
}

TEST(sip_transaction_key, InvalidMessagesHaveNoKey) {
    message m;
    std::string text = request("INVITE", "z9hG4bK1", "BYE");
    EXPECT_FALSE(m.parse(text).ok());
    EXPECT_FALSE(make_rfc3261_key(m).has_value());
    EXPECT_TRUE(make_rfc2543_key(m).call_id.empty());
}

} // namespace
} // namespace siphost::sip
