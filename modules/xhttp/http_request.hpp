#pragma once
// How the host hands an HTTP request to the script, and the reply xhttp writes. The host parses
// "GET /RPC?a=1 HTTP/1.1" as the SIP request "GET sip:%2FRPC%3Fa%3D1@http.invalid SIP/2.0" (the target
// %-escaped into the user part, the reserved host marking it as HTTP; see docs/xhttp.md).

#include <optional>
#include <string>
#include <string_view>

namespace siphost::modules::xhttp {

/// The host part that marks a Request-URI as an HTTP request's.
inline constexpr std::string_view http_mark_host = "http.invalid";

/// The HTTP request target ($hu) carried by Request-URI ruri; nullopt when ruri is not an HTTP request's.
std::optional<std::string> http_url(std::string_view ruri);

/// An HTTP/1.1 response: status line, Content-Type (when ctype is not empty), Content-Length and body.
std::string http_reply(int code, std::string_view reason, std::string_view ctype, std::string_view body);

} // namespace siphost::modules::xhttp
