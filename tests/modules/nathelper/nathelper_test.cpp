// nathelper.so in the real host, over the wire: every nat_uac_test flag true and false on crafted requests,
// fix_nated_contact, add_rcv_param, the alias round trip (set_contact_alias on a request, handle_ruri_alias
// on a later one that comes back to the aliased address), fix_nated_sdp as the next hop receives it, and NAT
// keepalives (CRLFCRLF and SIP pings) to a contact registered through registrar and usrloc.
//
// The proxy forwards to a UAS peer on port 5099 (each case runs in a network namespace of its own). The
// source-address test (flag 32) needs a private source: the case adds 10.9.9.9 to the namespace's loopback.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <thread>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t uas_port = 5099;

constexpr const char* proxy_config = R"~(
debug=2
children=1
loadmodule "sl"
loadmodule "pv"
loadmodule "xlog"
loadmodule "nathelper"
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
request_route {
    if ($hdr(X-Case) == "test") {
        nat_uac_test("1"); $var(t1) = $rc;
        nat_uac_test("2"); $var(t2) = $rc;
        nat_uac_test("4"); $var(t4) = $rc;
        nat_uac_test("8"); $var(t8) = $rc;
        nat_uac_test("16"); $var(t16) = $rc;
        nat_uac_test("32"); $var(t32) = $rc;
        nat_uac_test("64"); $var(t64) = $rc;
        nat_uac_test("128"); $var(t128) = $rc;
        nat_uac_test("256"); $var(t256) = $rc;
        nat_uac_test("19"); $var(t19) = $rc;
        sl_send_reply("200", "t1 $var(t1) t2 $var(t2) t4 $var(t4) t8 $var(t8) t16 $var(t16) t32 $var(t32) t64 $var(t64) t128 $var(t128) t256 $var(t256) t19 $var(t19) end");
        exit;
    }
    if ($hdr(X-Case) == "rr") {
        sl_send_reply("200", "count $rr_count top $rr_top_count end");
        exit;
    }
    if ($hdr(X-Case) == "rfc1918") {
        is_rfc1918("$hdr(X-IP)"); $var(r) = $rc;
        is_rfc1918("$si"); $var(s) = $rc;
        sl_send_reply("200", "ip $var(r) si $var(s) end");
        exit;
    }
    if ($hdr(X-Case) == "register") {
        fix_nated_register(); $var(r) = $rc;
        sl_send_reply("200", "rc $var(r) rcv $avp(RECEIVED) end");
        exit;
    }
    if ($hdr(X-Case) == "contact") {
        fix_nated_contact();
    } else if ($hdr(X-Case) == "rcv") {
        add_rcv_param();
    } else if ($hdr(X-Case) == "rcv-uri") {
        add_rcv_param(1);
    } else if ($hdr(X-Case) == "alias") {
        set_contact_alias();
    } else if ($hdr(X-Case) == "alias-trim") {
        set_contact_alias(1);
    } else if ($hdr(X-Case) == "add-alias") {
        add_contact_alias();
        if ($rc == 2) {
            sl_send_reply("200", "no alias needed");
            exit;
        }
    } else if ($hdr(X-Case) == "add-alias-given") {
        add_contact_alias("192.0.2.7", 5070, "tcp");
    } else if ($hdr(X-Case) == "alias-pv") {
        set_alias_to_pv("$var(a)"); $var(r) = $rc;
        sl_send_reply("200", "rc $var(r) uri $var(a) end");
        exit;
    } else if ($hdr(X-Case) == "sdp") {
        fix_nated_sdp("3");
        xlog("L_INFO", "fix_nated_sdp returned $rc\n");
    } else if ($hdr(X-Case) == "sdp-given") {
        fix_nated_sdp("14", "198.51.100.4");
        xlog("L_INFO", "fix_nated_sdp returned $rc\n");
    } else if ($hdr(X-Case) == "back") {
        handle_ruri_alias(); $var(r) = $rc;
        if ($var(r) == 1) {
            forward();
            exit;
        }
        sl_send_reply("200", "handle $var(r) end");
        exit;
    }
    forward("127.0.0.1", 5099);
}
onreply_route {
    if ($hdr(X-Case) == "reply-alias") {
        set_contact_alias();
        nat_uac_test("1"); $var(t1) = $rc;
        nat_uac_test("128"); $var(t128) = $rc;
        xlog("L_INFO", "reply tests: t1 $var(t1) t128 $var(t128)\n");
        return;
    }
    drop;
}
)~";

