#include "sip/via.hpp"

#include "sip/chars.hpp"
#include "sip/header_params.hpp"

namespace siphost::sip {

using namespace chars;

namespace {

bool read_token(std::string_view s, std::size_t& pos, std::string_view& out) {
    std::size_t n = span_of(s, pos, k_token);
    if (n == 0)
        return false;
    out = s.substr(pos, n);
    pos += n;
    return true;
}

bool expect_slash(std::string_view s, std::size_t& pos) {
    pos = skip_lws(s, pos);
    if (pos >= s.size() || s[pos] != '/')
        return false;
    pos = skip_lws(s, pos + 1);
    return true;
}

bool valid_received(std::string_view v) {
    host_type kind = classify_host(v);
    return kind == host_type::ipv4 || kind == host_type::ipv6;
}

} // namespace

bool parse_via(std::string_view s, std::size_t& pos, via& out) {
    pos = skip_lws(s, pos);
    std::size_t start = pos;
    if (!read_token(s, pos, out.protocol_name) || !expect_slash(s, pos) ||
        !read_token(s, pos, out.protocol_version) || !expect_slash(s, pos) ||
        !read_token(s, pos, out.transport))
        return false;
    std::size_t before_lws = pos;
    pos = skip_lws(s, pos);
    if (pos == before_lws || pos >= s.size())
        return false;

    // sent-by: host [ SWS ":" SWS port ]
    std::size_t host_start = pos;
    pos = scan_host(s, pos, out.host_kind);
    if (out.host_kind == host_type::none)
        return false;
    std::string_view host = s.substr(host_start, pos - host_start);
    out.host = out.host_kind == host_type::ipv6 ? host.substr(1, host.size() - 2) : host;
    std::size_t after_host = skip_lws(s, pos);
    if (after_host < s.size() && s[after_host] == ':') {
        pos = skip_lws(s, after_host + 1);
        std::size_t digits = span_of(s, pos, k_digit);
        uint64_t port = 0;
        if (!parse_uint(s.substr(pos, digits), 65535, port))
            return false;
        out.port = static_cast<uint16_t>(port);
        out.has_port = true;
        pos += digits;
    }
    pos = skip_lws(s, pos);
    std::size_t params_start = pos;
    bool ok = true;
    bool valid = read_header_params(s, pos, true, [&](const header_param& p) {
        if (iequals(p.name, "branch")) {
            if (!p.has_value || p.value.front() == '"')
                ok = false;
            out.branch = p.value;
        } else if (iequals(p.name, "received")) {
            if (!p.has_value || !valid_received(p.value))
                ok = false;
            out.received = p.value;
        } else if (iequals(p.name, "rport")) {
            out.has_rport = true;
            uint64_t v = 0;
            if (p.has_value && !parse_uint(p.value, 65535, v))
                ok = false;
            out.rport = static_cast<uint16_t>(v);
        } else if (iequals(p.name, "maddr")) {
            if (!p.has_value || classify_host(p.value) == host_type::none)
                ok = false;
            out.maddr = p.value;
        } else if (iequals(p.name, "ttl")) {
            uint64_t v = 0;
            if (!p.has_value || !parse_uint(p.value, 255, v))
                ok = false;
            out.ttl = static_cast<int16_t>(v);
        }
    });
    if (!valid || !ok)
        return false;
    out.params = trim(s.substr(params_start, pos - params_start));
    out.value = trim(s.substr(start, pos - start));
    return true;
}

} // namespace siphost::sip
