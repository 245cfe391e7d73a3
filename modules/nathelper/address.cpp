// Addresses: a message's source as text, IP parsing, the private ranges, and finding a Contact in the
// received bytes (edits go through msg_replace, which takes offsets into msg_raw).
#include "nathelper.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace siphost::modules::nathelper {

std::string source::host_port() const {
    std::string out = family == 6 ? "[" + ip + "]" : ip;
    return out.append(":").append(std::to_string(port));
}

std::string source::uri() const {
    std::string out = "sip:" + host_port();
    if (proto != SIPHOST_PROTO_UDP && !proto_name(proto).empty())
        out.append(";transport=").append(proto_name(proto));
    return out;
}

std::optional<source> message_source(const siphost_msg* msg) {
    const siphost_host_api* host = ctx().host;
    siphost_dest dest = sdk::sized<siphost_dest>();
    if (host->msg_source(msg, &dest) != 0)
        return std::nullopt;
    char text[INET6_ADDRSTRLEN] = "";
    int af = dest.family == 6 ? AF_INET6 : AF_INET;
    if (inet_ntop(af, dest.ip, text, sizeof text) == nullptr)
        return std::nullopt;
    source out;
    out.ip = text;
    out.port = dest.port;
    out.proto = dest.proto == SIPHOST_PROTO_NONE ? static_cast<uint8_t>(SIPHOST_PROTO_UDP) : dest.proto;
    out.family = dest.family == 6 ? 6 : 4;
    return out;
}

bool ip_address::operator==(const ip_address& other) const {
    size_t n = family == 6 ? 16 : 4;
    return family == other.family && std::memcmp(bytes, other.bytes, n) == 0;
}

std::optional<ip_address> parse_ip(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN)
        return std::nullopt;
    char buf[INET6_ADDRSTRLEN];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    ip_address out;
    if (inet_pton(AF_INET, buf, out.bytes) == 1) {
        out.family = 4;
        return out;
    }
    if (inet_pton(AF_INET6, buf, out.bytes) == 1) {
        out.family = 6;
        return out;
    }
    return std::nullopt;
}

bool is_private(std::string_view text) {
    std::optional<ip_address> ip = parse_ip(text);
    if (!ip || ip->family != 4)
        return false;
    const uint8_t* b = ip->bytes;
    if (b[0] == 10)
        return true;
    if (b[0] == 172 && (b[1] & 0xf0) == 16)
        return true;
    if (b[0] == 192 && b[1] == 168)
        return true;
    if (b[0] == 100 && (b[1] & 0xc0) == 64) // RFC 6598 shared address space (carrier-grade NAT)
        return true;
    if (b[0] == 192 && b[1] == 0 && b[2] == 0)
        return ctx().params.nat_addr_mode == 1 || b[3] < 8; // RFC 7335's /29 always, the /24 in mode 1
    return false;
}

std::string_view proto_name(uint8_t proto) {
    switch (proto) {
    case SIPHOST_PROTO_UDP:
        return "udp";
    case SIPHOST_PROTO_TCP:
        return "tcp";
    case SIPHOST_PROTO_TLS:
        return "tls";
    case SIPHOST_PROTO_SCTP:
        return "sctp";
    case SIPHOST_PROTO_WS:
        return "ws";
    case SIPHOST_PROTO_WSS:
        return "wss";
    default:
        return {};
    }
}

uint8_t proto_number(std::string_view name) {
    for (uint8_t p = SIPHOST_PROTO_UDP; p <= SIPHOST_PROTO_WSS; ++p)
        if (sdk::iequals(name, proto_name(p)))
            return p;
    return 0;
}

bool inside_raw(const siphost_msg* msg, std::string_view text) {
    std::string_view raw = sdk::view(ctx().host->msg_raw(msg));
    if (text.data() == nullptr || raw.data() == nullptr)
        return false;
    auto begin = reinterpret_cast<uintptr_t>(raw.data());
    auto at = reinterpret_cast<uintptr_t>(text.data());
    return at >= begin && at + text.size() <= begin + raw.size();
}

size_t raw_offset(const siphost_msg* msg, const char* at) {
    return static_cast<size_t>(at - ctx().host->msg_raw(msg).s);
}

std::optional<contact_ref> first_contact(const siphost_msg* msg) {
    const siphost_host_api* host = ctx().host;
    std::string_view value = sdk::header(host, msg, "Contact");
    if (value.empty() || !inside_raw(msg, value))
        return std::nullopt;
    contact_ref out;
    out.value = value;
    size_t count = 0;
    if (sdk::parse_contacts(host, value, &out.contact, 1, count) != SIPHOST_CONTACTS_LIST || count == 0)
        return std::nullopt;
    out.value_offset = raw_offset(msg, value.data());
    return out;
}

} // namespace siphost::modules::nathelper
