#pragma once
// OpenSSL contexts for the net tests: a server with a fresh self-signed certificate, a client that trusts
// nothing or verifies nothing.

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace siphost::net::testing {

struct ctx_deleter {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using ctx_ptr = std::unique_ptr<SSL_CTX, ctx_deleter>;

/// A server context with a fresh self-signed certificate (CN=siphost.test), TLS 1.2 and up.
inline ctx_ptr server_context() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("siphost.test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    ctx_ptr ctx(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_use_certificate(ctx.get(), cert);
    SSL_CTX_use_PrivateKey(ctx.get(), key);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}

/// A client context: verify asks for a trusted peer certificate (and trusts no CA).
inline ctx_ptr client_context(bool verify) {
    ctx_ptr ctx(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx.get(), verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    return ctx;
}

} // namespace siphost::net::testing
