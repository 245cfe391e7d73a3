// permissions.so in the real host over the wire: the address table from a file and from SQLite (Kamailio's
// schema), allow_source_address, allow_address, the *_group variants and peer_tag_avp, a sender on
// 127.0.0.2 that the table does not hold, allow_trusted over the trusted table in both db_modes, and
// siphost -c's diagnostics for a bad file line, a bad row and a missing driver.
#include "permissions_fixture.hpp"

#include <gtest/gtest.h>

using namespace permissions_test;

namespace {

const std::string modules = "debug=2\nchildren=2\nloadmodule \"sl\"\nloadmodule \"pv\"\n";

std::string file_config(const std::string& file) {
    return modules + "loadmodule \"permissions\"\nmodparam(\"permissions\", \"address_file\", \"" + file +
           "\")\nmodparam(\"permissions\", \"peer_tag_avp\", \"$avp(s:tag)\")\n" + routes();
}

std::string db_config(const sqlite_file& db, const std::string& extra) {
    return modules +
           "loadmodule \"db_sqlite\"\nloadmodule \"permissions\"\nmodparam(\"permissions\", \"db_url\", \"" +
           db.url() + "\")\nmodparam(\"permissions\", \"peer_tag_avp\", \"$avp(tag)\")\n" + extra + routes();
}

std::string hdrs(const std::string& group, const std::string& ip, const std::string& port) {
    std::string out;
    if (!group.empty())
        out += "X-Group: " + group + "\r\n";
    return out + "X-IP: " + ip + "\r\nX-Port: " + port + "\r\n";
}

TEST(modules_permissions, address_file_source_and_given_addresses) {
    scratch dir;
    kit::peer uac;
    std::string file = dir.write("address.list", "# groups of the test\n"
                                                 "1 127.0.0.1 32 0 local\n"
                                                 "2 127.0.0.2\n"
                                                 "5 127.0.0.1 32 " +
                                                     std::to_string(uac.port()) +
                                                     " myport\n"
                                                     "6 127.0.0.1 32 1 otherport\n"
                                                     "7 2001:db8:1::/0 48 5061 v6net\n"
                                                     "7 2001:db8:1::1 48 5061 v6net\n"
                                                     "8 [2001:db8::5] 128 0 v6host\n"
                                                     "9 192.0.2.0 24 0 net9\n"
                                                     "9 sip.example.org 0 5060 dom\n");
    // "2001:db8:1::/0" is no address: the start must fail, naming line 6.
    auto bad = kit::host::check(file_config(file));
    EXPECT_NE(bad.exit_status, 0);
    EXPECT_NE(bad.output.find("address file " + file + " line 6: bad address \"2001:db8:1::/0\""),
              std::string::npos)
        << bad.output;

    std::string text;
    {
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line))
            if (line.find("/0") == std::string::npos)
                text += line + "\n";
    }
    dir.write("address.list", text);
    kit::host proxy(file_config(file));
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc 1 tag local");
    EXPECT_EQ(ask(uac, proxy.port(), "src2"), "rc -1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "srcg", "X-Group: 5\r\n"), "rc 1 tag myport") << "port of the sender";
    EXPECT_EQ(ask(uac, proxy.port(), "srcg", "X-Group: 6\r\n"), "rc -1 tag <null>") << "another port";
    EXPECT_EQ(ask(uac, proxy.port(), "srcg", "X-Group: x\r\n"), "rc -1 tag <null>");
    EXPECT_TRUE(proxy.wait_for_log("bad group id \"x\"")) << proxy.log();
    EXPECT_EQ(ask(uac, proxy.port(), "srcgrp"), "rc 1 tag local") << "the lowest group";

    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("7", "2001:db8:1:ab::9", "5061")), "rc 1 tag v6net");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("7", "2001:db8:1:ab::9", "5060")), "rc -1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("7", "2001:db8:2::9", "5061")), "rc -1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("8", "[2001:db8:0::5]", "1")), "rc 1 tag v6host");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("9", "192.0.2.200", "")), "rc 1 tag net9") << "no port: 0";
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("9", "SIP.example.org", "5060")), "rc 1 tag dom");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("9", "sip.example.org", "5070")), "rc -1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("9", "192.0.2.1", "99999")), "rc -1 tag <null>");
    EXPECT_TRUE(proxy.wait_for_log("bad port \"99999\"")) << proxy.log();
    EXPECT_EQ(ask(uac, proxy.port(), "grp", hdrs("", "192.0.2.77", "9")), "rc 9 tag net9");
    EXPECT_EQ(ask(uac, proxy.port(), "grp", hdrs("", "2001:db8:1::1", "5061")), "rc 7 tag v6net");
    EXPECT_EQ(ask(uac, proxy.port(), "grp", hdrs("", "203.0.113.1", "9")), "rc -1 tag <null>");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions, sender_on_another_address_is_refused) {
    scratch dir;
    std::string file = dir.write("address.list", "1 127.0.0.1\n2 127.0.0.2 32 0 two\n");
    kit::host proxy(file_config(file));
    kit::peer model;
    other_peer other;
    auto ask_other = [&](const std::string& user) -> std::string {
        other.send(kit::request("OPTIONS", "sip:" + user + "@127.0.0.1", model), model, proxy.port());
        auto reply = other.receive();
        if (!reply)
            return "";
        std::string line = reply->first_line();
        size_t at = line.find("rc ");
        return at == std::string::npos ? line : line.substr(at);
    };
    EXPECT_EQ(ask_other("src"), "rc -1 tag <null>") << proxy.log();
    EXPECT_EQ(ask_other("src2"), "rc 1 tag two");
    EXPECT_EQ(ask_other("srcgrp"), "rc 2 tag two");
    EXPECT_EQ(ask(model, proxy.port(), "src"), "rc 1 tag <null>") << "127.0.0.1 still passes";
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions, address_table_from_sqlite_as_the_stock_config_uses_it) {
    scratch dir;
    sqlite_file db(dir.path("kamailio.db"));
    db.exec("INSERT INTO address (grp, ip_addr, mask, port, tag) VALUES "
            "(1, '127.0.0.0', 8, 0, 'loopback'), (3, '2001:db8::', 32, 0, NULL), (4, '198.51.100.4', 32, "
            "5080, 'x');");
    // WITH_IPAUTH of Debian's kamailio.cfg: db_url, load_backends 1, allow_source_address().
    kit::host proxy(db_config(db, "modparam(\"permissions\", \"load_backends\", 1)\n"));
    kit::peer uac;
    EXPECT_EQ(ask(uac, proxy.port(), "src"), "rc 1 tag loopback");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("3", "2001:db8:ffff::1", "5060")), "rc 1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("4", "198.51.100.4", "5080")), "rc 1 tag x");
    EXPECT_EQ(ask(uac, proxy.port(), "addr", hdrs("4", "198.51.100.4", "5060")), "rc -1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "grp", hdrs("", "198.51.100.4", "5080")), "rc 4 tag x");
    // load_backends 1: no trusted table.
    EXPECT_EQ(ask(uac, proxy.port(), "trusted"), "rc -1 tag <null>");
    EXPECT_TRUE(proxy.wait_for_log("the trusted table is not loaded")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions, trusted_table_cached_with_patterns_and_tags) {
    scratch dir;
    sqlite_file db(dir.path("kamailio.db"));
    db.exec("INSERT INTO trusted (src_ip, proto, from_pattern, ruri_pattern, tag, priority) VALUES "
            "('127.0.0.1', 'udp', '^sip:alice@', NULL, 'alice-peer', 1),"
            "('127.0.0.1', 'any', '^sip:carol@', '^sip:trusted@', 'carol-peer', 2),"
            "('127.0.0.1', 'tcp', NULL, NULL, 'tcp-only', 3),"
            "('192.0.2.5', 'tcp', NULL, NULL, 'given', 0);");
    kit::host proxy(db_config(db, "modparam(\"permissions\", \"db_mode\", 1)\n"));
    kit::peer uac;
    EXPECT_EQ(ask(uac, proxy.port(), "trusted"), "rc 1 tag alice-peer");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted", "", "sip:bob@127.0.0.1"), "rc -1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted", "", "sip:carol@127.0.0.1"), "rc 1 tag carol-peer");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted2", "X-IP: 192.0.2.5\r\nX-Proto: tcp\r\n"), "rc 1 tag given");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted2", "X-IP: 192.0.2.5\r\nX-Proto: udp\r\n"), "rc -1 tag <null>");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted3",
                  "X-IP: 127.0.0.1\r\nX-Proto: any\r\nX-URI: sip:alice@example.com\r\n", "sip:bob@127.0.0.1"),
              "rc 1 tag tcp-only")
        << "the uri stands for the From URI; any protocol: the highest priority row";
    // Rows added while running are not seen until trustedReload (db_mode 1).
    db.exec("INSERT INTO trusted (src_ip, proto, from_pattern, tag) VALUES ('127.0.0.1', 'udp', '^sip:bob@', "
            "'bob');");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted", "", "sip:bob@127.0.0.1"), "rc -1 tag <null>");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions, trusted_table_read_at_each_call_and_all_tags) {
    scratch dir;
    sqlite_file db(dir.path("kamailio.db"));
    db.exec(
        "INSERT INTO trusted (src_ip, proto, from_pattern, tag) VALUES ('127.0.0.1', 'udp', NULL, 'one');");
    kit::host proxy(db_config(db, "modparam(\"permissions\", \"peer_tag_mode\", 1)\n"));
    kit::peer uac;
    EXPECT_EQ(ask(uac, proxy.port(), "trusted", "", "sip:bob@127.0.0.1"), "rc 1 tag one");
    db.exec("INSERT INTO trusted (src_ip, proto, from_pattern, tag) VALUES ('127.0.0.1', 'any', '^sip:bob@', "
            "'two');");
    // db_mode 0 reads the rows at each call; peer_tag_mode 1 counts the matches and adds every tag.
    EXPECT_EQ(ask(uac, proxy.port(), "trusted", "", "sip:bob@127.0.0.1"), "rc 2 tag two");
    db.exec(
        "INSERT INTO trusted (src_ip, proto, from_pattern, tag) VALUES ('127.0.0.1', 'udp', '(bad', 'x');");
    EXPECT_EQ(ask(uac, proxy.port(), "trusted", "", "sip:bob@127.0.0.1"), "rc -1 tag <null>");
    EXPECT_TRUE(proxy.wait_for_log("bad regular expression \"(bad\"")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions, check_reports_bad_rows_and_settings) {
    scratch dir;
    sqlite_file db(dir.path("kamailio.db"));
    db.exec("INSERT INTO address (grp, ip_addr, mask, port) VALUES (1, '127.0.0.1', 32, 0), (1, "
            "'10.0.0.300', 32, 0);");
    auto row = kit::host::check(db_config(db, ""));
    EXPECT_NE(row.exit_status, 0);
    EXPECT_NE(row.output.find("table address row 2 (ip_addr \"10.0.0.300\"): bad address \"10.0.0.300\""),
              std::string::npos)
        << row.output;

    db.exec("DELETE FROM address; INSERT INTO address (grp, ip_addr, mask, port) VALUES (1, '127.0.0.1', 64, "
            "0);");
    auto mask = kit::host::check(db_config(db, ""));
    EXPECT_NE(mask.output.find("row 1 (ip_addr \"127.0.0.1\"): bad mask 64"), std::string::npos)
        << mask.output;

    db.exec("DELETE FROM address; INSERT INTO trusted (src_ip, proto) VALUES ('127.0.0.1', 'http');");
    auto trusted = kit::host::check(db_config(db, "modparam(\"permissions\", \"db_mode\", 1)\n"));
    EXPECT_NE(trusted.exit_status, 0);
    EXPECT_NE(trusted.output.find("table trusted row 1 (src_ip \"127.0.0.1\"): bad protocol \"http\""),
              std::string::npos)
        << trusted.output;
    EXPECT_EQ(kit::host::check(db_config(db, "")).exit_status, 0) << "db_mode 0 reads no rows at start";

    auto missing = kit::host::check(file_config(dir.path("nothing.list").string()));
    EXPECT_NE(missing.exit_status, 0);
    EXPECT_NE(missing.output.find("cannot open address file"), std::string::npos) << missing.output;

    auto driver = kit::host::check(modules +
                                   "loadmodule \"permissions\"\nmodparam(\"permissions\", \"db_url\", "
                                   "\"mysql://u:p@localhost/kamailio\")\n" +
                                   routes());
    EXPECT_NE(driver.exit_status, 0);
    EXPECT_NE(driver.output.find("no database driver for db_url \"mysql\""), std::string::npos)
        << driver.output;

    auto avp = kit::host::check(file_config(dir.write("a.list", "1 127.0.0.1\n")) +
                                "modparam(\"permissions\", \"peer_tag_avp\", \"tag\")\n");
    EXPECT_NE(avp.exit_status, 0);
    EXPECT_NE(avp.output.find("peer_tag_avp must be an AVP"), std::string::npos) << avp.output;

    auto proto = kit::host::check(
        modules + "loadmodule \"permissions\"\nrequest_route { allow_trusted(\"$si\", \"http\"); }\n");
    EXPECT_NE(proto.exit_status, 0);
    EXPECT_NE(proto.output.find("bad protocol \"http\""), std::string::npos) << proto.output;
}

