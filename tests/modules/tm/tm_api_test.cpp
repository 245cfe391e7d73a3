// tm.so through the fake host, as another module sees it: the "tm" API (callbacks, t_uac, reply_with,
// references), the RPC commands and the descriptor. Timers are driven by hand: run_timers(now + delay).
#include "../fake_host.hpp"

#include <siphost/api/tm.h>
#include <siphost/module.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

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

/// One call of a callback, with copies of what it was given.
struct seen_call {
    uint32_t type = 0;
    int code = 0;
    int branch = -1;
    bool has_reply = false;
    bool has_request = false;
    bool has_received = false;
    std::string bytes;
    siphost_tm_transaction* t = nullptr;
};

std::vector<seen_call> seen;
const siphost_tm_api_v1* tm_api = nullptr;
uint32_t register_on_request_in = 0; ///< types the REQUEST_IN callback registers on the new transaction

void record(const siphost_tm_callback_params* p) {
    seen.push_back(seen_call{p->type, p->code, p->branch, p->reply != nullptr, p->request != nullptr,
                             p->received != nullptr, std::string(sdk::view(p->bytes)), p->t});
}

void on_request_in(const siphost_tm_callback_params* p) {
    record(p);
    if (register_on_request_in != 0)
        tm_api->register_callback(p->t, register_on_request_in, record, nullptr);
}

/// A reply to a request tm sent: every Via, From, To (with to_tag), Call-ID and CSeq copied.
std::string reply_to(std::string_view request, int code, std::string_view reason, std::string_view to_tag) {
    std::string out = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
    size_t pos = request.find("\r\n") + 2;
    while (pos < request.size()) {
        size_t end = request.find("\r\n", pos);
        std::string_view line = request.substr(pos, end - pos);
        if (line.empty())
            break;
        for (std::string_view name : {"Via:", "From:", "Call-ID:", "CSeq:"})
            if (line.starts_with(name))
                out.append(line).append("\r\n");
        if (line.starts_with("To:")) {
            out.append(line);
            if (!to_tag.empty() && line.find(";tag=") == std::string_view::npos)
                out.append(";tag=").append(to_tag);
            out.append("\r\n");
        }
        pos = end + 2;
    }
    return out + "Content-Length: 0\r\n\r\n";
}

class modules_tm_api : public ::testing::Test {
protected:
    void SetUp() override {
        seen.clear();
        register_on_request_in = 0;
        std::string error;
        ASSERT_EQ(tm.init(host, &error), 0) << error;
        tm_api = static_cast<const siphost_tm_api_v1*>(host.api()->api_lookup("tm", 1));
        ASSERT_NE(tm_api, nullptr);
        ASSERT_TRUE(SIPHOST_HAS(siphost_tm_api_v1, tm_api, t_uac));
        now = host.api()->now_ms();
    }

    /// Runs a reply through tm's reply hook as the host would; true when tm took it.
    bool receive_reply(const std::string& text) {
        auto reply = host.parse(text);
        for (const auto& hook : host.reply_hooks)
            if (hook.fn(reply.get(), hook.data) == SIPHOST_HOOK_CONSUMED)
                return true;
        return false;
    }

    /// The request hooks around request_route: before, then the script (run), then after.
    template <class Script> void run_request(siphost_msg* msg, Script&& script) {
        host.run_request_hooks(msg, SIPHOST_HOOK_PRE_SCRIPT);
        script();
        host.run_request_hooks(msg, SIPHOST_HOOK_POST_SCRIPT);
    }

    siphost_tm_uac_request options() {
        siphost_tm_uac_request r = sdk::sized<siphost_tm_uac_request>();
        r.method = sdk::str("OPTIONS");
        r.ruri = sdk::str("sip:bob@192.0.2.20:5070");
        r.to = sdk::str("sip:bob@192.0.2.20");
        r.from = sdk::str("<sip:monitor@192.0.2.10>");
        r.callback_types = SIPHOST_TM_CB_REQUEST_OUT | SIPHOST_TM_CB_RESPONSE_IN | SIPHOST_TM_CB_COMPLETED |
                           SIPHOST_TM_CB_DESTROY;
        r.callback = record;
        return r;
    }

    std::vector<uint32_t> types_seen() const {
        std::vector<uint32_t> types;
        for (const auto& call : seen)
            types.push_back(call.type);
        return types;
    }

    fake_host host;
    loaded_module tm{"tm"};
    uint64_t now = 0;
};

