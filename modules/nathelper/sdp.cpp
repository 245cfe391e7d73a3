// The SDP side: the connection addresses nat_uac_test looks at (flags 8 and 256), and fix_nated_sdp(flags
// [, ip]), which points the media at the address the message came from (or the one given) and marks the body.
//
// SDP (RFC 4566) is line-based: "c=IN IP4 192.0.2.1[/ttl]", "o=user id version IN IP4 192.0.2.1",
// "a=rtcp:port IN IP4 192.0.2.1". Changes are recorded with msg_replace on the body's bytes; the host then
// writes a Content-Length that matches the changed body.
#include "nathelper.hpp"

#include <cstring>
#include <functional>

namespace siphost::modules::nathelper {
namespace {

const siphost_host_api* host() {
    return ctx().host;
}

/// fix_nated_sdp's flags (Kamailio's values).
enum sdp_flag : int64_t {
    sdp_add_direction = 0x01,
    sdp_rewrite_media = 0x02,
    sdp_add_nortpproxy = 0x04,
    sdp_rewrite_origin = 0x08,
};
constexpr int64_t all_sdp_flags = 0x0f;

/// One line of the body: its text without the line end, and where the next line starts.
struct sdp_line {
    std::string_view text;
    const char* next = nullptr;
};

/// The SDP body of msg (a view into msg_raw), or nullopt when it has none. A body without a Content-Type is
/// taken as SDP, as Kamailio does.
std::optional<std::string_view> sdp_body(const siphost_msg* msg) {
    std::string_view body = sdk::view(host()->msg_body(msg));
    if (body.empty())
        return std::nullopt;
    bool found = false;
    std::string_view type = sdk::trim(sdk::header(host(), msg, "Content-Type", 0, &found));
    std::string_view sdp = "application/sdp";
    if (found && (type.size() < sdp.size() || !sdk::iequals(type.substr(0, sdp.size()), sdp)))
        return std::nullopt;
    return body;
}

void for_each_line(std::string_view body, const std::function<void(const sdp_line&)>& fn) {
    const char* at = body.data();
    const char* end = body.data() + body.size();
    while (at < end) {
        const char* nl = static_cast<const char*>(std::memchr(at, '\n', static_cast<size_t>(end - at)));
        const char* line_end = nl == nullptr ? end : nl;
        const char* next = nl == nullptr ? end : nl + 1;
        if (line_end > at && line_end[-1] == '\r')
            --line_end;
        fn(sdp_line{std::string_view(at, static_cast<size_t>(line_end - at)), next});
        at = next;
    }
}

/// In "... IN IP4 addr[/ttl] ...", the range "IP4 addr" (address type and address) and the address alone,
/// found after the network type "IN"; false when the line does not have that shape.
bool address_part(std::string_view line, std::string_view& typed, std::string_view& address) {
    size_t in = line.find(" IN ");
    if (in == std::string_view::npos && line.substr(2, 3) == "IN ")
        in = 1; // "c=IN IP4 ...": the network type comes first
    if (in == std::string_view::npos)
        return false;
    size_t type_at = in + 4;
    size_t space = line.find(' ', type_at);
    if (space == std::string_view::npos)
        return false;
    std::string_view type = line.substr(type_at, space - type_at);
    if (type != "IP4" && type != "IP6")
        return false;
    size_t addr_at = space + 1;
    size_t addr_end = line.find_first_of(" /", addr_at);
    if (addr_end == std::string_view::npos)
        addr_end = line.size();
    if (addr_end == addr_at)
        return false;
    address = line.substr(addr_at, addr_end - addr_at);
    typed = line.substr(type_at, addr_end - type_at);
    return true;
}

bool is_null_address(std::string_view address) {
    std::optional<ip_address> ip = parse_ip(address);
    if (!ip)
        return false;
    for (size_t i = 0; i < (ip->family == 6 ? 16u : 4u); ++i)
        if (ip->bytes[i] != 0)
            return false;
    return true; // 0.0.0.0 or ::: a call on hold, left alone
}

bool record(siphost_msg* msg, const char* at, size_t len, std::string_view text) {
    return host()->msg_replace(msg, raw_offset(msg, at), len, sdk::str(text)) == 0;
}

int fix_nated_sdp(siphost_msg* msg, int64_t flags, std::optional<std::string_view> given_ip) {
    if (flags <= 0 || flags > all_sdp_flags) {
        log(SIPHOST_LOG_ERR, "fix_nated_sdp(): the flags must be a number from 1 to 15");
        return -1;
    }
    std::optional<std::string_view> body = sdp_body(msg);
    if (!body || !inside_raw(msg, *body)) {
        log(SIPHOST_LOG_ERR, "fix_nated_sdp(): the message has no SDP body");
        return -1;
    }
    std::string ip;
    if (given_ip && !given_ip->empty()) {
        ip.assign(*given_ip);
    } else {
        std::optional<source> src = message_source(msg);
        if (!src)
            return -1;
        ip = src->ip;
    }
    std::optional<ip_address> new_ip = parse_ip(ip);
    if (!new_ip) {
        log(SIPHOST_LOG_ERR, "fix_nated_sdp(): '" + ip + "' is not an IP address");
        return -1;
    }
    if (ip.front() == '[')
        ip = ip.substr(1, ip.size() - 2);
    std::string typed_new = (new_ip->family == 6 ? "IP6 " : "IP4 ") + ip;
    const settings& p = ctx().params;
    const char* body_end = body->data() + body->size();
    bool ends_with_newline = body->back() == '\n';
    bool ok = true;
    int replaced = 0, media_lines = 0, origin_lines = 0, m_lines = 0;
    std::string tail; // lines added at the end of the body, in Kamailio's order
    std::string old_media;

    auto rewrite = [&](std::string_view typed, std::string_view address, bool keep_old) {
        std::optional<ip_address> old_ip = parse_ip(address);
        if (is_null_address(address) || (old_ip && *old_ip == *new_ip))
            return;
        ok = ok && record(msg, typed.data(), typed.size(), typed_new);
        ++replaced;
        if (keep_old && p.append_sdp_oldmediaip != 0)
            old_media.append(old_ip && old_ip->family == 6 ? "a=oldmediaip6:" : "a=oldmediaip:")
                .append(address)
                .append("\r\n");
    };

    // a=direction:active closes each media section: before each m= line after the first, and at the end.
    const std::string direction = "a=direction:active\r\n";
    for_each_line(*body, [&](const sdp_line& line) {
        std::string_view typed, address;
        std::string_view t = line.text;
        if (t.substr(0, 2) == "m=" && m_lines++ > 0 && (flags & sdp_add_direction) != 0)
            ok = ok && record(msg, t.data(), 0, direction);
        if ((flags & sdp_rewrite_media) != 0 && t.substr(0, 2) == "c=" && address_part(t, typed, address)) {
            ++media_lines;
            rewrite(typed, address, true);
        } else if ((flags & sdp_rewrite_media) != 0 && t.substr(0, 7) == "a=rtcp:" &&
                   address_part(t, typed, address)) {
            rewrite(typed, address, false);
        } else if ((flags & sdp_rewrite_origin) != 0 && t.substr(0, 2) == "o=" &&
                   address_part(t, typed, address)) {
            ++origin_lines;
            rewrite(typed, address, false);
        }
    });
    if (((flags & sdp_rewrite_media) != 0 && media_lines == 0) ||
        ((flags & sdp_rewrite_origin) != 0 && origin_lines == 0)) {
        log(SIPHOST_LOG_ERR, "fix_nated_sdp(): the SDP has no address to replace (c= or o= line)");
        return -1;
    }

    if ((flags & sdp_add_direction) != 0 && m_lines > 0)
        tail.append(direction);
    std::string_view marker = p.nortpproxy_str != nullptr ? p.nortpproxy_str : "";
    if ((flags & sdp_add_nortpproxy) != 0 && !marker.empty()) {
        tail.append(marker);
        if (marker.back() != '\n')
            tail.append("\r\n");
    }
    tail.append(old_media);
    if (!tail.empty())
        ok = ok && record(msg, body_end, 0, (ends_with_newline ? "" : "\r\n") + tail);
    if (!ok)
        return -1;
    return replaced > 0 ? 1 : 2;
}

} // namespace

std::optional<std::vector<std::string>> sdp_connection_addresses(const siphost_msg* msg) {
    std::optional<std::string_view> body = sdp_body(msg);
    if (!body)
        return std::nullopt;
    std::vector<std::string> out;
    for_each_line(*body, [&](const sdp_line& line) {
        std::string_view typed, address;
        if (line.text.substr(0, 2) == "c=" && address_part(line.text, typed, address))
            out.emplace_back(address);
    });
    return out;
}

int cmd_fix_nated_sdp1(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t flags = 0;
    return sdk::arg_int(args[0], flags) ? fix_nated_sdp(msg, flags, std::nullopt) : -1;
}

int cmd_fix_nated_sdp2(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t flags = 0;
    return sdk::arg_int(args[0], flags) ? fix_nated_sdp(msg, flags, sdk::trim(sdk::arg_view(args[1]))) : -1;
}

} // namespace siphost::modules::nathelper
