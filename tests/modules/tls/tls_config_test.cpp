// tls.cfg as Kamailio writes it: sections, keys, defaults from the modparams, and a clear error with the line
// for each mistake; then the choice of a profile for an address.
#include "tls_config.hpp"
#include "tls_contexts.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace siphost::tls {
namespace {

tls_profile server_default() {
    tls_profile p;
    p.server = true;
    p.address = "default";
    p.certificate = "/modparam/cert.pem";
    p.verify_certificate = true;
    return p;
}

tls_profile client_default() {
    tls_profile p;
    p.server = false;
    p.address = "default";
    return p;
}

std::vector<tls_profile> parse(const std::string& text) {
    return tls_config::parse(text, server_default(), client_default());
}

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "no error";
}

TEST(tls_config, reads_sections_keys_and_comments) {
    auto profiles = parse("# a comment\n"
                          "[server:default]\n"
                          "method = TLSv1.3\n"
                          "private_key = /etc/key.pem   # trailing comment\n"
                          "\n"
                          "[client:10.0.0.1:5061]\n"
                          "verify_certificate = yes\n"
                          "require_certificate = no\n"
                          "ca_list = \"/etc/ca list.pem\"\n"
                          "server_name = sip.example.com\n"
                          "verify_depth = 3\n"
                          "cipher_list = HIGH:!aNULL\n"
                          "crl = /etc/crl.pem\n"
                          "[ server : [::1]:5061 ]\n"
                          "certificate = /v6.pem\n");
    ASSERT_EQ(profiles.size(), 3u);
    const auto& server = profiles[0];
    EXPECT_TRUE(server.server);
    EXPECT_TRUE(server.is_default());
    EXPECT_EQ(server.method, "TLSv1.3");
    EXPECT_EQ(server.private_key, "/etc/key.pem");
    // A default section starts from the modparams.
    EXPECT_EQ(server.certificate, "/modparam/cert.pem");
    EXPECT_TRUE(server.verify_certificate);
    EXPECT_EQ(server.line, 2);

    const auto& client = profiles[1];
    EXPECT_FALSE(client.server);
    EXPECT_EQ(client.ip, "10.0.0.1");
    EXPECT_EQ(client.port, 5061u);
    EXPECT_TRUE(client.verify_certificate);
    EXPECT_FALSE(client.require_certificate);
    EXPECT_EQ(client.ca_list, "/etc/ca list.pem");
    EXPECT_EQ(client.server_name, "sip.example.com");
    EXPECT_EQ(client.verify_depth, 3);
    EXPECT_EQ(client.cipher_list, "HIGH:!aNULL");
    EXPECT_EQ(client.crl, "/etc/crl.pem");
    EXPECT_EQ(client.method, "TLSv1.2+"); // the built-in default: TLS 1.2 and 1.3 only
    EXPECT_EQ(client.label(), "[client:10.0.0.1:5061]");

    const auto& v6 = profiles[2];
    EXPECT_EQ(v6.ip, "::1");
    EXPECT_EQ(v6.port, 5061u);
    EXPECT_EQ(v6.certificate, "/v6.pem");
    // An address section does not inherit the modparams.
    EXPECT_FALSE(v6.verify_certificate);
}

TEST(tls_config, an_empty_file_has_no_profiles) {
    EXPECT_TRUE(parse("").empty());
    EXPECT_TRUE(parse("# nothing\n\n   \n").empty());
}