TEST_F(modules_tm_api, declares_its_events_and_rpcs_and_needs_no_module) {
    const siphost_module& d = tm.descriptor();
    EXPECT_EQ(d.depends, nullptr);
    ASSERT_NE(d.events, nullptr);
    EXPECT_STREQ(d.events[0].name, "tm:branch-failure");
    EXPECT_EQ(d.events[0].route_type, SIPHOST_ROUTE_BRANCH_FAILURE);
    EXPECT_EQ(d.events[0].flags, SIPHOST_EVENT_NAMED);
    EXPECT_STREQ(d.events[1].name, "tm:local-request");
    EXPECT_EQ(d.events[1].route_type, SIPHOST_ROUTE_EVENT);
    EXPECT_EQ(d.events[2].name, nullptr);
    EXPECT_NE(tm.find_rpc("tm.stats"), nullptr);
    EXPECT_NE(tm.find_rpc("tm.list"), nullptr);
    loaded_module tmx{"tmx"};
    ASSERT_NE(tmx.descriptor().depends, nullptr);
    EXPECT_STREQ(tmx.descriptor().depends[0], "tm");
    EXPECT_EQ(tmx.descriptor().depends[1], nullptr);
}

TEST_F(modules_tm_api, t_uac_sends_a_request_of_its_own_and_reports_the_final_reply) {
    siphost_tm_uac_request r = options();
    uint32_t index = 0, label = 0;
    ASSERT_EQ(tm_api->t_uac(&r, &index, &label), 1);
    ASSERT_EQ(host.datagrams.size(), 1u);
    const std::string sent = host.datagrams[0].bytes;
    EXPECT_TRUE(
        sent.starts_with("OPTIONS sip:bob@192.0.2.20:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;"
                         "branch=z9hG4bKtm"));
    EXPECT_NE(sent.find("\r\nMax-Forwards: 70\r\n"), std::string::npos);
    EXPECT_NE(sent.find("\r\nFrom: <sip:monitor@192.0.2.10>;tag="), std::string::npos);
    EXPECT_NE(sent.find("\r\nTo: <sip:bob@192.0.2.20>\r\n"), std::string::npos);
    EXPECT_NE(sent.find("\r\nCSeq: 1 OPTIONS\r\n"), std::string::npos);
    EXPECT_NE(sent.find("@192.0.2.10\r\n"), std::string::npos) << "the Call-ID names the socket's host";
    EXPECT_EQ(host.datagrams[0].to.port, 5070);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].type, SIPHOST_TM_CB_REQUEST_OUT);
    EXPECT_EQ(seen[0].bytes, sent);
    EXPECT_EQ(seen[0].branch, 0);

    siphost_tm_transaction_info info = sdk::sized<siphost_tm_transaction_info>();
    ASSERT_EQ(tm_api->transaction_info(seen[0].t, &info), 0);
    EXPECT_EQ(info.index, index);
    EXPECT_EQ(info.label, label);
    EXPECT_EQ(sdk::view(info.method), "OPTIONS");
    EXPECT_EQ(info.flags & SIPHOST_TM_LOCAL, SIPHOST_TM_LOCAL);
    EXPECT_EQ(info.branch_count, 1u);

    EXPECT_TRUE(receive_reply(reply_to(sent, 200, "OK", "uas-1")));
    EXPECT_EQ(types_seen(), (std::vector<uint32_t>{SIPHOST_TM_CB_REQUEST_OUT, SIPHOST_TM_CB_RESPONSE_IN,
                                                   SIPHOST_TM_CB_COMPLETED}));
    EXPECT_EQ(seen[2].code, 200);
    EXPECT_TRUE(seen[2].has_reply);
    EXPECT_TRUE(seen[2].has_request);
    EXPECT_EQ(host.datagrams.size(), 1u) << "nothing goes upstream: there is none";

    host.run_timers(now + 6000); // wt_timer: the transaction goes
    EXPECT_EQ(seen.back().type, SIPHOST_TM_CB_DESTROY);
    EXPECT_EQ(host.counter("tm.active"), 0);
    EXPECT_EQ(host.counter("tm.local_created"), 1);
    EXPECT_EQ(host.counter("tm.completed_2xx"), 1);
}

