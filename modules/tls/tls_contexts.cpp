#include "tls_contexts.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <stdexcept>
#include <strings.h>

namespace siphost::tls {
namespace {

std::string openssl_errors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        text += text.empty() ? "" : "; ";
        text += line;
    }
    return text.empty() ? "unknown error" : text;
}

/// Kamailio's method names as a range of protocol versions.
void versions(const std::string& method, int& low, int& high) {
    high = 0; // the newest OpenSSL knows
    if (method == "SSLv23")
        low = 0;
    else if (method == "TLSv1" || method == "TLSv1+")
        low = TLS1_VERSION, high = method == "TLSv1" ? TLS1_VERSION : 0;
    else if (method == "TLSv1.1" || method == "TLSv1.1+")
        low = TLS1_1_VERSION, high = method == "TLSv1.1" ? TLS1_1_VERSION : 0;
    else if (method == "TLSv1.3" || method == "TLSv1.3+")
        low = TLS1_3_VERSION, high = method == "TLSv1.3" ? TLS1_3_VERSION : 0;
    else
        low = TLS1_2_VERSION, high = method == "TLSv1.2" ? TLS1_2_VERSION : 0;
}

SSL_CTX* build(const tls_profile& p) {
    auto fail = [&p](const std::string& what) -> SSL_CTX* {
        throw std::runtime_error(p.label() + ": " + what + ": " + openssl_errors());
    };
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new(p.server ? TLS_server_method() : TLS_client_method());
    if (ctx == nullptr)
        return fail("cannot create a TLS context");
    struct guard {
        SSL_CTX* ctx;
        ~guard() { SSL_CTX_free(ctx); }
    } owned{ctx};
    int low = 0, high = 0;
    versions(p.method, low, high);
    if (SSL_CTX_set_min_proto_version(ctx, low) != 1 || SSL_CTX_set_max_proto_version(ctx, high) != 1)
        return fail("method " + p.method + " is not available");
    SSL_CTX_set_options(ctx,
                        SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Whole records only: the connection's write path takes what SSL_write made in one piece.
    SSL_CTX_clear_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS); // idle connections keep no record buffers
    if (!p.certificate.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx, p.certificate.c_str()) != 1)
            return fail("cannot load the certificate " + p.certificate);
        const std::string& key = p.private_key.empty() ? p.certificate : p.private_key;
        if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
            return fail("cannot load the private key " + key);
        if (SSL_CTX_check_private_key(ctx) != 1)
            return fail("the private key " + key + " does not match the certificate " + p.certificate);
    }
    if (!p.ca_list.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, p.ca_list.c_str(), nullptr) != 1)
            return fail("cannot load the ca_list " + p.ca_list);
        if (p.server) {
            STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(p.ca_list.c_str());
            if (names != nullptr)
                SSL_CTX_set_client_CA_list(ctx, names);
        }
    }
    if (!p.crl.empty()) {
        X509_STORE* store = SSL_CTX_get_cert_store(ctx);
        X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
        if (lookup == nullptr || X509_load_crl_file(lookup, p.crl.c_str(), X509_FILETYPE_PEM) <= 0)
            return fail("cannot load the crl " + p.crl);
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    if (!p.cipher_list.empty() && SSL_CTX_set_cipher_list(ctx, p.cipher_list.c_str()) != 1)
        return fail("bad cipher_list '" + p.cipher_list + "'");
    int mode = SSL_VERIFY_NONE;
    if (p.server) {
        // A required certificate is verified too: an untrusted one fails the handshake.
        if (p.verify_certificate || p.require_certificate)
            mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
        if (p.require_certificate)
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        static const unsigned char id[] = "siphost";
        SSL_CTX_set_session_id_context(ctx, id, sizeof id - 1);
    } else if (p.verify_certificate) {
        mode = SSL_VERIFY_PEER;
    }
    SSL_CTX_set_verify(ctx, mode, nullptr);
    SSL_CTX_set_verify_depth(ctx, p.verify_depth);
    owned.ctx = nullptr;
    return ctx;
}

} // namespace

tls_contexts::tls_contexts(std::vector<tls_profile> profiles) : profiles_(std::move(profiles)) {
    try {
        for (const auto& p : profiles_)
            entries_.push_back({p, build(p)});
    } catch (...) {
        for (auto& e : entries_)
            SSL_CTX_free(e.ctx);
        throw;
    }
    // Each server context answers SNI with the server profile of that name (same address, or default).
    for (auto& e : entries_)
        if (e.profile.server)
            SSL_CTX_set_tlsext_servername_callback(e.ctx, &tls_contexts::on_server_name),
                SSL_CTX_set_tlsext_servername_arg(e.ctx, this);
}

tls_contexts::~tls_contexts() {
    for (auto& e : entries_)
        SSL_CTX_free(e.ctx);
}

int tls_contexts::on_server_name(SSL* ssl, int*, void* arg) {
    const auto* self = static_cast<const tls_contexts*>(arg);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == nullptr)
        return SSL_TLSEXT_ERR_OK;
    SSL_CTX* current = SSL_get_SSL_CTX(ssl);
    const entry* base = nullptr;
    for (const auto& e : self->entries_)
        if (e.ctx == current)
            base = &e;
    if (base == nullptr)
        return SSL_TLSEXT_ERR_OK;
    const entry* match = nullptr;
    for (const auto& e : self->entries_) {
        if (!e.profile.server || e.profile.server_name.empty() || e.profile.certificate.empty() ||
            strcasecmp(e.profile.server_name.c_str(), name) != 0)
            continue;
        bool same_address = e.profile.ip == base->profile.ip && e.profile.port == base->profile.port;
        if (same_address || (match == nullptr && e.profile.is_default()))
            match = &e;
    }
    if (match != nullptr && match->ctx != current)
        SSL_set_SSL_CTX(ssl, match->ctx);
    return SSL_TLSEXT_ERR_OK;
}

const tls_contexts::entry* tls_contexts::find(bool server, const std::string& ip, unsigned port) const {
    const entry* by_address = nullptr;
    const entry* fallback = nullptr;
    for (const auto& e : entries_) {
        if (e.profile.server != server)
            continue;
        if (e.profile.port == port && e.profile.ip == ip) {
            // A profile without server_name is the address's own; one with a name serves when it is alone.
            if (by_address == nullptr ||
                (e.profile.server_name.empty() && !by_address->profile.server_name.empty()))
                by_address = &e;
        } else if (e.profile.is_default()) {
            if (fallback == nullptr ||
                (e.profile.server_name.empty() && !fallback->profile.server_name.empty()))
                fallback = &e;
        }
    }
    return by_address != nullptr ? by_address : fallback;
}

SSL_CTX* tls_contexts::server(const std::string& ip, unsigned port, std::string& error) const {
    const entry* e = find(true, ip, port);
    if (e == nullptr) {
        error = "no [server:default] or [server:" + ip + ":" + std::to_string(port) + "] profile";
        return nullptr;
    }
    if (e->profile.certificate.empty()) {
        error = e->profile.label() + " has no certificate (modparam \"certificate\" or tls.cfg)";
        return nullptr;
    }
    return e->ctx;
}

SSL_CTX* tls_contexts::client(const std::string& ip, unsigned port, const std::string** server_name) const {
    const entry* e = find(false, ip, port);
    if (e == nullptr)
        return nullptr;
    if (server_name != nullptr)
        *server_name = &e->profile.server_name;
    return e->ctx;
}

} // namespace siphost::tls
