// The interpreter on synthetic messages: every statement, operator, return-code rule and pseudo-variable.

#include <filesystem>
#include <thread>

#include <unistd.h>

#include "script/script_harness.hpp"

namespace siphost::test {
namespace {

const std::string seed_stateless = R"cfg(
request_route {
        record_route();
        if(is_method("REGISTER")){
                sl_reply("200", "ok");
                exit;
        }
        append_hf("X-Proxied: You betcha\r\n");
        if(is_method("INVITE")){
                $avp(state_test_var) = "I remember";
        }
        xlog("for $rm the value of AVP \"state_test_var\" is $avp(state_test_var) ");
        forward("127.0.0.1", 5070);
}
onreply_route{
        xlog("for $rs response the value of AVP \"state_test_var\" is $avp(state_test_var) ");
        append_hf("X-Proxied: For the reply\r\n");
}
)cfg";

TEST(script_seed, stateless_invite_sets_the_avp_logs_and_forwards) {
    harness h(seed_stateless);
    test_message invite;
    EXPECT_EQ(SIPHOST_ROUTE_RAN, h.request(invite));
    EXPECT_EQ(
        (std::vector<std::string>{"record_route()", "is_method(REGISTER)",
                                  "append_hf(X-Proxied: You betcha\r\n)", "is_method(INVITE)",
                                  "xlog(for INVITE the value of AVP \"state_test_var\" is I remember )"}),
        recorded_calls());
    EXPECT_EQ((std::vector<std::string>{"127.0.0.1:5070/0"}), h.actions.forwards);
    EXPECT_EQ((std::vector<std::string>{"X-Proxied: You betcha\r\n"}), invite.inserted());
}

TEST(script_seed, stateless_reply_has_no_avp) {
    harness h(seed_stateless);
    test_message reply;
    reply.make_reply(180, "Ringing", "INVITE");
    EXPECT_EQ(SIPHOST_ROUTE_RAN, h.interp->run_core_onreply(reply.handle()));
    ASSERT_FALSE(script_log().empty());
    EXPECT_EQ("-1|<script>|for 180 response the value of AVP \"state_test_var\" is <null> ",
              script_log().back());
}

TEST(script_seed, stateless_register_is_answered_and_exits) {
    harness h(seed_stateless);
    test_message reg;
    reg.method = "REGISTER";
    EXPECT_EQ(SIPHOST_ROUTE_EXITED, h.request(reg));
    EXPECT_EQ((std::vector<std::string>{"record_route()", "is_method(REGISTER)", "sl_reply(200, ok)"}),
              recorded_calls());
    EXPECT_TRUE(h.actions.forwards.empty());
}

TEST(script_seed, stateful_relays_and_the_reply_route_sees_the_transaction_avps) {
    harness h(R"cfg(
request_route {
  if (is_method("INVITE")) { $avp(state_test_var) = "I remember"; }
  route(RELAY);
}
route[RELAY] {
  t_on_reply("OurReplyRoute");
  t_relay_to_udp("127.0.0.1", "5070");
}
onreply_route[OurReplyRoute] {
  xlog("for $rs response the value of AVP \"state_test_var\" is $avp(state_test_var) ");
}
)cfg");
    test_message invite;
    h.request(invite);
    EXPECT_EQ((std::vector<std::string>{"is_method(INVITE)", "t_on_reply(OurReplyRoute)",
                                        "t_relay_to_udp(127.0.0.1, 5070)"}),
              recorded_calls());
    int id = h.interp->route_lookup(SIPHOST_ROUTE_TM_ONREPLY, "OurReplyRoute");
    ASSERT_GE(id, 0);
    // tm would make the transaction's AVP list current; here the reply carries the INVITE's list.
    test_message reply;
    reply.make_reply(200, "OK", "INVITE");
    reply.msg().avps = std::move(invite.msg().avps);
    EXPECT_EQ(SIPHOST_ROUTE_RAN, h.interp->run_route(id, reply.handle()));
    EXPECT_EQ("-1|<script>|for 200 response the value of AVP \"state_test_var\" is I remember ",
              script_log().back());
}

// ---- return codes ----

TEST(script_return_codes, positive_is_true_negative_is_false) {
    harness h(R"cfg(
request_route {
  if (test_ret(5)) $var(pos) = "true"; else $var(pos) = "false";
  if (test_ret(-3)) $var(neg) = "true"; else $var(neg) = "false";
  if (!test_ret(-3)) $var(notneg) = "true";
  $var(rc) = $rc;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("true", h.print("$var(pos)", m));
    EXPECT_EQ("false", h.print("$var(neg)", m));
    EXPECT_EQ("true", h.print("$var(notneg)", m));
    EXPECT_EQ("-3", h.print("$var(rc)", m));
}

TEST(script_return_codes, zero_from_a_command_ends_the_script) {
    harness h(R"cfg(
request_route {
  $var(before) = 1;
  test_ret(0);
  $var(after) = 1;
}
)cfg");
    test_message m;
    std::int64_t rc = 99;
    EXPECT_EQ(SIPHOST_ROUTE_EXITED, h.request(m, &rc));
    EXPECT_EQ(0, rc);
    EXPECT_EQ("1", h.print("$var(before)", m));
    EXPECT_EQ("0", h.print("$var(after)", m)); // never assigned prints 0
}

TEST(script_return_codes, zero_inside_a_condition_ends_the_script_too) {
    harness h(R"cfg(
request_route {
  if (test_ret(0)) { $var(x) = "then"; } else { $var(x) = "else"; }
  $var(x) = "after";
}
)cfg");
    test_message m;
    EXPECT_EQ(SIPHOST_ROUTE_EXITED, h.request(m));
    EXPECT_EQ("0", h.print("$var(x)", m));
}

TEST(script_return_codes, rc_retcode_and_question_mark_hold_the_last_code) {
    harness h(R"cfg(
request_route {
  test_ret(7);
  $var(a) = $rc;
  test_ret(-4);
  $var(b) = $retcode;
  test_ret(2);
  $var(c) = $?;
  route(SUB);
  $var(d) = $rc;
}
route[SUB] { return 42; }
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("7", h.print("$var(a)", m));
    EXPECT_EQ("-4", h.print("$var(b)", m));
    EXPECT_EQ("2", h.print("$var(c)", m));
    EXPECT_EQ("42", h.print("$var(d)", m));
}

TEST(script_return_codes, return_from_sub_routes) {
    harness h(R"cfg(
request_route {
  if (route(PLAIN)) $var(plain) = "true";
  if (route(NEGATIVE)) $var(negative) = "true"; else $var(negative) = "false";
  route(FALLS_OFF);
  $var(falls_off) = $rc;
  route(ZERO);
  $var(after_zero) = 1;
}
route[PLAIN] { return; }
route[NEGATIVE] { return -1; }
route[FALLS_OFF] { $var(in_sub) = 1; }
route[ZERO] { return 0; }
)cfg");
    test_message m;
    std::int64_t rc = 99;
    EXPECT_EQ(SIPHOST_ROUTE_EXITED, h.request(m, &rc)); // return 0 ends the script
    EXPECT_EQ(0, rc);
    EXPECT_EQ("true", h.print("$var(plain)", m));
    EXPECT_EQ("false", h.print("$var(negative)", m));
    EXPECT_EQ("1", h.print("$var(falls_off)", m));
    EXPECT_EQ("1", h.print("$var(in_sub)", m));
    EXPECT_EQ("0", h.print("$var(after_zero)", m));
}

TEST(script_return_codes, return_in_the_main_route_ends_it_normally) {
    harness h(R"cfg(
request_route {
  $var(x) = 1;
  if ($var(x) == 1) { return 3; }
  $var(x) = 2;
}
)cfg");
    test_message m;
    std::int64_t rc = 0;
    EXPECT_EQ(SIPHOST_ROUTE_RAN, h.request(m, &rc));
    EXPECT_EQ(3, rc);
    EXPECT_EQ("1", h.print("$var(x)", m));
}

TEST(script_return_codes, exit_in_a_sub_route_ends_everything) {
    harness h(R"cfg(
request_route {
  route(SUB);
  $var(after) = 1;
}
route[SUB] { exit; $var(never) = 1; }
)cfg");
    test_message m;
    EXPECT_EQ(SIPHOST_ROUTE_EXITED, h.request(m));
    EXPECT_EQ("0", h.print("$var(after)", m));
}

TEST(script_return_codes, exit_with_a_code) {
    harness h("request_route { exit(-5); }");
    test_message m;
    std::int64_t rc = 0;
    EXPECT_EQ(SIPHOST_ROUTE_EXITED, h.request(m, &rc));
    EXPECT_EQ(-5, rc);
}

TEST(script_return_codes, drop_stops_with_dropped) {
    harness h(R"cfg(
request_route { route(SUB); $var(after) = 1; }
route[SUB] { drop; }
onreply_route { drop; }
)cfg");
    test_message m;
    EXPECT_EQ(SIPHOST_ROUTE_DROPPED, h.request(m));
    EXPECT_EQ("0", h.print("$var(after)", m));
    test_message reply;
    reply.make_reply(183, "Progress", "INVITE");
    EXPECT_EQ(SIPHOST_ROUTE_DROPPED, h.interp->run_core_onreply(reply.handle()));
}

TEST(script_return_codes, a_missing_route_block_runs_as_nothing) {
    harness h("onreply_route { drop; }");
    test_message m;
    EXPECT_EQ(SIPHOST_ROUTE_RAN, h.request(m));
    // An id that names no block of this script (another script's, or never handed out) runs nothing.
    EXPECT_EQ(SIPHOST_ROUTE_NOT_FOUND, h.interp->run_route(99999, m.handle()));
}

TEST(script_return_codes, route_recursion_is_bounded) {
    harness h(R"cfg(
request_route { route(LOOP); }
route[LOOP] { $var(depth) = $var(depth) + 1; route(LOOP); }
)cfg");
    test_message m;
    EXPECT_EQ(SIPHOST_ROUTE_EXITED, h.request(m));
    EXPECT_EQ("100", h.print("$var(depth)", m));
    ASSERT_FALSE(script_log().empty());
    EXPECT_NE(std::string::npos, script_log().back().find("nests deeper than 100"));
}

// ---- statements ----

TEST(script_statements, if_else_chains) {
    harness h(R"cfg(
request_route {
  if ($rm == "BYE") $var(x) = "bye";
  else if ($rm == "INVITE") $var(x) = "invite";
  else $var(x) = "other";
  if ($rm == "BYE") { $var(y) = "bye"; }
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("invite", h.print("$var(x)", m));
    EXPECT_EQ("0", h.print("$var(y)", m));
}

TEST(script_statements, integer_switch_falls_through_until_break) {
    harness h(R"cfg(
request_route {
  $var(trace) = "";
  switch ($var(in)) {
    case 1:
      $var(trace) = $var(trace) + "one ";
    case 2:
      $var(trace) = $var(trace) + "two ";
      break;
    case -3:
      $var(trace) = $var(trace) + "minus-three ";
      break;
    default:
      $var(trace) = $var(trace) + "default ";
  }
  $var(in) = $var(in) + 1;
}
)cfg");
    const std::vector<std::string> expected = {"default ", "one two ", "two ", "default "};
    test_message m;
    for (const auto& want : expected) {
        h.request(m); // $var(in) persists in this worker: 0, 1, 2, 3
        EXPECT_EQ(want, h.print("$var(trace)", m));
    }
    harness minus(R"cfg(
request_route {
  switch (-3) { case -3: $var(t) = "hit"; break; default: $var(t) = "miss"; }
}
)cfg");
    EXPECT_EQ("hit", minus.var_after_request("t"));
}

TEST(script_statements, string_and_regex_switch) {
    harness h(R"cfg(
request_route {
  switch ($rm) {
    case "INVITE": $var(kind) = "invite"; break;
    case /"^(BYE|CANCEL)$": $var(kind) = "ending"; break;
    default: $var(kind) = "other";
  }
}
)cfg");
    test_message invite;
    EXPECT_EQ("invite", h.var_after_request("kind", &invite));
    test_message cancel;
    cancel.method = "CANCEL";
    EXPECT_EQ("ending", h.var_after_request("kind", &cancel));
    test_message options;
    options.method = "OPTIONS";
    EXPECT_EQ("other", h.var_after_request("kind", &options));
    test_message bye_lower;
    bye_lower.method = "bye"; // switch cases are case-sensitive
    EXPECT_EQ("other", h.var_after_request("kind", &bye_lower));
}

TEST(script_statements, switch_without_match_or_default_does_nothing) {
    harness h(R"cfg(
request_route {
  $var(x) = "unchanged";
  switch (5) { case 1: $var(x) = "one"; }
}
)cfg");
    EXPECT_EQ("unchanged", h.var_after_request("x"));
}

TEST(script_statements, while_with_break_and_nested_switch_break) {
    harness h(R"cfg(
request_route {
  $var(i) = 0;
  $var(sum) = 0;
  while ($var(i) < 100) {
    $var(i) += 1;
    switch ($var(i)) {
      case 3: break;          # leaves the switch, not the loop
      default: $var(sum) += $var(i);
    }
    if ($var(i) >= 5) break;
  }
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("5", h.print("$var(i)", m));
    EXPECT_EQ("12", h.print("$var(sum)", m)); // 1 + 2 + 4 + 5
}

TEST(script_statements, while_is_bounded_by_max_while_loops) {
    harness h(R"cfg(
max_while_loops=50
request_route {
  $var(n) = 0;
  while (1) { $var(n) += 1; }
  $var(after) = "reached";
}
)cfg");
    test_message m;
    EXPECT_EQ(SIPHOST_ROUTE_RAN, h.request(m));
    EXPECT_EQ("50", h.print("$var(n)", m));
    EXPECT_EQ("reached", h.print("$var(after)", m));
    EXPECT_NE(std::string::npos, script_log().back().find("max_while_loops"));
}

TEST(script_statements, return_inside_while_leaves_the_route) {
    harness h(R"cfg(
request_route { route(SUB); $var(rc) = $rc; }
route[SUB] { $var(i) = 0; while (1) { $var(i) += 1; if ($var(i) == 3) return 9; } }
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("9", h.print("$var(rc)", m));
    EXPECT_EQ("3", h.print("$var(i)", m));
}

TEST(script_statements, break_outside_a_loop_ends_the_route) {
    harness h(R"cfg(
request_route { route(SUB); $var(after) = "yes"; }
route[SUB] { $var(a) = 1; break; $var(a) = 2; }
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("1", h.print("$var(a)", m));
    EXPECT_EQ("yes", h.print("$var(after)", m));
}

TEST(script_statements, compound_assignments) {
    harness h(R"cfg(
request_route {
  $var(n) = 10;
  $var(n) += 5;   $var(a) = $var(n);
  $var(n) -= 3;   $var(b) = $var(n);
  $var(n) *= 2;   $var(c) = $var(n);
  $var(n) /= 5;   $var(d) = $var(n);
  $var(n) |= 8;   $var(e) = $var(n);
  $var(n) &= 12;  $var(f) = $var(n);
  $var(s) = "ab"; $var(s) += "cd";
  $var(g) := 3;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("15", h.print("$var(a)", m));
    EXPECT_EQ("12", h.print("$var(b)", m));
    EXPECT_EQ("24", h.print("$var(c)", m));
    EXPECT_EQ("4", h.print("$var(d)", m));
    EXPECT_EQ("12", h.print("$var(e)", m));
    EXPECT_EQ("12", h.print("$var(f)", m));
    EXPECT_EQ("abcd", h.print("$var(s)", m));
    EXPECT_EQ("3", h.print("$var(g)", m));
}

// ---- operators ----

struct operator_case {
    const char* expression;
    const char* expected;
    friend void PrintTo(const operator_case& c, std::ostream* os) {
        *os << c.expression << " -> " << c.expected;
    }
};

class script_operators : public ::testing::TestWithParam<operator_case> {};

TEST_P(script_operators, evaluates_like_kamailio) {
    // $vn keeps a null result visible ($var would turn it into 0).
    harness h(std::string("request_route { $vn(r) = ") + GetParam().expression + "; }");
    test_message m;
    h.request(m);
    EXPECT_EQ(GetParam().expected, h.print("$vn(r)", m)) << GetParam().expression;
}

INSTANTIATE_TEST_SUITE_P(
    all, script_operators,
    ::testing::Values(
        operator_case{"1 + 2 * 3", "7"}, operator_case{"(1 + 2) * 3", "9"}, operator_case{"10 - 4 - 3", "3"},
        operator_case{"20 / 3", "6"}, operator_case{"20 mod 3", "2"}, operator_case{"20 mod 6", "2"},
        operator_case{"7 / 0", "<null>"}, operator_case{"-5 + 2", "-3"}, operator_case{"- (2 + 3)", "-5"},
        operator_case{"0x1F + 0XA", "41"}, operator_case{"6 | 9", "15"}, operator_case{"6 & 3", "2"},
        operator_case{"6 ^ 3", "5"}, operator_case{"~0", "-1"}, operator_case{"1 << 4", "16"},
        operator_case{"256 >> 4", "16"},
        // Kamailio binds bitwise operators looser than comparisons: 1 | (2 == 2)
        operator_case{"1 | 2 == 2", "1"}, operator_case{"2 + 3 == 5", "1"},
        operator_case{"\"con\" + \"cat\"", "concat"}, operator_case{"\"n\" + 5", "n5"},
        operator_case{"5 + \"5\"", "10"}, operator_case{"1 == 1", "1"}, operator_case{"1 == 2", "0"},
        operator_case{"1 != 2", "1"}, operator_case{"\"10\" == 10", "1"},
        operator_case{"10 == \"10abc\"", "1"}, operator_case{"\"10\" == \"010\"", "0"},
        operator_case{"3 > 2", "1"}, operator_case{"3 < 2", "0"}, operator_case{"2 >= 2", "1"},
        operator_case{"3 <= 2", "0"}, operator_case{"\"b\" > \"a\"", "1"},
        operator_case{"\"10\" < \"9\"", "1"}, operator_case{"\"abc\" eq \"abc\"", "1"},
        operator_case{"10 eq \"10\"", "1"}, operator_case{"\"a\" ne \"b\"", "1"},
        operator_case{"\"7\" ieq 7", "1"}, operator_case{"\"7\" ine 8", "1"},
        operator_case{"\"INVITE\" =~ \"^inv\"", "1"}, operator_case{"\"BYE\" =~ \"^inv\"", "0"},
        operator_case{"\"BYE\" !~ \"^inv\"", "1"}, operator_case{"$rm =~ \"INV|BYE\"", "1"},
        operator_case{"$rm =~ (\"^IN\" + \"V\")", "1"}, operator_case{"$avp(unset) =~ \".*\"", "0"},
        operator_case{"1 && 0", "0"}, operator_case{"1 || 0", "1"}, operator_case{"!1", "0"},
        operator_case{"!0", "1"}, operator_case{"1 and 1", "1"}, operator_case{"0 or 1", "1"},
        operator_case{"not 0", "1"}, operator_case{"0 || 1 && 0", "0"}, operator_case{"1 || 1 && 0", "1"},
        operator_case{"strlen(\"four\")", "4"}, operator_case{"strlen($avp(unset))", "0"},
        operator_case{"strempty(\"\")", "1"}, operator_case{"strempty(\"x\")", "0"},
        operator_case{"strempty($avp(unset))", "1"}, operator_case{"defined $avp(unset)", "0"},
        operator_case{"defined $rm", "1"}, operator_case{"defined $var(never)", "1"},
        operator_case{"(int)\"42abc\" + 1", "43"}, operator_case{"(str)42 + 1", "421"},
        operator_case{"(int)$rs", "0"}, operator_case{"$avp(unset) == $null", "1"},
        operator_case{"$rm == $null", "0"}, operator_case{"\"\" == $null", "0"},
        operator_case{"'single'", "single"}, operator_case{"9223372036854775807 + 1", "-9223372036854775808"},
        operator_case{"-(-9223372036854775807 - 1)", "-9223372036854775808"},
        operator_case{"(-9223372036854775807 - 1) / -1", "-9223372036854775808"},
        operator_case{"\"tab\\tend\"", "tab\tend"}));

TEST(script_operators_extra, logical_operators_short_circuit) {
    harness h(R"cfg(
request_route {
  if (0 && test_record("and")) $var(x) = 1;
  if (1 || test_record("or")) $var(y) = 1;
  if (1 && test_record("evaluated")) $var(z) = 1;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ((std::vector<std::string>{"test_record(evaluated)"}), recorded_calls());
    EXPECT_EQ("1", h.print("$var(y)", m));
    EXPECT_EQ("1", h.print("$var(z)", m));
}

// ---- pseudo-variables ----

TEST(script_pvs, request_pseudo_variables) {
    harness h("request_route { exit; }");
    test_message m;
    m.to_tag = "";
    h.request(m);
    EXPECT_EQ("INVITE", h.print("$rm", m));
    EXPECT_EQ("<null>", h.print("$rs", m));
    EXPECT_EQ("<null>", h.print("$rr", m));
    EXPECT_EQ("sip:bob@example.com:5080;transport=udp", h.print("$ru", m));
    EXPECT_EQ("bob", h.print("$rU", m));
    EXPECT_EQ("example.com", h.print("$rd", m));
    EXPECT_EQ("5080", h.print("$rp", m));
    EXPECT_EQ("<null>", h.print("$du", m));
    EXPECT_EQ("127.0.0.1", h.print("$si", m));
    EXPECT_EQ("5062", h.print("$sp", m));
    EXPECT_EQ("call-1@host", h.print("$ci", m));
    EXPECT_EQ("sip:alice@atlanta.example.com", h.print("$fu", m));
    EXPECT_EQ("alice", h.print("$fU", m));
    EXPECT_EQ("atlanta.example.com", h.print("$fd", m));
    EXPECT_EQ("ftag1", h.print("$ft", m));
    EXPECT_EQ("sip:bob@biloxi.example.com", h.print("$tu", m));
    EXPECT_EQ("bob", h.print("$tU", m));
    EXPECT_EQ("biloxi.example.com", h.print("$td", m));
    EXPECT_EQ("<null>", h.print("$tt", m));
    EXPECT_EQ("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1", h.print("$hdr(Via)", m));
    EXPECT_EQ("SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2", h.print("$hdr(v)[1]", m));
    EXPECT_EQ("SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2", h.print("$hdr(Via)[-1]", m));
    EXPECT_EQ("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1,SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2",
              h.print("$hdr(Via)[*]", m));
    EXPECT_EQ("<null>", h.print("$hdr(Via)[2]", m));
    EXPECT_EQ("<null>", h.print("$hdr(X-Missing)", m));
    EXPECT_EQ("1 INVITE", h.print("$(hdr(CSeq))", m));
    EXPECT_EQ(m.text(), h.print("$mb", m));
    EXPECT_EQ(std::to_string(m.text().size()), h.print("$ml", m));
    EXPECT_EQ("1", h.print("$mt", m));
    EXPECT_EQ(std::to_string(getpid()), h.print("$pp", m));
    EXPECT_EQ("1", h.print("$cs", m));
    m.msg().set_request_uri("sip:changed@127.0.0.1");
    EXPECT_EQ("sip:changed@127.0.0.1", h.print("$ru", m));
    EXPECT_EQ("sip:bob@example.com:5080;transport=udp", h.print("$ou", m));
    EXPECT_EQ("<null>", h.print("$null", m));
    long now = static_cast<long>(std::time(nullptr));
    long ts = std::stol(h.print("$Ts", m));
    EXPECT_LE(std::labs(ts - now), 2);
}

TEST(script_pvs, reply_pseudo_variables) {
    harness h("request_route { exit; }");
    test_message r;
    r.make_reply(486, "Busy Here", "INVITE");
    r.to_tag = "ttag";
    EXPECT_EQ("486", h.print("$rs", r));
    EXPECT_EQ("Busy Here", h.print("$rr", r));
    EXPECT_EQ("INVITE", h.print("$rm", r)); // the CSeq method
    EXPECT_EQ("2", h.print("$mt", r));
    EXPECT_EQ("ttag", h.print("$tt", r));
    EXPECT_EQ("<null>", h.print("$ru", r));
}

TEST(script_pvs, ipv6_source_and_default_port) {
    harness h("request_route { exit; }");
    test_message m;
    m.source_ip = "::1";
    m.source_port = 5070;
    m.ruri = "sip:alice@[::1]";
    EXPECT_EQ("::1", h.print("$si", m));
    EXPECT_EQ("5070", h.print("$sp", m));
    EXPECT_EQ("[::1]", h.print("$rd", m));
    EXPECT_EQ("5060", h.print("$rp", m));
}

TEST(script_pvs, writable_uri_pseudo_variables) {
    harness h(R"cfg(
request_route {
  $rU = "carol";
  $var(after_user) = $ru;
  $rd = "127.0.0.2";
  $rp = 5099;
  $var(after_port) = $ru;
  $du = "sip:127.0.0.1:5070";
  $var(du) = $du;
  $ru = "sip:dave@127.0.0.3";
  $var(ru) = $ru;
  $du = $null;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("sip:carol@example.com:5080;transport=udp", h.print("$var(after_user)", m));
    EXPECT_EQ("sip:carol@127.0.0.2:5099;transport=udp", h.print("$var(after_port)", m));
    EXPECT_EQ("sip:127.0.0.1:5070", h.print("$var(du)", m));
    EXPECT_EQ("sip:dave@127.0.0.3", m.msg().sip.current_request_uri());
    EXPECT_EQ("", m.msg().dst_uri);
}

TEST(script_pvs, avps_hold_many_values_with_indexes_and_name_forms) {
    harness h(R"cfg(
request_route {
  $avp(x) = "first";
  $avp(x) = "second";
  $avp(x) = 3;
  $var(top) = $avp(x);
  $var(one) = $avp(x)[1];
  $var(two) = $avp(x)[2];
  $vn(three) = $avp(x)[3];
  $avp(s:named) = "by s:";
  $var(named) = $avp(named);
  $avp(i:7) = "integer name";
  $var(int_name) = $avp(i:7);
  $vn(not_string_7) = $avp(7);
  $avp(x)[1] = "replaced";
  $avp(x)[7] = "nowhere";
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("3", h.print("$var(top)", m));
    EXPECT_EQ("second", h.print("$var(one)", m));
    EXPECT_EQ("first", h.print("$var(two)", m));
    EXPECT_EQ("<null>", h.print("$vn(three)", m));
    EXPECT_EQ("0", h.print("$var(never_set)", m));
    EXPECT_EQ("by s:", h.print("$var(named)", m));
    EXPECT_EQ("integer name", h.print("$var(int_name)", m));
    EXPECT_EQ("<null>", h.print("$vn(not_string_7)", m));
    // As Kamailio 5.6.3 (measured): an index is ignored when assigning, so [1] = v and [7] = v add on top.
    EXPECT_EQ("nowhere", h.print("$avp(x)", m));
    EXPECT_EQ("replaced", h.print("$avp(x)[1]", m));
    EXPECT_EQ("3", h.print("$avp(x)[2]", m));
    EXPECT_EQ("first", h.print("$avp(x)[4]", m));
    // [*] reads every value, the newest first, joined by ", "; a negative index reads nothing.
    EXPECT_EQ("nowhere, replaced, 3, second, first", h.print("$avp(x)[*]", m));
    EXPECT_EQ("<null>", h.print("$avp(x)[-1]", m));
    EXPECT_EQ("<null>", h.print("$avp(none)[*]", m));
}

TEST(script_pvs, avp_deletion_and_replace_all) {
    harness h(R"cfg(
request_route {
  $avp(x) = 1; $avp(x) = 2; $avp(x) = 3;
  $avp(x)[2] = $null;
  $var(after_one) = "" + $avp(x) + " " + $avp(x)[1];
  $avp(y) = 1; $avp(y) = 2;
  $avp(y)[*] = "only";
  $vn(y1) = $avp(y)[1];
  $avp(z) = 1; $avp(z) = 2;
  $avp(z) = $null;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("2 1", h.print("$var(after_one)", m)) << "[2] = $null removes the newest, as in Kamailio 5.6.3";
    EXPECT_EQ("only", h.print("$avp(y)", m));
    EXPECT_EQ("<null>", h.print("$vn(y1)", m));
    EXPECT_EQ("1", h.print("$avp(z)", m)); // as Kamailio 5.6.3: $null takes the newest value only
}

TEST(script_pvs, avps_belong_to_one_message) {
    harness h(R"cfg(
request_route { if (is_method("INVITE")) $avp(x) = "set"; $vn(seen) = $avp(x); }
)cfg");
    test_message invite;
    h.request(invite);
    EXPECT_EQ("set", h.print("$vn(seen)", invite));
    test_message bye;
    bye.method = "BYE";
    h.request(bye);
    EXPECT_EQ("<null>", h.print("$vn(seen)", bye));
}

TEST(script_pvs, var_persists_per_worker_and_vn_may_be_null) {
    harness h(R"cfg(
request_route {
  $var(count) = $var(count) + 1;
  $vn(maybe) = $avp(unset);
  $var(nulled) = $avp(unset);
}
)cfg");
    test_message m;
    h.request(m);
    h.request(m);
    h.request(m);
    EXPECT_EQ("3", h.print("$var(count)", m));
    EXPECT_EQ("<null>", h.print("$vn(maybe)", m));
    EXPECT_EQ("<null>", h.print("$vn(never)", m));
    EXPECT_EQ("0", h.print("$var(nulled)", m)); // $var turns null into 0
    // Another worker thread has its own $var values.
    std::string other;
    std::thread worker([&] {
        test_message n;
        h.request(n);
        other = h.print("$var(count)", n);
    });
    worker.join();
    EXPECT_EQ("1", other);
    EXPECT_EQ("3", h.print("$var(count)", m));
}

TEST(script_pvs, module_pseudo_variables_are_read_and_set_through_the_module) {
    module_detail::test_pv_value() = "module-value";
    harness h(R"cfg(
request_route {
  $var(read) = $test_pv;
  $var(named) = $test_named(abc);
  $test_pv = "written";
  xlog("$test_pv and $test_named(xyz)");
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("module-value", h.print("$var(read)", m));
    EXPECT_EQ("named:abc", h.print("$var(named)", m));
    EXPECT_EQ("written", module_detail::test_pv_value());
    EXPECT_EQ("-1|<script>|written and named:xyz", script_log().back());
    module_detail::test_pv_value() = "module-value";
}

TEST(script_pvs, templates_print_null_and_numbers) {
    harness h(R"cfg(
request_route {
  $var(n) = 5;
  xlog("[$avp(none)] [$var(n)] [$rs] [$$] [$5] [$] [$hdr(CSeq)]");
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("-1|<script>|[<null>] [5] [<null>] [$] [$5] [$] [1 INVITE]", script_log().back());
}

TEST(script_pvs, templates_print_a_transformed_null_as_nothing) {
    // As Kamailio 5.6 prints them (tests/compat/scenarios/transformations.cfg): a transformation of a null
    // value, or one that cannot apply, fails there, and the item prints nothing.
    harness h(R"cfg(
request_route {
  xlog("[$(hdr(X-Missing){s.len})] [$(du{uri.host})] [$(hdr(X-Missing){nameaddr.uri}{uri.host})] [$(hdr(CSeq){s.substr,40,1})] [$(hdr(CSeq){s.len})]");
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("-1|<script>|[] [] [] [] [8]", script_log().back());
    EXPECT_EQ("<null>", h.print("$(hdr(X-Missing){s.len})", m)); // read as a value, it stays null
}

TEST(script_pvs, abi_pv_parse_get_set) {
    harness h("request_route { exit; }");
    test_message m;
    std::string error;
    auto avp = h.interp->pv_parse("$avp(from_module)", error);
    ASSERT_NE(avp, nullptr) << error;
    siphost_value in{};
    in.kind = SIPHOST_VALUE_STR;
    in.str = {"kept", 4};
    EXPECT_EQ(0, h.interp->pv_set(*avp, m.handle(), in));
    EXPECT_EQ("kept", h.print("$avp(from_module)", m));
    auto var = h.interp->pv_parse("$var(new_after_compile)", error);
    ASSERT_NE(var, nullptr);
    in.kind = SIPHOST_VALUE_INT;
    in.num = 77;
    EXPECT_EQ(0, h.interp->pv_set(*var, m.handle(), in));
    EXPECT_EQ("77", h.print("$var(new_after_compile)", m));
    EXPECT_EQ(nullptr, h.interp->pv_parse("$nosuch", error));
    EXPECT_EQ("unknown pseudo-variable '$nosuch'", error);
    EXPECT_EQ(nullptr, h.interp->pv_parse("$hdr", error));
    EXPECT_EQ(nullptr, h.interp->pv_parse("$test_named(bad)", error));
    EXPECT_EQ("'$test_named(bad)': 'bad' is not a valid name", error);
    auto rm = h.interp->pv_parse("$rm", error);
    ASSERT_NE(rm, nullptr);
    EXPECT_EQ(-1, h.interp->pv_set(*rm, m.handle(), in)); // read-only
}

TEST(script_pvs, log_prefix_is_rendered_per_message) {
    harness h(R"cfg(
log_prefix="{$mt $hdr(CSeq) $ci} "
request_route { exit; }
)cfg");
    test_message m;
    EXPECT_EQ("{1 1 INVITE call-1@host} ", h.interp->render_log_prefix(m.handle()));
    harness none("request_route { exit; }");
    EXPECT_EQ("", none.interp->render_log_prefix(m.handle()));
}

// ---- core functions and commands ----

TEST(script_core, flags) {
    harness h(R"cfg(
request_route {
  setflag(3);
  setflag(63);
  if (isflagset(3)) $var(three) = "set";
  resetflag(3);
  if (!isflagset(3)) $var(three_after) = "clear";
  if (setflag(64)) $var(bad) = "accepted";
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("set", h.print("$var(three)", m));
    EXPECT_EQ("clear", h.print("$var(three_after)", m));
    EXPECT_EQ("0", h.print("$var(bad)", m));
    EXPECT_EQ(std::uint64_t{1} << 63, m.msg().flags);
}

TEST(script_core, uri_functions_and_log) {
    harness h(R"cfg(
request_route {
  seturi("sip:x@127.0.0.1");
  $var(a) = $ru;
  rewriteuri("sip:y@127.0.0.1");
  $var(b) = $ru;
  revert_uri();
  setdsturi("sip:127.0.0.1:5070");
  $var(d) = $du;
  resetdsturi();
  log("plain log");
  log(1, "notice log");
  if (is_myself("sip:proxy.local:5060")) $var(me) = 1;
  if (is_myself("127.0.0.9")) $var(not_me) = 1;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("sip:x@127.0.0.1", h.print("$var(a)", m));
    EXPECT_EQ("sip:y@127.0.0.1", h.print("$var(b)", m));
    EXPECT_EQ(m.msg().sip.request_uri(), m.msg().sip.current_request_uri());
    EXPECT_EQ("sip:127.0.0.1:5070", h.print("$var(d)", m));
    EXPECT_EQ("", m.msg().dst_uri);
    EXPECT_EQ((std::vector<std::string>{"ERROR: plain log", "NOTICE: notice log"}), script_log());
    EXPECT_EQ("1", h.print("$var(me)", m));
    EXPECT_EQ("0", h.print("$var(not_me)", m));
}

TEST(script_core, append_branch_fills_the_destination_set) {
    harness h(R"cfg(
request_route {
  setdsturi("sip:127.0.0.1:5090");
  append_branch();
  resetdsturi();
  rewriteuri("sip:main@127.0.0.1");
  append_branch("sip:second@127.0.0.1:5091");
}
)cfg");
    test_message m;
    h.request(m);
    using target = std::pair<std::string, std::string>;
    std::vector<target> branches;
    for (const auto& t : m.msg().branches)
        branches.emplace_back(t.uri, t.dst_uri);
    EXPECT_EQ((std::vector<target>{{m.ruri, "sip:127.0.0.1:5090"}, {"sip:second@127.0.0.1:5091", ""}}),
              branches);
    // the Request-URI itself stays the first branch's
    EXPECT_EQ("sip:main@127.0.0.1", m.msg().sip.current_request_uri());
}

TEST(script_core, append_branch_takes_du_and_without_a_uri_moves_it) {
    // As Kamailio's: a target with a URI takes $du too (it stays on the message); without a URI, $du moves.
    harness h(R"cfg(
request_route {
  setdsturi("sip:127.0.0.1:5090");
  append_branch("sip:second@127.0.0.1:5091");
  $var(kept) = $du;
  append_branch();
}
)cfg");
    test_message m;
    h.request(m);
    using target = std::pair<std::string, std::string>;
    std::vector<target> branches;
    for (const auto& t : m.msg().branches)
        branches.emplace_back(t.uri, t.dst_uri);
    EXPECT_EQ((std::vector<target>{{"sip:second@127.0.0.1:5091", "sip:127.0.0.1:5090"},
                                   {m.ruri, "sip:127.0.0.1:5090"}}),
              branches);
    EXPECT_EQ("sip:127.0.0.1:5090", h.print("$var(kept)", m));
    EXPECT_EQ("", m.msg().dst_uri);
}

TEST(script_core, kamailio_core_keywords) {
    harness h(R"cfg(
request_route {
  if (uri == myself) $var(uri_me) = 1;
  if (uri != myself) $var(uri_not_me) = 1;
  if (!uri == myself) $var(not_uri_me) = 1;
  if (src_ip == myself) $var(src_me) = 1;
  if (myself == src_ip) $var(src_me_swapped) = 1;
  if (src_ip == 127.0.0.1 && src_port == 5062) $var(src) = 1;
  if (src_ip == 10.0.0.1) $var(src_other) = 1;
  if (src_ip == 127.0.0.0/8 && src_ip != 10.0.0.0/8 && !(src_ip == 127.0.0.2/32)) $var(src_net) = 1;
  if (src_ip == 127.0.0.1/32 && src_ip == 0.0.0.0/0 && src_ip != "::/0") $var(src_net_edges) = 1;
  if (dst_ip == 127.0.0.1 && dst_port == 5060) $var(dst) = 1;
  if (proto == UDP && af == INET) $var(udp4) = 1;
  if (proto == TCP) $var(tcp) = 1;
  if (method == "INVITE" && status == $null) $var(invite) = 1;
  if (from_uri == "sip:alice@atlanta.example.com" && to_uri =~ "^sip:bob@") $var(parties) = 1;
  $var(pr) = $pr + "/" + $af + "/" + $Ri + ":" + $Rp;
  seturi("sip:x@127.0.0.1");
  if (uri == myself) $var(uri_me_now) = 1;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("0", h.print("$var(uri_me)", m));
    EXPECT_EQ("1", h.print("$var(uri_not_me)", m));
    EXPECT_EQ("1", h.print("$var(not_uri_me)", m));
    EXPECT_EQ("1", h.print("$var(src_me)", m));
    EXPECT_EQ("1", h.print("$var(src_me_swapped)", m));
    EXPECT_EQ("1", h.print("$var(src)", m));
    EXPECT_EQ("0", h.print("$var(src_other)", m));
    EXPECT_EQ("1", h.print("$var(src_net)", m));
    EXPECT_EQ("1", h.print("$var(src_net_edges)", m));
    EXPECT_EQ("1", h.print("$var(dst)", m));
    EXPECT_EQ("1", h.print("$var(udp4)", m));
    EXPECT_EQ("0", h.print("$var(tcp)", m));
    EXPECT_EQ("1", h.print("$var(invite)", m));
    EXPECT_EQ("1", h.print("$var(parties)", m));
    EXPECT_EQ("udp/INET/127.0.0.1:5060", h.print("$var(pr)", m));
    EXPECT_EQ("1", h.print("$var(uri_me_now)", m));
}

TEST(script_core, forward_variants_go_to_core_actions) {
    harness h(R"cfg(
request_route {
  forward();
  forward("127.0.0.1");
  forward("127.0.0.1", 5070);
  forward_udp("127.0.0.1", "5071");
  forward_tcp("127.0.0.1", $var(port) + 5072);
  force_rport();
  if (!forward("127.0.0.1", 70000)) $var(bad_port) = "false";
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ((std::vector<std::string>{":0/0", "127.0.0.1:0/0", "127.0.0.1:5070/0", "127.0.0.1:5071/1",
                                        "127.0.0.1:5072/2"}),
              h.actions.forwards);
    EXPECT_EQ(1, h.actions.rport_calls);
    EXPECT_EQ("false", h.print("$var(bad_port)", m));
}

TEST(script_core, connection_flags_are_set_on_the_message) {
    harness h(R"cfg(
request_route {
  if ($rU == "fwd") { set_forward_no_connect(); set_forward_close(); }
  if ($rU == "rpl") { set_reply_no_connect(); }
  if ($rU == "rplclose") { set_reply_close(); }
}
)cfg");
    test_message fwd;
    fwd.ruri = "sip:fwd@example.com";
    h.request(fwd);
    EXPECT_EQ(fwd.msg().forward_send_flags, uint32_t{SIPHOST_DEST_NO_CONNECT | SIPHOST_DEST_CLOSE});
    EXPECT_EQ(fwd.msg().reply_send_flags, 0u);
    test_message rpl;
    rpl.ruri = "sip:rpl@example.com";
    h.request(rpl);
    EXPECT_EQ(rpl.msg().forward_send_flags, 0u);
    EXPECT_EQ(rpl.msg().reply_send_flags, uint32_t{SIPHOST_DEST_NO_CONNECT});
    test_message close;
    close.ruri = "sip:rplclose@example.com";
    h.request(close);
    EXPECT_EQ(close.msg().reply_send_flags, uint32_t{SIPHOST_DEST_CLOSE});
}

TEST(script_core, force_tcp_alias_goes_to_core_actions) {
    harness h(R"cfg(
request_route {
  force_tcp_alias();
  force_tcp_alias(5070);
  if (!force_tcp_alias(70000)) $var(bad) = "false";
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ((std::vector<std::uint16_t>{0, 5070}), h.actions.alias_ports);
    EXPECT_EQ("false", h.print("$var(bad)", m));
    harness failing(R"cfg(request_route { if (force_tcp_alias()) $var(r) = "ok"; else $var(r) = "no"; })cfg");
    failing.actions.alias_result = -1;
    EXPECT_EQ("no", failing.var_after_request("r"));
}

TEST(script_core, forward_failure_is_false) {
    harness h(
        R"cfg(request_route { if (forward("127.0.0.1")) $var(r) = "ok"; else $var(r) = "failed"; })cfg");
    h.actions.forward_result = -1;
    EXPECT_EQ("failed", h.var_after_request("r"));
}

TEST(script_commands, arguments_are_prepared_by_kind) {
    harness h(R"cfg(
request_route {
  $var(code) = 404;
  sl_send_reply($var(code), "Not $rm");
  sl_send_reply("480", 'Later');
  test_record("int " + 5, $var(code) + 1);
  t_on_branch("B");
  pv_isset($avp(x));
  xlog(L_INFO, "level given as a name\n");
  $var(word) = "abc";
  if (!sl_send_reply($var(word), "not a number")) $var(refused) = 1;
}
branch_route[B] { exit; }
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ((std::vector<std::string>{"sl_send_reply(404, Not INVITE)", "sl_send_reply(480, Later)",
                                        "test_record(int 5, 405)", "t_on_branch(B)", "pv_isset($avp(x))",
                                        "xlog(L_INFO, level given as a name\n)"}),
              recorded_calls());
    EXPECT_EQ("1", h.print("$var(refused)", m));
}

TEST(script_commands, fixup_data_reaches_the_handler_and_is_released) {
    int frees_before = module_detail::fixup_frees();
    {
        harness h(R"cfg(request_route { test_fixup("good"); test_fixup($rm); })cfg");
        test_message m;
        h.request(m);
        EXPECT_EQ((std::vector<std::string>{"test_fixup(good) data=42", "test_fixup(INVITE) data=42"}),
                  recorded_calls());
        EXPECT_EQ(frees_before, module_detail::fixup_frees());
    }
    EXPECT_EQ(frees_before + 2, module_detail::fixup_frees());
}

TEST(script_commands, route_ids_name_a_block_by_type_and_name_across_scripts) {
    harness first(R"cfg(
request_route { t_on_failure("F"); }
failure_route[F] { exit; }
)cfg");
    int f = first.interp->route_lookup(SIPHOST_ROUTE_FAILURE, "F");
    ASSERT_GE(f, 0);
    EXPECT_EQ(-1, first.interp->route_lookup(SIPHOST_ROUTE_FAILURE, "G"));
    EXPECT_EQ(SIPHOST_ROUTE_FAILURE, first.interp->route_type_of(f));
    // A reloaded script with more blocks before F: the same id names its F, and an id of a block it lacks
    // runs nothing.
    harness second(R"cfg(
request_route { t_on_failure("F"); }
route[A] { exit; }
failure_route[G] { exit; }
failure_route[F] { drop; }
)cfg");
    EXPECT_EQ(f, second.interp->route_lookup(SIPHOST_ROUTE_FAILURE, "F"));
    test_message m;
    EXPECT_EQ(SIPHOST_ROUTE_DROPPED, second.interp->run_route(f, m.handle()));
    int g = second.interp->route_lookup(SIPHOST_ROUTE_FAILURE, "G");
    ASSERT_GE(g, 0);
    EXPECT_NE(f, g);
    EXPECT_EQ(SIPHOST_ROUTE_NOT_FOUND, first.interp->run_route(g, m.handle()));
}

TEST(script_preprocessor, defines_reach_the_script) {
    harness h(R"cfg(
#!define PORT 5070
#!redefine PORT 5080
#!define LONG 1 + \
  2
#!define NESTED PORT + LONG
#!substdef "/GREETING/hello/"
#!ifdef FROM_CLI
#!define SEEN 1
#!else
#!define SEEN 0
#!endif
request_route {
  $var(port) = PORT;
  $var(nested) = NESTED;
  $var(cli) = FROM_CLI;
  $var(seen) = SEEN;
  $var(greeting) = "GREETING world";
  $var(PORT) = "PORT";
}
)cfg",
              {"FROM_CLI=7"});
    test_message m;
    h.request(m);
    EXPECT_EQ("5080", h.print("$var(port)", m));
    EXPECT_EQ("5083", h.print("$var(nested)", m));
    EXPECT_EQ("7", h.print("$var(cli)", m));
    EXPECT_EQ("1", h.print("$var(seen)", m));
    EXPECT_EQ("hello world", h.print("$var(greeting)", m));
    EXPECT_EQ("PORT", h.print("$var(PORT)", m));
}

TEST(script_shared, one_script_runs_on_many_threads_at_once) {
    harness h(R"cfg(
request_route {
  $avp(x) = $ci;
  $var(n) = $var(n) + 1;
  if ($avp(x) != $ci) $var(mixed) = 1;
}
)cfg");
    std::vector<std::thread> workers;
    std::vector<std::string> counts(4), mixed(4);
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&, w] {
            for (int i = 0; i < 500; ++i) {
                test_message m;
                m.call_id = "call-" + std::to_string(w) + "-" + std::to_string(i);
                h.interp->run_request_route(m.handle());
                if (i == 499) {
                    counts[w] = h.print("$var(n)", m);
                    mixed[w] = h.print("$var(mixed)", m);
                }
            }
        });
    for (auto& t : workers)
        t.join();
    for (int w = 0; w < 4; ++w) {
        EXPECT_EQ("500", counts[w]);
        EXPECT_EQ("0", mixed[w]);
    }
}

TEST(script_core, strip_prefix_and_strip_tail_change_the_request_uri_user) {
    harness h(R"cfg(
request_route {
  seturi("sip:0049301234@127.0.0.1:5070;user=phone");
  strip(2);
  $var(strip) = $ru;
  prefix("+");
  $var(prefix) = $ru;
  strip_tail(4);
  $var(tail) = $ru;
  $var(tail_rc) = strip_tail(1);
  strip(99);
  $var(all) = $ru;
}
)cfg");
    test_message m;
    script_log().clear();
    h.request(m);
    EXPECT_EQ("sip:49301234@127.0.0.1:5070;user=phone", h.print("$var(strip)", m));
    EXPECT_EQ("sip:+49301234@127.0.0.1:5070;user=phone", h.print("$var(prefix)", m));
    EXPECT_EQ("sip:+4930@127.0.0.1:5070;user=phone", h.print("$var(tail)", m));
    EXPECT_EQ("1", h.print("$var(tail_rc)", m));
    // as Kamailio: a strip longer than the user deletes it, warns, and succeeds
    EXPECT_EQ("sip:127.0.0.1:5070;user=phone", h.print("$var(all)", m));
    EXPECT_EQ((std::vector<std::string>{"WARNING: strip(99) is longer than the user '+493': user deleted"}),
              script_log());
}

TEST(script_core, rewrite_functions_and_their_set_aliases) {
    harness h(R"cfg(
request_route {
  seturi("sip:alice:pw@atlanta.example.com:5062;transport=udp");
  rewriteuser("bob");
  $var(user) = $ru;
  setuser("carol");
  $var(setuser) = $ru;
  rewriteuserpass("dave:secret");
  $var(userpass) = $ru;
  setuserpass("erin");
  $var(setuserpass) = $ru;
  rewritehost("biloxi.example.com");
  $var(host) = $ru;
  sethost("10.0.0.1");
  $var(sethost) = $ru;
  rewriteport("5080");
  $var(port) = $ru;
  setport("");
  $var(noport) = $ru;
  rewritehostport("[2001:db8::1]:5090");
  $var(hostport6) = $ru;
  sethostport("example.net");
  $var(sethostport) = $ru;
  if (!rewriteport("50a")) $var(bad_port) = $ru;
  if (!rewritehost("")) $var(bad_host) = "refused";
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("sip:bob:pw@atlanta.example.com:5062;transport=udp", h.print("$var(user)", m));
    EXPECT_EQ("sip:carol:pw@atlanta.example.com:5062;transport=udp", h.print("$var(setuser)", m));
    EXPECT_EQ("sip:dave:secret@atlanta.example.com:5062;transport=udp", h.print("$var(userpass)", m));
    EXPECT_EQ("sip:erin@atlanta.example.com:5062;transport=udp", h.print("$var(setuserpass)", m));
    EXPECT_EQ("sip:erin@biloxi.example.com:5062;transport=udp", h.print("$var(host)", m));
    EXPECT_EQ("sip:erin@10.0.0.1:5062;transport=udp", h.print("$var(sethost)", m));
    EXPECT_EQ("sip:erin@10.0.0.1:5080;transport=udp", h.print("$var(port)", m));
    EXPECT_EQ("sip:erin@10.0.0.1;transport=udp", h.print("$var(noport)", m));
    EXPECT_EQ("sip:erin@[2001:db8::1]:5090;transport=udp", h.print("$var(hostport6)", m));
    EXPECT_EQ("sip:erin@example.net;transport=udp", h.print("$var(sethostport)", m));
    EXPECT_EQ("sip:erin@example.net;transport=udp", h.print("$var(bad_port)", m));
    EXPECT_EQ("refused", h.print("$var(bad_host)", m));
    // revert_uri() brings back what was received
    harness r(R"cfg(request_route { rewritehost("changed.example.com"); revert_uri(); })cfg");
    test_message n;
    r.request(n);
    EXPECT_EQ(n.msg().sip.request_uri(), n.msg().sip.current_request_uri());
}

TEST(script_core, kamailio_condition_forms_and_string_syntax) {
    harness h(R"cfg(
route[NO] { return -1; }
route[YES] { return 1; }
request_route {
  if !(route(NO)) $var(not_no) = 1;
  if !(route(YES)) $var(not_yes) = 1;
  if $var(unset) == 0 { $var(bare) = 1; }
  if (!is_method("BYE")) $var(not_bye) = 1;
  if (msg:len == $ml && msg:len > 100) $var(len) = 1;
  $var(joined) = "a=" "b;"
      "c";
  $var(multi) = "line one
line two";
  set_reply_no_connect();
  set_forward_no_connect();
  route(NO);
  if (retcode == -1) $var(retcode) = 1;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("1", h.print("$var(not_no)", m));
    EXPECT_EQ("0", h.print("$var(not_yes)", m));
    EXPECT_EQ("1", h.print("$var(bare)", m));
    EXPECT_EQ("1", h.print("$var(not_bye)", m));
    EXPECT_EQ("1", h.print("$var(len)", m));
    EXPECT_EQ("a=b;c", h.print("$var(joined)", m));
    EXPECT_EQ("line one\nline two", h.print("$var(multi)", m));
    EXPECT_EQ("1", h.print("$var(retcode)", m));
}

TEST(script_pvs, user_agent) {
    harness h(R"cfg(request_route { $var(ua) = $ua; })cfg");
    test_message m;
    m.extra_headers = "User-Agent: softphone/1.0\r\n";
    h.request(m);
    EXPECT_EQ("softphone/1.0", h.print("$var(ua)", m));
    test_message bare;
    h.request(bare);
    EXPECT_EQ("<null>", h.print("$ua", bare));
}

TEST(script_commands, integer_arguments_given_as_strings_with_variables) {
    // Kamailio reads "$var(n)" given for an integer parameter as the variable's value, converted per call.
    harness h(R"cfg(
request_route {
  seturi("sip:0049301234@127.0.0.1");
  $var(n) = 2;
  strip("$var(n)");
  $var(code) = "404";
  sl_send_reply("$var(code)", "Not here");
  $var(code) = "4x4";
  $var(rc) = sl_send_reply("$var(code)", "bad");
  $var(f) = 0600;
  setflag("$var(n)");
  if (isflagset(2)) $var(flag) = "set";
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("sip:49301234@127.0.0.1", h.print("$ru", m));
    EXPECT_EQ((std::vector<std::string>{"sl_send_reply(404, Not here)"}), recorded_calls());
    EXPECT_EQ("-1", h.print("$var(rc)", m));
    EXPECT_EQ("set", h.print("$var(flag)", m));
    EXPECT_EQ("384", h.print("$var(f)", m)); // 0600 is octal, as in Kamailio
    bool logged = false;
    for (const auto& line : script_log())
        logged =
            logged || line == "ERROR: argument 1 of 'sl_send_reply' (line 10) must be an integer, not '4x4'";
    EXPECT_TRUE(logged) << ::testing::PrintToString(script_log());
}

TEST(script_commands, integer_argument_without_a_variable_is_a_load_error) {
    cfg::descriptor_catalog catalog = make_test_catalog();
    cfg::diagnostics diags;
    auto script = script::load_script_text("t.cfg", "loadmodule \"sl\"\nrequest_route { strip(\"two\"); }\n",
                                           {}, &catalog, diags);
    EXPECT_EQ(script, nullptr);
    EXPECT_NE(std::string::npos,
              diags.format_all().find("argument 1 of 'strip' must be a number, not 'two'"));
}

TEST(script_core, send_keywords_fail_where_nothing_is_sent) {
    // As measured on Kamailio 5.6.3 outside onsend_route: every comparison fails, and '!' does not make a
    // failure true (!!F does), while '||' goes on to a true right operand.
    harness h(R"cfg(
request_route {
  $var(one) = 1;
  if (snd_port == 0) $var(eq) = 1;
  if (snd_port != 0) $var(ne) = 1;
  if (to_af != INET) $var(af) = 1;
  if (!(snd_proto == UDP)) $var(not) = 1;
  if (!!(to_port == 0)) $var(not_not) = 1;
  if (!($var(one) == 1 && snd_port == 0)) $var(not_and) = 1;
  if (!($var(one) == 0 && snd_port == 0)) $var(not_false_and) = 1;
  if (snd_port == 0 || $var(one) == 1) $var(or_true) = 1;
  if (!(snd_port == 0 || $var(one) == 0)) $var(not_or_false) = 1;
  if (proto == 1 && proto == udp && proto != 2 && af == 2 && af == inet) $var(numbers) = 1;
}
)cfg");
    test_message m;
    h.request(m);
    for (const char* unset : {"eq", "ne", "af", "not", "not_and", "not_or_false"})
        EXPECT_EQ("0", h.print(std::string("$var(") + unset + ")", m)) << unset;
    for (const char* set : {"not_not", "not_false_and", "or_true", "numbers"})
        EXPECT_EQ("1", h.print(std::string("$var(") + set + ")", m)) << set;
}

/// What onsend_route sees of a request leaving 127.0.0.1:5060 for 10.0.0.9:5098 over UDP.
script::send_info sending_to_5098() {
    script::send_info info;
    info.to_address = "10.0.0.9";
    info.to_port = 5098;
    info.proto = SIPHOST_PROTO_UDP;
    info.from_address = "127.0.0.1";
    info.from_port = 5060;
    info.buffer = "OPTIONS sip:b@10.0.0.9:5098 SIP/2.0\r\n\r\n";
    return info;
}

TEST(script_core, onsend_route_reads_what_is_being_sent) {
    // The values Kamailio 5.6.3 gives there (tests/compat/scenarios/onsend.cfg compares them): $snd/$sndto
    // where it goes, $sndfrom the local socket; proto and af as numbers, sproto as a word.
    harness h(R"cfg(
request_route { if ($snd(ip) == $null && $sndfrom(port) == $null && $snd(buf) == $null) $var(outside) = 1; }
onsend_route {
  $var(to) = $snd(ip) + ":" + $snd(port) + "/" + $snd(proto) + "/" + $snd(sproto) + "/" + $snd(af);
  $var(sndto) = $sndto(ip) + ":" + $sndto(port);
  $var(from) = $sndfrom(ip) + ":" + $sndfrom(port) + "/" + $sndfrom(af);
  $var(len) = $snd(len);
  $var(buf) = $(snd(buf){s.substr,0,7});
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("1", h.print("$var(outside)", m)) << "null outside onsend_route";
    script::send_info info = sending_to_5098();
    EXPECT_EQ(SIPHOST_ROUTE_RAN, h.interp->run_onsend_route(m.handle(), info));
    EXPECT_EQ("10.0.0.9:5098/1/udp/2", h.print("$var(to)", m));
    EXPECT_EQ("10.0.0.9:5098", h.print("$var(sndto)", m));
    EXPECT_EQ("127.0.0.1:5060/2", h.print("$var(from)", m));
    EXPECT_EQ(std::to_string(info.buffer.size()), h.print("$var(len)", m));
    EXPECT_EQ("OPTIONS", h.print("$var(buf)", m));
    EXPECT_EQ("<null>", h.print("$snd(ip)", m)) << "the send information ends with the route";
}

TEST(script_core, send_keywords_compare_what_is_being_sent_in_onsend_route) {
    // snd_ip and snd_port are the local socket, to_ip and to_port the destination (measured on 5.6.3);
    // drop keeps the message from being sent.
    harness h(R"cfg(
onsend_route {
  $var(hits) = "";
  if (snd_ip == 127.0.0.1) $var(hits) = $var(hits) + "snd_ip ";
  if (snd_ip == 127.0.0.0/8) $var(hits) = $var(hits) + "snd_net ";
  if (snd_ip != 10.0.0.0/8) $var(hits) = $var(hits) + "snd_not_net ";
  if (snd_ip == myself) $var(hits) = $var(hits) + "snd_myself ";
  if (to_ip == myself) $var(hits) = $var(hits) + "to_myself ";
  if (to_ip == "10.0.0.9") $var(hits) = $var(hits) + "to_ip ";
  if (snd_port == 5060) $var(hits) = $var(hits) + "snd_port ";
  if (to_port == 5098) $var(hits) = $var(hits) + "to_port ";
  if (to_port != 5098) $var(hits) = $var(hits) + "to_port_ne ";
  if (snd_af == INET && to_af == 2 && to_af != inet6) $var(hits) = $var(hits) + "af ";
  if (snd_proto == UDP && to_proto == 1 && to_proto != tcp) $var(hits) = $var(hits) + "proto ";
  if (!(to_port == 5060)) $var(hits) = $var(hits) + "not ";
  if (to_port == 5098) drop;
}
)cfg");
    test_message m;
    script::send_info info = sending_to_5098();
    EXPECT_EQ(SIPHOST_ROUTE_DROPPED, h.interp->run_onsend_route(m.handle(), info));
    EXPECT_EQ("snd_ip snd_net snd_not_net snd_myself to_ip snd_port to_port af proto not ",
              h.print("$var(hits)", m));
    info.to_port = 5070;
    EXPECT_EQ(SIPHOST_ROUTE_RAN, h.interp->run_onsend_route(m.handle(), info));
}

TEST(script_core, onsend_route_is_not_found_without_the_block) {
    harness h("request_route { exit; }\n");
    test_message m;
    script::send_info info = sending_to_5098();
    EXPECT_FALSE(h.interp->has_onsend_route());
    EXPECT_EQ(SIPHOST_ROUTE_NOT_FOUND, h.interp->run_onsend_route(m.handle(), info));
}

TEST(script_core, forward_dropped_by_onsend_route_gives_0_and_the_script_goes_on) {
    // Measured on Kamailio 5.6.3: $rc is 0 after it, and the script is not ended.
    harness h(R"cfg(
request_route {
  forward("127.0.0.1", 5070);
  $var(rc) = $rc;
  $var(after) = 1;
}
)cfg");
    h.actions.forward_result = 0;
    EXPECT_EQ("0", h.var_after_request("rc"));
    EXPECT_EQ("1", h.var_after_request("after"));
}

TEST(script_core, userphone_and_rewritehostporttrans_change_the_request_uri) {
    harness h(R"cfg(
request_route {
  seturi("sip:a@b;x=1?h=v");
  userphone();
  $var(phone) = $ru;
  userphone();
  $var(phone_again) = $ru;
  seturi("sip:a@b;user=ip");
  userphone();
  $var(user_ip) = $ru;
  seturi("sip:a@b:7;transport=udp;x=1");
  sethpt("c:5;transport=tcp");
  $var(hpt) = $ru;
  seturi("sips:a@b:7;x=1;transport=tls;lr?h=1");
  rewritehostporttrans("[::1]");
  $var(hpt_v6) = $ru;
  seturi("sip:a@b");
  $var(bad_port) = sethpt("c:x5");
  $var(after_bad) = $ru;
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("sip:a@b;x=1;user=phone?h=v", h.print("$var(phone)", m));
    EXPECT_EQ("sip:a@b;x=1;user=phone?h=v", h.print("$var(phone_again)", m));
    EXPECT_EQ("sip:a@b;user=ip;user=phone", h.print("$var(user_ip)", m));
    EXPECT_EQ("sip:a@c:5;transport=tcp;x=1", h.print("$var(hpt)", m));
    EXPECT_EQ("sips:a@[::1];x=1;lr?h=1", h.print("$var(hpt_v6)", m));
    EXPECT_EQ("-1", h.print("$var(bad_port)", m));
    EXPECT_EQ("sip:a@b", h.print("$var(after_bad)", m));
}

TEST(script_core, exec_runs_the_command_as_written_and_is_true_whatever_it_returns) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("siphost-exec-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    harness h(R"cfg(
request_route {
  exec("touch ')cfg" + dir.string() + R"cfg(/as-written-$rm'");
  if (exec("exit 3")) { $var(failing) = "true"; }
  if (exec("true")) { $var(succeeding) = "true"; }
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_TRUE(fs::exists(dir / "as-written-$rm")) << "the command got the pseudo-variable expanded";
    EXPECT_EQ("true", h.print("$var(failing)", m));
    EXPECT_EQ("true", h.print("$var(succeeding)", m));
    fs::remove_all(dir);
}

TEST(script_core, remove_branch_and_clear_branches) {
    harness h(R"cfg(
request_route {
  append_branch("sip:b1@x");
  append_branch("sip:b2@x");
  append_branch("sip:b3@x");
  append_branch("sip:b4@x");
  remove_branch();
  remove_branch(1);
  $var(past_end) = remove_branch(7);
}
)cfg");
    test_message m;
    h.request(m);
    std::vector<std::string> uris;
    for (const auto& t : m.msg().branches)
        uris.push_back(t.uri);
    // remove_branch() takes the first; an index past the end changes nothing and is still true
    EXPECT_EQ((std::vector<std::string>{"sip:b2@x", "sip:b4@x"}), uris);
    EXPECT_EQ("1", h.print("$var(past_end)", m));

    harness cleared(R"cfg(
request_route {
  append_branch("sip:b1@x");
  clear_branches();
  $var(empty_again) = remove_branch(0);
}
)cfg");
    test_message n;
    cleared.request(n);
    EXPECT_TRUE(n.msg().branches.empty());
    EXPECT_EQ("1", cleared.print("$var(empty_again)", n));
}

TEST(script_core, avp_flags_mark_the_newest_value) {
    harness h(R"cfg(
avpflags seen, kept;
request_route {
  $var(missing) = setavpflag("x", "seen");
  $avp(x) = 1;
  setavpflag("s:x", "kept");
  $var(kept) = isavpflagset("x", kept);
  $var(seen) = isavpflagset("x", "seen");
  $avp(x) = 2;
  $var(newer) = isavpflagset("x", "kept");
  $avp(y) = "v";
  setavpflag("y", "seen");
  resetavpflag("y", "seen");
  $var(reset) = isavpflagset("y", "seen");
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("-1", h.print("$var(missing)", m));
    EXPECT_EQ("1", h.print("$var(kept)", m));
    EXPECT_EQ("-1", h.print("$var(seen)", m));
    EXPECT_EQ("-1", h.print("$var(newer)", m));
    EXPECT_EQ("-1", h.print("$var(reset)", m));
    ASSERT_EQ(3u, m.msg().avp_list().entries.size());          // x, x, y
    EXPECT_EQ(2u, m.msg().avp_list().entries[0].script_flags); // kept is the second name: bit 1
}

} // namespace
} // namespace siphost::test
