// bench_udp_relay LISTEN_PORT UAC_PORT UAS_PORT: the do-nothing relay of the proxy benchmark, on 127.0.0.1.
// Stops on SIGINT/SIGTERM and prints how many datagrams it relayed.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "udp_relay.hpp"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_stop_signal(int) {
    stop_requested = 1;
}

bool parse_port(const char* text, std::uint16_t& port) {
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < 1 || value > 65535)
        return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

} // namespace

int main(int argc, char** argv) {
    std::uint16_t listen_port = 0, uac_port = 0, uas_port = 0;
    if (argc != 4 || !parse_port(argv[1], listen_port) || !parse_port(argv[2], uac_port) ||
        !parse_port(argv[3], uas_port)) {
        std::fprintf(stderr, "usage: %s LISTEN_PORT UAC_PORT UAS_PORT (all on 127.0.0.1)\n", argv[0]);
        return 2;
    }
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    try {
        siphost::bench::udp_relay relay(listen_port, uac_port, uas_port);
        std::fprintf(stderr, "relaying on 127.0.0.1:%u: from port %u to %u and back\n", listen_port, uac_port,
                     uas_port);
        const auto relayed = relay.run(stop_requested);
        std::fprintf(stderr, "stopped after relaying %llu datagrams\n",
                     static_cast<unsigned long long>(relayed));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_udp_relay: %s\n", error.what());
        return 1;
    }
    return 0;
}