TEST_F(modules_tm_api, t_uac_retransmits_and_times_out_with_408) {
    siphost_tm_uac_request r = options();
    ASSERT_EQ(tm_api->t_uac(&r, nullptr, nullptr), 1);
    host.run_timers(now + 600); // T1 = 500 ms
    ASSERT_EQ(host.datagrams.size(), 2u);
    EXPECT_EQ(host.datagrams[1].bytes, host.datagrams[0].bytes);
    host.run_timers(now + 31000); // fr_timer = 30 s
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().type, SIPHOST_TM_CB_COMPLETED);
    EXPECT_EQ(seen.back().code, 408);
    EXPECT_FALSE(seen.back().has_reply);
    EXPECT_GE(host.counter("tm.retransmissions").value_or(0), 1);
}

TEST_F(modules_tm_api, t_uac_of_an_invite_acks_a_negative_reply_itself) {
    siphost_tm_uac_request r = options();
    r.method = sdk::str("INVITE");
    r.headers = sdk::str("Contact: <sip:monitor@192.0.2.10>\r\nContent-Type: application/sdp\r\n");
    r.body = sdk::str("v=0\r\n");
    ASSERT_EQ(tm_api->t_uac(&r, nullptr, nullptr), 1);
    const std::string sent = host.datagrams.at(0).bytes;
    EXPECT_NE(sent.find("Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n"),
              std::string::npos);
    EXPECT_TRUE(receive_reply(reply_to(sent, 180, "Ringing", "uas-2")));
    EXPECT_TRUE(receive_reply(reply_to(sent, 486, "Busy Here", "uas-2")));
    ASSERT_EQ(host.datagrams.size(), 2u);
    EXPECT_TRUE(host.datagrams[1].bytes.starts_with("ACK sip:bob@192.0.2.20:5070 SIP/2.0\r\n"));
    EXPECT_NE(host.datagrams[1].bytes.find(";tag=uas-2"), std::string::npos);
    EXPECT_EQ(types_seen(), (std::vector<uint32_t>{SIPHOST_TM_CB_REQUEST_OUT, SIPHOST_TM_CB_RESPONSE_IN,
                                                   SIPHOST_TM_CB_RESPONSE_IN, SIPHOST_TM_CB_COMPLETED}));
    EXPECT_EQ(seen.back().code, 486);
}

TEST_F(modules_tm_api, t_uac_refuses_what_it_cannot_send_and_calls_nothing) {
    siphost_tm_uac_request r = options();
    r.method = sdk::str("ACK");
    EXPECT_EQ(tm_api->t_uac(&r, nullptr, nullptr), -1);
    r = options();
    r.ruri = sdk::str("sip:bob@not-an-address.invalid");
    EXPECT_EQ(tm_api->t_uac(&r, nullptr, nullptr), -1);
    r = options();
    r.callback_types = SIPHOST_TM_CB_RESPONSE_OUT;
    EXPECT_EQ(tm_api->t_uac(&r, nullptr, nullptr), -1);
    r = options();
    r.to = sdk::str("Bob sip:bob@192.0.2.20"); // a display name without < >
    EXPECT_EQ(tm_api->t_uac(&r, nullptr, nullptr), -1);
    host.send_result = -1;
    r = options();
    EXPECT_EQ(tm_api->t_uac(&r, nullptr, nullptr), -1);
    EXPECT_TRUE(seen.empty());
    EXPECT_EQ(host.counter("tm.active"), 0);
}

TEST_F(modules_tm_api, t_uac_keeps_a_given_call_id_cseq_and_next_hop) {
    siphost_tm_uac_request r = options();
    r.call_id = sdk::str("dialog-7@example.com");
    r.cseq = 12;
    r.method = sdk::str("BYE");
    r.to = sdk::str("<sip:bob@example.com>;tag=theirs");
    r.from = sdk::str("<sip:alice@example.com>;tag=mine");
    r.ruri = sdk::str("sip:bob@example.com");
    r.next_hop = sdk::str("sip:192.0.2.30:5080");
    ASSERT_EQ(tm_api->t_uac(&r, nullptr, nullptr), 1);
    const std::string& sent = host.datagrams.at(0).bytes;
    EXPECT_NE(sent.find("\r\nCall-ID: dialog-7@example.com\r\nCSeq: 12 BYE\r\n"), std::string::npos);
    EXPECT_NE(sent.find("\r\nFrom: <sip:alice@example.com>;tag=mine\r\n"), std::string::npos);
    EXPECT_NE(sent.find("\r\nTo: <sip:bob@example.com>;tag=theirs\r\n"), std::string::npos);
    EXPECT_EQ(host.datagrams[0].to.port, 5080);
    siphost_tm_transaction_info info = sdk::sized<siphost_tm_transaction_info>();
    ASSERT_EQ(tm_api->transaction_info(seen.at(0).t, &info), 0);
    EXPECT_EQ(sdk::view(info.from_tag), "mine");
    EXPECT_EQ(sdk::view(info.call_id), "dialog-7@example.com");
    EXPECT_EQ(info.cseq, 12u);
    EXPECT_EQ(sdk::view(info.ruri), "sip:bob@example.com");
}

