// dispatcher in the real host: requests relayed (tm) to kit peers that play the destinations of a list file.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

/// A scratch directory for a list file, removed with the test.
class scratch {
public:
    scratch() {
        std::string pattern = (std::filesystem::temp_directory_path() / "dispatcher-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
    }
    ~scratch() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    std::string write(const std::string& name, const std::string& text) const {
        std::string path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }

private:
    std::filesystem::path dir_;
};

std::string dst(const kit::peer& p) {
    return "sip:127.0.0.1:" + std::to_string(p.port());
}

/// tm (fr_timer 1 s), dispatcher with the failover list on, and routes: the user part of the Request-URI
/// names the set, X-Alg the algorithm.
std::string config(const std::string& list, const std::string& extra = "") {
    return "debug=3\nchildren=1\nloadmodule \"sl\"\nloadmodule \"tm\"\nloadmodule \"tmx\"\nloadmodule "
           "\"xlog\"\n"
           "loadmodule \"dispatcher\"\n"
           "modparam(\"tm\", \"fr_timer\", 1000)\nmodparam(\"tm\", \"wt_timer\", 200)\n"
           "modparam(\"dispatcher\", \"list_file\", \"" +
           list + "\")\nmodparam(\"dispatcher\", \"flags\", 2)\n" + extra + R"~(
request_route {
    if ($rU == "from") {
        if (ds_is_from_list("$hdr(X-Set)")) { sl_send_reply("200", "From List"); exit; }
        sl_send_reply("403", "Not From List"); exit;
    }
    if ($rU == "exists") {
        if (ds_list_exists("$hdr(X-Set)")) { sl_send_reply("200", "Exists"); exit; }
        sl_send_reply("404", "No Such Set"); exit;
    }
    if ($rU == "mark") {
        if (!ds_select_dst("1", "8")) { sl_send_reply("503", "No Destination"); exit; }
        t_on_failure("mark");
        t_relay();
        exit;
    }
    if ($rU == "domain") {
        if (!ds_select_domain("1", "4")) { sl_send_reply("503", "No Destination"); exit; }
    } else if (!ds_select_dst("$rU", "$hdr(X-Alg)")) {
        sl_send_reply("503", "No Destination"); exit;
    }
    t_on_failure("next");
    t_relay();
    exit;
}
failure_route[next] {
    xlog("L_INFO", "failover after $T_reply_code\n");
    if (ds_next_dst()) { t_on_failure("next"); t_relay(); exit; }
}
failure_route[mark] {
    ds_mark_dst("ip");
    if (ds_next_dst()) { t_relay(); exit; }
}
event_route[dispatcher:dst-down] { xlog("L_INFO", "EVENT down $ru\n"); }
event_route[dispatcher:dst-up] { xlog("L_INFO", "EVENT up $ru\n"); }
)~";
}

kit::request_options with_alg(int alg, std::string call_id = "", std::string from = "sip:alice@127.0.0.1",
                              std::string to = "") {
    kit::request_options o;
    o.extra_headers = "X-Alg: " + std::to_string(alg) + "\r\n";
    o.call_id = std::move(call_id);
    o.from_uri = std::move(from);
    o.to_uri = std::move(to);
    return o;
}

/// Sends one OPTIONS through the proxy; the destination that gets it answers 200. Returns the index of that
/// destination in peers, or -1 (none got it, or the UAC had no 200).
int route_one(kit::host& proxy, kit::peer& uac, std::vector<kit::peer*> peers, const std::string& set,
              const kit::request_options& options) {
    uac.send(kit::request("OPTIONS", "sip:" + set + "@127.0.0.1", uac, options), proxy.port());
    for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < peers.size(); ++i) {
            auto got = peers[i]->receive(50ms);
            if (got && got->is_request()) {
                peers[i]->reply(*got, 200, "OK");
                auto reply = uac.receive(2000ms);
                return reply && reply->status() == 200 ? static_cast<int>(i) : -1;
            }
        }
    }
    return -1;
}

TEST(modules_dispatcher, round_robin_alternates) {
    kit::peer a, b, c, uac;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(a) + "\n1 " + dst(b) + "\n1 " + dst(c) + "\n");
    kit::host proxy(config(list));
    std::vector<int> seen;
    for (int i = 0; i < 6; ++i)
        seen.push_back(route_one(proxy, uac, {&a, &b, &c}, "1", with_alg(4)));
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 0, 1, 2})) << proxy.log();
}

