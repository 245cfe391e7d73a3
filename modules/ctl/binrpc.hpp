#pragma once
// Kamailio's binrpc, the binary protocol kamcmd speaks to the ctl module. A packet is a header (magic and
// version 0xA1, then type, length size and cookie size in one byte, the body length and the cookie, both big
// endian) and a body of records. A record's first byte holds a size flag, a 3-bit size and a 4-bit type: a
// value of up to 7 bytes follows directly, a longer one after its length. Requests carry the method name
// then the parameters; replies the values; faults a code and a message.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace siphost::modules::ctl::binrpc {

enum packet_type : uint8_t { request = 0, reply = 1, fault = 3 };
enum record_type : uint8_t {
    t_int = 0,
    t_str = 1,
    t_double = 2,
    t_struct = 3,
    t_array = 4,
    t_avp = 5,
    t_bytes = 6
};

/// A request parameter: an integer, a string or a double.
using param = std::variant<int64_t, std::string, double>;

struct request_packet {
    uint32_t cookie = 0;
    std::string method;
    std::vector<param> params;
};

/// How much of a stream the header announces.
enum class frame { complete, need_more, bad };

/// Looks at the start of a stream: complete with the packet's whole size, need_more, or bad (not binrpc, or
/// a body longer than max_body).
frame frame_size(std::span<const uint8_t> data, size_t max_body, size_t& packet_size, std::string& error);

/// Decodes one whole request packet. False with a reason for anything malformed (never reads past data).
bool decode_request(std::span<const uint8_t> packet, request_packet& out, std::string& error);

/// Builds a reply body record by record, then the packet around it.
class writer {
public:
    void add_int(int64_t value);
    void add_double(double value);
    void add_str(std::string_view value);
    void add_name(std::string_view name); ///< a struct member's name (an avp)
    void begin(record_type type);         ///< t_struct or t_array
    void end(record_type type);
    size_t size() const { return body_.size(); }
    /// The packet: header with the cookie, then the body.
    std::vector<uint8_t> packet(packet_type type, uint32_t cookie) const;

private:
    void add_string_record(record_type type, std::string_view value, bool nul);
    std::vector<uint8_t> body_;
};

/// A fault packet: code and message.
std::vector<uint8_t> fault_packet(uint32_t cookie, int code, std::string_view message);

} // namespace siphost::modules::ctl::binrpc
