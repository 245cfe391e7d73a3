// The floor of the proxy benchmark: a UDP relay that does nothing a proxy could skip. It reads a datagram and
// sends the same bytes on, choosing the destination by the sender's port alone (UAC -> UAS, UAS -> UAC), so
// its cost is the two system calls per datagram that any proxy pays too.
#pragma once

#include <array>
#include <csignal>
#include <cstdint>

namespace siphost::bench {

/// Relays datagrams on 127.0.0.1 between one UAC port and one UAS port, through one socket.
class udp_relay {
public:
    /// Binds 127.0.0.1:listen_port; throws std::system_error when the port cannot be bound.
    udp_relay(std::uint16_t listen_port, std::uint16_t uac_port, std::uint16_t uas_port);
    ~udp_relay();
    udp_relay(const udp_relay&) = delete;
    udp_relay& operator=(const udp_relay&) = delete;

    /// Relays until `stop` is set (checked at least every 100 ms) or receiving fails; returns the datagrams
    /// relayed.
    std::uint64_t run(const volatile std::sig_atomic_t& stop);

private:
    /// The port a datagram from `source_port` goes to, or 0 when it comes from neither peer.
    std::uint16_t destination_for(std::uint16_t source_port) const;

    int socket_ = -1;                  ///< the bound UDP socket, owned
    std::uint16_t uac_port_;           ///< where the UAC sends from and receives on
    std::uint16_t uas_port_;           ///< where the UAS listens
    std::array<char, 65536> buffer_{}; ///< one datagram, received and sent in place (no copy)
};

} // namespace siphost::bench
