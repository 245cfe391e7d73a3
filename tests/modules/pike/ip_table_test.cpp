// pike's address table on its own: hot addresses, first and later reports, the sampling units, expiry,
// pike.top's rows, the size bound, and workers counting at once.
#include "ip_table.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pike = siphost::modules::pike;
using pike::ip_address;
using pike::verdict;

namespace {

ip_address address(std::string_view text) {
    ip_address a;
    EXPECT_TRUE(ip_address::parse(text, a)) << text;
    return a;
}

TEST(pike_ip_address, parses_and_prints_v4_and_v6) {
    EXPECT_EQ(address("192.0.2.1").family, 4);
    EXPECT_EQ(address("192.0.2.1").to_string(), "192.0.2.1");
    EXPECT_EQ(address("2001:db8::1").family, 6);
    EXPECT_EQ(address("[2001:DB8::1]").to_string(), "2001:db8::1");
    ip_address a;
    for (const char* bad : {"", "garbage", "1.2.3", "1.2.3.4.5", "[::1", "2001:db8:::1", "256.1.1.1"})
        EXPECT_FALSE(ip_address::parse(bad, a)) << bad;
    uint8_t bytes[16] = {10, 0, 0, 7};
    ASSERT_TRUE(ip_address::from_bytes(4, bytes, a));
    EXPECT_EQ(a.to_string(), "10.0.0.7");
    EXPECT_FALSE(ip_address::from_bytes(5, bytes, a));
    EXPECT_NE(address("10.0.0.7"), address("10.0.0.8"));
}

TEST(pike_ip_table, blocks_past_the_density_and_reports_once) {
    pike::ip_table table(3, 10000, 1024);
    ip_address flooder = address("192.0.2.1"), other = address("192.0.2.2");
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(table.hit(flooder, 1000), verdict::allowed) << i;
    EXPECT_EQ(table.hit(flooder, 1000), verdict::newly_blocked);
    EXPECT_EQ(table.hit(flooder, 1000), verdict::blocked);
    EXPECT_EQ(table.hit(other, 1000), verdict::allowed) << "addresses are counted apart";
    EXPECT_EQ(table.blocked_count(), 1u);
}

TEST(pike_ip_table, a_quiet_unit_lets_the_address_through_and_expiry_forgets_it) {
    pike::ip_table table(3, 2000, 1024);
    ip_address flooder = address("2001:db8::7");
    for (int i = 0; i < 5; ++i)
        table.hit(flooder, 0);
    // The next unit starts with the flood as its "previous": (5 + 1) / 2 is not over 3.
    table.next_unit();
    EXPECT_EQ(table.hit(flooder, 500), verdict::allowed);
    // Still reported: a new flood is blocked at once, without a second report.
    for (int i = 0; i < 2; ++i)
        table.hit(flooder, 600);
    EXPECT_EQ(table.hit(flooder, 600), verdict::blocked);
    // A big flood keeps the address hot through the next unit on its average.
    table.next_unit();
    for (int i = 0; i < 10; ++i)
        table.hit(flooder, 700);
    table.next_unit();
    EXPECT_EQ(table.hit(flooder, 800), verdict::blocked);

    EXPECT_TRUE(table.expire(2799).empty()) << "seen 1999 ms ago";
    auto forgotten = table.expire(2800);
    ASSERT_EQ(forgotten.size(), 1u);
    EXPECT_EQ(forgotten[0], flooder);
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.blocked_count(), 0u);
    // Forgotten: counted afresh, and reported again when it floods again.
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(table.hit(flooder, 3000), verdict::allowed);
    EXPECT_EQ(table.hit(flooder, 3000), verdict::newly_blocked);
}

TEST(pike_ip_table, expiry_forgets_quiet_addresses_without_reporting_them) {
    pike::ip_table table(3, 1000, 1024);
    table.hit(address("10.0.0.1"), 0);
    table.hit(address("10.0.0.2"), 500);
    EXPECT_TRUE(table.expire(1000).empty());
    EXPECT_EQ(table.size(), 1u);
}

TEST(pike_ip_table, rows_are_hottest_first_with_their_status) {
    pike::ip_table table(2, 4000, 1024);
    for (int i = 0; i < 5; ++i)
        table.hit(address("10.0.0.1"), 1000);
    table.hit(address("10.0.0.2"), 1000);
    table.hit(address("10.0.0.3"), 1000);
    table.next_unit();
    table.next_unit(); // 10.0.0.2 and .3 have no hits left in either unit
    table.hit(address("10.0.0.3"), 2500);
    auto rows = table.rows(2600);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].address.to_string(), "10.0.0.3");
    EXPECT_EQ(rows[0].status, "WARM");
    EXPECT_EQ(rows[0].hits_curr, 1u);
    EXPECT_EQ(rows[0].expires_s, 4u);
    EXPECT_EQ(rows[1].address.to_string(), "10.0.0.1");
    EXPECT_EQ(rows[1].status, "COLD");
    EXPECT_EQ(rows[1].expires_s, 3u) << "seen 1.6 s ago, kept 4 s";
    EXPECT_EQ(rows[2].address.to_string(), "10.0.0.2");

    pike::ip_table hot(2, 4000, 1024);
    for (int i = 0; i < 3; ++i)
        hot.hit(address("::1"), 0);
    rows = hot.rows(0);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].status, "HOT");
    EXPECT_EQ(rows[0].hits_curr, 3u);
    EXPECT_EQ(rows[0].hits_prev, 0u);
}

TEST(pike_ip_table, size_is_bounded) {
    pike::ip_table table(3, 10000, 64); // 4 per shard
    int full = 0;
    for (int i = 0; i < 1000; ++i) {
        ip_address a = address("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256));
        if (table.hit(a, 0) == verdict::table_full)
            ++full;
    }
    EXPECT_LE(table.size(), 64u);
    EXPECT_EQ(full, 1000 - static_cast<int>(table.size()));
    EXPECT_TRUE(table.expire(10000).empty());
    EXPECT_EQ(table.size(), 0u);
}

TEST(pike_ip_table, workers_count_at_once) {
    pike::ip_table table(1000000, 60000, 1 << 16);
    constexpr int threads = 8, hits = 5000;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&table, t] {
            for (int i = 0; i < hits; ++i) {
                table.hit(address("10.1.0." + std::to_string(i % 4)), 1);
                table.hit(address("10.2." + std::to_string(t) + ".1"), 1);
                if (i % 1000 == 0)
                    table.rows(1);
            }
        });
    for (auto& w : workers)
        w.join();
    uint64_t total = 0;
    for (const auto& row : table.rows(1))
        total += row.hits_curr;
    EXPECT_EQ(total, uint64_t{threads} * hits * 2);
    EXPECT_EQ(table.size(), 4u + threads);
}

} // namespace
