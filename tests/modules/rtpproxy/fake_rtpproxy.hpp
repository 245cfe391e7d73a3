#pragma once
// A scripted rtpproxy on loopback for the rtpproxy tests (Debian has no rtpproxy package).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace siphost::tests {

/// A scripted rtpproxy: answers V with 20040107, U and L with a port and its address, D with 0, and
/// records every command. On a UDP port, or on a unix stream socket (one command per connection). Polls in
/// 50 ms steps until destroyed.
class fake_rtpproxy {
public:
    explicit fake_rtpproxy(uint16_t port, std::string media_ip = "192.0.2.50")
        : media_ip_(std::move(media_ip)) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw std::runtime_error("fake rtpproxy: cannot bind port " + std::to_string(port));
        thread_ = std::thread([this] { run(); });
    }
    /// On a unix stream socket at path.
    explicit fake_rtpproxy(const std::string& path) : media_ip_("192.0.2.60"), path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (path.size() >= sizeof addr.sun_path)
            throw std::runtime_error("fake rtpproxy: path too long");
        path.copy(addr.sun_path, path.size());
        ::unlink(path.c_str());
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(fd_, 8) != 0)
            throw std::runtime_error("fake rtpproxy: cannot listen on " + path);
        thread_ = std::thread([this] { run(); });
    }
    ~fake_rtpproxy() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
        if (!path_.empty())
            ::unlink(path_.c_str());
    }
    std::vector<std::string> commands() const {
        std::lock_guard lock(mutex_);
        return commands_;
    }
    /// The first recorded command starting with prefix, or "".
    std::string command(std::string_view prefix) const {
        for (const std::string& c : commands())
            if (c.starts_with(prefix))
                return c;
        return "";
    }

private:
    void run() {
        // Signals are for the host's own threads (an in-process host sigwaits for SIGINT).
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, nullptr);
        int next_port = 35000;
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) != 1)
                continue;
            char buf[2048];
            sockaddr_in from{};
            socklen_t len = sizeof from;
            int conn = -1;
            ssize_t n = 0;
            if (path_.empty()) {
                n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            } else {
                conn = ::accept(fd_, nullptr, nullptr);
                pollfd c{conn, POLLIN, 0};
                n = conn >= 0 && ::poll(&c, 1, 1000) == 1 ? ::recv(conn, buf, sizeof buf, 0) : -1;
            }
            if (n <= 0) {
                if (conn >= 0)
                    ::close(conn);
                continue;
            }
            std::string text(buf, static_cast<size_t>(n));
            while (!text.empty() && text.back() == '\n')
                text.pop_back();
            size_t space = text.find(' ');
            std::string cookie = text.substr(0, space);
            std::string cmd = space == std::string::npos ? "" : text.substr(space + 1);
            {
                std::lock_guard lock(mutex_);
                commands_.push_back(cmd);
            }
            std::string reply;
            if (cmd == "V")
                reply = "20040107";
            else if (cmd.starts_with("U") || cmd.starts_with("L"))
                reply = std::to_string(next_port += 2) + " " + media_ip_ + " 4"; // and the address family
            else if (cmd.starts_with("D"))
                reply = "0";
            else
                reply = "E1";
            reply = cookie + " " + reply + "\n";
            if (conn >= 0) {
                ::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL);
                ::close(conn);
            } else {
                ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
            }
        }
    }

    std::string media_ip_;
    std::string path_; ///< unix socket path; empty: UDP
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<std::string> commands_;
};

} // namespace siphost::tests
