// The dialog module in the real host, in process: calls from test kit peers through a stateful proxy, read
// with the module's RPC commands and pseudo-variables; configs the module must refuse, through siphost -c.
#include "inprocess_host.hpp"

#include "core/rpc.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace kit = siphost::testkit;
using siphost::core::rpc_param;
using namespace std::chrono_literals;

namespace {

std::string call(std::string_view name, const std::vector<rpc_param>& params = {}) {
    auto result = siphost::core::rpc_registry::instance().call(name, params);
    return result ? siphost::core::to_text(*result) : "no call";
}

/// Calls an RPC until its reply contains `text` (replies and timers land a little after the peers see them).
std::string call_until(std::string_view name, std::string_view text, std::vector<rpc_param> params = {},
                       std::chrono::milliseconds limit = 3000ms) {
    std::string reply;
    for (auto waited = 0ms; waited <= limit; waited += 10ms) {
        reply = call(name, params);
        if (reply.find(text) != std::string::npos)
            break;
        std::this_thread::sleep_for(10ms);
    }
    return reply;
}

/// A proxy relaying every request to the UAS peer; extra goes into request_route before the relay of an
/// initial INVITE (after dlg_manage()).
std::string proxy_config(uint16_t uas_port, std::string_view modparams, std::string_view initial,
                         std::string_view in_dialog = "") {
    std::string uas = "sip:127.0.0.1:" + std::to_string(uas_port);
    return R"(
debug=2
children=2
loadmodule "tm"
loadmodule "sl"
loadmodule "pv"
loadmodule "kex"
loadmodule "siputils"
loadmodule "textops"
loadmodule "dialog"
modparam("dialog", "profiles_with_value", "caller")
modparam("dialog", "profiles_no_value", "inbound")
)" + std::string(modparams) +
           R"(
request_route {
    if (has_totag()) {
)" + std::string(in_dialog) +
           R"(
        $du = ")" +
           uas + R"(";
        t_relay();
        exit;
    }
)" + std::string(initial) +
           R"(
    $du = ")" +
           uas + R"(";
    t_relay();
}
)";
}

/// A UAC and a UAS around the proxy, with the call's identity.
struct call_peers {
    kit::peer uac;
    kit::peer uas;
    std::string call_id = "dlg-call-1@127.0.0.1";
    std::string from_tag;
    std::optional<kit::message> invite; ///< as the UAS got it
    std::string invite_as_sent;         ///< as the UAC sent it

    kit::request_options options(uint32_t cseq) const {
        kit::request_options o;
        o.call_id = call_id;
        o.cseq = cseq;
        o.extra_headers = "Contact: <sip:alice@127.0.0.1:" + std::to_string(uac.port()) + ">\r\n";
        return o;
    }

    /// Sends the INVITE and returns what the UAS received.
    void send_invite(uint16_t proxy) {
        invite_as_sent = kit::request("INVITE", "sip:bob@127.0.0.1", uac, options(1));
        uac.send(invite_as_sent, proxy);
        invite = uas.receive();
    }

    /// The UAS answers the INVITE with code (and its Contact); returns the reply the UAC got.
    std::optional<kit::message> answer(int code, std::string_view reason) {
        uas.reply(*invite, code, reason, "uas-tag",
                  "Contact: <sip:bob@127.0.0.1:" + std::to_string(uas.port()) + ">\r\n");
        for (;;) {
            auto reply = uac.receive();
            if (!reply || reply->status() != 100)
                return reply;
        }
    }

    /// An in-dialog request from the UAC (To carries the UAS's tag).
    std::string in_dialog(std::string_view method, uint32_t cseq) const {
        std::string text =
            kit::request(method, "sip:bob@127.0.0.1:" + std::to_string(uas.port()), uac, options(cseq));
        // The kit writes a To without a tag and a From with a fresh one: the dialog's tags instead.
        size_t to = text.find("\r\nTo: ");
        size_t end = text.find("\r\n", to + 2);
        text.insert(end, ";tag=uas-tag");
        size_t tag = text.find("tag=", text.find("\r\nFrom: ")) + 4;
        text.replace(tag, text.find("\r\n", tag) - tag, caller_tag());
        return text;
    }

    /// The From tag of the INVITE.
    std::string caller_tag() const {
        std::string from = invite->header("From").value_or("");
        return from.substr(from.find("tag=") + 4);
    }
};

