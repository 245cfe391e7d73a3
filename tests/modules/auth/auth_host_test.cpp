// auth.so in the real host, in process (the host table and the module registry, as siphost runs them): the
// script commands and the "auth" API on messages the host parsed. No transport is attached, so replies cannot
// leave: what a challenge says is read through the API's build_challenge, and the 400 for bad credentials
// through the error auth records on the request (integration tests see both on the wire).
#include "abi/host_table.hpp"
#include "core/metrics.hpp"
#include "digest.hpp"
#include "flow/runtime.hpp"
#include "nonce_authority.hpp"
#include "plugin/module_registry.hpp"
#include "test_support.hpp"

#include <siphost/api/auth.h>
#include <siphost/module.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace siphost::modules::auth {
namespace {

using plugin::module_registry;

constexpr std::string_view secret = "in-process secret";
constexpr std::string_view realm = "example.com";
constexpr std::string_view password = "wonderland";

uint32_t now_seconds() {
    return static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

class auth_in_host : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        runtime_ = std::make_unique<flow::runtime>(); // for sl's hook; it has no transport
        registry_ = std::make_unique<module_registry>();
        registry_->set_search_dirs({SIPHOST_MODULE_DIR});
        registry_->load("sl");
        registry_->load("auth");
        registry_->set_param("auth", "secret", std::string(secret));
        registry_->set_param("auth", "nonce_count", int64_t{1});
        registry_->set_param("auth", "qop", std::string("auth"));
        registry_->set_param("auth", "algorithm", std::string("SHA-256, MD5"));
        registry_->set_param("auth", "auth_checks_register", int64_t{3}); // Request-URI and Call-ID
        registry_->set_param("auth", "add_authinfo_hdr", int64_t{1});
        abi::parts().runtime = runtime_.get();
        abi::parts().registry = registry_.get();
        registry_->init_all(abi::host_table());
        api_ = static_cast<const siphost_auth_api_v1*>(
            host()->api_lookup(SIPHOST_AUTH_API_NAME, SIPHOST_AUTH_API_MAJOR));
    }
    static void TearDownTestSuite() {
        registry_->destroy_all();
        registry_.reset();
        abi::parts() = {};
        runtime_.reset();
        core::metric_registry::instance().reset();
    }
    void TearDown() override {
        for (siphost_msg* m : messages_)
            host()->msg_free(m);
    }

    static const siphost_host_api* host() { return abi::host_table(); }

    siphost_msg* parse(const std::string& text) {
        siphost_msg* m = host()->msg_parse(sdk::str(text), nullptr);
        EXPECT_NE(m, nullptr) << text;
        if (m != nullptr)
            messages_.push_back(m);
        return m;
    }

    static int call(std::string_view command, siphost_msg* msg,
                    std::initializer_list<siphost_value> args = {}) {
        for (const auto& c : registry_->find_commands(command))
            if (c.command->arg_count == args.size())
                return c.command->handler(msg, args.begin(), nullptr);
        ADD_FAILURE() << "no command " << command << " with " << args.size() << " arguments";
        return 0;
    }

    /// The challenge lines for msg (flags and header as www_challenge's).
    std::string challenge(siphost_msg* msg, std::string_view for_realm, uint32_t flags,
                          uint32_t hf = SIPHOST_AUTH_HF_AUTHORIZATION) {
        char buf[1024];
        size_t len = 0;
        EXPECT_EQ(api_->build_challenge(msg, sdk::str(for_realm), flags, hf, buf, sizeof buf, &len), 0);
        return std::string(buf, len);
    }

    /// A fresh nonce of the server, as a UA takes it from a challenge.
    std::string fresh_nonce() {
        std::string lines = challenge(parse(request("REGISTER", "")), realm, 1);
        size_t start = lines.find("nonce=\"") + 7;
        return lines.substr(start, lines.find('"', start) - start);
    }

    /// Runs pv_www_authenticate(realm, password, flags) on a REGISTER carrying the credentials.
    int authenticate(const ua_credentials& ua, std::string_view pw = password, int64_t flags = 0) {
        return call("pv_www_authenticate", parse(request("REGISTER", ua.line())),
                    {sdk::str_value(realm), sdk::str_value(pw), sdk::int_value(flags)});
    }

