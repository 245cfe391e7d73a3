// The ABI 1.1 RPC dispatch as a control transport uses it (ctl, jsonrpcs): a call by name with typed
// parameters, the reply walked through node_kind/node_size/node_member, faults, and the command list.
#include "abi/host_table.hpp"
#include "core/rpc.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

const siphost_rpc_api* rpc() {
    return siphost::abi::host_table()->rpc;
}

siphost_str str(std::string_view text) {
    return {text.data(), text.size()};
}

std::string text(siphost_str s) {
    return std::string(s.s == nullptr ? "" : s.s, s.len);
}

// Echoes its parameters as "kind:value" strings, and answers with one value of each kind.
void echo(siphost_rpc_call* call) {
    const siphost_rpc_api* api = rpc();
    siphost_rpc_node* top = api->result(call);
    siphost_rpc_node* params = api->add_array(top, nullptr);
    for (size_t i = 0; i < api->param_count(call); ++i) {
        siphost_value v{};
        api->param(call, i, &v);
        std::string item =
            v.kind == SIPHOST_VALUE_INT ? "int:" + std::to_string(v.num) : "str:" + text(v.str);
        api->add_str(params, nullptr, str(item));
    }
    siphost_rpc_node* info = api->add_struct(top, nullptr);
    api->add_int(info, "count", 42);
    api->add_double(info, "ratio", 0.5);
    api->add_str(info, "name", str("echo"));
    api->add_struct(info, "empty");
}

void fails(siphost_rpc_call* call) {
    rpc()->add_int(rpc()->result(call), nullptr, 1);
    rpc()->fault(call, 400, str("bad things"));
}

const siphost_rpc_command commands[] = {
    {sizeof(siphost_rpc_command),
     "dispatch.echo",
     echo,
     "Echoes its parameters.",
     "sds",
     0,
     0,
     {nullptr, nullptr}},
    {sizeof(siphost_rpc_command),
     "dispatch.fails",
     fails,
     "Always fails.",
     nullptr,
     0,
     0,
     {nullptr, nullptr}},
};

class RpcDispatch : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        std::string error;
        for (const auto& command : commands)
            ASSERT_TRUE(siphost::core::rpc_registry::instance().add("dispatch", &command, error)) << error;
    }
    static void TearDownTestSuite() { siphost::core::rpc_registry::instance().remove_module("dispatch"); }
};

siphost_rpc_member member(const siphost_rpc_node* node, size_t index) {
    siphost_rpc_member m{};
    m.struct_size = sizeof m;
    EXPECT_EQ(rpc()->node_member(node, index, &m), 0) << index;
    return m;
}

TEST_F(RpcDispatch, TheDispatchCameWithMinorOne) {
    // The calls are 1.1's: a host of that minor or later has them all.
    ASSERT_TRUE(SIPHOST_HAS(siphost_rpc_api, rpc(), command_find));
    EXPECT_GE(siphost::abi::host_table()->abi_minor, 1u);
}