TEST(modules_dialog, states_follow_the_invite_and_the_bye_ends_the_dialog) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(proxy_config(peers.uas.port(), "", "dlg_manage();"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    EXPECT_NE(call_until("dlg.stats_active", "\"starting\": 1"), "");
    EXPECT_EQ(call("dlg.stats_active"),
              R"([{"starting": 1, "connecting": 0, "answering": 0, "ongoing": 0, "all": 1}])");

    auto ringing = peers.answer(180, "Ringing");
    ASSERT_TRUE(ringing);
    EXPECT_EQ(ringing->status(), 180);
    EXPECT_NE(call_until("dlg.stats_active", "\"connecting\": 1").find("\"connecting\": 1"),
              std::string::npos);

    auto ok = peers.answer(200, "OK");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status(), 200);
    std::string list = call_until("dlg.list", "\"state\": 3");
    EXPECT_NE(list.find("\"state\": 3"), std::string::npos) << list;
    EXPECT_NE(list.find("\"call-id\": \"dlg-call-1@127.0.0.1\""), std::string::npos) << list;
    EXPECT_NE(list.find("\"from_uri\": \"sip:alice@127.0.0.1\""), std::string::npos) << list;
    EXPECT_NE(list.find("\"tag\": \"uas-tag\""), std::string::npos) << list;
    EXPECT_NE(list.find("\"contact\": \"sip:bob@127.0.0.1:" + std::to_string(peers.uas.port()) + "\""),
              std::string::npos)
        << list;
    EXPECT_NE(list.find("\"lifetime\": 43200"), std::string::npos) << list;

    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    list = call_until("dlg.list", "\"state\": 4");
    EXPECT_NE(list.find("\"state\": 4"), std::string::npos) << list;
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:")}),
              "[\"dialog:active_dialogs = 1\", \"dialog:early_dialogs = 0\", \"dialog:expired_dialogs = 0\", "
              "\"dialog:failed_dialogs = 0\", \"dialog:processed_dialogs = 1\"]");

    peers.uac.send(peers.in_dialog("BYE", 2), proxy.port());
    auto bye = peers.uas.receive();
    ASSERT_TRUE(bye);
    EXPECT_EQ(bye->method(), "BYE");
    EXPECT_EQ(call_until("dlg.list", "[]"), "[]");
    EXPECT_EQ(call("dlg.stats_active"),
              R"([{"starting": 0, "connecting": 0, "answering": 0, "ongoing": 0, "all": 0}])");
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:active_dialogs")}),
              "[\"dialog:active_dialogs = 0\"]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, the_callees_bye_ends_the_dialog_too) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(proxy_config(peers.uas.port(), "", "dlg_manage();"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    EXPECT_NE(call_until("dlg.list", "\"state\": 4").find("\"state\": 4"), std::string::npos);
    // From the UAS: its tag in From, the caller's in To.
    kit::request_options o;
    o.call_id = peers.call_id;
    o.cseq = 7;
    o.from_uri = "sip:bob@127.0.0.1";
    o.to_uri = "sip:alice@127.0.0.1";
    std::string bye =
        kit::request("BYE", "sip:alice@127.0.0.1:" + std::to_string(peers.uac.port()), peers.uas, o);
    size_t tag = bye.find("tag=", bye.find("\r\nFrom: ")) + 4;
    bye.replace(tag, bye.find("\r\n", tag) - tag, "uas-tag");
    bye.insert(bye.find("\r\n", bye.find("\r\nTo: ") + 2), ";tag=" + peers.caller_tag());
    peers.uas.send(bye, proxy.port());
    EXPECT_EQ(call_until("dlg.list", "[]"), "[]");
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:active_dialogs")}),
              "[\"dialog:active_dialogs = 0\"]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, a_negative_final_reply_fails_the_dialog) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(proxy_config(peers.uas.port(), "", "dlg_manage();"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    auto busy = peers.answer(486, "Busy Here");
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status(), 486);
    EXPECT_EQ(call_until("dlg.list", "[]"), "[]");
    EXPECT_EQ(
        call_until("stats.get_statistics", "failed_dialogs = 1", {std::string("dialog:failed_dialogs")}),
        "[\"dialog:failed_dialogs = 1\"]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, a_cancelled_call_fails_the_dialog) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(proxy_config(peers.uas.port(), "", "dlg_manage();"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    auto ringing = peers.answer(180, "Ringing");
    ASSERT_TRUE(ringing);
    EXPECT_NE(call_until("dlg.list", "\"state\": 2").find("\"state\": 2"), std::string::npos);
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:early_dialogs")}),
              "[\"dialog:early_dialogs = 1\"]");
    // The CANCEL repeats the INVITE's Via branch and From tag.
    std::string cancel = peers.invite_as_sent;
    cancel.replace(0, cancel.find(' '), "CANCEL");
    size_t cseq = cancel.find("CSeq: 1 INVITE");
    cancel.replace(cseq, 14, "CSeq: 1 CANCEL");
    peers.uac.send(cancel, proxy.port());
    std::optional<kit::message> to_uas;
    while ((to_uas = peers.uas.receive()) && to_uas->method() != "CANCEL") {
    }
    ASSERT_TRUE(to_uas);
    peers.uas.reply(*to_uas, 200, "OK");
    peers.uas.reply(*peers.invite, 487, "Request Terminated");
    EXPECT_EQ(call_until("dlg.list", "[]"), "[]");
    EXPECT_EQ(
        call_until("stats.get_statistics", "failed_dialogs = 1", {std::string("dialog:failed_dialogs")}),
        "[\"dialog:failed_dialogs = 1\"]");
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:early_dialogs")}),
              "[\"dialog:early_dialogs = 0\"]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, a_dialog_whose_invite_gets_no_transaction_is_forgotten) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(), "", "dlg_manage(); sl_send_reply(\"403\", \"Forbidden\"); exit;"));
    peers.uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", peers.uac, peers.options(1)), proxy.port());
    auto reply = peers.uac.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status(), 403);
    EXPECT_EQ(call_until("dlg.list", "[]"), "[]");
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:processed_dialogs")}),
              "[\"dialog:processed_dialogs = 1\"]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, dlg_flag_tracks_an_invite_without_dlg_manage) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(), "modparam(\"dialog\", \"dlg_flag\", 4)\n", "setflag(4);"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    std::string list = call_until("dlg.list", "\"state\": 1");
    EXPECT_NE(list.find("\"call-id\": \"dlg-call-1@127.0.0.1\""), std::string::npos) << list;
    auto ok = peers.answer(200, "OK");
    ASSERT_TRUE(ok);
    list = call_until("dlg.list", "\"state\": 3");
    EXPECT_NE(list.find("\"state\": 3"), std::string::npos) << list;
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, an_invite_without_the_flag_or_dlg_manage_is_not_tracked) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(), "modparam(\"dialog\", \"dlg_flag\", 4)\n", ""));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(call("dlg.list"), "[]");
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:processed_dialogs")}),
              "[\"dialog:processed_dialogs = 0\"]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, dlg_set_timeout_ends_an_idle_confirmed_dialog) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(), "", "dlg_manage(); dlg_set_timeout(\"1\");"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    std::string list = call_until("dlg.list", "\"lifetime\": 1,");
    EXPECT_NE(list.find("\"lifetime\": 1,"), std::string::npos) << list;
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    // The one-second tick ends it between 1 and 2 s after the 2xx.
    EXPECT_EQ(call_until("dlg.list", "[]", {}, 4000ms), "[]");
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:expired_dialogs")}),
              "[\"dialog:expired_dialogs = 1\"]");
    EXPECT_EQ(call("stats.get_statistics", {std::string("dialog:active_dialogs")}),
              "[\"dialog:active_dialogs = 0\"]");
    EXPECT_EQ(proxy.stop(), 0);
}