std::string rules_config(const scratch& dir, const std::string& extra = "") {
    std::string d = dir.path("").string();
    return modules +
           "loadmodule \"permissions\"\n"
           "modparam(\"permissions\", \"default_allow_file\", \"" +
           d +
           "calls.allow\")\n"
           "modparam(\"permissions\", \"default_deny_file\", \"" +
           d + "calls.deny\")\n" + extra +
           "request_route {\n"
           "    if ($hdr(X-Check) == \"default\") allow_routing();\n"
           "    else if ($hdr(X-Check) == \"base\") allow_routing(\"" +
           d +
           "calls\");\n"
           "    else if ($hdr(X-Check) == \"two\") allow_routing(\"" +
           d + "calls.allow\", \"" + d +
           "calls.deny\");\n"
           "    else if ($hdr(X-Check) == \"branch\") { append_branch(\"sip:555@abc.com\"); "
           "allow_routing(\"" +
           d +
           "calls\"); }\n"
           "    else if ($hdr(X-Check) == \"register\") allow_register(\"" +
           d +
           "register\");\n"
           "    else if ($hdr(X-Check) == \"register2\") allow_register(\"" +
           d + "register.allow\", \"" + d +
           "register.deny\");\n"
           "    else if ($hdr(X-Check) == \"uri\") allow_uri(\"" +
           d +
           "calls\", \"$hdr(X-URI)\");\n"
           "    sl_send_reply(\"200\", \"rc $rc\");\n}\n";
}

