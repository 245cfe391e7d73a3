#pragma once
// Runs one JSON-RPC request through the host's RPC commands (host->rpc, ABI 1.1) and writes Kamailio's
// reply: {"jsonrpc": "2.0", "result": ..., "id": ..} or {"jsonrpc": "2.0", "error": {"code": .., "message":
// ..}, "id": ..}. A command's reply is its one top-level value; a command flagged SIPHOST_RPC_RETURNS_ARRAY
// (Kamailio's RET_ARRAY), or one that added several values, gives an array; one that added none gives {}.

#include "json_request.hpp"

#include <siphost/module.h>

#include <string>
#include <string_view>

namespace siphost::modules::jsonrpcs {

/// What a request came to: the reply document and, for $jsonrpl, its code and text (200 "OK", or the
/// error's).
struct dispatch_result {
    std::string body;
    int code = 200;
    std::string text = "OK";
    std::string reply_name; ///< the request's, for the FIFO transport
};

class rpc_dispatcher {
public:
    rpc_dispatcher(const siphost_rpc_api* rpc, json_limits limits) : rpc_(rpc), limits_(limits) {}

    /// Parses and runs one document; pretty writes the reply indented with tabs (pretty_format).
    dispatch_result dispatch(std::string_view document, bool pretty) const;

    /// The error reply for a request that could not be read (id null).
    static std::string error_document(int code, std::string_view message, bool pretty);

private:
    const siphost_rpc_api* rpc_;
    json_limits limits_;
};

} // namespace siphost::modules::jsonrpcs
