#include "sip/uri.hpp"

#include <array>

#include "sip/chars.hpp"
#include "sip/escape.hpp"

namespace siphost::sip {
namespace {

using namespace chars;

/// Checks that every character is in cls or starts a valid %HH escape.
bool valid_escaped_run(std::string_view s, uint16_t cls) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size() || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
                return false;
            i += 2;
        } else if (!is(s[i], cls)) {
            return false;
        }
    }
    return true;
}

bool valid_ipv4(std::string_view s) {
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t digits = span_of(s, i, k_digit);
        uint64_t v = 0;
        if (digits == 0 || digits > 3 || !parse_uint(s.substr(i, digits), 255, v))
            return false;
        ++parts;
        i += digits;
        if (i == s.size())
            return parts == 4;
        if (s[i] != '.' || parts == 4)
            return false;
        ++i;
    }
}

/// Liberal on purpose: RFC 5118 4.3 asks to accept the historic three-colon form too.
bool valid_ipv6(std::string_view s) {
    if (s.size() < 2 || s.size() > 64)
        return false;
    int colons = 0;
    for (char c : s) {
        if (c == ':')
            ++colons;
        else if (!(hex_value(c) >= 0 || c == '.'))
            return false;
    }
    return colons >= 2;
}

/// Scans ";name[=value]" parameters of a URI up to '?' or the end. Returns the end position or npos.
std::size_t scan_uri_params(std::string_view s, std::size_t pos) {
    while (pos < s.size() && s[pos] == ';') {
        std::size_t end = pos + 1;
        while (end < s.size() && s[end] != ';' && s[end] != '?')
            ++end;
        std::string_view p = s.substr(pos + 1, end - pos - 1);
        std::size_t eq = p.find('=');
        std::string_view name = p.substr(0, eq);
        if (name.empty() || !valid_escaped_run(name, k_unreserved | k_param))
            return std::string_view::npos;
        if (eq != std::string_view::npos && !valid_escaped_run(p.substr(eq + 1), k_unreserved | k_param))
            return std::string_view::npos;
        pos = end;
    }
    return pos;
}

bool valid_uri_headers(std::string_view s) {
    std::size_t pos = 0;
    while (true) {
        std::size_t end = s.find('&', pos);
        std::string_view h =
            s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        std::size_t eq = h.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return false;
        if (!valid_escaped_run(h.substr(0, eq), k_unreserved | k_header) ||
            !valid_escaped_run(h.substr(eq + 1), k_unreserved | k_header))
            return false;
        if (end == std::string_view::npos)
            return true;
        pos = end + 1;
    }
}

/// Iterates ";name[=value]" of a validated parameter string.
template <class F> void for_each_uri_param(std::string_view params, F&& f) {
    std::size_t pos = 0;
    while (pos < params.size()) {
        std::size_t end = params.find(';', pos + 1);
        if (end == std::string_view::npos)
            end = params.size();
        std::string_view p = params.substr(pos + 1, end - pos - 1);
        std::size_t eq = p.find('=');
        if (eq == std::string_view::npos)
            f(p, std::string_view{}, false);
        else
            f(p.substr(0, eq), p.substr(eq + 1), true);
        pos = end;
    }
}

bool special_param(std::string_view name) {
    for (std::string_view s : {"user", "ttl", "method", "maddr", "transport"})
        if (escaped_equal(name, s, true))
            return true;
    return false;
}

/// Every parameter of a that b also has must match; the special ones must be in both. A name given twice
/// counts with its first value, as param() reads it.
bool params_match_one_way(const uri& a, const uri& b) {
    bool ok = true;
    for_each_uri_param(a.params(), [&](std::string_view name, std::string_view value, bool) {
        if (!ok)
            return;
        bool repeated = false;
        for_each_uri_param(a.params(), [&](std::string_view earlier, std::string_view, bool) {
            if (earlier.data() < name.data() && escaped_equal(earlier, name, true))
                repeated = true;
        });
        if (repeated)
            return;
        // Look the name up in b by its decoded form.
        bool found = false;
        std::string_view other_value;
        for_each_uri_param(b.params(), [&](std::string_view n2, std::string_view v2, bool) {
            if (!found && escaped_equal(name, n2, true)) {
                found = true;
                other_value = v2;
            }
        });
        if (!found)
            ok = !special_param(name);
        else
            ok = escaped_equal(value, other_value, true);
    });
    return ok;
}

bool headers_match_one_way(const uri& a, const uri& b) {
    std::string_view ha = a.headers();
    std::size_t pos = 0;
    while (pos < ha.size()) {
        std::size_t end = ha.find('&', pos);
        if (end == std::string_view::npos)
            end = ha.size();
        std::string_view h = ha.substr(pos, end - pos);
        std::size_t eq = h.find('=');
        std::string_view name = h.substr(0, eq), value = h.substr(eq + 1);
        bool found = false;
        std::string_view hb = b.headers();
        std::size_t p2 = 0;
        while (p2 < hb.size() && !found) {
            std::size_t e2 = hb.find('&', p2);
            if (e2 == std::string_view::npos)
                e2 = hb.size();
            std::string_view h2 = hb.substr(p2, e2 - p2);
            std::size_t eq2 = h2.find('=');
            if (escaped_equal(name, h2.substr(0, eq2), true) &&
                escaped_equal(value, h2.substr(eq2 + 1), false))
                found = true;
            p2 = e2 + 1;
        }
        if (!found)
            return false;
        pos = end + 1;
    }
    return true;
}

