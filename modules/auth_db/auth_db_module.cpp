// auth_db: digest authentication against Kamailio's subscriber table (Kamailio's auth_db module), over the
// "auth" API (<siphost/api/auth.h>) for the digest and the "db" API (<siphost/api/db.h>) for the table.
//
//   www_authorize(realm, table), www_authenticate(realm, table[, method])
//   proxy_authorize(realm, table), proxy_authenticate(realm, table)
//   auth_check(realm, table, flags), is_subscriber(uri, table, flags)
//
// Passwords are plain (calculate_ha1 = 1, password_column) or stored HA1 values (ha1, or ha1b when the
// username carries "@domain"). load_credentials copies columns of the user's row into AVPs.
#include "credential_columns.hpp"
#include "subscriber_table.hpp"

#include <siphost/api/auth.h>
#include <siphost/api/db.h>

#include <siphost/module.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::auth_db {
namespace {

const char module_name[] = "auth_db";

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
const siphost_auth_api_v1* auth_ = nullptr;
std::unique_ptr<subscriber_table> table_;
std::vector<credential_column> credentials_;

// ---- parameters ----

const char* db_url_ = nullptr;
const char* user_column_ = nullptr;
const char* domain_column_ = nullptr;
const char* password_column_ = nullptr;
const char* password_column_2_ = nullptr;
const char* load_credentials_ = nullptr;
int32_t calculate_ha1_ = 0;
int32_t use_domain_ = 0;
int32_t version_table_ = 1;
int32_t force_generate_avps_ = 0;

std::string_view param(const char* value, std::string_view fallback) {
    return value != nullptr && *value != '\0' ? std::string_view(value) : fallback;
}

std::string_view user_column() {
    return param(user_column_, "username");
}
std::string_view domain_column() {
    return param(domain_column_, "domain");
}
std::string_view password_column() {
    return param(password_column_, "ha1");
}
std::string_view password_column_2() {
    return param(password_column_2_, "ha1b");
}

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

/// Copies the loaded columns into AVPs of msg (cells after the first, in credentials_ order).
void load_avps(siphost_msg* msg, const subscriber_row& row, size_t first) {
    for (size_t i = 0; i < credentials_.size() && first + i < row.cells.size(); ++i) {
        const siphost_db_value& cell = row.cells[first + i];
        if (cell.null)
            continue;
        siphost_value value = sdk::null_value();
        switch (cell.type) {
        case SIPHOST_DB_INT:
        case SIPHOST_DB_BIGINT:
        case SIPHOST_DB_DATETIME:
            value = sdk::int_value(cell.i);
            break;
        case SIPHOST_DB_STRING:
        case SIPHOST_DB_BLOB:
            value = sdk::str_value(sdk::view(cell.s));
            break;
        default:
            continue; // a double has no AVP form
        }
        host_->avp_add(host_->msg_avps(msg), sdk::str(credentials_[i].avp), &value);
    }
}

/// Looks the authentication user up and checks the response. Returns Kamailio's codes.
/// cred gets the credentials that were checked.
int authorize(siphost_msg* msg, std::string_view realm, std::string_view table, uint32_t hf,
              std::string_view method, siphost_auth_credentials& cred) {
    if (table.empty()) {
        log(SIPHOST_LOG_ERR, "no table to look users up in");
        return SIPHOST_AUTH_ERROR;
    }
    cred = sdk::sized<siphost_auth_credentials>();
    int rc = auth_->pre_auth(msg, sdk::str(realm), hf, &cred);
    if (rc != SIPHOST_AUTH_DO_AUTHENTICATION)
        return rc;

    // Plain passwords, or stored HA1: ha1b when the UA put "@domain" into the username.
    bool with_domain = cred.domain.len > 0;
    std::string_view secret_column =
        calculate_ha1_ != 0 ? password_column() : (with_domain ? password_column_2() : password_column());
    std::vector<std::string_view> columns{secret_column};
    for (const auto& c : credentials_)
        columns.push_back(c.column);
    std::vector<std::string_view> keys{user_column()};
    std::vector<std::string_view> values{sdk::view(cred.user)};
    if (use_domain_ != 0) {
        keys.push_back(domain_column());
        values.push_back(sdk::view(cred.digest.realm));
    }
    subscriber_row row;
    std::string error;
    switch (table_->find(table, keys, values, columns, row, error)) {
    case subscriber_table::outcome::failed:
        log(SIPHOST_LOG_ERR, error);
        return SIPHOST_AUTH_ERROR;
    case subscriber_table::outcome::not_found:
        return SIPHOST_AUTH_USER_UNKNOWN;
    case subscriber_table::outcome::found:
        break;
    }
    const siphost_db_value& secret = row.cells[0];
    if (secret.null || (secret.type != SIPHOST_DB_STRING && secret.type != SIPHOST_DB_BLOB))
        return SIPHOST_AUTH_USER_UNKNOWN;

    std::string ha1;
    if (calculate_ha1_ != 0) {
        char buf[65];
        size_t len = 0;
        if (auth_->calc_ha1(cred.algorithm, cred.digest.username, cred.digest.realm, secret.s, buf,
                            sizeof buf, &len) != 0)
            return SIPHOST_AUTH_ERROR;
        ha1.assign(buf, len);
    } else {
        ha1 = sdk::view(secret.s);
    }
    rc = auth_->check_response(msg, &cred, sdk::str(ha1), sdk::str(method));
    if (rc == SIPHOST_AUTH_OK)
        rc = auth_->post_auth(msg, &cred);
    if (rc == SIPHOST_AUTH_OK || force_generate_avps_ != 0)
        load_avps(msg, row, 1);
    return rc;
}

std::string uri_user(std::string_view uri, std::string* host = nullptr) {
    siphost_uri parsed;
    if (!sdk::parse_uri(host_, uri, parsed))
        return {};
    if (host != nullptr)
        *host = sdk::view(parsed.host);
    return std::string(sdk::view(parsed.user));
}

bool is_method(siphost_msg* msg, std::string_view name) {
    return sdk::view(host_->msg_method(msg)) == name;
}

/// auth_check's identity check: the From (and To for REGISTER and PUBLISH, and the Request-URI for PUBLISH)
/// user is the authentication user, in the realm.
bool identity_matches(siphost_msg* msg, std::string_view user, std::string_view realm, uint32_t flags) {
    static constexpr std::string_view anonymous_ok[] = {"INVITE", "BYE", "PRACK", "UPDATE", "MESSAGE"};
    if ((flags & 2) != 0)
        for (std::string_view m : anonymous_ok)
            if (is_method(msg, m))
                return true;
    std::vector<std::string_view> uris{sdk::view(host_->msg_from_uri(msg))};
    if (is_method(msg, "REGISTER") || is_method(msg, "PUBLISH"))
        uris.push_back(sdk::view(host_->msg_to_uri(msg)));
    if (is_method(msg, "PUBLISH"))
        uris.push_back(sdk::view(host_->msg_ruri(msg)));
    for (std::string_view uri : uris) {
        std::string host;
        if (uri_user(uri, &host) != user || host != realm)
            return false;
    }
    return true;
}

// ---- script commands ----

int cmd_www_authorize(siphost_msg* msg, const siphost_value* args, void*) {
    siphost_auth_credentials cred;
    return authorize(msg, sdk::arg_view(args[0]), sdk::arg_view(args[1]), SIPHOST_AUTH_HF_AUTHORIZATION, {},
                     cred);
}

int cmd_www_authenticate_method(siphost_msg* msg, const siphost_value* args, void*) {
    siphost_auth_credentials cred;
    return authorize(msg, sdk::arg_view(args[0]), sdk::arg_view(args[1]), SIPHOST_AUTH_HF_AUTHORIZATION,
                     sdk::arg_view(args[2]), cred);
}

int cmd_proxy_authorize(siphost_msg* msg, const siphost_value* args, void*) {
    siphost_auth_credentials cred;
    return authorize(msg, sdk::arg_view(args[0]), sdk::arg_view(args[1]), SIPHOST_AUTH_HF_PROXY_AUTHORIZATION,
                     {}, cred);
}

int cmd_auth_check(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t flags = 0;
    if (!sdk::arg_int(args[2], flags) || flags < 0) {
        log(SIPHOST_LOG_ERR, "auth_check: flags must be a number");
        return SIPHOST_AUTH_ERROR;
    }
    uint32_t hf =
        is_method(msg, "REGISTER") ? SIPHOST_AUTH_HF_AUTHORIZATION : SIPHOST_AUTH_HF_PROXY_AUTHORIZATION;
    std::string_view realm = sdk::arg_view(args[0]);
    siphost_auth_credentials cred;
    int rc = authorize(msg, realm, sdk::arg_view(args[1]), hf, {}, cred);
    if (rc != SIPHOST_AUTH_OK || (flags & 1) == 0 || cred.digest.username.len == 0)
        return rc; // no username: an ACK or CANCEL, which pass unchecked
    return identity_matches(msg, sdk::view(cred.user), sdk::view(cred.digest.realm),
                            static_cast<uint32_t>(flags))
               ? SIPHOST_AUTH_OK
               : SIPHOST_AUTH_USER_MISMATCH;
}

int cmd_is_subscriber(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t flags = 0;
    if (!sdk::arg_int(args[2], flags) || flags < 0)
        return -1;
    std::string host;
    std::string user = uri_user(sdk::arg_view(args[0]), &host);
    if (user.empty())
        return -1;
    std::vector<std::string_view> keys{user_column()};
    std::vector<std::string_view> values{user};
    if ((flags & 1) != 0) {
        keys.push_back(domain_column());
        values.push_back(host);
    }
    std::vector<std::string_view> columns{user_column()};
    for (const auto& c : credentials_)
        columns.push_back(c.column);
    subscriber_row row;
    std::string error;
    auto found = table_->find(sdk::arg_view(args[1]), keys, values, columns, row, error);
    if (found == subscriber_table::outcome::failed)
        log(SIPHOST_LOG_ERR, error);
    if (found != subscriber_table::outcome::found)
        return -1;
    if ((flags & 2) == 0)
        load_avps(msg, row, 1);
    return 1;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    return sdk::guard_with_error(err, err_size, [&] {
        auth_ = static_cast<const siphost_auth_api_v1*>(
            host->api_lookup(SIPHOST_AUTH_API_NAME, SIPHOST_AUTH_API_MAJOR));
        if (auth_ == nullptr || !SIPHOST_HAS(siphost_auth_api_v1, auth_, challenge))
            throw sdk::config_error("auth_db needs auth's API: load auth before auth_db");
        credentials_ = parse_credential_columns(param(load_credentials_, ""));
        std::string url(param(db_url_, "mysql://kamailioro:kamailioro@localhost/kamailio"));
        const siphost_db_api_v1* db = siphost_db_find_api(host, sdk::str(url));
        if (db == nullptr)
            throw sdk::config_error("no database driver for db_url \"" + url.substr(0, url.find(':')) +
                                    "\": load its module (db_sqlite, db_mysql, db_postgres) before auth_db");
        table_ = std::make_unique<subscriber_table>(db, url);
        // Kamailio refuses to start without its database; so does auth_db (the connection stays the main
        // thread's).
        std::string error;
        if (!table_->connect(error))
            throw sdk::config_error(error);
        return 0;
    });
}

void destroy() {
    table_.reset();
    credentials_.clear();
}

const siphost_command commands[] = {
    sdk::command("www_authorize", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_www_authorize>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "checks Authorization credentials against the table: www_authorize(realm, table)"),
    sdk::command("www_authenticate", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_www_authorize>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr, "alias of www_authorize"),
    sdk::command("www_authenticate", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_www_authenticate_method>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "www_authenticate(realm, table, method)"),
    sdk::command("proxy_authorize", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_proxy_authorize>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "checks Proxy-Authorization credentials against the table: proxy_authorize(realm, table)"),
    sdk::command("proxy_authenticate", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_proxy_authorize>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr, "alias of proxy_authorize"),
    sdk::command("auth_check", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_auth_check>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "www_authorize for REGISTER, proxy_authorize for the rest; flags 1: From/To user check"),
    sdk::command("is_subscriber", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_is_subscriber>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "true when the URI's user is in the table: is_subscriber(uri, table, flags)"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::string_param("db_url", &db_url_, "the database URL (sqlite:////abs/path or sqlite:///relative/path, mysql://..., postgres://...)"),
    sdk::string_param("user_column", &user_column_, "the column of user names (username)"),
    sdk::string_param("domain_column", &domain_column_, "the column of domains (domain)"),
    sdk::string_param("password_column", &password_column_, "plain passwords or HA1 (ha1)"),
    sdk::string_param("password_column_2", &password_column_2_, "HA1 with the domain in the username (ha1b)"),
    sdk::int_param("calculate_ha1", &calculate_ha1_, "1: password_column holds plain passwords"),
    sdk::int_param("use_domain", &use_domain_, "1: look users up by user and realm"),
    sdk::string_param("load_credentials", &load_credentials_,
                      "columns copied into AVPs: $avp(x)=column;column"),
    sdk::int_param("version_table", &version_table_, "accepted; the subscriber layout is Kamailio 5.6's"),
    sdk::int_param("force_generate_avps", &force_generate_avps_, "1: load credentials even when auth fails"),
    sdk::end_of_params(),
};

const char* const depends[] = {"auth", nullptr};

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .depends = depends,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::auth_db

SIPHOST_MODULE(siphost::modules::auth_db::descriptor)
