#pragma once
// What the registrar's commands share: the host, the sl and usrloc APIs, the parameters and the statistics.

#include <siphost/api/sl.h>
#include <siphost/api/usrloc.h>
#include <siphost/module.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::modules::registrar {

/// save()'s flags (Kamailio's values).
enum save_flags : uint32_t {
    save_memory_only = 0x01, ///< no database operation (usrloc decides; kept for compatibility)
    save_no_reply = 0x02,    ///< do not reply
    save_replace = 0x04,     ///< one contact per AOR: remove the others
    save_no_range = 0x08,    ///< no expires range (siphost has no range, so nothing to skip)
    save_prepare_reply = 0x10,
};

/// The module parameters (Kamailio's names and defaults).
struct settings {
    int32_t default_expires = 3600;
    int32_t min_expires = 60;
    int32_t min_expires_mode = 0;
    int32_t max_expires = 0;
    int32_t default_q = -1;
    int32_t append_branches = 1;
    int32_t case_sensitive = 1;
    int32_t max_contacts = 0;
    int32_t retry_after = 0;
    int32_t method_filtering = 0;
    int32_t use_path = 0;
    int32_t path_mode = 2;
    int32_t contact_max_size = 512;
    int32_t gruu_enabled = 0; ///< siphost's registrar makes no GRUUs (RFC 5627): only 0 is accepted
    const char* received_avp = nullptr;
    const char* received_param = nullptr;
    const char* xavp_cfg =
        nullptr; ///< name of the xavp holding per-request settings ($xavp(reg=>max_contacts))
    const char* xavp_rcd = nullptr; ///< name of the xavp that gets the used record's details
    int32_t xavp_rcd_mask =
        0;                  ///< xavp_rcd fields left out: 1 ruid, 2 contact, 4 expires, 8 received, 16 path
    int32_t sock_flag = -1; ///< message flag: save() stores $xavp(<xavp_cfg>=>socket)'s socket
    const char* sock_hdr_name = nullptr; ///< with sock_flag: the header naming the socket
    int32_t lookup_filter_mode =
        0; ///< 1: lookup() keeps contacts with a branch flag of =>rlf_bflags; 2: open connections
};

struct context {
    const siphost_host_api* host = nullptr;
    siphost_module_handle* self = nullptr;
    const siphost_sl_api_v1* sl = nullptr;
    const siphost_usrloc_api_v1* ul = nullptr;
    siphost_pv_spec* received_pv = nullptr; ///< received_avp parsed, or NULL
    siphost_metric* accepted = nullptr;
    siphost_metric* rejected = nullptr;
    settings params;
};

context& ctx();

void log(int level, std::string_view text);

/// The AOR of a URI as usrloc keys it: the user (unescaped, lower-cased unless case_sensitive) and, with
/// usrloc's use_domain, "@" and the host in lower case. False when the URI is not a SIP URI or the user
/// cannot be unescaped.
bool extract_aor(std::string_view uri, std::string& aor, bool& no_user);

/// save(domain[, flags[, uri]]); see save.cpp.
int save(siphost_msg* msg, siphost_udomain* domain, uint32_t flags, std::string_view uri);
/// lookup(domain[, uri]) and lookup_branches(domain); see lookup.cpp.
int lookup(siphost_msg* msg, siphost_udomain* domain, std::string_view uri);
int lookup_branches(siphost_msg* msg, siphost_udomain* domain);
/// registered(domain[, uri[, match_option[, match_action]]]); see lookup.cpp.
int registered(siphost_msg* msg, siphost_udomain* domain, std::string_view uri, uint32_t match_option,
               uint32_t match_action);
int unregister(siphost_msg* msg, siphost_udomain* domain, std::string_view uri, std::string_view ruid);

/// xavp_cfg's fields (see xavp.cpp).
enum cfg_field {
    cfg_max_contacts,
    cfg_expires,
    cfg_q,
    cfg_match_callid,
    cfg_match_received,
    cfg_match_contact,
    cfg_rlf_bflags,
    cfg_socket,
    cfg_field_count
};

/// Parses the $xavp specs of xavp_cfg and xavp_rcd (once; pv_parse works from the fixups on). Throws
/// sdk::config_error.
void prepare_xavps();
void free_xavps();
/// A field of $xavp(<xavp_cfg>) on msg: nullopt when xavp_cfg is not set or the field not there.
std::optional<int64_t> cfg_int(siphost_msg* msg, cfg_field field);
std::optional<std::string> cfg_string(siphost_msg* msg, cfg_field field);

/// What xavp_rcd records of a location record.
struct record_details {
    std::string_view ruid;
    std::string_view contact;
    int64_t expires = 0; ///< seconds left (0: permanent)
    std::string_view received;
    std::string_view path;
};
bool xavp_rcd_enabled();
void store_rcd(siphost_msg* msg, const record_details& r);

/// The usrloc bit (SIPHOST_METHOD_*) of a method name, 0 for any other method. Allow tokens are matched
/// ignoring case, as Kamailio reads them; a request's own method exactly (methods are case-sensitive).
uint32_t method_bit(std::string_view name, bool ignore_case);

} // namespace siphost::modules::registrar