TEST(modules_dispatcher, hash_algorithms_keep_a_key_on_one_destination) {
    kit::peer a, b, uac;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(a) + "\n1 " + dst(b) + "\n");
    kit::host proxy(config(list));
    // 0: Call-ID, 1: From URI, 2: To URI. The same key goes to the same destination; different keys use both.
    for (int alg : {0, 1, 2}) {
        std::map<int, int> per_key_first;
        std::set<int> used;
        for (int key = 0; key < 12; ++key)
            for (int repeat = 0; repeat < 2; ++repeat) {
                std::string k = std::to_string(key);
                kit::request_options o =
                    alg == 0   ? with_alg(0, "key-" + k)
                    : alg == 1 ? with_alg(1, "", "sip:user" + k + "@127.0.0.1")
                               : with_alg(2, "", "sip:alice@127.0.0.1", "sip:callee" + k + "@127.0.0.1");
                int got = route_one(proxy, uac, {&a, &b}, "1", o);
                ASSERT_GE(got, 0) << "alg " << alg << proxy.log();
                used.insert(got);
                auto [it, fresh] = per_key_first.emplace(key, got);
                EXPECT_EQ(it->second, got) << "alg " << alg << " key " << key;
            }
        EXPECT_EQ(used.size(), 2u) << "alg " << alg << ": twelve keys all hashed to one destination";
    }
}

TEST(modules_dispatcher, priority_picks_the_highest_and_fails_over_in_order) {
    kit::peer low, high, mid, uac;
    scratch dir;
    std::string list =
        dir.write("list", "1 " + dst(low) + " 0 1\n1 " + dst(high) + " 0 10\n1 " + dst(mid) + " 0 5\n");
    kit::host proxy(config(list));
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(route_one(proxy, uac, {&low, &high, &mid}, "1", with_alg(8)), 1);
    // high and mid refuse with 503: failure_route's ds_next_dst goes down the priorities.
    uac.send(kit::request("OPTIONS", "sip:1@127.0.0.1", uac, with_alg(8)), proxy.port());
    auto first = high.receive();
    ASSERT_TRUE(first) << proxy.log();
    high.reply(*first, 503, "Busy");
    auto second = mid.receive();
    ASSERT_TRUE(second) << proxy.log();
    mid.reply(*second, 503, "Busy");
    auto third = low.receive();
    ASSERT_TRUE(third) << proxy.log();
    low.reply(*third, 200, "OK");
    std::optional<kit::message> reply;
    while ((reply = uac.receive()) && reply->status() < 200) {
    }
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status(), 200);
}

TEST(modules_dispatcher, failover_after_a_timeout_and_the_end_of_the_list) {
    kit::peer silent, b, uac;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(silent) + " 0 10\n1 " + dst(b) + " 0 5\n");
    kit::host proxy(config(list));
    uac.send(kit::request("OPTIONS", "sip:1@127.0.0.1", uac, with_alg(8)), proxy.port());
    ASSERT_TRUE(silent.receive()) << proxy.log();
    // fr_timer is 1 s: then failure_route sends to b.
    auto second = b.receive(3000ms);
    ASSERT_TRUE(second) << proxy.log();
    b.reply(*second, 503, "Busy");
    // No destination left: the 503 goes upstream.
    std::optional<kit::message> reply;
    while ((reply = uac.receive(3000ms)) && reply->status() < 200) {
    }
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status(), 503);
    EXPECT_TRUE(proxy.wait_for_log("failover after 408")) << proxy.log();
}

TEST(modules_dispatcher, weight_and_relative_weight_share_the_load) {
    kit::peer a, b, c, uac;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(a) + " 0 0 rweight=1\n1 " + dst(b) +
                                             " 0 0 rweight=2\n1 " + dst(c) + " 0 0 rweight=1\n2 " + dst(a) +
                                             " 0 0 weight=50\n2 " + dst(b) + " 0 0 weight=50\n");
    kit::host proxy(config(list));
    std::map<int, int> count;
    for (int i = 0; i < 8; ++i)
        ++count[route_one(proxy, uac, {&a, &b, &c}, "1", with_alg(11))];
    EXPECT_EQ(count, (std::map<int, int>{{0, 2}, {1, 4}, {2, 2}})) << proxy.log();
    count.clear();
    for (int i = 0; i < 100; ++i)
        ++count[route_one(proxy, uac, {&a, &b}, "2", with_alg(9))];
    EXPECT_EQ(count, (std::map<int, int>{{0, 50}, {1, 50}}));
}

