#pragma once
// Kamailio's tls.cfg: sections [server:default], [client:default], [server:IP:PORT], [client:IP:PORT], each
// followed by "key = value" lines (method, certificate, private_key, ca_list, crl, verify_certificate,
// require_certificate, verify_depth, cipher_list, server_name); '#' starts a comment.

#include "tls_profile.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace siphost::tls {

class tls_config {
public:
    /// Parses text; throws std::runtime_error("tls.cfg:LINE: reason") on the first error. Sections named
    /// "default" start from the given defaults (the modparams), others from the built-in defaults.
    static std::vector<tls_profile> parse(std::string_view text, const tls_profile& server_default,
                                          const tls_profile& client_default,
                                          const std::string& name = "tls.cfg");
    /// Reads and parses a file; throws with the reason when it cannot be read.
    static std::vector<tls_profile> load(const std::string& path, const tls_profile& server_default,
                                         const tls_profile& client_default);
    /// Applies one "key = value" to a profile (modparams and tls.cfg share it); false with a reason.
    static bool apply(tls_profile& profile, std::string_view key, std::string_view value, std::string& error);
    /// True when method names one Kamailio accepts (TLSv1.2+, TLSv1.3, SSLv23, ...).
    static bool valid_method(std::string_view method);
};

} // namespace siphost::tls
