// The same layout checks in C++20, and the rules the header promises.
#include "abi_layout.h"

#include <gtest/gtest.h>

#include <type_traits>

extern "C" int siphost_abi_layout_checked_in_c(void);

TEST(SdkAbi, CAndCppAgreeOnTheMajor) { EXPECT_EQ(siphost_abi_layout_checked_in_c(), SIPHOST_ABI_MAJOR); }

TEST(SdkAbi, EveryGrowableStructStartsWithItsSize) {
    EXPECT_EQ(offsetof(siphost_module, struct_size), 0u);
    EXPECT_EQ(offsetof(siphost_command, struct_size), 0u);
    EXPECT_EQ(offsetof(siphost_param, struct_size), 0u);
    EXPECT_EQ(offsetof(siphost_pv, struct_size), 0u);
    EXPECT_EQ(offsetof(siphost_host_api, struct_size), 0u);
}

TEST(SdkAbi, StructsAreStandardLayoutAndTrivial) {
    EXPECT_TRUE(std::is_standard_layout_v<siphost_host_api>);
    EXPECT_TRUE(std::is_trivial_v<siphost_host_api>);
    EXPECT_TRUE(std::is_standard_layout_v<siphost_module>);
    EXPECT_TRUE(std::is_trivial_v<siphost_command>);
}

TEST(SdkAbi, HasTellsWhetherAnOptionalFunctionIsPresent) {
    siphost_host_api api{};
    api.struct_size = sizeof(api);
    EXPECT_FALSE(SIPHOST_HAS(siphost_host_api, &api, worker_index)) << "present but NULL";
    api.worker_index = [] { return 0; };
    EXPECT_TRUE(SIPHOST_HAS(siphost_host_api, &api, worker_index));
    api.struct_size = offsetof(siphost_host_api, worker_index);
    EXPECT_FALSE(SIPHOST_HAS(siphost_host_api, &api, worker_index)) << "beyond an older host's table";
}
