#include "dgram_server.hpp"

#include <siphost/module.h>

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace siphost::modules::jsonrpcs {

dgram_server::dgram_server(options opts, handler_fn handler, too_large_fn too_large, log_fn log)
    : opts_(std::move(opts)), handler_(std::move(handler)), too_large_(std::move(too_large)),
      log_(std::move(log)), buffer_(opts_.max_size + 1) {}

dgram_server::~dgram_server() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(opts_.path.c_str());
    }
}

bool dgram_server::open(std::string& error) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (opts_.path.empty() || opts_.path.size() >= sizeof addr.sun_path) {
        error = "dgram_socket '" + opts_.path + "' is not a usable unix socket path (at most " +
                std::to_string(sizeof addr.sun_path - 1) + " bytes)";
        return false;
    }
    std::memcpy(addr.sun_path, opts_.path.c_str(), opts_.path.size() + 1);
    struct stat st {};
    if (::lstat(opts_.path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            error = opts_.path + " exists and is not a socket";
            return false;
        }
        ::unlink(opts_.path.c_str());
    }
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        error = std::string("cannot create datagram socket: ") + std::strerror(errno);
        return false;
    }
    // Bound with the umask tightened, so the socket is never reachable before its mode is set.
    mode_t old_mask = ::umask(0077);
    int bound = ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    int bind_errno = errno;
    ::umask(old_mask);
    if (bound != 0) {
        error = "cannot bind " + opts_.path + ": " + std::strerror(bind_errno);
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    if (!opts_.owner.apply(opts_.path, error)) {
        ::close(fd_);
        fd_ = -1;
        ::unlink(opts_.path.c_str());
        return false;
    }
    return true;
}

void dgram_server::poll() {
    if (fd_ < 0)
        return;
    for (int round = 0; round < 64; ++round) {
        sockaddr_un from{};
        socklen_t from_len = sizeof from;
        ssize_t n = ::recvfrom(fd_, buffer_.data(), buffer_.size(), MSG_TRUNC,
                               reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        std::string reply = static_cast<size_t>(n) > opts_.max_size
                                ? too_large_(static_cast<size_t>(n))
                                : handler_(std::string_view(buffer_.data(), static_cast<size_t>(n)));
        if (from_len <= sizeof(sa_family_t)) {
            log_(SIPHOST_LOG_WARN, "datagram " + opts_.path + ": request from an unbound socket: no reply");
            continue;
        }
        int sent = -1;
        for (int attempt = 0; attempt < 2; ++attempt) {
            sent = static_cast<int>(::sendto(fd_, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                                             reinterpret_cast<const sockaddr*>(&from), from_len));
            if (sent >= 0 || errno != EAGAIN)
                break;
            // The client's queue is full: wait once for room, at most timeout_ms.
            pollfd pfd{fd_, POLLOUT, 0};
            ::poll(&pfd, 1, static_cast<int>(opts_.timeout_ms));
        }
        if (sent < 0)
            log_(SIPHOST_LOG_ERR, "datagram " + opts_.path + ": reply not sent: " + std::strerror(errno));
    }
}

} // namespace siphost::modules::jsonrpcs
