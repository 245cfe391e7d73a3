#pragma once
// Cuts a TCP byte stream into SIP messages (RFC 3261 18.3): a message ends Content-Length bytes after the
// blank line that ends its headers. Between messages a CRLFCRLF is a keepalive ping (RFC 5626 3.5.1, answered
// with CRLF) and a lone CRLF a pong. It knows nothing of sockets, so that it can be tested byte by byte.

#include <cstddef>
#include <string>
#include <string_view>

namespace siphost::net {

class tcp_framer {
public:
    struct limits {
        size_t max_header_bytes = 65535;  ///< headers without their end: refused beyond this
        size_t max_message_bytes = 65535; ///< headers and body (what the message path can carry)
        bool accept_no_cl = false;        ///< tcp_accept_no_cl: a message without Content-Length has no body
    };

    enum class kind {
        need_more, ///< no complete message yet: feed more bytes
        message,   ///< bytes() is one whole message
        ping,      ///< a CRLFCRLF keepalive: answer CRLF
        error      ///< the stream cannot be framed (error_text()): close the connection
    };

    explicit tcp_framer(limits limits) : limits_(limits) {}
    tcp_framer() : tcp_framer(limits{}) {}

    /// Appends received bytes (the view next() returned last becomes invalid).
    void feed(std::string_view bytes);
    /// The next unit in the stream; a message's bytes stay valid until the next feed() or next() call.
    kind next();

    std::string_view bytes() const { return current_; }
    const std::string& error_text() const { return error_; }
    /// True when bytes of an unfinished message are waiting (a peer that stops mid-message is timed out).
    bool partial() const { return start_ < buffer_.size(); }
    size_t buffered() const { return buffer_.size() - start_; }

private:
    kind fail(std::string text);

    limits limits_;
    std::string buffer_;
    size_t start_ = 0; ///< where the unconsumed bytes begin
    std::string_view current_;
    std::string error_;
    bool failed_ = false;
};

/// The value of the Content-Length (or compact "l") header in a header block; -1 when absent, -2 when
/// present but not a number (or when two disagree).
long long find_content_length(std::string_view headers);

} // namespace siphost::net
