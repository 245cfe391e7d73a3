// permissions' tables on their own (no host): exact addresses, subnets and domains with groups, ports and
// tags; Kamailio's address file format and its errors; the trusted table's protocol and pattern rules.
#include "address_table.hpp"
#include "trusted_table.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;
using namespace siphost::modules::permissions;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
    fs::path path = fs::temp_directory_path() / (name + "." + std::to_string(::getpid()));
    std::ofstream(path) << text;
    return path.string();
}

std::string load_error(const std::string& text) {
    std::string path = write_file("address.list", text);
    try {
        load_address_file(path, 512);
    } catch (const std::runtime_error& e) {
        fs::remove(path);
        return e.what();
    }
    fs::remove(path);
    return "loaded";
}

TEST(modules_permissions_table, exact_subnet_and_domain_records) {
    address_table t;
    t.add(1, "192.0.2.10", 32, 0, "one");
    t.add(1, "192.0.2.11", 0, 5060, "");
    t.add(2, "198.51.100.77", 24, 0, "net2");
    t.add(3, "[2001:db8::1]", 128, 0, "v6");
    t.add(3, "2001:db8:1::", 48, 5061, "v6net");
    t.add(4, "Example.COM", 0, 0, "dom");
    t.finish();
    EXPECT_EQ(t.addresses().size(), 3u);
    ASSERT_EQ(t.subnets().size(), 2u);
    EXPECT_EQ(t.subnets()[0].address, "198.51.100.0") << "stored masked";
    EXPECT_EQ(t.domains().size(), 1u);

    auto m = t.match(1, "192.0.2.10", 1234);
    ASSERT_TRUE(m);
    EXPECT_EQ(*m->tag, "one");
    EXPECT_FALSE(t.match(2, "192.0.2.10", 1234)) << "another group";
    EXPECT_TRUE(t.match(1, "192.0.2.11", 5060));
    EXPECT_FALSE(t.match(1, "192.0.2.11", 5070)) << "the port must match when not 0";
    EXPECT_TRUE(t.match(2, "198.51.100.1", 9));
    EXPECT_FALSE(t.match(2, "198.51.101.1", 9));
    EXPECT_TRUE(t.match(3, "2001:db8:0:0::1", 1)) << "any text form of the address";
    EXPECT_TRUE(t.match(3, "2001:db8:1:ffff::9", 5061));
    EXPECT_FALSE(t.match(3, "2001:db8:1:ffff::9", 5060));
    EXPECT_FALSE(t.match(3, "2001:db8:2::9", 5061));
    EXPECT_TRUE(t.match(4, "example.com", 5060)) << "a name matches without regard to case";
    EXPECT_FALSE(t.match(4, "sub.example.com", 5060)) << "no DNS, no suffix match";
    EXPECT_FALSE(t.match(0, "192.0.2.10", 0));

    auto any = t.match_any("198.51.100.200", 1);
    ASSERT_TRUE(any);
    EXPECT_EQ(any->group, 2u);
    EXPECT_FALSE(t.match_any("203.0.113.1", 1));
}

TEST(modules_permissions_table, lowest_group_and_longest_prefix_answer_first) {
    address_table t;
    t.add(5, "10.1.2.3", 32, 0, "five");
    t.add(2, "10.1.2.3", 32, 0, "two");
    t.add(7, "10.0.0.0", 8, 0, "wide");
    t.add(7, "10.1.0.0", 16, 0, "narrow");
    t.finish();
    EXPECT_EQ(t.match_any("10.1.2.3", 0)->group, 2u);
    EXPECT_EQ(*t.match(7, "10.1.9.9", 0)->tag, "narrow");
    EXPECT_EQ(*t.match(7, "10.2.9.9", 0)->tag, "wide");
}

TEST(modules_permissions_table, bad_records_are_refused) {
    address_table t;
    EXPECT_THROW(t.add(0, "192.0.2.1", 32, 0, ""), std::invalid_argument);
    EXPECT_THROW(t.add(1, "192.0.2.1", 33, 0, ""), std::invalid_argument);
    EXPECT_THROW(t.add(1, "2001:db8::1", 129, 0, ""), std::invalid_argument);
    EXPECT_THROW(t.add(1, "192.0.2.1", -1, 0, ""), std::invalid_argument);
    EXPECT_THROW(t.add(1, "192.0.2.1", 32, 70000, ""), std::invalid_argument);
    EXPECT_THROW(t.add(1, "300.1.2.3", 32, 0, ""), std::invalid_argument);
    EXPECT_THROW(t.add(1, "2001:db8::zz", 32, 0, ""), std::invalid_argument);
    EXPECT_THROW(t.add(1, "bad name!", 0, 0, ""), std::invalid_argument);
    EXPECT_EQ(t.size(), 0u);
}

