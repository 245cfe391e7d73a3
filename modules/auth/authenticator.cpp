#include "authenticator.hpp"

#include "digest.hpp"

#include <siphost/module.hpp>

#include <nettle/memops.h>

#include <chrono>
#include <stdexcept>

namespace siphost::modules::auth {

/// What auth remembers about one request: a stale nonce seen (the next challenge says stale=true), and which
/// credentials header was authorized (consume_credentials removes it).
struct msg_state {
    bool stale = false;
    bool authorized = false;
    uint32_t hf = 0;
    uint32_t index = 0;
    /// With add_authinfo_hdr: the HA1 check_response last accepted, and for which credentials (post_auth
    /// gets no HA1 through the API, and needs it for rspauth).
    std::string matched_ha1;
    uint32_t matched_hf = 0;
    uint32_t matched_index = 0;
};

namespace {

/// Credentials headers a request may carry before auth stops looking: a bound on the work per request.
constexpr uint32_t max_credentials_headers = 32;

uint32_t now_seconds() {
    auto since = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(since).count());
}

std::string_view header_name(uint32_t hf) {
    return hf == SIPHOST_AUTH_HF_PROXY_AUTHORIZATION ? "Proxy-Authorization" : "Authorization";
}

bool is_hex(std::string_view text) {
    for (char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    return true;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = sdk::ascii_lower(c);
    return out;
}

/// nc is 8 hex digits (RFC 7616 3.4).
bool parse_nc(std::string_view nc, uint32_t& out) {
    if (nc.size() != 8 || !is_hex(nc))
        return false;
    uint32_t value = 0;
    for (char c : nc) {
        int digit = c <= '9' ? c - '0' : sdk::ascii_lower(c) - 'a' + 10;
        value = value << 4 | static_cast<uint32_t>(digit);
    }
    out = value;
    return true;
}

/// A realm as a quoted-string: '"' and '\' escaped.
void append_quoted(std::string& out, std::string_view text) {
    out.push_back('"');
    for (char c : text) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

/// ACK, CANCEL and PRACK cannot be challenged (no reply to an ACK; a CANCEL and a PRACK belong to their
/// INVITE's exchange), so they pass unchecked, as in Kamailio.
bool unchallengeable(const siphost_host_api* host, siphost_msg* msg) {
    std::string_view method = sdk::view(host->msg_method(msg));
    return method == "ACK" || method == "CANCEL" || method == "PRACK";
}

void destroy_state(void* value) {
    std::unique_ptr<msg_state> owned(static_cast<msg_state*>(value));
}

} // namespace

authenticator::authenticator(const siphost_host_api* host, siphost_module_handle* self,
                             auth_settings settings, const siphost_sl_api_v1* sl)
    : host_(host), self_(self), settings_(std::move(settings)), sl_(sl), nonces_(settings_.secret) {
    if (settings_.nonce_count || settings_.one_time_nonce)
        tracker_ = std::make_unique<nonce_tracker>(settings_.tracker_order);
    slot_ = host_->msgctx->slot_register(self_, destroy_state);
    if (slot_ < 0)
        throw std::runtime_error("cannot reserve a per-message slot");
}

msg_state* authenticator::state(siphost_msg* msg, bool create) {
    auto* found = static_cast<msg_state*>(host_->msgctx->slot_get(msg, slot_));
    if (found != nullptr || !create)
        return found;
    auto fresh = std::make_unique<msg_state>();
    if (host_->msgctx->slot_set(msg, slot_, fresh.get()) != 0)
        return nullptr;
    return fresh.release(); // the message owns it now (destroy_state)
}

const siphost_tm_api_v1* authenticator::tm() {
    // tm may be loaded after auth, or not at all: looked up at the first challenge.
    if (!tm_looked_up_.load(std::memory_order_acquire)) {
        const auto* api = static_cast<const siphost_tm_api_v1*>(
            host_->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR));
        if (api != nullptr && (!SIPHOST_HAS(siphost_tm_api_v1, api, has_transaction) ||
                               !SIPHOST_HAS(siphost_tm_api_v1, api, reply_with)))
            api = nullptr;
        tm_.store(api, std::memory_order_relaxed);
        tm_looked_up_.store(true, std::memory_order_release);
    }
    return tm_.load(std::memory_order_relaxed);
}

std::string authenticator::realm_for(siphost_msg* msg, std::string_view realm) const {
    if (!realm.empty())
        return std::string(realm);
    bool is_register = sdk::view(host_->msg_method(msg)) == "REGISTER";
    std::string_view uri = sdk::view(is_register ? host_->msg_to_uri(msg) : host_->msg_from_uri(msg));
    siphost_uri parsed;
    if (!sdk::parse_uri(host_, uri, parsed))
        return {};
    std::string_view derived = sdk::view(parsed.host);
    if (!settings_.realm_prefix.empty() && derived.size() > settings_.realm_prefix.size() &&
        sdk::iequals(derived.substr(0, settings_.realm_prefix.size()), settings_.realm_prefix))
        derived.remove_prefix(settings_.realm_prefix.size());
    return std::string(derived);
}

/// The auth_checks_* bits for this kind of request: REGISTER, in a dialog (a To tag), or out of one.
uint8_t authenticator::checks_for(siphost_msg* msg) const {
    if (sdk::view(host_->msg_method(msg)) == "REGISTER")
        return settings_.checks_register;
    return sdk::view(host_->msg_to_tag(msg)).empty() ? settings_.checks_no_dlg : settings_.checks_in_dlg;
}

/// A digest of the request parts named by checks. The nonce's seal protects it, so it needs no key.
std::array<unsigned char, 8> authenticator::binding_of(siphost_msg* msg, uint8_t checks) const {
    std::string parts;
    if ((checks & 1) != 0)
        parts.append(sdk::view(host_->msg_ruri(msg))).push_back('\0');
    if ((checks & 2) != 0)
        parts.append(sdk::view(host_->msg_call_id(msg))).push_back('\0');
    if ((checks & 4) != 0)
        parts.append(sdk::view(host_->msg_from_tag(msg))).push_back('\0');
    if ((checks & 8) != 0) {
        siphost_dest source = sdk::sized<siphost_dest>();
        if (host_->msg_source(msg, &source) == 0)
            parts.append(reinterpret_cast<const char*>(source.ip), source.family == 6 ? 16 : 4);
        parts.push_back('\0');
    }
    auto md = sha256_of(parts);
    std::array<unsigned char, 8> out{};
    std::copy(md.begin(), md.begin() + static_cast<std::ptrdiff_t>(out.size()), out.begin());
    return out;
}

bool authenticator::offered(digest_algorithm algorithm) const {
    for (digest_algorithm a : settings_.algorithms)
        if (a == algorithm)
            return true;
    return false;
}

int authenticator::bad_credentials(siphost_msg* msg, std::string_view why) {
    // As Kamailio: a generic error, and no reply here (the script usually challenges again). The error is
    // recorded, so that a script may answer it with sl_reply_error() instead.
    sdk::log(host_, self_, SIPHOST_LOG_WARN, std::string("bad credentials: ").append(why));
    host_->msgctx->set_error(msg, 400, sdk::str("Bad Credentials"));
    return SIPHOST_AUTH_ERROR;
}

/// Why credentials cannot be checked, or empty when their form is right.
std::string_view authenticator::validate(const siphost_credentials& c, digest_algorithm& algorithm) const {
    if (c.username.len == 0)
        return "no username";
    if (c.nonce.len == 0)
        return "no nonce";
    if (c.response.len == 0)
        return "no response";
    siphost_uri uri;
    if (c.uri.len == 0 || !sdk::parse_uri(host_, sdk::view(c.uri), uri))
        return "the uri parameter is not a URI";
    auto parsed = parse_algorithm(sdk::view(c.algorithm));
    if (!parsed)
        return "unknown algorithm";
    if (!offered(*parsed))
        return "an algorithm that was not offered";
    algorithm = *parsed;
    std::string_view response = sdk::view(c.response);
    if (response.size() != hash_hex_length(algorithm) || !is_hex(response))
        return "the response is not a hash of the algorithm";
    std::string_view qop = sdk::view(c.qop);
    uint32_t nc = 0;
    if (!qop.empty()) {
        if (!sdk::iequals(qop, "auth") && !sdk::iequals(qop, "auth-int"))
            return "unknown qop";
        if (!parse_nc(sdk::view(c.nc), nc))
            return "qop without a valid nc";
        if (c.cnonce.len == 0)
            return "qop without a cnonce";
    }
    if (is_session(algorithm) && c.cnonce.len == 0)
        return "a -sess algorithm without a cnonce";
    return {};
}

int authenticator::pre_auth(siphost_msg* msg, std::string_view realm_arg, uint32_t hf,
                            siphost_auth_credentials& out) {
    if (msg == nullptr || !host_->msg_is_request(msg) ||
        (hf != SIPHOST_AUTH_HF_AUTHORIZATION && hf != SIPHOST_AUTH_HF_PROXY_AUTHORIZATION))
        return SIPHOST_AUTH_ERROR;
    if (unchallengeable(host_, msg))
        return SIPHOST_AUTH_OK;
    std::string realm = realm_for(msg, realm_arg);
    if (realm.empty()) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "no realm to authenticate in");
        return SIPHOST_AUTH_ERROR;
    }
    std::string_view name = header_name(hf);
    bool malformed = false;
    bool found = false;
    siphost_credentials creds;
    uint32_t index = 0;
    for (; index < max_credentials_headers; ++index) {
        bool present = false;
        std::string_view value = sdk::header(host_, msg, name, index, &present);
        if (!present)
            break;
        if (!sdk::parse_credentials(host_, value, creds)) {
            malformed = true;
            continue;
        }
        if (sdk::view(creds.realm) == realm) {
            found = true;
            break;
        }
    }
    if (!found)
        return malformed ? bad_credentials(msg, "a credentials header is malformed")
                         : SIPHOST_AUTH_NO_CREDENTIALS;

    digest_algorithm algorithm = digest_algorithm::md5;
    if (std::string_view why = validate(creds, algorithm); !why.empty())
        return bad_credentials(msg, why);

    nonce_authority::contents nonce;
    switch (nonces_.check(sdk::view(creds.nonce), now_seconds(), settings_.max_drift, nonce)) {
    case nonce_authority::verdict::invalid:
        sdk::log(host_, self_, SIPHOST_LOG_NOTICE, "a nonce this server did not make (another secret?)");
        return SIPHOST_AUTH_ERROR;
    case nonce_authority::verdict::stale:
        if (msg_state* s = state(msg, true))
            s->stale = true;
        return SIPHOST_AUTH_STALE_NONCE;
    case nonce_authority::verdict::valid:
        break;
    }
    // With an nc, nonce_count alone guards against replays (as in Kamailio); without one, the one-time nonce
    // check and the auth_checks_* binding do.
    uint32_t nc = 0;
    bool counted = settings_.nonce_count && nonce.tracked && tracker_ && parse_nc(sdk::view(creds.nc), nc);
    if (!counted && nonce.checks != 0 && binding_of(msg, nonce.checks) != nonce.binding) {
        if (msg_state* s = state(msg, true))
            s->stale = true;
        return SIPHOST_AUTH_STALE_NONCE; // another request than the one challenged: a new nonce for it
    }
    if (nonce.tracked && tracker_) {
        nonce_tracker::verdict v = nonce_tracker::verdict::fresh;
        if (counted)
            v = tracker_->check_nc(nonce.id, nc);
        else if (settings_.one_time_nonce)
            v = tracker_->check_once(nonce.id);
        if (v == nonce_tracker::verdict::replayed)
            return SIPHOST_AUTH_NONCE_REUSED;
        if (v == nonce_tracker::verdict::forgotten) {
            if (msg_state* s = state(msg, true))
                s->stale = true;
            return SIPHOST_AUTH_STALE_NONCE;
        }
    }

    out.digest = creds;
    std::string_view username = sdk::view(creds.username);
    size_t at = username.find('@');
    out.user = sdk::str(username.substr(0, at));
    out.domain = at == std::string_view::npos ? siphost_str{nullptr, 0} : sdk::str(username.substr(at + 1));
    out.hf = hf;
    out.index = index;
    out.algorithm = static_cast<uint32_t>(algorithm);
    out.reserved32 = 0;
    return SIPHOST_AUTH_DO_AUTHENTICATION;
}