TEST(modules_dispatcher, select_domain_rewrites_the_request_uri) {
    kit::peer a, b, uac;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(a) + "\n1 " + dst(b) + "\n");
    kit::host proxy(config(list));
    uac.send(kit::request("OPTIONS", "sip:domain@example.com", uac), proxy.port());
    auto got = a.receive();
    ASSERT_TRUE(got) << proxy.log();
    EXPECT_EQ(got->request_uri(), "sip:domain@127.0.0.1:" + std::to_string(a.port()));
    a.reply(*got, 200, "OK");
}

TEST(modules_dispatcher, is_from_list_matches_the_source) {
    kit::peer member, uac, other;
    scratch dir;
    std::string list = dir.write("list", "3 " + dst(member) + "\n");
    kit::host proxy(config(list));
    auto ask = [&](kit::peer& from, const std::string& set) {
        kit::request_options o;
        o.extra_headers = "X-Set: " + set + "\r\n";
        from.send(kit::request("OPTIONS", "sip:from@127.0.0.1", from, o), proxy.port());
        auto reply = from.receive();
        return reply ? reply->status() : 0;
    };
    EXPECT_EQ(ask(member, "3"), 200);
    EXPECT_EQ(ask(member, "-1"), 200);
    EXPECT_EQ(ask(member, "4"), 403);
    EXPECT_EQ(ask(other, "3"), 403);
    auto exists = [&](const std::string& set) {
        kit::request_options o;
        o.extra_headers = "X-Set: " + set + "\r\n";
        uac.send(kit::request("OPTIONS", "sip:exists@127.0.0.1", uac, o), proxy.port());
        auto reply = uac.receive();
        return reply ? reply->status() : 0;
    };
    EXPECT_EQ(exists("3"), 200);
    EXPECT_EQ(exists("4"), 404);
}

TEST(modules_dispatcher, mark_dst_takes_a_failed_destination_out) {
    kit::peer a, b, uac;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(a) + " 0 10\n1 " + dst(b) + " 0 5\n");
    kit::host proxy(config(list));
    uac.send(kit::request("OPTIONS", "sip:mark@127.0.0.1", uac), proxy.port());
    auto first = a.receive();
    ASSERT_TRUE(first) << proxy.log();
    a.reply(*first, 500, "Broken");
    auto second = b.receive();
    ASSERT_TRUE(second) << proxy.log();
    b.reply(*second, 200, "OK");
    EXPECT_TRUE(proxy.wait_for_log("EVENT down " + dst(a))) << proxy.log();
    // a is inactive and probing now: priority order starts at b.
    EXPECT_EQ(route_one(proxy, uac, {&a, &b}, "1", with_alg(8)), 1);
    EXPECT_EQ(route_one(proxy, uac, {&a, &b}, "1", with_alg(4)), 1);
}

TEST(modules_dispatcher, an_empty_set_or_missing_set_answers_503) {
    kit::peer a, uac;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(a) + " 1\n"); // flags 1: inactive
    kit::host proxy(config(list));
    for (const char* set : {"1", "9"}) {
        uac.send(kit::request("OPTIONS", std::string("sip:") + set + "@127.0.0.1", uac, with_alg(4)),
                 proxy.port());
        auto reply = uac.receive();
        ASSERT_TRUE(reply);
        EXPECT_EQ(reply->status(), 503) << set;
    }
    EXPECT_FALSE(a.receive(200ms));
}