/// A telephone number without its visual separators (RFC 3966 5.1.1), lower-cased.
bool tel_numbers_equal(std::string_view a, std::string_view b) {
    auto visual = [](char c) { return c == '-' || c == '.' || c == '(' || c == ')'; };
    std::size_t i = 0, j = 0;
    while (true) {
        while (i < a.size() && visual(a[i]))
            ++i;
        while (j < b.size() && visual(b[j]))
            ++j;
        if (i == a.size() || j == b.size())
            return i == a.size() && j == b.size();
        if (to_lower(a[i]) != to_lower(b[j]))
            return false;
        ++i;
        ++j;
    }
}

} // namespace

host_type classify_host(std::string_view host) {
    if (host.empty())
        return host_type::none;
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']' || !valid_ipv6(host.substr(1, host.size() - 2)))
            return host_type::none;
        return host_type::ipv6;
    }
    // One pass: an IPv6 address without brackets has a ':', an IPv4 address only digits and dots.
    uint16_t seen = k_digit;
    for (char c : host) {
        uint16_t cls = table[static_cast<unsigned char>(c)];
        if (!(cls & k_host))
            return c == ':' ? (valid_ipv6(host) ? host_type::ipv6 : host_type::none) : host_type::none;
        seen &= (c == '.') ? static_cast<uint16_t>(k_digit) : cls;
    }
    bool digits_and_dots = (seen & k_digit) != 0;
    if (digits_and_dots)
        return valid_ipv4(host) ? host_type::ipv4 : host_type::none;
    if (host.front() == '.' || host.front() == '-')
        return host_type::none;
    return host_type::name;
}

std::size_t scan_host(std::string_view s, std::size_t pos, host_type& kind) {
    kind = host_type::none;
    if (pos >= s.size())
        return pos;
    if (s[pos] == '[') {
        std::size_t close = s.find(']', pos);
        if (close == std::string_view::npos)
            return pos;
        if (valid_ipv6(s.substr(pos + 1, close - pos - 1)))
            kind = host_type::ipv6;
        return close + 1;
    }
    const std::size_t i = pos + span_of(s, pos, k_host);
    std::string_view host = s.substr(pos, i - pos);
    if (host.empty())
        return i;
    // Only digits and dots make an IPv4 address, or nothing: a name's last label starts with a letter.
    if (is_digit(host.front()) && host.find_first_not_of("0123456789.") == std::string_view::npos)
        kind = valid_ipv4(host) ? host_type::ipv4 : host_type::none;
    else if (host.front() != '.' && host.front() != '-')
        kind = host_type::name;
    return i;
}

bool parse_hostport(std::string_view text, std::string_view& host, host_type& kind, uint16_t& port,
                    bool& has_port) {
    std::size_t host_end;
    if (!text.empty() && text.front() == '[') {
        host_end = text.find(']');
        if (host_end == std::string_view::npos)
            return false;
        ++host_end;
    } else {
        host_end = text.find(':');
        if (host_end == std::string_view::npos)
            host_end = text.size();
    }
    host = text.substr(0, host_end);
    kind = classify_host(host);
    if (kind == host_type::none || (kind == host_type::ipv6 && host.front() != '['))
        return false;
    has_port = false;
    port = 0;
    if (host_end == text.size())
        return true;
    if (text[host_end] != ':')
        return false;
    uint64_t value = 0;
    if (!parse_uint(text.substr(host_end + 1), 65535, value))
        return false;
    port = static_cast<uint16_t>(value);
    has_port = true;
    return true;
}

std::string_view uri::host_address() const {
    if (host_kind_ == host_type::ipv6 && host_.size() >= 2 && host_.front() == '[')
        return host_.substr(1, host_.size() - 2);
    return host_;
}