    /// The same with header lines as given.
    int authenticate_text(const std::string& lines) {
        return call("pv_www_authenticate", parse(request("REGISTER", lines)),
                    {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)});
    }

    static std::unique_ptr<flow::runtime> runtime_;
    static std::unique_ptr<module_registry> registry_;
    static const siphost_auth_api_v1* api_;
    std::vector<siphost_msg*> messages_;
};
std::unique_ptr<flow::runtime> auth_in_host::runtime_;
std::unique_ptr<module_registry> auth_in_host::registry_;
const siphost_auth_api_v1* auth_in_host::api_ = nullptr;

TEST_F(auth_in_host, publishes_its_api_and_needs_sl) {
    ASSERT_NE(api_, nullptr);
    EXPECT_EQ(api_->struct_size, sizeof(siphost_auth_api_v1));
    auto module = registry_->find_module("auth");
    ASSERT_NE(module, nullptr);
}

TEST_F(auth_in_host, a_challenge_names_realm_nonce_qop_and_each_algorithm) {
    siphost_msg* msg = parse(request("REGISTER", ""));
    std::string lines = challenge(msg, realm, 1);
    size_t start = lines.find("nonce=\"") + 7;
    std::string nonce = lines.substr(start, lines.find('"', start) - start);
    EXPECT_EQ(nonce.size(), nonce_authority::bound_length) << "auth_checks_register binds REGISTER nonces";
    EXPECT_EQ(lines, "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"" + nonce +
                         "\", qop=\"auth\", algorithm=SHA-256\r\n"
                         "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"" +
                         nonce + "\", qop=\"auth\", algorithm=MD5\r\n");
    EXPECT_NE(fresh_nonce(), nonce) << "every challenge has a nonce of its own";

    std::string proxy = challenge(msg, "other.org", 2 | 16, SIPHOST_AUTH_HF_PROXY_AUTHORIZATION);
    EXPECT_EQ(proxy.rfind("Proxy-Authenticate: Digest realm=\"other.org\", nonce=\"", 0), 0u) << proxy;
    EXPECT_NE(proxy.find("qop=\"auth-int\", algorithm=SHA-256, stale=true\r\n"), std::string::npos) << proxy;
    EXPECT_NE(challenge(msg, realm, 3).find("qop=\"auth-int\""), std::string::npos) << "auth-int wins";
    EXPECT_NE(challenge(msg, realm, 0).find("qop=\"auth\""), std::string::npos) << "the qop parameter";
}

TEST_F(auth_in_host, an_empty_realm_is_the_to_host_for_register_else_the_from_host) {
    std::string reg = challenge(parse(request("REGISTER", "")), "", 0);
    EXPECT_EQ(reg.rfind("WWW-Authenticate: Digest realm=\"example.com\"", 0), 0u) << reg;
    std::string text = request("INVITE", "");
    text.replace(text.find("alice@example.com"), 17, "alice@sip.caller.net");
    std::string inv = challenge(parse(text), "", 0, SIPHOST_AUTH_HF_PROXY_AUTHORIZATION);
    EXPECT_EQ(inv.rfind("Proxy-Authenticate: Digest realm=\"sip.caller.net\"", 0), 0u) << inv;
}

TEST_F(auth_in_host, the_right_password_authenticates_with_md5_and_sha256) {
    ua_credentials md5;
    md5.nonce = fresh_nonce();
    EXPECT_EQ(authenticate(md5), SIPHOST_AUTH_OK);
    ua_credentials sha;
    sha.nonce = fresh_nonce();
    sha.algorithm = digest_algorithm::sha256;
    sha.algorithm_text = "SHA-256";
    EXPECT_EQ(authenticate(sha), SIPHOST_AUTH_OK);
    ua_credentials no_qop; // RFC 2069 style: only the expiry protects the nonce
    no_qop.nonce = fresh_nonce();
    no_qop.qop.clear();
    no_qop.algorithm_text.clear();
    EXPECT_EQ(authenticate(no_qop), SIPHOST_AUTH_OK);
}

/// RFC 2617 3.2.3's rspauth, computed here step by step rather than through compute_response.
std::string expected_rspauth(const ua_credentials& ua) {
    std::string ha1 = hash_hex(ua.algorithm, {ua.user, ua.realm, ua.password});
    std::string ha2 = hash_hex(ua.algorithm, {"", ua.uri}); // A2 = ":" digest-uri
    if (ua.qop.empty())
        return hash_hex(ua.algorithm, {ha1, ua.nonce, ha2});
    return hash_hex(ua.algorithm, {ha1, ua.nonce, ua.nc, ua.cnonce, ua.qop, ha2});
}

