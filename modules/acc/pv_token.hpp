#pragma once
// Where a pseudo-variable written in a modparam string ends: "$fU", "$hdr(X-A)", "$(hdr(X)[1])",
// "$avp(x)[0]". The host parses what it means (host->pv_parse); this only finds its extent, so that a
// parameter such as db_extra or db_table_acc can be cut into names, literal text and pseudo-variables.

#include <cstddef>
#include <string_view>

namespace siphost::modules::acc {

/// The length of the pseudo-variable at the start of text (text[0] == '$'), or 0 when it is malformed (no
/// name, an unbalanced parenthesis or bracket).
size_t pv_token_length(std::string_view text);

} // namespace siphost::modules::acc
