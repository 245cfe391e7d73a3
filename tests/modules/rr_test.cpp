// rr.so in the real host, over the wire: the Record-Route it adds, loose_route() per RFC 3261 16.4/16.12
// with its return codes as the relayed request shows them, check_route_param, is_direction and $route_uri.
// The host listens on 127.0.0.1:5060 in a network namespace of its own, so <sip:127.0.0.1;lr> is its own.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

kit::host_options on_5060() {
    kit::host_options options;
    options.port = 5060;
    return options;
}

/// rr, sl, xlog and textops; body runs, then the request goes to the peer on uas_port and the UAC gets a 200.
std::string config(std::string_view body, uint16_t uas_port, std::string_view params = "") {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"rr\"\n" +
           std::string(params) + "request_route {\n" + std::string(body) + "\n    forward(\"127.0.0.1\", " +
           std::to_string(uas_port) + ");\n    sl_send_reply(\"200\", \"OK\");\n}\n";
}

/// A request to ruri with extra header lines (Route) and a To-tag (empty: an initial request).
std::string request(const kit::peer& uac, std::string_view method, std::string_view ruri,
                    std::string_view extra_headers, std::string_view to_tag = "bob-tag") {
    kit::request_options options;
    options.from_uri = "sip:alice@example.com";
    options.to_uri = "sip:bob@example.com";
    options.extra_headers = std::string(extra_headers);
    std::string text = kit::request(method, ruri, uac, options);
    if (!to_tag.empty())
        text.replace(text.find("To: <sip:bob@example.com>"), 25,
                     "To: <sip:bob@example.com>;tag=" + std::string(to_tag));
    return text;
}

std::string from_tag(const std::string& text) {
    std::string from = kit::message(text).header("From").value_or("");
    return from.substr(from.find(";tag=") + 5);
}

/// A UDP socket on [::1]: the kit's peers are IPv4.
class peer6 {
public:
    peer6() {
        fd_ = ::socket(AF_INET6, SOCK_DGRAM, 0);
        sockaddr_in6 address{};
        address.sin6_family = AF_INET6;
        address.sin6_addr = in6addr_loopback;
        socklen_t len = sizeof address;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), len) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &len) != 0)
            throw std::runtime_error("no UDP socket on [::1]");
        port_ = ntohs(address.sin6_port);
    }
    ~peer6() { ::close(fd_); }
    peer6(const peer6&) = delete;
    peer6& operator=(const peer6&) = delete;

    uint16_t port() const { return port_; }
    void send(const std::string& text, uint16_t to_port) {
        sockaddr_in6 to{};
        to.sin6_family = AF_INET6;
        to.sin6_addr = in6addr_loopback;
        to.sin6_port = htons(to_port);
        ::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }
    std::optional<kit::message> receive(int timeout_ms = 2000) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) != 1)
            return std::nullopt;
        std::string buffer(65536, '\0');
        ssize_t got = ::recv(fd_, buffer.data(), buffer.size(), 0);
        if (got < 0)
            return std::nullopt;
        buffer.resize(static_cast<size_t>(got));
        return kit::message(std::move(buffer));
    }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

class modules_rr : public ::testing::Test {
protected:
    /// Starts the host on body, sends text; returns the request as the peer got it.
    kit::message relay(std::string_view body, const std::string& text, std::string_view params = "") {
        proxy.emplace(config(body, uas.port(), params), on_5060());
        uac.send(text, proxy->port());
        auto reply = uac.receive();
        EXPECT_TRUE(reply) << proxy->log();
        auto got = uas.receive();
        EXPECT_TRUE(got) << proxy->log();
        return got.value_or(kit::message{});
    }

    /// loose_route() on text: the line "loose_route RC du=DU ru=RU" it logs, and what was relayed.
    std::string loose_route(const std::string& text) {
        relayed = relay(R"(    loose_route(); xlog("L_INFO", "loose_route $rc du=$du ru=$ru\n");)", text);
        std::string log = proxy->log();
        size_t at = log.rfind("loose_route ");
        return at == std::string::npos ? "no log" : log.substr(at, log.find('\n', at) - at);
    }

