#pragma once
// The real siphost server (app::run_server, what the siphost binary runs) on a thread of the test process,
// for what has no wire form yet: RPC commands through core::rpc_registry, read while the host serves SIP
// that the test sends with the test kit's peers.
//
// One per process: the host's registries are singletons. Each test case runs in a process of its own
// (gtest_discover_tests), so a case may start one.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <thread>

namespace siphost::tests {

/// siphost serving config (listen=udp:127.0.0.1:PORT is put in front) until stop() or destruction.
class inprocess_host {
public:
    /// Throws std::runtime_error when the host does not start (its reasons went to stderr).
    explicit inprocess_host(std::string_view config);
    ~inprocess_host();
    inprocess_host(const inprocess_host&) = delete;
    inprocess_host& operator=(const inprocess_host&) = delete;

    uint16_t port() const { return port_; }
    /// Stops the host with SIGINT, as an operator would; returns run_server's status. Idempotent.
    int stop();

private:
    std::filesystem::path dir_;
    uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<bool> done_{false};
    std::atomic<int> status_{-1};
};

} // namespace siphost::tests
