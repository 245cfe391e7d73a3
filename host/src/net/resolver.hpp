#pragma once
// Host names to addresses through the system resolver (A and AAAA via getaddrinfo), with a small cache per
// thread so that a worker does not ask the resolver for every message. IP literals never reach the resolver.

#include "net/socket_address.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::net {

struct resolve_result {
    std::optional<udp_endpoint> endpoint;
    std::string error; ///< why not, when endpoint is empty
};

/// Resolves host (a name, an IPv4 address, or an IPv6 address with or without brackets) and port.
resolve_result resolve_host(std::string_view host, uint16_t port);

/// How long a resolved name is kept (the system resolver does not report TTLs).
inline constexpr std::chrono::seconds resolver_cache_time{60};

} // namespace siphost::net