class modules_nathelper : public ::testing::Test {
protected:
    /// A request from the UAC with X-Case and the given extra headers (each ending with CRLF) and body.
    std::string request(std::string_view method, std::string_view test_case, std::string extra,
                        std::string body = "") {
        kit::request_options options;
        options.extra_headers = "X-Case: " + std::string(test_case) + "\r\n" + extra;
        options.body = std::move(body);
        return kit::request(method, "sip:bob@127.0.0.1:" + std::to_string(uas_port), uac, options);
    }

    /// The reason phrase of the proxy's reply to text sent from the UAC.
    std::string reason_of(const std::string& text) {
        uac.send(text, proxy.port());
        auto reply = uac.receive();
        EXPECT_TRUE(reply) << proxy.log();
        return reply ? reply->first_line().substr(std::string("SIP/2.0 200 ").size()) : "";
    }

    /// What the UAS receives when the UAC sends text through the proxy.
    std::optional<kit::message> relayed(const std::string& text) {
        uac.send(text, proxy.port());
        auto got = uas.receive();
        EXPECT_TRUE(got) << proxy.log();
        return got;
    }

    static std::string field(const std::string& reason, std::string_view name) {
        std::string key = " " + std::string(name) + " ";
        std::string padded = " " + reason;
        size_t at = padded.find(key);
        if (at == std::string::npos)
            return "?";
        size_t begin = at + key.size();
        return padded.substr(begin, padded.find(' ', begin) - begin);
    }

    /// Replaces the first occurrence of from in text (which must be there).
    static std::string with(std::string text, std::string_view from, std::string_view to) {
        size_t at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos)
            text.replace(at, from.size(), to);
        return text;
    }

    std::string own_contact() const {
        return "Contact: <sip:alice@127.0.0.1:" + std::to_string(uac.port()) + ">\r\n";
    }
    std::string own_via() const { return "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(uac.port()); }

    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{proxy_config};
};

// ---- $rr_count, $rr_top_count ----

TEST_F(modules_nathelper, record_route_counts) {
    std::string reason = reason_of(request("OPTIONS", "rr", own_contact()));
    EXPECT_EQ(field(reason, "count"), "0") << reason;
    EXPECT_EQ(field(reason, "top"), "0") << reason;
    reason = reason_of(request("OPTIONS", "rr",
                               own_contact() + "Record-Route: <sip:10.0.0.1;lr>, <sip:10.0.0.2;lr>\r\n"
                                               "Record-Route: <sip:10.0.0.3;lr>\r\n"));
    EXPECT_EQ(field(reason, "count"), "3") << reason;
    EXPECT_EQ(field(reason, "top"), "1") << reason;
    reason = reason_of(request("OPTIONS", "rr",
                               own_contact() + "Record-Route: <sip:10.0.0.1;transport=tcp;r2=on;lr>\r\n"
                                               "Record-Route: <sip:10.0.0.1;r2=on;lr>\r\n"));
    EXPECT_EQ(field(reason, "count"), "2") << reason;
    EXPECT_EQ(field(reason, "top"), "2") << reason;
}

// ---- nat_uac_test, one flag at a time ----

TEST_F(modules_nathelper, a_request_that_says_where_it_comes_from_passes_every_test) {
    std::string reason = reason_of(request("OPTIONS", "test", own_contact()));
    for (const char* flag : {"t1", "t2", "t4", "t8", "t16", "t32", "t64", "t128", "t256", "t19"})
        EXPECT_EQ(field(reason, flag), "-1") << flag << ": " << reason;
}

TEST_F(modules_nathelper, flag_1_a_private_contact) {
    std::string reason = reason_of(
        request("OPTIONS", "test", "Contact: <sip:alice@10.0.0.1:" + std::to_string(uac.port()) + ">\r\n"));
    EXPECT_EQ(field(reason, "t1"), "1") << reason;
    EXPECT_EQ(field(reason, "t128"), "-1") << reason; // same port as the source
    EXPECT_EQ(field(reason, "t19"), "1") << reason;
    reason = reason_of(request("OPTIONS", "test",
                               "Contact: <sip:alice@100.64.3.4:" + std::to_string(uac.port()) +
                                   ">\r\n")); // RFC 6598 shared space
    EXPECT_EQ(field(reason, "t1"), "1") << reason;
    reason = reason_of(
        request("OPTIONS", "test", "Contact: <sip:alice@172.32.0.1:" + std::to_string(uac.port()) + ">\r\n"));
    EXPECT_EQ(field(reason, "t1"), "-1") << reason; // just outside 172.16/12
}

