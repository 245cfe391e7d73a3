#include "sip/serializer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace siphost::sip {
namespace {

const std::string k_invite = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
                             "Max-Forwards: 70\r\n"
                             "To: Bob <sip:bob@biloxi.example.com>\r\n"
                             "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                             "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                             "CSeq: 314159 INVITE\r\n"
                             "Record-Route: <sip:old.example.com;lr>\r\n"
                             "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
                             "Content-Type: application/sdp\r\n"
                             "Content-Length: 4\r\n"
                             "\r\n"
                             "v=0\n";

std::string write(const message& m) {
    std::vector<char> buf(70000);
    write_result r = write_message(m, buf);
    EXPECT_TRUE(r.ok());
    return std::string(buf.data(), r.size);
}

TEST(sip_serializer, UnchangedMessageIsCopiedExactly) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    EXPECT_EQ(write(m), k_invite);
}

TEST(sip_serializer, TooSmallBufferReportsTheSizeNeeded) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    m.add_header("X-A: 1", header_position::top);
    std::vector<char> small(10);
    write_result r = write_message(m, small);
    EXPECT_EQ(r.status, write_status::too_small);
    EXPECT_EQ(r.size, k_invite.size() + 8);
    std::vector<char> exact(r.size);
    EXPECT_TRUE(write_message(m, exact).ok());
}

TEST(sip_serializer, HeaderPositions) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    ASSERT_TRUE(m.add_header("X-Top: 1\r\n", header_position::top));
    ASSERT_TRUE(m.add_header("X-Bottom: 2", header_position::bottom));
    ASSERT_TRUE(m.add_header("X-After: 3\n", header_position::after, "i"));
    ASSERT_TRUE(m.add_header("X-Before: 4", header_position::before, "CSEQ"));
    ASSERT_TRUE(m.add_header("X-NoAnchor: 5", header_position::after, "Nope"));
    ASSERT_TRUE(m.add_header("X-Second-Top: 6", header_position::top));
    std::string out = write(m);
    std::string expected = k_invite;
    expected.insert(expected.find("\r\n\r\n") + 2, "X-Bottom: 2\r\nX-NoAnchor: 5\r\n");
    expected.insert(expected.find("CSeq:"), "X-After: 3\r\nX-Before: 4\r\n");
    expected.insert(expected.find("Via:"), "X-Top: 1\r\nX-Second-Top: 6\r\n");
    EXPECT_EQ(out, expected);
}

TEST(sip_serializer, RemoveAndReplace) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    EXPECT_EQ(m.remove_header("Contact"), 1);
    const header_field* call_id = m.find_header(header_kind::call_id);
    ASSERT_TRUE(m.replace(call_id->value_begin, call_id->value_end - call_id->value_begin, "replaced"));
    m.set_request_uri("sip:carol@chicago.example.com");
    std::string out = write(m);
    std::string expected = k_invite;
    expected.erase(expected.find("Contact:"),
                   std::string("Contact: <sip:alice@pc33.atlanta.example.com>\r\n").size());
    expected.replace(expected.find("a84b4c76e66710@pc33.atlanta.example.com"), 39, "replaced");
    expected.replace(7, 26, "sip:carol@chicago.example.com");
    EXPECT_EQ(out, expected);
}

