#include "cfg/ip_network.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace siphost::cfg {
namespace {

/// Reads one address into out; returns its family (4 or 6), or 0.
int parse_address(std::string_view text, unsigned char out[16]) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() > 45)
        return 0;
    std::string zero_terminated(text);
    if (inet_pton(AF_INET, zero_terminated.c_str(), out) == 1)
        return 4;
    if (inet_pton(AF_INET6, zero_terminated.c_str(), out) == 1)
        return 6;
    return 0;
}

} // namespace

std::optional<ip_network> parse_ip_network(std::string_view text) {
    ip_network network;
    std::string_view address = text;
    std::optional<unsigned> prefix;
    if (std::size_t slash = text.find('/'); slash != std::string_view::npos) {
        address = text.substr(0, slash);
        std::string_view bits = text.substr(slash + 1);
        unsigned value = 0;
        auto [end, error] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
        if (bits.empty() || error != std::errc() || end != bits.data() + bits.size())
            return std::nullopt;
        prefix = value;
    }
    network.family = parse_address(address, network.bytes);
    if (network.family == 0)
        return std::nullopt;
    unsigned all = network.family == 4 ? 32 : 128;
    network.prefix = prefix.value_or(all);
    if (network.prefix > all)
        return std::nullopt;
    return network;
}

bool in_network(std::string_view address, const ip_network& network) {
    unsigned char bytes[16] = {};
    if (parse_address(address, bytes) != network.family)
        return false;
    unsigned whole = network.prefix / 8, rest = network.prefix % 8;
    if (std::memcmp(bytes, network.bytes, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (bytes[whole] & mask) == (network.bytes[whole] & mask);
}

} // namespace siphost::cfg
