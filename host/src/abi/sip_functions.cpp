// The SIP toolkit sub-table: the host's own parsers (sip/), handed to modules, so that there is one parser
// for URIs, name-addr, parameters, Contact and digest credentials on both sides of the ABI.
#include "abi/sip_table.hpp"
#include "sip/contact.hpp"
#include "sip/credentials.hpp"
#include "sip/header_params.hpp"
#include "sip/name_addr.hpp"
#include "sip/uri.hpp"

#include <cctype>
#include <vector>

namespace siphost::abi {
namespace {

siphost_str to_str(std::string_view s) {
    return {s.data(), s.size()};
}
std::string_view view(siphost_str s) {
    return {s.s == nullptr ? "" : s.s, s.len};
}

constexpr siphost_str empty_str{nullptr, 0};

bool fits(size_t struct_size, size_t needed) {
    return struct_size >= needed;
}

int parse_uri(siphost_str text, siphost_uri* out) {
    if (out == nullptr || !fits(out->struct_size, offsetof(siphost_uri, reserved)))
        return -1;
    sip::uri u;
    if (!u.parse(view(text)))
        return -1;
    switch (u.scheme()) {
    case sip::uri_scheme::sip:
        out->scheme = SIPHOST_URI_SIP;
        break;
    case sip::uri_scheme::sips:
        out->scheme = SIPHOST_URI_SIPS;
        break;
    case sip::uri_scheme::tel:
        out->scheme = SIPHOST_URI_TEL;
        break;
    default:
        out->scheme = SIPHOST_URI_OTHER;
        break;
    }
    out->port = u.port();
    out->scheme_text = to_str(u.scheme_text());
    out->user = to_str(u.user());
    out->password = to_str(u.password());
    out->host = to_str(u.host_address());
    out->port_text = empty_str;
    if (u.has_port()) {
        // The digits as written: after the host part's last ':' (IPv6 brackets come first).
        std::string_view whole = u.text();
        auto host_at = u.host().data() - whole.data();
        auto after_host = whole.substr(static_cast<size_t>(host_at) + u.host().size());
        if (after_host.starts_with(':')) {
            size_t end = after_host.find_first_of(";?");
            out->port_text = to_str(after_host.substr(1, end == std::string_view::npos ? end : end - 1));
        }
    }
    std::string_view params = u.params();
    if (params.starts_with(';'))
        params.remove_prefix(1);
    out->params = to_str(params);
    out->headers = to_str(u.headers());
    auto transport = u.param("transport");
    out->transport = transport ? to_str(*transport) : empty_str;
    return 0;
}

std::string_view unquoted_display(std::string_view display) {
    if (display.size() >= 2 && display.front() == '"' && display.back() == '"')
        return display.substr(1, display.size() - 2);
    return display;
}

template <class Out> void fill_name_addr(const sip::name_addr& a, Out& out) {
    out.display = to_str(unquoted_display(a.display_name));
    out.uri = to_str(a.uri_text);
    std::string_view params = a.params;
    if (params.starts_with(';'))
        params.remove_prefix(1);
    out.params = to_str(params);
}

int parse_name_addr(siphost_str text, siphost_name_addr* out) {
    if (out == nullptr || !fits(out->struct_size, offsetof(siphost_name_addr, reserved)))
        return -1;
    sip::name_addr a;
    if (!sip::parse_single_name_addr(view(text), a))
        return -1;
    fill_name_addr(a, *out);
    return 0;
}

std::string_view trim_lws(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    return v;
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Scans the caller's own text, so that *value points into it; a quoted value may hold ';'.
int param(siphost_str params, siphost_str name, siphost_str* value) {
    std::string_view text = view(params);
    std::string_view wanted = trim_lws(view(name));
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = pos;
        while (end < text.size() && text[end] != ';') {
            if (text[end] == '"') {
                size_t closed = sip::scan_quoted_string(text, end);
                end = closed == std::string_view::npos ? text.size() : closed;
                continue;
            }
            ++end;
        }
        std::string_view item = text.substr(pos, end - pos);
        size_t equals = item.find('=');
        if (iequal(trim_lws(item.substr(0, equals)), wanted) && !wanted.empty()) {
            if (value != nullptr)
                *value = equals == std::string_view::npos ? siphost_str{item.data() + item.size(), 0}
                                                          : to_str(trim_lws(item.substr(equals + 1)));
            return 1;
        }
        if (end >= text.size())
            break;
        pos = end + 1;
    }
    return 0;
}

int parse_contacts(siphost_str value, siphost_contact* out, size_t max, size_t* count) {
    std::vector<sip::contact> contacts;
    auto kind = sip::parse_contacts(view(value), contacts);
    if (count != nullptr)
        *count = contacts.size();
    if (kind == sip::contact_list_kind::malformed)
        return SIPHOST_CONTACTS_MALFORMED;
    if (kind == sip::contact_list_kind::star)
        return SIPHOST_CONTACTS_STAR;
    if (out == nullptr || max == 0)
        return SIPHOST_CONTACTS_LIST;
    // Stepped through by the module's struct_size: a newer module's entries may be larger than this host's.
    size_t stride = out[0].struct_size;
    if (!fits(stride, offsetof(siphost_contact, reserved)))
        return SIPHOST_CONTACTS_MALFORMED;
    for (size_t i = 0; i < contacts.size() && i < max; ++i) {
        auto& c = *reinterpret_cast<siphost_contact*>(reinterpret_cast<char*>(out) + i * stride);
        c.struct_size = stride;
        fill_name_addr(contacts[i].address, c);
        c.expires = contacts[i].expires;
        c.q = contacts[i].q;
        c.reg_id = contacts[i].reg_id;
        c.instance = to_str(contacts[i].instance);
    }
    return SIPHOST_CONTACTS_LIST;
}

int parse_credentials(siphost_str value, siphost_credentials* out) {
    if (out == nullptr || !fits(out->struct_size, offsetof(siphost_credentials, reserved)))
        return -1;
    sip::digest_credentials c;
    if (!sip::parse_digest_credentials(view(value), c))
        return -1;
    out->scheme = to_str(c.scheme);
    out->username = to_str(c.username);
    out->realm = to_str(c.realm);
    out->nonce = to_str(c.nonce);
    out->uri = to_str(c.uri);
    out->response = to_str(c.response);
    out->algorithm = to_str(c.algorithm);
    out->cnonce = to_str(c.cnonce);
    out->opaque = to_str(c.opaque);
    out->qop = to_str(c.qop);
    out->nc = to_str(c.nc);
    return 0;
}

} // namespace

const siphost_sip_api* sip_table() {
    static const siphost_sip_api table = [] {
        siphost_sip_api t{};
        t.struct_size = sizeof t;
        t.parse_uri = parse_uri;
        t.parse_name_addr = parse_name_addr;
        t.param = param;
        t.parse_contacts = parse_contacts;
        t.parse_credentials = parse_credentials;
        return t;
    }();
    return &table;
}

} // namespace siphost::abi
