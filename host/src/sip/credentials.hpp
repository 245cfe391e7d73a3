#pragma once
// Digest credentials of an Authorization or Proxy-Authorization value (RFC 7616 3.4, RFC 3261 22.4). Zero
// copy: quoted values are given without their quotes, escapes as written.

#include <string_view>

namespace siphost::sip {

struct digest_credentials {
    std::string_view scheme;
    std::string_view username, realm, nonce, uri, response, algorithm, cnonce, opaque, qop, nc;
};

/// Parses `Digest name=value, ...`. False for another scheme, a syntax error or a directive given twice.
/// Unknown directives are skipped.
bool parse_digest_credentials(std::string_view value, digest_credentials& out);

} // namespace siphost::sip
