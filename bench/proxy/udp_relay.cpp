#include "udp_relay.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <system_error>
#include <unistd.h>

namespace siphost::bench {

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

} // namespace

udp_relay::udp_relay(std::uint16_t listen_port, std::uint16_t uac_port, std::uint16_t uas_port)
    : uac_port_(uac_port), uas_port_(uas_port) {
    socket_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (socket_ < 0)
        throw std::system_error(errno, std::generic_category(), "socket");
    // Same buffer size a proxy would ask for, so bursts are not dropped by the floor only.
    int size = 1 << 20;
    ::setsockopt(socket_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ::setsockopt(socket_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    // A receive that waits at most 100 ms lets run() see a stop request that came between two system calls.
    const timeval wait_limit{0, 100'000};
    ::setsockopt(socket_, SOL_SOCKET, SO_RCVTIMEO, &wait_limit, sizeof wait_limit);
    const sockaddr_in address = loopback(listen_port);
    if (::bind(socket_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        ::close(socket_);
        throw std::system_error(error, std::generic_category(), "bind 127.0.0.1");
    }
}

udp_relay::~udp_relay() {
    if (socket_ >= 0)
        ::close(socket_);
}

std::uint16_t udp_relay::destination_for(std::uint16_t source_port) const {
    if (source_port == uac_port_)
        return uas_port_;
    if (source_port == uas_port_)
        return uac_port_;
    return 0;
}

std::uint64_t udp_relay::run(const volatile std::sig_atomic_t& stop) {
    std::uint64_t relayed = 0;
    while (stop == 0) {
        sockaddr_in source{};
        socklen_t source_length = sizeof source;
        const ssize_t length = ::recvfrom(socket_, buffer_.data(), buffer_.size(), 0,
                                          reinterpret_cast<sockaddr*>(&source), &source_length);
        if (length < 0) {
            // Timeouts and signals only bring us back to the stop check; ECONNREFUSED reports an earlier send
            // to a peer that was not listening yet. Anything else means the socket is unusable.
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNREFUSED)
                continue;
            return relayed;
        }
        // Only loopback peers are relayed, and only to loopback: nothing leaves the machine.
        if (source.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
            continue;
        const std::uint16_t port = destination_for(ntohs(source.sin_port));
        if (port == 0)
            continue;
        const sockaddr_in destination = loopback(port);
        if (::sendto(socket_, buffer_.data(), static_cast<std::size_t>(length), 0,
                     reinterpret_cast<const sockaddr*>(&destination), sizeof destination) >= 0)
            ++relayed;
    }
    return relayed;
}

} // namespace siphost::bench
