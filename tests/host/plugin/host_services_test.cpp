#include "plugin/host_services.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using siphost::plugin::host_services;

namespace {

class HostServices : public ::testing::Test {
protected:
    void SetUp() override {
        host_services::instance().reset();
        host_services::instance().fill(api);
    }
    void TearDown() override { host_services::instance().reset(); }
    siphost_host_api api{};
};

struct fake_sl_api {
    size_t struct_size;
    int answer;
};

} // namespace

TEST_F(HostServices, TheTableDeclaresItsSizeAndAbi) {
    EXPECT_EQ(api.struct_size, sizeof(siphost_host_api));
    EXPECT_EQ(api.abi_major, static_cast<uint32_t>(SIPHOST_ABI_MAJOR));
    EXPECT_TRUE(SIPHOST_HAS(siphost_host_api, &api, api_lookup));
    siphost_host_api older = api;
    older.struct_size = offsetof(siphost_host_api, api_lookup); // as an older host would declare it
    EXPECT_FALSE(SIPHOST_HAS(siphost_host_api, &older, api_lookup));
}

TEST_F(HostServices, ApisAreExportedAndFoundByNameAndMajor) {
    static const fake_sl_api sl{sizeof(fake_sl_api), 42};
    EXPECT_EQ(api.api_export("sl", 1, &sl), 0);
    EXPECT_EQ(api.api_export("sl", 1, &sl), -1) << "a name and major can be published once";
    EXPECT_EQ(api.api_lookup("sl", 1), &sl);
    EXPECT_EQ(api.api_lookup("sl", 2), nullptr);
    EXPECT_EQ(api.api_lookup("tm", 1), nullptr);
}

TEST_F(HostServices, CountersAddAtomicallyFromManyThreads) {
    int64_t* counter = api.counter_register("tm", "created");
    ASSERT_NE(counter, nullptr);
    EXPECT_EQ(api.counter_register("tm", "created"), counter);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i)
                api.counter_add(counter, 1);
        });
    for (auto& t : threads)
        t.join();
    auto values = host_services::instance().counter_values();
    ASSERT_EQ(values.size(), 1u);
    EXPECT_EQ(values[0].first, "tm.created");
    EXPECT_EQ(values[0].second, 40000);
}

TEST_F(HostServices, TimersAreRecordedForTheRuntime) {
    auto tick = [](uint64_t, void*) {};
    EXPECT_EQ(api.timer_every(100, tick, nullptr), 0);
    EXPECT_EQ(api.timer_every(0, tick, nullptr), -1);
    ASSERT_EQ(host_services::instance().timers().size(), 1u);
    EXPECT_EQ(host_services::instance().timers()[0].interval_ms, 100u);
}

TEST_F(HostServices, WorkerIdentityIsPerThread) {
    host_services::instance().set_worker_count(3);
    EXPECT_EQ(api.worker_count(), 3);
    EXPECT_EQ(api.worker_index(), -1);
    std::thread worker([&] {
        host_services::set_worker_index(2);
        EXPECT_EQ(api.worker_index(), 2);
    });
    worker.join();
    EXPECT_EQ(api.worker_index(), -1);
}
