#pragma once
// Kamailio's selects (`@via[1].branch`, `@cfg_get.group.var`, `$sel(ruri.user)`) as far as its core defines
// the ones scripts use: parsed once into what to read.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::cfg {

/// The header or message part a select starts from.
enum class select_root {
    ruri,
    from,
    to,
    via,
    cseq,
    call_id,
    msg,
    cfg_get,
    src,                ///< where the message came from: .ip, .port
    dst,                ///< the local address it arrived at: .ip, .port
    contact,            ///< the first Contact header
    header,             ///< the first header named in select_spec::header (@event, @max_forwards, ...)
    authorization,      ///< the first Authorization's digest credentials of select_spec::realm
    proxy_authorization ///< the same of Proxy-Authorization
};

/// What a select reads of its root; whole is the root itself.
enum class select_part {
    whole,
    uri,
    user,
    host,
    port,
    params,
    type,
    transport,
    tag,
    name,
    branch,
    received,
    method,
    num,
    first_line,
    body,
    len,
    header,
    param,            ///< params.NAME: the parameter named in select_spec::param (null without a value)
    ip,               ///< src.ip, dst.ip
    expires,          ///< contact.expires
    q,                ///< contact.q
    protocol_name,    ///< via.name ("SIP")
    protocol_version, ///< via.version ("2.0")
    hostport,         ///< a URI's host:port, the port 5060 (5061 for sips) when not written
    rn_user,          ///< a URI's user without visual separators (- . ( ))
    password,         ///< ruri.pwd
    message_type,     ///< msg.type: 1 for a request, 2 for a reply
    flags,            ///< msg.flags: the script flags
    username,         ///< the credentials' username (.user, .domain: uri_part user, host)
    realm,            ///< the credentials' directives, as written (quotes taken off)
    nonce,
    response,
    algorithm,
    cnonce,
    opaque,
    qop,
    nc
};

/// A parsed select.
struct select_spec {
    select_root root = select_root::ruri;
    select_part part = select_part::whole;     ///< of the root (from.tag, via.branch, msg.header)
    select_part uri_part = select_part::whole; ///< of a From/To URI (from.uri.user)
    std::int32_t index = 1;                    ///< via[N] and msg.header.NAME[N]: 1 is the first
    std::string header;                        ///< msg.header.NAME and header roots: the header's name
    std::string param;                         ///< params.NAME (of the root, or of its URI: uri_part)
    std::string realm;                         ///< authorization["REALM"] (or authorization.REALM)
    std::string group;                         ///< cfg_get.GROUP.VAR
    /// An @select assigned as it stands ($var(x) = @contact.uri): Kamailio 5.6.3 assigns "" when the select
    /// finds nothing, where $sel(...) and a comparison see null.
    bool absent_is_empty = false;
    std::string variable;
};

/// Parses a select without its '@' ("via[1].branch"); nullopt with a reason in error. cfg_get's group and
/// variable are not checked here: the caller knows which exist.
std::optional<select_spec> parse_select(std::string_view text, std::string& error);

/// Whether Kamailio's core cfg group has a variable siphost can read (@cfg_get.core.NAME).
bool is_core_cfg_variable(std::string_view name);

} // namespace siphost::cfg
