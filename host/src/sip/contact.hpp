#pragma once
// Contact header values as a registrar reads them (RFC 3261 10.2.1, 20.10; RFC 5626 for +sip.instance and
// reg-id): the address, and the parameters that decide a binding's life and order. Zero copy.

#include "sip/name_addr.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace siphost::sip {

struct contact {
    name_addr address;
    int64_t expires = -1;        ///< -1 when absent
    int32_t q = -1;              ///< 0 .. 1000, -1 when absent
    uint32_t reg_id = 0;         ///< 0 when absent
    std::string_view instance;   ///< +sip.instance without its quotes and angle brackets; empty when absent
};

enum class contact_list_kind : uint8_t { malformed, list, star };

/// Parses one Contact header value (a comma-separated list, or "*"), appending to out. A bad expires, q or
/// reg-id makes the whole value malformed.
contact_list_kind parse_contacts(std::string_view value, std::vector<contact>& out);

/// A qvalue ("0.5", "1", "1.000") as thousandths; -1 when it is not one.
int32_t parse_qvalue(std::string_view text);

} // namespace siphost::sip
