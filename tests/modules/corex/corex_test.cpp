// corex.so in the real host: append_branch with a q value, the message sent as received (send_udp,
// send_tcp), send_data, file_read and file_write, and the tests on the message; then the config errors of
// bad constant arguments.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kit = siphost::testkit;

namespace {

std::string config(std::string_view body, std::string_view globals = "") {
    return "debug=2\nchildren=1\n" + std::string(globals) +
           "loadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"textops\"\nloadmodule "
           "\"corex\"\nrequest_route {\n" +
           std::string(body) + "\n    sl_send_reply(\"200\", \"OK\");\n}\n";
}

std::string config_error(std::string_view call) {
    auto result = kit::host::check(config("    " + std::string(call) + ";"));
    return result.exit_status == 0 ? "" : result.output;
}

bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

/// A scratch directory of the test, removed at the end.
struct scratch_dir {
    std::filesystem::path path;
    scratch_dir() {
        char pattern[] = "/tmp/corex-test-XXXXXX";
        if (::mkdtemp(pattern) != nullptr)
            path = pattern;
    }
    ~scratch_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

TEST(modules_corex, append_branch_with_q_reaches_a_redirect) {
    kit::host proxy(config(R"~(
    append_branch("sip:first@127.0.0.1", "0.5");
    $var(q) = "1";
    append_branch("sip:second@127.0.0.1", "$var(q)");
    append_branch("sip:third@127.0.0.1", "0.125");
    sl_send_reply("302", "Moved");
    exit;)~"));
    kit::peer uac;
    uac.send(kit::request("INVITE", "sip:b@127.0.0.1", uac), proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->status(), 302);
    auto contacts = reply->headers("Contact");
    ASSERT_EQ(contacts.size(), 3u) << reply->text();
    EXPECT_EQ(contacts[0], "<sip:first@127.0.0.1>;q=0.5");
    EXPECT_EQ(contacts[1], "<sip:second@127.0.0.1>;q=1");
    EXPECT_EQ(contacts[2], "<sip:third@127.0.0.1>;q=0.125");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_corex, send_udp_sends_the_message_as_received) {
    kit::peer target;
    kit::host proxy(
        config("    remove_hf(\"Subject\");\n    send_udp(\"127.0.0.1:" + std::to_string(target.port()) +
               "\");\n    $du = \"sip:127.0.0.1:" + std::to_string(target.port()) + "\";\n    send_udp();"));
    kit::peer uac;
    kit::request_options options;
    options.extra_headers = "Subject: kept\r\n";
    std::string sent = kit::request("MESSAGE", "sip:b@127.0.0.1", uac, options);
    uac.send(sent, proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    // Twice, byte for byte: no Via added, the removed header still there (no change applied).
    for (int i = 0; i < 2; ++i) {
        auto copy = target.receive();
        ASSERT_TRUE(copy) << i << proxy.log();
        EXPECT_EQ(copy->text(), sent);
    }
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_corex, send_udp_without_a_destination_uses_the_request_uri) {
    kit::peer target;
    kit::host proxy(config("    send_udp();"));
    kit::peer uac;
    std::string sent = kit::request("OPTIONS", "sip:b@127.0.0.1:" + std::to_string(target.port()), uac);
    uac.send(sent, proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    auto copy = target.receive();
    ASSERT_TRUE(copy) << proxy.log();
    EXPECT_EQ(copy->text(), sent);
    EXPECT_EQ(proxy.stop(), 0);
}

/// A TCP listener on 127.0.0.1 that takes one connection and reads what arrives within a bounded time.
class tcp_listener {
public:
    tcp_listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof address;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(fd_, 1) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &len) != 0)
            return;
        port_ = ntohs(address.sin_port);
    }
    ~tcp_listener() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    uint16_t port() const { return port_; }

    /// What the first connection sends until `size` bytes came or 3 s passed.
    std::string read(size_t size) {
        std::string data;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 3000) != 1)
            return data;
        int conn = ::accept(fd_, nullptr, nullptr);
        if (conn < 0)
            return data;
        char buffer[4096];
        for (int rounds = 0; rounds < 30 && data.size() < size; ++rounds) {
            pollfd c{conn, POLLIN, 0};
            if (::poll(&c, 1, 100) != 1)
                continue;
            ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
            if (n <= 0)
                break;
            data.append(buffer, static_cast<size_t>(n));
        }
        ::close(conn);
        return data;
    }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

/// A free TCP port on loopback (the host's TCP listen address).
uint16_t free_tcp_port() {
    tcp_listener probe;
    return probe.port();
}

TEST(modules_corex, send_tcp_sends_the_message_over_tcp) {
    tcp_listener target;
    ASSERT_NE(target.port(), 0);
    uint16_t tcp_port = free_tcp_port();
    kit::host proxy(config("    send_tcp(\"127.0.0.1:" + std::to_string(target.port()) + "\");",
                           "listen=tcp:127.0.0.1:" + std::to_string(tcp_port) + "\n"));
    kit::peer uac;
    std::string sent = kit::request("OPTIONS", "sip:b@127.0.0.1", uac);
    uac.send(sent, proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    EXPECT_EQ(target.read(sent.size()), sent) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_corex, send_data_sends_the_expanded_text) {
    kit::peer target;
    kit::host proxy(config("    send_data(\"sip:127.0.0.1:" + std::to_string(target.port()) +
                           ";transport=udp\", \"ping $rm from $fU\");"));
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:b@127.0.0.1", uac), proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    auto data = target.receive();
    ASSERT_TRUE(data) << proxy.log();
    EXPECT_EQ(data->text(), "ping OPTIONS from alice");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_corex, file_write_then_file_read) {
    scratch_dir dir;
    ASSERT_FALSE(dir.path.empty());
    std::string file = (dir.path / "data.txt").string();
    std::string missing = (dir.path / "missing.txt").string();
    kit::host proxy(config("    file_write(\"" + file +
                           "\", \"$rm for $rU\"); $var(w) = $rc;\n"
                           "    file_read(\"" +
                           file +
                           "\", \"$var(content)\"); $var(r) = $rc;\n"
                           "    file_read(\"" +
                           missing +
                           "\", \"$var(other)\"); $var(m) = $rc;\n"
                           "    xlog(\"L_INFO\", \"files $var(w) $var(r) $var(m) [$var(content)]\\n\");"));
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:bob@127.0.0.1", uac), proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("files 1 1 -1 [OPTIONS for bob]")) << proxy.log();
    EXPECT_TRUE(has(proxy.log(), "cannot open '" + missing + "'")) << proxy.log();
    std::ifstream in(file);
    std::stringstream content;
    content << in.rdbuf();
    EXPECT_EQ(content.str(), "OPTIONS for bob");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_corex, tests_on_the_message) {
    kit::host proxy(config(R"~(
    has_ruri_user(); $var(u) = $rc;
    has_user_agent(); $var(a) = $rc;
    is_faked_msg(); $var(f) = $rc;
    xlog("L_INFO", "$ci: user $var(u) agent $var(a) faked $var(f)\n");)~"));
    kit::peer uac;
    kit::request_options with_agent;
    with_agent.call_id = "one";
    with_agent.extra_headers = "User-Agent: test\r\n";
    uac.send(kit::request("OPTIONS", "sip:bob@127.0.0.1", uac, with_agent), proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    kit::request_options plain;
    plain.call_id = "two";
    uac.send(kit::request("OPTIONS", "sip:127.0.0.1", uac, plain), proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_TRUE(has(proxy.log(), "one: user 1 agent 1 faked -1")) << proxy.log();
    EXPECT_TRUE(has(proxy.log(), "two: user -1 agent -1 faked -1")) << proxy.log();
}

TEST(modules_corex, is_faked_msg_in_an_event_route_run_without_a_message) {
    kit::host_options options;
    options.module_dirs.push_back(COREX_PROBE_DIR);
    kit::host proxy("debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"corex\"\n"
                    "loadmodule \"corex_probe\"\n"
                    "request_route {\n"
                    "    is_faked_msg(); $var(f) = $rc;\n"
                    "    xlog(\"L_INFO\", \"request faked $var(f)\\n\");\n"
                    "    corex_probe_raise();\n"
                    "    sl_send_reply(\"200\", \"OK\");\n"
                    "}\n"
                    "event_route[corex_probe:local] {\n"
                    "    is_faked_msg(); $var(f) = $rc;\n"
                    "    xlog(\"L_INFO\", \"event faked $var(f)\\n\");\n"
                    "}\n",
                    options);
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:bob@127.0.0.1", uac), proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_TRUE(has(proxy.log(), "request faked -1")) << proxy.log();
    EXPECT_TRUE(has(proxy.log(), "event faked 1")) << proxy.log();
}

TEST(modules_corex, bad_constant_arguments_fail_the_config_naming_the_problem) {
    std::string error = config_error(R"~(append_branch("sip:a@127.0.0.1", "2"))~");
    EXPECT_TRUE(has(error, "'2' is not a q value")) << error;
    error = config_error(R"~(append_branch("sip:a@127.0.0.1", "0.5x"))~");
    EXPECT_TRUE(has(error, "'0.5x' is not a q value")) << error;
    error = config_error(R"~(send_data("nonsense", "x"))~");
    EXPECT_TRUE(has(error, "'nonsense' is not a SIP URI")) << error;
    error = config_error(R"~(file_read("/tmp/x", "$nosuch(x)"))~");
    EXPECT_TRUE(has(error, "$nosuch(x)")) << error;
    EXPECT_EQ(config_error(R"~(append_branch("sip:a@127.0.0.1", "0.75"); send_data("sip:127.0.0.1", "x"))~"),
              "");
}

} // namespace