bool uri::parse(std::string_view text) {
    *this = uri{};
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || !is_alpha(text[0]))
        return false;
    for (std::size_t i = 1; i < colon; ++i)
        if (!(is(text[i], k_alpha | k_digit) || text[i] == '+' || text[i] == '-' || text[i] == '.'))
            return false;
    std::string_view scheme = text.substr(0, colon);
    std::string_view rest = text.substr(colon + 1);
    uri result;
    result.text_ = text;
    result.scheme_text_ = scheme;
    result.opaque_ = rest;
    if (iequals(scheme, "sip"))
        result.scheme_ = uri_scheme::sip;
    else if (iequals(scheme, "sips"))
        result.scheme_ = uri_scheme::sips;
    else if (iequals(scheme, "tel"))
        result.scheme_ = uri_scheme::tel;

    if (result.scheme_ == uri_scheme::other) {
        // Opaque: any URI character (reserved, unreserved, escaped), nothing that could end a header value.
        if (rest.empty())
            return false;
        for (char c : rest)
            if (!(is(c, k_unreserved | k_user | k_password | k_param | k_header) || c == '%' || c == '@' ||
                  c == '#'))
                return false;
        *this = result;
        return true;
    }

    if (result.scheme_ == uri_scheme::tel) {
        std::size_t end = rest.find(';');
        if (end == std::string_view::npos)
            end = rest.size();
        std::string_view number = rest.substr(0, end);
        if (number.empty() || !valid_escaped_run(number, k_unreserved | k_param | k_password))
            return false;
        if (scan_uri_params(rest, end) != rest.size())
            return false;
        result.user_ = number;
        result.has_user_ = true;
        result.params_ = rest.substr(end);
        *this = result;
        return true;
    }

    // sip / sips: [userinfo "@"] hostport uri-parameters [headers]
    std::size_t pos = 0;
    std::size_t at = rest.find('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        std::size_t pw = userinfo.find(':');
        std::string_view user = userinfo.substr(0, pw);
        if (user.empty() || !valid_escaped_run(user, k_unreserved | k_user))
            return false;
        result.user_ = user;
        result.has_user_ = true;
        if (pw != std::string_view::npos) {
            std::string_view password = userinfo.substr(pw + 1);
            if (!valid_escaped_run(password, k_unreserved | k_password))
                return false;
            result.password_ = password;
            result.has_password_ = true;
        }
        pos = at + 1;
    }
    std::size_t hostport_end = scan_host(rest, pos, result.host_kind_);
    if (result.host_kind_ == host_type::none)
        return false;
    result.host_ = rest.substr(pos, hostport_end - pos);
    if (hostport_end < rest.size() && rest[hostport_end] == ':') {
        std::size_t digits = span_of(rest, hostport_end + 1, k_digit);
        uint64_t port = 0;
        if (!parse_uint(rest.substr(hostport_end + 1, digits), 65535, port))
            return false;
        result.port_ = static_cast<uint16_t>(port);
        result.has_port_ = true;
        hostport_end += 1 + digits;
    }
    if (hostport_end < rest.size() && rest[hostport_end] != ';' && rest[hostport_end] != '?')
        return false;
    std::size_t params_end = scan_uri_params(rest, hostport_end);
    if (params_end == std::string_view::npos)
        return false;
    result.params_ = rest.substr(hostport_end, params_end - hostport_end);
    if (params_end < rest.size()) {
        // rest[params_end] == '?'
        std::string_view headers = rest.substr(params_end + 1);
        if (headers.empty() || !valid_uri_headers(headers))
            return false;
        result.headers_ = headers;
    }
    *this = result;
    return true;
}

std::optional<std::string_view> uri::param(std::string_view name) const {
    std::optional<std::string_view> found;
    for_each_uri_param(params_, [&](std::string_view n, std::string_view v, bool) {
        if (!found && escaped_equal(n, name, true))
            found = v;
    });
    return found;
}

bool uri_equal(const uri& a, const uri& b) {
    if (a.scheme() != b.scheme())
        return false;
    switch (a.scheme()) {
    case uri_scheme::other:
        return iequals(a.scheme_text(), b.scheme_text()) && a.opaque() == b.opaque();
    case uri_scheme::tel:
        return tel_numbers_equal(a.user(), b.user()) && params_match_one_way(a, b) &&
               params_match_one_way(b, a);
    case uri_scheme::sip:
    case uri_scheme::sips:
        break;
    }
    if (a.has_user() != b.has_user() || !escaped_equal(a.user(), b.user(), false))
        return false;
    if (a.has_password() != b.has_password() || !escaped_equal(a.password(), b.password(), false))
        return false;
    if (!iequals(a.host(), b.host()))
        return false;
    if (a.has_port() != b.has_port() || a.port() != b.port())
        return false;
    if (!params_match_one_way(a, b) || !params_match_one_way(b, a))
        return false;
    return headers_match_one_way(a, b) && headers_match_one_way(b, a);
}

std::string rebuild_uri(const uri& u, const uri_replacement& replace) {
    std::string_view user = replace.user.value_or(u.user());
    std::string_view host = replace.host.value_or(u.host());
    std::string port_text;
    if (replace.port)
        port_text = *replace.port;
    else if (u.has_port())
        port_text = std::to_string(u.port());
    std::string out(u.scheme_text());
    out += ':';
    if (u.scheme() == uri_scheme::tel) // a number and parameters, no host
        return out + std::string(user) + std::string(u.params());
    if (!user.empty()) {
        out += user;
        if (u.has_password()) {
            out += ':';
            out += u.password();
        }
        out += '@';
    }
    out += host;
    if (!port_text.empty()) {
        out += ':';
        out += port_text;
    }
    out += u.params();
    if (!u.headers().empty()) {
        out += '?';
        out += u.headers();
    }
    return out;
}

} // namespace siphost::sip