    kit::peer uas;
    kit::peer uac;
    std::optional<kit::host> proxy;
    kit::message relayed;
};

TEST_F(modules_rr, record_route_names_the_arrival_socket_on_top) {
    std::string invite = request(uac, "INVITE", "sip:bob@127.0.0.1", "", "");
    auto got = relay("    record_route();", invite);
    EXPECT_EQ(got.header("Record-Route"), "<sip:127.0.0.1:5060;lr;ftag=" + from_tag(invite) + ">")
        << got.text();
    // On top: the first header after the request line and the proxy's own Via.
    size_t first_header = got.text().find("\r\n") + 2;
    size_t second_header = got.text().find("\r\n", first_header) + 2;
    EXPECT_EQ(got.text().substr(second_header, 14), "Record-Route: ") << got.text();
}

TEST_F(modules_rr, record_route_appends_params) {
    std::string invite = request(uac, "INVITE", "sip:bob@127.0.0.1", "", "");
    auto got = relay(R"(    record_route(";nat=yes"); record_route("x=1");)", invite);
    auto values = got.headers("Record-Route");
    ASSERT_EQ(values.size(), 2u) << got.text();
    std::string prefix = "<sip:127.0.0.1:5060;lr;ftag=" + from_tag(invite);
    EXPECT_NE(std::find(values.begin(), values.end(), prefix + ";nat=yes>"), values.end()) << got.text();
    EXPECT_NE(std::find(values.begin(), values.end(), prefix + ";x=1>"), values.end()) << got.text();
}

TEST_F(modules_rr, record_route_brackets_ipv6) {
    peer6 uac6;
    kit::host v6("debug=2\nchildren=1\nlisten=udp:[::1]:5060\nloadmodule \"sl\"\nloadmodule \"rr\"\n"
                 "request_route {\n    record_route();\n    $du = \"sip:[::1]:" +
                     std::to_string(uac6.port()) +
                     "\";\n    forward();\n    sl_send_reply(\"200\", \"OK\");\n}\n",
                 on_5060());
    std::string invite = request(uac, "INVITE", "sip:bob@[::1]", "", "");
    std::string via = "127.0.0.1:" + std::to_string(uac.port());
    invite.replace(invite.find(via), via.size(), "[::1]:" + std::to_string(uac6.port()));
    uac6.send(invite, 5060);
    std::optional<kit::message> relayed_invite;
    for (int i = 0; i < 2; ++i)
        if (auto got = uac6.receive(); got && got->is_request())
            relayed_invite = got;
    ASSERT_TRUE(relayed_invite) << v6.log();
    EXPECT_EQ(relayed_invite->header("Record-Route"), "<sip:[::1]:5060;lr;ftag=" + from_tag(invite) + ">")
        << relayed_invite->text();
}

TEST_F(modules_rr, append_fromtag_and_full_lr_params) {
    auto got = relay("    record_route();", request(uac, "INVITE", "sip:bob@127.0.0.1", "", ""),
                     "modparam(\"rr\", \"append_fromtag\", 0)\nmodparam(\"rr\", \"enable_full_lr\", 1)\n");
    EXPECT_EQ(got.header("Record-Route"), "<sip:127.0.0.1:5060;lr=on>") << got.text();
}

/// A second UDP socket on 5062 after the kit's 5060 (the first, the one the host sends from): a request that
/// arrives on 5062 leaves from another socket.
constexpr std::string_view second_socket = "listen=udp:127.0.0.1:5062\n";

TEST_F(modules_rr, double_record_route_names_the_outgoing_then_the_arrival_socket) {
    proxy.emplace(std::string(second_socket) +
                      config("    record_route(\"nat=yes\"); add_rr_param(\";did=7\");", uas.port()),
                  on_5060());
    std::string invite = request(uac, "INVITE", "sip:bob@127.0.0.1", "", "");
    uac.send(invite, 5062);
    auto got = uas.receive();
    ASSERT_TRUE(got) << proxy->log();
    std::string tail = ";lr;ftag=" + from_tag(invite) + ";nat=yes;did=7>";
    auto values = got->headers("Record-Route");
    ASSERT_EQ(values.size(), 2u) << got->text();
    EXPECT_EQ(values[0], "<sip:127.0.0.1:5060;r2=on" + tail) << got->text();
    EXPECT_EQ(values[1], "<sip:127.0.0.1:5062;r2=on" + tail) << got->text();
    // On top, one after the other, below the proxy's own Via.
    size_t first_header = got->text().find("\r\n") + 2;
    size_t second_header = got->text().find("\r\n", first_header) + 2;
    EXPECT_EQ(got->text().substr(second_header, 14), "Record-Route: ") << got->text();
}

