// Every module's descriptor is well-formed: ABI numbers, tables that end, commands with handlers, argument
// kinds in range, no duplicate overloads, zero reserved fields, events and RPC commands when declared, and an
// init that succeeds on the real host (its module registry and host table, in process); tm's and tmx's
// declarations.
#include "abi/host_table.hpp"
#include "core/metrics.hpp"
#include "flow/runtime.hpp"
#include "plugin/module_registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

using siphost::plugin::module_registry;

namespace {

class modules_descriptor : public ::testing::TestWithParam<const char*> {
protected:
    // One host per process; gtest_discover_tests runs each case in a process of its own.
    static void SetUpTestSuite() {
        registry_ = std::make_unique<module_registry>();
        registry_->set_search_dirs({SIPHOST_MODULE_DIR});
        for (const char* name : {"sl", "rr", "textops", "xlog", "maxfwd", "siputils", "pv", "tm", "tmx"})
            registry_->load(name);
        // Modules register message hooks at init: the host's runtime takes them, as at `siphost -c`.
        runtime_ = std::make_unique<siphost::flow::runtime>();
        siphost::abi::parts().runtime = runtime_.get();
        siphost::abi::parts().registry = registry_.get();
        try {
            registry_->init_all(siphost::abi::host_table());
        } catch (const std::exception& e) {
            init_error_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        if (init_error_.empty())
            registry_->destroy_all();
        registry_.reset();
        siphost::abi::parts() = {};
        runtime_.reset();
        siphost::core::metric_registry::instance().reset();
    }

    static const siphost_module& descriptor(std::string_view name) {
        return registry_->find_module(name)->descriptor();
    }

    static std::unique_ptr<siphost::flow::runtime> runtime_;
    static std::unique_ptr<module_registry> registry_;
    static std::string init_error_;
};
std::unique_ptr<siphost::flow::runtime> modules_descriptor::runtime_;
std::unique_ptr<module_registry> modules_descriptor::registry_;
std::string modules_descriptor::init_error_;

TEST_P(modules_descriptor, is_well_formed) {
    ASSERT_NE(registry_->find_module(GetParam()), nullptr);
    const siphost_module& d = descriptor(GetParam());
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
    EXPECT_EQ(init_error_, "") << "every module's init succeeds on the host";
}

INSTANTIATE_TEST_SUITE_P(modules_all, modules_descriptor,
                         ::testing::Values("sl", "rr", "textops", "xlog", "maxfwd", "siputils", "pv", "tm",
                                           "tmx"));

class modules_tm_descriptor : public modules_descriptor {};

TEST_F(modules_tm_descriptor, tm_declares_its_events_and_rpcs_and_needs_no_module) {
    const siphost_module& d = descriptor("tm");
    EXPECT_EQ(d.depends, nullptr);
    ASSERT_NE(d.events, nullptr);
    EXPECT_STREQ(d.events[0].name, "tm:branch-failure");
    EXPECT_EQ(d.events[0].route_type, SIPHOST_ROUTE_BRANCH_FAILURE);
    EXPECT_EQ(d.events[0].flags, SIPHOST_EVENT_NAMED);
    EXPECT_STREQ(d.events[1].name, "tm:local-request");
    EXPECT_EQ(d.events[1].route_type, SIPHOST_ROUTE_EVENT);
    EXPECT_EQ(d.events[2].name, nullptr);
    std::set<std::string> rpcs;
    for (const siphost_rpc_command* r = d.rpcs; r != nullptr && r->name != nullptr; ++r)
        rpcs.insert(r->name);
    EXPECT_TRUE(rpcs.count("tm.stats"));
    EXPECT_TRUE(rpcs.count("tm.list"));
    EXPECT_EQ(init_error_, "");
}

TEST_F(modules_tm_descriptor, tmx_needs_tm) {
    const siphost_module& d = descriptor("tmx");
    ASSERT_NE(d.depends, nullptr);
    EXPECT_STREQ(d.depends[0], "tm");
    EXPECT_EQ(d.depends[1], nullptr);
}

} // namespace