/// A confirmed dialog with a 2 s timeout gets an INFO every 400 ms for 4 s: whether it is still there then.
bool alive_after_four_seconds_of_traffic(std::string_view initial) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(proxy_config(peers.uas.port(), "", initial));
    peers.send_invite(proxy.port());
    EXPECT_TRUE(peers.invite);
    if (!peers.invite || !peers.answer(200, "OK"))
        return false;
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    for (uint32_t i = 0; i < 10; ++i) {
        std::this_thread::sleep_for(400ms);
        peers.uac.send(peers.in_dialog("INFO", 2 + i), proxy.port());
    }
    bool alive = call("dlg.list") != "[]";
    EXPECT_EQ(proxy.stop(), 0);
    return alive;
}

TEST(modules_dialog, timeout_avp_gives_the_dialog_its_timeout) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(), "modparam(\"dialog\", \"timeout_avp\", \"$avp(dlg_timeout)\")\n",
                     "$avp(dlg_timeout) = 77; dlg_manage();"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    std::string list = call_until("dlg.list", "\"state\": 3");
    EXPECT_NE(list.find("\"lifetime\": 77,"), std::string::npos) << list;
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, in_dialog_requests_push_the_timeout_back) {
    EXPECT_TRUE(alive_after_four_seconds_of_traffic("dlg_manage(); dlg_set_timeout(\"2\");"));
}

