#include "net/tls_session.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace siphost::net {
namespace {

std::string openssl_errors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        if (!text.empty())
            text += "; ";
        text += line;
    }
    return text;
}

} // namespace

std::unique_ptr<tls_session> tls_session::make(SSL_CTX* ctx, bool server, const std::string& server_name,
                                               std::string& error) {
    ERR_clear_error();
    SSL* ssl = ctx != nullptr ? SSL_new(ctx) : nullptr;
    if (ssl == nullptr) {
        error = ctx == nullptr ? "no TLS context" : "SSL_new failed: " + openssl_errors();
        return nullptr;
    }
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    if (in == nullptr || out == nullptr) {
        BIO_free(in);
        BIO_free(out);
        SSL_free(ssl);
        error = "out of memory for TLS buffers";
        return nullptr;
    }
    // A memory BIO that runs dry says "retry", which SSL turns into WANT_READ.
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl, in, out);
    if (server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
        if (!server_name.empty())
            SSL_set_tlsext_host_name(ssl, server_name.c_str());
    }
    return std::unique_ptr<tls_session>(new tls_session(ssl));
}

tls_session::~tls_session() {
    SSL_free(ssl_);
}

bool tls_session::feed(const char* data, size_t size) {
    std::lock_guard lock(mutex_);
    return BIO_write(SSL_get_rbio(ssl_), data, static_cast<int>(size)) == static_cast<int>(size);
}

void tls_session::set_error(int ret, const char* what) {
    int code = SSL_get_error(ssl_, ret);
    std::string detail = openssl_errors();
    if (code == SSL_ERROR_ZERO_RETURN)
        error_ = "closed by the peer (close_notify)";
    else if (!detail.empty())
        error_ = std::string(what) + ": " + detail;
    else
        error_ = std::string(what) + " failed (SSL error " + std::to_string(code) + ")";
    if (code == SSL_ERROR_SSL) {
        long verify = SSL_get_verify_result(ssl_);
        if (verify != X509_V_OK)
            error_ += " (certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
    }
}

tls_session::step tls_session::handshake() {
    std::lock_guard lock(mutex_);
    if (established_)
        return step::done;
    if (!error_.empty())
        return step::failed; // a failed handshake stays failed, with its first reason
    ERR_clear_error();
    int ret = SSL_do_handshake(ssl_);
    if (ret == 1) {
        established_ = true;
        return step::done;
    }
    int code = SSL_get_error(ssl_, ret);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
        return step::more;
    set_error(ret, "TLS handshake");
    return step::failed;
}

int tls_session::read_some(char* out, size_t cap) {
    std::lock_guard lock(mutex_);
    ERR_clear_error();
    int ret = SSL_read(ssl_, out, static_cast<int>(cap));
    if (ret > 0)
        return ret;
    int code = SSL_get_error(ssl_, ret);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
        return 0;
    set_error(ret, "TLS read");
    return -1;
}

bool tls_session::write(std::string_view plain) {
    std::lock_guard lock(mutex_);
    ERR_clear_error();
    // Memory BIOs take everything: one call writes it all (SSL_MODE_ENABLE_PARTIAL_WRITE is off).
    if (plain.empty())
        return true;
    int ret = SSL_write(ssl_, plain.data(), static_cast<int>(plain.size()));
    if (ret > 0)
        return true;
    set_error(ret, "TLS write");
    return false;
}

std::string tls_session::take_output() {
    std::lock_guard lock(mutex_);
    BIO* out = SSL_get_wbio(ssl_);
    std::string bytes;
    size_t pending = BIO_ctrl_pending(out);
    if (pending == 0)
        return bytes;
    bytes.resize(pending);
    int n = BIO_read(out, bytes.data(), static_cast<int>(pending));
    bytes.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return bytes;
}

} // namespace siphost::net
