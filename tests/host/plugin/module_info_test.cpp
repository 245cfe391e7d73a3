#include "plugin/module_info.hpp"

#include <gtest/gtest.h>

using siphost::plugin::describe_module;
using siphost::plugin::loaded_module;
using siphost::plugin::route_type_names;

TEST(ModuleInfo, NamesRouteTypesAsUsersKnowThem) {
    EXPECT_EQ(route_type_names(SIPHOST_ROUTE_ANY), "any");
    EXPECT_EQ(route_type_names(SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_BRANCH),
              "request, failure, branch");
    EXPECT_EQ(route_type_names(SIPHOST_ROUTE_TM_ONREPLY | SIPHOST_ROUTE_CORE_ONREPLY), "onreply, core-onreply");
}

TEST(ModuleInfo, DescribesEveryTable) {
    auto module = loaded_module::open(std::string(FIXTURE_DIR) + "/fixture_ok.so");
    auto text = describe_module(*module);
    EXPECT_NE(text.find("module:   fixture_ok\nversion:  1.2.3\n"), std::string::npos) << text;
    const std::string minor = std::to_string(SIPHOST_ABI_MINOR);
    EXPECT_NE(text.find("abi:      requires 1." + minor + " (host 1." + minor + ")\ndepends:  (none)\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("ok_check()"), std::string::npos) << text;
    EXPECT_NE(text.find("ok_on_reply(route)"), std::string::npos) << text;
    EXPECT_NE(text.find("timeout (int)  -- milliseconds"), std::string::npos) << text;
    EXPECT_NE(text.find("note (int|string, repeatable)"), std::string::npos) << text;
    EXPECT_NE(text.find("$ok_calls  (read-only)"), std::string::npos) << text;
}
