#include "plugin/module_path.hpp"

#include <gtest/gtest.h>

using siphost::plugin::candidate_paths;
using siphost::plugin::split_search_path;
using paths = std::vector<std::filesystem::path>;

TEST(ModulePath, SplitsColonSeparatedListsAndDropsEmptyEntries) {
    EXPECT_EQ(split_search_path("/a:/b::c/"), (paths{"/a", "/b", "c/"}));
    EXPECT_TRUE(split_search_path("").empty());
}

TEST(ModulePath, BareNameTriesFileThenSubfolderInEachDirectory) {
    EXPECT_EQ(candidate_paths("tm", {"/m1", "/m2"}),
              (paths{"/m1/tm.so", "/m1/tm/tm.so", "/m2/tm.so", "/m2/tm/tm.so"}));
    EXPECT_EQ(candidate_paths("tm.so", {"/m1"}), (paths{"/m1/tm.so", "/m1/tm/tm.so"}));
}

TEST(ModulePath, AbsolutePathIsTakenAsIs) {
    EXPECT_EQ(candidate_paths("/opt/x/tm.so", {"/m1"}), (paths{"/opt/x/tm.so"}));
    EXPECT_EQ(candidate_paths("/opt/x/tm", {"/m1"}), (paths{"/opt/x/tm.so"}));
}

TEST(ModulePath, RelativePathIsTriedAsGivenThenUnderEachDirectory) {
    EXPECT_EQ(candidate_paths("extra/tm.so", {"/m1", "/m2"}),
              (paths{"extra/tm.so", "/m1/extra/tm.so", "/m2/extra/tm.so"}));
}
