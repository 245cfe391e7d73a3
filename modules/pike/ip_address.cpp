#include "ip_address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace siphost::modules::pike {

bool ip_address::parse(std::string_view text, ip_address& out) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    char buffer[INET6_ADDRSTRLEN];
    if (text.empty() || text.size() >= sizeof buffer)
        return false;
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    ip_address parsed;
    if (inet_pton(AF_INET, buffer, parsed.bytes.data()) == 1)
        parsed.family = 4;
    else if (inet_pton(AF_INET6, buffer, parsed.bytes.data()) == 1)
        parsed.family = 6;
    else
        return false;
    out = parsed;
    return true;
}

bool ip_address::from_bytes(uint8_t family, const uint8_t* bytes, ip_address& out) {
    if (family != 4 && family != 6)
        return false;
    out = ip_address{};
    out.family = family;
    std::memcpy(out.bytes.data(), bytes, family == 4 ? 4 : 16);
    return true;
}

std::string ip_address::to_string() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes.data(), buffer, sizeof buffer) == nullptr)
        return {};
    return buffer;
}

size_t ip_address_hash::operator()(const ip_address& a) const noexcept {
    // FNV-1a over the family and the bytes in use: cheap, and spread enough for a sharded map.
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint8_t b) {
        h ^= b;
        h *= 1099511628211ull;
    };
    mix(a.family);
    for (size_t i = 0; i < (a.family == 4 ? 4u : 16u); ++i)
        mix(a.bytes[i]);
    return static_cast<size_t>(h);
}

} // namespace siphost::modules::pike
