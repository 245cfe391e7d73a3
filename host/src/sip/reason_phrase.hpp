#pragma once

#include <string_view>

namespace siphost::sip {

/// The reason phrase RFC 3261 21 (and the common extensions) gives a status code; for an unknown code, the
/// phrase of its class ("Client Error" for 4xx); empty outside 100..699.
std::string_view standard_reason(int code);

} // namespace siphost::sip
