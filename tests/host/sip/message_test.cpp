#include "sip/message.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sip/header_params.hpp"

namespace siphost::sip {
namespace {

const std::string k_request =
    "REGISTER sip:registrar.example.com SIP/2.0\r\n"
    "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5070\r\n"
    "Via: SIP/2.0/UDP [2001:db8::1]:5080;branch=z9hG4bK3;received=192.0.2.9;rport=6000\r\n"
    "f: \"A, B\" <sip:ab@example.com>;tag=from-1\r\n"
    "t: sip:ab@example.com\r\n"
    "i: call-1@example.com\r\n"
    "CSeq: 7 REGISTER\r\n"
    "m: <sip:ab@192.0.2.9;transport=tcp>;expires=60, \"Home\" <sip:ab@home.example.com>\r\n"
    "Contact: sip:third@example.com;q=0.1\r\n"
    "Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n"
    "Route: <sip:p3.example.com;lr>\r\n"
    "Record-Route: <sip:rr.example.com;lr>\r\n"
    "Require: pref, gruu\r\n"
    "Proxy-Require: sec-agree\r\n"
    "k: path,\r\n outbound\r\n"
    "Expires: 3600\r\n"
    "c: application/sdp\r\n"
    "Authorization: Digest username=\"ab\", realm=\"example.com\"\r\n"
    "X-Unknown:   kept   byte-exact  \r\n"
    "x-unknown: second\r\n"
    "l: 0\r\n"
    "\r\n";

TEST(sip_message, CompactFormsAndViaValuesAcrossLines) {
    message m;
    ASSERT_TRUE(m.parse(k_request).ok()) << m.status().reason();
    ASSERT_EQ(m.via_count(), 3u);
    EXPECT_EQ(m.via_at(0)->host, "a.example.com");
    EXPECT_EQ(m.via_at(0)->header_index, 0);
    EXPECT_EQ(m.via_at(1)->transport, "TCP");
    EXPECT_EQ(m.via_at(1)->port, 5070);
    EXPECT_EQ(m.via_at(1)->header_index, 0);
    EXPECT_EQ(m.via_at(2)->host, "2001:db8::1");
    EXPECT_EQ(m.via_at(2)->header_index, 1);
    EXPECT_EQ(m.via_at(3), nullptr);
    EXPECT_EQ(m.from().tag, "from-1");
    EXPECT_EQ(m.from().display_name, "\"A, B\"");
    EXPECT_FALSE(m.to().has_tag);
    EXPECT_EQ(m.to().uri.user(), "ab");
    EXPECT_EQ(m.call_id(), "call-1@example.com");
    EXPECT_EQ(m.cseq().number, 7u);
    EXPECT_EQ(m.method_id(), method_kind::register_);
}

TEST(sip_message, LazyContactsRoutesAndTags) {
    message m;
    ASSERT_TRUE(m.parse(k_request).ok());
    auto contacts = m.contacts();
    ASSERT_TRUE(contacts.has_value());
    ASSERT_EQ(contacts->size(), 3u);
    EXPECT_EQ((*contacts)[0].uri.param("transport"), "tcp");
    EXPECT_EQ(find_header_param((*contacts)[0].params, "expires"), "60");
    EXPECT_EQ((*contacts)[1].display_name, "\"Home\"");
    EXPECT_EQ((*contacts)[2].uri.host(), "example.com");
    EXPECT_EQ((*contacts)[2].header_index, 7);
    auto routes = m.routes();
    ASSERT_TRUE(routes.has_value());
    ASSERT_EQ(routes->size(), 3u);
    EXPECT_EQ((*routes)[2].uri.host(), "p3.example.com");
    auto rr = m.record_routes();
    ASSERT_TRUE(rr.has_value());
    ASSERT_EQ(rr->size(), 1u);
    auto require = m.option_tags(header_kind::require);
    ASSERT_TRUE(require.has_value());
    ASSERT_EQ(require->size(), 2u);
    EXPECT_EQ((*require)[1], "gruu");
    auto supported = m.option_tags(header_kind::supported);
    ASSERT_TRUE(supported.has_value());
    ASSERT_EQ(supported->size(), 2u);
    EXPECT_EQ((*supported)[1], "outbound");
    EXPECT_EQ(m.option_tags(header_kind::proxy_require)->size(), 1u);
    EXPECT_FALSE(m.option_tags(header_kind::via).has_value());
    uint32_t expires = 0;
    EXPECT_EQ(m.expires(expires), header_status::ok);
    EXPECT_EQ(expires, 3600u);
    media_type type;
    EXPECT_EQ(m.content_type(type), header_status::ok);
    EXPECT_EQ(type.subtype, "sdp");
    // Cached: the second call returns the same storage.
    EXPECT_EQ(m.contacts()->data(), contacts->data());
}

TEST(sip_message, LazyParseErrorsAndAbsence) {
    std::string text = k_request;
    text.replace(text.find("Expires: 3600"), 13, "Expires: soon");
    text.replace(text.find("Route: <sip:p3.example.com;lr>"), 30, "Route: <sip:p3.example.com;lr");
    message m;
    ASSERT_TRUE(m.parse(text).ok());
    uint32_t expires = 0;
    EXPECT_EQ(m.expires(expires), header_status::invalid);
    EXPECT_FALSE(m.routes().has_value());
    EXPECT_TRUE(m.contacts().has_value());

    std::string minimal =
        "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n"
        "Call-ID: 1\r\nCSeq: 1 OPTIONS\r\n\r\n";
    ASSERT_TRUE(m.parse(minimal).ok());
    EXPECT_EQ(m.expires(expires), header_status::absent);
    media_type type;
    EXPECT_EQ(m.content_type(type), header_status::absent);
    ASSERT_TRUE(m.contacts().has_value());
    EXPECT_TRUE(m.contacts()->empty());
    EXPECT_TRUE(m.option_tags(header_kind::require)->empty());
}

TEST(sip_message, FromAndToUrisAreParsedOnFirstUse) {
    std::string text = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:c@[broken>;tag=1\r\n"
                       "To: \"T\" <sips:a@b.example.com:5061>\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\n\r\n";
    message m;
    ASSERT_TRUE(m.parse(text).ok()); // a proxy does not route on the From URI
    EXPECT_EQ(m.from_tag(), "1");
    EXPECT_TRUE(m.to_tag().empty());
    EXPECT_EQ(m.from().tag, "1");
    EXPECT_EQ(m.from().uri_text, "sip:c@[broken");
    EXPECT_TRUE(m.from().uri.text().empty());
    EXPECT_EQ(m.to().uri.scheme(), uri_scheme::sips);
    EXPECT_EQ(m.to().uri.port(), 5061);
    EXPECT_EQ(m.to().display_name, "\"T\"");
}

TEST(sip_message, HeaderValueCountsListElementsAndLines) {
    message m;
    ASSERT_TRUE(m.parse(k_request).ok());
    std::string_view v;
    ASSERT_TRUE(m.header_value("Via", 1, v));
    EXPECT_EQ(v, "SIP/2.0/TCP b.example.com:5070");
    ASSERT_TRUE(m.header_value("v", 2, v));
    EXPECT_EQ(v.substr(0, 12), "SIP/2.0/UDP ");
    EXPECT_FALSE(m.header_value("Via", 3, v));
    ASSERT_TRUE(m.header_value("contact", 1, v));
    EXPECT_EQ(v, "\"Home\" <sip:ab@home.example.com>");
    ASSERT_TRUE(m.header_value("From", 0, v));
    EXPECT_EQ(v, "\"A, B\" <sip:ab@example.com>;tag=from-1"); // not a list: the comma stays
    ASSERT_TRUE(m.header_value("Authorization", 0, v));
    EXPECT_EQ(v, "Digest username=\"ab\", realm=\"example.com\"");
    ASSERT_TRUE(m.header_value("X-UNKNOWN", 0, v));
    EXPECT_EQ(v, "kept   byte-exact");
    ASSERT_TRUE(m.header_value("x-unknown", 1, v));
    EXPECT_EQ(v, "second");
    ASSERT_TRUE(m.header_value("Supported", 1, v));
    EXPECT_EQ(v, "outbound");
    EXPECT_FALSE(m.header_value("Subject", 0, v));
    const header_field* unknown = m.find_header("x-Unknown");
    ASSERT_NE(unknown, nullptr);
    EXPECT_EQ(m.line(*unknown), "X-Unknown:   kept   byte-exact  \r\n");
}

TEST(sip_message, RemovedHeadersAreReadAsReceivedButNotSent) {
    // As Kamailio's lookups: a removal shows in what is sent, not in what the script reads.
    message m;
    ASSERT_TRUE(m.parse(k_request).ok());
    EXPECT_EQ(m.remove_header("x-unknown", 0), 1);
    std::string_view v;
    ASSERT_TRUE(m.header_value("X-Unknown", 0, v));
    EXPECT_NE(v, "second");
    ASSERT_TRUE(m.header_value("X-Unknown", 1, v));
    EXPECT_EQ(v, "second");
    // Lines count as received: index 0 is the removed one, found again without a second change.
    std::size_t changes = m.edits().edits().size();
    EXPECT_EQ(m.remove_header("X-Unknown", 0), 1);
    EXPECT_EQ(m.edits().edits().size(), changes);
    EXPECT_EQ(m.remove_header("X-Unknown"), 2);
    ASSERT_TRUE(m.header_value("X-Unknown", 1, v));
    EXPECT_EQ(v, "second");
    // What the host itself goes by (the next hop's Route, the lines it rewrites) leaves them out.
    EXPECT_EQ(m.find_header("X-Unknown"), nullptr);
    EXPECT_EQ(m.remove_header("Route"), 2);
    EXPECT_EQ(m.find_header(header_kind::route), nullptr);
    EXPECT_TRUE(m.header_value("Route", 0, v));
}

TEST(sip_message, CloneOwnsBytesAndKeepsChanges) {
    std::string bytes = k_request;
    message original;
    ASSERT_TRUE(original.parse(bytes).ok());
    original.remove_header("Expires");
    original.set_request_uri("sip:new@example.com");
    ASSERT_TRUE(original.add_header("X-Added: 1", header_position::bottom));
    message copy = original.clone();
    bytes.assign(bytes.size(), 'x'); // the receive buffer is reused
    ASSERT_TRUE(copy.status().ok());
    EXPECT_NE(copy.raw().data(), bytes.data());
    EXPECT_EQ(copy.call_id(), "call-1@example.com");
    EXPECT_EQ(copy.current_request_uri(), "sip:new@example.com");
    EXPECT_EQ(copy.find_header(header_kind::expires), nullptr);
    EXPECT_EQ(copy.edits().edits().size(), original.edits().edits().size());
    message moved = std::move(copy);
    EXPECT_EQ(moved.via_at(2)->host, "2001:db8::1");
    EXPECT_EQ(moved.contacts()->size(), 3u);
}

TEST(sip_message, ParseCopyAndReuse) {
    message m;
    ASSERT_TRUE(m.parse_copy(k_request).ok());
    EXPECT_NE(m.raw().data(), k_request.data());
    EXPECT_EQ(m.raw(), k_request);
    // Parsing again resets every cache.
    std::string other =
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\n"
        "Call-ID: 2\r\nCSeq: 1 OPTIONS\r\n\r\n";
    ASSERT_TRUE(m.parse(other).ok());
    EXPECT_TRUE(m.contacts()->empty());
    EXPECT_EQ(m.via_count(), 1u);
    EXPECT_TRUE(m.edits().empty());
}

TEST(sip_message, ChangesAreRefusedWhenTheyOverlap) {
    message m;
    ASSERT_TRUE(m.parse(k_request).ok());
    const header_field* cseq = m.find_header(header_kind::cseq);
    ASSERT_TRUE(m.replace(cseq->value_begin, 1, "8"));
    EXPECT_FALSE(m.replace(cseq->value_begin, 3, "9 R"));
    EXPECT_FALSE(m.replace(m.raw().size(), 1, "x"));
    EXPECT_EQ(m.remove_header("CSeq"), 0); // its line contains the replaced range
}

} // namespace
} // namespace siphost::sip