TEST_F(modules_tm_api, local_request_event_route_changes_what_is_sent) {
    host.routes.emplace_back(SIPHOST_ROUTE_EVENT, "tm:local-request");
    host.on_route_run = [&](int, siphost_msg* msg) {
        host.api()->msg_add_header(msg, sdk::str("X-Local: yes\r\n"), SIPHOST_HDR_BOTTOM,
                                   siphost_str{nullptr, 0});
        return static_cast<int>(SIPHOST_ROUTE_RAN);
    };
    siphost_tm_uac_request r = options();
    ASSERT_EQ(tm_api->t_uac(&r, nullptr, nullptr), 1);
    const std::string& sent = host.datagrams.at(0).bytes;
    EXPECT_NE(sent.find("X-Local: yes\r\n"), std::string::npos);
    EXPECT_EQ(sent.find("Via:"), sent.rfind("Via:")) << "one Via, tm's";
    EXPECT_NE(sent.find("Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtm"), std::string::npos);
    EXPECT_NE(sent.find("Max-Forwards: 70"), std::string::npos);
}

TEST_F(modules_tm_api, request_in_attaches_to_every_transaction_and_sees_what_goes_upstream) {
    register_on_request_in = SIPHOST_TM_CB_RESPONSE_OUT | SIPHOST_TM_CB_COMPLETED;
    ASSERT_EQ(tm_api->register_callback(nullptr, SIPHOST_TM_CB_REQUEST_IN, on_request_in, nullptr), 0);
    EXPECT_EQ(tm_api->register_callback(nullptr, SIPHOST_TM_CB_COMPLETED, record, nullptr), -1);
    auto invite = host.parse(invite_text);
    run_request(invite.get(), [&] {
        call_site newtran(tm, "t_newtran", {});
        EXPECT_EQ(newtran.run(invite.get()), 1);
        siphost_tm_transaction* t = tm_api->transaction(invite.get());
        ASSERT_NE(t, nullptr);
        EXPECT_EQ(t, seen.at(0).t);
        EXPECT_EQ(tm_api->register_callback(t, SIPHOST_TM_CB_REQUEST_IN, record, nullptr), -1);
        call_site reply(tm, "t_reply", {arg(404), arg("Not Here")});
        EXPECT_EQ(reply.run(invite.get()), 1);
    });
    // REQUEST_IN, the automatic 100 going up, then the 404 going up and completing the transaction.
    EXPECT_EQ(types_seen(), (std::vector<uint32_t>{SIPHOST_TM_CB_REQUEST_IN, SIPHOST_TM_CB_RESPONSE_OUT,
                                                   SIPHOST_TM_CB_RESPONSE_OUT, SIPHOST_TM_CB_COMPLETED}));
    EXPECT_TRUE(seen[0].has_received);
    EXPECT_TRUE(seen[0].has_request);
    EXPECT_EQ(seen[1].code, 100);
    EXPECT_FALSE(seen[1].has_reply);
    EXPECT_TRUE(seen[1].bytes.starts_with("SIP/2.0 100 "));
    EXPECT_EQ(seen[2].code, 404);
    EXPECT_TRUE(seen[2].bytes.starts_with("SIP/2.0 404 Not Here\r\n"));
    EXPECT_EQ(seen[3].code, 404);
}

