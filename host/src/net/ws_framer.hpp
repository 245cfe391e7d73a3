#pragma once
// Cuts the byte stream of a WebSocket connection (RFC 6455 5) into messages and control frames, on the
// server's side: every frame from a client must be masked, control frames are short and unfragmented, and a
// message (its fragments together) may not exceed the limit. Like tcp_framer it knows nothing of sockets.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace siphost::net {

class ws_framer {
public:
    enum class kind {
        need_more, ///< no complete unit yet: feed more bytes
        message,   ///< payload() is one whole text or binary message (fragments joined)
        ping,      ///< payload() is the ping's application data: answer a pong carrying it
        pong,      ///< a pong (payload() its data)
        close,     ///< the peer closes: close_code() (0 when it gave none) and payload() its reason
        error      ///< the stream is broken (error_text()): close with error_code()
    };

    /// RFC 6455 7.4.1 status codes this side sends.
    static constexpr uint16_t normal_closure = 1000;
    static constexpr uint16_t protocol_error = 1002;
    static constexpr uint16_t too_big = 1009;

    explicit ws_framer(size_t max_message_bytes = 65535) : max_message_(max_message_bytes) {}

    /// Appends received bytes (the view payload() returned last becomes invalid).
    void feed(std::string_view bytes);
    /// The next unit; its payload stays valid until the next feed() or next() call.
    kind next();

    std::string_view payload() const { return payload_; }
    bool binary() const { return binary_; }
    uint16_t close_code() const { return close_code_; }
    uint16_t error_code() const { return error_code_; }
    const std::string& error_text() const { return error_; }
    /// True when part of a frame or of a fragmented message is waiting.
    bool partial() const { return start_ < buffer_.size() || fragmenting_; }

    /// One unmasked frame with FIN set, as a server sends it (RFC 6455 5.2).
    static std::string frame(uint8_t opcode, std::string_view payload);
    /// A close frame carrying code and reason (the reason cut to fit a control frame).
    static std::string close_frame(uint16_t code, std::string_view reason);

    static constexpr uint8_t op_continuation = 0x0;
    static constexpr uint8_t op_text = 0x1;
    static constexpr uint8_t op_binary = 0x2;
    static constexpr uint8_t op_close = 0x8;
    static constexpr uint8_t op_ping = 0x9;
    static constexpr uint8_t op_pong = 0xA;

private:
    kind fail(uint16_t code, std::string text);
    /// One frame; sets again_ when it consumed a fragment and the caller should go on.
    kind step();

    size_t max_message_;
    std::string buffer_;
    size_t start_ = 0;
    std::string message_; ///< a fragmented message's payload so far
    bool fragmenting_ = false;
    bool message_binary_ = false;
    std::string control_; ///< an unmasked control frame's payload
    std::string_view payload_;
    bool binary_ = false;
    uint16_t close_code_ = 0;
    uint16_t error_code_ = 0;
    std::string error_;
    bool failed_ = false;
    bool again_ = false;
};

} // namespace siphost::net