TEST(modules_dispatcher, list_file_errors_name_the_line) {
    scratch dir;
    struct bad_case {
        std::string text;
        std::string says;
    };
    for (const bad_case& c : std::vector<bad_case>{
             {"1 sip:127.0.0.1:5070\nx sip:127.0.0.1:5071\n", "line 2: the set id \"x\" is not a number"},
             {"# comment\n\n1 not-a-uri\n", "line 3: \"not-a-uri\" is not a sip or sips URI"},
             {"1 sip:127.0.0.1:5070 zz\n", "line 1: the flags \"zz\" are not a number"},
             {"1\n", "line 1: expected"},
             {"1 sip:127.0.0.1 0 0 weight=abc\n", "line 1: weight and rweight"},
         }) {
        std::string list = dir.write("bad", c.text);
        kit::check_result result = kit::host::check(config(list));
        EXPECT_NE(result.exit_status, 0) << c.text;
        EXPECT_NE(result.output.find(c.says), std::string::npos) << c.says << "\n" << result.output;
    }
    kit::check_result missing = kit::host::check(config("/nonexistent/dispatcher.list"));
    EXPECT_NE(missing.exit_status, 0);
    EXPECT_NE(missing.output.find("cannot read the list file /nonexistent/dispatcher.list"),
              std::string::npos)
        << missing.output;
    std::string list = dir.write("good", "1 sip:127.0.0.1:5070\n");
    kit::check_result refused =
        kit::host::check(config(list) + "route[x] { ds_select_dst(\"1\", \"10\"); }\n");
    EXPECT_NE(refused.exit_status, 0);
    EXPECT_NE(refused.output.find("algorithm 10 (call load)"), std::string::npos) << refused.output;
}

TEST(modules_dispatcher, probing_marks_a_silent_destination_down_and_a_reviving_one_up) {
    kit::peer a, b, uac;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(a) + " 0 10\n1 " + dst(b) + " 0 5\n");
    kit::host proxy(config(list, "modparam(\"dispatcher\", \"ds_ping_interval\", 1)\n"
                                 "modparam(\"dispatcher\", \"ds_probing_mode\", 1)\n"
                                 "modparam(\"dispatcher\", \"ds_probing_threshold\", 2)\n"
                                 "modparam(\"dispatcher\", \"ds_ping_from\", \"sip:prober@127.0.0.1\")\n"));
    // b answers every probe; a stays silent: two timed-out probes (fr_timer 1 s) take it down.
    bool down = false;
    for (int i = 0; i < 120 && !down; ++i) {
        if (auto probe = b.receive(50ms); probe && probe->method() == "OPTIONS") {
            EXPECT_EQ(probe->header("From")->find("sip:prober@127.0.0.1"), 1u) << *probe->header("From");
            b.reply(*probe, 200, "OK");
        }
        down = proxy.log().find("EVENT down " + dst(a)) != std::string::npos;
    }
    ASSERT_TRUE(down) << proxy.log();
    EXPECT_EQ(proxy.log().find("EVENT down " + dst(b)), std::string::npos);
    // Traffic skips it: priority order now starts at b.
    a.drain(100ms);
    int got = -1;
    for (int i = 0; i < 3 && got != 1; ++i)
        got = route_one(proxy, uac, {&a, &b}, "1", with_alg(8));
    EXPECT_EQ(got, 1);
    // a answers its next probe: it is up again.
    bool up = false;
    for (int i = 0; i < 80 && !up; ++i) {
        for (kit::peer* p : {&a, &b})
            if (auto probe = p->receive(25ms); probe && probe->is_request())
                p->reply(*probe, 200, "OK");
        up = proxy.log().find("EVENT up " + dst(a)) != std::string::npos;
    }
    ASSERT_TRUE(up) << proxy.log();
}

} // namespace

