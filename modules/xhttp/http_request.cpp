#include "http_request.hpp"

namespace siphost::modules::xhttp {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

std::optional<std::string> http_url(std::string_view ruri) {
    constexpr std::string_view scheme = "sip:";
    if (!ruri.starts_with(scheme) || ruri.size() < scheme.size() + http_mark_host.size() + 2)
        return std::nullopt;
    std::string_view rest = ruri.substr(scheme.size());
    size_t at = rest.rfind('@');
    if (at == std::string_view::npos || at == 0 || rest.substr(at + 1) != http_mark_host)
        return std::nullopt;
    std::string_view escaped = rest.substr(0, at);
    std::string url;
    url.reserve(escaped.size());
    for (size_t i = 0; i < escaped.size(); ++i) {
        if (escaped[i] != '%') {
            url.push_back(escaped[i]);
            continue;
        }
        if (i + 2 >= escaped.size())
            return std::nullopt;
        int high = hex_value(escaped[i + 1]);
        int low = hex_value(escaped[i + 2]);
        if (high < 0 || low < 0)
            return std::nullopt;
        url.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return url;
}

std::string http_reply(int code, std::string_view reason, std::string_view ctype, std::string_view body) {
    std::string out = "HTTP/1.1 " + std::to_string(code) + " ";
    out.append(reason).append("\r\n");
    if (!ctype.empty())
        out.append("Content-Type: ").append(ctype).append("\r\n");
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
    out.append(body);
    return out;
}

} // namespace siphost::modules::xhttp
