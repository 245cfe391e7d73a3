// auth: digest authentication (Kamailio's auth module), RFC 2617 and RFC 7616/8760.
//
//   www_challenge(realm, flags), proxy_challenge(realm, flags), auth_challenge(realm, flags)
//   consume_credentials(), has_credentials(realm)
//   pv_www_authenticate(realm, passwd, flags[, method]), pv_proxy_authenticate(realm, passwd, flags)
//   pv_auth_check(realm, passwd, flags, checks), auth_get_www_authenticate(realm, flags, pvdest)
//
// Nonces are sealed with an HMAC under the server secret and carry their expiry (nonce_authority.hpp);
// replays are caught with nonce_count and one_time_nonce (nonce_tracker.hpp). The "auth" major 1 API
// (<siphost/api/auth.h>) serves the password backends (auth_db). Challenges go out through sl, or tm when the
// request has a transaction.
#include "authenticator.hpp"

#include <siphost/api/auth.h>
#include <siphost/api/sl.h>

#include <siphost/module.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace siphost::modules::auth {
namespace {

const char module_name[] = "auth";

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
std::unique_ptr<authenticator> auth_;

// ---- parameters (written by the host before init) ----

const char* secret_ = nullptr;
int32_t nonce_expire_ = 300;
int32_t max_drift_ = 3;
int32_t nonce_count_ = 0;
int32_t one_time_nonce_ = 0;
int32_t nc_array_size_ = 0;
int32_t nc_array_order_ = 0;
int32_t otn_in_flight_no_ = 0;
int32_t otn_in_flight_order_ = 0;
int32_t nid_pool_no_ = 1;
const char* qop_ = nullptr;
const char* algorithm_ = nullptr;
const char* realm_prefix_ = nullptr;
int32_t use_domain_ = 0;
int32_t add_authinfo_hdr_ = 0;
int32_t force_stateless_reply_ = 0;
int32_t checks_register_ = 0;
int32_t checks_no_dlg_ = 0;
int32_t checks_in_dlg_ = 0;

/// The order (log2, rounded up) of a size given in entries.
unsigned order_of(int32_t size) {
    unsigned order = 0;
    while (order < 30 && (int64_t{1} << order) < size)
        ++order;
    return order;
}

auth_settings read_settings() {
    auth_settings s;
    s.secret = secret_ != nullptr ? secret_ : "";
    if (nonce_expire_ <= 0)
        throw sdk::config_error("nonce_expire must be a positive number of seconds");
    if (max_drift_ < 0)
        throw sdk::config_error("nonce_auth_max_drift must not be negative");
    s.nonce_expire = static_cast<uint32_t>(nonce_expire_);
    s.max_drift = static_cast<uint32_t>(max_drift_);
    s.nonce_count = nonce_count_ != 0;
    s.one_time_nonce = one_time_nonce_ != 0;
    s.add_authinfo_hdr = add_authinfo_hdr_ != 0;
    // nc_array_* and otn_in_flight_* size one tracker here (a word per nonce holds both checks): the
    // largest asked for wins, Kamailio's default order 20 otherwise.
    unsigned order = 0;
    for (int32_t size : {nc_array_size_, otn_in_flight_no_}) {
        if (size < 0)
            throw sdk::config_error("nc_array_size and otn_in_flight_no must not be negative");
        if (size > 0)
            order = std::max(order, order_of(size));
    }
    for (int32_t o : {nc_array_order_, otn_in_flight_order_}) {
        if (o < 0 || o > 30)
            throw sdk::config_error("nc_array_order and otn_in_flight_order must be 0 .. 30");
        order = std::max(order, static_cast<unsigned>(o));
    }
    s.tracker_order = order == 0 ? 20 : order;
    if (nid_pool_no_ < 1 || nid_pool_no_ > 64)
        throw sdk::config_error("nid_pool_no must be 1 .. 64");
    std::string_view qop = qop_ != nullptr ? qop_ : "";
    if (!qop.empty() && qop != "auth" && qop != "auth-int")
        throw sdk::config_error("qop must be \"auth\", \"auth-int\" or empty");
    s.qop = qop;
    std::string_view algorithms = algorithm_ != nullptr ? algorithm_ : "";
    if (!sdk::trim(algorithms).empty()) {
        // Kamailio takes one name; a comma-separated list offers several challenges, the strongest first
        // (RFC 8760 4).
        s.algorithms.clear();
        s.algorithm_named = true;
        while (!algorithms.empty()) {
            size_t comma = algorithms.find(',');
            std::string_view name = sdk::trim(algorithms.substr(0, comma));
            algorithms = comma == std::string_view::npos ? std::string_view() : algorithms.substr(comma + 1);
            auto parsed = parse_algorithm(name);
            if (name.empty() || !parsed)
                throw sdk::config_error("unknown algorithm \"" + std::string(name) +
                                        "\": MD5, MD5-sess, SHA-256 or SHA-256-sess");
            s.algorithms.push_back(*parsed);
        }
    }
    s.realm_prefix = realm_prefix_ != nullptr ? realm_prefix_ : "";
    s.use_domain = use_domain_ != 0;
    s.force_stateless_reply = force_stateless_reply_ != 0;
    for (int32_t checks : {checks_register_, checks_no_dlg_, checks_in_dlg_})
        if (checks < 0 || checks > 15)
            throw sdk::config_error("auth_checks_* are bits 1, 2, 4 and 8 (0 .. 15)");
    s.checks_register = static_cast<uint8_t>(checks_register_);
    s.checks_no_dlg = static_cast<uint8_t>(checks_no_dlg_);
    s.checks_in_dlg = static_cast<uint8_t>(checks_in_dlg_);
    return s;
}

// ---- script commands ----

uint32_t flags_of(const siphost_value& v) {
    int64_t n = 0;
    return sdk::arg_int(v, n) && n >= 0 && n <= 0xffff ? static_cast<uint32_t>(n) : 0;
}

bool is_register(siphost_msg* msg) {
    return sdk::view(host_->msg_method(msg)) == "REGISTER";
}

int challenge(siphost_msg* msg, const siphost_value* args, uint32_t hf) {
    return auth_->challenge(msg, sdk::arg_view(args[0]), flags_of(args[1]), hf);
}

int cmd_www_challenge(siphost_msg* msg, const siphost_value* args, void*) {
    return challenge(msg, args, SIPHOST_AUTH_HF_AUTHORIZATION);
}

int cmd_proxy_challenge(siphost_msg* msg, const siphost_value* args, void*) {
    return challenge(msg, args, SIPHOST_AUTH_HF_PROXY_AUTHORIZATION);
}

int cmd_auth_challenge(siphost_msg* msg, const siphost_value* args, void*) {
    return challenge(msg, args,
                     is_register(msg) ? SIPHOST_AUTH_HF_AUTHORIZATION : SIPHOST_AUTH_HF_PROXY_AUTHORIZATION);
}

int cmd_consume_credentials(siphost_msg* msg, const siphost_value*, void*) {
    return auth_->consume_credentials(msg);
}

int cmd_has_credentials(siphost_msg* msg, const siphost_value* args, void*) {
    return auth_->has_credentials(msg, sdk::arg_view(args[0]));
}

/// pv_*_authenticate's flags: 1 passwd is HA1; 2, 4, 8 build a challenge (no qop, auth, auth-int) into
/// $avp(digest_challenge) when authentication fails; 16 that challenge says stale=true.
enum pv_flags : uint32_t {
    pv_ha1 = 1,
    pv_challenge = 2,
    pv_challenge_auth = 4,
    pv_challenge_auth_int = 8,
    pv_stale = 16,
};

/// pv_auth_check's identity check, as Kamailio's: the authentication user is the To user of a REGISTER or
/// PUBLISH (whose From must be its To, and with use_domain on the same host; a PUBLISH's Request-URI too),
/// else the From user.
bool identity_matches(siphost_msg* msg, std::string_view user) {
    siphost_uri from;
    if (!sdk::parse_uri(host_, sdk::view(host_->msg_from_uri(msg)), from))
        return false;
    bool publish = sdk::view(host_->msg_method(msg)) == "PUBLISH";
    if (!is_register(msg) && !publish)
        return sdk::view(from.user) == user;
    bool use_domain = auth_->settings().use_domain;
    auto same = [&](const siphost_uri& other) {
        return sdk::view(other.user) == sdk::view(from.user) &&
               (!use_domain || sdk::view(other.host) == sdk::view(from.host));
    };
    siphost_uri to;
    if (!sdk::parse_uri(host_, sdk::view(host_->msg_to_uri(msg)), to) || sdk::view(to.user) != user ||
        !same(to))
        return false;
    siphost_uri ruri;
    return !publish || (sdk::parse_uri(host_, sdk::view(host_->msg_ruri(msg)), ruri) && same(ruri));
}

int authenticate(siphost_msg* msg, std::string_view realm, std::string_view password, uint32_t flags,
                 uint32_t hf, std::string_view method, bool check_user) {
    if (password.empty()) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "the password is empty");
        return SIPHOST_AUTH_ERROR;
    }
    siphost_auth_credentials cred = sdk::sized<siphost_auth_credentials>();
    int rc = auth_->pre_auth(msg, realm, hf, cred);
    if (rc == SIPHOST_AUTH_DO_AUTHENTICATION) { // else checked already, or refused
        std::string ha1;
        if ((flags & pv_ha1) != 0)
            ha1 = password;
        else
            ha1 = compute_ha1(static_cast<digest_algorithm>(cred.algorithm), sdk::view(cred.digest.username),
                              sdk::view(cred.digest.realm), password);
        rc = auth_->check_response(msg, cred, ha1, method);
        if (rc == SIPHOST_AUTH_OK)
            rc = auth_->post_auth(msg, cred);
        if (rc == SIPHOST_AUTH_OK && check_user && !identity_matches(msg, sdk::view(cred.user)))
            rc = SIPHOST_AUTH_USER_MISMATCH;
    }
    if (rc != SIPHOST_AUTH_OK && (flags & (pv_challenge | pv_challenge_auth | pv_challenge_auth_int))) {
        uint32_t challenge_flags = (flags & pv_stale) != 0 ? SIPHOST_AUTH_CHALLENGE_STALE : 0;
        if ((flags & pv_challenge_auth) != 0)
            challenge_flags |= SIPHOST_AUTH_CHALLENGE_QOP_AUTH;
        if ((flags & pv_challenge_auth_int) != 0)
            challenge_flags |= SIPHOST_AUTH_CHALLENGE_QOP_AUTH_INT;
        std::string lines = auth_->challenge_headers(msg, realm, challenge_flags, hf);
        if (!lines.empty()) {
            siphost_value value = sdk::str_value(lines);
            host_->avp_add(host_->msg_avps(msg), sdk::str("digest_challenge"), &value);
        }
    }
    return rc;
}