TEST(modules_dialog, with_timeout_noreset_in_dialog_requests_do_not_push_the_timeout_back) {
    EXPECT_FALSE(alive_after_four_seconds_of_traffic(
        "dlg_manage(); dlg_set_timeout(\"2\"); dlg_set_property(\"timeout-noreset\");"));
}

TEST(modules_dialog, in_dialog_requests_see_the_dialog_its_flags_variables_and_profiles) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(proxy_config(peers.uas.port(), "",
                                                      R"cfg(dlg_manage();
    $dlg_var(account) = "acme";
    dlg_setflag("3");
    set_dlg_profile("inbound");
    set_dlg_profile("caller", "$fU");)cfg",
                                                      R"cfg(if (is_method("INFO")) {
            if (!is_known_dlg()) { sl_send_reply("404", "unknown"); exit; }
            get_profile_size("caller", "$fU", "$var(n)");
            get_profile_size("inbound", "$var(m)");
            if (is_in_profile("caller", "nobody")) { sl_send_reply("500", "wrong profile"); exit; }
            if (!is_in_profile("inbound")) { sl_send_reply("500", "not in inbound"); exit; }
            if (!dlg_isflagset("3") || dlg_isflagset("4")) { sl_send_reply("500", "flags"); exit; }
            sl_send_reply("200", "s=$dlg(state) v=$dlg_var(account) n=$var(n) m=$var(m) ft=$dlg(from_tag) tt=$dlg(to_tag) c=$DLG_count");
            exit;
        })cfg"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    peers.uac.send(peers.in_dialog("INFO", 2), proxy.port());
    auto reply = peers.uac.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->first_line(),
              "SIP/2.0 200 s=4 v=acme n=1 m=1 ft=" + peers.caller_tag() + " tt=uas-tag c=1");
    std::string list = call("dlg.list");
    EXPECT_NE(list.find("\"sflags\": 8"), std::string::npos) << list;
    EXPECT_NE(list.find("\"profiles\": {\"inbound\": \"\", \"caller\": \"alice\"}"), std::string::npos)
        << list;
    EXPECT_NE(list.find("\"variables\": {\"account\": \"acme\"}"), std::string::npos) << list;
    EXPECT_EQ(call("dlg.profile_get_size", {std::string("caller"), std::string("alice")}), "[1]");
    EXPECT_EQ(call("dlg.profile_get_size", {std::string("caller"), std::string("bob")}), "[0]");
    EXPECT_EQ(call("dlg.profile_get_size", {std::string("nope")}), "fault 404: Profile not found: nope");
    EXPECT_NE(call("dlg.profile_list", {std::string("inbound")}).find("dlg-call-1@127.0.0.1"),
              std::string::npos);
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, end_dlg_sends_a_bye_to_each_side) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(proxy_config(peers.uas.port(), "", "dlg_manage();"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    std::string list = call_until("dlg.list", "\"state\": 4");
    auto number_after = [&](std::string_view key) {
        size_t at = list.find(key);
        return at == std::string::npos ? int64_t{-1} : std::stoll(list.substr(at + key.size()));
    };
    int64_t h_entry = number_after("\"h_entry\": ");
    int64_t h_id = number_after("\"h_id\": ");
    ASSERT_GE(h_entry, 0) << list;
    EXPECT_EQ(call("dlg.end_dlg"), "fault 500: Invalid parameters");
    EXPECT_EQ(call("dlg.end_dlg", {h_entry, h_id + 1000}), "fault 404: Dialog not found");
    EXPECT_EQ(call("dlg.end_dlg", {h_entry, h_id, std::string("Reason: Q.850;cause=16")}), "[]");

    auto to_uas = peers.uas.receive();
    ASSERT_TRUE(to_uas);
    EXPECT_EQ(to_uas->method(), "BYE");
    EXPECT_EQ(to_uas->request_uri(), "sip:bob@127.0.0.1:" + std::to_string(peers.uas.port()));
    EXPECT_EQ(to_uas->header("Call-ID"), "dlg-call-1@127.0.0.1");
    EXPECT_NE(to_uas->header("To")->find("tag=uas-tag"), std::string::npos) << to_uas->text();
    EXPECT_EQ(to_uas->header("CSeq"), "2 BYE");
    EXPECT_EQ(to_uas->header("Reason"), "Q.850;cause=16");

    auto to_uac = peers.uac.receive();
    ASSERT_TRUE(to_uac);
    EXPECT_EQ(to_uac->method(), "BYE");
    EXPECT_EQ(to_uac->request_uri(), "sip:alice@127.0.0.1:" + std::to_string(peers.uac.port()));
    EXPECT_NE(to_uac->header("From")->find("tag=uas-tag"), std::string::npos) << to_uac->text();
    EXPECT_EQ(call("dlg.list"), "[]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, dlg_bye_from_the_script_ends_the_dialog_towards_one_side) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(proxy_config(peers.uas.port(), "", "dlg_manage();",
                                                      R"cfg(if (is_method("INFO")) {
            if (dlg_bye("callee")) { sl_send_reply("200", "bye sent"); } else { sl_send_reply("500", "no bye"); }
            exit;
        })cfg"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    peers.uac.send(peers.in_dialog("INFO", 2), proxy.port());
    auto bye = peers.uas.receive();
    ASSERT_TRUE(bye);
    EXPECT_EQ(bye->method(), "BYE");
    EXPECT_EQ(bye->header("CSeq"), "3 BYE"); // after the caller's INFO (CSeq 2)
    auto reply = peers.uac.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->first_line(), "SIP/2.0 200 bye sent");
    EXPECT_EQ(call("dlg.list"), "[]");
    // No dialog any more: a second INFO finds none.
    peers.uac.send(peers.in_dialog("INFO", 3), proxy.port());
    reply = peers.uac.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->first_line(), "SIP/2.0 500 no bye");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, with_send_bye_a_timed_out_dialog_gets_a_bye_each_way) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(),
                     "modparam(\"dialog\", \"send_bye\", 1)\nmodparam(\"dialog\", \"default_timeout\", 1)\n",
                     "dlg_manage();"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    auto to_uas = peers.uas.receive(4000ms);
    ASSERT_TRUE(to_uas);
    EXPECT_EQ(to_uas->method(), "BYE");
    auto to_uac = peers.uac.receive(1000ms);
    ASSERT_TRUE(to_uac);
    EXPECT_EQ(to_uac->method(), "BYE");
    EXPECT_EQ(
        call_until("stats.get_statistics", "expired_dialogs = 1", {std::string("dialog:expired_dialogs")}),
        "[\"dialog:expired_dialogs = 1\"]");
    EXPECT_EQ(call("dlg.list"), "[]");
    EXPECT_EQ(proxy.stop(), 0);
}

