#pragma once
// A JSON-RPC 2.0 request as Kamailio's jsonrpcs reads it: a method, its parameters in order (an array, or
// the values of an object in the order written: Kamailio ignores the names), an id, and for the FIFO
// transport the reply_name of the FIFO the reply goes to. Parsed with nlohmann::json, behind a SAX pass that
// refuses documents nested deeper than max_depth before anything is built.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace siphost::modules::jsonrpcs {

/// JSON-RPC 2.0's error codes for what never reached a command.
enum json_error_code : int {
    parse_error = -32700,
    invalid_request = -32600,
    invalid_params = -32602,
    /// Kamailio answers an unknown method with 500 "Method Not Found", not JSON-RPC's -32601.
    method_not_found = 500
};

/// A parameter as the RPC interface takes it.
using json_param = std::variant<int64_t, double, std::string>;

/// A parsed request, or the error reply it gets.
struct json_request {
    std::string method;
    std::vector<json_param> params;
    /// The id to echo: a string, an integer or null; absent when has_id is false (Kamailio then replies
    /// without one).
    nlohmann::ordered_json id;
    bool has_id = false;
    std::string reply_name; ///< FIFO transport only; empty when absent

    int error_code = 0; ///< 0: valid
    std::string error_message;

    bool valid() const { return error_code == 0; }
};

/// Limits on what a request may be.
struct json_limits {
    size_t max_size = 1024 * 1024; ///< bytes of one document
    size_t max_depth = 32;         ///< nesting of arrays and objects
};

/// Parses one document. Never throws: a bad document gives an error_code and message.
json_request parse_request(std::string_view text, const json_limits& limits);

} // namespace siphost::modules::jsonrpcs