int cmd_pv_www_authenticate(siphost_msg* msg, const siphost_value* args, void*) {
    return authenticate(msg, sdk::arg_view(args[0]), sdk::arg_view(args[1]), flags_of(args[2]),
                        SIPHOST_AUTH_HF_AUTHORIZATION, {}, false);
}

int cmd_pv_www_authenticate_method(siphost_msg* msg, const siphost_value* args, void*) {
    return authenticate(msg, sdk::arg_view(args[0]), sdk::arg_view(args[1]), flags_of(args[2]),
                        SIPHOST_AUTH_HF_AUTHORIZATION, sdk::arg_view(args[3]), false);
}

int cmd_pv_proxy_authenticate(siphost_msg* msg, const siphost_value* args, void*) {
    return authenticate(msg, sdk::arg_view(args[0]), sdk::arg_view(args[1]), flags_of(args[2]),
                        SIPHOST_AUTH_HF_PROXY_AUTHORIZATION, {}, false);
}

int cmd_pv_auth_check(siphost_msg* msg, const siphost_value* args, void*) {
    uint32_t hf = is_register(msg) ? SIPHOST_AUTH_HF_AUTHORIZATION : SIPHOST_AUTH_HF_PROXY_AUTHORIZATION;
    return authenticate(msg, sdk::arg_view(args[0]), sdk::arg_view(args[1]), flags_of(args[2]), hf, {},
                        (flags_of(args[3]) & 1) != 0);
}

