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
    EXPECT_EQ(refusal({"-x"}), "unknown option '-x' (siphost -h lists the options)");
    EXPECT_EQ(refusal({"stray"}), "unexpected argument 'stray' (siphost -h lists the options)");
    EXPECT_EQ(refusal({"-A", "=1"}), "-A needs NAME or NAME=VALUE");
}