TEST_F(modules_nathelper, flags_2_and_4_a_via_that_is_not_the_source) {
    std::string text = with(request("OPTIONS", "test", own_contact()), own_via(),
                            "Via: SIP/2.0/UDP 192.168.1.20:" + std::to_string(uac.port()));
    std::string reason = reason_of(text);
    EXPECT_EQ(field(reason, "t2"), "1") << reason;
    EXPECT_EQ(field(reason, "t4"), "1") << reason;
    EXPECT_EQ(field(reason, "t16"), "-1") << reason; // the port is the source's
    EXPECT_EQ(field(reason, "t19"), "1") << reason;
    // A public address that is not the source: received differs, nothing private.
    text = with(request("OPTIONS", "test", own_contact()), own_via(),
                "Via: SIP/2.0/UDP 203.0.113.9:" + std::to_string(uac.port()));
    reason = reason_of(text);
    EXPECT_EQ(field(reason, "t2"), "1") << reason;
    EXPECT_EQ(field(reason, "t4"), "-1") << reason;
}

TEST_F(modules_nathelper, flag_16_a_via_port_that_is_not_the_source_port) {
    std::string text = with(request("OPTIONS", "test", own_contact()), own_via(),
                            "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(uac.port() + 1) + ";rport");
    std::string reason = reason_of(text);
    EXPECT_EQ(field(reason, "t16"), "1") << reason;
    EXPECT_EQ(field(reason, "t2"), "-1") << reason;
    EXPECT_EQ(field(reason, "t19"), "1") << reason;
    // No port in the Via means 5060.
    text = with(request("OPTIONS", "test", own_contact()), own_via(), "Via: SIP/2.0/UDP 127.0.0.1;rport");
    EXPECT_EQ(field(reason_of(text), "t16"), "1");
}

TEST_F(modules_nathelper, flag_128_a_contact_port_that_is_not_the_source_port) {
    std::string reason = reason_of(request(
        "OPTIONS", "test", "Contact: <sip:alice@127.0.0.1:" + std::to_string(uac.port() + 1) + ">\r\n"));
    EXPECT_EQ(field(reason, "t128"), "1") << reason;
    EXPECT_EQ(field(reason, "t1"), "-1") << reason;
    reason = reason_of(request("OPTIONS", "test", "Contact: <sip:alice@127.0.0.1>\r\n")); // 5060
    EXPECT_EQ(field(reason, "t128"), "1") << reason;
}

std::string sdp(std::string_view media_ip, std::string_view origin_ip = "127.0.0.1") {
    return "v=0\r\no=alice 1 1 IN IP4 " + std::string(origin_ip) + "\r\ns=-\r\nc=IN IP4 " +
           std::string(media_ip) + "\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:4001 IN IP4 " +
           std::string(media_ip) + "\r\n";
}
const std::string sdp_type = "Content-Type: application/sdp\r\n";

TEST_F(modules_nathelper, flags_8_and_256_the_sdp_addresses) {
    std::string reason = reason_of(request("INVITE", "test", own_contact() + sdp_type, sdp("127.0.0.1")));
    EXPECT_EQ(field(reason, "t8"), "-1") << reason;
    EXPECT_EQ(field(reason, "t256"), "-1") << reason;
    reason = reason_of(request("INVITE", "test", own_contact() + sdp_type, sdp("192.168.7.7")));
    EXPECT_EQ(field(reason, "t8"), "1") << reason;
    EXPECT_EQ(field(reason, "t256"), "1") << reason;
    reason = reason_of(request("INVITE", "test", own_contact() + sdp_type, sdp("203.0.113.5")));
    EXPECT_EQ(field(reason, "t8"), "-1") << reason;
    EXPECT_EQ(field(reason, "t256"), "1") << reason;
    // A body of another type is not SDP.
    reason =
        reason_of(request("INVITE", "test", own_contact() + "Content-Type: text/plain\r\n", sdp("10.1.1.1")));
    EXPECT_EQ(field(reason, "t8"), "-1") << reason;
}

/// A UDP socket on a private address of the namespace's loopback, for flag 32.
class private_peer {
public:
    explicit private_peer(const char* ip) {
        if (!only_loopback()) {
            error_ = "needs a network namespace of its own (run as root: tests/netns_run.sh)";
            return;
        }
        std::string add = std::string("ip addr add ") + ip + "/32 dev lo 2>/dev/null";
        int added = std::system(add.c_str()); // nonzero when it is there already; the bind below tells
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        inet_pton(AF_INET, ip, &addr.sin_addr);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            error_ = std::string("cannot bind ") + ip + " (ip addr add exited with " + std::to_string(added) +
                     "; adding it to lo needs root in a namespace of its own)";
            return;
        }
        socklen_t len = sizeof addr;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~private_peer() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    const std::string& error() const { return error_; }
    uint16_t port() const { return port_; }
    void send(const std::string& text, uint16_t to) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(to);
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        ::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    std::string receive() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 2000) != 1)
            return {};
        char buf[4096];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    }