/// auth_get_www_authenticate's destination, parsed when the config is read.
std::unique_ptr<sdk::parsed_pv> fix_get_www_authenticate(const siphost_value* args, const int*) {
    try {
        return std::make_unique<sdk::parsed_pv>(host_, sdk::arg_view(args[2]));
    } catch (const sdk::config_error& e) {
        throw sdk::config_error(std::string("auth_get_www_authenticate: bad destination: ") + e.what());
    }
}

int cmd_auth_get_www_authenticate(siphost_msg* msg, const siphost_value* args, void* call_data) {
    const auto* dest = static_cast<const sdk::parsed_pv*>(call_data);
    if (dest == nullptr || dest->spec() == nullptr)
        return -1;
    uint32_t flags = flags_of(args[1]);
    uint32_t challenge_flags = (flags & pv_stale) != 0 ? SIPHOST_AUTH_CHALLENGE_STALE : 0;
    if ((flags & pv_challenge_auth) != 0)
        challenge_flags |= SIPHOST_AUTH_CHALLENGE_QOP_AUTH;
    if ((flags & pv_challenge_auth_int) != 0)
        challenge_flags |= SIPHOST_AUTH_CHALLENGE_QOP_AUTH_INT;
    std::string lines =
        auth_->challenge_headers(msg, sdk::arg_view(args[0]), challenge_flags, SIPHOST_AUTH_HF_AUTHORIZATION);
    if (lines.empty())
        return -1;
    std::string_view line = lines;
    siphost_value value = sdk::str_value(line);
    return dest->set(msg, &value) == 0 ? 1 : -1;
}