void write_rules(const scratch& dir) {
    dir.write("calls.allow", "# all may call 361...\n"
                             "ALL : \"^sip:361[0-9]*@abc\\.com$\"\n"
                             "\"^sip:[^@]*@abc\\.com$\" : ALL EXCEPT \"^sip:1900[0-9]*@abc\\.com$\"\n");
    dir.write("calls.deny", "ALL : ALL\n");
    dir.write("register.deny", "ALL : \"^sip:.*@1\\.2\\.3\\.4\"  # the PSTN gateway\n");
}

/// $rc after the rule check for a request from from_uri to ruri (REGISTER with contacts when given).
std::string check_rule(kit::peer& uac, const kit::host& proxy, const std::string& check,
                       const std::string& from_uri, const std::string& ruri, const std::string& extra = "",
                       const char* method = "INVITE") {
    kit::request_options options;
    options.from_uri = from_uri;
    options.extra_headers = "X-Check: " + check + "\r\n" + extra;
    uac.send(kit::request(method, ruri, uac, options), proxy.port());
    for (int i = 0; i < 3; ++i) {
        auto reply = uac.receive();
        if (!reply)
            return "";
        if (reply->status() < 200)
            continue;
        std::string line = reply->first_line();
        size_t at = line.find("rc ");
        return at == std::string::npos ? line : line.substr(at + 3);
    }
    return "";
}

