#pragma once
// The host's side of the "core.websocket" API (siphost/api/websocket.h): lets the websocket module upgrade,
// ping and close the TCP transport's connections. One transport per process, as the ABI's C functions carry
// no object.

#include <siphost/api/websocket.h>

namespace siphost::net {

class tcp_transport;
class tcp_connection;

class ws_bridge {
public:
    /// The table the host publishes.
    static const siphost_ws_host_v1* table();
    /// The transport its functions reach (null: none, they fail).
    static void attach(tcp_transport* tcp);
    /// Tells the module's on_close function that an upgraded connection closed (io thread).
    static void closed(const tcp_connection& connection);
};

} // namespace siphost::net
