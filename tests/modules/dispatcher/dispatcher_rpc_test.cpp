// dispatcher.list, dispatcher.set_state and dispatcher.reload from the real host in process, with Kamailio's
// reply shapes; a reload of a bad list file keeps the sets in use.
#include "../inprocess_host.hpp"

#include "core/rpc.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace {

std::string list_text(const std::string& text) {
    std::string path =
        (std::filesystem::temp_directory_path() / ("dispatcher-rpc-" + std::to_string(getpid()))).string();
    std::ofstream(path) << text;
    return path;
}

std::string call(const std::string& name, const std::vector<siphost::core::rpc_param>& params = {}) {
    auto reply = siphost::core::rpc_registry::instance().call(name, params);
    return reply ? siphost::core::to_text(*reply) : "no reply";
}

TEST(modules_dispatcher_rpc, list_set_state_and_reload) {
    std::string path =
        list_text("1 sip:127.0.0.1:5071 0 5 weight=50\n1 sip:127.0.0.1:5072 8\n2 sip:127.0.0.2\n");
    siphost::tests::inprocess_host proxy(
        "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"tm\"\n"
        "loadmodule \"dispatcher\"\nmodparam(\"dispatcher\", \"list_file\", \"" +
        path + "\")\nrequest_route { sl_send_reply(\"200\", \"OK\"); }\n");
    const std::string target1 =
        "{\"DEST\": {\"URI\": \"sip:127.0.0.1:5071\", \"FLAGS\": \"AX\", \"PRIORITY\": 5, "
        "\"ATTRS\": {\"BODY\": \"weight=50\", \"DUID\": \"\", \"MAXLOAD\": 0, \"WEIGHT\": 50, \"RWEIGHT\": "
        "0}}}";
    const std::string target2 =
        "{\"DEST\": {\"URI\": \"sip:127.0.0.1:5072\", \"FLAGS\": \"AP\", \"PRIORITY\": 0, "
        "\"ATTRS\": {\"BODY\": \"\", \"DUID\": \"\", \"MAXLOAD\": 0, \"WEIGHT\": 0, \"RWEIGHT\": 0}}}";
    const std::string set2 =
        "{\"SET\": {\"ID\": 2, \"TARGETS\": [{\"DEST\": {\"URI\": \"sip:127.0.0.2\", "
        "\"FLAGS\": \"AX\", \"PRIORITY\": 0, \"ATTRS\": {\"BODY\": \"\", \"DUID\": \"\", "
        "\"MAXLOAD\": 0, \"WEIGHT\": 0, "
        "\"RWEIGHT\": 0}}}]}}";
    EXPECT_EQ(call("dispatcher.list"), "[{\"NRSETS\": 2, \"RECORDS\": [{\"SET\": {\"ID\": 1, \"TARGETS\": [" +
                                           target1 + ", " + target2 + "]}}, " + set2 + "]}]");

    EXPECT_EQ(
        call("dispatcher.set_state", {std::string("ip"), int64_t{1}, std::string("sip:127.0.0.1:5071")}),
        "[]");
    EXPECT_NE(call("dispatcher.list").find("\"URI\": \"sip:127.0.0.1:5071\", \"FLAGS\": \"IP\""),
              std::string::npos);
    EXPECT_EQ(call("dispatcher.set_state", {std::string("d"), int64_t{1}, std::string("all")}), "[]");
    EXPECT_NE(call("dispatcher.list").find("\"URI\": \"sip:127.0.0.1:5072\", \"FLAGS\": \"DX\""),
              std::string::npos);
    EXPECT_NE(call("dispatcher.set_state", {std::string("a"), int64_t{7}, std::string("sip:127.0.0.1:5071")})
                  .find("fault"),
              std::string::npos);
    EXPECT_NE(call("dispatcher.set_state", {std::string("q"), int64_t{1}, std::string("sip:127.0.0.1:5071")})
                  .find("Invalid State"),
              std::string::npos);

    // A bad line: the reload fails naming it, the sets stay.
    std::ofstream(path) << "1 sip:127.0.0.1:5073\nbad line here\n";
    std::string failed = call("dispatcher.reload");
    EXPECT_NE(failed.find("line 2"), std::string::npos) << failed;
    EXPECT_NE(call("dispatcher.list").find("\"NRSETS\": 2"), std::string::npos);

    std::ofstream(path) << "5 sip:127.0.0.1:5073\n";
    EXPECT_EQ(call("dispatcher.reload"), "[\"Ok. Dispatcher successfully reloaded.\"]");
    std::string after = call("dispatcher.list");
    EXPECT_NE(after.find("\"NRSETS\": 1"), std::string::npos) << after;
    EXPECT_NE(after.find("\"ID\": 5"), std::string::npos) << after;
    EXPECT_EQ(proxy.stop(), 0);
    std::filesystem::remove(path);
}

} // namespace