// ---- the "auth" API ----

int api_pre_auth(siphost_msg* msg, siphost_str realm, uint32_t hf, siphost_auth_credentials* out) {
    if (out == nullptr || out->struct_size < sizeof(siphost_auth_credentials))
        return SIPHOST_AUTH_ERROR;
    return sdk::guard(SIPHOST_AUTH_ERROR, [&] { return auth_->pre_auth(msg, sdk::view(realm), hf, *out); });
}

int api_check_response(siphost_msg* msg, const siphost_auth_credentials* cred, siphost_str ha1,
                       siphost_str method) {
    if (cred == nullptr || msg == nullptr)
        return SIPHOST_AUTH_ERROR;
    return sdk::guard(SIPHOST_AUTH_ERROR,
                      [&] { return auth_->check_response(msg, *cred, sdk::view(ha1), sdk::view(method)); });
}

int api_post_auth(siphost_msg* msg, const siphost_auth_credentials* cred) {
    if (cred == nullptr || msg == nullptr)
        return SIPHOST_AUTH_ERROR;
    return sdk::guard(SIPHOST_AUTH_ERROR, [&] { return auth_->post_auth(msg, *cred); });
}

int api_calc_ha1(uint32_t algorithm, siphost_str username, siphost_str realm, siphost_str password, char* buf,
                 size_t cap, size_t* len) {
    if (algorithm > SIPHOST_AUTH_SHA256_SESS || buf == nullptr)
        return -1;
    return sdk::guard(-1, [&] {
        std::string ha1 = compute_ha1(static_cast<digest_algorithm>(algorithm), sdk::view(username),
                                      sdk::view(realm), sdk::view(password));
        if (ha1.empty() || ha1.size() + 1 > cap)
            return -1;
        std::copy(ha1.begin(), ha1.end(), buf);
        buf[ha1.size()] = '\0';
        if (len != nullptr)
            *len = ha1.size();
        return 0;
    });
}

int api_build_challenge(siphost_msg* msg, siphost_str realm, uint32_t flags, uint32_t hf, char* buf,
                        size_t cap, size_t* len) {
    if (msg == nullptr || len == nullptr)
        return -1;
    return sdk::guard(-1, [&] {
        std::string lines = auth_->challenge_headers(msg, sdk::view(realm), flags, hf);
        *len = lines.size();
        if (lines.empty() || buf == nullptr || lines.size() > cap)
            return -1;
        std::copy(lines.begin(), lines.end(), buf);
        return 0;
    });
}

int api_challenge(siphost_msg* msg, siphost_str realm, uint32_t flags, uint32_t hf) {
    if (msg == nullptr)
        return -1;
    return sdk::guard(-1, [&] { return auth_->challenge(msg, sdk::view(realm), flags, hf); });
}

const siphost_auth_api_v1 auth_api = {
    sizeof(siphost_auth_api_v1), api_pre_auth,  api_check_response, api_post_auth, api_calc_ha1,
    api_build_challenge,         api_challenge,
};

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    return sdk::guard_with_error(err, err_size, [&] {
        const auto* sl = static_cast<const siphost_sl_api_v1*>(
            host->api_lookup(SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR));
        if (sl == nullptr || !SIPHOST_HAS(siphost_sl_api_v1, sl, reply_with))
            throw sdk::config_error("auth needs sl's API: load sl before auth");
        auth_ = std::make_unique<authenticator>(host, self, read_settings(), sl);
        if (host->api_export(self, SIPHOST_AUTH_API_NAME, SIPHOST_AUTH_API_MAJOR, &auth_api) != 0)
            throw sdk::config_error("cannot export the \"auth\" API: another module already exports it");
        return 0;
    });
}

void destroy() {
    auth_.reset();
}