TEST_F(modules_tm_api, reply_with_sends_headers_and_a_body_in_the_transaction) {
    auto request = host.parse("MESSAGE sip:bob@example.com SIP/2.0\n"
                              "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-msg-1\n"
                              "From: Alice <sip:alice@example.com>;tag=from-1\n"
                              "To: Bob <sip:bob@example.com>\n"
                              "Call-ID: msg-1@198.51.100.7\n"
                              "CSeq: 1 MESSAGE\n"
                              "Content-Length: 0\n"
                              "\n");
    run_request(request.get(), [&] {
        EXPECT_EQ(tm_api->has_transaction(request.get()), 0);
        EXPECT_EQ(tm_api->reply_with(request.get(), 200, sdk::str("OK"), sdk::str(""), sdk::str("")), -1);
        EXPECT_EQ(tm_api->newtran(request.get()), 1);
        EXPECT_EQ(tm_api->has_transaction(request.get()), 1);
        EXPECT_EQ(tm_api->reply_with(request.get(), 200, sdk::str("OK"),
                                     sdk::str("Content-Type: text/plain\r\n"), sdk::str("hi")),
                  1);
        EXPECT_EQ(tm_api->reply_with(request.get(), 500, sdk::str(""), sdk::str(""), sdk::str("")), -1)
            << "one final reply";
    });
    ASSERT_EQ(host.datagrams.size(), 1u);
    const std::string& sent = host.datagrams[0].bytes;
    EXPECT_TRUE(sent.starts_with("SIP/2.0 200 OK\r\n"));
    EXPECT_NE(sent.find("Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"), std::string::npos);
    // A retransmission of the request gets the same reply again, and newtran says so.
    auto again = host.parse(std::string(request->raw));
    host.run_request_hooks(again.get(), SIPHOST_HOOK_PRE_SCRIPT);
    EXPECT_EQ(host.datagrams.size(), 2u);
    EXPECT_EQ(tm_api->newtran(again.get()), 0);
    host.run_request_hooks(again.get(), SIPHOST_HOOK_POST_SCRIPT);
}

TEST_F(modules_tm_api, relay_reports_each_branch_the_failure_and_the_relayed_final) {
    register_on_request_in = SIPHOST_TM_CB_REQUEST_OUT | SIPHOST_TM_CB_RESPONSE_IN |
                             SIPHOST_TM_CB_ON_FAILURE | SIPHOST_TM_CB_COMPLETED;
    ASSERT_EQ(tm_api->register_callback(nullptr, SIPHOST_TM_CB_REQUEST_IN, on_request_in, nullptr), 0);
    auto invite = host.parse(invite_text);
    ASSERT_EQ(host.api()->msg_set_ruri(invite.get(), sdk::str("sip:bob@192.0.2.21")), 0);
    siphost_branch second = sdk::sized<siphost_branch>();
    second.uri = sdk::str("sip:bob@192.0.2.22");
    ASSERT_EQ(host.api()->msgctx->append_branch(invite.get(), &second), 0);
    run_request(invite.get(), [&] {
        call_site relay(tm, "t_relay", {});
        EXPECT_EQ(relay.run(invite.get()), 1);
    });
    EXPECT_EQ(host.api()->msgctx->branch_count(invite.get()), 0u) << "the destination set is used up";
    // 100 upstream, then a branch to each target.
    ASSERT_EQ(host.datagrams.size(), 3u);
    EXPECT_TRUE(host.datagrams[1].bytes.starts_with("INVITE sip:bob@192.0.2.21 SIP/2.0\r\n"));
    EXPECT_TRUE(host.datagrams[2].bytes.starts_with("INVITE sip:bob@192.0.2.22 SIP/2.0\r\n"));
    EXPECT_EQ(types_seen(), (std::vector<uint32_t>{SIPHOST_TM_CB_REQUEST_IN, SIPHOST_TM_CB_REQUEST_OUT,
                                                   SIPHOST_TM_CB_REQUEST_OUT}));
    EXPECT_EQ(seen[1].branch, 0);
    EXPECT_EQ(seen[2].branch, 1);

    seen.clear();
    EXPECT_TRUE(receive_reply(reply_to(host.datagrams[1].bytes, 404, "Not Found", "a")));
    EXPECT_TRUE(receive_reply(reply_to(host.datagrams[2].bytes, 486, "Busy Here", "b")));
    EXPECT_EQ(types_seen(), (std::vector<uint32_t>{SIPHOST_TM_CB_RESPONSE_IN, SIPHOST_TM_CB_RESPONSE_IN,
                                                   SIPHOST_TM_CB_ON_FAILURE, SIPHOST_TM_CB_COMPLETED}));
    EXPECT_EQ(seen[2].code, 404); // two 4xx: the lower code goes upstream
    EXPECT_EQ(seen[2].branch, 0);
    EXPECT_EQ(seen[3].code, 404);
    EXPECT_TRUE(seen[3].has_reply);
}