/// With rr: record_route() carries the did cookie and loose_route() hands in-dialog requests to the dialog.
std::string rr_config(uint16_t uas_port, std::string_view modparams) {
    std::string uas = "sip:127.0.0.1:" + std::to_string(uas_port);
    return R"cfg(
debug=2
children=2
loadmodule "tm"
loadmodule "sl"
loadmodule "rr"
loadmodule "pv"
loadmodule "kex"
loadmodule "siputils"
loadmodule "dialog"
)cfg" + std::string(modparams) +
           R"cfg(
request_route {
    if (has_totag()) {
        loose_route();
        $du = ")cfg" +
           uas +
           R"cfg(";
        t_relay();
        exit;
    }
    record_route();
    dlg_manage();
    $du = ")cfg" +
           uas +
           R"cfg(";
    t_relay();
}
)cfg";
}

/// An in-dialog request with this proxy's Record-Route (as the UAS saw it) as its Route.
std::string with_route(std::string text, const std::string& route) {
    text.insert(text.find("\r\n") + 2, "Route: " + route + "\r\n");
    return text;
}

TEST(modules_dialog, with_rr_the_did_cookie_matches_in_dialog_requests_at_loose_route) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(rr_config(peers.uas.port(), ""));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    std::string rr = peers.invite->header("Record-Route").value_or("");
    std::string list = call_until("dlg.list", "\"state\": 1");
    auto number_after = [&](std::string_view key) {
        size_t at = list.find(key);
        return at == std::string::npos ? int64_t{-1} : std::stoll(list.substr(at + key.size()));
    };
    char did[40];
    std::snprintf(did, sizeof did, ";did=%llx.%llx>",
                  static_cast<unsigned long long>(number_after("\"h_entry\": ")),
                  static_cast<unsigned long long>(number_after("\"h_id\": ")));
    EXPECT_NE(rr.find(did), std::string::npos) << rr << " has no " << did;
    ASSERT_TRUE(peers.answer(200, "OK"));
    peers.uac.send(with_route(peers.in_dialog("ACK", 1), rr), proxy.port());
    EXPECT_NE(call_until("dlg.list", "\"state\": 4").find("\"state\": 4"), std::string::npos);

    // dlg_match_mode 0 (Kamailio's default): a BYE that does not come through loose_route with the cookie is
    // not the dialog's.
    peers.uac.send(peers.in_dialog("BYE", 2), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    std::this_thread::sleep_for(100ms);
    EXPECT_NE(call("dlg.list").find("\"state\": 4"), std::string::npos);
    // A cookie naming another dialog matches nothing either.
    std::string forged = rr;
    forged.replace(forged.find(";did=") + 5, 1, "f");
    peers.uac.send(with_route(peers.in_dialog("BYE", 3), forged), proxy.port());
    std::this_thread::sleep_for(100ms);
    EXPECT_NE(call("dlg.list").find("\"state\": 4"), std::string::npos);

    peers.uac.send(with_route(peers.in_dialog("BYE", 4), rr), proxy.port());
    EXPECT_EQ(call_until("dlg.list", "[]"), "[]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, with_rr_and_dlg_match_mode_2_there_is_no_cookie_and_tags_match) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        rr_config(peers.uas.port(), "modparam(\"dialog\", \"dlg_match_mode\", 2)\n"));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    std::string rr = peers.invite->header("Record-Route").value_or("");
    EXPECT_EQ(rr.find("did="), std::string::npos) << rr;
    ASSERT_TRUE(peers.answer(200, "OK"));
    peers.uac.send(with_route(peers.in_dialog("ACK", 1), rr), proxy.port());
    EXPECT_NE(call_until("dlg.list", "\"state\": 4").find("\"state\": 4"), std::string::npos)
        << call("dlg.list") << rr;
    peers.uac.send(with_route(peers.in_dialog("BYE", 2), rr), proxy.port());
    EXPECT_EQ(call_until("dlg.list", "[]"), "[]");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, configs_it_cannot_honour_are_refused_in_words) {
    const std::string base = "loadmodule \"tm\"\nloadmodule \"sl\"\nloadmodule \"dialog\"\n";
    auto check = [&](std::string_view extra) { return kit::host::check(base + std::string(extra)); };
    auto r = check("modparam(\"dialog\", \"db_mode\", 1)\nrequest_route { dlg_manage(); }\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("db_mode 1 is not supported"), std::string::npos) << r.output;
    r = check("modparam(\"dialog\", \"hash_size\", 100)\nrequest_route { dlg_manage(); }\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("hash_size must be a power of two"), std::string::npos) << r.output;
    r = check("request_route { set_dlg_profile(\"nope\"); }\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("dialog profile 'nope' is not declared"), std::string::npos) << r.output;
    r = check("modparam(\"dialog\", \"ka_timer\", 10)\nrequest_route { dlg_manage(); }\n");
    EXPECT_NE(r.exit_status, 0) << r.output;
    r = check("request_route { dlg_bye(\"everyone\"); }\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("dlg_bye: the side is"), std::string::npos) << r.output;
    r = check("request_route { dlg_set_property(\"ka-src\"); }\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("sends no keep-alives"), std::string::npos) << r.output;
    r = check("request_route { $var(x) = $dlg(nonsense); }\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("$dlg has no attribute 'nonsense'"), std::string::npos) << r.output;
    r = check("modparam(\"dialog\", \"dlg_match_mode\", 1)\nrequest_route { dlg_manage(); }\n");
    EXPECT_EQ(r.exit_status, 0) << r.output;
    EXPECT_NE(r.output.find("no 'did' Record-Route cookie"), std::string::npos) << r.output;
    r = kit::host::check("loadmodule \"sl\"\nloadmodule \"dialog\"\n");
    EXPECT_NE(r.exit_status, 0) << r.output;
}

// ---- event_route[dialog:*] ----

/// htable's ev table, written by the dialog's event routes: what each saw.
constexpr std::string_view event_modparams = R"cfg(loadmodule "htable"
modparam("htable", "htable", "ev=>size=4;")
)cfg";

constexpr std::string_view event_routes = R"cfg(
event_route[dialog:start] {
    $sht(ev=>start) = "rs=" + $rs + " ci=" + $dlg(callid) + " state=" + $dlg(state) + " who=" + $dlg_var(who);
}
event_route[dialog:end] {
    $sht(ev=>end) = "rm=" + $rm + " ci=" + $ci + " dlg=" + $dlg(callid) + " who=" + $dlg_var(who);
}
event_route[dialog:failed] {
    $sht(ev=>failed) = "rs=" + $rs + " dlg=" + $dlg(callid) + " who=" + $dlg_var(who);
}
)cfg";

std::string event_seen(std::string_view key, std::string_view text) {
    return call_until("htable.get", text, {std::string("ev"), std::string(key)});
}

TEST(modules_dialog, event_routes_start_on_the_2xx_and_end_on_the_bye) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(), event_modparams, "dlg_manage(); $dlg_var(who) = \"alice\";") +
        std::string(event_routes));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    std::string start = event_seen("start", "who=alice");
    EXPECT_NE(start.find("rs=200 ci=dlg-call-1@127.0.0.1 state=3 who=alice"), std::string::npos) << start;
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    peers.uac.send(peers.in_dialog("BYE", 2), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    std::string end = event_seen("end", "who=alice");
    EXPECT_NE(end.find("rm=BYE ci=dlg-call-1@127.0.0.1 dlg=dlg-call-1@127.0.0.1 who=alice"),
              std::string::npos)
        << end;
    EXPECT_EQ(call("htable.get", {std::string("ev"), std::string("failed")}).find("rs="), std::string::npos);
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, event_route_failed_runs_on_the_negative_reply) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(), event_modparams, "dlg_manage(); $dlg_var(who) = \"bob\";") +
        std::string(event_routes));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(486, "Busy Here"));
    std::string failed = event_seen("failed", "who=bob");
    EXPECT_NE(failed.find("rs=486 dlg=dlg-call-1@127.0.0.1 who=bob"), std::string::npos) << failed;
    EXPECT_EQ(call("htable.get", {std::string("ev"), std::string("start")}).find("rs="), std::string::npos);
    EXPECT_EQ(call("htable.get", {std::string("ev"), std::string("end")}).find("rm="), std::string::npos);
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, event_route_end_runs_for_a_timeout_on_a_request_carrying_the_dialog) {
    call_peers peers;
    siphost::tests::inprocess_host proxy(
        proxy_config(peers.uas.port(), event_modparams,
                     "dlg_manage(); dlg_set_timeout(\"1\"); $dlg_var(who) = \"carol\";") +
        std::string(event_routes));
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    ASSERT_TRUE(peers.answer(200, "OK"));
    peers.uac.send(peers.in_dialog("ACK", 1), proxy.port());
    std::string end = call_until("htable.get", "who=carol", {std::string("ev"), std::string("end")}, 4000ms);
    EXPECT_NE(end.find("ci=dlg-call-1@127.0.0.1 dlg=dlg-call-1@127.0.0.1 who=carol"), std::string::npos)
        << end;
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dialog, with_rr_event_route_end_runs_for_the_bye_seen_at_loose_route) {
    call_peers peers;
    std::string config = rr_config(peers.uas.port(), event_modparams) + std::string(event_routes);
    config.replace(config.find("dlg_manage();"), 13, "dlg_manage(); $dlg_var(who) = \"dave\";");
    siphost::tests::inprocess_host proxy(config);
    peers.send_invite(proxy.port());
    ASSERT_TRUE(peers.invite);
    std::string rr = peers.invite->header("Record-Route").value_or("");
    ASSERT_TRUE(peers.answer(200, "OK"));
    EXPECT_NE(event_seen("start", "who=dave").find("rs=200"), std::string::npos);
    peers.uac.send(with_route(peers.in_dialog("ACK", 1), rr), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    peers.uac.send(with_route(peers.in_dialog("BYE", 2), rr), proxy.port());
    ASSERT_TRUE(peers.uas.receive());
    std::string end = event_seen("end", "who=dave");
    EXPECT_NE(end.find("rm=BYE ci=dlg-call-1@127.0.0.1 dlg=dlg-call-1@127.0.0.1 who=dave"), std::string::npos)
        << end;
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
