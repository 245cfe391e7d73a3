// nat_uac_test(flags) and is_rfc1918(ip): guesses whether the sender is behind a NAT, each flag one test,
// true when any test of the flags says so (Kamailio's heuristics and flag values).
#include "nathelper.hpp"

namespace siphost::modules::nathelper {
namespace {

constexpr uint16_t default_port = 5060;

/// The top Via's sent-by; false when the message has none.
bool top_via(const siphost_msg* msg, std::string_view& host, uint16_t& port) {
    siphost_str h{nullptr, 0};
    if (ctx().host->msg_via_sent_by(msg, 0, &h, &port) != 0)
        return false;
    host = sdk::view(h);
    return true;
}

bool contact_private(const siphost_msg* msg) {
    std::optional<contact_ref> c = first_contact(msg);
    siphost_uri uri;
    return c && sdk::parse_uri(ctx().host, sdk::view(c->contact.uri), uri) && is_private(sdk::view(uri.host));
}

/// The Via's host is not the address the message came from (a name counts as different: no DNS here).
bool received_differs(const siphost_msg* msg, const source& src) {
    std::string_view host;
    uint16_t port = 0;
    if (!top_via(msg, host, port))
        return false;
    std::optional<ip_address> via = parse_ip(host);
    return !via || !(*via == *parse_ip(src.ip));
}

bool via_private(const siphost_msg* msg) {
    std::string_view host;
    uint16_t port = 0;
    return top_via(msg, host, port) && is_private(host);
}

bool via_port_differs(const siphost_msg* msg, const source& src) {
    std::string_view host;
    uint16_t port = 0;
    if (!top_via(msg, host, port))
        return false;
    return (port != 0 ? port : default_port) != src.port;
}

bool contact_port_differs(const siphost_msg* msg, const source& src) {
    std::optional<contact_ref> c = first_contact(msg);
    siphost_uri uri;
    if (!c || !sdk::parse_uri(ctx().host, sdk::view(c->contact.uri), uri) || uri.host.len == 0)
        return false;
    return (uri.port != 0 ? uri.port : default_port) != src.port;
}

bool sdp_private(const siphost_msg* msg) {
    std::optional<std::vector<std::string>> addresses = sdp_connection_addresses(msg);
    if (!addresses)
        return false;
    for (const std::string& a : *addresses)
        if (is_private(a))
            return true;
    return false;
}

bool sdp_differs_from_source(const siphost_msg* msg, const source& src) {
    std::optional<std::vector<std::string>> addresses = sdp_connection_addresses(msg);
    if (!addresses)
        return false;
    std::optional<ip_address> from = parse_ip(src.ip);
    for (const std::string& a : *addresses) {
        std::optional<ip_address> ip = parse_ip(a);
        if (!ip || !(*ip == *from))
            return true;
    }
    return false;
}

} // namespace

int cmd_nat_uac_test(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t flags = 0;
    if (!sdk::arg_int(args[0], flags) || flags <= 0 || flags > all_uac_tests) {
        log(SIPHOST_LOG_ERR, "nat_uac_test(): the flags must be a number from 1 to 511");
        return -1;
    }
    std::optional<source> src = message_source(msg);
    if (!src || !parse_ip(src->ip))
        return -1; // a message the host made has no sender to test
    auto wants = [&](uac_test t) { return (static_cast<uint32_t>(flags) & t) != 0; };
    if (wants(test_contact_private) && contact_private(msg))
        return 1;
    if (wants(test_received) && received_differs(msg, *src))
        return 1;
    if (wants(test_via_private) && via_private(msg))
        return 1;
    if (wants(test_sdp_private) && sdp_private(msg))
        return 1;
    if (wants(test_via_port) && via_port_differs(msg, *src))
        return 1;
    if (wants(test_source_private) && is_private(src->ip))
        return 1;
    if (wants(test_websocket) && (src->proto == SIPHOST_PROTO_WS || src->proto == SIPHOST_PROTO_WSS))
        return 1;
    if (wants(test_contact_port) && contact_port_differs(msg, *src))
        return 1;
    if (wants(test_sdp_source) && sdp_differs_from_source(msg, *src))
        return 1;
    return -1;
}

int cmd_is_rfc1918(siphost_msg*, const siphost_value* args, void*) {
    std::string_view address = sdk::trim(sdk::arg_view(args[0]));
    if (address.empty())
        return -2;
    return is_private(address) ? 1 : -1;
}

} // namespace siphost::modules::nathelper
