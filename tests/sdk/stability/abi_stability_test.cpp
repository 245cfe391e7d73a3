// The current SDK headers against the committed ABI v1 baseline, and the comparison's own negative cases:
// mutants of the current header, made at build time by mutate_header.cmake, each compiled like the current
// header. The negative cases check that the comparison names what changed, and only that.
#include "abi_records.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace {

using namespace siphost_abi_stability;

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines)
        text += "\n  " + line;
    return text;
}

// What the problems are about: the part of each line before ": ".
std::set<std::string> named(const std::vector<std::string>& problems) {
    std::set<std::string> names;
    for (const auto& line : problems)
        names.insert(line.substr(0, line.find(": ")));
    return names;
}

bool has_line(const std::vector<std::string>& problems, const std::string& text) {
    return std::find(problems.begin(), problems.end(), text) != problems.end();
}

const abi_record* find(abi_records records, std::string_view name) {
    for (const auto& record : records)
        if (record.name == name)
            return &record;
    return nullptr;
}

TEST(AbiStability, TheCurrentHeadersOnlyAppendToTheBaseline) {
    auto problems = abi_compare(abi_records_baseline(), abi_records_current());
    EXPECT_TRUE(problems.empty()) << "sdk/include/siphost breaks ABI v1 (docs/abi.md, \"The rules\"):"
                                  << joined(problems);
}

TEST(AbiStability, BothSidesExpandTheWholeList) {
    // 28 structs in module.h, sl.h and tm.h; a side that expanded less would compare less.
    auto count = [](abi_records records, abi_kind kind) {
        return std::count_if(records.begin(), records.end(),
                             [&](const abi_record& r) { return r.kind == kind; });
    };
    EXPECT_EQ(count(abi_records_baseline(), abi_kind::structure), 28);
    EXPECT_EQ(abi_records_baseline().size(), abi_records_current().size());
    EXPECT_GT(count(abi_records_baseline(), abi_kind::field), 280);
    EXPECT_GT(count(abi_records_baseline(), abi_kind::constant), 80);
    // The records really come from two compilations: the comparison of a side with itself finds nothing, and
    // a type is spelled as the compiler spells it.
    EXPECT_TRUE(abi_compare(abi_records_baseline(), abi_records_baseline()).empty());
    const abi_record* log = find(abi_records_baseline(), "siphost_host_api.log");
    ASSERT_NE(log, nullptr);
    EXPECT_NE(log->text.find("siphost_module_handle"), std::string_view::npos) << log->text;
}

TEST(AbiStability, TwoSwappedFieldsAreCaught) {
    auto problems = abi_compare(abi_records_baseline(), abi_records_swapped());
    EXPECT_EQ(named(problems), (std::set<std::string>{"siphost_module.name", "siphost_module.version"}))
        << joined(problems);
    EXPECT_TRUE(
        has_line(problems, "siphost_module.name: at offset 16 in the baseline, 24 now: a field never moves"))
        << joined(problems);
    EXPECT_TRUE(has_line(problems,
                         "siphost_module.version: at offset 24 in the baseline, 16 now: a field never moves"))
        << joined(problems);
}

TEST(AbiStability, AFieldInsertedInTheMiddleIsCaught) {
    auto problems = abi_compare(abi_records_baseline(), abi_records_inserted());
    auto names = named(problems);
    EXPECT_TRUE(names.count("siphost_host_api.msg_method")) << joined(problems);
    EXPECT_TRUE(names.count("siphost_host_api.events")) << "every later field moved too" << joined(problems);
    EXPECT_FALSE(names.count("siphost_host_api.msg_is_request")) << "it stays in place" << joined(problems);
    EXPECT_FALSE(names.count("siphost_host_api"))
        << "the table grew, which alone is allowed" << joined(problems);
    const abi_record* method = find(abi_records_baseline(), "siphost_host_api.msg_method");
    ASSERT_NE(method, nullptr);
    EXPECT_TRUE(has_line(problems, "siphost_host_api.msg_method: at offset " +
                                       std::to_string(method->offset) + " in the baseline, " +
                                       std::to_string(method->offset + 8) + " now: a field never moves"))
        << joined(problems);
    for (const auto& name : names)
        EXPECT_EQ(name.rfind("siphost_host_api.", 0), 0u) << name << " is not in the table that changed";
}

TEST(AbiStability, ARetypedFunctionIsCaught) {
    auto problems = abi_compare(abi_records_baseline(), abi_records_retyped());
    ASSERT_EQ(problems.size(), 1u) << joined(problems);
    EXPECT_EQ(problems[0].rfind("siphost_host_api.msg_status: of type 'int (*)(const siphost_msg", 0), 0u)
        << problems[0];
    EXPECT_NE(problems[0].find("now: a field is never retyped"), std::string::npos) << problems[0];
}