int authenticator::check_response(siphost_msg* msg, const siphost_auth_credentials& cred,
                                  std::string_view ha1, std::string_view method) {
    auto algorithm = static_cast<digest_algorithm>(cred.algorithm);
    if (cred.algorithm > static_cast<uint32_t>(digest_algorithm::sha256_sess) ||
        ha1.size() != hash_hex_length(algorithm) || !is_hex(ha1))
        return SIPHOST_AUTH_INVALID_PASSWORD;
    const siphost_credentials& c = cred.digest;
    digest_input input;
    input.method = method.empty() ? sdk::view(host_->msg_method(msg)) : method;
    input.uri = sdk::view(c.uri);
    input.nonce = sdk::view(c.nonce);
    input.nc = sdk::view(c.nc);
    input.cnonce = sdk::view(c.cnonce);
    input.qop = sdk::view(c.qop);
    input.body = sdk::view(host_->msg_body(msg));
    std::string qop = lower(input.qop);
    input.qop = qop;
    std::string expected = compute_response(algorithm, lower(ha1), input);
    std::string received = lower(sdk::view(c.response));
    if (expected.empty() || expected.size() != received.size() ||
        memeql_sec(expected.data(), received.data(), expected.size()) == 0)
        return SIPHOST_AUTH_INVALID_PASSWORD;
    if (settings_.add_authinfo_hdr) {
        if (msg_state* s = state(msg, true)) {
            s->matched_ha1 = lower(ha1);
            s->matched_hf = cred.hf;
            s->matched_index = cred.index;
        }
    }
    return SIPHOST_AUTH_OK;
}

