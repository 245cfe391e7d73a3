// The host table as modules get it: one table for the process, with every group and sub-table filled, and the
// contracts module.h writes down (no hidden side effects, AVP ownership, APIs by name and major, workers,
// timers and watched descriptors on the slow timer thread).
#include "abi/host_table.hpp"
#include "message/message_context.hpp"
#include "net/async_loop.hpp"
#include "plugin/host_services.hpp"
#include "plugin/loaded_module.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

const siphost_host_api* host() { return siphost::abi::host_table(); }

siphost_str str(std::string_view s) { return {s.data(), s.size()}; }
std::string_view view(siphost_str s) { return {s.s == nullptr ? "" : s.s, s.len}; }

constexpr std::string_view request = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
                                     "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
                                     "Max-Forwards: 10\r\n"
                                     "From: <sip:alice@127.0.0.1>;tag=1\r\n"
                                     "To: <sip:bob@127.0.0.1>\r\n"
                                     "Call-ID: c1\r\n"
                                     "CSeq: 1 OPTIONS\r\n"
                                     "Content-Length: 0\r\n\r\n";

/// Waits up to 2 s for a condition a background thread makes true.
template <class F> bool eventually(F&& done) {
    for (int i = 0; i < 200 && !done(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
}

siphost_module_handle test_module{"abi_test"};

} // namespace

TEST(HostTable, EveryGroupAndSubTableIsFilled) {
    const auto* api = host();
    EXPECT_EQ(api->struct_size, sizeof(siphost_host_api));
    EXPECT_EQ(api->abi_major, static_cast<uint32_t>(SIPHOST_ABI_MAJOR));
    EXPECT_EQ(api->abi_minor, static_cast<uint32_t>(SIPHOST_ABI_MINOR));
    // Every function slot before the reserved ones is set.
    const auto* slots = reinterpret_cast<void* const*>(reinterpret_cast<const char*>(api) + offsetof(siphost_host_api, log));
    size_t count = (offsetof(siphost_host_api, reserved) - offsetof(siphost_host_api, log)) / sizeof(void*);
    for (size_t i = 0; i < count; ++i)
        EXPECT_NE(slots[i], nullptr) << "slot " << i;
    for (void* const* r = api->reserved; r != api->reserved + sizeof(api->reserved) / sizeof(void*); ++r)
        EXPECT_EQ(*r, nullptr);
    EXPECT_TRUE(SIPHOST_HAS(siphost_msgctx_api, api->msgctx, clear_branches));
    EXPECT_TRUE(SIPHOST_HAS(siphost_sip_api, api->sip, parse_credentials));
    EXPECT_TRUE(SIPHOST_HAS(siphost_async_api, api->async, fd_unwatch));
    EXPECT_TRUE(SIPHOST_HAS(siphost_metrics_api, api->metrics, metric_value));
    EXPECT_TRUE(SIPHOST_HAS(siphost_rpc_api, api->rpc, fault));
    EXPECT_TRUE(SIPHOST_HAS(siphost_events_api, api->events, run));
}

TEST(HostTable, MetricWalkSeesEverySeriesSortedWithItsLabelsAndStopsWhenAsked) {
    const auto* m = host()->metrics;
    ASSERT_TRUE(SIPHOST_HAS(siphost_host_api, host(), metric_walk));
    static const char* const method_label[] = {"method", nullptr};
    siphost_metric_desc desc{};
    desc.struct_size = sizeof desc;
    desc.name = "walk_requests";
    desc.kind = SIPHOST_METRIC_COUNTER;
    desc.help = "requests by method";
    desc.labels = method_label;
    siphost_metric* family = m->metric_register(&test_module, &desc);
    ASSERT_NE(family, nullptr);
    desc = siphost_metric_desc{};
    desc.struct_size = sizeof desc;
    desc.name = "walk_level";
    desc.kind = SIPHOST_METRIC_GAUGE;
    siphost_metric* level = m->metric_register(&test_module, &desc);
    ASSERT_NE(level, nullptr);
    m->metric_set(level, -4);
    siphost_str bye = str("BYE"), invite = str("INVITE");
    m->metric_add(m->metric_labels(family, &invite, 1), 3);
    m->metric_add(m->metric_labels(family, &bye, 1), 2);

    struct seen {
        std::vector<std::string> lines;
        size_t stop_after = 0;
    } state;
    auto visit = [](const siphost_metric_info* info, void* data) {
        auto& s = *static_cast<seen*>(data);
        EXPECT_EQ(info->struct_size, sizeof(siphost_metric_info));
        if (view(info->group) != "abi_test" || !view(info->name).starts_with("walk_"))
            return 0;
        std::string line = std::string(view(info->group)) + ":" + std::string(view(info->name)) +
                           (info->kind == SIPHOST_METRIC_GAUGE ? " gauge" : " counter") + " [" +
                           std::string(view(info->help)) + "]";
        for (uint32_t i = 0; i < info->label_count; ++i)
            line += " " + std::string(view(info->label_names[i])) + "=" +
                    std::string(view(info->label_values[i]));
        line += " = " + std::to_string(info->value);
        s.lines.push_back(line);
        return s.stop_after != 0 && s.lines.size() == s.stop_after ? 1 : 0;
    };
    EXPECT_GE(host()->metric_walk(visit, &state), 3);
    EXPECT_EQ(state.lines, (std::vector<std::string>{"abi_test:walk_level gauge [] = -4",
                                                     "abi_test:walk_requests counter [requests by method] "
                                                     "method=BYE = 2",
                                                     "abi_test:walk_requests counter [requests by method] "
                                                     "method=INVITE = 3"}));
    seen first{{}, 1};
    host()->metric_walk(visit, &first);
    EXPECT_EQ(first.lines.size(), 1u) << "a nonzero return stops the walk";
    EXPECT_EQ(host()->metric_walk(nullptr, nullptr), 0);
}

TEST(HostTable, AMaxForwardsLineIsOneMoreHeaderAndChangesNothingElse) {
    siphost_msg* msg = host()->msg_parse(str(request), nullptr);
    ASSERT_NE(msg, nullptr);
    ASSERT_EQ(host()->msg_add_header(msg, str("Max-Forwards: 5\r\n"), SIPHOST_HDR_BOTTOM, str("")), 0);
    siphost::net::listening_socket socket;
    socket.host = "127.0.0.1";
    socket.port = 5060;
    char buf[4096];
    size_t len = 0;
    ASSERT_EQ(host()->build_request(msg, siphost::flow::to_handle(&socket), str("z9hG4bKx"), buf, sizeof buf, &len), 0);
    std::string relayed(buf, len);
    EXPECT_NE(relayed.find("Max-Forwards: 9\r\n"), std::string::npos) << relayed;
    EXPECT_NE(relayed.find("Max-Forwards: 5\r\n"), std::string::npos) << relayed;
    // msg_set_max_forwards is the way to change the relayed value.
    ASSERT_EQ(host()->msg_set_max_forwards(msg, 3), 0);
    ASSERT_EQ(host()->build_request(msg, siphost::flow::to_handle(&socket), str("z9hG4bKx"), buf, sizeof buf, &len), 0);
    relayed.assign(buf, len);
    EXPECT_NE(relayed.find("Max-Forwards: 3\r\n"), std::string::npos) << relayed;
    EXPECT_EQ(relayed.find("Max-Forwards: 9\r\n"), std::string::npos) << relayed;
    host()->msg_free(msg);
}

TEST(HostTable, HeaderLookupsReadTheMessageAsReceived) {
    // As Kamailio's: neither a header added nor one removed shows before the changes are applied.
    siphost_msg* msg = host()->msg_parse(str(request), nullptr);
    host()->msg_add_header(msg, str("X-Added: 1\r\n"), SIPHOST_HDR_BOTTOM, str(""));
    siphost_str value{};
    EXPECT_EQ(host()->msg_header(msg, str("X-Added"), 0, &value), 0);
    EXPECT_EQ(host()->msg_header(msg, str("max-forwards"), 0, &value), 1);
    EXPECT_EQ(view(value), "10");
    EXPECT_EQ(host()->msg_remove_header(msg, str("Max-Forwards"), -1), 1);
    EXPECT_EQ(host()->msg_header(msg, str("Max-Forwards"), 0, &value), 1);
    EXPECT_EQ(view(value), "10");
    EXPECT_EQ(host()->msg_remove_header(msg, str("Max-Forwards"), 0), 1); // found again, as received
    host()->msg_free(msg);
}

TEST(HostTable, AppliedChangesAreReadBackAndTheOldBytesStayIntact) {
    // 1.2's apply_changes: what was added, removed and rewritten becomes the message others read.
    siphost_msg* msg = host()->msg_parse(str(request), nullptr);
    ASSERT_NE(msg, nullptr);
    ASSERT_TRUE(SIPHOST_HAS(siphost_msgctx_api, host()->msgctx, apply_changes));
    host()->msg_add_header(msg, str("X-Added: 1\r\n"), SIPHOST_HDR_BOTTOM, str(""));
    host()->msg_remove_header(msg, str("Max-Forwards"), -1);
    host()->msg_set_ruri(msg, str("sip:carol@127.0.0.2"));
    char err[128] = "";
    ASSERT_EQ(host()->msgctx->apply_changes(msg, err, sizeof err), 0) << err;
    siphost_str value{};
    EXPECT_EQ(host()->msg_header(msg, str("X-Added"), 0, &value), 1);
    EXPECT_EQ(view(value), "1");
    EXPECT_EQ(host()->msg_header(msg, str("Max-Forwards"), 0, &value), 0);
    EXPECT_EQ(view(host()->msg_ruri(msg)), "sip:carol@127.0.0.2");
    EXPECT_NE(view(host()->msg_raw(msg)).find("X-Added: 1\r\n"), std::string_view::npos);
    EXPECT_EQ(view(host()->msg_call_id(msg)), "c1");
    // Nothing recorded: nothing to do, and still a success.
    EXPECT_EQ(host()->msgctx->apply_changes(msg, err, sizeof err), 0);
    // Applying twice does not add the header twice.
    EXPECT_EQ(host()->msg_header(msg, str("X-Added"), 1, &value), 0);
    host()->msg_free(msg);
}

TEST(HostTable, ChangesThatDoNotMakeAMessageAreRefusedAndKept) {
    siphost_msg* msg = host()->msg_parse(str(request), nullptr);
    ASSERT_NE(msg, nullptr);
    // A "header" without a colon breaks the header section of the rewritten message.
    ASSERT_EQ(host()->msg_add_header(msg, str("this is not a header\r\n"), SIPHOST_HDR_BOTTOM, str("")), 0);
    char err[128] = "";
    EXPECT_EQ(host()->msgctx->apply_changes(msg, err, sizeof err), -1);
    EXPECT_STRNE(err, "");
    EXPECT_EQ(view(host()->msg_raw(msg)), request) << "the bytes are the ones received";
    EXPECT_EQ(host()->msgctx->apply_changes(nullptr, err, sizeof err), -1);
    host()->msg_free(msg);
}

TEST(HostTable, BranchFlagsAreKeptPerBranchAndCopiedByAClone) {
    siphost_msg* msg = host()->msg_parse(str(request), nullptr);
    ASSERT_NE(msg, nullptr);
    const auto* ctx = host()->msgctx;
    ASSERT_TRUE(SIPHOST_HAS(siphost_msgctx_api, ctx, set_branch_flags));
    uint64_t flags = 99;
    ASSERT_EQ(ctx->branch_flags(msg, 0, &flags), 0);
    EXPECT_EQ(flags, 0u);
    EXPECT_EQ(ctx->branch_flags(msg, 1, &flags), -1) << "no destination set yet";
    EXPECT_EQ(ctx->set_branch_flags(msg, 1, 4), -1);
    ASSERT_EQ(ctx->set_branch_flags(msg, 0, 1u << 6), 0);
    siphost_branch b{};
    b.struct_size = sizeof b;
    b.uri = str("sip:bob@10.0.0.2");
    b.flags = 1u << 3;
    ASSERT_EQ(ctx->append_branch(msg, &b), 0);
    ASSERT_EQ(ctx->branch_flags(msg, 1, &flags), 0);
    EXPECT_EQ(flags, 1u << 3);
    ASSERT_EQ(ctx->set_branch_flags(msg, 1, 1u << 4), 0);
    siphost_branch read{};
    read.struct_size = sizeof read;
    ASSERT_EQ(ctx->branch_at(msg, 0, &read), 0);
    EXPECT_EQ(read.flags, 1u << 4) << "branch_at sees what set_branch_flags set";
    siphost_msg* copy = host()->msg_clone(msg);
    ASSERT_NE(copy, nullptr);
    ASSERT_EQ(ctx->branch_flags(copy, 0, &flags), 0);
    EXPECT_EQ(flags, 1u << 6);
    host()->msg_free(copy);
    host()->msg_free(msg);
}

TEST(HostTable, TheRequestUriBranchKeepsItsAttributesAndAClonesThem) {
    siphost_msg* msg = host()->msg_parse(str(request), nullptr);
    ASSERT_NE(msg, nullptr);
    const auto* ctx = host()->msgctx;
    ASSERT_TRUE(SIPHOST_HAS(siphost_msgctx_api, ctx, ruri_branch));
    siphost_branch read{};
    read.struct_size = sizeof read;
    ASSERT_EQ(ctx->ruri_branch(msg, &read), 0);
    EXPECT_EQ(read.path.len, 0u);
    EXPECT_EQ(read.ruid.len, 0u);
    siphost_branch own{};
    own.struct_size = sizeof own;
    own.path = str("<sip:edge.example.com;lr>");
    own.ruid = str("uloc-1-2-3");
    own.q = 500;
    own.info = SIPHOST_BRANCH_Q_SET;
    own.reg_id = 2;
    ASSERT_EQ(ctx->set_ruri_branch(msg, &own), 0);
    ASSERT_EQ(host()->msg_set_ruri(msg, str("sip:other@10.0.0.9")), 0);
    siphost_msg* copy = host()->msg_clone(msg);
    ASSERT_NE(copy, nullptr);
    for (const siphost_msg* m :
         {static_cast<const siphost_msg*>(msg), static_cast<const siphost_msg*>(copy)}) {
        ASSERT_EQ(ctx->ruri_branch(m, &read), 0);
        EXPECT_EQ(std::string(read.path.s, read.path.len), "<sip:edge.example.com;lr>");
        EXPECT_EQ(std::string(read.ruid.s, read.ruid.len), "uloc-1-2-3") << "a new Request-URI keeps it";
        EXPECT_EQ(std::string(read.uri.s, read.uri.len), "sip:other@10.0.0.9");
        EXPECT_EQ(read.q, 500);
        EXPECT_EQ(read.info, SIPHOST_BRANCH_Q_SET);
        EXPECT_EQ(read.reg_id, 2u);
    }
    own.path = str("");
    own.ruid = str("uloc-4-5-6");
    ASSERT_EQ(ctx->set_ruri_branch(copy, &own), 0);
    ASSERT_EQ(ctx->ruri_branch(copy, &read), 0);
    EXPECT_EQ(read.path.len, 0u) << "an empty path clears it";
    ASSERT_EQ(ctx->ruri_branch(msg, &read), 0);
    EXPECT_EQ(std::string(read.ruid.s, read.ruid.len), "uloc-1-2-3") << "the clone's are its own";
    EXPECT_EQ(host()->socket_find(str("udp:192.0.2.77:5060")), nullptr) << "no such local socket";
    host()->msg_free(copy);
    host()->msg_free(msg);
}

TEST(HostTable, TheAvpFunctionsOwnListsThroughHandles) {
    siphost_avp_list* list = host()->avp_list_new();
    siphost_value v{SIPHOST_VALUE_STR, 0, 0, str("kept")};
    EXPECT_EQ(host()->avp_add(list, str("a"), &v), 0);
    siphost_value out{};
    EXPECT_EQ(host()->avp_get(list, str("a"), 0, &out), 1);
    EXPECT_EQ(view(out.str), "kept");
    EXPECT_EQ(host()->avp_get(list, str("b"), 0, &out), 0);
    siphost_value replaced{SIPHOST_VALUE_INT, 0, 7, {}};
    EXPECT_EQ(host()->avp_set(list, str("a"), 0, &replaced), 0);
    EXPECT_EQ(host()->avp_set(list, str("a"), 1, &replaced), -1) << "no second value to replace";
    EXPECT_EQ(host()->avp_delete(list, str("a"), -1), 1);
    host()->avp_list_free(list);
}

TEST(HostTable, ApisArePublishedOnceByNameAndMajor) {
    static const int table = 42;
    siphost::plugin::host_services::instance().reset();
    EXPECT_EQ(host()->api_export(&test_module, "abi_test", 1, &table), 0);
    EXPECT_EQ(host()->api_export(&test_module, "abi_test", 1, &table), -1) << "a name and major are published once";
    EXPECT_EQ(host()->api_lookup("abi_test", 1), &table);
    EXPECT_EQ(host()->api_lookup("abi_test", 2), nullptr);
    siphost::plugin::host_services::instance().reset();
}

TEST(HostTable, WorkerIdentityIsPerThread) {
    siphost::plugin::host_services::instance().set_worker_count(3);
    EXPECT_EQ(host()->worker_count(), 3);
    EXPECT_EQ(host()->worker_index(), -1);
    std::thread worker([] {
        siphost::plugin::host_services::set_worker_index(2);
        EXPECT_EQ(host()->worker_index(), 2);
    });
    worker.join();
    EXPECT_EQ(host()->worker_index(), -1);
}

TEST(HostTable, FastTimersAreRecordedForTheTimerThread) {
    siphost::plugin::host_services::instance().reset();
    auto tick = [](uint64_t, void*) {};
    EXPECT_EQ(host()->async->every(&test_module, 100, 0, tick, nullptr), 0);
    EXPECT_EQ(host()->async->every(&test_module, 0, 0, tick, nullptr), -1);
    EXPECT_EQ(host()->async->every(&test_module, 100, 1u << 7, tick, nullptr), -1) << "unknown flags";
    ASSERT_EQ(siphost::plugin::host_services::instance().timers().size(), 1u);
    EXPECT_EQ(siphost::plugin::host_services::instance().timers()[0].interval_ms, 100u);
    EXPECT_EQ(siphost::plugin::host_services::instance().timers()[0].owner, &test_module);

    host()->async->every_idle(&test_module, 1); // no timer thread listens yet: nothing to rest
    std::vector<std::pair<const siphost_module_handle*, bool>> told;
    siphost::plugin::host_services::instance().set_idle_listener(
        [&](const siphost_module_handle* owner, bool idle) { told.emplace_back(owner, idle); });
    host()->async->every_idle(&test_module, 1);
    host()->async->every_idle(&test_module, 0);
    host()->async->every_idle(nullptr, 1);
    EXPECT_EQ(told, (std::vector<std::pair<const siphost_module_handle*, bool>>{{&test_module, true},
                                                                                {&test_module, false}}));
    siphost::plugin::host_services::instance().reset();
    host()->async->every_idle(&test_module, 1);
    EXPECT_EQ(told.size(), 2u) << "reset forgets the listener";
}

TEST(HostTable, OneShotTimersFireOnceOrAreCancelled) {
    auto& loop = siphost::net::async_loop::instance();
    loop.start(nullptr);
    static std::atomic<int> fired{0};
    fired = 0;
    auto count = [](uint64_t, void* data) { fired += *static_cast<int*>(data); };
    static int one = 1, hundred = 100;
    siphost_timer* soon = host()->async->timer_start(&test_module, 10, count, &one);
    siphost_timer* never = host()->async->timer_start(&test_module, 60000, count, &hundred);
    ASSERT_NE(soon, nullptr);
    EXPECT_EQ(host()->async->timer_cancel(never), 1);
    EXPECT_TRUE(eventually([] { return fired.load() == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(fired.load(), 1) << "the cancelled timer never fires";
    loop.stop();
}

TEST(HostTable, AWatchedDescriptorCallsBackUntilUnwatched) {
    auto& loop = siphost::net::async_loop::instance();
    loop.start(nullptr);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    static std::atomic<int> reads{0};
    reads = 0;
    auto readable = [](int fd, uint32_t events, void*) {
        char c;
        if (events == SIPHOST_FD_READ && read(fd, &c, 1) == 1)
            ++reads;
    };
    siphost_fd_watch* watch = host()->async->fd_watch(&test_module, fds[0], SIPHOST_FD_READ, readable, nullptr);
    ASSERT_NE(watch, nullptr);
    ASSERT_EQ(write(fds[1], "ab", 2), 2);
    EXPECT_TRUE(eventually([] { return reads.load() == 2; }));
    host()->async->fd_unwatch(watch);
    ASSERT_EQ(write(fds[1], "c", 1), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(reads.load(), 2) << "no call after fd_unwatch";
    char c;
    EXPECT_EQ(read(fds[0], &c, 1), 1) << "the descriptor stays open: it is the module's";
    close(fds[0]);
    close(fds[1]);
    loop.stop();
}