TEST_F(modules_rr, double_record_route_is_one_from_the_arrival_socket) {
    proxy.emplace(std::string(second_socket) +
                      config("    add_rr_param(\"p=1\"); record_route();", uas.port()),
                  on_5060());
    std::string invite = request(uac, "INVITE", "sip:bob@127.0.0.1", "", "");
    uac.send(invite, 5060);
    auto got = uas.receive();
    ASSERT_TRUE(got) << proxy->log();
    auto values = got->headers("Record-Route");
    ASSERT_EQ(values.size(), 1u) << got->text();
    EXPECT_EQ(values[0], "<sip:127.0.0.1:5060;lr;ftag=" + from_tag(invite) + ";p=1>") << got->text();
}

TEST_F(modules_rr, enable_double_rr_0_names_only_the_arrival_socket) {
    proxy.emplace(std::string(second_socket) + config("    record_route();", uas.port(),
                                                      "modparam(\"rr\", \"enable_double_rr\", 0)\n"),
                  on_5060());
    std::string invite = request(uac, "INVITE", "sip:bob@127.0.0.1", "", "");
    uac.send(invite, 5062);
    auto got = uas.receive();
    ASSERT_TRUE(got) << proxy->log();
    auto values = got->headers("Record-Route");
    ASSERT_EQ(values.size(), 1u) << got->text();
    EXPECT_EQ(values[0], "<sip:127.0.0.1:5062;lr;ftag=" + from_tag(invite) + ">") << got->text();
}

TEST_F(modules_rr, enable_double_rr_2_is_refused) {
    EXPECT_THROW(
        kit::host(config("    record_route();", uas.port(), "modparam(\"rr\", \"enable_double_rr\", 2)\n"),
                  on_5060()),
        kit::start_error);
}

TEST_F(modules_rr, no_route_is_minus_one) {
    EXPECT_EQ(loose_route(request(uac, "BYE", "sip:bob@198.51.100.20", "")),
              "loose_route -1 du=<null> ru=sip:bob@198.51.100.20");
}

TEST_F(modules_rr, own_route_is_removed_and_the_request_uri_is_the_next_hop) {
    EXPECT_EQ(loose_route(request(uac, "BYE", "sip:bob@198.51.100.20:5062",
                                  "Route: <sip:127.0.0.1:5060;lr;ftag=alice-tag>\r\n")),
              "loose_route 1 du=<null> ru=sip:bob@198.51.100.20:5062");
    EXPECT_EQ(relayed.header("Route"), std::nullopt) << relayed.text();
    EXPECT_EQ(relayed.request_uri(), "sip:bob@198.51.100.20:5062");
}

TEST_F(modules_rr, next_loose_route_becomes_the_destination) {
    EXPECT_EQ(loose_route(request(uac, "BYE", "sip:bob@198.51.100.20",
                                  "Route: <sip:127.0.0.1;lr>, <sip:203.0.113.5;lr>\r\n")),
              "loose_route 1 du=sip:203.0.113.5;lr ru=sip:bob@198.51.100.20");
    EXPECT_NE(relayed.text().find("\r\nRoute: <sip:203.0.113.5;lr>\r\n"), std::string::npos)
        << relayed.text();
    EXPECT_EQ(relayed.headers("Route").size(), 1u) << relayed.text();
}

