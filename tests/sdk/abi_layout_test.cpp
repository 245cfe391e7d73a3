// The same layout checks in C++20 (abi_layout.h, static_assert here), and the rules the header promises.
#include "abi_layout.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string_view>
#include <type_traits>

extern "C" int siphost_abi_layout_checked_in_c(void);
extern "C" const size_t* siphost_abi_struct_sizes_in_c(void);
extern "C" const siphost_module* siphost_module_v1(void);

namespace {

template <typename... T>
struct type_list {};

// Every struct of module.h, in the order of siphost_abi_struct_sizes_in_c().
using all_structs =
    type_list<siphost_str, siphost_value, siphost_dest, siphost_socket_info, siphost_command, siphost_param,
              siphost_pv, siphost_event, siphost_rpc_command, siphost_module, siphost_host_api, siphost_branch,
              siphost_msgctx_api, siphost_uri, siphost_name_addr, siphost_contact, siphost_credentials,
              siphost_sip_api, siphost_async_api, siphost_metric_desc, siphost_metrics_api, siphost_rpc_api,
              siphost_events_api, siphost_metric_info>;

template <typename... T>
constexpr bool all_standard_layout_and_trivial(type_list<T...>) {
    return ((std::is_standard_layout_v<T> && std::is_trivial_v<T>) && ...);
}

template <typename... T>
constexpr size_t count(type_list<T...>) {
    return sizeof...(T);
}

template <typename... T>
void expect_sizes(type_list<T...>, const size_t* in_c) {
    const size_t in_cpp[] = {sizeof(T)...};
    size_t i = 0;
    for (; i < sizeof...(T); ++i)
        EXPECT_EQ(in_c[i], in_cpp[i]) << "struct #" << i << " of the list";
    EXPECT_EQ(in_c[i], 0u) << "the C list has more structs than the C++ one";
}

} // namespace

TEST(SdkAbi, CAndCppAgreeOnTheMajor) { EXPECT_EQ(siphost_abi_layout_checked_in_c(), SIPHOST_ABI_MAJOR); }

TEST(SdkAbi, CAndCppAgreeOnEveryStructSize) { expect_sizes(all_structs{}, siphost_abi_struct_sizes_in_c()); }

TEST(SdkAbi, VersionsAndTheEntrySymbol) {
    EXPECT_EQ(SIPHOST_ABI_MAJOR, 1);
    EXPECT_EQ(SIPHOST_ABI_MINOR, 8);
    EXPECT_EQ(SIPHOST_REQUIRE_MINOR, SIPHOST_ABI_MINOR) << "a module requires the SDK's minor by default";
    EXPECT_EQ(SIPHOST_MAX_ARGS, 6);
    EXPECT_EQ(std::string_view(SIPHOST_ENTRY_SYMBOL), "siphost_module_v1");
}

TEST(SdkAbi, TheModuleMacroDefinesTheEntryInC) {
    // abi_layout.c declares a descriptor and SIPHOST_MODULE(descriptor), compiled as strict C99.
    const siphost_module* module = siphost_module_v1();
    ASSERT_NE(module, nullptr);
    EXPECT_EQ(module, siphost_module_v1()) << "the same pointer each time";
    EXPECT_EQ(module->struct_size, sizeof(siphost_module));
    EXPECT_EQ(module->abi_major, 1u);
    EXPECT_EQ(module->abi_minor, 8u);
    EXPECT_STREQ(module->name, "layout");
}