TEST(sip_serializer, BodyChangesFixContentLength) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    m.set_body("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
    std::string out = write(m);
    message again;
    ASSERT_TRUE(again.parse(out).ok()) << again.status().reason();
    EXPECT_EQ(again.body(), "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
    EXPECT_EQ(again.content_length(), again.body().size());

    // A replace inside the body also changes the length.
    message r;
    ASSERT_TRUE(r.parse(k_invite).ok());
    ASSERT_TRUE(r.replace(r.body_offset(), 3, "v=0123"));
    message r2;
    std::string out2 = write(r);
    ASSERT_TRUE(r2.parse(out2).ok()) << out2;
    EXPECT_EQ(r2.body(), "v=0123\n");
    EXPECT_EQ(r2.content_length(), 7u);
}

TEST(sip_serializer, BodyAddedWhereThereWasNoContentLength) {
    std::string text = "MESSAGE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nFrom: <sip:c@d>;tag=1\n"
                       "To: <sip:a@b>\nCall-ID: m1\nCSeq: 1 MESSAGE";
    message m;
    ASSERT_TRUE(m.parse(text).ok()); // bare LF, no empty line, last line unterminated
    m.set_body("hello");
    std::string out = write(m);
    EXPECT_EQ(out, text + "\r\nContent-Length: 5\r\n\r\nhello");
    message again;
    ASSERT_TRUE(again.parse(out).ok());
    EXPECT_EQ(again.body(), "hello");
    // Without a change, the missing empty line is still written.
    message plain;
    ASSERT_TRUE(plain.parse(text).ok());
    EXPECT_EQ(write(plain), text + "\r\n\r\n");
}

TEST(sip_serializer, TrailingBytesAfterTheBodyAreDropped) {
    std::string text = k_invite + "garbage after the body";
    message m;
    ASSERT_TRUE(m.parse(text).ok());
    EXPECT_EQ(write(m), k_invite);
}

TEST(sip_serializer, ForwardedRequest) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    ASSERT_TRUE(m.add_record_route("<sip:192.0.2.10;lr>"));
    std::vector<char> buf(2000);
    via_spec via{"UDP", "192.0.2.10", 5060, "z9hG4bKproxy1", ";rport"};
    write_result r = write_forwarded_request(m, via, buf);
    ASSERT_TRUE(r.ok());
    std::string out(buf.data(), r.size);
    message f;
    ASSERT_TRUE(f.parse(out).ok()) << out;
    ASSERT_EQ(f.via_count(), 2u);
    EXPECT_EQ(f.via_at(0)->host, "192.0.2.10");
    EXPECT_EQ(f.via_at(0)->port, 5060);
    EXPECT_EQ(f.via_at(0)->branch, "z9hG4bKproxy1");
    EXPECT_TRUE(f.via_at(0)->has_rport);
    EXPECT_EQ(f.via_at(1)->branch, "z9hG4bK776asdhds");
    EXPECT_EQ(f.max_forwards(), 69u);
    auto rr = f.record_routes();
    ASSERT_TRUE(rr.has_value());
    ASSERT_EQ(rr->size(), 2u);
    EXPECT_EQ((*rr)[0].uri.host(), "192.0.2.10");
    EXPECT_EQ((*rr)[1].uri.host(), "old.example.com");
    EXPECT_EQ(f.body(), "v=0\n");
    EXPECT_EQ(m.edits().edits().size(), 1u); // the Via and Max-Forwards were not recorded in m
}

TEST(sip_serializer, SendTimeLinesGoOnTopInRecordingOrder) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    ASSERT_TRUE(m.add_header("X-Before: 1", header_position::top));
    uint32_t order = static_cast<uint32_t>(m.edits().edits().size()); // set between the two headers
    ASSERT_TRUE(m.add_header("X-After: 2", header_position::top));
    std::vector<char> buf(2000);
    via_spec via{"TCP", "192.0.2.10", 5060, "z9hG4bKproxy1", {}};
    send_time_lines lines[] = {{"Record-Route: <sip:192.0.2.10;transport=tcp;r2=on;lr>\r\n"
                                "Record-Route: <sip:192.0.2.10;r2=on;lr>\r\n",
                                order}};
    write_result r = write_forwarded_request(m, via, buf, lines);
    ASSERT_TRUE(r.ok());
    std::string out(buf.data(), r.size);
    std::string top = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                      "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKproxy1\r\n"
                      "X-Before: 1\r\n"
                      "Record-Route: <sip:192.0.2.10;transport=tcp;r2=on;lr>\r\n"
                      "Record-Route: <sip:192.0.2.10;r2=on;lr>\r\n"
                      "X-After: 2\r\n"
                      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n";
    EXPECT_EQ(out.substr(0, top.size()), top) << out;
    // Written for this send only: the message keeps its recorded changes, and a write without lines has none.
    EXPECT_EQ(m.edits().edits().size(), 2u);
    r = write_forwarded_request(m, via, buf);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(std::string(buf.data(), r.size).find("r2=on"), std::string::npos);
}