TEST_F(modules_rr, own_route_on_its_own_line_goes_with_the_line) {
    EXPECT_EQ(loose_route(request(
                  uac, "BYE", "sip:bob@198.51.100.20",
                  "Route: <sip:127.0.0.1;lr>\r\nRoute: <sip:203.0.113.5;lr>, <sip:203.0.113.6;lr>\r\n")),
              "loose_route 1 du=sip:203.0.113.5;lr ru=sip:bob@198.51.100.20");
    EXPECT_NE(relayed.text().find("\r\nRoute: <sip:203.0.113.5;lr>, <sip:203.0.113.6;lr>\r\n"),
              std::string::npos)
        << relayed.text();
    EXPECT_EQ(relayed.headers("Route").size(), 2u) << relayed.text();
}

TEST_F(modules_rr, double_record_route_removes_both_own_values) {
    EXPECT_EQ(loose_route(request(
                  uac, "BYE", "sip:bob@198.51.100.20",
                  "Route: <sip:127.0.0.1;lr>, <sip:127.0.0.1:5060;lr;r2=on>, <sip:203.0.113.5;lr>\r\n")),
              "loose_route 1 du=sip:203.0.113.5;lr ru=sip:bob@198.51.100.20");
    EXPECT_NE(relayed.text().find("\r\nRoute: <sip:203.0.113.5;lr>\r\n"), std::string::npos)
        << relayed.text();
    EXPECT_EQ(relayed.headers("Route").size(), 1u) << relayed.text();
}

TEST_F(modules_rr, route_of_another_port_is_not_ours) {
    EXPECT_EQ(loose_route(request(uac, "BYE", "sip:bob@198.51.100.20", "Route: <sip:127.0.0.1:5070;lr>\r\n")),
              "loose_route 1 du=sip:127.0.0.1:5070;lr ru=sip:bob@198.51.100.20");
    EXPECT_EQ(relayed.header("Route"), "<sip:127.0.0.1:5070;lr>") << relayed.text();
}

TEST_F(modules_rr, strict_router_upstream_put_our_uri_in_the_request_uri) {
    EXPECT_EQ(loose_route(request(uac, "BYE", "sip:127.0.0.1;lr",
                                  "Route: <sip:203.0.113.5;lr>, <sip:bob@198.51.100.20:5062>\r\n")),
              "loose_route 1 du=sip:203.0.113.5;lr ru=sip:bob@198.51.100.20:5062");
    EXPECT_EQ(relayed.request_uri(), "sip:bob@198.51.100.20:5062");
    EXPECT_EQ(relayed.headers("Route"), std::vector<std::string>{"<sip:203.0.113.5;lr>"}) << relayed.text();
}

TEST_F(modules_rr, strict_next_hop_gets_the_request_uri_and_the_old_one_goes_last) {
    EXPECT_EQ(loose_route(request(uac, "BYE", "sip:bob@198.51.100.20",
                                  "Route: <sip:127.0.0.1;lr>, <sip:203.0.113.5>\r\n")),
              "loose_route 1 du=<null> ru=sip:203.0.113.5");
    EXPECT_EQ(relayed.request_uri(), "sip:203.0.113.5");
    EXPECT_EQ(relayed.headers("Route"), std::vector<std::string>{"<sip:bob@198.51.100.20>"})
        << relayed.text();
}

TEST_F(modules_rr, preloaded_route_to_ourselves_only_is_minus_three) {
    EXPECT_EQ(
        loose_route(request(uac, "INVITE", "sip:bob@198.51.100.20", "Route: <sip:127.0.0.1;lr>\r\n", "")),
        "loose_route -3 du=<null> ru=sip:bob@198.51.100.20");
}

TEST_F(modules_rr, preloaded_foreign_route_is_followed) {
    EXPECT_EQ(
        loose_route(request(uac, "INVITE", "sip:bob@198.51.100.20", "Route: <sip:203.0.113.5;lr>\r\n", "")),
        "loose_route 1 du=sip:203.0.113.5;lr ru=sip:bob@198.51.100.20");
}

TEST_F(modules_rr, malformed_route_is_false) {
    EXPECT_EQ(loose_route(request(uac, "BYE", "sip:bob@198.51.100.20", "Route: <sip:127.0.0.1;lr\r\n")),
              "loose_route -1 du=<null> ru=sip:bob@198.51.100.20");
    EXPECT_EQ(loose_route(request(uac, "BYE", "sip:bob@198.51.100.20", "Route: <sip:127.0.0.1;lr>,,\r\n")),
              "loose_route -1 du=<null> ru=sip:bob@198.51.100.20");
}