namespace {

TEST(modules_dispatcher, ping_reply_codes_accept_more_answers) {
    kit::peer a, b;
    scratch dir;
    std::string list = dir.write("list", "1 " + dst(a) + "\n1 " + dst(b) + "\n");
    kit::host proxy(config(list,
                           "modparam(\"dispatcher\", \"ds_ping_interval\", 1)\n"
                           "modparam(\"dispatcher\", \"ds_probing_mode\", 1)\n"
                           "modparam(\"dispatcher\", \"ds_ping_reply_codes\", \"code=404;class=6\")\n"));
    // a answers 404 (accepted), b 403 (not): b goes down, a stays up.
    int a_probes = 0;
    bool b_down = false;
    for (int i = 0; i < 100 && !(b_down && a_probes >= 2); ++i) {
        if (auto probe = a.receive(25ms); probe && probe->is_request()) {
            a.reply(*probe, 404, "Not Here");
            ++a_probes;
        }
        if (auto probe = b.receive(25ms); probe && probe->is_request())
            b.reply(*probe, 403, "Forbidden");
        b_down = proxy.log().find("EVENT down " + dst(b)) != std::string::npos;
    }
    EXPECT_TRUE(b_down) << proxy.log();
    EXPECT_GE(a_probes, 2);
    EXPECT_EQ(proxy.log().find("EVENT down " + dst(a)), std::string::npos) << proxy.log();

    kit::check_result bad =
        kit::host::check(config(list, "modparam(\"dispatcher\", \"ds_ping_reply_codes\", \"code=4x\")\n"));
    EXPECT_NE(bad.exit_status, 0);
    EXPECT_NE(bad.output.find("ds_ping_reply_codes"), std::string::npos) << bad.output;
}

// ---- algorithm 10: call load ----

/// Stateless: an INVITE gets ds_select_dst("1", "10") and a 200 (the choice in the log), a BYE or CANCEL
/// ds_load_update(), a request with X-Unset ds_load_unset().
std::string load_config(const std::string& list, const std::string& extra = "") {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"textops\"\n"
           "loadmodule \"dispatcher\"\n"
           "modparam(\"dispatcher\", \"list_file\", \"" +
           list + "\")\nmodparam(\"dispatcher\", \"ds_hash_size\", 9)\n" + extra + R"~(
request_route {
    if (is_method("BYE|CANCEL")) {
        if (ds_load_update()) { sl_send_reply("200", "Load Off"); exit; }
        sl_send_reply("404", "Not Tracked"); exit;
    }
    if (is_present_hf("X-Unset")) {
        if (ds_load_unset()) { sl_send_reply("200", "Unset"); exit; }
        sl_send_reply("404", "Not Tracked"); exit;
    }
    if (!ds_select_dst("1", "10")) { sl_send_reply("503", "No Destination"); exit; }
    xlog("L_INFO", "LOAD $ci -> $du\n");
    sl_send_reply("200", "Dispatched");
}
)~";
}

/// Sends method for call_id; returns the reply's status and reason ("200 Dispatched"), or "none".
std::string load_request(kit::host& proxy, kit::peer& uac, std::string_view method,
                         const std::string& call_id, std::string_view extra = "") {
    kit::request_options o;
    o.call_id = call_id;
    o.extra_headers = std::string(extra);
    uac.send(kit::request(method, "sip:bob@127.0.0.1", uac, o), proxy.port());
    auto reply = uac.receive(2000ms);
    if (!reply)
        return "none";
    std::string line = reply->first_line();
    return line.substr(std::min(line.size(), std::string_view("SIP/2.0 ").size()));
}

/// The destination the log says call_id went to, or "".
std::string dispatched_to(kit::host& proxy, const std::string& call_id) {
    std::string marker = "LOAD " + call_id + " -> ";
    if (!proxy.wait_for_log(marker))
        return "";
    std::string log = proxy.log();
    size_t at = log.rfind(marker) + marker.size();
    return log.substr(at, log.find('\n', at) - at);
}

