#include "sip/reply_destination.hpp"

#include "sip/chars.hpp"
#include "sip/uri.hpp"

namespace siphost::sip {

uint16_t default_port(std::string_view transport) {
    return chars::iequals(transport, "TLS") ? 5061 : 5060;
}

destination destination_of(const via& v, uint16_t source_port) {
    destination d;
    d.transport = v.transport;
    uint16_t sent_by_port = v.has_port ? v.port : default_port(v.transport);
    auto set_host = [&d](std::string_view host) {
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        d.host = host;
        d.host_is_name = classify_host(host) == host_type::name;
    };
    if (!v.maddr.empty()) {
        set_host(v.maddr);
        d.port = sent_by_port;
    } else if (!v.received.empty()) {
        set_host(v.received);
        if (v.has_rport && v.rport != 0)
            d.port = v.rport;
        else if (v.has_rport && source_port != 0)
            d.port = source_port;
        else
            d.port = sent_by_port;
    } else {
        set_host(v.host);
        d.port = sent_by_port;
    }
    return d;
}

std::optional<destination> reply_destination(const message& request, uint16_t source_port) {
    if (!request.status().ok() || !request.is_request() || request.via_count() == 0)
        return std::nullopt;
    return destination_of(*request.via_at(0), source_port);
}

std::optional<destination> relay_destination(const message& reply) {
    if (!reply.status().ok() || reply.is_request() || reply.via_count() < 2)
        return std::nullopt;
    return destination_of(*reply.via_at(1));
}

bool is_unsafe_destination(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    switch (classify_host(host)) {
    case host_type::ipv4: {
        if (host == "255.255.255.255" || host == "0.0.0.0")
            return true;
        uint64_t first = 0;
        chars::parse_uint(host.substr(0, host.find('.')), 255, first);
        return first >= 224 && first <= 239;
    }
    case host_type::ipv6: {
        std::string_view h = host;
        if (h.size() >= 2 && chars::iequals(h.substr(0, 2), "ff"))
            return true;
        bool all_zero = true;
        for (char c : h)
            if (c != ':' && c != '0')
                all_zero = false;
        return all_zero;
    }
    default:
        return false;
    }
}

} // namespace siphost::sip