const siphost_command commands[] = {
    sdk::command("www_challenge", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_www_challenge>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_INT}, nullptr, nullptr,
                 "sends 401 with a digest challenge: www_challenge(realm, flags)"),
    sdk::command("proxy_challenge", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_proxy_challenge>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_INT}, nullptr, nullptr,
                 "sends 407 with a digest challenge: proxy_challenge(realm, flags)"),
    sdk::command("auth_challenge", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_auth_challenge>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_INT}, nullptr, nullptr,
                 "www_challenge for REGISTER, proxy_challenge for the rest"),
    sdk::command("consume_credentials", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_consume_credentials>, {},
                 nullptr, nullptr, "removes the credentials header that was authorized"),
    sdk::command("has_credentials", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_has_credentials>,
                 {SIPHOST_ARG_STRING}, nullptr, nullptr, "true when the request has credentials for realm"),
    sdk::command(
        "pv_www_authenticate", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_pv_www_authenticate>,
        {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_INT}, nullptr, nullptr,
        "checks Authorization credentials against a password: pv_www_authenticate(realm, passwd, flags)"),
    sdk::command("pv_www_authenticate", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_pv_www_authenticate_method>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_INT, SIPHOST_ARG_STRING}, nullptr,
                 nullptr, "the same with the method to authenticate"),
    sdk::command("pv_proxy_authenticate", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_pv_proxy_authenticate>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_INT}, nullptr, nullptr,
                 "checks Proxy-Authorization credentials against a password"),
    sdk::command(
        "pv_auth_check", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_pv_auth_check>,
        {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_INT, SIPHOST_ARG_INT}, nullptr, nullptr,
        "pv_www_authenticate for REGISTER, pv_proxy_authenticate for the rest, checks 1: user match"),
    sdk::command("auth_get_www_authenticate", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_auth_get_www_authenticate>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_INT, SIPHOST_ARG_PVAR},
                 sdk::fixup<&fix_get_www_authenticate>, sdk::free_call_data<sdk::parsed_pv>,
                 "writes a WWW-Authenticate header into a variable"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::string_param("secret", &secret_, "the nonce secret (random at start when not set)"),
    sdk::int_param("nonce_expire", &nonce_expire_, "seconds a nonce is valid (300)"),
    sdk::int_param("nonce_auth_max_drift", &max_drift_, "seconds a nonce may come from the future (3)"),
    sdk::int_param("nonce_count", &nonce_count_, "1: nc must increase for each use of a nonce"),
    sdk::int_param("one_time_nonce", &one_time_nonce_, "1: a nonce without nc is accepted once"),
    sdk::int_param("nc_array_size", &nc_array_size_, "nonces tracked for replay"),
    sdk::int_param("nc_array_order", &nc_array_order_, "log2 of the nonces tracked (20)"),
    sdk::int_param("otn_in_flight_no", &otn_in_flight_no_, "one-time nonces tracked"),
    sdk::int_param("otn_in_flight_order", &otn_in_flight_order_, "log2 of the one-time nonces tracked"),
    sdk::int_param("nid_pool_no", &nid_pool_no_, "accepted; the tracker needs no partitions here"),
    sdk::string_param("qop", &qop_, "qop of challenges whose flags set none: auth, auth-int or empty"),
    sdk::string_param("algorithm", &algorithm_, "MD5, SHA-256 (-sess forms; a list offers several)"),
    sdk::string_param("realm_prefix", &realm_prefix_, "stripped from a realm taken from the From/To host"),
    sdk::int_param("add_authinfo_hdr", &add_authinfo_hdr_,
                   "1: an Authentication-Info header (rspauth) in the replies to an authorized request"),
    sdk::int_param("use_domain", &use_domain_, "pv_auth_check compares the URI host with the realm"),
    sdk::int_param("force_stateless_reply", &force_stateless_reply_, "challenges are always sent by sl"),
    sdk::int_param("auth_checks_register", &checks_register_,
                   "REGISTER nonces bound to 1 R-URI, 2 Call-ID, 4 From tag, 8 source IP"),
    sdk::int_param("auth_checks_no_dlg", &checks_no_dlg_, "the same for requests outside a dialog"),
    sdk::int_param("auth_checks_in_dlg", &checks_in_dlg_, "the same for requests in a dialog"),
    sdk::end_of_params(),
};

const char* const depends[] = {"sl", nullptr};

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .depends = depends,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::auth

SIPHOST_MODULE(siphost::modules::auth::descriptor)
