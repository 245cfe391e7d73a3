// rtpproxy.list and rtpproxy.enable, read and called in process from the real host while it serves SIP:
// a proxy disabled by hand is not used, and enabled again it is.
#include "fake_rtpproxy.hpp"
#include "inprocess_host.hpp"

#include "core/rpc.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

namespace kit = siphost::testkit;
using siphost::core::rpc_registry;

namespace {

const std::string sdp = "v=0\r\no=alice 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
                        "m=audio 49170 RTP/AVP 0\r\n";

std::string offer(kit::peer& uac, kit::peer& uas, uint16_t proxy_port) {
    kit::request_options options;
    options.extra_headers = "Content-Type: application/sdp\r\n";
    options.body = sdp;
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1:5099", uac, options), proxy_port);
    auto got = uas.receive();
    return got ? got->body() : "no request relayed";
}

TEST(modules_rtpproxy_rpc, list_and_enable) {
    siphost::tests::fake_rtpproxy rtpp(7722);
    siphost::tests::inprocess_host proxy(R"(
debug=2
children=1
loadmodule "rtpproxy"
modparam("rtpproxy", "rtpproxy_sock", "udp:127.0.0.1:7722 udp:127.0.0.1:7799=2")
modparam("rtpproxy", "rtpproxy_retr", 0)
request_route { rtpproxy_offer(); forward("127.0.0.1", 5099); }
)");
    kit::peer uas{5099};
    kit::peer uac;
    std::string list = siphost::core::to_text(*rpc_registry::instance().call("rtpproxy.list", {}));
    EXPECT_NE(list.find("\"url\": \"udp:127.0.0.1:7722\", \"index\": 0, \"disabled\": 0, \"weight\": 1"),
              std::string::npos)
        << list;
    EXPECT_NE(list.find("\"url\": \"udp:127.0.0.1:7799\", \"index\": 1, \"disabled\": 1, \"weight\": 2"),
              std::string::npos)
        << list;

    rpc_registry::instance().call("rtpproxy.enable", {std::string("udp:127.0.0.1:7722"), int64_t{0}});
    list = siphost::core::to_text(*rpc_registry::instance().call("rtpproxy.list", {}));
    EXPECT_NE(list.find("\"url\": \"udp:127.0.0.1:7722\", \"index\": 0, \"disabled\": 1"), std::string::npos)
        << list;
    EXPECT_EQ(offer(uac, uas, proxy.port()), sdp); // no proxy to use: untouched

    rpc_registry::instance().call("rtpproxy.enable", {std::string("udp:127.0.0.1:7722"), int64_t{1}});
    EXPECT_NE(offer(uac, uas, proxy.port()).find("m=audio 35002 "), std::string::npos);

    std::string fault = siphost::core::to_text(
        *rpc_registry::instance().call("rtpproxy.enable", {std::string("udp:x:1"), int64_t{1}}));
    EXPECT_NE(fault.find("no such rtpproxy"), std::string::npos) << fault;
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
