#pragma once
// % escapes of URIs (RFC 3261 19.1.2, RFC 3986 2.1).

#include <string>
#include <string_view>

namespace siphost::sip {

/// True when every '%' in text starts a valid escape (%HH).
bool valid_escapes(std::string_view text);

/// Decodes %HH escapes; other bytes are copied. An invalid escape is copied as it is.
std::string unescape(std::string_view text);

/// Compares two escaped strings by their decoded bytes, without allocating. case_insensitive folds ASCII
/// case.
bool escaped_equal(std::string_view a, std::string_view b, bool case_insensitive);

} // namespace siphost::sip