private:
    /// True when the namespace has loopback only: then adding an address touches nothing else.
    static bool only_loopback() {
        struct if_nameindex* names = if_nameindex();
        bool only = names != nullptr;
        for (struct if_nameindex* n = names; n != nullptr && n->if_index != 0; ++n)
            only = only && std::string(n->if_name) == "lo";
        if (names != nullptr)
            if_freenameindex(names);
        return only;
    }
    int fd_ = -1;
    uint16_t port_ = 0;
    std::string error_;
};

TEST_F(modules_nathelper, flag_32_a_private_source_and_is_rfc1918) {
    private_peer nated("10.9.9.9");
    ASSERT_TRUE(nated.error().empty()) << nated.error();
    std::string port = std::to_string(nated.port());
    std::string text = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.9.9.9:" + port +
                       ";branch=z9hG4bKnat32\r\nFrom: <sip:a@10.9.9.9>;tag=1\r\nTo: <sip:bob@127.0.0.1>\r\n"
                       "Call-ID: nat32\r\nCSeq: 1 OPTIONS\r\nContact: <sip:a@10.9.9.9:" +
                       port + ">\r\nMax-Forwards: 70\r\nX-Case: test\r\nContent-Length: 0\r\n\r\n";
    nated.send(text, proxy.port());
    std::string reply = nated.receive();
    ASSERT_FALSE(reply.empty()) << proxy.log();
    std::string reason = reply.substr(0, reply.find("\r\n"));
    EXPECT_NE(reason.find(" t32 1 "), std::string::npos) << reason;
    EXPECT_NE(reason.find(" t2 -1 "), std::string::npos) << reason; // the Via is the source
    EXPECT_NE(reason.find(" t1 1 "), std::string::npos) << reason;
    EXPECT_NE(reason.find(" t4 1 "), std::string::npos) << reason;

    nated.send(with(with(text, "X-Case: test", "X-Case: rfc1918\r\nX-IP: 8.8.8.8"), "nat32", "nat32b"),
               proxy.port());
    reply = nated.receive();
    EXPECT_NE(reply.find("ip -1 si 1 end"), std::string::npos) << reply;
}

TEST_F(modules_nathelper, is_rfc1918_on_addresses) {
    auto check = [&](std::string_view ip) {
        return field(reason_of(request("OPTIONS", "rfc1918", "X-IP: " + std::string(ip) + "\r\n")), "ip");
    };
    EXPECT_EQ(check("10.1.2.3"), "1");
    EXPECT_EQ(check("172.31.255.255"), "1");
    EXPECT_EQ(check("192.168.0.1"), "1");
    EXPECT_EQ(check("100.127.0.1"), "1");
    EXPECT_EQ(check("192.0.0.5"), "1");
    EXPECT_EQ(check("100.128.0.1"), "-1");
    EXPECT_EQ(check("8.8.8.8"), "-1");
    EXPECT_EQ(check("example.com"), "-1");
    EXPECT_EQ(check("fd00::1"), "-1");
}

// ---- what the next hop receives ----