/// Authentication-Info (RFC 2617 3.2.3, RFC 3261 20.6): rspauth proves that this server knows the user's
/// secret. It is the response's digest with an empty method in A2 (":" digest-uri; for auth-int the hash
/// of an empty body, as the local replies it goes into carry none). nextnonce is the nonce just used,
/// or a fresh one with one_time_nonce, which refuses the used one; qop, cnonce and nc repeat the
/// credentials' and are left out when the credentials had no qop.
void authenticator::add_authentication_info(siphost_msg* msg, const siphost_auth_credentials& cred,
                                            const msg_state& s) {
    const siphost_credentials& c = cred.digest;
    auto algorithm = static_cast<digest_algorithm>(cred.algorithm);
    std::string qop = lower(sdk::view(c.qop));
    digest_input input;
    input.method = "";
    input.uri = sdk::view(c.uri);
    input.nonce = sdk::view(c.nonce);
    input.nc = sdk::view(c.nc);
    input.cnonce = sdk::view(c.cnonce);
    input.qop = qop;
    input.body = "";
    std::string rspauth = compute_response(algorithm, s.matched_ha1, input);
    if (rspauth.empty())
        return;
    std::string next = settings_.one_time_nonce ? new_nonce(msg) : std::string(sdk::view(c.nonce));
    std::string line = "Authentication-Info: nextnonce=\"" + next + "\"";
    if (!qop.empty())
        line += ", qop=" + qop;
    line += ", rspauth=\"" + rspauth + "\"";
    if (!qop.empty()) {
        line += ", cnonce=\"";
        line.append(sdk::view(c.cnonce));
        line += "\", nc=";
        line.append(sdk::view(c.nc));
    }
    line += "\r\n";
    if (host_->msgctx->add_reply_header(msg, sdk::str(line)) != 0)
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "cannot queue the Authentication-Info header");
}

