#pragma once
// The cached address table of permissions: exact addresses, subnets and domain names, each in a group, with
// a port (0: any) and an optional tag. Built once by a load, then only read (shared by every worker).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::permissions {

/// An IPv4 or IPv6 address (network byte order; IPv4 uses the first 4 bytes).
struct ip_address {
    uint8_t family = 0; ///< 4 or 6
    std::array<uint8_t, 16> bytes{};

    bool operator==(const ip_address&) const = default;
    /// Parses "192.0.2.1", "2001:db8::1" or "[2001:db8::1]"; false for anything else.
    static bool parse(std::string_view text, ip_address& out);
    /// The usual text form, without brackets.
    std::string to_string() const;
    /// 32 or 128.
    unsigned bits() const { return family == 4 ? 32u : 128u; }
    /// The address with every bit past the first mask bits cleared.
    ip_address masked(unsigned mask) const;
};

/// One record of the table as loaded.
struct address_entry {
    uint32_t group = 1;
    std::string address; ///< the address or domain as written
    ip_address ip;       ///< family 0 for a domain name
    unsigned mask = 0;   ///< the prefix length (full for an exact address)
    uint16_t port = 0;   ///< 0: any
    std::string tag;
};

/// What a match found: the group and the tag of the record.
struct address_match {
    uint32_t group = 0;
    const std::string* tag = nullptr;
};

class address_table {
public:
    /// Adds a record; an address with a full mask goes to the exact table, a shorter one to the subnets, a
    /// name to the domains. Throws std::invalid_argument with the reason for a bad one.
    void add(uint32_t group, std::string_view address, int64_t mask, int64_t port, std::string_view tag);
    /// Sorts the tables so that lookups answer the lowest group first; call once after the last add.
    void finish();

    /// A record of group matching address (an IP address or a domain name) and port.
    std::optional<address_match> match(uint32_t group, std::string_view address, uint16_t port) const;
    /// The record of the lowest group matching: exact addresses first, then subnets, then domains.
    std::optional<address_match> match_any(std::string_view address, uint16_t port) const;

    const std::vector<address_entry>& addresses() const { return exact_; }
    const std::vector<address_entry>& subnets() const { return subnets_; }
    const std::vector<address_entry>& domains() const { return domains_; }
    size_t size() const { return exact_.size() + subnets_.size() + domains_.size(); }

private:
    /// group 0: any group.
    std::optional<address_match> find(uint32_t group, std::string_view address, uint16_t port) const;

    std::vector<address_entry> exact_;
    std::vector<address_entry> subnets_;
    std::vector<address_entry> domains_;
};

/// Loads an address file (Kamailio's format: "group address [mask [port [tag]]]", '#' starts a comment).
/// Throws std::runtime_error naming the file and line of the first bad record.
address_table load_address_file(const std::string& path, size_t max_subnets);

} // namespace siphost::modules::permissions
