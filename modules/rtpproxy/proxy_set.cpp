#include "proxy_set.hpp"

#include <siphost/module.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <functional>

namespace siphost::modules::rtpproxy {
namespace {

constexpr std::string_view supported_version = "20040107";

/// A socket closed when it goes out of scope.
struct fd_guard {
    int fd = -1;
    ~fd_guard() {
        if (fd >= 0)
            ::close(fd);
    }
};

std::unique_ptr<proxy> parse_url(std::string_view text) {
    auto p = std::make_unique<proxy>();
    p->url.assign(text);
    size_t eq = text.rfind('=');
    if (eq != std::string_view::npos) {
        std::string weight(text.substr(eq + 1));
        char* end = nullptr;
        long w = std::strtol(weight.c_str(), &end, 10);
        if (weight.empty() || *end != '\0' || w < 1 || w > 1000)
            throw sdk::config_error("rtpproxy_sock: the weight in '" + std::string(text) +
                                    "' must be a number from 1 to 1000");
        p->weight = static_cast<int>(w);
        text = text.substr(0, eq);
        p->url.assign(text);
    }
    if (text.starts_with("unix:")) {
        p->unix_socket = true;
        p->host.assign(text.substr(5));
        if (p->host.empty() || p->host.size() >= sizeof(sockaddr_un{}.sun_path))
            throw sdk::config_error("rtpproxy_sock: '" + std::string(text) + "' needs a socket path");
        return p;
    }
    if (text.starts_with("udp:"))
        text.remove_prefix(4);
    else if (text.starts_with("udp6:"))
        throw sdk::config_error("rtpproxy_sock: IPv6 proxies are not supported yet: '" + std::string(text) +
                                "'");
    else if (text.find(':') == std::string_view::npos || text.starts_with("tcp:"))
        throw sdk::config_error("rtpproxy_sock: '" + std::string(text) +
                                "' is not udp:ADDRESS:PORT or unix:PATH");
    size_t colon = text.rfind(':');
    std::string host(text.substr(0, colon == std::string_view::npos ? text.size() : colon));
    std::string port = colon == std::string_view::npos ? "" : std::string(text.substr(colon + 1));
    if (host == "localhost")
        host = "127.0.0.1";
    in_addr addr{};
    char* end = nullptr;
    long port_number = port.empty() ? 0 : std::strtol(port.c_str(), &end, 10);
    if (inet_pton(AF_INET, host.c_str(), &addr) != 1)
        throw sdk::config_error("rtpproxy_sock: '" + host +
                                "' is not an IPv4 address (names are not resolved)");
    if (port.empty() || *end != '\0' || port_number < 1 || port_number > 65535)
        throw sdk::config_error("rtpproxy_sock: '" + std::string(text) + "' needs a port from 1 to 65535");
    p->host = host;
    p->port = static_cast<uint16_t>(port_number);
    return p;
}

} // namespace

void proxy_set::add(std::string_view value) {
    value = sdk::trim(value);
    int id = 0;
    size_t sep = value.find("==");
    if (sep != std::string_view::npos) {
        std::string number(sdk::trim(value.substr(0, sep)));
        char* end = nullptr;
        long n = std::strtol(number.c_str(), &end, 10);
        if (number.empty() || *end != '\0' || n < 0 || n > 1000000)
            throw sdk::config_error("rtpproxy_sock: the set '" + number + "' must be a number");
        id = static_cast<int>(n);
        value = sdk::trim(value.substr(sep + 2));
    }
    proxy_group* g = group(id);
    if (g == nullptr) {
        groups_.emplace_back();
        g = &groups_.back();
        g->id = id;
    }
    size_t before = g->proxies.size();
    while (!value.empty()) {
        size_t space = value.find_first_of(" \t");
        std::string_view url = value.substr(0, space);
        g->proxies.push_back(parse_url(url));
        value = space == std::string_view::npos ? std::string_view{} : sdk::trim(value.substr(space));
    }
    if (g->proxies.size() == before)
        throw sdk::config_error("rtpproxy_sock: no proxy given");
}

proxy_group* proxy_set::group(int id) {
    for (proxy_group& g : groups_)
        if (g.id == id)
            return &g;
    return nullptr;
}

void proxy_set::configure(int timeout_s, int retries, int disable_s) {
    timeout_s_ = timeout_s;
    retries_ = retries;
    disable_s_ = disable_s;
}

std::optional<std::string> proxy_set::exchange(proxy& p, std::string_view command) {
    std::string cookie = std::to_string(::getpid()) + "_" + std::to_string(++cookie_);
    std::string wire = cookie + " " + std::string(command) + "\n";
    char buf[1024];
    if (p.unix_socket) {
        // rtpproxy's unix socket is a stream: one command per connection, the reply ends with it.
        fd_guard s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, p.host.data(), p.host.size());
        if (s.fd < 0 || ::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::send(s.fd, wire.data(), wire.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(wire.size()))
            return std::nullopt;
        std::string reply;
        pollfd pfd{s.fd, POLLIN, 0};
        while (reply.size() < sizeof buf && ::poll(&pfd, 1, timeout_s_ * 1000) == 1) {
            ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            reply.append(buf, static_cast<size_t>(n));
            if (reply.find('\n') != std::string::npos)
                break;
        }
        if (!reply.starts_with(cookie + " "))
            return std::nullopt;
        reply.erase(0, cookie.size() + 1);
        while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r'))
            reply.pop_back();
        return reply;
    }
    fd_guard s{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(p.port);
    inet_pton(AF_INET, p.host.c_str(), &addr.sin_addr);
    if (s.fd < 0 || ::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return std::nullopt;
    for (int attempt = 0; attempt <= retries_; ++attempt) {
        if (::send(s.fd, wire.data(), wire.size(), 0) != static_cast<ssize_t>(wire.size()))
            return std::nullopt;
        pollfd pfd{s.fd, POLLIN, 0};
        // A reply with another cookie (a late answer to an earlier try) is skipped within the same wait.
        while (::poll(&pfd, 1, timeout_s_ * 1000) == 1) {
            ssize_t n = ::recv(s.fd, buf, sizeof buf - 1, 0);
            if (n <= 0)
                break; // ICMP port unreachable: try again after the others
            std::string_view reply(buf, static_cast<size_t>(n));
            if (!reply.starts_with(cookie) || reply.size() <= cookie.size() || reply[cookie.size()] != ' ')
                continue;
            reply.remove_prefix(cookie.size() + 1);
            while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r'))
                reply.remove_suffix(1);
            return std::string(reply);
        }
    }
    return std::nullopt;
}

bool proxy_set::check(proxy& p, uint64_t now_ms) {
    std::optional<std::string> reply = exchange(p, "V");
    bool ok = reply && sdk::trim(*reply) == supported_version;
    p.disabled = !ok;
    if (!ok)
        p.recheck_ms = now_ms + static_cast<uint64_t>(disable_s_) * 1000;
    return ok;
}

void proxy_set::check_all(uint64_t now_ms) {
    for (proxy_group& g : groups_)
        for (auto& p : g.proxies)
            check(*p, now_ms);
}

proxy* proxy_set::pick(proxy_group& group, std::string_view call_id, uint64_t now_ms) {
    int total = 0;
    for (auto& p : group.proxies) {
        if (p->manually_disabled)
            continue;
        if (p->disabled && now_ms >= p->recheck_ms)
            check(*p, now_ms);
        if (!p->disabled)
            total += p->weight;
    }
    if (total == 0)
        return nullptr;
    // The Call-ID picks the proxy, so that every request of a call reaches the same one.
    int at = static_cast<int>(std::hash<std::string_view>{}(call_id) % static_cast<size_t>(total));
    for (auto& p : group.proxies) {
        if (p->disabled || p->manually_disabled)
            continue;
        if (at < p->weight)
            return p.get();
        at -= p->weight;
    }
    return nullptr;
}

std::optional<std::string> proxy_set::send(proxy_group& group, std::string_view call_id,
                                           std::string_view command, uint64_t now_ms, proxy** used) {
    for (proxy* p = pick(group, call_id, now_ms); p != nullptr; p = pick(group, call_id, now_ms)) {
        std::optional<std::string> reply = exchange(*p, command);
        if (reply) {
            if (used != nullptr)
                *used = p;
            return reply;
        }
        p->disabled = true;
        p->recheck_ms = now_ms + static_cast<uint64_t>(disable_s_) * 1000;
    }
    return std::nullopt;
}

} // namespace siphost::modules::rtpproxy
