// Each fixture module is one outcome of the loader; each refusal is checked word for word.
#include "plugin/loaded_module.hpp"

#include <gtest/gtest.h>

#include <string>

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
    EXPECT_EQ(refusal("newer_minor"), "'" + fixture("newer_minor") + "' needs siphost ABI 1.2, this host has ABI 1.1");
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
