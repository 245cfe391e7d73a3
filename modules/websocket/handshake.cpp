#include "handshake.hpp"

#include <openssl/evp.h>
#include <siphost/module.hpp>

#include <array>
#include <cctype>

namespace siphost::modules::websocket {
namespace {

// RFC 6455 1.3: the GUID appended to the client's key.
constexpr std::string_view ws_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

using sdk::iequals;
using sdk::trim;

/// True when one of the comma-separated tokens of any value is `token` (case-insensitive).
bool has_token(const std::vector<std::string_view>& values, std::string_view token) {
    for (std::string_view value : values) {
        size_t pos = 0;
        while (pos <= value.size()) {
            size_t comma = value.find(',', pos);
            std::string_view item =
                value.substr(pos, comma == std::string_view::npos ? value.npos : comma - pos);
            if (iequals(trim(item), token))
                return true;
            if (comma == std::string_view::npos)
                break;
            pos = comma + 1;
        }
    }
    return false;
}

/// RFC 6455 4.1: the key is 16 random bytes in base64 (24 characters).
bool valid_key(std::string_view key) {
    if (key.size() != 24)
        return false;
    std::array<unsigned char, 24> decoded{};
    int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(key.data()), 24);
    // EVP_DecodeBlock counts the padding as zero bytes: 16 bytes come out as 18 with "==".
    return n == 18 && key.substr(22) == "==";
}

} // namespace

std::string accept_value(std::string_view key) {
    std::string input(key);
    input.append(ws_guid);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1)
        return {};
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> text{};
    int n = EVP_EncodeBlock(text.data(), digest.data(), static_cast<int>(size));
    return n > 0 ? std::string(reinterpret_cast<const char*>(text.data()), static_cast<size_t>(n))
                 : std::string();
}

std::string http_response(int code, std::string_view reason, std::string_view headers) {
    std::string out = "HTTP/1.1 " + std::to_string(code) + " ";
    out.append(reason).append("\r\n").append(headers);
    out.append("Content-Length: 0\r\n\r\n");
    return out;
}

handshake_answer answer(const handshake_request& request, int sub_protocols, int cors_mode) {
    handshake_answer a;
    auto refuse = [&a](int code, std::string_view reason, std::string why, std::string_view headers) {
        a.code = code;
        a.why = std::move(why);
        a.response = http_response(code, reason, headers);
        return a;
    };
    if (request.key.size() > 1)
        return refuse(400, "Bad Request", "Sec-WebSocket-Key found more than once", {});
    if (request.version.size() > 1)
        return refuse(400, "Bad Request", "Sec-WebSocket-Version found more than once", {});
    if (request.origin.size() > 1)
        return refuse(400, "Bad Request", "Origin found more than once", {});
    if (request.version.size() == 1 && trim(request.version[0]) != "13")
        return refuse(426, "Upgrade Required",
                      "unsupported Sec-WebSocket-Version " + std::string(trim(request.version[0])),
                      "Sec-WebSocket-Version: 13\r\n");
    bool sip = (sub_protocols & sub_protocol_sip) != 0 && has_token(request.protocol, "sip");
    std::string missing;
    if (!has_token(request.connection, "upgrade"))
        missing = "Connection: upgrade";
    else if (!has_token(request.upgrade, "websocket"))
        missing = "Upgrade: websocket";
    else if (request.key.empty())
        missing = "Sec-WebSocket-Key";
    else if (request.version.empty())
        missing = "Sec-WebSocket-Version";
    else if (!sip)
        missing = "Sec-WebSocket-Protocol: sip";
    if (!missing.empty())
        return refuse(400, "Bad Request", "the upgrade request lacks " + missing,
                      "Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n");
    std::string_view key = trim(request.key[0]);
    if (!valid_key(key))
        return refuse(400, "Bad Request", "Sec-WebSocket-Key is not 16 bytes in base64",
                      "Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n");
    std::string accept = accept_value(key);
    if (accept.empty())
        return refuse(500, "Internal Server Error", "cannot compute Sec-WebSocket-Accept", {});
    a.code = 101;
    a.response = "HTTP/1.1 101 Switching Protocols\r\n";
    if (cors_mode == cors_any)
        a.response.append("Access-Control-Allow-Origin: *\r\n");
    else if (cors_mode == cors_origin && !request.origin.empty() && !trim(request.origin[0]).empty())
        a.response.append("Access-Control-Allow-Origin: ").append(trim(request.origin[0])).append("\r\n");
    a.response.append("Sec-WebSocket-Protocol: sip\r\n");
    a.response.append("Upgrade: websocket\r\nConnection: upgrade\r\n");
    a.response.append("Sec-WebSocket-Accept: ").append(accept).append("\r\n\r\n");
    return a;
}

} // namespace siphost::modules::websocket
