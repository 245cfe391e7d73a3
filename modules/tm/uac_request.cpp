#include "uac_request.hpp"

namespace siphost::modules::tm {
namespace {

std::string_view trim(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    return v;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
        if (x != y)
            return false;
    }
    return true;
}

/// The position of the first `wanted` outside a quoted string (a display name may hold '<' or ';').
size_t find_unquoted(std::string_view text, char wanted) noexcept {
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == wanted) {
            return i;
        }
    }
    return std::string_view::npos;
}

/// A value that would end its header line early (a header injected through it).
bool has_line_break(std::string_view text) noexcept {
    return text.find_first_of("\r\n") != std::string_view::npos;
}

void append_decimal(std::string& out, uint64_t value) {
    char digits[20];
    size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0)
        out.push_back(digits[--n]);
}

} // namespace

bool is_token(std::string_view text) noexcept {
    if (text.empty())
        return false;
    for (char c : text) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("-.!%*_+`'~").find(c) == std::string_view::npos)
            return false;
    }
    return true;
}

std::string_view via_transport(uint8_t proto) noexcept {
    switch (proto) {
    case 1:
        return "UDP";
    case 2:
        return "TCP";
    case 3:
        return "TLS";
    case 4:
        return "SCTP";
    case 5:
        return "WS";
    case 6:
        return "WSS";
    default:
        return {};
    }
}

std::string as_name_addr(std::string_view value) {
    value = trim(value);
    if (find_unquoted(value, '<') != std::string_view::npos)
        return std::string(value);
    // A display name needs the URI in < > (RFC 3261 20.10): a bare value with one is malformed.
    if (value.empty() || value.find_first_of("\" \t") != std::string_view::npos)
        return {};
    size_t semicolon = value.find(';');
    std::string out;
    out.reserve(value.size() + 2);
    out.push_back('<');
    out.append(trim(value.substr(0, semicolon)));
    out.push_back('>');
    if (semicolon != std::string_view::npos)
        out.append(value.substr(semicolon));
    return out;
}

std::string_view header_tag(std::string_view name_addr) noexcept {
    size_t open = find_unquoted(name_addr, '<');
    if (open == std::string_view::npos)
        return {};
    size_t close = name_addr.find('>', open);
    if (close == std::string_view::npos)
        return {};
    std::string_view params = name_addr.substr(close + 1);
    while (!params.empty()) {
        size_t semicolon = params.find(';');
        if (semicolon == std::string_view::npos)
            break;
        params.remove_prefix(semicolon + 1);
        std::string_view param = params.substr(0, params.find(';'));
        size_t equals = param.find('=');
        if (equals != std::string_view::npos && iequals(trim(param.substr(0, equals)), "tag"))
            return trim(param.substr(equals + 1));
    }
    return {};
}

std::string build_uac_request(const uac_message& m) {
    std::string_view transport = via_transport(m.via_proto);
    if (!is_token(m.method) || m.ruri.empty() || trim(m.to).empty() || trim(m.from).empty() ||
        m.call_id.empty() || m.via_host.empty() || m.branch.empty() || transport.empty())
        return {};
    for (std::string_view field : {m.ruri, m.to, m.from, m.from_tag, m.call_id, m.via_host, m.branch})
        if (has_line_break(field))
            return {};
    if (m.ruri.find_first_of(" \t") != std::string_view::npos ||
        m.call_id.find_first_of(" \t") != std::string_view::npos)
        return {};
    // An empty line among the extra headers would end the header section there.
    if (m.headers.starts_with("\r\n") || m.headers.find("\r\n\r\n") != std::string_view::npos)
        return {};

    std::string from = as_name_addr(m.from);
    std::string to = as_name_addr(m.to);
    if (from.empty() || to.empty())
        return {};
    if (header_tag(from).empty()) {
        if (m.from_tag.empty())
            return {};
        from.append(";tag=").append(m.from_tag);
    }

    std::string out;
    out.reserve(320 + m.ruri.size() + from.size() + to.size() + m.headers.size() + m.body.size());
    out.append(m.method).append(" ").append(m.ruri).append(" SIP/2.0\r\n");
    out.append("Via: SIP/2.0/").append(transport).append(" ");
    bool ipv6 = m.via_host.find(':') != std::string_view::npos && m.via_host.front() != '[';
    if (ipv6)
        out.push_back('[');
    out.append(m.via_host);
    if (ipv6)
        out.push_back(']');
    if (m.via_port != 0) {
        out.push_back(':');
        append_decimal(out, m.via_port);
    }
    out.append(";branch=").append(m.branch).append("\r\n");
    out.append("Max-Forwards: ");
    append_decimal(out, m.max_forwards);
    out.append("\r\n");
    out.append("From: ").append(from).append("\r\n");
    out.append("To: ").append(to).append("\r\n");
    out.append("Call-ID: ").append(m.call_id).append("\r\n");
    out.append("CSeq: ");
    append_decimal(out, m.cseq);
    out.append(" ").append(m.method).append("\r\n");
    if (!m.headers.empty()) {
        out.append(m.headers);
        if (out.back() == '\r')
            out.push_back('\n');
        else if (out.back() != '\n' || out[out.size() - 2] != '\r')
            out.append("\r\n");
    }
    out.append("Content-Length: ");
    append_decimal(out, m.body.size());
    out.append("\r\n\r\n");
    out.append(m.body);
    return out;
}

std::string make_call_id(std::string_view prefix, uint64_t counter, std::string_view host) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(prefix);
    out.push_back('-');
    char digits[16];
    size_t n = 0;
    do {
        digits[n++] = hex[counter & 0xf];
        counter >>= 4;
    } while (counter != 0);
    while (n > 0)
        out.push_back(digits[--n]);
    if (!host.empty())
        out.append("@").append(host);
    return out;
}

} // namespace siphost::modules::tm