int authenticator::post_auth(siphost_msg* msg, const siphost_auth_credentials& cred) {
    nonce_authority::contents nonce;
    auto verdict = nonces_.check(sdk::view(cred.digest.nonce), now_seconds(), settings_.max_drift, nonce);
    if (verdict == nonce_authority::verdict::invalid)
        return SIPHOST_AUTH_ERROR;
    if (nonce.tracked && tracker_) {
        uint32_t nc = 0;
        nonce_tracker::verdict v = nonce_tracker::verdict::fresh;
        if (settings_.nonce_count && parse_nc(sdk::view(cred.digest.nc), nc))
            v = tracker_->commit_nc(nonce.id, nc);
        else if (settings_.one_time_nonce)
            v = tracker_->commit_once(nonce.id);
        if (v == nonce_tracker::verdict::replayed)
            return SIPHOST_AUTH_NONCE_REUSED;
        if (v == nonce_tracker::verdict::forgotten) {
            if (msg_state* s = state(msg, true))
                s->stale = true;
            return SIPHOST_AUTH_STALE_NONCE;
        }
    }
    msg_state* s = state(msg, true);
    if (s == nullptr)
        return SIPHOST_AUTH_ERROR;
    s->authorized = true;
    s->hf = cred.hf;
    s->index = cred.index;
    if (settings_.add_authinfo_hdr && !s->matched_ha1.empty() && s->matched_hf == cred.hf &&
        s->matched_index == cred.index) {
        add_authentication_info(msg, cred, *s);
        s->matched_ha1.clear(); // one header per accepted response
    }
    return SIPHOST_AUTH_OK;
}

