#pragma once
// The server's half of the WebSocket opening handshake (RFC 6455 4.2), as Kamailio's ws_handle_handshake
// judges it: which answer an upgrade request gets. No sockets and no host here, so that it can be tested.

#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::websocket {

/// Sub-protocol bits (the sub_protocols modparam).
inline constexpr int sub_protocol_sip = 1;
inline constexpr int sub_protocol_msrp = 2;

/// cors_mode values.
inline constexpr int cors_none = 0;
inline constexpr int cors_any = 1;
inline constexpr int cors_origin = 2;

/// The values of the request's headers that matter (each value as received, one entry per header line).
struct handshake_request {
    std::vector<std::string_view> connection;
    std::vector<std::string_view> upgrade;
    std::vector<std::string_view> key;
    std::vector<std::string_view> protocol;
    std::vector<std::string_view> version;
    std::vector<std::string_view> origin;
};

struct handshake_answer {
    int code = 0;         ///< 101 accepts; 400 or 426 refuse
    std::string why;      ///< for the log, when refused
    std::string response; ///< the whole HTTP response to write
};

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key (SHA-1 and base64 from OpenSSL's EVP).
std::string accept_value(std::string_view key);
/// The answer to an upgrade request.
handshake_answer answer(const handshake_request& request, int sub_protocols, int cors_mode);
/// An HTTP response with no body: status line, extra header lines (each ending in CRLF), Content-Length: 0.
std::string http_response(int code, std::string_view reason, std::string_view headers);

} // namespace siphost::modules::websocket
