#pragma once
// An IPv4 or IPv6 address as pike counts it: the key of the ip_table.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace siphost::modules::pike {

struct ip_address {
    uint8_t family = 0;              ///< 4 or 6
    std::array<uint8_t, 16> bytes{}; ///< network order; IPv4 uses the first 4

    bool operator==(const ip_address&) const = default;

    /// Parses "192.0.2.1", "2001:db8::1" or "[2001:db8::1]"; false for anything else.
    static bool parse(std::string_view text, ip_address& out);
    /// The address from a siphost_dest's family and bytes; false when the family is neither 4 nor 6.
    static bool from_bytes(uint8_t family, const uint8_t* bytes, ip_address& out);
    /// The usual text form, without brackets.
    std::string to_string() const;
};

struct ip_address_hash {
    size_t operator()(const ip_address& a) const noexcept;
};

} // namespace siphost::modules::pike
