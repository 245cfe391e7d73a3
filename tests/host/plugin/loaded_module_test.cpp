// Each fixture module is one outcome of the loader; each refusal is checked word for word.
#include "plugin/descriptor_check.hpp"
#include "plugin/loaded_module.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using siphost::plugin::load_error;
using siphost::plugin::loaded_module;

namespace {

std::string fixture(const std::string& name) { return std::string(FIXTURE_DIR) + "/fixture_" + name + ".so"; }

std::string refusal(const std::string& name) {
    try {
        loaded_module::open(fixture(name));
    } catch (const load_error& e) {
        return e.what();
    }
    return "(loaded)";
}

} // namespace

TEST(LoadedModule, LoadsAWellFormedModule) {
    auto module = loaded_module::open(fixture("ok"));
    EXPECT_EQ(module->name(), "fixture_ok");
    EXPECT_EQ(module->version(), "1.2.3");
    EXPECT_EQ(module->descriptor().abi_major, SIPHOST_ABI_MAJOR);
}

TEST(LoadedModule, RefusesAnotherAbiMajorByItsEntryName) {
    EXPECT_EQ(refusal("wrong_major"),
              "'" + fixture("wrong_major") + "' was built for siphost ABI major 2, this host has ABI major 1");
}

TEST(LoadedModule, RefusesADescriptorThatSaysAnotherMajor) {
    EXPECT_EQ(refusal("major_field"),
              "'" + fixture("major_field") + "' was built for siphost ABI major 3, this host has ABI major 1");
}

TEST(LoadedModule, RefusesANewerMinor) {
    EXPECT_EQ(refusal("newer_minor"),
              "'" + fixture("newer_minor") +
                  "' requires siphost ABI 1." + std::to_string(SIPHOST_ABI_MINOR + 1) + ", this host has ABI 1." +
                  std::to_string(SIPHOST_ABI_MINOR) + " (rebuild it with SIPHOST_REQUIRE_MINOR " +
                  std::to_string(SIPHOST_ABI_MINOR) + " if it calls nothing newer)");
}

TEST(LoadedModule, RefusesASharedObjectWithoutEntryFunction) {
    EXPECT_EQ(refusal("no_entry"),
              "'" + fixture("no_entry") + "' is not a siphost module: it exports no siphost_module_v1()");
}

TEST(LoadedModule, RefusesAMalformedDescriptorNamingTheField) {
    EXPECT_EQ(refusal("bad_descriptor"), "'" + fixture("bad_descriptor") +
                                             "' has a malformed descriptor: commands[1] ('broken'): handler is NULL");
}

TEST(LoadedModule, ReportsTheDynamicLoadersReason) {
    auto text = refusal("unresolved");
    EXPECT_EQ(text.rfind("cannot load '" + fixture("unresolved") + "': ", 0), 0u) << text;
    EXPECT_NE(text.find("undefined symbol: siphost_symbol_that_does_not_exist"), std::string::npos) << text;
}

TEST(LoadedModule, ReportsAFileThatIsNotASharedObject) {
    auto text = [] {
        try {
            loaded_module::open(std::string(SIPHOST_SOURCE_DIR) + "/README.md");
        } catch (const load_error& e) {
            return std::string(e.what());
        }
        return std::string("(loaded)");
    }();
    EXPECT_EQ(text.rfind("cannot load '" + std::string(SIPHOST_SOURCE_DIR) + "/README.md': ", 0), 0u) << text;
}

TEST(LoadedModule, RefusesANonZeroReservedField) {
    EXPECT_EQ(refusal("reserved_set"), "'" + fixture("reserved_set") +
                                           "' has a malformed descriptor: commands[0] ('reserved_set'): a reserved "
                                           "field is not zero");
}

TEST(LoadedModule, RefusesACommandAllowedInNoRouteType) {
    EXPECT_EQ(refusal("no_route_type"), "'" + fixture("no_route_type") +
                                            "' has a malformed descriptor: commands[0] ('nowhere'): route_types is "
                                            "0, so the command could never be called");
}

TEST(LoadedModule, LoadsAModuleOfANewerSdkThatRequiresThisMinor) {
    auto module = loaded_module::open(fixture("newer_sdk"));
    const auto& d = module->descriptor();
    EXPECT_GT(d.struct_size, sizeof(siphost_module));
    EXPECT_EQ(d.abi_minor, 0u);
    // Its larger command entries are stepped through by their own struct_size.
    std::vector<std::string> names;
    siphost::plugin::for_each_entry(d.commands, [&](const siphost_command& c, size_t) {
        names.emplace_back(c.name);
        return true;
    });
    EXPECT_EQ(names, (std::vector<std::string>{"newer_check", "newer_any"}));
}