std::string queued_reply_headers(siphost_msg* msg) {
    return std::string(sdk::view(abi::host_table()->msgctx->reply_headers(msg)));
}

TEST_F(auth_in_host, add_authinfo_hdr_puts_authentication_info_with_rspauth_into_the_reply) {
    ua_credentials md5;
    md5.nonce = fresh_nonce();
    siphost_msg* msg = parse(request("REGISTER", md5.line()));
    ASSERT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_OK);
    EXPECT_EQ(queued_reply_headers(msg), "Authentication-Info: nextnonce=\"" + md5.nonce +
                                             "\", qop=auth, rspauth=\"" + expected_rspauth(md5) +
                                             "\", cnonce=\"0a4f113b\", nc=00000001\r\n");

    ua_credentials sha; // through the API, as auth_db uses it
    sha.nonce = fresh_nonce();
    sha.algorithm = digest_algorithm::sha256;
    sha.algorithm_text = "SHA-256";
    sha.nc = "00000002";
    sha.cnonce = "c2";
    msg = parse(request("REGISTER", sha.line()));
    siphost_auth_credentials cred = sdk::sized<siphost_auth_credentials>();
    ASSERT_EQ(api_->pre_auth(msg, sdk::str(""), SIPHOST_AUTH_HF_AUTHORIZATION, &cred),
              SIPHOST_AUTH_DO_AUTHENTICATION);
    std::string ha1 = compute_ha1(digest_algorithm::sha256, "alice", realm, password);
    ASSERT_EQ(api_->check_response(msg, &cred, sdk::str(ha1), sdk::str("")), SIPHOST_AUTH_OK);
    EXPECT_EQ(queued_reply_headers(msg), "") << "only once post_auth accepted the nonce";
    ASSERT_EQ(api_->post_auth(msg, &cred), SIPHOST_AUTH_OK);
    std::string rspauth = expected_rspauth(sha);
    EXPECT_EQ(rspauth.size(), 64u);
    EXPECT_EQ(queued_reply_headers(msg), "Authentication-Info: nextnonce=\"" + sha.nonce +
                                             "\", qop=auth, rspauth=\"" + rspauth +
                                             "\", cnonce=\"c2\", nc=00000002\r\n");

    ua_credentials no_qop; // no qop: no qop, cnonce or nc to repeat
    no_qop.nonce = fresh_nonce();
    no_qop.qop.clear();
    no_qop.algorithm_text.clear();
    msg = parse(request("REGISTER", no_qop.line()));
    ASSERT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_OK);
    EXPECT_EQ(queued_reply_headers(msg), "Authentication-Info: nextnonce=\"" + no_qop.nonce +
                                             "\", rspauth=\"" + expected_rspauth(no_qop) + "\"\r\n");

    ua_credentials wrong; // a refused response gets none
    wrong.nonce = fresh_nonce();
    wrong.password = "guess";
    msg = parse(request("REGISTER", wrong.line()));
    EXPECT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_INVALID_PASSWORD);
    EXPECT_EQ(queued_reply_headers(msg), "");
}

TEST_F(auth_in_host, without_nc_a_bound_nonce_only_serves_the_request_it_was_made_for) {
    ua_credentials ua;
    ua.nonce = fresh_nonce(); // from a REGISTER with Call-ID auth-test
    ua.qop.clear();
    std::string other_call = request("REGISTER", ua.line());
    other_call.replace(other_call.find("Call-ID: auth-test"), 18, "Call-ID: elsewhere");
    siphost_msg* msg = parse(other_call);
    EXPECT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_STALE_NONCE);
    EXPECT_NE(challenge(msg, realm, 0).find("stale=true"), std::string::npos);
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_OK) << "the same Call-ID and Request-URI";
    ua.qop = "auth";
    std::string counted = request("REGISTER", ua.line());
    counted.replace(counted.find("Call-ID: auth-test"), 18, "Call-ID: elsewhere");
    EXPECT_EQ(call("pv_www_authenticate", parse(counted),
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_OK)
        << "with an nc, nonce_count alone guards the nonce (as in Kamailio)";
}

TEST_F(auth_in_host, a_stored_ha1_authenticates_with_flag_1) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    std::string ha1 = compute_ha1(digest_algorithm::md5, "alice", realm, password);
    EXPECT_EQ(authenticate(ua, ha1, 1), SIPHOST_AUTH_OK);
}

