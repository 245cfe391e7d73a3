#pragma once
// One binrpc listen address as the binrpc modparam writes it (Kamailio's forms): "unix:/path", "unixs:/path",
// "/path" (unix stream), "unixd:/path" (unix datagram), "tcp:host:port", "tcp:port", "udp:host:port",
// "host:port" (udp); a host of "*" or none binds every address.
#include <string>
#include <string_view>

namespace siphost::modules::ctl {

struct listener {
    enum class kind { unix_stream, unix_dgram, tcp, udp };
    kind type = kind::unix_stream;
    std::string path; ///< unix sockets
    std::string host; ///< tcp and udp ("" for any)
    std::string port;
    int fd = -1;

    /// Parses a binrpc value; false with a reason.
    static bool parse(std::string_view text, listener& out, std::string& error);
    /// Opens, binds and listens; unix sockets get mode and owner (uid/gid -1: unchanged). False with a
    /// reason.
    bool open(unsigned mode, int uid, int gid, std::string& error);
    /// Closes, and removes a unix socket's file.
    void close();
    bool is_stream() const { return type == kind::unix_stream || type == kind::tcp; }
    /// "unix_stream:/path", "tcp:127.0.0.1:2046", as ctl.listen shows it.
    std::string name() const;
};

} // namespace siphost::modules::ctl