TEST(sip_serializer, PathRouteGoesBeforeTheFirstRouteOrBelowTheNewVia) {
    // Where Kamailio 5.6.3 writes the path vector of the Request-URI's branch (measured, reg_relay.sh).
    std::vector<char> buf(2000);
    via_spec via{"UDP", "192.0.2.10", 5060, "z9hG4bKproxy1", {}};
    std::string_view path = "Route: <sip:edge.example.com;lr>,<sip:core.example.com;lr>\r\n";
    message plain;
    ASSERT_TRUE(plain.parse(k_invite).ok());
    write_result r = write_forwarded_request(plain, via, buf, {}, path);
    ASSERT_TRUE(r.ok());
    std::string out(buf.data(), r.size);
    std::string top = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKproxy1\r\n" +
                      std::string(path) +
                      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n";
    EXPECT_EQ(out.substr(0, top.size()), top) << out;

    std::string routed = k_invite;
    routed.insert(routed.find("Max-Forwards:"), "Route: <sip:next.example.com;lr>\r\n");
    message m;
    ASSERT_TRUE(m.parse(routed).ok());
    r = write_forwarded_request(m, via, buf, {}, path);
    ASSERT_TRUE(r.ok());
    out.assign(buf.data(), r.size);
    message f;
    ASSERT_TRUE(f.parse(out).ok()) << out;
    EXPECT_NE(out.find(std::string(path) + "Route: <sip:next.example.com;lr>\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("Route:"), out.find(std::string(path))) << "no Route before the path's";
    EXPECT_EQ(m.edits().edits().size(), 0u) << "written for this send only";
}

TEST(sip_serializer, ForwardedRequestMaxForwardsRules) {
    std::string no_mf = k_invite;
    no_mf.erase(no_mf.find("Max-Forwards: 70\r\n"), 18);
    message m;
    ASSERT_TRUE(m.parse(no_mf).ok());
    std::vector<char> buf(2000);
    via_spec via{"TCP", "2001:db8::5", 0, "z9hG4bKv6", {}};
    write_result r = write_forwarded_request(m, via, buf);
    ASSERT_TRUE(r.ok());
    std::string out(buf.data(), r.size);
    EXPECT_NE(out.find("Via: SIP/2.0/TCP [2001:db8::5];branch=z9hG4bKv6\r\n"), std::string::npos);
    message f;
    ASSERT_TRUE(f.parse(out).ok());
    EXPECT_EQ(f.max_forwards(), 70u);

    message set;
    ASSERT_TRUE(set.parse(k_invite).ok());
    set.set_max_forwards(10); // a script (maxfwd) already decided
    r = write_forwarded_request(set, via, buf);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(f.parse(std::string_view(buf.data(), r.size)).ok());
    EXPECT_EQ(f.max_forwards(), 10u);

    message reply;
    ASSERT_TRUE(
        reply
            .parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n"
                   "Call-ID: 1\r\nCSeq: 1 INVITE\r\n\r\n")
            .ok());
    EXPECT_EQ(write_forwarded_request(reply, via, buf).status, write_status::wrong_kind);
    EXPECT_EQ(write_forwarded_request(m, via_spec{"UDP", "", 0, "z9hG4bK1", {}}, buf).status,
              write_status::bad_argument);
}

TEST(sip_serializer, RelayedReplyDropsTheTopVia) {
    std::string reply =
        "SIP/2.0 180 Ringing\r\n"
        "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP a.example.com;branch=z9hG4bKa\r\n"
        "Via: SIP/2.0/UDP b.example.com;branch=z9hG4bKb\r\n"
        "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\n"
        "Content-Length: 0\r\n\r\n";
    message m;
    ASSERT_TRUE(m.parse(reply).ok());
    std::vector<char> buf(2000);
    write_result r = write_relayed_reply(m, buf);
    ASSERT_TRUE(r.ok());
    message relayed;
    ASSERT_TRUE(relayed.parse(std::string_view(buf.data(), r.size)).ok());
    ASSERT_EQ(relayed.via_count(), 2u);
    EXPECT_EQ(relayed.via_at(0)->host, "a.example.com");
    EXPECT_EQ(relayed.via_at(1)->host, "b.example.com");

    // The output may not overlap the bytes the message refers to.
    EXPECT_EQ(write_relayed_reply(relayed, buf).status, write_status::bad_argument);
    // Relay again: now the top Via is a whole line.
    std::vector<char> buf2(2000);
    r = write_relayed_reply(relayed, buf2);
    ASSERT_TRUE(r.ok());
    message twice;
    ASSERT_TRUE(twice.parse(std::string_view(buf2.data(), r.size)).ok());
    ASSERT_EQ(twice.via_count(), 1u);
    EXPECT_EQ(twice.via_at(0)->host, "b.example.com");
    EXPECT_EQ(write_relayed_reply(twice, buf).status, write_status::no_via);
}

TEST(sip_serializer, LocalReplyPerRfc3261) {
    std::string request = "INVITE sip:bob@example.com SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1,\r\n SIP/2.0/UDP b.example.com\r\n"
                          "v: SIP/2.0/TCP c.example.com\r\n"
                          "t: Bob\r\n <sip:bob@example.com>\r\n"
                          "f: <sip:alice@example.com>;tag=a1\r\n"
                          "i: call-9\r\nCSeq: 2 INVITE\r\nContact: <sip:alice@a.example.com>\r\nl: 0\r\n\r\n";
    message m;
    ASSERT_TRUE(m.parse(request).ok());
    std::vector<char> buf(2000);
    local_reply spec;
    spec.code = 486;
    spec.to_tag = "server-tag";
    spec.extra_headers = "Retry-After: 60";
    spec.body = "busy";
    write_result r = write_local_reply(m, spec, buf);
    ASSERT_TRUE(r.ok());
    std::string out(buf.data(), r.size);
    EXPECT_EQ(out, "SIP/2.0 486 Busy Here\r\n"
                   "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com\r\n"
                   "Via: SIP/2.0/TCP c.example.com\r\n"
                   "From: <sip:alice@example.com>;tag=a1\r\n"
                   "To: Bob <sip:bob@example.com>;tag=server-tag\r\n"
                   "Call-ID: call-9\r\n"
                   "CSeq: 2 INVITE\r\n"
                   "Retry-After: 60\r\n"
                   "Content-Length: 4\r\n\r\nbusy");
    message parsed;
    ASSERT_TRUE(parsed.parse(out).ok());
    EXPECT_EQ(parsed.to().tag, "server-tag");
    EXPECT_EQ(parsed.via_count(), 3u);

    spec = {};
    spec.code = 100;
    spec.reason = "Giving it a try";
    spec.to_tag = "ignored-for-a-tagged-to";
    message tagged;
    std::string with_tag = request;
    with_tag.replace(with_tag.find("<sip:bob@example.com>"), 21, "<sip:bob@example.com>;tag=t0");
    ASSERT_TRUE(tagged.parse(with_tag).ok());
    r = write_local_reply(tagged, spec, buf);
    ASSERT_TRUE(r.ok());
    out.assign(buf.data(), r.size);
    EXPECT_EQ(out.substr(0, 33), "SIP/2.0 100 Giving it a try\r\nVia:");
    EXPECT_NE(out.find("To: Bob <sip:bob@example.com>;tag=t0\r\n"), std::string::npos);
    EXPECT_EQ(out.find("ignored"), std::string::npos);
    spec.code = 99;
    EXPECT_EQ(write_local_reply(tagged, spec, buf).status, write_status::bad_argument);
}

TEST(sip_serializer, LocalReplyToAnInvalidRequest) {
    // A 400 still copies what it can; the broken CSeq is copied as it is.
    std::string request =
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:c@d>;tag=1\r\n"
        "To: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 99999999999 OPTIONS\r\n\r\n";
    message m;
    parse_result pr = m.parse(request);
    ASSERT_EQ(pr.reply_code, 400);
    std::vector<char> buf(2000);
    local_reply spec;
    spec.code = pr.reply_code;
    spec.reason = pr.reason();
    spec.to_tag = "t";
    write_result r = write_local_reply(m, spec, buf);
    ASSERT_TRUE(r.ok());
    std::string out(buf.data(), r.size);
    EXPECT_NE(out.find("CSeq: 99999999999 OPTIONS\r\n"), std::string::npos);
    EXPECT_NE(out.find("To: <sip:a@b>;tag=t\r\n"), std::string::npos);
    EXPECT_EQ(out.substr(0, 12), "SIP/2.0 400 ");
}

TEST(sip_serializer, ConflictingChangesAreReported) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    const header_field* mf = m.find_header(header_kind::max_forwards);
    ASSERT_TRUE(m.replace(mf->value_begin, 2, "12"));
    std::vector<char> buf(2000);
    via_spec via{"UDP", "h", 0, "z9hG4bK1", {}};
    EXPECT_EQ(write_forwarded_request(m, via, buf).status, write_status::conflicting_edits);
    EXPECT_TRUE(write_message(m, buf).ok());
}