TEST_F(modules_tm_api, references_keep_a_transaction_and_lookup_ident_finds_it) {
    auto request = host.parse(invite_text);
    siphost_tm_transaction* t = nullptr;
    run_request(request.get(), [&] {
        ASSERT_EQ(tm_api->newtran(request.get()), 1);
        t = tm_api->transaction(request.get());
        tm_api->ref(t);
        ASSERT_EQ(tm_api->register_callback(t, SIPHOST_TM_CB_DESTROY, record, nullptr), 0);
        call_site reply(tm, "t_reply", {arg(200), arg("OK")});
        EXPECT_EQ(reply.run(request.get()), 1);
    });
    siphost_tm_transaction_info info = sdk::sized<siphost_tm_transaction_info>();
    ASSERT_EQ(tm_api->transaction_info(t, &info), 0);
    EXPECT_EQ(info.status, 200);
    EXPECT_EQ(info.flags & SIPHOST_TM_FINAL, SIPHOST_TM_FINAL);
    EXPECT_EQ(sdk::view(info.call_id), "call-1@198.51.100.7");
    siphost_tm_transaction* found = tm_api->lookup_ident(info.index, info.label);
    EXPECT_EQ(found, t);
    tm_api->unref(found);
    EXPECT_EQ(tm_api->lookup_ident(info.index, info.label + 1), nullptr);

    host.run_timers(now + 6000); // out of the table after wt_timer, still referenced
    EXPECT_EQ(tm_api->lookup_ident(info.index, info.label), nullptr);
    EXPECT_TRUE(seen.empty());
    tm_api->unref(t); // the last reference
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].type, SIPHOST_TM_CB_DESTROY);
}

TEST_F(modules_tm_api, stats_and_list_rpcs) {
    auto request = host.parse(invite_text);
    run_request(request.get(), [&] {
        ASSERT_EQ(tm_api->newtran(request.get()), 1);
        call_site reply(tm, "t_reply", {arg(486), arg("Busy Here")});
        EXPECT_EQ(reply.run(request.get()), 1);
    });
    rpc_reply stats = host.run_rpc(*tm.find_rpc("tm.stats"), {});
    EXPECT_EQ(stats.text,
              "[{\"current\": 1, \"waiting\": 0, \"total\": 1, \"total_local\": 0, \"rpl_received\": 0, "
              "\"rpl_generated\": 2, \"rpl_sent\": 2, \"6xx\": 0, \"5xx\": 0, \"4xx\": 1, \"3xx\": 0, "
              "\"2xx\": 0, \"created\": 1, \"freed\": 0}]");
    rpc_reply list = host.run_rpc(*tm.find_rpc("tm.list"), {});
    EXPECT_NE(list.text.find("\"method\": \"INVITE\""), std::string::npos) << list.text;
    EXPECT_NE(list.text.find("\"callid\": \"call-1@198.51.100.7\""), std::string::npos);
    EXPECT_NE(list.text.find("\"status\": 486"), std::string::npos);
}

TEST_F(modules_tm_api, branch_failure_route_runs_for_each_failed_branch) {
    host.routes.emplace_back(SIPHOST_ROUTE_BRANCH_FAILURE, "tm:branch-failure:retry");
    std::vector<int> codes;
    host.on_route_run = [&](int, siphost_msg*) {
        codes.push_back(tm_api->reply_code(nullptr));
        EXPECT_EQ(tm_api->route_type(), SIPHOST_ROUTE_BRANCH_FAILURE);
        return static_cast<int>(SIPHOST_ROUTE_RAN);
    };
    EXPECT_THROW(call_site(tm, "t_on_branch_failure", {arg("missing")}), std::runtime_error);
    auto invite = host.parse(invite_text);
    ASSERT_EQ(host.api()->msg_set_ruri(invite.get(), sdk::str("sip:bob@192.0.2.21")), 0);
    run_request(invite.get(), [&] {
        call_site arm(tm, "t_on_branch_failure", {arg("retry")});
        EXPECT_EQ(arm.run(invite.get()), 1);
        call_site relay(tm, "t_relay", {});
        EXPECT_EQ(relay.run(invite.get()), 1);
    });
    EXPECT_TRUE(receive_reply(reply_to(host.datagrams.at(1).bytes, 480, "Unavailable", "a")));
    EXPECT_EQ(codes, std::vector<int>{480});
}

} // namespace
} // namespace siphost::tests