TEST(tls_config, each_mistake_names_its_line) {
    EXPECT_EQ(
        error_of("[server:default]\nmethod = TLSv9\n"),
        "tls.cfg:2: unknown method 'TLSv9' (SSLv23, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, each also with '+')");
    EXPECT_EQ(error_of("[server:default]\n\ncolour = blue\n"), "tls.cfg:3: unknown key 'colour'");
    EXPECT_EQ(error_of("method = TLSv1.2\n"),
              "tls.cfg:1: 'method' comes before any [server:...] or [client:...]");
    EXPECT_EQ(error_of("[proxy:default]\n"),
              "tls.cfg:1: a section is [server:ADDRESS] or [client:ADDRESS], not [proxy:default]");
    EXPECT_EQ(error_of("[server:default\n"), "tls.cfg:1: a section header ends with ']'");
    EXPECT_EQ(error_of("[server:10.0.0.1]\n"),
              "tls.cfg:1: bad address '10.0.0.1' (write default, IP:PORT or [IPv6]:PORT)");
    EXPECT_EQ(error_of("[server:10.0.0.1:70000]\n"),
              "tls.cfg:1: bad address '10.0.0.1:70000' (write default, IP:PORT or [IPv6]:PORT)");
    EXPECT_EQ(error_of("[client:[::1]5061]\n"), "tls.cfg:1: bad address '[::1]5061' (write [IPv6]:PORT)");
    EXPECT_EQ(error_of("[client:default]\nverify_certificate = maybe\n"),
              "tls.cfg:2: verify_certificate needs yes or no, not 'maybe'");
    EXPECT_EQ(error_of("[client:default]\nverify_depth = deep\n"),
              "tls.cfg:2: verify_depth needs a number, not 'deep'");
    EXPECT_EQ(error_of("[client:default]\njust words\n"),
              "tls.cfg:2: expected 'key = value' or a [section], not 'just words'");
    EXPECT_EQ(error_of("[server:1.2.3.4:5061]\n[client:1.2.3.4:5061]\n[server:1.2.3.4:5061]\n"),
              "tls.cfg:3: [server:1.2.3.4:5061] repeats the section of line 1");
}

TEST(tls_config, server_name_profiles_may_share_an_address) {
    auto profiles = parse("[server:1.2.3.4:5061]\nserver_name = a.example\n"
                          "[server:1.2.3.4:5061]\nserver_name = b.example\n");
    ASSERT_EQ(profiles.size(), 2u);
    EXPECT_EQ(profiles[1].server_name, "b.example");
}

TEST(tls_config, a_missing_file_is_an_error) {
    try {
        tls_config::load("/nonexistent/tls.cfg", server_default(), client_default());
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "cannot read the tls config file /nonexistent/tls.cfg");
    }
}

TEST(tls_contexts, a_client_gets_its_address_profile_else_the_default) {
    auto profiles = parse("[client:default]\n"
                          "[client:10.0.0.1:5061]\nserver_name = peer.example\nverify_certificate = yes\n");
    tls_contexts contexts(profiles);
    const std::string* name = nullptr;
    SSL_CTX* specific = contexts.client("10.0.0.1", 5061, &name);
    ASSERT_NE(specific, nullptr);
    ASSERT_NE(name, nullptr);
    EXPECT_EQ(*name, "peer.example");
    SSL_CTX* fallback = contexts.client("10.0.0.2", 5061, &name);
    ASSERT_NE(fallback, nullptr);
    EXPECT_NE(fallback, specific);
    EXPECT_EQ(*name, "");
    EXPECT_EQ(contexts.client("10.0.0.1", 5062, &name), fallback);
}

TEST(tls_contexts, a_server_profile_without_a_certificate_is_refused_with_the_reason) {
    tls_profile server = server_default();
    server.certificate.clear();
    tls_contexts contexts(tls_config::parse("[server:default]\n", server, client_default()));
    std::string error;
    EXPECT_EQ(contexts.server("127.0.0.1", 5061, error), nullptr);
    EXPECT_EQ(error, "[server:default] has no certificate (modparam \"certificate\" or tls.cfg)");
    tls_contexts none(parse("[client:default]\n"));
    EXPECT_EQ(none.server("127.0.0.1", 5061, error), nullptr);
    EXPECT_EQ(error, "no [server:default] or [server:127.0.0.1:5061] profile");
}

TEST(tls_contexts, files_openssl_cannot_read_stop_the_start) {
    auto expect_error = [](const std::string& text, const std::string& start) {
        try {
            tls_contexts contexts(tls_config::parse(text, client_default(), client_default()));
            ADD_FAILURE() << "no error for " << text;
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()).substr(0, start.size()), start) << e.what();
        }
    };
    expect_error("[server:1.2.3.4:5061]\ncertificate = /nonexistent/cert.pem\n",
                 "[server:1.2.3.4:5061]: cannot load the certificate /nonexistent/cert.pem: ");
    expect_error("[client:default]\nca_list = /nonexistent/ca.pem\n",
                 "[client:default]: cannot load the ca_list /nonexistent/ca.pem: ");
    expect_error("[client:default]\ncipher_list = NOT-A-CIPHER\n",
                 "[client:default]: bad cipher_list 'NOT-A-CIPHER': ");
    expect_error("[client:default]\ncrl = /nonexistent/crl.pem\n",
                 "[client:default]: cannot load the crl /nonexistent/crl.pem: ");
}

} // namespace
} // namespace siphost::tls
