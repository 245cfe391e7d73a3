#pragma once
// The checks of sanity_check(): Kamailio's bits, each a test of one part of a request, and the reply Kamailio
// sends when it fails. URIs, name-addr values, Contact lists and digest credentials go through the host's
// SIP toolkit (host->sip), so that sanity and the rest of siphost agree on what parses.

#include "request_view.hpp"

#include <siphost/module.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::sanity {

/// Kamailio's check bits (sanity_check's first argument, modparam default_checks).
enum check_bit : uint32_t {
    check_ruri_sip_version = 1,
    check_ruri_scheme = 2,
    check_required_headers = 4,
    check_via_sip_version = 8, ///< a no-op, as in Kamailio
    check_via_protocol = 16,   ///< a no-op, as in Kamailio
    check_cseq_method = 32,
    check_cseq_value = 64,
    check_content_length = 128,
    check_expires_value = 256,
    check_proxy_require = 512,
    check_parse_uris = 1024,
    check_digest = 2048,
    check_duplicated_tags = 4096,
    check_authorization = 8192,
    check_via1_header = 16384,
};
constexpr uint32_t all_checks = 32767;

/// Which URIs check_parse_uris covers (sanity_check's second argument, modparam uri_checks).
enum uri_bit : uint32_t {
    uri_ruri = 1,
    uri_from = 2,
    uri_to = 4,
    uri_contact = 8,
};
constexpr uint32_t all_uris = 15;

/// The first check that failed, and the reply it calls for.
struct check_outcome {
    uint32_t failed = 0;       ///< the check_bit that failed; 0 when every check passed
    int code = 0;              ///< the reply's code; 0 when the request lacks what a reply is built from
    std::string reason;        ///< the reply's reason phrase, Kamailio's
    std::string extra_headers; ///< lines for the reply (420's Unsupported), each ending in CRLF
    std::string detail;        ///< what was wrong, for the log
};

/// The check's name as the log and the docs call it.
std::string_view check_name(uint32_t bit);

class request_checker {
public:
    /// sip: the host's toolkit; proxy_require: the extensions this proxy supports (modparam proxy_require).
    request_checker(const siphost_sip_api* sip, std::vector<std::string> proxy_require);

    /// Runs the checks whose bits are set in msg_checks, in Kamailio's order, up to the first that fails.
    check_outcome check(const request_view& request, uint32_t msg_checks, uint32_t uri_checks) const;

    /// Splits modparam proxy_require ("foo, bar") into its extensions.
    static std::vector<std::string> split_extensions(std::string_view list);

private:
    bool ruri_sip_version(const request_view& r, check_outcome& out) const;
    bool ruri_scheme(const request_view& r, check_outcome& out) const;
    bool required_headers(const request_view& r, check_outcome& out) const;
    bool via1_header(const request_view& r, check_outcome& out) const;
    bool cseq_method(const request_view& r, check_outcome& out) const;
    bool cseq_value(const request_view& r, check_outcome& out) const;
    bool content_length(const request_view& r, check_outcome& out) const;
    bool expires_value(const request_view& r, check_outcome& out) const;
    bool proxy_require(const request_view& r, check_outcome& out) const;
    bool parse_uris(const request_view& r, uint32_t uri_checks, check_outcome& out) const;
    bool credentials(const request_view& r, check_outcome& out) const;
    bool duplicated_tags(const request_view& r, check_outcome& out) const;

    /// True when text is a URI of a scheme Kamailio parses (sip, sips, tel, tels, urn) and it is well formed.
    bool known_uri(std::string_view text) const;

    const siphost_sip_api* sip_;
    std::vector<std::string> proxy_require_;
};

} // namespace siphost::modules::sanity