TEST_F(modules_nathelper, fix_nated_contact_writes_the_source_into_the_contact) {
    auto got = relayed(
        request("INVITE", "contact",
                "Contact: \"Al\" <sip:alice@10.0.0.1:5062;maddr=10.0.0.1;transport=udp>;expires=60\r\n"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->header("Contact").value_or(""),
              "\"Al\" <sip:alice@127.0.0.1:" + std::to_string(uac.port()) + ";transport=udp>;expires=60");
    // Without a port in the Contact.
    got = relayed(request("INVITE", "contact", "Contact: sip:alice@192.168.0.9\r\n"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->header("Contact").value_or(""), "sip:alice@127.0.0.1:" + std::to_string(uac.port()));
}

TEST_F(modules_nathelper, fix_nated_register_fills_received_avp) {
    std::string reason = reason_of(request("REGISTER", "register", own_contact()));
    EXPECT_EQ(field(reason, "rc"), "1") << reason;
    EXPECT_EQ(field(reason, "rcv"), "sip:127.0.0.1:" + std::to_string(uac.port())) << reason;
}

TEST_F(modules_nathelper, add_rcv_param_to_each_contact) {
    std::string rcv = "sip:127.0.0.1:" + std::to_string(uac.port());
    auto got = relayed(request("REGISTER", "rcv", "Contact: <sip:a@10.0.0.1>;q=0.5, sip:b@10.0.0.2\r\n"));
    ASSERT_TRUE(got);
    std::vector<std::string> contacts = got->headers("Contact");
    ASSERT_EQ(contacts.size(), 2u) << got->text();
    EXPECT_EQ(contacts[0], "<sip:a@10.0.0.1>;q=0.5;received=\"" + rcv + "\"");
    EXPECT_EQ(contacts[1], "sip:b@10.0.0.2;received=\"" + rcv + "\"");
    got = relayed(request("REGISTER", "rcv-uri", "Contact: sip:a@10.0.0.1;expires=30\r\n"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->header("Contact").value_or(""), "<sip:a@10.0.0.1;received=\"" + rcv + "\">;expires=30");
}

TEST_F(modules_nathelper, fix_nated_sdp_points_the_media_at_the_source) {
    std::string body = sdp("10.0.0.1", "10.0.0.1");
    auto got = relayed(request("INVITE", "sdp", own_contact() + sdp_type, body));
    ASSERT_TRUE(got);
    std::string b = got->body();
    EXPECT_NE(b.find("c=IN IP4 127.0.0.1\r\n"), std::string::npos) << b;
    EXPECT_NE(b.find("a=rtcp:4001 IN IP4 127.0.0.1\r\n"), std::string::npos) << b;
    EXPECT_NE(b.find("a=oldmediaip:10.0.0.1\r\n"), std::string::npos) << b;
    EXPECT_NE(b.find("o=alice 1 1 IN IP4 10.0.0.1\r\n"), std::string::npos) << b; // flag 8 not given
    EXPECT_NE(b.find("a=direction:active\r\n"), std::string::npos) << b;
    EXPECT_EQ(got->header("Content-Length").value_or(""), std::to_string(b.size()));
    EXPECT_TRUE(proxy.wait_for_log("fix_nated_sdp returned 1")) << proxy.log();

    // The address given, the origin rewritten, the marker added.
    got = relayed(request("INVITE", "sdp-given", own_contact() + sdp_type, body));
    ASSERT_TRUE(got);
    b = got->body();
    EXPECT_NE(b.find("c=IN IP4 198.51.100.4\r\n"), std::string::npos) << b;
    EXPECT_NE(b.find("o=alice 1 1 IN IP4 198.51.100.4\r\n"), std::string::npos) << b;
    EXPECT_NE(b.find("a=nortpproxy:yes\r\n"), std::string::npos) << b;
    EXPECT_EQ(b.find("a=direction:active"), std::string::npos) << b;
    EXPECT_EQ(got->header("Content-Length").value_or(""), std::to_string(b.size()));
}

TEST_F(modules_nathelper, fix_nated_sdp_with_nothing_to_replace_returns_2) {
    relayed(request("INVITE", "sdp", own_contact() + sdp_type, sdp("127.0.0.1")));
    EXPECT_TRUE(proxy.wait_for_log("fix_nated_sdp returned 2")) << proxy.log();
}

// ---- aliases ----

TEST_F(modules_nathelper, alias_round_trip) {
    auto got = relayed(request("INVITE", "alias", "Contact: <sip:alice@10.0.0.1:5060>\r\n"));
    ASSERT_TRUE(got);
    std::string alias = "alias=127.0.0.1~" + std::to_string(uac.port()) + "~1";
    std::string contact_uri = "sip:alice@10.0.0.1:5060;" + alias;
    ASSERT_EQ(got->header("Contact").value_or(""), "<" + contact_uri + ">");

    // The UAS sends a BYE to that Contact through the proxy: it must reach the UAC's real address, without
    // the alias.
    std::string bye =
        "BYE " + contact_uri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + std::to_string(uas_port) +
        ";branch=z9hG4bKbye1\r\nFrom: <sip:bob@127.0.0.1>;tag=b\r\nTo: <sip:alice@127.0.0.1>;tag=a\r\n"
        "Call-ID: alias-trip\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\nX-Case: back\r\n"
        "Content-Length: 0\r\n\r\n";
    uas.send(bye, proxy.port());
    auto at_uac = uac.receive();
    ASSERT_TRUE(at_uac) << proxy.log();
    EXPECT_EQ(at_uac->method(), "BYE");
    EXPECT_EQ(at_uac->request_uri(), "sip:alice@10.0.0.1:5060");

    // A Request-URI without an alias is left alone: 2.
    std::string reason = reason_of(request("BYE", "back", ""));
    EXPECT_EQ(field(reason, "handle"), "2") << reason;
}

TEST_F(modules_nathelper, set_contact_alias_on_a_relayed_reply) {
    // The stock config's NATMANAGE: a reply from a natted callee gets the alias of where it came from.
    auto invite = relayed(request("INVITE", "forward", own_contact()));
    ASSERT_TRUE(invite);
    uas.reply(*invite, 200, "OK", "callee", "X-Case: reply-alias\r\nContact: <sip:bob@10.0.0.5:5060>\r\n");
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->status(), 200);
    EXPECT_EQ(reply->header("Contact").value_or(""),
              "<sip:bob@10.0.0.5:5060;alias=127.0.0.1~" + std::to_string(uas_port) + "~1>");
    EXPECT_TRUE(proxy.wait_for_log("reply tests: t1 1 t128 1")) << proxy.log();
}

TEST_F(modules_nathelper, handle_ruri_alias_refuses_a_malformed_alias) {
    kit::request_options options;
    options.extra_headers = "X-Case: back\r\n";
    uac.send(kit::request("BYE", "sip:a@10.0.0.1;alias=nonsense~x", uac, options), proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_NE(reply->first_line().find("handle -1 end"), std::string::npos) << reply->first_line();
}

TEST_F(modules_nathelper, set_contact_alias_brackets_a_bare_uri_and_trims_an_old_alias) {
    auto got = relayed(request("INVITE", "alias", "Contact: sip:alice@10.0.0.1;expires=30\r\n"));
    ASSERT_TRUE(got);
    std::string alias = "alias=127.0.0.1~" + std::to_string(uac.port()) + "~1";
    EXPECT_EQ(got->header("Contact").value_or(""), "<sip:alice@10.0.0.1;" + alias + ">;expires=30");
    got = relayed(
        request("INVITE", "alias-trim", "Contact: <sip:alice@10.0.0.1;alias=10.0.0.1~5060~1;lr>\r\n"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->header("Contact").value_or(""), "<sip:alice@10.0.0.1;lr;" + alias + ">");
}

TEST_F(modules_nathelper, add_contact_alias_only_when_the_contact_is_not_the_source) {
    std::string reason = reason_of(request("INVITE", "add-alias", own_contact()));
    EXPECT_EQ(reason, "no alias needed");
    // The alias goes right after the host and port, as Kamailio puts it.
    auto got = relayed(request("INVITE", "add-alias", "Contact: <sip:alice@127.0.0.1:5060;ob>\r\n"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->header("Contact").value_or(""),
              "<sip:alice@127.0.0.1:5060;alias=127.0.0.1~" + std::to_string(uac.port()) + "~1;ob>");
    // Without a Contact there is nothing to do.
    EXPECT_EQ(reason_of(request("INVITE", "add-alias", "")), "no alias needed");
    got = relayed(request("INVITE", "add-alias-given", "Contact: <sip:alice@10.0.0.1>\r\n"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->header("Contact").value_or(""), "<sip:alice@10.0.0.1;alias=192.0.2.7~5070~2>");
}

TEST_F(modules_nathelper, set_alias_to_pv_reads_the_contact_alias) {
    std::string reason =
        reason_of(request("OPTIONS", "alias-pv", "Contact: <sip:alice@10.0.0.1;alias=192.0.2.1~5070~2>\r\n"));
    EXPECT_EQ(field(reason, "rc"), "1") << reason;
    EXPECT_EQ(field(reason, "uri"), "sip:192.0.2.1:5070;transport=tcp") << reason;
    reason = reason_of(request("OPTIONS", "alias-pv", own_contact()));
    EXPECT_EQ(field(reason, "rc"), "-1") << reason;
}

// ---- configs refused by siphost -c ----

TEST(modules_nathelper_config, bad_arguments_are_config_errors) {
    for (const char* call :
         {"nat_uac_test(\"512\");", "nat_uac_test(\"0\");", "nat_uac_test(\"abc\");",
          "fix_nated_sdp(\"16\");", "fix_nated_sdp(\"2\", \"not-an-ip\");",
          "add_contact_alias(\"nope\", 5060, \"udp\");", "add_contact_alias(\"10.0.0.1\", 70000, \"udp\");",
          "add_contact_alias(\"10.0.0.1\", 5060, \"carrier-pigeon\");"}) {
        auto result =
            kit::host::check(std::string("loadmodule \"nathelper\"\nrequest_route { ") + call + " }\n");
        EXPECT_EQ(result.exit_status, 1) << call << "\n" << result.output;
    }
    auto good = kit::host::check("loadmodule \"nathelper\"\nrequest_route { nat_uac_test(\"19\"); "
                                 "fix_nated_sdp(\"3\"); add_contact_alias(\"10.0.0.1\", 5060, \"tcp\"); }\n");
    EXPECT_EQ(good.exit_status, 0) << good.output;
}

TEST(modules_nathelper_config, bad_parameters_are_refused) {
    for (const char* line :
         {"modparam(\"nathelper\", \"natping_interval\", -1)",
          "modparam(\"nathelper\", \"sipping_bflag\", 64)", "modparam(\"nathelper\", \"nat_addr_mode\", 2)",
          "modparam(\"nathelper\", \"sipping_from\", \"not a uri\")",
          "modparam(\"nathelper\", \"natping_socket\", \"192.168.1.1:5006\")",
          "modparam(\"nathelper\", \"natping_interval\", 10)" /* without usrloc */}) {
        auto result =
            kit::host::check(std::string("loadmodule \"nathelper\"\n") + line + "\nrequest_route { }\n");
        EXPECT_EQ(result.exit_status, 1) << line << "\n" << result.output;
    }
}

// ---- NAT keepalives ----

/// A registrar with nathelper pinging every second; the REGISTER's Contact is a private address, and
/// fix_nated_register makes usrloc keep where it really came from.
std::string pinging_config(std::string_view extra) {
    return std::string(R"~(
debug=2
children=1
loadmodule "sl"
loadmodule "pv"
loadmodule "xlog"
loadmodule "kex"
loadmodule "usrloc"
loadmodule "registrar"
loadmodule "nathelper"
modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "natping_interval", 1)
)~") + std::string(extra) +
           R"~(
request_route {
    if ($rm == "REGISTER") {
        if ($hdr(X-Nat) == "yes") {
            setbflag("6");
        }
        if ($hdr(X-Sip) == "yes") {
            setbflag("7");
        }
        if ($hdr(X-Off) == "yes") {
            setbflag("8");
        }
        fix_nated_register();
        save("location");
        exit;
    }
    if (lookup("location")) {
        sl_send_reply("200", "registered");
        exit;
    }
    sl_send_reply("404", "not registered");
}
onreply_route {
    xlog("L_INFO", "the script saw a $rs reply\n");
    drop;
}
)~";
}

class modules_nathelper_ping : public ::testing::Test {
protected:
    /// Registers nat@... from the UA peer with a private Contact (extra: X-Nat, X-Sip and X-Off set the
    /// branch flags 6, 7 and 8 before save); fails the test when it is not saved.
    void register_ua(std::string extra = "") {
        kit::request_options options;
        options.from_uri = "sip:nat@127.0.0.1";
        options.to_uri = "sip:nat@127.0.0.1";
        options.extra_headers = "Contact: <sip:nat@10.0.0.99:5060>;expires=600\r\n" + extra;
        ua.send(kit::request("REGISTER", "sip:127.0.0.1", ua, options), proxy->port());
        auto reply = ua.receive();
        ASSERT_TRUE(reply) << proxy->log();
        ASSERT_EQ(reply->status(), 200) << reply->text();
    }
    /// The next datagram the UA gets that is not a reply (bounded by timeout).
    std::optional<kit::message> next_ping(std::chrono::milliseconds timeout = 4000ms) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto got = ua.receive(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()));
            if (got && (got->text() == "\r\n\r\n" || got->is_request()))
                return got;
        }
        return std::nullopt;
    }
    int lookup_status() {
        kit::peer caller;
        caller.send(kit::request("OPTIONS", "sip:nat@127.0.0.1", caller), proxy->port());
        auto reply = caller.receive();
        return reply ? reply->status() : 0;
    }

    kit::peer ua;
    std::unique_ptr<kit::host> proxy;
};

TEST_F(modules_nathelper_ping, crlf_keepalive_to_the_received_address) {
    proxy = std::make_unique<kit::host>(pinging_config(""));
    register_ua();
    auto ping = next_ping();
    ASSERT_TRUE(ping) << proxy->log();
    EXPECT_EQ(ping->text(), "\r\n\r\n");
    EXPECT_EQ(ping->from_port(), proxy->port());
}

TEST_F(modules_nathelper_ping, sip_ping_with_sipping_from_and_its_reply_is_absorbed) {
    proxy = std::make_unique<kit::host>(
        pinging_config("modparam(\"nathelper\", \"sipping_from\", \"sip:pinger@example.org\")\n"
                       "modparam(\"nathelper\", \"sipping_bflag\", 7)\n"));
    register_ua();
    auto ping = next_ping();
    ASSERT_TRUE(ping) << proxy->log();
    ASSERT_TRUE(ping->is_request()) << ping->text();
    EXPECT_EQ(ping->method(), "OPTIONS");
    EXPECT_EQ(ping->request_uri(), "sip:nat@10.0.0.99:5060");
    EXPECT_NE(ping->header("From").value_or("").find("<sip:pinger@example.org>;tag="), std::string::npos);
    ua.reply(*ping, 200, "OK");
    EXPECT_EQ(lookup_status(), 200);
    EXPECT_FALSE(proxy->wait_for_log("the script saw a", 500ms)) << proxy->log(); // nathelper took it
}

/// Debian's kamailio.cfg with WITH_NAT and WITH_NATSIPPING: only contacts flagged behind NAT are pinged, with
/// SIP when they also carry the SIP-ping flag.
const std::string stock_nat = "modparam(\"nathelper\", \"ping_nated_only\", 1)\n"
                              "modparam(\"nathelper\", \"sipping_bflag\", 7)\n"
                              "modparam(\"nathelper\", \"sipping_from\", \"sip:pinger@kamailio.org\")\n"
                              "modparam(\"usrloc\", \"nat_bflag\", 6)\n";

TEST_F(modules_nathelper_ping, ping_nated_only_skips_a_contact_without_the_nat_flag) {
    proxy = std::make_unique<kit::host>(pinging_config(stock_nat));
    register_ua();
    EXPECT_FALSE(next_ping(2500ms)) << proxy->log();
}

TEST_F(modules_nathelper_ping, ping_nated_only_pings_a_natted_contact_with_crlf) {
    proxy = std::make_unique<kit::host>(pinging_config(stock_nat));
    register_ua("X-Nat: yes\r\n");
    auto ping = next_ping();
    ASSERT_TRUE(ping) << proxy->log();
    EXPECT_EQ(ping->text(), "\r\n\r\n");
}

TEST_F(modules_nathelper_ping, ping_nated_only_sends_sip_pings_to_a_contact_with_the_sipping_flag) {
    proxy = std::make_unique<kit::host>(pinging_config(stock_nat));
    register_ua("X-Nat: yes\r\nX-Sip: yes\r\n");
    auto ping = next_ping();
    ASSERT_TRUE(ping) << proxy->log();
    ASSERT_TRUE(ping->is_request()) << ping->text();
    EXPECT_EQ(ping->method(), "OPTIONS");
    EXPECT_NE(ping->header("From").value_or("").find("<sip:pinger@kamailio.org>"), std::string::npos);
}

TEST_F(modules_nathelper_ping, natping_disable_bflag_silences_a_contact) {
    proxy = std::make_unique<kit::host>(
        pinging_config(stock_nat + "modparam(\"nathelper\", \"natping_disable_bflag\", 8)\n"));
    register_ua("X-Nat: yes\r\nX-Off: yes\r\n");
    EXPECT_FALSE(next_ping(2500ms)) << proxy->log();
}

/// Runs kamcmd (Debian's kamailio package) on a control socket: its output, "exit N" appended on failure.
std::string kamcmd(const std::string& socket, const std::string& args) {
    std::string command = "timeout 10 kamcmd -s unix:" + socket + " " + args + " 2>&1 < /dev/null";
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr)
        return "popen failed";
    char buffer[512];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        out.append(buffer, n);
    int status = pclose(pipe);
    if (status != 0)
        out += "exit " + std::to_string(WEXITSTATUS(status));
    return out;
}