TEST(sip_serializer, RoundTrip) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    m.set_request_uri("sip:bob@192.0.2.20:5070;transport=udp");
    ASSERT_TRUE(
        m.add_header("P-Asserted-Identity: <sip:alice@atlanta.example.com>", header_position::after, "From"));
    ASSERT_TRUE(m.add_header("X-Top: yes", header_position::top));
    EXPECT_EQ(m.remove_header("Content-Type"), 1);
    ASSERT_TRUE(m.add_record_route("<sip:192.0.2.10;lr;r2=on>"));
    m.set_body("new body");
    std::vector<char> buf(4000);
    write_result r = write_forwarded_request(m, via_spec{"UDP", "192.0.2.10", 5060, "z9hG4bKrt", {}}, buf);
    ASSERT_TRUE(r.ok());
    std::string out(buf.data(), r.size);

    message again;
    ASSERT_TRUE(again.parse(out).ok()) << again.status().reason() << "\n" << out;
    EXPECT_EQ(again.request_uri(), "sip:bob@192.0.2.20:5070;transport=udp");
    EXPECT_EQ(again.parsed_request_uri().port(), 5070);
    EXPECT_EQ(again.via_count(), 2u);
    EXPECT_EQ(again.via_at(0)->branch, "z9hG4bKrt");
    EXPECT_EQ(again.max_forwards(), 69u);
    EXPECT_EQ(again.call_id(), m.call_id());
    EXPECT_EQ(again.cseq().number, m.cseq().number);
    EXPECT_EQ(again.from().tag, m.from().tag);
    EXPECT_EQ(again.to().uri_text, m.to().uri_text);
    EXPECT_EQ(again.find_header("Content-Type"), nullptr);
    EXPECT_EQ(again.header(0).kind, header_kind::via); // the new Via goes on top of everything
    EXPECT_EQ(again.name(again.header(1)), "X-Top");
    std::string_view pai;
    ASSERT_TRUE(again.header_value("P-Asserted-Identity", 0, pai));
    EXPECT_EQ(pai, "<sip:alice@atlanta.example.com>");
    const header_field* from = again.find_header(header_kind::from);
    EXPECT_EQ(again.name(again.header(static_cast<std::size_t>(from - &again.header(0)) + 1)),
              "P-Asserted-Identity");
    EXPECT_EQ(again.body(), "new body");
    EXPECT_EQ(again.content_length(), 8u);
    EXPECT_EQ(again.record_routes()->size(), 2u);
    // Serialising the reparsed message unchanged gives the same bytes.
    std::vector<char> buf2(4000);
    write_result r2 = write_message(again, buf2);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(std::string(buf2.data(), r2.size), out);
}

} // namespace
} // namespace siphost::sip