TEST(modules_dispatcher, algorithm_10_sends_a_call_to_the_least_loaded_destination_under_its_maxload) {
    scratch dir;
    std::string list = dir.write("load", "1 sip:127.0.0.1:7001 0 0 duid=a;maxload=2\n"
                                         "1 sip:127.0.0.1:7002 0 0 duid=b;maxload=2\n"
                                         "1 sip:127.0.0.1:7003 0 0 maxload=5\n");
    kit::host proxy(load_config(list));
    kit::peer uac;
    auto invite = [&](const std::string& call_id) {
        std::string status = load_request(proxy, uac, "INVITE", call_id);
        return status == "200 Dispatched" ? dispatched_to(proxy, call_id) : status;
    };
    EXPECT_EQ(invite("c1"), "sip:127.0.0.1:7001") << proxy.log();
    EXPECT_EQ(invite("c2"), "sip:127.0.0.1:7002") << "a has one call, b none";
    EXPECT_EQ(invite("c3"), "sip:127.0.0.1:7001") << "a tie goes to the first";
    EXPECT_EQ(invite("c4"), "sip:127.0.0.1:7002");
    EXPECT_EQ(invite("c5"), "503 No Destination") << "both at maxload; 7003 has no duid\n" << proxy.log();
    EXPECT_EQ(load_request(proxy, uac, "BYE", "c2"), "200 Load Off");
    EXPECT_EQ(load_request(proxy, uac, "BYE", "c2"), "404 Not Tracked") << "its load is off already";
    EXPECT_EQ(invite("c6"), "sip:127.0.0.1:7002") << "the BYE freed a call on b";
    EXPECT_EQ(load_request(proxy, uac, "MESSAGE", "c1", "X-Unset: 1\r\n"), "200 Unset");
    EXPECT_EQ(load_request(proxy, uac, "CANCEL", "c1"), "404 Not Tracked");
    EXPECT_EQ(invite("c7"), "sip:127.0.0.1:7001") << "ds_load_unset freed a call on a";
    EXPECT_EQ(load_request(proxy, uac, "OPTIONS", "o1"), "503 No Destination") << "INVITEs only";
    EXPECT_TRUE(proxy.wait_for_log("algorithm 10 (call load) dispatches INVITEs only")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dispatcher, algorithm_10_drops_the_load_of_a_call_never_answered_after_ds_hash_initexpire) {
    scratch dir;
    std::string list = dir.write("load", "1 sip:127.0.0.1:7001 0 0 duid=a;maxload=1\n");
    kit::host proxy(load_config(list, "modparam(\"dispatcher\", \"ds_hash_initexpire\", 1)\n"
                                      "modparam(\"dispatcher\", \"ds_hash_check_interval\", 1)\n"));
    kit::peer uac;
    EXPECT_EQ(load_request(proxy, uac, "INVITE", "e1"), "200 Dispatched") << proxy.log();
    EXPECT_EQ(load_request(proxy, uac, "INVITE", "e2"), "503 No Destination") << "a is at its maxload";
    std::this_thread::sleep_for(2500ms);
    EXPECT_EQ(load_request(proxy, uac, "INVITE", "e3"), "200 Dispatched") << "e1 expired\n" << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_dispatcher, algorithm_10_needs_ds_hash_size_and_a_number_for_maxload) {
    scratch dir;
    std::string list = dir.write("load", "1 sip:127.0.0.1:7001 0 0 duid=a;maxload=x\n");
    kit::check_result bad = kit::host::check(load_config(list));
    EXPECT_NE(bad.exit_status, 0) << bad.output;
    EXPECT_NE(bad.output.find("maxload must be a number"), std::string::npos) << bad.output;
    std::string good = dir.write("good", "1 sip:127.0.0.1:7001 0 0 duid=a\n");
    std::string config = load_config(good);
    std::string_view param = "modparam(\"dispatcher\", \"ds_hash_size\", 9)";
    config.replace(config.find(param), param.size(), "");
    kit::check_result off = kit::host::check(config);
    EXPECT_NE(off.exit_status, 0) << off.output;
    EXPECT_NE(off.output.find("algorithm 10 (call load) needs ds_hash_size greater than 0"),
              std::string::npos)
        << off.output;
}

TEST(modules_dispatcher, algorithm_10_keeps_an_answered_calls_load_past_ds_hash_initexpire) {
    scratch dir;
    kit::peer gateway, uac;
    std::string list = dir.write("load", "1 " + dst(gateway) + " 0 0 duid=gw;maxload=1\n");
    kit::host proxy("debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"tm\"\nloadmodule \"xlog\"\n"
                    "loadmodule \"dispatcher\"\n"
                    "modparam(\"dispatcher\", \"list_file\", \"" +
                    list +
                    "\")\nmodparam(\"dispatcher\", \"ds_hash_size\", 4)\n"
                    "modparam(\"dispatcher\", \"ds_hash_initexpire\", 1)\n"
                    "modparam(\"dispatcher\", \"ds_hash_check_interval\", 1)\n" +
                    R"~(
request_route {
    if (!ds_select_dst("1", "10")) { sl_send_reply("503", "No Destination"); exit; }
    t_on_reply("answered");
    t_relay();
}
onreply_route[answered] {
    if (ds_load_update()) xlog("L_INFO", "CONFIRMED $ci $rs\n");
}
)~");
    kit::request_options o;
    o.call_id = "answered-1";
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac, o), proxy.port());
    auto invite = gateway.receive();
    ASSERT_TRUE(invite) << proxy.log();
    gateway.reply(*invite, 200, "OK", "gw-tag");
    ASSERT_TRUE(proxy.wait_for_log("CONFIRMED answered-1 200")) << proxy.log();
    std::this_thread::sleep_for(2500ms); // past ds_hash_initexpire: an answered call keeps its load
    kit::peer second;                    // the first UAC's queue holds the call's 100 and 200
    EXPECT_EQ(load_request(proxy, second, "INVITE", "answered-2"), "503 No Destination")
        << "the gateway is at its maxload\n"
        << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