TEST_F(modules_nathelper_ping, enable_ping_stops_and_restarts_the_pings) {
    char dir_template[] = "/tmp/nathelper-ctl-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    std::string dir = dir_template;
    std::string sock = dir + "/ctl.sock";
    proxy = std::make_unique<kit::host>(
        pinging_config("loadmodule \"ctl\"\nmodparam(\"ctl\", \"binrpc\", \"unix:" + sock + "\")\n"));
    for (int i = 0; i < 50 && access(sock.c_str(), F_OK) != 0; ++i)
        std::this_thread::sleep_for(100ms);
    EXPECT_EQ(kamcmd(sock, "nathelper.enable_ping 0"), "");
    register_ua();
    EXPECT_FALSE(next_ping(2500ms)) << proxy->log();
    EXPECT_EQ(kamcmd(sock, "nathelper.enable_ping 1"), "");
    EXPECT_TRUE(next_ping()) << proxy->log();
    EXPECT_NE(kamcmd(sock, "nathelper.enable_ping"), "");
    proxy->stop();
    std::remove(sock.c_str());
    rmdir(dir.c_str());
}

TEST_F(modules_nathelper_ping, keepalive_timeout_removes_a_contact_that_never_answers) {
    proxy = std::make_unique<kit::host>(
        pinging_config("modparam(\"nathelper\", \"sipping_from\", \"sip:pinger@example.org\")\n"
                       "modparam(\"nathelper\", \"sipping_bflag\", 7)\n"
                       "modparam(\"nathelper\", \"keepalive_timeout\", 2)\n"));
    register_ua();
    ASSERT_EQ(lookup_status(), 200);
    // Unanswered pings for over 2 s: the contact goes (bounded: 6 s).
    bool removed = false;
    for (int i = 0; i < 30 && !removed; ++i) {
        std::this_thread::sleep_for(200ms);
        removed = lookup_status() == 404;
    }
    EXPECT_TRUE(removed) << proxy->log();
    EXPECT_TRUE(proxy->wait_for_log("contact of nat removed")) << proxy->log();
}

} // namespace
