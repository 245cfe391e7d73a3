#include "net/resolver.hpp"

#include <boost/asio/ip/address.hpp>

#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <unordered_map>

namespace siphost::net {
namespace {

struct cached_name {
    std::optional<boost::asio::ip::address> address;
    std::string error;
    std::chrono::steady_clock::time_point expires;
};

// Per thread: workers never contend for it, and a name costs one lookup per worker per minute.
thread_local std::unordered_map<std::string, cached_name> name_cache;
constexpr size_t max_cached_names = 1024;

cached_name lookup(const std::string& name) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    cached_name result;
    int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
    if (rc != 0 || found == nullptr) {
        result.error = "cannot resolve '" + name + "': " + ::gai_strerror(rc);
        return result;
    }
    // Prefer IPv4 when both exist, as most SIP deployments on UDP still do.
    const addrinfo* chosen = found;
    for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next)
        if (ai->ai_family == AF_INET) {
            chosen = ai;
            break;
        }
    if (chosen->ai_family == AF_INET) {
        boost::asio::ip::address_v4::bytes_type bytes;
        std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(chosen->ai_addr)->sin_addr, 4);
        result.address = boost::asio::ip::address_v4(bytes);
    } else {
        boost::asio::ip::address_v6::bytes_type bytes;
        std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(chosen->ai_addr)->sin6_addr, 16);
        result.address = boost::asio::ip::address_v6(bytes);
    }
    return result;
}

} // namespace

resolve_result resolve_host(std::string_view host, uint16_t port) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty())
        return {std::nullopt, "empty host"};
    // Most targets are the same literal again and again (forward("127.0.0.1", 5080), a peer's Via): keep the
    // last one converted, so that a message costs no inet_pton.
    thread_local std::string last_literal;
    thread_local boost::asio::ip::address last_address;
    if (!last_literal.empty() && host == last_literal)
        return {udp_endpoint(last_address, port), {}};
    std::string name(host);
    boost::system::error_code ec;
    auto literal = boost::asio::ip::make_address(name, ec);
    if (!ec) {
        last_literal = name;
        last_address = literal;
        return {udp_endpoint(literal, port), {}};
    }

    auto now = std::chrono::steady_clock::now();
    auto it = name_cache.find(name);
    if (it == name_cache.end() || it->second.expires <= now) {
        if (name_cache.size() >= max_cached_names)
            name_cache.clear();
        auto fresh = lookup(name);
        fresh.expires = now + resolver_cache_time;
        it = name_cache.insert_or_assign(name, std::move(fresh)).first;
    }
    if (!it->second.address)
        return {std::nullopt, it->second.error};
    return {udp_endpoint(*it->second.address, port), {}};
}

} // namespace siphost::net