TEST_F(auth_in_host, an_empty_password_is_an_error) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    EXPECT_EQ(authenticate(ua, ""), SIPHOST_AUTH_ERROR);
}

TEST_F(auth_in_host, a_wrong_password_is_minus_2) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    ua.password = "guess";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_INVALID_PASSWORD);
}

TEST_F(auth_in_host, nc_must_increase_and_a_replay_is_minus_6) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_OK);
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_NONCE_REUSED) << "the same nc again";
    ua.nc = "00000003";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_OK);
    ua.nc = "00000002";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_NONCE_REUSED) << "a lower nc";
    ua.nc = "00000100";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_STALE_NONCE) << "past nc 255 the nonce is stale";
}

TEST_F(auth_in_host, a_failed_password_does_not_use_up_the_nc) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    ua.password = "guess";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_INVALID_PASSWORD);
    ua.password = std::string(password);
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_OK);
}

TEST_F(auth_in_host, an_expired_nonce_is_stale_and_the_next_challenge_says_so) {
    nonce_authority same_secret(secret);
    uint32_t now = now_seconds();
    ua_credentials ua;
    ua.nonce = same_secret.make({now - 400, now - 100, 0, false});
    siphost_msg* msg = parse(request("REGISTER", ua.line()));
    EXPECT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_STALE_NONCE);
    EXPECT_NE(challenge(msg, realm, 1).find(", stale=true\r\n"), std::string::npos);
    EXPECT_EQ(challenge(parse(request("REGISTER", "")), realm, 1).find("stale"), std::string::npos);
}

TEST_F(auth_in_host, a_nonce_from_another_secret_is_refused) {
    nonce_authority other("another server's secret");
    uint32_t now = now_seconds();
    ua_credentials ua;
    ua.nonce = other.make({now, now + 300, 0, false});
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_ERROR);
    ua.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_ERROR);
}

TEST_F(auth_in_host, bad_uri_response_or_algorithm_are_bad_credentials) {
    auto expect_bad = [&](const ua_credentials& ua, std::string_view what) {
        siphost_msg* msg = parse(request("REGISTER", ua.line()));
        EXPECT_EQ(call("pv_www_authenticate", msg,
                       {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
                  SIPHOST_AUTH_ERROR)
            << what;
        siphost_str reason{};
        EXPECT_EQ(host()->msgctx->last_error(msg, &reason), 400) << what;
        EXPECT_EQ(sdk::view(reason), "Bad Credentials") << what;
    };
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    ua_credentials bad = ua;
    bad.uri = "sip:";
    expect_bad(bad, "an empty host in uri");
    bad = ua;
    bad.response = "zz";
    expect_bad(bad, "a response that is no hash");
    bad = ua;
    bad.response = std::string(64, 'a');
    expect_bad(bad, "an MD5 response of SHA-256 length");
    bad = ua;
    bad.algorithm_text = "SHA-512";
    expect_bad(bad, "an unknown algorithm");
    bad = ua;
    bad.algorithm = digest_algorithm::md5_sess;
    bad.algorithm_text = "MD5-sess";
    expect_bad(bad, "an algorithm that was not offered");
    bad = ua;
    bad.nc = "1";
    expect_bad(bad, "a short nc");
    bad = ua;
    bad.qop = "auth-conf";
    expect_bad(bad, "an unknown qop");
    siphost_msg* msg =
        parse(request("REGISTER", "Authorization: Digest username=\"alice\", realm=\"example.com\"\r\n"));
    EXPECT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_ERROR)
        << "no nonce, uri or response";
    msg = parse(request("REGISTER", "Authorization: Basic YWxpY2U6cHc=\r\n"));
    EXPECT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_ERROR)
        << "not digest";
}

