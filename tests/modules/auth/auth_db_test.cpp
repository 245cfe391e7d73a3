// auth_db.so in the real host, in process, against a SQLite file made with Kamailio's own schema
// (Debian's kamailio-sqlite-modules: standard-create.sql and auth_db-create.sql) through db_sqlite.
//   AUTH_DB_PLAIN 0: stored HA1 (calculate_ha1 0, ha1 and ha1b), users looked up by name only
//   AUTH_DB_PLAIN 1: plain passwords (calculate_ha1 1, password column), use_domain 1, load_credentials,
//                    MD5 and SHA-256 offered
#include "abi/host_table.hpp"
#include "core/metrics.hpp"
#include "digest.hpp"
#include "flow/runtime.hpp"
#include "nonce_authority.hpp"
#include "plugin/module_registry.hpp"
#include "test_support.hpp"

#include <siphost/api/auth.h>
#include <siphost/api/db.h>
#include <siphost/module.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#ifndef AUTH_DB_PLAIN
#error "define AUTH_DB_PLAIN to 0 or 1"
#endif

namespace siphost::modules::auth {
namespace {

using plugin::module_registry;
namespace fs = std::filesystem;

constexpr std::string_view schema_dir = "/usr/share/kamailio/db_sqlite";

std::string file_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class auth_db_in_host : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = fs::temp_directory_path() / ("auth_db_test." + std::to_string(getpid()));
        fs::create_directories(dir_);
        runtime_ = std::make_unique<flow::runtime>();
        registry_ = std::make_unique<module_registry>();
        registry_->set_search_dirs({SIPHOST_MODULE_DIR});
        for (const char* name : {"sl", "auth", "db_sqlite", "auth_db"})
            registry_->load(name);
        registry_->set_param("auth", "secret", std::string("auth_db test"));
        registry_->set_param("auth_db", "db_url", "sqlite:///" + (dir_ / "kamailio.db").string());
#if AUTH_DB_PLAIN
        registry_->set_param("auth", "algorithm", std::string("MD5,SHA-256"));
        registry_->set_param("auth_db", "calculate_ha1", int64_t{1});
        registry_->set_param("auth_db", "password_column", std::string("password"));
        registry_->set_param("auth_db", "use_domain", int64_t{1});
        registry_->set_param("auth_db", "load_credentials", std::string("$avp(s:sub_domain)=domain; id"));
#endif
        abi::parts().runtime = runtime_.get();
        abi::parts().registry = registry_.get();
        registry_->init_all(abi::host_table());
        db_ = siphost_db_find_api(host(), sdk::str("sqlite:///"));
    }
    static void TearDownTestSuite() {
        registry_->destroy_all();
        registry_.reset();
        abi::parts() = {};
        runtime_.reset();
        core::metric_registry::instance().reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    void SetUp() override {
        ASSERT_NE(db_, nullptr) << "db_sqlite did not publish db:sqlite";
        char err[256] = "";
        ASSERT_EQ(db_->open(sdk::str("sqlite:///" + (dir_ / "kamailio.db").string()), &conn_, err, sizeof err),
                  0)
            << err;
        static bool schema_made = false;
        if (!schema_made) {
            for (const char* file : {"standard-create.sql", "auth_db-create.sql"}) {
                fs::path path = fs::path(schema_dir) / file;
                ASSERT_TRUE(fs::exists(path)) << path << " is missing: install kamailio-sqlite-modules";
                std::string text = file_text(path);
                size_t start = 0;
                while (start < text.size()) {
                    size_t end = text.find(';', start);
                    std::string statement = text.substr(start, end == std::string::npos ? end : end - start);
                    start = end == std::string::npos ? text.size() : end + 1;
                    if (statement.find_first_not_of(" \r\n\t") == std::string::npos)
                        continue;
                    ASSERT_EQ(db_->raw_query(conn_, sdk::str(statement), nullptr, 0, nullptr), 0)
                        << statement << ": " << db_->last_error(conn_);
                }
            }
            add_user("alice", "example.com", "wonderland");
            add_user("bob", "other.org", "builder");
#if AUTH_DB_PLAIN
            add_user("alice", "other.org", "looking-glass");
#endif
            schema_made = true;
        }
    }
    void TearDown() override {
        for (siphost_msg* m : messages_)
            host()->msg_free(m);
        db_->close(conn_);
    }

    /// A subscriber row as kamctl add writes it: the password and both HA1 forms.
    void add_user(const std::string& user, const std::string& domain, const std::string& password) {
        std::string ha1 = compute_ha1(digest_algorithm::md5, user, domain, password);
        std::string ha1b = compute_ha1(digest_algorithm::md5, user + "@" + domain, domain, password);
        siphost_str columns[] = {sdk::str("username"), sdk::str("domain"), sdk::str("password"),
                                 sdk::str("ha1"), sdk::str("ha1b")};
        std::string texts[] = {user, domain, password, ha1, ha1b};
        siphost_db_value values[5]{};
        for (int i = 0; i < 5; ++i) {
            values[i].type = SIPHOST_DB_STRING;
            values[i].s = sdk::str(texts[i]);
        }
        ASSERT_EQ(db_->insert(conn_, sdk::str("subscriber"), columns, values, 5), 0)
            << db_->last_error(conn_);
    }

    static const siphost_host_api* host() {
        return abi::host_table();
    }

    siphost_msg* parse(const std::string& text) {
        siphost_msg* m = host()->msg_parse(sdk::str(text), nullptr);
        EXPECT_NE(m, nullptr) << text;
        if (m != nullptr)
            messages_.push_back(m);
        return m;
    }

    static int call(std::string_view command, siphost_msg* msg, std::initializer_list<siphost_value> args) {
        for (const auto& c : registry_->find_commands(command))
            if (c.command->arg_count == args.size())
                return c.command->handler(msg, args.begin(), nullptr);
        ADD_FAILURE() << "no command " << command << " with " << args.size() << " arguments";
        return 0;
    }

    std::string fresh_nonce(std::string_view realm) {
        const auto* api = static_cast<const siphost_auth_api_v1*>(
            host()->api_lookup(SIPHOST_AUTH_API_NAME, SIPHOST_AUTH_API_MAJOR));
        char buf[1024];
        size_t len = 0;
        EXPECT_EQ(api->build_challenge(parse(request("REGISTER", "")), sdk::str(realm), 0,
                                       SIPHOST_AUTH_HF_AUTHORIZATION, buf, sizeof buf, &len),
                  0);
        std::string lines(buf, len);
        size_t start = lines.find("nonce=\"") + 7;
        return lines.substr(start, lines.find('"', start) - start);
    }

    ua_credentials ua(std::string_view user = "alice", std::string_view realm = "example.com",
                      std::string_view password = "wonderland") {
        ua_credentials c;
        c.user = user;
        c.realm = realm;
        c.password = password;
        c.uri = "sip:" + std::string(realm);
        c.nonce = fresh_nonce(realm);
        return c;
    }

    /// www_authorize(realm, "subscriber") on a REGISTER from user@realm with the credentials.
    int www_authorize(const ua_credentials& c, std::string_view from_user = "alice",
                      std::string_view table = "subscriber") {
        return call("www_authorize", parse(request("REGISTER", c.line(), {}, from_user, c.realm)),
                    {sdk::str_value(c.realm), sdk::str_value(table)});
    }

    static fs::path dir_;
    static std::unique_ptr<flow::runtime> runtime_;
    static std::unique_ptr<module_registry> registry_;
    static const siphost_db_api_v1* db_;
    siphost_db_conn* conn_ = nullptr;
    std::vector<siphost_msg*> messages_;
};
fs::path auth_db_in_host::dir_;
std::unique_ptr<flow::runtime> auth_db_in_host::runtime_;
std::unique_ptr<module_registry> auth_db_in_host::registry_;
const siphost_db_api_v1* auth_db_in_host::db_ = nullptr;

TEST_F(auth_db_in_host, a_subscriber_authenticates_and_a_wrong_password_is_minus_2) {
    EXPECT_EQ(www_authorize(ua()), SIPHOST_AUTH_OK);
    EXPECT_EQ(www_authorize(ua("alice", "example.com", "guess")), SIPHOST_AUTH_INVALID_PASSWORD);
    EXPECT_EQ(www_authorize(ua("bob", "other.org", "builder"), "bob"), SIPHOST_AUTH_OK);
}

TEST_F(auth_db_in_host, an_unknown_user_is_minus_3_and_no_credentials_minus_5) {
    EXPECT_EQ(www_authorize(ua("carol")), SIPHOST_AUTH_USER_UNKNOWN);
    EXPECT_EQ(call("www_authorize", parse(request("REGISTER", "")),
                   {sdk::str_value("example.com"), sdk::str_value("subscriber")}),
              SIPHOST_AUTH_NO_CREDENTIALS);
}

TEST_F(auth_db_in_host, a_stale_nonce_is_minus_4_before_any_lookup) {
    nonce_authority same("auth_db test");
    auto now = static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    ua_credentials c = ua();
    c.nonce = same.make({now - 400, now - 100, 0, false});
    EXPECT_EQ(www_authorize(c, "alice", "no_such_table"), SIPHOST_AUTH_STALE_NONCE);
}

TEST_F(auth_db_in_host, a_missing_table_is_a_generic_error) {
    EXPECT_EQ(www_authorize(ua(), "alice", "no_such_table"), SIPHOST_AUTH_ERROR);
}

TEST_F(auth_db_in_host, proxy_authorize_and_auth_check) {
    ua_credentials c = ua();
    c.header = "Proxy-Authorization";
    c.method = "INVITE";
    c.uri = "sip:bob@example.com";
    EXPECT_EQ(call("proxy_authorize", parse(request("INVITE", c.line())),
                   {sdk::str_value("example.com"), sdk::str_value("subscriber")}),
              SIPHOST_AUTH_OK);
    c.nc = "00000002";
    EXPECT_EQ(call("auth_check", parse(request("INVITE", c.line(), {}, "mallory")),
                   {sdk::str_value("example.com"), sdk::str_value("subscriber"), sdk::str_value("1")}),
              SIPHOST_AUTH_USER_MISMATCH);
    c.nc = "00000003";
    EXPECT_EQ(call("auth_check", parse(request("INVITE", c.line(), {}, "mallory")),
                   {sdk::str_value("example.com"), sdk::str_value("subscriber"), sdk::str_value("3")}),
              SIPHOST_AUTH_OK)
        << "flag 2: an INVITE may come from an anonymous caller";
    ua_credentials reg = ua();
    EXPECT_EQ(call("auth_check", parse(request("REGISTER", reg.line())),
                   {sdk::str_value("example.com"), sdk::str_value("subscriber"), sdk::str_value("1")}),
              SIPHOST_AUTH_OK);
}

TEST_F(auth_db_in_host, is_subscriber) {
    EXPECT_EQ(
        call("is_subscriber", parse(request("OPTIONS", "")),
             {sdk::str_value("sip:alice@example.com"), sdk::str_value("subscriber"), sdk::str_value("1")}),
        1);
    EXPECT_EQ(
        call("is_subscriber", parse(request("OPTIONS", "")),
             {sdk::str_value("sip:alice@nowhere.net"), sdk::str_value("subscriber"), sdk::str_value("1")}),
        -1);
    EXPECT_EQ(
        call("is_subscriber", parse(request("OPTIONS", "")),
             {sdk::str_value("sip:carol@example.com"), sdk::str_value("subscriber"), sdk::str_value("0")}),
        -1);
}

#if !AUTH_DB_PLAIN
TEST_F(auth_db_in_host, a_username_with_the_domain_uses_ha1b) {
    ua_credentials c = ua("alice@example.com");
    EXPECT_EQ(www_authorize(c), SIPHOST_AUTH_OK);
    ua_credentials wrong = ua("alice@example.com", "example.com", "guess");
    EXPECT_EQ(www_authorize(wrong), SIPHOST_AUTH_INVALID_PASSWORD);
}
#else
TEST_F(auth_db_in_host, use_domain_tells_users_of_two_domains_apart) {
    EXPECT_EQ(www_authorize(ua("alice", "other.org", "looking-glass")), SIPHOST_AUTH_OK);
    EXPECT_EQ(www_authorize(ua("alice", "other.org", "wonderland")), SIPHOST_AUTH_INVALID_PASSWORD);
    EXPECT_EQ(www_authorize(ua("bob", "example.com", "builder"), "bob"), SIPHOST_AUTH_USER_UNKNOWN);
}

TEST_F(auth_db_in_host, a_plain_password_authenticates_sha256_too) {
    ua_credentials c = ua();
    c.algorithm = digest_algorithm::sha256;
    c.algorithm_text = "SHA-256";
    EXPECT_EQ(www_authorize(c), SIPHOST_AUTH_OK);
}

TEST_F(auth_db_in_host, load_credentials_fills_avps) {
    siphost_msg* msg = parse(request("REGISTER", ua().line()));
    ASSERT_EQ(call("www_authorize", msg, {sdk::str_value("example.com"), sdk::str_value("subscriber")}),
              SIPHOST_AUTH_OK);
    siphost_value value{};
    ASSERT_EQ(host()->avp_get(host()->msg_avps(msg), sdk::str("sub_domain"), 0, &value), 1);
    EXPECT_EQ(sdk::view(value.str), "example.com");
    ASSERT_EQ(host()->avp_get(host()->msg_avps(msg), sdk::str("id"), 0, &value), 1);
    EXPECT_EQ(value.kind, static_cast<uint32_t>(SIPHOST_VALUE_INT));
    EXPECT_EQ(value.num, 1);
    siphost_msg* failed = parse(request("REGISTER", ua("alice", "example.com", "guess").line()));
    EXPECT_EQ(call("www_authorize", failed, {sdk::str_value("example.com"), sdk::str_value("subscriber")}),
              SIPHOST_AUTH_INVALID_PASSWORD);
    EXPECT_EQ(host()->avp_get(host()->msg_avps(failed), sdk::str("sub_domain"), 0, &value), 0)
        << "nothing loaded for a failed authentication";
}
#endif

} // namespace
} // namespace siphost::modules::auth
