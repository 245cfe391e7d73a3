#pragma once
// Kamailio's transformations, "{s.len}", "{uri.param,transport}", as written after a pseudo-variable in
// its long form: $(ru{uri.user}{s.tolower}). Parsed and checked at config load; applied by the script.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/regex_substitution.hpp"

namespace siphost::cfg {

enum class tr_kind {
    s_len,
    s_int,
    s_substr,
    s_select,
    s_tolower,
    s_toupper,
    s_strip,
    s_stripto,
    s_trim,
    s_rtrim,
    s_ltrim,
    s_encode_hexa,
    s_decode_hexa,
    s_replace,
    s_numeric,
    s_escape_common,
    s_unescape_common,
    s_md5,
    s_sha256,
    s_sha384,
    s_sha512,
    s_encode_base64,
    s_decode_base64,
    s_prefixes,
    s_prefixes_quoted,
    s_escape_user,
    s_unescape_user,
    s_escape_param,
    s_unescape_param,
    s_urlencode_param,
    s_urldecode_param,
    s_unquote,
    s_unbracket,
    s_rmws,
    s_before,
    s_after,
    s_corehash,
    re_subst,
    line_count,
    line_at,
    line_sw,
    uri_user,
    uri_host,
    uri_port,
    uri_params,
    uri_param,
    uri_transport,
    uri_scheme,
    uri_passwd,
    uri_headers,
    uri_tosocket,
    param_value,
    param_in,
    param_count,
    param_name,
    param_valueat,
    nameaddr_name,
    nameaddr_uri,
    nameaddr_len,
    tobody_uri,
    tobody_tag,
    tobody_user,
    tobody_host,
    tobody_display,
    tobody_params
};

/// A parameter written as a pseudo-variable, "{s.substr,$var(i),1}": read each time the value is.
struct tr_pv_parameter {
    std::string text;     ///< "$var(i)"; empty when the parameter is a literal
    bool integer = false; ///< the parameter is a number: Kamailio then needs an integer value
};

/// One parsed transformation with its parameters checked.
struct transformation {
    tr_kind kind = tr_kind::s_len;
    std::string name;         ///< "s.substr", for messages
    std::string text;         ///< a string parameter (s.stripto's char, uri.param's name, s.replace's match)
    std::string text2;        ///< a second string parameter (s.replace's replacement)
    char separator = ';';     ///< s.select's and param.*'s separator
    std::int64_t number = 0;  ///< an integer parameter (offset, index, length)
    std::int64_t number2 = 0; ///< a second integer parameter (s.substr's length)
    std::size_t offset = 0;   ///< where its '{' is in the text it was parsed from
    std::shared_ptr<const regex_substitution> substitution; ///< re.subst's, compiled
    tr_pv_parameter pv_params[2]; ///< the first (number or text) and second (number2 or text2) parameter
};

/// Parses "{a}{b,1}..." (the text must start with '{'). On error returns false, names the reason in error
/// and sets error_offset to the byte of text the error is about.
bool parse_transformations(std::string_view text, std::vector<transformation>& out, std::string& error,
                           std::size_t& error_offset);

/// The names of every supported transformation, for hints.
const std::vector<std::string>& transformation_names();

} // namespace siphost::cfg
