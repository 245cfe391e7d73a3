#include "binrpc.hpp"

#include <cmath>
#include <limits>

namespace siphost::modules::ctl::binrpc {
namespace {

constexpr uint8_t magic_version = 0xA1;
constexpr uint8_t size_flag = 0x80;

/// The fewest big-endian bytes that hold value (0 for 0).
unsigned byte_count(uint64_t value) {
    unsigned n = 0;
    while (value != 0) {
        ++n;
        value >>= 8;
    }
    return n;
}

void put_be(std::vector<uint8_t>& out, uint64_t value, unsigned bytes) {
    for (unsigned i = bytes; i > 0; --i)
        out.push_back(static_cast<uint8_t>(value >> ((i - 1) * 8)));
}

template <typename Unsigned>
bool get_be(std::span<const uint8_t> data, size_t& at, unsigned bytes, Unsigned& value) {
    if (bytes > sizeof(Unsigned) || data.size() - at < bytes)
        return false;
    value = 0;
    for (unsigned i = 0; i < bytes; ++i)
        value = (value << 8) | data[at++];
    return true;
}

/// One record of a request body: a scalar parameter (structs and arrays are refused).
bool read_record(std::span<const uint8_t> body, size_t& at, param& out, bool& is_string, std::string& error) {
    uint8_t head = body[at++];
    auto type = static_cast<uint8_t>(head & 0x0f);
    unsigned size = (head >> 4) & 0x07;
    uint32_t length = size;
    if (type == t_int || type == t_double) {
        length = head >> 4; // a number's length has all four bits: a 64-bit double takes 8 (0x82)
    } else if (head & size_flag) {
        if (size == 0) {
            error = "unexpected end marker";
            return false;
        }
        if (!get_be(body, at, size, length)) {
            error = "truncated record length";
            return false;
        }
    }
    if (body.size() - at < length) {
        error = "record longer than the packet";
        return false;
    }
    auto value = body.subspan(at, length);
    at += length;
    is_string = false;
    switch (type) {
    case t_int:
    case t_double: {
        // Integers are 32-bit two's complement, doubles travel as 64-bit thousandths (what kamcmd and
        // Kamailio write); a shorter one is positive.
        unsigned width = type == t_int ? 4 : 8;
        if (length > width) {
            error = type == t_int ? "integer longer than 4 bytes" : "double longer than 8 bytes";
            return false;
        }
        size_t pos = 0;
        uint64_t raw = 0;
        get_be(value, pos, length, raw);
        int64_t number = length < width ? static_cast<int64_t>(raw)
                         : width == 4   ? static_cast<int64_t>(static_cast<int32_t>(raw))
                                        : static_cast<int64_t>(raw);
        if (type == t_int)
            out = number;
        else
            out = static_cast<double>(number) / 1000.0; // a double travels as thousandths
        return true;
    }
    case t_str:
    case t_bytes: {
        std::string text(reinterpret_cast<const char*>(value.data()), value.size());
        if (type == t_str) {
            if (text.empty() || text.back() != '\0') {
                error = "string without its terminating NUL";
                return false;
            }
            text.pop_back();
        }
        out = std::move(text);
        is_string = true;
        return true;
    }
    default:
        error = "unsupported record type " + std::to_string(type) + " in a request";
        return false;
    }
}

} // namespace

frame frame_size(std::span<const uint8_t> data, size_t max_body, size_t& packet_size, std::string& error) {
    if (data.empty())
        return frame::need_more;
    if (data[0] != magic_version) {
        error = "not a binrpc packet (magic/version byte " + std::to_string(data[0]) + ")";
        return frame::bad;
    }
    if (data.size() < 2)
        return frame::need_more;
    unsigned length_size = ((data[1] >> 2) & 0x03) + 1;
    unsigned cookie_size = (data[1] & 0x03) + 1;
    size_t header = 2 + length_size + cookie_size;
    if (data.size() < header)
        return frame::need_more;
    size_t at = 2;
    uint32_t body = 0;
    get_be(data, at, length_size, body);
    if (body > max_body) {
        error = "body of " + std::to_string(body) + " bytes, more than the " + std::to_string(max_body) +
                " allowed";
        return frame::bad;
    }
    packet_size = header + body;
    return data.size() >= packet_size ? frame::complete : frame::need_more;
}

bool decode_request(std::span<const uint8_t> packet, request_packet& out, std::string& error) {
    size_t size = 0;
    if (frame_size(packet, std::numeric_limits<uint32_t>::max(), size, error) != frame::complete) {
        if (error.empty())
            error = "truncated packet";
        return false;
    }
    if (size != packet.size()) {
        error = "packet length does not match its header";
        return false;
    }
    if ((packet[1] >> 4) != request) {
        error = "not a request (type " + std::to_string(packet[1] >> 4) + ")";
        return false;
    }
    unsigned length_size = ((packet[1] >> 2) & 0x03) + 1;
    unsigned cookie_size = (packet[1] & 0x03) + 1;
    size_t at = 2 + length_size;
    get_be(packet, at, cookie_size, out.cookie);
    auto body = packet.subspan(at);
    at = 0;
    if (body.empty()) {
        error = "request without a method";
        return false;
    }
    bool is_string = false;
    param method;
    if (!read_record(body, at, method, is_string, error))
        return false;
    if (!is_string) {
        error = "the method is not a string";
        return false;
    }
    out.method = std::get<std::string>(method);
    out.params.clear();
    while (at < body.size()) {
        param p;
        if (!read_record(body, at, p, is_string, error))
            return false;
        out.params.push_back(std::move(p));
    }
    return true;
}

void writer::add_int(int64_t value) {
    if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max()) {
        // binrpc integers are 32-bit: a larger value goes as its digits rather than wrapped.
        add_str(std::to_string(value));
        return;
    }
    auto raw = static_cast<uint32_t>(static_cast<int32_t>(value));
    unsigned n = byte_count(raw);
    body_.push_back(static_cast<uint8_t>((n << 4) | t_int));
    put_be(body_, raw, n);
}

