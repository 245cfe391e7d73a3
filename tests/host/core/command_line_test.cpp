#include "core/command_line.hpp"

#include <gtest/gtest.h>

#include <vector>

using siphost::core::command_line;
using siphost::core::parse_command_line;

namespace {

command_line parse(std::vector<const char*> args) {
    args.insert(args.begin(), "siphost");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

std::string refusal(std::vector<const char*> args) {
    try {
        parse(std::move(args));
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

} // namespace

TEST(CommandLine, TakesKamailiosFlags) {
    auto options = parse({"-f", "k.cfg", "-c", "-L", "/m1:/m2", "-E", "-DD", "-n", "4", "-A", "WITH_TM", "-A",
                          "ADDR=127.0.0.1", "-d"});
    EXPECT_EQ(options.config_file, "k.cfg");
    EXPECT_TRUE(options.config_file_given);
    EXPECT_TRUE(options.check_only);
    EXPECT_EQ(options.module_path, "/m1:/m2");
    EXPECT_TRUE(options.log_to_stderr);
    EXPECT_EQ(options.foreground, 2);
    EXPECT_EQ(options.children, 4);
    ASSERT_EQ(options.defines.size(), 2u);
    EXPECT_EQ(options.defines[0], (std::pair<std::string, std::string>{"WITH_TM", ""}));
    EXPECT_EQ(options.defines[1], (std::pair<std::string, std::string>{"ADDR", "127.0.0.1"}));
    EXPECT_EQ(options.debug_delta, 1);
}

TEST(CommandLine, AcceptsValuesGluedToFlagsAndClusters) {
    auto options = parse({"-fk.cfg", "-cE", "-D"});
    EXPECT_EQ(options.config_file, "k.cfg");
    EXPECT_TRUE(options.check_only);
    EXPECT_TRUE(options.log_to_stderr);
    EXPECT_EQ(options.foreground, 1);
}

TEST(CommandLine, InformationalFlags) {
    EXPECT_TRUE(parse({"-V"}).show_version);
    EXPECT_TRUE(parse({"-h"}).show_help);
    EXPECT_EQ(parse({"--module-info", "tm.so"}).module_info_file, "tm.so");
    EXPECT_FALSE(parse({}).config_file_given);
}

TEST(CommandLine, RefusesBadInputWithAReason) {
    EXPECT_EQ(refusal({"-n", "zero"}), "-n needs a number from 1 to 1024, not 'zero'");
    EXPECT_EQ(refusal({"-n", "0"}), "-n needs a number from 1 to 1024, not '0'");
    EXPECT_EQ(refusal({"-f"}), "-f needs a value");
    EXPECT_EQ(refusal({"-j"}), "unknown option '-j' (siphost -h lists the options)");
    EXPECT_EQ(refusal({"--nope"}), "unknown option '--nope' (siphost -h lists the options)");
    EXPECT_EQ(refusal({"-a", "maybe"}), "-a needs yes/on or no/off, not 'maybe'");
    EXPECT_EQ(refusal({"-m", "lots"}), "-m needs a number from 1 to 2147483647, not 'lots'");
    EXPECT_EQ(refusal({"--modparam=tm:fr_timer:x:1"}),
              "--modparam=tm:fr_timer:x:1: the type is s (string) or i (integer), not 'x'");
    EXPECT_EQ(refusal({"--modparam=tm:fr_timer"}),
              "--modparam=tm:fr_timer: write it as module:parameter:type:value (type s or i)");
    EXPECT_EQ(refusal({"--modparam=tm:fr_timer:i:soon"}),
              "--modparam's integer needs a number from -2147483648 to 2147483647, not 'soon'");
    EXPECT_EQ(refusal({"--cfg-print=yes"}), "--cfg-print takes no value");
    EXPECT_EQ(refusal({"-l", "udp:1.2.3.4:5060/"}),
              "-l udp:1.2.3.4:5060/: nothing after '/' (the advertised address)");
    EXPECT_EQ(refusal({"stray"}), "unexpected argument 'stray' (siphost -h lists the options)");
    EXPECT_EQ(refusal({"-A", "=1"}), "-A needs NAME or NAME=VALUE");
}

TEST(CommandLine, KamailiosServiceFileStartsSiphost) {
    // Debian's kamailio.service and init script.
    auto options = parse({"-P", "/run/kamailio/kamailio.pid", "-f", "/etc/kamailio/kamailio.cfg", "-m", "64", "-M",
                          "8", "-u", "kamailio", "-g", "kamailio"});
    EXPECT_EQ(options.pid_file, "/run/kamailio/kamailio.pid");
    EXPECT_EQ(options.config_file, "/etc/kamailio/kamailio.cfg");
    EXPECT_EQ(options.user, "kamailio");
    EXPECT_EQ(options.group, "kamailio");
    ASSERT_EQ(options.ignored.size(), 2u);
    EXPECT_EQ(options.ignored[0],
              "-m 64: siphost has no fixed-size shared memory pool; it allocates as it needs");
    EXPECT_TRUE(options.config_prelude.empty());
}

TEST(CommandLine, OptionsThatAreConfigStatementsBecomeThePrelude) {
    auto options = parse({"-l", "udp:127.0.0.1:5080", "-l", "tcp:10.0.0.1:5060/1.2.3.4:5060", "-T", "--alias=sip.example.org",
                          "--server-id", "3", "-a", "off", "--loadmodule=sl.so", "-Y", "/run/k", "-N", "4",
                          "--debug=3", "--subst=/a/b/", "-K", "-r", "-R", "-e", "-S", "-b", "65535"});
    std::vector<std::string> expected = {"listen=udp:127.0.0.1:5080",
                                         "listen=tcp:10.0.0.1:5060 advertise 1.2.3.4:5060",
                                         "disable_tcp=yes",
                                         "alias=sip.example.org",
                                         "server_id=3",
                                         "auto_aliases=no",
                                         "loadmodule \"sl.so\"",
                                         "rundir=\"/run/k\"",
                                         "tcp_children=4",
                                         "debug=3",
                                         "#!subst \"/a/b/\"",
                                         "check_via=yes",
                                         "dns=yes",
                                         "rev_dns=yes",
                                         "log_color=yes",
                                         "disable_sctp=yes",
                                         "maxbuffer=65535"};
    EXPECT_EQ(options.config_prelude, expected);
}

TEST(CommandLine, ModparamsComeAfterTheConfig) {
    auto options = parse({"--modparam=corex:alias_subdomains:s:kamailio.org", "--modparam", "tm:fr_timer:i:2000",
                          "--modparam=textops:x:s:say \"hi\""});
    std::vector<std::string> expected = {"modparam(\"corex\", \"alias_subdomains\", \"kamailio.org\")",
                                         "modparam(\"tm\", \"fr_timer\", 2000)",
                                         "modparam(\"textops\", \"x\", \"say \\\"hi\\\"\")"};
    EXPECT_EQ(options.config_postlude, expected);
    EXPECT_TRUE(options.config_prelude.empty());
}

TEST(CommandLine, EveryOptionOfKamailiosHelpIsKnown) {
    // kamailio -h of 5.6.3: each of its options parses (values where it takes one).
    for (std::vector<const char*> args :
         {std::vector<const char*>{"-a", "yes"}, {"--alias=x"}, {"--atexit=no"}, {"-A", "X"}, {"-b", "1"}, {"-c"},
          {"--cfg-print"}, {"-d"}, {"--debug=2"}, {"-D"}, {"-e"}, {"-E"}, {"-f", "x"}, {"-g", "0"}, {"-G", "f"},
          {"-h"}, {"--help"}, {"-I"}, {"-K"}, {"-l", "udp:1.2.3.4"}, {"--loadmodule=x"}, {"--log-engine=x"},
          {"-L", "d"}, {"-m", "1"}, {"--modparam=a:b:i:1"}, {"-M", "1"}, {"-n", "1"}, {"-N", "1"}, {"-O", "1"},
          {"-P", "f"}, {"-Q", "1"}, {"-r"}, {"-R"}, {"--server-id=1"}, {"--subst=/a/b/"}, {"--substdef=/a/b/"},
          {"--substdefs=/a/b/"}, {"-S"}, {"-t", "/"}, {"-T"}, {"-u", "0"}, {"-v"}, {"--version"}, {"-V"},
          {"-x", "qm"}, {"-X", "qm"}, {"-Y", "/run"}, {"-w", "/"}, {"-W", "epoll_lt"}})
        EXPECT_EQ(refusal(args), "(accepted)") << args[0];
}

TEST(CommandLine, HelpListsEveryOption) {
    std::string help = siphost::core::usage_text("siphost");
    for (const char* name : {"-P FILE", "-u USER", "--modparam=MOD:PARAM:TYPE:VALUE", "-l ADDRESS", "-h, --help",
                             "--cfg-print", "-Y DIR"})
        EXPECT_NE(help.find(name), std::string::npos) << name;
}