TEST(SdkAbi, EveryGrowableStructStartsWithItsSize) {
#define STARTS_WITH_SIZE(type)                                                                                 \
    static_assert(offsetof(type, struct_size) == 0, #type);                                                    \
    static_assert(std::is_same_v<decltype(type::struct_size), size_t>, #type);                                 \
    EXPECT_EQ(offsetof(type, struct_size), 0u) << #type
    STARTS_WITH_SIZE(siphost_dest);
    STARTS_WITH_SIZE(siphost_socket_info);
    STARTS_WITH_SIZE(siphost_command);
    STARTS_WITH_SIZE(siphost_param);
    STARTS_WITH_SIZE(siphost_pv);
    STARTS_WITH_SIZE(siphost_event);
    STARTS_WITH_SIZE(siphost_rpc_command);
    STARTS_WITH_SIZE(siphost_module);
    STARTS_WITH_SIZE(siphost_host_api);
    STARTS_WITH_SIZE(siphost_branch);
    STARTS_WITH_SIZE(siphost_msgctx_api);
    STARTS_WITH_SIZE(siphost_uri);
    STARTS_WITH_SIZE(siphost_name_addr);
    STARTS_WITH_SIZE(siphost_contact);
    STARTS_WITH_SIZE(siphost_credentials);
    STARTS_WITH_SIZE(siphost_sip_api);
    STARTS_WITH_SIZE(siphost_async_api);
    STARTS_WITH_SIZE(siphost_metric_desc);
    STARTS_WITH_SIZE(siphost_metrics_api);
    STARTS_WITH_SIZE(siphost_rpc_api);
    STARTS_WITH_SIZE(siphost_events_api);
    STARTS_WITH_SIZE(siphost_metric_info);
#undef STARTS_WITH_SIZE
}

TEST(SdkAbi, EveryReservedArraySitsAtTheEnd) {
    // Reserved slots come last: a later minor gives them a meaning, or appends after them, and moves nothing.
#define RESERVED_AT_END(type)                                                                                  \
    static_assert(std::is_array_v<decltype(type::reserved)>, #type);                                           \
    static_assert(offsetof(type, reserved) + sizeof(type::reserved) == sizeof(type), #type);                   \
    EXPECT_EQ(offsetof(type, reserved) + sizeof(type::reserved), sizeof(type)) << #type
    RESERVED_AT_END(siphost_dest);
    RESERVED_AT_END(siphost_socket_info);
    RESERVED_AT_END(siphost_command);
    RESERVED_AT_END(siphost_param);
    RESERVED_AT_END(siphost_pv);
    RESERVED_AT_END(siphost_event);
    RESERVED_AT_END(siphost_rpc_command);
    RESERVED_AT_END(siphost_module);
    RESERVED_AT_END(siphost_host_api);
    RESERVED_AT_END(siphost_branch);
    RESERVED_AT_END(siphost_uri);
    RESERVED_AT_END(siphost_name_addr);
    RESERVED_AT_END(siphost_contact);
    RESERVED_AT_END(siphost_credentials);
    RESERVED_AT_END(siphost_metric_desc);
    RESERVED_AT_END(siphost_metric_info);
#undef RESERVED_AT_END
}

TEST(SdkAbi, StructsAreStandardLayoutAndTrivial) {
    static_assert(count(all_structs{}) == 24);
    static_assert(all_standard_layout_and_trivial(all_structs{}));
    EXPECT_TRUE(std::is_standard_layout_v<siphost_host_api>);
    EXPECT_TRUE(std::is_trivial_v<siphost_host_api>);
    EXPECT_TRUE(std::is_standard_layout_v<siphost_module>);
    EXPECT_TRUE(std::is_trivial_v<siphost_command>);
}

TEST(SdkAbi, RouteAnyCoversEveryRouteTypeIncludingLaterOnes) {
    constexpr uint32_t known = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_TM_ONREPLY |
                               SIPHOST_ROUTE_BRANCH | SIPHOST_ROUTE_ONSEND | SIPHOST_ROUTE_ERROR |
                               SIPHOST_ROUTE_LOCAL | SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_BRANCH_FAILURE |
                               SIPHOST_ROUTE_EVENT;
    EXPECT_EQ(known, 0x3ffu) << "ten distinct bits";
    EXPECT_EQ(SIPHOST_ROUTE_ANY & known, known);
    EXPECT_NE(SIPHOST_ROUTE_ANY & (1u << 10), 0u) << "the next route type a minor may add";
    EXPECT_NE(SIPHOST_ROUTE_ANY & (1u << 31), 0u);
    uint32_t route_types = SIPHOST_ROUTE_ANY; // what a command's route_types holds
    EXPECT_EQ(route_types, UINT32_MAX);
}

TEST(SdkAbi, HasTellsWhetherAnOptionalFunctionIsPresent) {
    siphost_host_api api{};
    api.struct_size = sizeof(api);
    EXPECT_FALSE(SIPHOST_HAS(siphost_host_api, &api, worker_index)) << "present but NULL";
    api.worker_index = [] { return 0; };
    EXPECT_TRUE(SIPHOST_HAS(siphost_host_api, &api, worker_index));
    api.struct_size = offsetof(siphost_host_api, worker_index);
    EXPECT_FALSE(SIPHOST_HAS(siphost_host_api, &api, worker_index)) << "beyond an older host's table";
    api.struct_size = offsetof(siphost_host_api, worker_index) + sizeof(api.worker_index);
    EXPECT_TRUE(SIPHOST_HAS(siphost_host_api, &api, worker_index)) << "the last field of a shorter table";
    const siphost_host_api* none = nullptr;
    EXPECT_FALSE(SIPHOST_HAS(siphost_host_api, none, worker_index));
}

TEST(SdkAbi, HasWorksOnASubTable) {
    siphost_async_api async{};
    async.post = [](siphost_module_handle*, int, siphost_task_fn, void*) { return 0; };
    async.fd_watch = [](siphost_module_handle*, int, uint32_t, siphost_fd_fn, void*) {
        return static_cast<siphost_fd_watch*>(nullptr);
    };
    // A sub-table of an older host: it ends before fd_watch.
    async.struct_size = offsetof(siphost_async_api, fd_watch);
    EXPECT_TRUE(SIPHOST_HAS(siphost_async_api, &async, post));
    EXPECT_FALSE(SIPHOST_HAS(siphost_async_api, &async, fd_watch)) << "set, but past the table's struct_size";
    EXPECT_FALSE(SIPHOST_HAS(siphost_async_api, &async, fd_unwatch));
    async.struct_size = sizeof(async);
    EXPECT_TRUE(SIPHOST_HAS(siphost_async_api, &async, fd_watch));
    EXPECT_FALSE(SIPHOST_HAS(siphost_async_api, &async, fd_unwatch)) << "in the table but NULL";

    // Through the host table, as a module writes it.
    siphost_host_api host{};
    host.struct_size = sizeof(host);
    host.async = &async;
    EXPECT_TRUE(SIPHOST_HAS(siphost_host_api, &host, async));
    EXPECT_TRUE(SIPHOST_HAS(siphost_async_api, host.async, fd_watch));
    host.async = nullptr;
    EXPECT_FALSE(SIPHOST_HAS(siphost_async_api, host.async, post)) << "no sub-table at all";
}
