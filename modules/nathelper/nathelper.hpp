#pragma once
// What nathelper's parts share: the host, the parameters, the source of a message as text, and the
// private-address tests (Kamailio's RFC 1918 / RFC 6598 checks).

#include <siphost/module.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::nathelper {

/// The module parameters (Kamailio's names and defaults).
struct settings {
    int32_t natping_interval = 0;  ///< seconds between NAT pings; 0: none
    int32_t ping_nated_only = 0;   ///< ping only contacts with usrloc's nat_bflag
    int32_t natping_processes = 1; ///< accepted; siphost pings from its slow timer thread
    int32_t sipping_bflag = -1;    ///< contacts pinged with a SIP request instead of CRLFCRLF
    int32_t natping_disable_bflag = -1;
    int32_t keepalive_timeout = 0; ///< seconds without a reply to a SIP ping before the contact is removed
    int32_t udpping_from_path = 0; ///< raw-socket pings from the Path address (not supported)
    int32_t append_sdp_oldmediaip = 1;
    int32_t filter_server_id = 0; ///< siphost has one server: accepted
    int32_t nat_addr_mode = 1;    ///< 1: 192.0.0.0/24 counts as private too
    const char* force_socket = nullptr;
    const char* natping_socket = nullptr;
    const char* received_avp = nullptr;
    const char* sipping_from = nullptr;
    const char* sipping_method = "OPTIONS";
    const char* nortpproxy_str = "a=nortpproxy:yes\r\n";
    const char* alias_name = "alias";
};

struct context {
    const siphost_host_api* host = nullptr;
    siphost_module_handle* self = nullptr;
    siphost_pv_spec* received_pv = nullptr; ///< received_avp parsed, or NULL
    settings params;
};

context& ctx();

void log(int level, std::string_view text);

/// Where a message came from, as text for URIs and comparisons.
struct source {
    std::string ip; ///< without brackets
    uint16_t port = 0;
    uint8_t proto = SIPHOST_PROTO_UDP;
    uint8_t family = 4;
    /// "ip:port", with brackets around an IPv6 address.
    std::string host_port() const;
    /// "sip:ip:port" plus ";transport=x" unless UDP: what fix_nated_register and add_rcv_param store.
    std::string uri() const;
};

std::optional<source> message_source(const siphost_msg* msg);

/// An IP address in network byte order (IPv4 uses the first 4 bytes).
struct ip_address {
    uint8_t family = 0;
    uint8_t bytes[16] = {};
    bool operator==(const ip_address& other) const;
};

/// Parses an IPv4 or IPv6 address (an IPv6 one may come in brackets); nullopt for a host name.
std::optional<ip_address> parse_ip(std::string_view text);

/// True for an IPv4 address of a private or shared range (10/8, 172.16/12, 192.168/16, 100.64/10,
/// 192.0.0.0/29, and 192.0.0.0/24 with nat_addr_mode 1). IPv6 addresses and names are not.
bool is_private(std::string_view text);

/// The lower-case transport name of a protocol number ("udp", "tcp", ...), empty for an unknown one.
std::string_view proto_name(uint8_t proto);
/// The protocol number of a transport name (any case), 0 when unknown.
uint8_t proto_number(std::string_view name);

/// The first Contact value of a message with its first contact parsed; value points into msg_raw.
struct contact_ref {
    std::string_view value;
    siphost_contact contact;
    size_t value_offset = 0; ///< offset of value in msg_raw
};
std::optional<contact_ref> first_contact(const siphost_msg* msg);
/// The offset in msg_raw of a view into one of msg's header values (the caller checked it lies there).
size_t raw_offset(const siphost_msg* msg, const char* at);
/// True when text points inside msg_raw.
bool inside_raw(const siphost_msg* msg, std::string_view text);

// ---- commands (their files) ----

int cmd_nat_uac_test(siphost_msg* msg, const siphost_value* args, void*);
int cmd_is_rfc1918(siphost_msg* msg, const siphost_value* args, void*);
int cmd_fix_nated_contact(siphost_msg* msg, const siphost_value*, void*);
int cmd_fix_nated_register(siphost_msg* msg, const siphost_value*, void*);
int cmd_add_rcv_param0(siphost_msg* msg, const siphost_value*, void*);
int cmd_add_rcv_param1(siphost_msg* msg, const siphost_value* args, void*);
int cmd_set_contact_alias0(siphost_msg* msg, const siphost_value*, void*);
int cmd_set_contact_alias1(siphost_msg* msg, const siphost_value* args, void*);
int cmd_add_contact_alias0(siphost_msg* msg, const siphost_value*, void*);
int cmd_add_contact_alias3(siphost_msg* msg, const siphost_value* args, void*);
int cmd_handle_ruri_alias(siphost_msg* msg, const siphost_value*, void*);
int cmd_set_alias_to_pv(siphost_msg* msg, const siphost_value* args, void* call_data);
int cmd_fix_nated_sdp1(siphost_msg* msg, const siphost_value* args, void*);
int cmd_fix_nated_sdp2(siphost_msg* msg, const siphost_value* args, void*);

/// nat_uac_test's flags (Kamailio's values).
enum uac_test : uint32_t {
    test_contact_private = 1,
    test_received = 2,
    test_via_private = 4,
    test_sdp_private = 8,
    test_via_port = 16,
    test_source_private = 32,
    test_websocket = 64,
    test_contact_port = 128,
    test_sdp_source = 256,
};
constexpr uint32_t all_uac_tests = 511;

// ---- SDP (sdp.cpp) ----

/// The addresses of the c= lines of msg's SDP body; nullopt when msg has no SDP body.
std::optional<std::vector<std::string>> sdp_connection_addresses(const siphost_msg* msg);

} // namespace siphost::modules::nathelper
