#include "script/uri_parts.hpp"

namespace siphost::script {

uri_parts uri_parts::parse(std::string_view text) {
    uri_parts out;
    // A name-addr: take what is inside <...>.
    auto open = text.find('<');
    if (open != std::string_view::npos) {
        auto close = text.find('>', open);
        if (close == std::string_view::npos)
            return out;
        text = text.substr(open + 1, close - open - 1);
    }
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return out;
    out.scheme = text.substr(0, colon);
    std::string_view rest = text.substr(colon + 1);
    // The user part ends at the last '@' before any ';' or '?' of the host part.
    std::size_t at = rest.find('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        auto pw = userinfo.find(':');
        out.user = userinfo.substr(0, pw);
        if (pw != std::string_view::npos)
            out.password = userinfo.substr(pw + 1);
        out.has_user = true;
        rest = rest.substr(at + 1);
    }
    std::size_t host_end;
    if (!rest.empty() && rest.front() == '[') {
        host_end = rest.find(']');
        if (host_end == std::string_view::npos)
            return out;
        ++host_end;
    } else {
        host_end = rest.find_first_of(":;?");
        if (host_end == std::string_view::npos)
            host_end = rest.size();
    }
    out.host = rest.substr(0, host_end);
    rest = rest.substr(host_end);
    if (!rest.empty() && rest.front() == ':') {
        auto port_end = rest.find_first_of(";?", 1);
        if (port_end == std::string_view::npos)
            port_end = rest.size();
        out.port = rest.substr(1, port_end - 1);
        rest = rest.substr(port_end);
    }
    out.rest = rest;
    out.valid = !out.host.empty();
    return out;
}

std::string uri_parts::build(std::string_view u, std::string_view h, std::string_view p) const {
    std::string out(scheme);
    out += ':';
    if (!u.empty()) {
        out += u;
        if (!password.empty()) {
            out += ':';
            out += password;
        }
        out += '@';
    }
    out += h;
    if (!p.empty()) {
        out += ':';
        out += p;
    }
    out += rest;
    return out;
}

std::string uri_parts::with_user(std::string_view new_user) const {
    return build(new_user, host, port);
}
std::string uri_parts::with_host(std::string_view new_host) const {
    return build(user, new_host, port);
}
std::string uri_parts::with_port(std::string_view new_port) const {
    return build(user, host, new_port);
}

} // namespace siphost::script