TEST(AbiStability, AChangedConstantIsCaught) {
    auto problems = abi_compare(abi_records_baseline(), abi_records_renumbered());
    EXPECT_EQ(problems,
              (std::vector<std::string>{
                  "SIPHOST_PROTO_TLS: 3 in the baseline, 7 now: a constant never changes its value"}));
}

TEST(AbiStability, AStructThatShrinksIsCaught) {
    // Even by a reserved slot, which the comparison otherwise leaves to later minors.
    auto problems = abi_compare(abi_records_baseline(), abi_records_shrunk());
    EXPECT_EQ(problems,
              (std::vector<std::string>{
                  "siphost_uri: 160 bytes in the baseline, 152 now: a struct only grows at its end"}));
}

TEST(AbiStability, WhatALaterMinorMayDoPasses) {
    // The minor goes up, fields are appended, a reserved slot becomes a function, a reserved field gets a
    // name, an enum gains a value: none of it is a break.
    auto problems = abi_compare(abi_records_baseline(), abi_records_grown());
    EXPECT_TRUE(problems.empty()) << joined(problems);
    const abi_record* minor = find(abi_records_grown(), "SIPHOST_ABI_MINOR");
    ASSERT_NE(minor, nullptr);
    EXPECT_EQ(minor->value, 9) << "the mutant is a 1.9 header";
}

TEST(AbiStability, TheCurrentHeadersAre1Point8AnAppendTo1Point0) {
    // 1.1 appended the RPC dispatch for control transports to siphost_rpc_api, 1.2 branch flags and
    // apply_changes to siphost_msgctx_api, 1.3 took a reserved host-table slot for metric_walk, 1.4 another
    // for msg_send_socket and appended send_flags to siphost_msgctx_api, 1.5 took five for the connection
    // calls, 1.6 two for socket_find and msg_set_send_socket and appended set_ruri_branch and ruri_branch to
    // siphost_msgctx_api, 1.7 one for send_request, 1.8 appended every_idle to siphost_async_api
    // (docs/abi.md, "History"): the tables grew, the minor went up, and everything 1.0 had stays where it was
    // (checked above).
    const abi_record* minor = find(abi_records_current(), "SIPHOST_ABI_MINOR");
    const abi_record* old_minor = find(abi_records_baseline(), "SIPHOST_ABI_MINOR");
    ASSERT_NE(minor, nullptr);
    ASSERT_NE(old_minor, nullptr);
    EXPECT_EQ(old_minor->value, 0);
    EXPECT_EQ(minor->value, 8);
    const abi_record* rpc = find(abi_records_current(), "siphost_rpc_api");
    const abi_record* old_rpc = find(abi_records_baseline(), "siphost_rpc_api");
    ASSERT_NE(rpc, nullptr);
    ASSERT_NE(old_rpc, nullptr);
    EXPECT_EQ(old_rpc->size, 80u);
    EXPECT_EQ(rpc->size, old_rpc->size + 13 * sizeof(void (*)())) << "13 functions appended in 1.1";
    const abi_record* fault = find(abi_records_current(), "siphost_rpc_api.fault");
    ASSERT_NE(fault, nullptr);
    EXPECT_EQ(fault->offset + fault->size, old_rpc->size) << "1.0's last function still ends the 1.0 part";
    const abi_record* msgctx = find(abi_records_current(), "siphost_msgctx_api");
    const abi_record* old_msgctx = find(abi_records_baseline(), "siphost_msgctx_api");
    ASSERT_NE(msgctx, nullptr);
    ASSERT_NE(old_msgctx, nullptr);
    EXPECT_EQ(msgctx->size, old_msgctx->size + 6 * sizeof(void (*)()))
        << "3 functions appended in 1.2, 1 in 1.4, 2 in 1.6";
    const abi_record* clear = find(abi_records_current(), "siphost_msgctx_api.clear_branches");
    ASSERT_NE(clear, nullptr);
    EXPECT_EQ(clear->offset + clear->size, old_msgctx->size) << "1.0's last function still ends the 1.0 part";
    const abi_record* host = find(abi_records_current(), "siphost_host_api");
    const abi_record* old_host = find(abi_records_baseline(), "siphost_host_api");
    ASSERT_NE(host, nullptr);
    ASSERT_NE(old_host, nullptr);
    EXPECT_EQ(host->size, old_host->size) << "1.2 to 1.7 took reserved slots: the host table kept its size";
}

} // namespace
