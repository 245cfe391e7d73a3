// $xavp, $xavu and $xavi: every expectation below was measured on Kamailio 5.6.3 (xlog in
// event_route[core:worker-one-init]), except where a comment says otherwise.

#include "script/script_harness.hpp"

namespace siphost::test {
namespace {

TEST(script_xavp, named_fields_make_stacked_root_items) {
    harness h(R"cfg(
request_route {
  $xavp(p=>last) = "Smith";
  $xavp(p=>last) = "Doe";
  $xavp(p[0]=>first) = "John";
  $xavp(p[1]=>first) = "Alice";
  $var(t1) = $xavp(p=>last) + " " + $xavp(p[0]=>first) + " " + $xavp(p[1]=>last) + " " + $xavp(p[1]=>first);
  $xavp(p[0]=>first) = "Jack";
  $var(t2) = $xavp(p[0]=>first[0]) + " " + $xavp(p[0]=>first[1]);
  $xavp(p[0]=>first[1]) = "Joe";
  $xavp(p[0]=>first[*]) = "Only";
  $var(t3) = $xavp(p[0]=>first[0]) + " " + $xavp(p[0]=>first[1]);
  $var(t4) = $xavp(p[0]=>first[*]);
  $var(t5) = $xavp(p[-1]=>last);
  $var(t6) = $xavp(p[0]=>first[-1]);
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("Doe John Smith Alice", h.print("$var(t1)", m));
    EXPECT_EQ("Jack John", h.print("$var(t2)", m));
    EXPECT_EQ("Jack Joe", h.print("$var(t3)", m)); // field[*] = v does nothing in Kamailio
    EXPECT_EQ("Jack, Joe", h.print("$var(t4)", m));
    EXPECT_EQ("Smith", h.print("$var(t5)", m));
    EXPECT_EQ("Joe", h.print("$var(t6)", m));
    EXPECT_EQ("<null>", h.print("$xavp(p[2]=>last)", m));
    EXPECT_EQ("<null>", h.print("$xavp(p=>nothing)", m));
    EXPECT_EQ("<null>", h.print("$xavp(P=>last)", m)); // names keep their case
}

TEST(script_xavp, single_values_indexes_and_deletion) {
    harness h(R"cfg(
request_route {
  $xavp(s) = "one"; $xavp(s) = 2;
  $var(t1) = (str)$xavp(s) + " " + $xavp(s[1]) + " " + $xavp(s[*]);
  $xavp(s[1]) = "uno";
  $var(t2) = $xavp(s[1]);
  $xavp(s) = $null;
  $var(t3) = $xavp(s[0]);
  $xavp(s) = "a"; $xavp(s) = "b"; $xavp(s) = "c";
  $xavp(s[1]) = $null;
  $var(t4) = $xavp(s[0]) + $xavp(s[1]) + $xavp(s[2]) + $xavp(s[-1]);
  $xavp(s[*]) = $null;
  if ($xavp(s) == $null) $var(t5) = "gone";
  $xavp(n) = 5;
  $var(t6) = $xavp(n) + 1;
  $var(t7) = $(xavp(n){s.len});
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("2 one 2", h.print("$var(t1)", m)); // [*] on a root reads the newest item
    EXPECT_EQ("uno", h.print("$var(t2)", m));
    EXPECT_EQ("uno", h.print("$var(t3)", m)); // no index deletes the newest item only
    EXPECT_EQ("caunouno", h.print("$var(t4)", m));
    EXPECT_EQ("gone", h.print("$var(t5)", m));
    EXPECT_EQ("6", h.print("$var(t6)", m)); // an integer stays an integer
    EXPECT_EQ("1", h.print("$var(t7)", m));
}

TEST(script_xavp, failed_and_ignored_assignments) {
    harness h(R"cfg(
request_route {
  $xavp(s) = "a"; $xavp(s) = "b";
  $xavp(s[*]) = "z";
  $xavp(s[5]) = "x";
  $xavp(s[0]=>f) = "v";
  $xavp(q[3]=>f) = "x";
  $xavp(r=>a) = 1;
  $xavp(r[0]=>zz[2]) = "x";
  $xavp(r[0]=>a[0]) = "y";
  $xavp(r=>a[0]) = "w";
}
)cfg");
    test_message m;
    script_log().clear();
    h.request(m);
    EXPECT_EQ("b", h.print("$xavp(s[0])", m));
    EXPECT_EQ("a", h.print("$xavp(s[1])", m));
    EXPECT_EQ("<null>", h.print("$xavp(s=>f)", m));
    EXPECT_EQ("<null>", h.print("$xavp(q=>f)", m));
    EXPECT_EQ("<null>", h.print("$xavp(r[1]=>zz)", m));
    // without a root index a field assignment makes a new root item, whatever the field's index
    EXPECT_EQ("w", h.print("$xavp(r=>a)", m));
    EXPECT_EQ("y", h.print("$xavp(r[1]=>a)", m));
    // the three assignments Kamailio refuses are logged; the others are silently nothing, as there
    EXPECT_EQ((std::vector<std::string>{"ERROR: cannot assign to $xavp(s[*])",
                                        "ERROR: cannot assign to $xavp(s[5])",
                                        "ERROR: cannot assign to $xavp(s[0]=>f)"}),
              script_log());
}

TEST(script_xavp, field_deletion_and_lists_shown_as_such) {
    harness h(R"cfg(
request_route {
  $xavp(t=>x) = "X"; $xavp(t[0]=>x) = "Y";
  $xavp(t=>x) = $null;
  $var(t1) = $xavp(t=>x);
  $xavp(t[0]=>x) = "Z"; $xavp(t[0]=>x) = "W";
  $xavp(t[0]=>x[*]) = $null;
  if ($xavp(t=>x) == $null) $var(t2) = "none";
  $var(t3) = $xavp(t);
  $xavp(e) = 1; $xavp(e=>f) = 2;
  $var(t4) = $xavp(e[1]);
  $xavp(e[0]) = "flat";
  $var(t5) = $xavp(e);
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("X", h.print("$var(t1)", m));
    EXPECT_EQ("none", h.print("$var(t2)", m));
    EXPECT_EQ("<<xavp:(nil)>>", h.print("$var(t3)", m)); // a root whose list was emptied
    EXPECT_EQ("1", h.print("$var(t4)", m));
    EXPECT_EQ("flat", h.print("$var(t5)", m));
    EXPECT_EQ("<null>", h.print("$xavp(e=>f)", m));
    EXPECT_EQ(0u, h.print("$xavp(e[1])", m).rfind("1", 0));
}

TEST(script_xavp, xavu_holds_one_value_per_name_and_xavi_ignores_case) {
    harness h(R"cfg(
request_route {
  $xavu(u) = "a"; $xavu(u) = "b";
  $xavu(w=>f) = "a"; $xavu(w=>f) = "b"; $xavu(w=>g) = 1;
  $xavu(z=>f) = "a"; $xavu(z=>g) = 2; $xavu(z=>f) = $null;
  $xavi(Ci=>Ab) = "x";
  $xavp(v) = "p";
  $xavu(k) = "flat"; $xavu(k=>f) = "v";
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("b", h.print("$xavu(u)", m));
    EXPECT_EQ("<null>", h.print("$xavp(u)", m)); // three lists apart
    EXPECT_EQ("b", h.print("$xavu(w=>f)", m));
    EXPECT_EQ("1", h.print("$xavu(w=>g)", m));
    EXPECT_EQ("<null>", h.print("$xavu(z=>f)", m));
    EXPECT_EQ("2", h.print("$xavu(z=>g)", m));
    EXPECT_EQ("x", h.print("$xavi(ci=>AB)", m));
    EXPECT_EQ("x", h.print("$xavi(CI[0]=>ab)", m));
    EXPECT_EQ("<null>", h.print("$xavp(Ci=>Ab)", m));
    EXPECT_EQ("<null>", h.print("$xavu(v)", m));
    EXPECT_EQ("<null>", h.print("$xavi(v)", m));
    EXPECT_EQ("v", h.print("$xavu(k=>f)", m)); // a field replaces a plain value with a list
    EXPECT_EQ(0u, h.print("$xavu(k)", m).rfind("<<xavp:0x", 0));
}

TEST(script_xavp, xavps_travel_with_the_avp_list_into_the_transaction) {
    harness h(R"cfg(
request_route {
  $xavp(call=>caller) = $fU;
  $xavp(call[0]=>leg) = 1;
  t_on_failure("F");
  t_on_reply("R");
  t_relay();
}
failure_route[F] { $var(failure) = $xavp(call=>caller) + "/" + $xavp(call=>leg); }
onreply_route[R] { $var(reply) = $xavp(call=>caller); }
)cfg");
    test_message invite;
    h.request(invite);
    // tm moves the request's AVP list into the transaction and makes it current for its routes.
    test_message reply;
    reply.make_reply(486, "Busy Here", "INVITE");
    reply.msg().avps = std::move(invite.msg().avps);
    EXPECT_EQ(SIPHOST_ROUTE_RAN,
              h.interp->run_route(h.interp->route_lookup(SIPHOST_ROUTE_TM_ONREPLY, "R"), reply.handle()));
    EXPECT_EQ(SIPHOST_ROUTE_RAN,
              h.interp->run_route(h.interp->route_lookup(SIPHOST_ROUTE_FAILURE, "F"), reply.handle()));
    EXPECT_NE("<null>", h.print("$var(reply)", reply));
    EXPECT_EQ(h.print("$fU", invite) + "/1", h.print("$var(failure)", reply));
}

TEST(script_xavp, bad_names_are_load_errors) {
    cfg::descriptor_catalog catalog = make_test_catalog();
    for (const char* bad :
         {"$xavp(a=>)", "$xavp(a[x])", "$xavu(a[1])", "$xavp(a)[1]", "$xavp(=>f)", "$xavp(a b)"}) {
        cfg::diagnostics diags;
        auto script = script::load_script_text(
            "t.cfg", std::string("request_route { $var(x) = ") + bad + "; }\n", {}, &catalog, diags);
        EXPECT_EQ(script, nullptr) << bad;
        EXPECT_TRUE(diags.has_errors()) << bad;
    }
}

} // namespace
} // namespace siphost::test
