#pragma once
// The OpenSSL contexts of every profile, built once at init, and the choice of one for an address: the
// profile of that IP:PORT, else the default. A server profile with a server_name is chosen by the SNI the
// client sends (the servername callback of the address's context switches the connection to it).

#include "tls_profile.hpp"

#include <memory>
#include <string>
#include <vector>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace siphost::tls {

class tls_contexts {
public:
    /// Builds a context per profile; throws std::runtime_error naming the profile and the file or setting
    /// OpenSSL refused. A server profile without a certificate is kept, and refused when it is asked for.
    explicit tls_contexts(std::vector<tls_profile> profiles);
    ~tls_contexts();
    tls_contexts(const tls_contexts&) = delete;
    tls_contexts& operator=(const tls_contexts&) = delete;

    /// The server context for a listen address; null (with the reason in error) when none fits.
    SSL_CTX* server(const std::string& ip, unsigned port, std::string& error) const;
    /// The client context for a peer, and its server_name (SNI to send).
    SSL_CTX* client(const std::string& ip, unsigned port, const std::string** server_name) const;

    const std::vector<tls_profile>& profiles() const { return profiles_; }

private:
    struct entry {
        tls_profile profile;
        SSL_CTX* ctx = nullptr;
    };
    static int on_server_name(SSL* ssl, int* alert, void* arg);
    const entry* find(bool server, const std::string& ip, unsigned port) const;

    std::vector<tls_profile> profiles_;
    std::vector<entry> entries_;
};

} // namespace siphost::tls