namespace siphost::sip {

TEST(sip_serializer, LocalReplyCarriesTheChangesRecordedInTheTopVia) {
    // The host notes received= and fills rport in the top Via (RFC 3261 18.2.1, RFC 3581); a reply made here
    // must show them, as a relayed request does.
    const std::string request = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                                "Via: SIP/2.0/UDP client.example.com:5070;rport;branch=z9hG4bK1\r\n"
                                "Via: SIP/2.0/UDP second.example.com;branch=z9hG4bK0\r\n"
                                "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n"
                                "Call-ID: lr1\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    message m;
    ASSERT_TRUE(m.parse(request).ok());
    const via* top = m.via_at(0);
    auto rport_at = static_cast<std::size_t>(top->params.data() - m.raw().data()) + top->params.find("rport");
    ASSERT_TRUE(m.replace(rport_at, 5, "rport=40000"));
    auto end = static_cast<uint32_t>(top->value.data() + top->value.size() - m.raw().data());
    ASSERT_TRUE(m.edits().insert(end, {";received=", "192.0.2.7"}));

    std::vector<char> buf(4096);
    auto r = write_local_reply(m, {200, {}, "tag9", {}, {}}, buf);
    ASSERT_TRUE(r.ok());
    std::string reply(buf.data(), r.size);
    EXPECT_NE(reply.find("Via: SIP/2.0/UDP client.example.com:5070;rport=40000;branch=z9hG4bK1;received=192.0.2.7\r\n"
                         "Via: SIP/2.0/UDP second.example.com;branch=z9hG4bK0\r\n"),
              std::string::npos)
        << reply;
}

} // namespace siphost::sip
