#include "inprocess_host.hpp"

#include "app/server.hpp"
#include "core/command_line.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace siphost::tests {
namespace {

/// Binds a UDP socket on 127.0.0.1:port (0: any) and returns the port, or 0 when it is taken.
uint16_t bind_udp(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        throw std::runtime_error("no UDP socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    uint16_t bound = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        socklen_t len = sizeof address;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) == 0)
            bound = ntohs(address.sin_port);
    }
    ::close(fd);
    return bound;
}

/// Whether a UDP socket is bound to 127.0.0.1:port in this network namespace. Read from the kernel's table,
/// not by trying to bind: a probe that holds the port for a moment can make the host's own bind fail.
bool udp_port_bound(uint16_t port) {
    std::ifstream table("/proc/self/net/udp");
    char wanted[16];
    std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
    std::string line;
    std::getline(table, line); // the header
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local;
        if (fields >> slot >> local && local == wanted)
            return true;
    }
    return false;
}

} // namespace

inprocess_host::inprocess_host(std::string_view config) {
    char pattern[] = "/tmp/siphost-inprocess-XXXXXX";
    if (::mkdtemp(pattern) == nullptr)
        throw std::runtime_error("no scratch directory");
    dir_ = pattern;
    port_ = bind_udp(0);
    std::ofstream(dir_ / "siphost.cfg") << "listen=udp:127.0.0.1:" << port_ << "\n" << config;

    core::command_line options;
    options.config_file = (dir_ / "siphost.cfg").string();
    options.config_file_given = true;
    options.module_path = SIPHOST_MODULE_DIR;
    options.log_to_stderr = true;
    options.foreground = 2;

    // The server thread waits for SIGINT with sigwait: no other thread of the process may take it.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    thread_ = std::thread([this, options] {
        int status = 1;
        try {
            status = app::run_server(options);
        } catch (const std::exception& e) {
            fprintf(stderr, "inprocess_host: %s\n", e.what());
        }
        status_ = status;
        done_ = true;
    });
    // Ready once the host has bound its port (modules are initialised by then).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!udp_port_bound(port_)) {
        if (done_ || std::chrono::steady_clock::now() >= deadline) {
            stop();
            throw std::runtime_error("siphost did not start in process (exit status " +
                                     std::to_string(status_.load()) + "); its log is on stderr");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

inprocess_host::~inprocess_host() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

int inprocess_host::stop() {
    if (thread_.joinable()) {
        if (!done_)
            ::kill(::getpid(), SIGINT);
        thread_.join();
    }
    return status_;
}

} // namespace siphost::tests