TEST(modules_permissions, allow_routing_with_kamailios_allow_and_deny_files) {
    scratch dir;
    write_rules(dir);
    kit::host proxy(rules_config(dir));
    kit::peer uac;
    for (const char* check : {"default", "base", "two"}) {
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:bob@xyz.com", "sip:3612@abc.com"), "1") << check;
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:bob@xyz.com", "sip:555@abc.com"), "-1") << check;
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:alice@abc.com", "sip:555@def.com"), "1") << check;
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:alice@abc.com", "sip:19001@abc.com"), "-1") << check;
    }
    // Every branch counts: bob may reach 3612 but not the appended sip:555@abc.com.
    EXPECT_EQ(check_rule(uac, proxy, "branch", "sip:bob@xyz.com", "sip:3612@abc.com"), "-1");
    EXPECT_EQ(check_rule(uac, proxy, "branch", "sip:alice@abc.com", "sip:3612@abc.com"), "1");
    EXPECT_EQ(
        check_rule(uac, proxy, "uri", "sip:bob@xyz.com", "sip:x@abc.com", "X-URI: sip:3619@abc.com\r\n"),
        "1");
    EXPECT_EQ(
        check_rule(uac, proxy, "uri", "sip:bob@xyz.com", "sip:3612@abc.com", "X-URI: sip:9@abc.com\r\n"),
        "-1");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions, check_all_branches_zero_checks_the_request_uri_only) {
    scratch dir;
    write_rules(dir);
    kit::host proxy(rules_config(dir, "modparam(\"permissions\", \"check_all_branches\", 0)\n"));
    kit::peer uac;
    EXPECT_EQ(check_rule(uac, proxy, "branch", "sip:bob@xyz.com", "sip:3612@abc.com"), "1");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions, allow_register_checks_every_contact) {
    scratch dir;
    write_rules(dir); // register.allow is missing: an empty file
    kit::host proxy(rules_config(dir));
    kit::peer uac;
    for (const char* check : {"register", "register2"}) {
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:alice@abc.com", "sip:abc.com",
                             "Contact: <sip:alice@10.0.0.1:5060>;expires=60\r\n", "REGISTER"),
                  "1")
            << check;
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:alice@abc.com", "sip:abc.com",
                             "Contact: <sip:alice@10.0.0.1>, <sip:gw@1.2.3.4>\r\n", "REGISTER"),
                  "-1")
            << check;
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:alice@abc.com", "sip:abc.com",
                             "Contact: <sip:alice@10.0.0.1>\r\nContact: sip:gw@1.2.3.4\r\n", "REGISTER"),
                  "-1")
            << check;
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:alice@abc.com", "sip:abc.com",
                             "Contact: *\r\nExpires: 0\r\n", "REGISTER"),
                  "1")
            << check;
        EXPECT_EQ(check_rule(uac, proxy, check, "sip:alice@abc.com", "sip:abc.com", "", "REGISTER"), "1")
            << check;
    }
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_permissions, check_reports_a_bad_rule_line) {
    scratch dir;
    write_rules(dir);
    dir.write("calls.deny", "ALL : ALL\n\"^sip:x\" \"^sip:y\"\n");
    auto bad = kit::host::check(rules_config(dir));
    EXPECT_NE(bad.exit_status, 0);
    EXPECT_NE(
        bad.output.find(dir.path("calls.deny").string() + " line 2: expected ':' between the two sides"),
        std::string::npos)
        << bad.output;
    write_rules(dir);
    dir.write("register.allow", "ALL : \"[\"\n");
    auto regex = kit::host::check(rules_config(dir));
    EXPECT_NE(regex.exit_status, 0);
    EXPECT_NE(regex.output.find("register.allow line 1: bad regular expression \"[\""), std::string::npos)
        << regex.output;
    auto dynamic =
        kit::host::check(modules + "loadmodule \"permissions\"\nrequest_route { allow_routing(\"$rU\"); }\n");
    EXPECT_NE(dynamic.exit_status, 0);
    EXPECT_NE(dynamic.output.find("the file names must be constant strings"), std::string::npos)
        << dynamic.output;
}

} // namespace
