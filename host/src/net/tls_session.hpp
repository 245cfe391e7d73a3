#pragma once
// The TLS layer of one connection: an OpenSSL SSL object over memory BIOs. The connection reads ciphertext
// from its socket into it and writes what it produces, so that TLS and plain TCP share one socket type and
// one write path, and a plain connection carries nothing of TLS but an empty pointer.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace siphost::net {

class tls_session {
public:
    enum class step { done, more, failed };

    /// A server (accepted) or client (opened) session on ctx; server_name is sent as SNI by a client (may
    /// be empty). Null with the reason in error when OpenSSL refuses.
    static std::unique_ptr<tls_session> make(SSL_CTX* ctx, bool server, const std::string& server_name,
                                             std::string& error);
    ~tls_session();
    tls_session(const tls_session&) = delete;
    tls_session& operator=(const tls_session&) = delete;

    /// Takes ciphertext read from the socket. False when OpenSSL cannot buffer it.
    bool feed(const char* data, size_t size);
    /// Moves the handshake on with what was fed.
    step handshake();
    /// Decrypts what was fed, calling sink for each piece of plaintext. done: all read; more: nothing
    /// more yet; failed: a TLS error or the peer's close_notify (see error_text()).
    template <class Sink> step read(Sink&& sink) {
        char plain[4096];
        for (;;) {
            int n = read_some(plain, sizeof plain);
            if (n > 0) {
                sink(std::string_view(plain, static_cast<size_t>(n)));
                continue;
            }
            return n == 0 ? step::more : step::failed;
        }
    }
    /// Encrypts plaintext (after the handshake). False on a TLS error.
    bool write(std::string_view plain);
    /// The ciphertext produced so far (handshake records, encrypted writes), to write to the socket.
    std::string take_output();

    bool established() const { return established_; }
    /// Why the last step failed, OpenSSL's words.
    const std::string& error_text() const { return error_; }

    /// Plaintext sent before the handshake finished waits here.
    std::vector<std::string>& pending() { return pending_; }
    size_t pending_bytes = 0;

    /// The SSL object for readers outside the connection's strand ($tls_* variables); lock mutex() first.
    SSL* ssl() const { return ssl_; }
    std::mutex& mutex() { return mutex_; }

private:
    explicit tls_session(SSL* ssl) : ssl_(ssl) {}
    /// >0: bytes read; 0: wants more input; <0: failed.
    int read_some(char* out, size_t cap);
    void set_error(int ret, const char* what);

    SSL* ssl_;
    std::mutex mutex_; ///< held by the strand while it drives ssl_, and by readers of ssl_
    bool established_ = false;
    std::string error_;
    std::vector<std::string> pending_;
};

} // namespace siphost::net
