#include "net/ws_framer.hpp"

namespace siphost::net {

void ws_framer::feed(std::string_view bytes) {
    if (failed_)
        return;
    if (start_ > 0 && (start_ == buffer_.size() || start_ > 4096)) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
}

ws_framer::kind ws_framer::fail(uint16_t code, std::string text) {
    failed_ = true;
    error_code_ = code;
    error_ = std::move(text);
    buffer_.clear();
    start_ = 0;
    message_.clear();
    return kind::error;
}

ws_framer::kind ws_framer::next() {
    // A loop, not recursion: a message cut into many small fragments must not grow the stack.
    for (;;) {
        again_ = false;
        kind unit = step();
        if (!again_)
            return unit;
    }
}

ws_framer::kind ws_framer::step() {
    if (failed_)
        return kind::error;
    payload_ = {};
    size_t available = buffer_.size() - start_;
    if (available < 2)
        return kind::need_more;
    auto* head = reinterpret_cast<unsigned char*>(buffer_.data() + start_);
    bool fin = (head[0] & 0x80) != 0;
    uint8_t opcode = head[0] & 0x0F;
    if ((head[0] & 0x70) != 0)
        return fail(protocol_error, "a frame with reserved bits set (no extension was agreed)");
    if ((head[1] & 0x80) == 0)
        return fail(protocol_error, "an unmasked frame from the client (RFC 6455 5.1)");
    bool control = (opcode & 0x8) != 0;
    if (opcode != op_continuation && opcode != op_text && opcode != op_binary && opcode != op_close &&
        opcode != op_ping && opcode != op_pong)
        return fail(protocol_error, "a frame with the unknown opcode " + std::to_string(opcode));
    uint64_t length = head[1] & 0x7F;
    size_t header = 2;
    if (length == 126) {
        header = 4;
        if (available < header)
            return kind::need_more;
        length = (uint64_t{head[2]} << 8) | head[3];
        if (length < 126)
            return fail(protocol_error, "a frame length not in its shortest form");
    } else if (length == 127) {
        header = 10;
        if (available < header)
            return kind::need_more;
        if ((head[2] & 0x80) != 0)
            return fail(protocol_error, "a 64-bit frame length with its top bit set");
        length = 0;
        for (int i = 2; i < 10; ++i)
            length = (length << 8) | head[i];
        if (length <= 0xFFFF)
            return fail(protocol_error, "a frame length not in its shortest form");
    }
    if (control && (!fin || length > 125))
        return fail(protocol_error, "a control frame fragmented or longer than 125 bytes");
    if (!control && length + (fragmenting_ ? message_.size() : 0) > max_message_)
        return fail(too_big, "a message of more than " + std::to_string(max_message_) + " bytes");
    if (opcode == op_continuation && !fragmenting_)
        return fail(protocol_error, "a continuation frame outside a fragmented message");
    if ((opcode == op_text || opcode == op_binary) && fragmenting_)
        return fail(protocol_error, "a new message inside a fragmented one");
    header += 4; // the masking key
    if (available < header + length)
        return kind::need_more;
    unsigned char key[4] = {head[header - 4], head[header - 3], head[header - 2], head[header - 1]};
    char* data = buffer_.data() + start_ + header;
    for (size_t i = 0; i < length; ++i)
        data[i] = static_cast<char>(static_cast<unsigned char>(data[i]) ^ key[i % 4]);
    std::string_view body(data, static_cast<size_t>(length));
    start_ += header + static_cast<size_t>(length);

    switch (opcode) {
    case op_ping:
        payload_ = body;
        return kind::ping;
    case op_pong:
        payload_ = body;
        return kind::pong;
    case op_close:
        if (body.size() == 1)
            return fail(protocol_error, "a close frame with a one-byte body");
        close_code_ = body.size() >= 2 ? static_cast<uint16_t>((static_cast<unsigned char>(body[0]) << 8) |
                                                               static_cast<unsigned char>(body[1]))
                                       : 0;
        if (body.size() >= 2 &&
            (close_code_ < 1000 || close_code_ == 1004 || close_code_ == 1005 || close_code_ == 1006 ||
             (close_code_ > 1011 && close_code_ < 3000) || close_code_ >= 5000))
            return fail(protocol_error, "a close frame with the invalid code " + std::to_string(close_code_));
        payload_ = body.size() >= 2 ? body.substr(2) : std::string_view{};
        return kind::close;
    default:
        break;
    }
    if (opcode != op_continuation) {
        message_binary_ = opcode == op_binary;
        if (fin) {
            binary_ = message_binary_;
            payload_ = body;
            return kind::message;
        }
        fragmenting_ = true;
        message_.assign(body);
        again_ = true;
        return kind::need_more;
    }
    message_.append(body);
    if (!fin) {
        again_ = true;
        return kind::need_more;
    }
    fragmenting_ = false;
    binary_ = message_binary_;
    control_ = std::move(message_); // kept until the next call, as a view on it is handed out
    message_.clear();
    payload_ = control_;
    return kind::message;
}

std::string ws_framer::frame(uint8_t opcode, std::string_view payload) {
    std::string out;
    out.reserve(payload.size() + 10);
    out.push_back(static_cast<char>(0x80 | (opcode & 0x0F)));
    if (payload.size() < 126) {
        out.push_back(static_cast<char>(payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.push_back(static_cast<char>(126));
        out.push_back(static_cast<char>((payload.size() >> 8) & 0xFF));
        out.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        out.push_back(static_cast<char>(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((static_cast<uint64_t>(payload.size()) >> shift) & 0xFF));
    }
    out.append(payload);
    return out;
}

std::string ws_framer::close_frame(uint16_t code, std::string_view reason) {
    std::string body;
    body.push_back(static_cast<char>(code >> 8));
    body.push_back(static_cast<char>(code & 0xFF));
    body.append(reason.substr(0, 123));
    return frame(op_close, body);
}

} // namespace siphost::net
