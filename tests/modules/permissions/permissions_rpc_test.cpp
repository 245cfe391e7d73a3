// permissions' RPC commands in process, from the real host serving requests: addressDump, subnetDump and
// domainDump; addressReload that swaps in an edited file, keeps the old table and answers a fault when the
// new file is bad, and honours reload_delta; trustedReload and trustedDump over SQLite.
#include "inprocess_host.hpp"
#include "permissions_fixture.hpp"

#include "core/rpc.hpp"

#include <gtest/gtest.h>

using namespace permissions_test;

namespace {

std::string call(const char* name) {
    auto reply = siphost::core::rpc_registry::instance().call(name, {});
    return reply ? siphost::core::to_text(*reply) : "no reply";
}

std::string config(const std::string& params) {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"pv\"\nloadmodule \"db_sqlite\"\n"
           "loadmodule \"permissions\"\nmodparam(\"permissions\", \"peer_tag_avp\", \"$avp(tag)\")\n" +
           params + routes();
}

TEST(modules_permissions_rpc, address_reload_swaps_the_table_or_keeps_the_old_one) {
    scratch dir;
    std::string file = dir.write("address.list", "1 127.0.0.2 32 0 first\n2 10.0.0.0 8 5060 net\n"
                                                 "3 sip.example.org\n");
    siphost::tests::inprocess_host proxy(config("modparam(\"permissions\", \"address_file\", \"" + file +
                                                "\")\nmodparam(\"permissions\", \"reload_delta\", 0)\n"));
    kit::peer uac;
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc -1 tag <null>");
    EXPECT_EQ(call("permissions.addressDump"),
              R"([{"group": 1, "item": {"ip": "127.0.0.2", "port": 0, "tag": "first"}}])");
    EXPECT_EQ(
        call("permissions.subnetDump"),
        R"([{"id": 0, "group": 2, "item": {"ip": "10.0.0.0", "mask": 8, "port": 5060, "tag": "net"}}])");
    EXPECT_EQ(call("permissions.domainDump"),
              R"([{"group": 3, "item": {"domain_name": "sip.example.org", "port": 0, "tag": "NULL"}}])");

    dir.write("address.list", "1 127.0.0.1 32 0 second\n");
    EXPECT_EQ(call("permissions.addressReload"), R"(["Reload OK"])");
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc 1 tag second");
    EXPECT_EQ(call("permissions.subnetDump"), "[]");

    // A bad file: a fault naming the line, and the table in force stays.
    dir.write("address.list", "1 127.0.0.1\n1 127.0.0.1 32 port\n");
    EXPECT_EQ(call("permissions.addressReload"),
              "fault 500: Reload failed: address file " + file + " line 2: bad port \"port\" (an integer)");
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc 1 tag second");
    EXPECT_EQ(call("permissions.addressDump"),
              R"([{"group": 1, "item": {"ip": "127.0.0.1", "port": 0, "tag": "second"}}])");
    std::filesystem::remove(file);
    EXPECT_EQ(call("permissions.addressReload"),
              "fault 500: Reload failed: cannot open address file " + file);
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc 1 tag second");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions_rpc, reload_delta_limits_reloads) {
    scratch dir;
    std::string file = dir.write("address.list", "1 127.0.0.1\n");
    siphost::tests::inprocess_host proxy(
        config("modparam(\"permissions\", \"address_file\", \"" + file + "\")\n"));
    EXPECT_EQ(call("permissions.addressReload"), R"(["Reload OK"])");
    EXPECT_EQ(call("permissions.addressReload"), "fault 500: ongoing reload") << "within the default 5 s";
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions_rpc, trusted_and_address_tables_from_sqlite) {
    scratch dir;
    sqlite_file db(dir.path("kamailio.db"));
    db.exec("INSERT INTO address (grp, ip_addr, mask, port, tag) VALUES (1, '127.0.0.2', 32, 0, 'a');"
            "INSERT INTO trusted (src_ip, proto, from_pattern, tag, priority) VALUES "
            "('127.0.0.1', 'udp', '^sip:bob@', 'bob', 0);");
    siphost::tests::inprocess_host proxy(config("modparam(\"permissions\", \"db_url\", \"" + db.url() +
                                                "\")\nmodparam(\"permissions\", \"db_mode\", 1)\n"
                                                "modparam(\"permissions\", \"reload_delta\", 0)\n"));
    kit::peer uac;
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc -1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted"), "rc -1 tag <null>");
    EXPECT_EQ(call("permissions.trustedDump"),
              R"([{"item": {"ip": "127.0.0.1", "proto": 1, "pattern": "^sip:bob@", )"
              R"("ruri_pattern": "NULL", "tag": "bob", "priority": 0}}])");

    db.exec("UPDATE address SET ip_addr = '127.0.0.1';"
            "INSERT INTO trusted (src_ip, proto, tag, priority) VALUES ('127.0.0.1', 'any', 'all', 9);");
    EXPECT_EQ(call("permissions.addressReload"), R"(["Reload OK"])");
    EXPECT_EQ(call("permissions.trustedReload"), R"(["Reload OK"])");
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc 1 tag a");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted"), "rc 1 tag all");

    // A bad row: the reload is refused with the row named, and the tables in force stay.
    db.exec("INSERT INTO address (grp, ip_addr, mask, port) VALUES (-4, '127.0.0.9', 32, 0);"
            "INSERT INTO trusted (src_ip, proto, from_pattern) VALUES ('127.0.0.1', 'udp', '[');");
    std::string address = call("permissions.addressReload");
    EXPECT_NE(address.find("fault 500: Reload failed: table address row 2 (ip_addr \"127.0.0.9\"): bad grp"),
              std::string::npos)
        << address;
    std::string trusted = call("permissions.trustedReload");
    EXPECT_NE(
        trusted.find("fault 500: Reload failed: table trusted row 3 (src_ip \"127.0.0.1\"): bad regular "
                     "expression \"[\""),
        std::string::npos)
        << trusted;
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc 1 tag a");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted"), "rc 1 tag all");
    db.exec("DROP TABLE address;");
    std::string gone = call("permissions.addressReload");
    EXPECT_NE(gone.find("fault 500: Reload failed: cannot read table address"), std::string::npos) << gone;
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc 1 tag a");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions_rpc, reloads_refused_without_a_cached_table) {
    scratch dir;
    sqlite_file db(dir.path("kamailio.db"));
    siphost::tests::inprocess_host proxy(config("modparam(\"permissions\", \"db_url\", \"" + db.url() +
                                                "\")\nmodparam(\"permissions\", \"load_backends\", 2)\n"));
    EXPECT_EQ(call("permissions.addressReload"),
              "fault 500: address table is not in use (no address_file or db_url)");
    EXPECT_EQ(call("permissions.addressDump"),
              "fault 500: address table is not in use (no address_file or db_url)");
    EXPECT_EQ(call("permissions.trustedReload"),
              "fault 500: trusted table is not cached (needs db_url, db_mode 1)");
    EXPECT_EQ(call("permissions.trustedDump"), "fault 500: No trusted table");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions_rpc, allow_uri_answers_from_the_files_loaded) {
    scratch dir;
    dir.write("calls.allow", "ALL : \"^sip:361\"\n");
    dir.write("calls.deny", "ALL : ALL\n");
    std::string base = dir.path("calls").string();
    siphost::tests::inprocess_host proxy(
        "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"permissions\"\n"
        "request_route { allow_uri(\"" +
        base +
        "\", \"$hdr(X-URI)\"); "
        "sl_send_reply(\"200\", \"OK\"); }\n");
    auto allow_uri = [](std::vector<siphost::core::rpc_param> params) {
        auto reply = siphost::core::rpc_registry::instance().call("permissions.allowUri", params);
        return reply ? siphost::core::to_text(*reply) : "no reply";
    };
    EXPECT_EQ(allow_uri({base, std::string("sip:a@x"), std::string("sip:3610@abc.com")}), R"(["Allowed"])");
    EXPECT_EQ(allow_uri({base, std::string("sip:a@x"), std::string("sip:555@abc.com")}), R"(["Denied"])");
    EXPECT_EQ(allow_uri({std::string("/nowhere/x"), std::string("sip:a@x"), std::string("sip:3@y")}),
              "fault 500: File not loaded: /nowhere/x");
    EXPECT_EQ(allow_uri({base}), "fault 500: Parameters: basename, URI, Contact");
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