TEST(modules_permissions_table, address_file_in_kamailios_format) {
    std::string path = write_file("address.list", R"(# address file
1 127.0.0.1 32 0 tag1
1 10.0.0.10
2 192.168.1.0 24 0 tag2   # a comment after the record
2 192.168.2.0 24 0 tag=3;x,y

3 [1:5ee::900d:c0de]
4 sip.example.org 0 5060
)");
    address_table t = load_address_file(path, 512);
    fs::remove(path);
    EXPECT_EQ(t.addresses().size(), 3u);
    EXPECT_EQ(t.subnets().size(), 2u);
    EXPECT_EQ(t.domains().size(), 1u);
    EXPECT_EQ(*t.match(1, "127.0.0.1", 5060)->tag, "tag1");
    EXPECT_TRUE(t.match(1, "10.0.0.10", 1));
    EXPECT_EQ(*t.match(2, "192.168.2.9", 1)->tag, "tag=3;x,y");
    EXPECT_TRUE(t.match(3, "1:5ee::900d:c0de", 7));
    EXPECT_TRUE(t.match(4, "sip.example.org", 5060));
    EXPECT_FALSE(t.match(4, "sip.example.org", 5061));
}

TEST(modules_permissions_table, address_file_errors_name_the_line) {
    EXPECT_NE(load_error("1 127.0.0.1\nx 10.0.0.1\n").find("line 2: bad group \"x\""), std::string::npos)
        << load_error("1 127.0.0.1\nx 10.0.0.1\n");
    EXPECT_NE(load_error("\n\n1 10.0.0.1 40\n").find("line 3: bad mask 40 for 10.0.0.1"), std::string::npos);
    EXPECT_NE(load_error("1 10.0.0.1 24 x\n").find("line 1: bad port \"x\""), std::string::npos);
    EXPECT_NE(load_error("1 10.0.0.1 24 99999\n").find("line 1: bad port 99999"), std::string::npos);
    EXPECT_NE(load_error("1\n").find("line 1: expected"), std::string::npos);
    EXPECT_NE(load_error("1 a 1 2 t extra\n").find("line 1: expected"), std::string::npos);
    EXPECT_NE(load_error("1 999.0.0.1\n").find("line 1: bad address \"999.0.0.1\""), std::string::npos);
    EXPECT_NE(load_error("0 10.0.0.1\n").find("line 1: bad group"), std::string::npos);
    EXPECT_EQ(load_error("# only comments\n\n"), "loaded");
    try {
        load_address_file("/nonexistent/address.list", 512);
        ADD_FAILURE() << "a missing file loaded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open address file /nonexistent/address.list"),
                  std::string::npos);
    }
    std::string many;
    for (int i = 0; i < 4; ++i)
        many += "1 10." + std::to_string(i) + ".0.0 16\n";
    std::string path = write_file("subnets.list", many);
    EXPECT_THROW(load_address_file(path, 3), std::runtime_error);
    EXPECT_NO_THROW(load_address_file(path, 4));
    fs::remove(path);
}

TEST(modules_permissions_table, trusted_rows_match_source_protocol_and_patterns) {
    trusted_table t;
    t.add("192.0.2.1", "UDP", std::string("^sip:alice@"), std::nullopt, "a", 1);
    t.add("192.0.2.1", "any", std::nullopt, std::string("^sip:pstn"), "b", 5);
    t.add("192.0.2.2", "none", std::nullopt, std::nullopt, "never", 0);
    t.add("192.0.2.3", "tcp", std::nullopt, std::nullopt, "tcp", 0);
    t.finish();
    EXPECT_EQ(t.entries().front().tag, "b") << "highest priority first";
    auto found = t.match("192.0.2.1", "udp", "sip:alice@x", "sip:pstn@y");
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0]->tag, "b");
    EXPECT_EQ(t.match("192.0.2.1", "udp", "sip:bob@x", "sip:pstn@y").size(), 1u);
    EXPECT_EQ(t.match("192.0.2.1", "tcp", "sip:alice@x", "sip:other@y").size(), 0u);
    EXPECT_EQ(t.match("192.0.2.2", "udp", "", "").size(), 0u) << "none never matches";
    EXPECT_EQ(t.match("192.0.2.3", "udp", "", "").size(), 0u);
    EXPECT_EQ(t.match("192.0.2.3", "TCP", "", "").size(), 1u);
    EXPECT_EQ(t.match("192.0.2.3", "any", "", "").size(), 1u);
    EXPECT_EQ(t.match("192.0.2.9", "any", "", "").size(), 0u);
    EXPECT_THROW(t.add("192.0.2.1", "http", std::nullopt, std::nullopt, "", 0), std::invalid_argument);
    EXPECT_THROW(t.add("192.0.2.1", "udp", std::string("(unclosed"), std::nullopt, "", 0),
                 std::invalid_argument);
    EXPECT_THROW(t.add("", "udp", std::nullopt, std::nullopt, "", 0), std::invalid_argument);
}

} // namespace