std::string authenticator::new_nonce(siphost_msg* msg) {
    nonce_authority::contents contents;
    contents.created = now_seconds();
    contents.expires = contents.created + settings_.nonce_expire;
    if (tracker_) {
        contents.id = tracker_->issue();
        contents.tracked = true;
    }
    contents.checks = checks_for(msg);
    if (contents.checks != 0)
        contents.binding = binding_of(msg, contents.checks);
    return nonces_.make(contents);
}

std::string authenticator::challenge_headers(siphost_msg* msg, std::string_view realm_arg, uint32_t flags,
                                             uint32_t hf) {
    std::string realm = realm_for(msg, realm_arg);
    if (realm.empty())
        return {};
    std::string nonce = new_nonce(msg);

    std::string_view qop = settings_.qop;
    uint32_t qop_bits = flags & (SIPHOST_AUTH_CHALLENGE_QOP_AUTH | SIPHOST_AUTH_CHALLENGE_QOP_AUTH_INT);
    if ((qop_bits & SIPHOST_AUTH_CHALLENGE_QOP_AUTH_INT) != 0) // the stronger one wins, as in Kamailio
        qop = "auth-int";
    else if (qop_bits != 0)
        qop = "auth";
    const msg_state* s = state(msg, false);
    bool stale = (flags & SIPHOST_AUTH_CHALLENGE_STALE) != 0 || (s != nullptr && s->stale);

    std::string lines;
    for (digest_algorithm algorithm : settings_.algorithms) {
        lines.append(hf == SIPHOST_AUTH_HF_PROXY_AUTHORIZATION ? "Proxy-Authenticate" : "WWW-Authenticate");
        lines.append(": Digest realm=");
        append_quoted(lines, realm);
        lines.append(", nonce=\"").append(nonce).append("\"");
        if (!qop.empty())
            lines.append(", qop=\"").append(qop).append("\"");
        if (settings_.algorithm_named || settings_.algorithms.size() > 1)
            lines.append(", algorithm=").append(algorithm_name(algorithm));
        if (stale)
            lines.append(", stale=true");
        lines.append("\r\n");
    }
    return lines;
}

int authenticator::challenge(siphost_msg* msg, std::string_view realm, uint32_t flags, uint32_t hf) {
    if (unchallengeable(host_, msg))
        return 1;
    bool www = hf != SIPHOST_AUTH_HF_PROXY_AUTHORIZATION;
    int code = www ? 401 : 407;
    std::string_view reason = www ? "Unauthorized" : "Proxy Authentication Required";
    std::string headers = challenge_headers(msg, realm, flags, hf);
    if (headers.empty()) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "cannot build a challenge: no realm");
        if ((flags & SIPHOST_AUTH_CHALLENGE_NO_500) == 0 &&
            (sl_ == nullptr || sl_->reply(msg, 500, sdk::str("Server Internal Error")) != 1))
            return -4;
        return -2;
    }
    int sent = -1;
    if (const siphost_tm_api_v1* t = settings_.force_stateless_reply ? nullptr : tm();
        t != nullptr && t->has_transaction(msg) > 0)
        sent = t->reply_with(msg, code, sdk::str(reason), sdk::str(headers), siphost_str{nullptr, 0});
    else if (sl_ != nullptr)
        sent = sl_->reply_with(msg, code, sdk::str(reason), sdk::str(headers), siphost_str{nullptr, 0});
    return sent > 0 ? 1 : -3;
}

int authenticator::has_credentials(siphost_msg* msg, std::string_view realm_arg) const {
    std::string realm = realm_for(msg, realm_arg);
    for (std::string_view name : {"Authorization", "Proxy-Authorization"}) {
        for (uint32_t i = 0; i < max_credentials_headers; ++i) {
            bool present = false;
            std::string_view value = sdk::header(host_, msg, name, i, &present);
            if (!present)
                break;
            siphost_credentials creds;
            if (sdk::parse_credentials(host_, value, creds) && sdk::view(creds.realm) == realm)
                return 1;
        }
    }
    return -1;
}

int authenticator::consume_credentials(siphost_msg* msg) {
    msg_state* s = state(msg, false);
    if (s == nullptr || !s->authorized) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "consume_credentials: no credentials were authorized");
        return -1;
    }
    std::string_view name = header_name(s->hf);
    if (host_->msg_remove_header(msg, sdk::str(name), static_cast<int32_t>(s->index)) < 1)
        return -1;
    s->authorized = false;
    return 1;
}

} // namespace siphost::modules::auth