TEST_F(auth_in_host, hostile_credentials_are_refused_without_harm) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    std::string many;
    for (int i = 0; i < 40; ++i)
        many += "Authorization: Digest username=\"x\", realm=\"r" + std::to_string(i) +
                "\", nonce=\"n\", uri=\"sip:r\", response=\"00\"\r\n";
    EXPECT_EQ(authenticate_text(many + ua.line()), SIPHOST_AUTH_NO_CREDENTIALS)
        << "auth looks at 32 credentials headers at most";
    ua_credentials big = ua;
    big.user = std::string(2000, 'a');
    EXPECT_EQ(authenticate(big), SIPHOST_AUTH_OK) << "a long username is just a username";
    ua_credentials quoted = ua;
    quoted.realm = "ex\\\"ample.com";
    EXPECT_EQ(authenticate(quoted), SIPHOST_AUTH_NO_CREDENTIALS);
    ua_credentials odd = ua;
    odd.nonce = std::string(nonce_authority::length, 'g');
    EXPECT_EQ(authenticate(odd), SIPHOST_AUTH_ERROR);
    odd.nonce = std::string(3000, '0');
    EXPECT_EQ(authenticate(odd), SIPHOST_AUTH_ERROR);
    for (std::string_view junk : {"Authorization: Digest\r\n", "Authorization: Digest ,,,,\r\n",
                                  "Authorization: Digest realm=\"example.com\"\r\n", "Authorization: \r\n",
                                  "Authorization: Digest username=\"a\", realm=\"example.com\", nonce=\"\", "
                                  "uri=\"sip:a\", response=\"\"\r\n"})
        EXPECT_LE(authenticate_text(std::string(junk)), SIPHOST_AUTH_ERROR) << junk;
    ua.nc = "00000002";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_OK) << "and auth still serves";
}

TEST_F(auth_in_host, no_credentials_for_the_realm_is_minus_5) {
    EXPECT_EQ(call("pv_www_authenticate", parse(request("REGISTER", "")),
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_NO_CREDENTIALS);
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    ua.realm = "elsewhere.org";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_NO_CREDENTIALS);
    ua.realm = std::string(realm);
    ua.header = "Proxy-Authorization";
    EXPECT_EQ(authenticate(ua), SIPHOST_AUTH_NO_CREDENTIALS) << "www looks at Authorization only";
}

TEST_F(auth_in_host, ack_and_cancel_pass_unchallenged) {
    for (std::string_view method : {"ACK", "CANCEL"})
        EXPECT_EQ(call("pv_proxy_authenticate", parse(request(method, "")),
                       {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
                  SIPHOST_AUTH_OK)
            << method << " cannot be challenged";
}

TEST_F(auth_in_host, a_failure_with_flag_4_leaves_a_challenge_in_an_avp) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    ua.password = "guess";
    siphost_msg* msg = parse(request("REGISTER", ua.line()));
    EXPECT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(4)}),
              SIPHOST_AUTH_INVALID_PASSWORD);
    siphost_value value{};
    ASSERT_EQ(host()->avp_get(host()->msg_avps(msg), sdk::str("digest_challenge"), 0, &value), 1);
    std::string_view text = sdk::view(value.str);
    EXPECT_EQ(text.rfind("WWW-Authenticate: Digest realm=\"example.com\"", 0), 0u) << text;
    EXPECT_NE(text.find("qop=\"auth\""), std::string_view::npos) << text;
}

TEST_F(auth_in_host, proxy_credentials_and_the_user_check) {
    ua_credentials ua;
    ua.header = "Proxy-Authorization";
    ua.method = "INVITE";
    ua.uri = "sip:bob@example.com";
    ua.nonce = fresh_nonce();
    siphost_msg* invite = parse(request("INVITE", ua.line()));
    EXPECT_EQ(call("pv_proxy_authenticate", invite,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_OK);

    ua.nc = "00000002";
    siphost_msg* spoofed = parse(request("INVITE", ua.line(), {}, "mallory"));
    EXPECT_EQ(call("pv_auth_check", spoofed,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0), sdk::int_value(1)}),
              SIPHOST_AUTH_USER_MISMATCH)
        << "alice's credentials in mallory's From";
    ua_credentials reg;
    reg.nonce = fresh_nonce();
    std::string text = request("REGISTER", reg.line());
    text.replace(text.find("From: <sip:alice@"), 17, "From: <sip:carol@");
    EXPECT_EQ(call("pv_auth_check", parse(text),
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0), sdk::int_value(1)}),
              SIPHOST_AUTH_USER_MISMATCH)
        << "a REGISTER's From must be its To";
    ua.nc = "00000003";
    siphost_msg* honest = parse(request("INVITE", ua.line()));
    EXPECT_EQ(call("pv_auth_check", honest,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0), sdk::int_value(1)}),
              SIPHOST_AUTH_OK);
}

