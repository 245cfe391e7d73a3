// htable.dump read in process from the real host: its reply nests an array of items in each slot's struct
// (Kamailio's shape), which kamcmd cannot receive from ctl yet, so it is checked here as the JSON text.
#include "inprocess_host.hpp"

#include "core/rpc.hpp"

#include <gtest/gtest.h>

namespace {

std::string call(std::string_view name, const std::vector<siphost::core::rpc_param>& params) {
    auto reply = siphost::core::rpc_registry::instance().call(name, params);
    return reply ? siphost::core::to_text(*reply) : "(no such command)";
}

TEST(modules_htable_rpc, dump_has_kamailios_shape) {
    siphost::tests::inprocess_host proxy(R"(
debug=2
children=1
loadmodule "sl"
loadmodule "htable"
modparam("htable", "htable", "t=>size=2;")
request_route { sl_send_reply("404", "x"); }
)");
    EXPECT_EQ(call("htable.dump", {std::string("t")}), "[]");
    EXPECT_EQ(call("htable.sets", {std::string("t"), std::string("s"), std::string("abc")}),
              "[\"Ok. Key set to new value.\"]");
    EXPECT_EQ(call("htable.seti", {std::string("t"), std::string("n"), int64_t{12}}),
              "[\"Ok. Key set to new value.\"]");
    std::string dump = call("htable.dump", {std::string("t")});
    EXPECT_NE(dump.find("\"size\": 1, \"slot\": [{\"name\": \"s\", \"value\": \"abc\", \"type\": \"str\"}]}"),
              std::string::npos)
        << dump;
    EXPECT_NE(dump.find("\"size\": 1, \"slot\": [{\"name\": \"n\", \"value\": 12, \"type\": \"int\"}]}"),
              std::string::npos)
        << dump;
    EXPECT_EQ(dump.rfind("[{\"entry\": ", 0), 0u) << dump;
    // Colliding keys share a slot's array: fill 4 slots with 6 keys.
    for (int i = 0; i < 6; ++i)
        call("htable.seti", {std::string("t"), "k" + std::to_string(i), int64_t{i}});
    dump = call("htable.dump", {std::string("t")});
    EXPECT_NE(dump.find("}, {\"name\": "), std::string::npos) << "a slot with two items: " << dump;
    EXPECT_EQ(call("htable.dump", {std::string("nope")}), "fault 500: No such htable") << "fault text";
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
