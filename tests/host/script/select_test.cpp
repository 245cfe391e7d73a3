// Kamailio's selects (@... and $sel(...)) on a real message. What Kamailio 5.6.3 gives was measured with
// sipp's INVITE; the expectations here follow the same rules on this harness's message.

#include "script/script_harness.hpp"

namespace siphost::test {
namespace {

TEST(script_select, request_parts) {
    harness h(R"cfg(
app.limit = 7 desc "a number"
app.name = "edge"
request_route {
  $var(ruri) = @ruri;
  $var(user) = @ruri.user;
  $var(host) = @ruri.host;
  $var(port) = @ruri.port;
  $var(params) = @ruri.params;
  $var(type) = @ruri.type;
  $var(transport) = @ruri.transport;
  $var(from) = @from;
  $var(from_uri) = @from.uri;
  $var(from_user) = @from.uri.user;
  $var(from_tag) = @from.tag;
  $var(to_tag) = @to.tag;
  $var(branch1) = @via[1].branch;
  $var(branch) = @via.branch;
  $var(host2) = @via[2].host;
  $var(port2) = @via[2].port;
  $var(port1) = @via[1].port;
  $var(via3) = @via[3].branch;
  $var(via0) = @via[0].branch;
  $var(method) = @cseq.method;
  $var(num) = @cseq.num;
  $var(cseq) = @cseq;
  $var(callid) = @call_id;
  $var(mf) = @msg.header.Max-Forwards;
  $var(mf2) = @msg.h.max_forwards;
  $var(ua) = @msg.header.User-Agent;
  $var(via2) = @msg.header.Via[2];
  $var(first) = @msg.first_line;
  $var(limit) = @cfg_get.app.limit + 1;
  $var(name) = @cfg_get.app.name;
  $var(debug) = @cfg_get.core.debug;
  xlog("L_INFO", "user=$sel(ruri.user) tag=$sel(from.tag) mf=$sel(msg.header.max_forwards)");
  if (@ruri.user == "bob" && $(sel(ruri.user){s.len}) == 3) $var(cond) = "yes";
  $var(arg) = "none";
  if (is_method("@cseq.method")) $var(arg) = "literal";
  sl_send_reply("404", @ruri.host);
}
)cfg");
    test_message m;
    m.extra_headers = "User-Agent: phone/2\r\n";
    h.request(m);
    EXPECT_EQ("sip:bob@example.com:5080;transport=udp", h.print("$var(ruri)", m));
    EXPECT_EQ("bob", h.print("$var(user)", m));
    EXPECT_EQ("example.com", h.print("$var(host)", m));
    EXPECT_EQ("5080", h.print("$var(port)", m));
    EXPECT_EQ("transport=udp", h.print("$var(params)", m));
    EXPECT_EQ("sip", h.print("$var(type)", m));
    EXPECT_EQ("udp", h.print("$var(transport)", m));
    EXPECT_EQ("<sip:alice@atlanta.example.com>;tag=ftag1", h.print("$var(from)", m));
    EXPECT_EQ("sip:alice@atlanta.example.com", h.print("$var(from_uri)", m));
    EXPECT_EQ("alice", h.print("$var(from_user)", m));
    EXPECT_EQ("ftag1", h.print("$var(from_tag)", m));
    EXPECT_EQ("<null>", h.print("@to.tag", m));
    EXPECT_EQ("z9hG4bK1", h.print("$var(branch1)", m));
    EXPECT_EQ("z9hG4bK1", h.print("$var(branch)", m));
    EXPECT_EQ("10.0.0.2", h.print("$var(host2)", m));
    EXPECT_EQ("<null>", h.print("@via[2].port", m));
    EXPECT_EQ("5060", h.print("$var(port1)", m));
    EXPECT_EQ("<null>", h.print("@via[3].branch", m));
    EXPECT_EQ("<null>", h.print("@via[0].branch", m)); // Kamailio counts Vias from 1
    EXPECT_EQ("INVITE", h.print("$var(method)", m));
    EXPECT_EQ("1", h.print("$var(num)", m));
    EXPECT_EQ("1 INVITE", h.print("$var(cseq)", m));
    EXPECT_EQ("call-1@host", h.print("$var(callid)", m));
    EXPECT_EQ("70", h.print("$var(mf)", m));
    EXPECT_EQ("70", h.print("$var(mf2)", m));
    EXPECT_EQ("phone/2", h.print("$var(ua)", m));
    EXPECT_EQ("SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2", h.print("$var(via2)", m));
    // header lines count from 1; 0 is the last one, as Kamailio 5.6.3 answers
    EXPECT_EQ("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1", h.print("@msg.header.via[1]", m));
    EXPECT_EQ("SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2", h.print("@msg.header.v[0]", m));
    EXPECT_EQ("<null>", h.print("@msg.header.Via[3]", m));
    EXPECT_EQ("<null>", h.print("@msg.header.X-None", m));
    EXPECT_EQ("INVITE sip:bob@example.com:5080;transport=udp SIP/2.0", h.print("$var(first)", m));
    EXPECT_EQ("71", h.print("$var(limit)", m)); // a select is a string: + concatenates, as in Kamailio
    EXPECT_EQ("edge", h.print("$var(name)", m));
    EXPECT_EQ("yes", h.print("$var(cond)", m));
    EXPECT_NE("<null>", h.print("$var(debug)", m));
    EXPECT_EQ("none", h.print("$var(arg)", m)); // no select inside a string: only $sel() there
    EXPECT_EQ((std::vector<std::string>{"xlog(L_INFO, user=bob tag=ftag1 mf=70)", "is_method(@cseq.method)",
                                        "sl_send_reply(404, example.com)"}),
              recorded_calls());
    EXPECT_EQ("bob", h.print("@ruri.user", m)); // through the ABI's pv_parse too
}

TEST(script_select, a_reply_has_no_request_uri) {
    harness h(R"cfg(request_route { exit; } onreply_route { $var(r) = @ruri; $var(m) = @cseq.method; })cfg");
    test_message reply;
    reply.make_reply(200, "OK", "INVITE");
    h.interp->run_route(h.interp->route_lookup(SIPHOST_ROUTE_CORE_ONREPLY, ""), reply.handle());
    EXPECT_EQ("<null>", h.print("@ruri", reply));
    EXPECT_EQ("INVITE", h.print("$var(m)", reply));
}

TEST(script_select, source_contact_parameters_and_header_selects) {
    // The rules measured on Kamailio 5.6.3 (tests/compat/scenarios/selects_more.cfg compares them there).
    harness h(R"cfg(
request_route {
  setflag(2);
  $var(src) = @src.ip + ":" + @src.port;
  $var(contact) = @contact;
  $var(m) = @m.uri.host;
  $var(curi) = @contact.uri;
  $var(cname) = @contact.name;
  $var(expires) = @contact.expires;
  $var(q) = @contact.q;
  $var(cparam) = $sel(contact.params.reg-id);
  $var(curi_param) = @contact.uri.params.ob;
  $var(ruri_transport) = @ruri.params.transport;
  $var(ruri_none) = @ruri.params.none;
  $var(from_tag) = @from.params.tag;
  $var(via_branch) = @via[2].params.branch;
  $var(via_quoted) = $sel(via[2].params["branch"]) + " " + @via[2].params["branch"];
  $var(via_rport) = @via.rport;
  $var(via_name) = @via.name + "/" + @via.version;
  $var(hostport) = @ruri.hostport + " " + @to.uri.hostport;
  $var(event) = @event;
  $var(ua) = @user_agent;
  $var(mf) = @max_forwards;
  $var(type) = @msg.type;
  $var(flags) = @msg.flags;
  $var(f) = @f.uri.user;
}
)cfg");
    test_message m;
    m.extra_headers =
        "Contact: <sip:carol@10.0.0.9:5070;ob>;expires=30;q=0.5;reg-id=1\r\nContact: <sip:x@y>\r\n"
        "User-Agent: phone 1\r\nEvent: presence\r\n";
    h.request(m);
    EXPECT_EQ("127.0.0.1:5062", h.print("$var(src)", m));
    EXPECT_EQ("<sip:carol@10.0.0.9:5070;ob>;expires=30;q=0.5;reg-id=1", h.print("$var(contact)", m));
    EXPECT_EQ("10.0.0.9", h.print("$var(m)", m));
    EXPECT_EQ("sip:carol@10.0.0.9:5070;ob", h.print("$var(curi)", m));
    EXPECT_EQ("", h.print("$var(cname)", m)); // no display name: empty, not null
    EXPECT_EQ("30", h.print("$var(expires)", m));
    EXPECT_EQ("0.5", h.print("$var(q)", m));
    EXPECT_EQ("1", h.print("$var(cparam)", m));
    EXPECT_EQ("<null>", h.print("$sel(contact.uri.params.ob)", m)); // a parameter without a value
    EXPECT_EQ("udp", h.print("$var(ruri_transport)", m));
    EXPECT_EQ("<null>", h.print("$sel(ruri.params.none)", m));
    EXPECT_EQ("ftag1", h.print("$var(from_tag)", m));
    EXPECT_EQ("z9hG4bK2", h.print("$var(via_branch)", m));
    EXPECT_EQ("z9hG4bK2 z9hG4bK2", h.print("$var(via_quoted)", m)) << "params[\"NAME\"] is params.NAME";
    EXPECT_EQ("<null>", h.print("$sel(via.rport)", m));
    EXPECT_EQ("<null>", h.print("$sel(content_type)", m));
    EXPECT_EQ("SIP/2.0", h.print("$var(via_name)", m));
    EXPECT_EQ("example.com:5080 biloxi.example.com:5060", h.print("$var(hostport)", m));
    EXPECT_EQ("presence", h.print("$var(event)", m));
    EXPECT_EQ("phone 1", h.print("$var(ua)", m));
    EXPECT_EQ("70", h.print("$var(mf)", m));
    EXPECT_EQ("1", h.print("$var(type)", m));
    EXPECT_EQ("4", h.print("$var(flags)", m));
    EXPECT_EQ("alice", h.print("$var(f)", m));
}

TEST(script_select, credentials_by_realm) {
    // Measured on Kamailio 5.6.3 (tests/compat/scenarios/selects_auth.cfg compares them there): the first
    // header whose realm matches in any case; a directive it lacks is empty; no such realm is null.
    harness h(R"cfg(
request_route {
  $var(whole) = @authorization["first.example"];
  $var(username) = @authorization["FIRST.example"].username;
  $var(user) = @proxy_authorization["second.example"].username.user;
  $var(domain) = @proxy_authorization["second.example"].username.domain;
  $var(no_domain) = @authorization["first.example"].username.domain;
  $var(parts) = @proxy_authorization["second.example"].realm + "|" + @proxy_authorization["second.example"].nonce +
      "|" + @proxy_authorization["second.example"].uri + "|" + @proxy_authorization["second.example"].response +
      "|" + @proxy_authorization["second.example"].algorithm + "|" + @proxy_authorization["second.example"].qop +
      "|" + @proxy_authorization["second.example"].nc + "|" + @proxy_authorization["second.example"].cnonce +
      "|" + @proxy_authorization.other.opaque;
  $var(opaque) = @authorization["first.example"].opaque;
  $var(absent) = @authorization["nosuch"].username;
}
)cfg");
    test_message m;
    m.extra_headers = "Authorization: Basic YWxpY2U6c2VjcmV0\r\n"
                      "Authorization: Digest username=\"dave\", realm=\"first.example\", nonce=\"n3\", "
                      "response=\"r3\"\r\n"
                      "Authorization: Digest username=\"eve\", realm=\"first.example\", nonce=\"n4\"\r\n"
                      "Proxy-Authorization: Digest username=\"carol@c.example\", realm=\"Second.Example\", "
                      "nonce=\"n2\", uri=\"sip:x\", response=\"r2\", algorithm=SHA-256, qop=auth-int, "
                      "nc=00000002, cnonce=\"c2\"\r\n"
                      "Proxy-Authorization: Digest username=\"o\", realm=\"other\", opaque=\"op\"\r\n";
    h.request(m);
    EXPECT_EQ("Digest username=\"dave\", realm=\"first.example\", nonce=\"n3\", response=\"r3\"",
              h.print("$var(whole)", m));
    EXPECT_EQ("dave", h.print("$var(username)", m));
    EXPECT_EQ("carol", h.print("$var(user)", m));
    EXPECT_EQ("c.example", h.print("$var(domain)", m));
    EXPECT_EQ("", h.print("$var(no_domain)", m));
    EXPECT_EQ("Second.Example|n2|sip:x|r2|SHA-256|auth-int|00000002|c2|op", h.print("$var(parts)", m));
    EXPECT_EQ("", h.print("$var(opaque)", m)); // the credentials lack it: empty
    EXPECT_EQ("", h.print("$var(absent)", m)); // an @select that finds nothing assigns ""
    EXPECT_EQ("<null>", h.print("$sel(authorization.nosuch.username)", m)); // read as such: null
    EXPECT_EQ("<null>", h.print("$sel(authorization.username)", m));        // the realm "username"
}

TEST(script_select, an_at_select_that_finds_nothing_assigns_the_empty_string) {
    // Measured on Kamailio 5.6.3 without a Contact: $var(a) = @contact.uri is "", $var(b) = $sel(contact.uri)
    // is 0 (null), $avp(d) = @contact.uri is ""; a comparison with $null sees null.
    harness h(R"cfg(
request_route {
  $var(a) = @contact.uri;
  $var(b) = $sel(contact.uri);
  $avp(d) = @contact.uri;
  $var(n) = 0;
  if (@contact.uri == $null) { $var(n) = 1; }
}
)cfg");
    test_message m;
    h.request(m);
    EXPECT_EQ("", h.print("$var(a)", m));
    EXPECT_EQ("0", h.print("$var(b)", m));
    EXPECT_EQ("", h.print("$avp(d)", m));
    EXPECT_EQ("1", h.print("$var(n)", m));
}

} // namespace
} // namespace siphost::test