TEST_F(RpcDispatch, CallsWithTypedParametersAndWalksTheReply) {
    siphost_rpc_call* call = rpc()->call_new(str("dispatch.echo"));
    ASSERT_NE(call, nullptr);
    EXPECT_EQ(rpc()->call_add_str(call, str("all")), 0);
    EXPECT_EQ(rpc()->call_add_int(call, -7), 0);
    EXPECT_EQ(rpc()->call_add_double(call, 2.5), 0);
    ASSERT_EQ(rpc()->call_run(call), 0);
    EXPECT_EQ(rpc()->call_add_int(call, 1), -1) << "parameters go before the run";
    siphost_str message{};
    EXPECT_EQ(rpc()->call_fault(call, &message), 0);

    const siphost_rpc_node* top = rpc()->call_reply(call);
    EXPECT_EQ(rpc()->node_kind(top), uint32_t{SIPHOST_RPC_NODE_LIST});
    ASSERT_EQ(rpc()->node_size(top), 2u);

    siphost_rpc_member params = member(top, 0);
    ASSERT_EQ(params.kind, uint32_t{SIPHOST_RPC_MEMBER_NODE});
    EXPECT_EQ(params.key.len, 0u);
    EXPECT_EQ(rpc()->node_kind(params.node), uint32_t{SIPHOST_RPC_NODE_ARRAY});
    ASSERT_EQ(rpc()->node_size(params.node), 3u);
    EXPECT_EQ(text(member(params.node, 0).str), "str:all");
    EXPECT_EQ(text(member(params.node, 1).str), "int:-7");
    EXPECT_EQ(text(member(params.node, 2).str), "str:2.5");

    siphost_rpc_member info = member(top, 1);
    ASSERT_EQ(info.kind, uint32_t{SIPHOST_RPC_MEMBER_NODE});
    EXPECT_EQ(rpc()->node_kind(info.node), uint32_t{SIPHOST_RPC_NODE_STRUCT});
    ASSERT_EQ(rpc()->node_size(info.node), 4u);
    siphost_rpc_member count = member(info.node, 0);
    EXPECT_EQ(text(count.key), "count");
    EXPECT_EQ(count.kind, uint32_t{SIPHOST_RPC_MEMBER_INT});
    EXPECT_EQ(count.num, 42);
    siphost_rpc_member ratio = member(info.node, 1);
    EXPECT_EQ(ratio.kind, uint32_t{SIPHOST_RPC_MEMBER_DOUBLE});
    EXPECT_DOUBLE_EQ(ratio.real, 0.5);
    EXPECT_EQ(member(info.node, 2).kind, uint32_t{SIPHOST_RPC_MEMBER_STR});
    siphost_rpc_member empty = member(info.node, 3);
    EXPECT_EQ(text(empty.key), "empty");
    EXPECT_EQ(rpc()->node_size(empty.node), 0u);

    siphost_rpc_member past{};
    past.struct_size = sizeof past;
    EXPECT_EQ(rpc()->node_member(top, 2, &past), -1);
    siphost_rpc_member too_small{};
    too_small.struct_size = 8;
    EXPECT_EQ(rpc()->node_member(top, 0, &too_small), -1) << "a member struct smaller than 1.1's is refused";

    EXPECT_EQ(rpc()->call_run(call), 500) << "a call runs once";
    rpc()->call_free(call);
}

TEST_F(RpcDispatch, FaultsCarryCodeAndMessageAndNoReply) {
    siphost_rpc_call* call = rpc()->call_new(str("dispatch.fails"));
    EXPECT_EQ(rpc()->call_run(call), 400);
    siphost_str message{};
    EXPECT_EQ(rpc()->call_fault(call, &message), 400);
    EXPECT_EQ(text(message), "bad things");
    EXPECT_EQ(rpc()->node_size(rpc()->call_reply(call)), 0u);
    rpc()->call_free(call);

    call = rpc()->call_new(str("dispatch.nosuch"));
    EXPECT_EQ(rpc()->call_run(call), 500);
    EXPECT_EQ(rpc()->call_fault(call, &message), 500);
    EXPECT_EQ(text(message), "command dispatch.nosuch not found");
    rpc()->call_free(call);
    rpc()->call_free(nullptr);
}

TEST_F(RpcDispatch, ListsAndFindsCommands) {
    std::vector<std::string> names;
    for (size_t i = 0; const siphost_rpc_command* c = rpc()->command_at(i); ++i)
        names.emplace_back(c->name);
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_NE(std::find(names.begin(), names.end(), "dispatch.echo"), names.end());
    const siphost_rpc_command* found = rpc()->command_find(str("dispatch.echo"));
    ASSERT_NE(found, nullptr);
    EXPECT_STREQ(found->doc, "Echoes its parameters.");
    EXPECT_STREQ(found->signature, "sds");
    EXPECT_EQ(rpc()->command_find(str("dispatch.nope")), nullptr);
    EXPECT_EQ(rpc()->command_find(siphost_str{nullptr, 0}), nullptr);
}

} // namespace