#include "rule_file.hpp"

namespace {

TEST(modules_permissions_table, allow_and_deny_rules_in_kamailios_syntax) {
    rule_pair rules;
    rules.allow = rule_file::parse("calls.allow", R"(# all may call 361...
ALL : "^sip:361[0-9]*@abc\.com$"
"^sip:[^@]*@abc\.com$" EXCEPT "^sip:mallory@" : ALL EXCEPT "^sip:1900[0-9]*@abc\.com$", "^sip:911@"
"^sip:3677[0-9]*@abc\.com$" : "^sip:[0-9]*@abc\.com$", "^sip:[0-9]*@def\.com$"  # two on the right
)");
    rules.deny = rule_file::parse("calls.deny", "ALL : ALL\n");
    EXPECT_EQ(rules.allow.size(), 3u);
    EXPECT_TRUE(rules.allows("sip:bob@xyz.com", {"sip:3612@abc.com"}));
    EXPECT_TRUE(rules.allows("sip:bob@xyz.com", {"SIP:3612@ABC.com"})) << "regular expressions ignore case";
    EXPECT_FALSE(rules.allows("sip:bob@xyz.com", {"sip:555@abc.com"}));
    EXPECT_TRUE(rules.allows("sip:alice@abc.com", {"sip:555@def.com"}));
    EXPECT_FALSE(rules.allows("sip:alice@abc.com", {"sip:19001@abc.com"})) << "EXCEPT on the right";
    EXPECT_FALSE(rules.allows("sip:alice@abc.com", {"sip:911@x.org"}));
    EXPECT_FALSE(rules.allows("sip:mallory@abc.com", {"sip:555@def.com"})) << "EXCEPT on the left";
    EXPECT_TRUE(rules.allows("sip:36771@abc.com", {"sip:1900@def.com"}));
    EXPECT_FALSE(rules.allows("sip:bob@xyz.com", {"sip:3612@abc.com", "sip:555@abc.com"})) << "every pair";
    EXPECT_TRUE(rules.allows("sip:bob@xyz.com", {})) << "no pair to deny";

    rule_pair only_deny;
    only_deny.deny = rule_file::parse("register.deny", "ALL : \"^sip:.*1\\.2\\.3\\.4\"\n");
    EXPECT_FALSE(only_deny.allows("sip:alice@abc.com", {"sip:alice@1.2.3.4:5060"}));
    EXPECT_TRUE(only_deny.allows("sip:alice@abc.com", {"sip:alice@10.0.0.1"})) << "neither file: allowed";
    EXPECT_EQ(rule_file::load("/nonexistent/x.allow").size(), 0u) << "a missing file is an empty one";
}

TEST(modules_permissions_table, rule_file_errors_name_the_line) {
    auto error = [](const std::string& text) -> std::string {
        try {
            rule_file::parse("f.allow", text);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "parsed";
    };
    EXPECT_EQ(error("ALL : ALL\n\"^a\" \"^b\"\n"), "f.allow line 2: expected ':' between the two sides");
    EXPECT_EQ(error("ALL : \"^a\n"), "f.allow line 1: unterminated quoted expression");
    EXPECT_EQ(error("# c\nALL : ALL extra\n"), "f.allow line 2: unexpected text after the rule");
    EXPECT_EQ(error("ALL : nothing\n"), "f.allow line 1: expected ALL or a quoted regular expression");
    EXPECT_NE(error("ALL : \"(x\"\n").find("f.allow line 1: bad regular expression \"(x\""),
              std::string::npos);
    EXPECT_EQ(error("ALL : \"#not a comment\" # a comment\n"), "parsed");
}

} // namespace
