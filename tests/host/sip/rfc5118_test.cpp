// The RFC 5118 IPv6 torture messages: the archive's bare-LF originals and the CRLF wire copies.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sip/message.hpp"
#include "sip/reply_destination.hpp"
#include "sip/serializer.hpp"
#include "test_util.hpp"

namespace siphost::sip {
namespace {

struct rfc5118_case {
    const char* file;
    void (*check)(const message&);
};

const rfc5118_case k_cases[] = {
    {"ipv4-mapped-ipv6",
     [](const message& m) {
         ASSERT_EQ(m.via_count(), 2u);
         EXPECT_EQ(m.via_at(0)->host, "::ffff:192.0.2.10");
         EXPECT_EQ(m.via_at(0)->host_kind, host_type::ipv6);
         EXPECT_EQ(m.via_at(0)->port, 19823);
         EXPECT_EQ(m.via_at(1)->host, "::ffff:192.0.2.2");
         EXPECT_FALSE(m.via_at(1)->has_port);
         auto contacts = m.contacts();
         ASSERT_TRUE(contacts.has_value());
         EXPECT_EQ((*contacts)[0].uri.host(), "[::ffff:192.0.2.2]");
         EXPECT_EQ((*contacts)[0].uri.host_address(), "::ffff:192.0.2.2");
         EXPECT_EQ(m.body().size(), 236u);
     }},
    {"ipv6-bug-abnf-3-colons",
     [](const message& m) {
         EXPECT_EQ(m.parsed_request_uri().host(), "[2001:db8:::192.0.2.1]");
         EXPECT_EQ(m.to().uri.host_kind(), host_type::ipv6);
     }},
    {"ipv6-correct-abnf-2-colons",
     [](const message& m) {
         EXPECT_EQ(m.parsed_request_uri().host_address(), "2001:db8::192.0.2.1");
         EXPECT_EQ(m.via_at(0)->host, "lab1.east.example.com");
     }},
    {"ipv6-good",
     [](const message& m) {
         EXPECT_EQ(m.parsed_request_uri().host(), "[2001:db8::10]");
         EXPECT_FALSE(m.parsed_request_uri().has_port());
         EXPECT_EQ(m.via_at(0)->host, "2001:db8::9:1");
         auto d = reply_destination(m);
         ASSERT_TRUE(d.has_value());
         EXPECT_EQ(d->host, "2001:db8::9:1");
         EXPECT_EQ(d->port, 5060);
     }},
    {"ipv6-in-sdp",
     [](const message& m) {
         EXPECT_EQ(m.via_at(0)->host, "2001:db8::20");
         // The archive's Content-Length (268) is larger than its body; the wire copy corrects it to 241.
         EXPECT_EQ(m.content_length(), m.bare_lf() ? 268u : 241u);
         EXPECT_EQ(m.body().size(), m.bare_lf() ? 242u : 241u);
         EXPECT_EQ(m.content_length_repaired(), m.bare_lf());
     }},
    {"mult-ip-in-header",
     [](const message& m) {
         ASSERT_EQ(m.via_count(), 3u);
         EXPECT_EQ(m.via_at(0)->host, "2001:db8::9:1");
         EXPECT_EQ(m.via_at(0)->port, 6050);
         EXPECT_EQ(m.via_at(1)->host, "192.0.2.1");
         EXPECT_EQ(m.via_at(1)->host_kind, host_type::ipv4);
         EXPECT_EQ(m.via_at(2)->host, "2001:db8::9:255");
         EXPECT_EQ(m.via_at(2)->transport, "TCP");
         EXPECT_EQ(m.via_at(2)->received, "192.0.2.200");
         EXPECT_EQ(destination_of(*m.via_at(2)).host, "192.0.2.200");
     }},
    {"mult-ip-in-sdp",
     [](const message& m) {
         EXPECT_EQ(m.content_length(), 181u);
         EXPECT_EQ(m.body().size(), m.bare_lf() ? 180u : 181u);
     }},
    {"port-ambiguous",
     [](const message& m) {
         EXPECT_EQ(m.parsed_request_uri().host(), "[2001:db8::10:5070]");
         EXPECT_FALSE(m.parsed_request_uri().has_port());
     }},
    {"port-unambiguous",
     [](const message& m) {
         EXPECT_EQ(m.parsed_request_uri().host(), "[2001:db8::10]");
         EXPECT_EQ(m.parsed_request_uri().port(), 5070);
     }},
    {"via-received-param-no-delim",
     [](const message& m) {
         EXPECT_EQ(m.via_at(0)->received, "2001:db8::9:255");
         auto d = reply_destination(m);
         ASSERT_TRUE(d.has_value());
         EXPECT_EQ(d->host, "2001:db8::9:255");
     }},
    {"via-received-param-with-delim",
     [](const message& m) {
         EXPECT_EQ(m.via_at(0)->received, "[2001:db8::9:255]");
         auto d = reply_destination(m);
         ASSERT_TRUE(d.has_value());
         EXPECT_EQ(d->host, "2001:db8::9:255");
         EXPECT_EQ(m.to().tag, "bd76ya");
     }},
};

void check_folder(const std::filesystem::path& dir, bool bare_lf) {
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.is_regular_file() && entry.path().extension() != ".md")
            ++files;
    EXPECT_EQ(files, 12) << dir;
    for (const rfc5118_case& c : k_cases) {
        SCOPED_TRACE(dir.filename().string() + "/" + c.file);
        std::string bytes = test::read_bytes(dir / c.file);
        ASSERT_FALSE(bytes.empty());
        message m;
        parse_result r = m.parse(bytes);
        ASSERT_TRUE(r.ok()) << r.reason();
        EXPECT_EQ(m.bare_lf(), bare_lf);
        c.check(m);
        // Forwarding writes a well-formed message even from bare-LF input without an empty line.
        std::vector<char> buf(4000);
        write_result w =
            write_forwarded_request(m, via_spec{"UDP", "2001:db8::ff", 5060, "z9hG4bK5118", {}}, buf);
        ASSERT_TRUE(w.ok());
        message forwarded;
        ASSERT_TRUE(forwarded.parse(std::string_view(buf.data(), w.size)).ok());
        EXPECT_EQ(forwarded.via_at(0)->host, "2001:db8::ff");
        EXPECT_EQ(forwarded.via_count(), m.via_count() + 1);
        EXPECT_EQ(forwarded.body(), m.body());
        EXPECT_EQ(forwarded.content_length(), m.body().size());
    }
    std::string bad = test::read_bytes(dir / "ipv6-bad");
    ASSERT_FALSE(bad.empty());
    message m;
    parse_result r = m.parse(bad);
    EXPECT_EQ(r.error, parse_error::bad_request_uri);
    EXPECT_EQ(r.reply_code, 400);
}

TEST(sip_rfc5118, BareLfOriginals) {
    check_folder(test::data_dir() / "rfc5118", true);
}

TEST(sip_rfc5118, WireCrlfCopies) {
    check_folder(test::data_dir() / "rfc5118" / "wire-crlf-ersip", false);
}

} // namespace
} // namespace siphost::sip
