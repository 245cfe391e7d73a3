#include "request_checker.hpp"

#include <siphost/module.hpp>

#include <algorithm>
#include <array>

namespace siphost::modules::sanity {
namespace {

/// True when a header line's name is `full` or its compact form (0: none).
bool named(const header_line& h, std::string_view full, char compact = 0) {
    if (compact != 0 && h.name.size() == 1)
        return sdk::ascii_lower(h.name[0]) == compact;
    return sdk::iequals(h.name, full);
}

/// The first line of a header, or nullptr.
const header_line* first(const request_view& r, std::string_view full, char compact = 0) {
    for (const header_line& h : r.headers)
        if (named(h, full, compact))
            return &h;
    return nullptr;
}

size_t count_lines(const request_view& r, std::string_view full, char compact = 0) {
    return static_cast<size_t>(std::count_if(r.headers.begin(), r.headers.end(),
                                             [&](const header_line& h) { return named(h, full, compact); }));
}

bool fail(check_outcome& out, uint32_t bit, int code, std::string_view reason, std::string_view detail) {
    out.failed = bit;
    out.code = code;
    out.reason.assign(reason);
    out.detail.assign(detail);
    return false;
}

/// A 32-bit unsigned decimal number filling the whole text (Kamailio's "valid unsigned integer").
bool valid_uint32(std::string_view text) {
    uint64_t value = 0;
    return sdk::parse_uint(text, value, UINT32_MAX);
}

/// Splits a CSeq value ("1 INVITE") into its number and method.
void split_cseq(std::string_view value, std::string_view& number, std::string_view& method) {
    value = sdk::trim(value);
    size_t gap = value.find_first_of(" \t");
    number = value.substr(0, gap);
    method = gap == std::string_view::npos ? std::string_view() : sdk::trim(value.substr(gap));
}

/// Calls fn on each comma-separated token of an option-tag list (Proxy-Require), trimmed; false when fn is.
template <class F> bool for_each_token(std::string_view list, F&& fn) {
    while (true) {
        size_t comma = list.find(',');
        if (!fn(sdk::trim(list.substr(0, comma))))
            return false;
        if (comma == std::string_view::npos)
            return true;
        list.remove_prefix(comma + 1);
    }
}

} // namespace

std::string_view check_name(uint32_t bit) {
    switch (bit) {
    case check_ruri_sip_version:
        return "ruri sip version";
    case check_ruri_scheme:
        return "ruri scheme";
    case check_required_headers:
        return "required headers";
    case check_via_sip_version:
        return "via sip version";
    case check_via_protocol:
        return "via protocol";
    case check_cseq_method:
        return "cseq method";
    case check_cseq_value:
        return "cseq value";
    case check_content_length:
        return "content length";
    case check_expires_value:
        return "expires value";
    case check_proxy_require:
        return "proxy require";
    case check_parse_uris:
        return "parse uris";
    case check_digest:
        return "digest credentials";
    case check_duplicated_tags:
        return "duplicated tags";
    case check_authorization:
        return "authorization header";
    case check_via1_header:
        return "first via header";
    default:
        return "unknown";
    }
}

request_checker::request_checker(const siphost_sip_api* sip, std::vector<std::string> proxy_require)
    : sip_(sip), proxy_require_(std::move(proxy_require)) {}

std::vector<std::string> request_checker::split_extensions(std::string_view list) {
    std::vector<std::string> out;
    for_each_token(list, [&](std::string_view token) {
        if (!token.empty())
            out.emplace_back(token);
        return true;
    });
    return out;
}

check_outcome request_checker::check(const request_view& r, uint32_t msg_checks, uint32_t uri_checks) const {
    check_outcome out;
    auto wanted = [&](uint32_t bit) { return (msg_checks & bit) != 0; };
    // Kamailio's order; the request-line checks have nothing to read in a reply.
    bool ok = (!wanted(check_ruri_sip_version) || !r.is_request || ruri_sip_version(r, out)) &&
              (!wanted(check_ruri_scheme) || !r.is_request || ruri_scheme(r, out)) &&
              (!wanted(check_required_headers) || required_headers(r, out)) &&
              (!wanted(check_via1_header) || via1_header(r, out)) &&
              (!wanted(check_cseq_method) || !r.is_request || cseq_method(r, out)) &&
              (!wanted(check_cseq_value) || cseq_value(r, out)) &&
              (!wanted(check_content_length) || content_length(r, out)) &&
              (!wanted(check_expires_value) || expires_value(r, out)) &&
              (!wanted(check_proxy_require) || !r.is_request || proxy_require(r, out)) &&
              (!wanted(check_parse_uris) ||
               parse_uris(r, r.is_request ? uri_checks : uri_checks & ~uint32_t{uri_ruri}, out)) &&
              (!wanted(check_digest) || credentials(r, out)) &&
              (!wanted(check_duplicated_tags) || duplicated_tags(r, out)) &&
              (!wanted(check_authorization) || credentials(r, out));
    // Kamailio checks the credentials the same way for both bits; name the one asked for.
    if (!ok && out.failed == check_digest && !wanted(check_digest))
        out.failed = check_authorization;
    return out;
}

bool request_checker::known_uri(std::string_view text) const {
    siphost_uri uri = sdk::sized<siphost_uri>();
    if (sip_ == nullptr || sip_->parse_uri(sdk::str(text), &uri) != 0)
        return false;
    if (uri.scheme == SIPHOST_URI_SIP || uri.scheme == SIPHOST_URI_SIPS || uri.scheme == SIPHOST_URI_TEL)
        return true;
    std::string_view scheme = sdk::view(uri.scheme_text);
    return sdk::iequals(scheme, "tels") || sdk::iequals(scheme, "urn");
}

bool request_checker::ruri_sip_version(const request_view& r, check_outcome& out) const {
    if (sdk::iequals(r.version, "SIP/2.0"))
        return true;
    return fail(out, check_ruri_sip_version, 505, "Version Not Supported (R-URI)",
                "the request line is not SIP/2.0");
}

bool request_checker::ruri_scheme(const request_view& r, check_outcome& out) const {
    siphost_uri uri = sdk::sized<siphost_uri>();
    if (sip_ == nullptr || sip_->parse_uri(sdk::str(r.ruri), &uri) != 0)
        return fail(out, check_ruri_scheme, 400, "Bad Request URI", "the Request-URI does not parse");
    if (!known_uri(r.ruri))
        return fail(out, check_ruri_scheme, 416, "Unsupported URI Scheme in Request URI",
                    "the Request-URI's scheme is not sip, sips, tel, tels or urn");
    return true;
}

bool request_checker::required_headers(const request_view& r, check_outcome& out) const {
    // Without these a reply cannot be built, so none is sent (Kamailio marks the request "no reply").
    struct required {
        std::string_view name;
        char compact;
        bool single;
    };
    static constexpr std::array<required, 5> headers = {{
        {"From", 'f', true},
        {"To", 't', true},
        {"Call-ID", 'i', true},
        {"CSeq", 0, true},
        {"Via", 'v', false},
    }};
    for (const required& h : headers) {
        size_t n = count_lines(r, h.name, h.compact);
        if (n == 0)
            return fail(out, check_required_headers, 0, "",
                        std::string("no ").append(h.name).append(" header"));
        if (h.single && n > 1)
            return fail(out, check_required_headers, 0, "",
                        std::string("duplicated ").append(h.name).append(" header"));
    }
    return true;
}

bool request_checker::via1_header(const request_view& r, check_outcome& out) const {
    if (r.via1_parsed && !r.via1_host.empty())
        return true;
    return fail(out, check_via1_header, 0, "", "the first Via has no address");
}

bool request_checker::cseq_method(const request_view& r, check_outcome& out) const {
    const header_line* cseq = first(r, "CSeq");
    if (cseq == nullptr)
        return fail(out, check_cseq_method, 0, "", "no CSeq header");
    std::string_view number, method;
    split_cseq(cseq->value, number, method);
    if (method.empty())
        return fail(out, check_cseq_method, 400, "Missing method in CSeq header", "the CSeq has no method");
    if (method != r.method) // methods are case-sensitive (RFC 3261 7.1)
        return fail(out, check_cseq_method, 400, "CSeq method does not match request method",
                    "the CSeq method is not the request's");
    return true;
}

bool request_checker::cseq_value(const request_view& r, check_outcome& out) const {
    const header_line* cseq = first(r, "CSeq");
    if (cseq == nullptr)
        return fail(out, check_cseq_value, 0, "", "no CSeq header");
    std::string_view number, method;
    split_cseq(cseq->value, number, method);
    if (number.empty())
        return fail(out, check_cseq_value, 400, "Missing number in CSeq header", "the CSeq has no number");
    if (!valid_uint32(number))
        return fail(out, check_cseq_value, 400, "CSeq number is illegal",
                    "the CSeq number is not a 32-bit number");
    return true;
}

bool request_checker::content_length(const request_view& r, check_outcome& out) const {
    const header_line* length = first(r, "Content-Length", 'l');
    if (length == nullptr)
        return true; // a datagram frames the body; a stream transport has refused it already
    uint64_t value = 0;
    if (!sdk::parse_uint(sdk::trim(length->value), value, UINT32_MAX))
        return fail(out, check_content_length, 400, "Content-Length Failure",
                    "the Content-Length is not a number");
    if (value != r.body.size())
        return fail(out, check_content_length, 400, "Content-Length mis-match",
                    "the Content-Length is not the body's size");
    return true;
}

bool request_checker::expires_value(const request_view& r, check_outcome& out) const {
    const header_line* expires = first(r, "Expires");
    if (expires == nullptr)
        return true;
    std::string_view value = sdk::trim(expires->value);
    if (value.empty())
        return fail(out, check_expires_value, 400, "Bad Expires Header", "the Expires header is empty");
    if (!valid_uint32(value))
        return fail(out, check_expires_value, 400, "Expires value is illegal",
                    "the Expires value is not a 32-bit number");
    return true;
}

bool request_checker::proxy_require(const request_view& r, check_outcome& out) const {
    for (const header_line& h : r.headers) {
        if (!named(h, "Proxy-Require"))
            continue;
        bool ok = for_each_token(h.value, [&](std::string_view token) {
            if (token.empty())
                return fail(out, check_proxy_require, 400, "Bad Proxy Require Header",
                            "an empty Proxy-Require option");
            // Option tags compare case-sensitively, as Kamailio compares them.
            if (std::find(proxy_require_.begin(), proxy_require_.end(), token) != proxy_require_.end())
                return true;
            fail(out, check_proxy_require, 420, "Bad Proxy Require Extension",
                 std::string("unsupported extension ").append(token));
            out.extra_headers.assign("Unsupported: ").append(token).append("\r\n");
            return false;
        });
        if (!ok)
            return false;
    }
    return true;
}

bool request_checker::parse_uris(const request_view& r, uint32_t uri_checks, check_outcome& out) const {
    if ((uri_checks & uri_ruri) != 0 && !known_uri(r.ruri))
        return fail(out, check_parse_uris, 400, "Bad Request URI", "the Request-URI does not parse");
    struct party {
        uint32_t bit;
        std::string_view name;
        char compact;
        std::string_view reason;
    };
    // Kamailio's own phrase for To reads "Ivalid": the typo is not kept.
    static constexpr std::array<party, 2> parties = {{
        {uri_from, "From", 'f', "Invalid From Header"},
        {uri_to, "To", 't', "Invalid To Header"},
    }};
    for (const party& p : parties) {
        if ((uri_checks & p.bit) == 0)
            continue;
        const header_line* h = first(r, p.name, p.compact);
        siphost_name_addr address = sdk::sized<siphost_name_addr>();
        if (h == nullptr || sip_ == nullptr || sip_->parse_name_addr(sdk::str(h->value), &address) != 0 ||
            !known_uri(sdk::view(address.uri)))
            return fail(out, check_parse_uris, 400, p.reason,
                        std::string("the ").append(p.name).append(" header or its URI does not parse"));
    }
    if ((uri_checks & uri_contact) == 0)
        return true;
    std::vector<siphost_contact> contacts;
    for (const header_line& h : r.headers) {
        if (!named(h, "Contact", 'm'))
            continue;
        size_t n = 0;
        int kind = sip_ == nullptr ? SIPHOST_CONTACTS_MALFORMED
                                   : sip_->parse_contacts(sdk::str(h.value), nullptr, 0, &n);
        if (kind == SIPHOST_CONTACTS_STAR)
            continue;
        if (kind != SIPHOST_CONTACTS_LIST || n == 0)
            return fail(out, check_parse_uris, 400, "Bad Contact Header", "a Contact header does not parse");
        contacts.assign(n, sdk::sized<siphost_contact>());
        if (sip_->parse_contacts(sdk::str(h.value), contacts.data(), n, &n) != SIPHOST_CONTACTS_LIST)
            return fail(out, check_parse_uris, 400, "Bad Contact Header", "a Contact header does not parse");
        for (const siphost_contact& c : contacts)
            if (!known_uri(sdk::view(c.uri)))
                return fail(out, check_parse_uris, 400, "Bad Contact URI", "a Contact URI does not parse");
    }
    return true;
}

bool request_checker::credentials(const request_view& r, check_outcome& out) const {
    for (const header_line& h : r.headers) {
        if (!named(h, "Authorization") && !named(h, "Proxy-Authorization"))
            continue;
        std::string_view value = sdk::trim(h.value);
        // Only digest credentials are checked; Kamailio lets other schemes, and an empty header, pass.
        std::string_view scheme = value.substr(0, value.find_first_of(" \t"));
        if (!sdk::iequals(scheme, "Digest"))
            continue;
        siphost_credentials c = sdk::sized<siphost_credentials>();
        if (sip_ == nullptr || sip_->parse_credentials(sdk::str(value), &c) != 0)
            return fail(out, check_digest, 400, "Bad Auth Credentials",
                        "the digest credentials do not parse");
        // The toolkit leaves a directive that is absent with no text at all, and one written empty ("") with
        // an empty text inside the value: Kamailio calls the first malformed and the second empty.
        if (c.username.s == nullptr || c.realm.s == nullptr || c.nonce.s == nullptr || c.uri.s == nullptr ||
            c.response.s == nullptr)
            return fail(out, check_digest, 400, "Bad Auth Credentials",
                        "the digest credentials lack username, realm, nonce, uri or response");
        if (c.username.len == 0)
            return fail(out, check_digest, 400, "Auth Empty User", "the digest username is empty");
        if (c.nonce.len == 0)
            return fail(out, check_digest, 400, "Auth Empty Nonce", "the digest nonce is empty");
        if (c.response.len == 0)
            return fail(out, check_digest, 400, "Auth Empty Response", "the digest response is empty");
    }
    return true;
}

bool request_checker::duplicated_tags(const request_view& r, check_outcome& out) const {
    struct party {
        std::string_view name;
        char compact;
        std::string_view reason;
    };
    static constexpr std::array<party, 2> parties = {{
        {"From", 'f', "Many From Tag Params"},
        {"To", 't', "Many To Tag Params"},
    }};
    for (const party& p : parties) {
        const header_line* h = first(r, p.name, p.compact);
        if (h == nullptr)
            continue;
        siphost_name_addr address = sdk::sized<siphost_name_addr>();
        if (sip_ == nullptr || sip_->parse_name_addr(sdk::str(h->value), &address) != 0)
            return fail(out, check_duplicated_tags, 0, "",
                        std::string("the ").append(p.name).append(" header does not parse"));
        // The toolkit finds the first tag; a second one is searched for in what follows it.
        std::string_view params = sdk::view(address.params);
        siphost_str tag{nullptr, 0};
        if (sip_->param(sdk::str(params), sdk::str("tag"), &tag) != 1)
            continue;
        size_t after =
            tag.s == nullptr ? params.size() : static_cast<size_t>(tag.s + tag.len - params.data());
        std::string_view rest = params.substr(std::min(after, params.size()));
        size_t semicolon = rest.find(';');
        rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
        if (!rest.empty() && sip_->param(sdk::str(rest), sdk::str("tag"), nullptr) == 1)
            return fail(out, check_duplicated_tags, 400, p.reason,
                        std::string("more than one tag in the ").append(p.name).append(" header"));
    }
    return true;
}

} // namespace siphost::modules::sanity
