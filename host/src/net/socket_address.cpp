#include "net/socket_address.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstring>

namespace siphost::net {

void set_address(siphost_dest& out, const udp_endpoint& endpoint) {
    out.port = endpoint.port();
    std::memset(out.ip, 0, sizeof out.ip);
    if (endpoint.address().is_v4()) {
        out.family = 4;
        auto bytes = endpoint.address().to_v4().to_bytes();
        std::memcpy(out.ip, bytes.data(), bytes.size());
    } else {
        out.family = 6;
        auto bytes = endpoint.address().to_v6().to_bytes();
        std::memcpy(out.ip, bytes.data(), bytes.size());
    }
}

siphost_dest to_dest(const udp_endpoint& endpoint, siphost_socket* socket) {
    siphost_dest out{};
    out.struct_size = sizeof out;
    out.proto = SIPHOST_PROTO_UDP;
    out.socket = socket;
    set_address(out, endpoint);
    return out;
}

udp_endpoint to_endpoint(const siphost_dest& address) {
    if (address.family == 6) {
        boost::asio::ip::address_v6::bytes_type bytes;
        std::memcpy(bytes.data(), address.ip, bytes.size());
        return {boost::asio::ip::address_v6(bytes), address.port};
    }
    boost::asio::ip::address_v4::bytes_type bytes;
    std::memcpy(bytes.data(), address.ip, bytes.size());
    return {boost::asio::ip::address_v4(bytes), address.port};
}

std::string address_text(const udp_endpoint& endpoint) { return endpoint.address().to_string(); }

const std::vector<boost::asio::ip::address>& interface_addresses() {
    static const std::vector<boost::asio::ip::address> addresses = [] {
        std::vector<boost::asio::ip::address> found;
        ifaddrs* list = nullptr;
        if (getifaddrs(&list) != 0)
            return found;
        for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
            if (i->ifa_addr == nullptr)
                continue;
            if (i->ifa_addr->sa_family == AF_INET) {
                const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
                boost::asio::ip::address_v4::bytes_type bytes;
                std::memcpy(bytes.data(), &in->sin_addr, bytes.size());
                found.emplace_back(boost::asio::ip::address_v4(bytes));
            } else if (i->ifa_addr->sa_family == AF_INET6) {
                const auto* in6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
                boost::asio::ip::address_v6::bytes_type bytes;
                std::memcpy(bytes.data(), &in6->sin6_addr, bytes.size());
                found.emplace_back(boost::asio::ip::address_v6(bytes, in6->sin6_scope_id));
            }
        }
        freeifaddrs(list);
        return found;
    }();
    return addresses;
}

} // namespace siphost::net
