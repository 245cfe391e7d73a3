#include "net/socket_address.hpp"

#include <charconv>
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

std::optional<listen_spec> parse_listen(std::string_view text) {
    listen_spec spec;
    for (std::string_view proto : {"udp:", "tcp:", "tls:", "sctp:"}) {
        if (text.starts_with(proto)) {
            spec.proto = std::string(proto.substr(0, proto.size() - 1));
            text.remove_prefix(proto.size());
            break;
        }
    }
    std::string_view port_text;
    if (text.starts_with("[")) {
        auto close = text.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        spec.host = std::string(text.substr(1, close - 1));
        auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':')
                return std::nullopt;
            port_text = rest.substr(1);
        }
    } else {
        auto colon = text.find(':');
        if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
            spec.host = std::string(text); // a bare IPv6 address, no port
        } else {
            spec.host = std::string(text.substr(0, colon));
            if (colon != std::string_view::npos)
                port_text = text.substr(colon + 1);
        }
    }
    if (spec.host.empty())
        return std::nullopt;
    if (!port_text.empty()) {
        unsigned port = 0;
        auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
            return std::nullopt;
        spec.port = static_cast<uint16_t>(port);
    }
    return spec;
}

} // namespace siphost::net
