#include "net/socket_address.hpp"

#include <cstring>

namespace siphost::net {

siphost_addr to_siphost_addr(const udp_endpoint& endpoint) {
    siphost_addr out{};
    out.proto = SIPHOST_PROTO_UDP;
    out.port = endpoint.port();
    if (endpoint.address().is_v4()) {
        out.family = 4;
        auto bytes = endpoint.address().to_v4().to_bytes();
        std::memcpy(out.ip, bytes.data(), bytes.size());
    } else {
        out.family = 6;
        auto bytes = endpoint.address().to_v6().to_bytes();
        std::memcpy(out.ip, bytes.data(), bytes.size());
    }
    return out;
}

udp_endpoint to_endpoint(const siphost_addr& address) {
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

} // namespace siphost::net