/// check_route_param("nat=yes") and is_direction on requests to sip:<case>@...; the 200 says what they gave.
class modules_rr_checks : public ::testing::Test {
protected:
    std::string run(std::string_view ruri, std::string_view extra_headers) {
        uac.send(request(uac, "BYE", ruri, extra_headers), proxy.port());
        auto reply = uac.receive();
        EXPECT_TRUE(reply) << proxy.log();
        return reply ? reply->first_line().substr(std::string("SIP/2.0 200 ").size()) : "";
    }

    kit::host proxy{R"(
debug=2
children=1
loadmodule "sl"
loadmodule "rr"
request_route {
    $vn(route_uri) = $route_uri;
    loose_route(); # what the checks read, as in Kamailio: they see no Route before it
    check_route_param("nat=yes"); $var(nat) = $rc;
    is_direction("downstream"); $var(down) = $rc;
    is_direction("upstream"); $var(up) = $rc;
    sl_send_reply("200", "nat $var(nat) downstream $var(down) upstream $var(up) route_uri $vn(route_uri) .");
}
)",
                    on_5060()};
    kit::peer uac;
};

TEST_F(modules_rr_checks, check_route_param_reads_the_own_route) {
    EXPECT_EQ(run("sip:bob@198.51.100.20",
                  "Route: <sip:203.0.113.5;lr;nat=yes>, <sip:127.0.0.1;lr;ftag=alice-tag;nat=yes>\r\n")
                  .substr(0, 5),
              "nat 1");
    EXPECT_EQ(run("sip:bob@198.51.100.20", "Route: <sip:127.0.0.1;lr;ftag=alice-tag>\r\n").substr(0, 6),
              "nat -1");
    EXPECT_EQ(run("sip:127.0.0.1;lr;nat=yes", "Route: <sip:bob@198.51.100.20>\r\n").substr(0, 5), "nat 1");
    EXPECT_EQ(run("sip:bob@198.51.100.20", "").substr(0, 6), "nat -1");
    auto bad = kit::host::check("loadmodule \"rr\"\nrequest_route { check_route_param(\"nat=(\"); }\n");
    EXPECT_EQ(bad.exit_status, 1) << bad.output;
}

TEST_F(modules_rr_checks, is_direction_compares_ftag_with_the_from_tag) {
    // The From-tag of the requests is the kit's; a route's ftag equal to it means downstream.
    std::string text = request(uac, "BYE", "sip:bob@198.51.100.20", "");
    std::string tag = from_tag(text);
    std::string from_callee = run("sip:bob@198.51.100.20", "Route: <sip:127.0.0.1;lr;ftag=kit-x>\r\n");
    EXPECT_NE(from_callee.find("downstream -1 upstream 1"), std::string::npos) << "another tag: the callee's";
    uac.send(text.insert(text.find("Max-Forwards:"), "Route: <sip:127.0.0.1;lr;ftag=" + tag + ">\r\n"),
             proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_NE(reply->first_line().find("downstream 1 upstream -1"), std::string::npos) << reply->first_line();
    EXPECT_NE(run("sip:bob@198.51.100.20", "Route: <sip:127.0.0.1;lr>\r\n").find("downstream 1 "),
              std::string::npos)
        << "no ftag: downstream";
    auto bad = kit::host::check("loadmodule \"rr\"\nrequest_route { is_direction(\"sideways\"); }\n");
    EXPECT_EQ(bad.exit_status, 1) << bad.output;
}

TEST_F(modules_rr_checks, route_uri_pseudo_variable) {
    EXPECT_NE(run("sip:bob@198.51.100.20", "Route: <sip:127.0.0.1;lr;ftag=x>, <sip:b>\r\n")
                  .find("route_uri sip:127.0.0.1;lr;ftag=x"),
              std::string::npos);
    EXPECT_NE(run("sip:bob@198.51.100.20", "").find("route_uri <null>"), std::string::npos);
}

} // namespace