void writer::add_double(double value) {
    // Thousandths in 64 bits, as Kamailio writes a double (kamcmd reads it so: a negative one takes 8 bytes,
    // whose length, 8, fills the header's four length bits).
    double scaled = std::isfinite(value) ? std::round(value * 1000.0) : 0.0;
    if (!(scaled >= -9.2e18 && scaled <= 9.2e18)) {
        add_str(std::to_string(value));
        return;
    }
    auto raw = static_cast<uint64_t>(static_cast<int64_t>(scaled));
    unsigned n = byte_count(raw);
    body_.push_back(static_cast<uint8_t>((n << 4) | t_double));
    put_be(body_, raw, n);
}

void writer::add_string_record(record_type type, std::string_view value, bool nul) {
    auto length = static_cast<uint32_t>(value.size() + (nul ? 1 : 0));
    if (length < 8) {
        body_.push_back(static_cast<uint8_t>((length << 4) | type));
    } else {
        unsigned n = byte_count(length);
        body_.push_back(static_cast<uint8_t>(size_flag | (n << 4) | type));
        put_be(body_, length, n);
    }
    body_.insert(body_.end(), value.begin(), value.end());
    if (nul)
        body_.push_back(0);
}

void writer::add_str(std::string_view value) {
    add_string_record(t_str, value, true);
}

void writer::add_name(std::string_view name) {
    add_string_record(t_avp, name, true);
}

void writer::begin(record_type type) {
    body_.push_back(type);
}

void writer::end(record_type type) {
    body_.push_back(static_cast<uint8_t>(size_flag | type));
}

std::vector<uint8_t> writer::packet(packet_type type, uint32_t cookie) const {
    auto body_length = static_cast<uint32_t>(body_.size());
    unsigned length_size = std::max(1u, byte_count(body_length));
    unsigned cookie_size = std::max(1u, byte_count(cookie));
    std::vector<uint8_t> out;
    out.reserve(2 + length_size + cookie_size + body_.size());
    out.push_back(magic_version);
    out.push_back(static_cast<uint8_t>((type << 4) | ((length_size - 1) << 2) | (cookie_size - 1)));
    put_be(out, body_length, length_size);
    put_be(out, cookie, cookie_size);
    out.insert(out.end(), body_.begin(), body_.end());
    return out;
}

std::vector<uint8_t> fault_packet(uint32_t cookie, int code, std::string_view message) {
    writer w;
    w.add_int(code);
    w.add_str(message);
    return w.packet(fault, cookie);
}

} // namespace siphost::modules::ctl::binrpc
