#pragma once
// The auth module's parameters, as Kamailio names them, read once before init.

#include "digest.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace siphost::modules::auth {

struct auth_settings {
    std::string secret;          ///< empty: random at start
    uint32_t nonce_expire = 300; ///< seconds
    uint32_t max_drift = 3;      ///< nonce_auth_max_drift, seconds
    bool nonce_count = false;
    bool one_time_nonce = false;
    unsigned tracker_order = 20; ///< nc_array_order / otn_in_flight_order: 2^order nonces tracked
    std::string qop;             ///< "", "auth" or "auth-int": the challenge's qop when its flags set none
    std::string realm_prefix;    ///< stripped from a realm taken from the From/To host
    std::vector<digest_algorithm> algorithms{digest_algorithm::md5}; ///< offered, in this order
    bool algorithm_named = false; ///< the algorithm parameter was given: challenges name it
    bool force_stateless_reply = false;
    /// add_authinfo_hdr: an Authentication-Info header (RFC 2617 3.2.3) goes into the replies to a request
    /// whose credentials were accepted.
    bool add_authinfo_hdr = false;
    bool use_domain = false; ///< pv_auth_check compares the URI host with the realm too
    /// auth_checks_register, auth_checks_no_dlg, auth_checks_in_dlg: the request parts a nonce is bound to
    /// (1 Request-URI, 2 Call-ID, 4 From tag, 8 source address), checked when the response has no nc.
    uint8_t checks_register = 0;
    uint8_t checks_no_dlg = 0;
    uint8_t checks_in_dlg = 0;
};

} // namespace siphost::modules::auth