TEST_F(auth_in_host, auth_int_covers_the_body) {
    ua_credentials ua;
    ua.method = "INVITE";
    ua.uri = "sip:bob@example.com";
    ua.header = "Proxy-Authorization";
    ua.qop = "auth-int";
    ua.body = "v=0\r\n";
    ua.nonce = fresh_nonce();
    auto run = [&](std::string_view body) {
        return call("pv_proxy_authenticate", parse(request("INVITE", ua.line(), body)),
                    {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)});
    };
    EXPECT_EQ(run("v=1\r\n"), SIPHOST_AUTH_INVALID_PASSWORD) << "a changed body";
    EXPECT_EQ(run("v=0\r\n"), SIPHOST_AUTH_OK);
}

TEST_F(auth_in_host, has_and_consume_credentials) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    siphost_msg* msg = parse(request("REGISTER", "X-Before: 1\r\n" + ua.line()));
    EXPECT_EQ(call("has_credentials", msg, {sdk::str_value(realm)}), 1);
    EXPECT_EQ(call("has_credentials", msg, {sdk::str_value("elsewhere.org")}), -1);
    EXPECT_EQ(call("consume_credentials", msg), -1) << "nothing authorized yet";
    EXPECT_EQ(call("pv_www_authenticate", msg,
                   {sdk::str_value(realm), sdk::str_value(password), sdk::int_value(0)}),
              SIPHOST_AUTH_OK);
    EXPECT_EQ(call("consume_credentials", msg), 1);
    // A removal is recorded, as in Kamailio: lookups read the header until the changes are applied.
    char err[128] = "";
    ASSERT_EQ(host()->msgctx->apply_changes(msg, err, sizeof err), 0) << err;
    EXPECT_EQ(sdk::header(host(), msg, "Authorization"), "") << "removed";
    EXPECT_EQ(sdk::header(host(), msg, "X-Before"), "1");
}

TEST_F(auth_in_host, the_api_steps_as_a_backend_uses_them) {
    ua_credentials ua;
    ua.nonce = fresh_nonce();
    ua.algorithm = digest_algorithm::sha256;
    ua.algorithm_text = "SHA-256";
    siphost_msg* msg = parse(request("REGISTER", ua.line()));
    siphost_auth_credentials cred = sdk::sized<siphost_auth_credentials>();
    ASSERT_EQ(api_->pre_auth(msg, sdk::str(""), SIPHOST_AUTH_HF_AUTHORIZATION, &cred),
              SIPHOST_AUTH_DO_AUTHENTICATION);
    EXPECT_EQ(sdk::view(cred.user), "alice");
    EXPECT_EQ(cred.algorithm, static_cast<uint32_t>(SIPHOST_AUTH_SHA256));
    char ha1[65];
    size_t len = 0;
    ASSERT_EQ(api_->calc_ha1(cred.algorithm, cred.digest.username, cred.digest.realm, sdk::str("nope"), ha1,
                             sizeof ha1, &len),
              0);
    EXPECT_EQ(api_->check_response(msg, &cred, siphost_str{ha1, len}, sdk::str("")),
              SIPHOST_AUTH_INVALID_PASSWORD);
    ASSERT_EQ(api_->calc_ha1(cred.algorithm, cred.digest.username, cred.digest.realm, sdk::str(password), ha1,
                             sizeof ha1, &len),
              0);
    EXPECT_EQ(len, 64u);
    EXPECT_EQ(api_->check_response(msg, &cred, siphost_str{ha1, len}, sdk::str("")), SIPHOST_AUTH_OK);
    EXPECT_EQ(api_->check_response(msg, &cred, siphost_str{ha1, len}, sdk::str("INVITE")),
              SIPHOST_AUTH_INVALID_PASSWORD)
        << "another method";
    EXPECT_EQ(api_->post_auth(msg, &cred), SIPHOST_AUTH_OK);
    EXPECT_EQ(api_->post_auth(msg, &cred), SIPHOST_AUTH_NONCE_REUSED);
    EXPECT_EQ(
        api_->calc_ha1(9, cred.digest.username, cred.digest.realm, sdk::str(password), ha1, sizeof ha1, &len),
        -1);
    EXPECT_EQ(api_->calc_ha1(0, cred.digest.username, cred.digest.realm, sdk::str(password), ha1, 32, &len),
              -1)
        << "no room for the NUL";
}

} // namespace
} // namespace siphost::modules::auth
