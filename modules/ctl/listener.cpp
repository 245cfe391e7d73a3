#include "listener.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace siphost::modules::ctl {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

} // namespace

bool listener::parse(std::string_view text, listener& out, std::string& error) {
    out = listener{};
    auto unix_path = [&](std::string_view path, kind type) {
        if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) {
            error = "binrpc '" + std::string(text) + "': the socket path is empty or too long";
            return false;
        }
        out.type = type;
        out.path = std::string(path);
        return true;
    };
    if (starts_with(text, "unixs:"))
        return unix_path(text.substr(6), kind::unix_stream);
    if (starts_with(text, "unixd:"))
        return unix_path(text.substr(6), kind::unix_dgram);
    if (starts_with(text, "unix:"))
        return unix_path(text.substr(5), kind::unix_stream);
    if (starts_with(text, "/"))
        return unix_path(text, kind::unix_stream);
    std::string_view address = text;
    out.type = kind::udp;
    if (starts_with(text, "tcp:")) {
        out.type = kind::tcp;
        address = text.substr(4);
    } else if (starts_with(text, "udp:")) {
        address = text.substr(4);
    }
    auto colon = address.rfind(':');
    std::string_view host = colon == std::string_view::npos ? std::string_view() : address.substr(0, colon);
    std::string_view port = colon == std::string_view::npos ? address : address.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host == "*")
        host = {};
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port)
        digits = digits && c >= '0' && c <= '9';
    if (!digits || std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535) {
        error = "binrpc '" + std::string(text) + "': the port is not a number from 1 to 65535";
        return false;
    }
    out.host = std::string(host);
    out.port = std::string(port);
    return true;
}

bool listener::open(unsigned mode, int uid, int gid, std::string& error) {
    if (type == kind::unix_stream || type == kind::unix_dgram) {
        fd = ::socket(AF_UNIX,
                      (type == kind::unix_stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK,
                      0);
        if (fd < 0) {
            error = errno_text("socket");
            return false;
        }
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        // A socket file left by an earlier run would make bind fail, as in Kamailio.
        ::unlink(path.c_str());
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            error = errno_text("bind " + path);
            close();
            return false;
        }
        if (::chmod(path.c_str(), mode) != 0) {
            error = errno_text("chmod " + path);
            close();
            return false;
        }
        if ((uid >= 0 || gid >= 0) &&
            ::chown(path.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0) {
            error = errno_text("chown " + path);
            close();
            return false;
        }
    } else {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = type == kind::tcp ? SOCK_STREAM : SOCK_DGRAM;
        hints.ai_flags = AI_PASSIVE;
        addrinfo* found = nullptr;
        int status = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
        if (status != 0 || found == nullptr) {
            error = "cannot resolve '" + host + "': " + ::gai_strerror(status);
            return false;
        }
        fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int on = 1;
        bool ok = fd >= 0 && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 &&
                  ::bind(fd, found->ai_addr, found->ai_addrlen) == 0;
        ::freeaddrinfo(found);
        if (!ok) {
            error = errno_text("bind " + name());
            close();
            return false;
        }
    }
    if (is_stream() && ::listen(fd, 16) != 0) {
        error = errno_text("listen " + name());
        close();
        return false;
    }
    return true;
}

void listener::close() {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
        if (!path.empty())
            ::unlink(path.c_str());
    }
}

std::string listener::name() const {
    switch (type) {
    case kind::unix_stream:
        return "unix_stream:" + path;
    case kind::unix_dgram:
        return "unix_dgram:" + path;
    case kind::tcp:
        return "tcp:" + (host.empty() ? std::string("*") : host) + ":" + port;
    default:
        return "udp:" + (host.empty() ? std::string("*") : host) + ":" + port;
    }
}

} // namespace siphost::modules::ctl
