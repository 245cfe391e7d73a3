// Every module's descriptor is well-formed: ABI numbers, tables that end, commands with handlers, argument
// kinds in range, no duplicate overloads, zero reserved fields, events and RPC commands when declared, and an
// init that succeeds on a host.
#include "fake_host.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace siphost::tests {
namespace {

class modules_descriptor : public ::testing::TestWithParam<const char*> {};

TEST_P(modules_descriptor, is_well_formed) {
    fake_host host;
    loaded_module module(GetParam());
    const siphost_module& d = module.descriptor();
    EXPECT_EQ(d.struct_size, sizeof(siphost_module));
    EXPECT_EQ(d.abi_major, static_cast<uint32_t>(SIPHOST_ABI_MAJOR));
    EXPECT_LE(d.abi_minor, static_cast<uint32_t>(SIPHOST_ABI_MINOR));
    EXPECT_STREQ(d.name, GetParam());
    for (void* reserved : d.reserved)
        EXPECT_EQ(reserved, nullptr);
    ASSERT_NE(d.commands, nullptr);
    std::set<std::pair<std::string, uint32_t>> seen;
    size_t count = 0;
    for (const siphost_command* c = d.commands; c->name != nullptr; ++c, ++count) {
        SCOPED_TRACE(c->name);
        EXPECT_EQ(c->struct_size, sizeof(siphost_command));
        EXPECT_NE(c->handler, nullptr);
        EXPECT_NE(c->route_types, 0u);
        EXPECT_LE(c->arg_count, static_cast<uint32_t>(SIPHOST_MAX_ARGS));
        EXPECT_EQ(c->reserved_kinds[0] | c->reserved_kinds[1], 0);
        for (void* reserved : c->reserved)
            EXPECT_EQ(reserved, nullptr);
        for (uint32_t i = 0; i < c->arg_count; ++i) {
            EXPECT_GE(c->arg_kinds[i], SIPHOST_ARG_STRING);
            EXPECT_LE(c->arg_kinds[i], SIPHOST_ARG_PVAR);
        }
        EXPECT_TRUE(seen.emplace(c->name, c->arg_count).second) << "duplicate overload";
    }
    EXPECT_GT(count, 0u);
    for (const siphost_event* e = d.events; e != nullptr && e->name != nullptr; ++e) {
        SCOPED_TRACE(e->name);
        EXPECT_EQ(e->struct_size, sizeof(siphost_event));
        EXPECT_TRUE(e->route_type == SIPHOST_ROUTE_EVENT || e->route_type == SIPHOST_ROUTE_BRANCH_FAILURE);
    }
    for (const siphost_rpc_command* r = d.rpcs; r != nullptr && r->name != nullptr; ++r) {
        SCOPED_TRACE(r->name);
        EXPECT_EQ(r->struct_size, sizeof(siphost_rpc_command));
        EXPECT_NE(r->handler, nullptr);
        EXPECT_NE(std::string(r->name).find('.'), std::string::npos) << "not group.command";
    }
    for (const char* const* dep = d.depends; dep != nullptr && *dep != nullptr; ++dep)
        EXPECT_STRNE(*dep, d.name);
    std::string error;
    EXPECT_EQ(module.init(host, &error), 0) << error;
}

INSTANTIATE_TEST_SUITE_P(modules_all, modules_descriptor,
                         ::testing::Values("sl", "rr", "textops", "xlog", "maxfwd", "siputils", "pv"));

} // namespace
} // namespace siphost::tests
