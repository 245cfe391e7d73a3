#pragma once
// One TLS profile: a [server:...] or [client:...] section of tls.cfg, or a default built from the modparams.

#include <string>

namespace siphost::tls {

struct tls_profile {
    bool server = true;  ///< [server:...] or [client:...]
    std::string address; ///< "default", or "IP:PORT" as written ("[::1]:5061" for IPv6)
    std::string ip;      ///< the address part, without brackets; empty for default
    unsigned port = 0;   ///< 0 for default
    std::string method = "TLSv1.2+";
    std::string certificate;
    std::string private_key;
    std::string ca_list;
    std::string crl;
    std::string cipher_list;
    std::string server_name; ///< a server's SNI name (an SNI profile), a client's name to send
    bool verify_certificate = false;
    bool require_certificate = false;
    int verify_depth = 9;
    int line = 0; ///< where its section starts in tls.cfg; 0 for a modparam default

    bool is_default() const { return port == 0; }
    /// "[server:default]", "[client:127.0.0.1:5061]": for messages.
    std::string label() const { return std::string("[") + (server ? "server:" : "client:") + address + "]"; }
};

} // namespace siphost::tls
