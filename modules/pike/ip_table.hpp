#pragma once
// What pike knows of each source address: its requests in the current and the previous sampling unit, when it
// was last seen, and whether it was reported as a flood source. Shared by every worker (sharded, one mutex
// per shard), bounded in size, and aged by the module's timer: next_unit() each sampling unit, expire() to
// forget the addresses not seen for remove_latency.

#include "ip_address.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace siphost::modules::pike {

/// What a request from an address means for it (pike_check_req's return codes).
enum class verdict {
    allowed,       ///< 1
    blocked,       ///< -1: a flood source already reported
    newly_blocked, ///< -2: a flood source seen for the first time
    table_full,    ///< the table has no room for a new address: allowed (1), as an internal error is
};

/// One address as pike.top shows it.
struct ip_row {
    ip_address address;
    uint32_t hits_prev = 0;
    uint32_t hits_curr = 0;
    uint32_t expires_s = 0;  ///< seconds until it is forgotten without another request
    std::string_view status; ///< "HOT", "WARM" or "COLD"
};

class ip_table {
public:
    /// density: requests allowed per sampling unit; remove_latency_ms: how long an idle address is kept;
    /// max_entries: the most addresses kept at once.
    ip_table(uint32_t density, uint64_t remove_latency_ms, size_t max_entries);

    /// Counts one request from address at now_ms.
    verdict hit(const ip_address& address, uint64_t now_ms);
    /// A sampling unit ended: the current hits become the previous ones.
    void next_unit();
    /// Forgets the addresses idle for remove_latency at now_ms; returns those that were flood sources.
    std::vector<ip_address> expire(uint64_t now_ms);
    /// Every address kept, hottest first (previous plus current hits, descending; then by address text).
    std::vector<ip_row> rows(uint64_t now_ms) const;

    uint32_t density() const { return density_; }
    /// The addresses reported as flood sources and not forgotten yet.
    size_t blocked_count() const { return blocked_.load(std::memory_order_relaxed); }
    size_t size() const;

private:
    struct entry {
        uint32_t hits_prev = 0;
        uint32_t hits_curr = 0;
        uint64_t last_seen_ms = 0;
        bool reported = false; ///< reported as a flood source (pike_check_req returned -2)
    };
    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<ip_address, entry, ip_address_hash> entries;
    };
    static constexpr size_t shard_count = 16;

    bool hot(const entry& e) const;
    shard& shard_of(const ip_address& address);

    const uint32_t density_;
    const uint64_t remove_latency_ms_;
    const size_t max_per_shard_;
    std::array<shard, shard_count> shards_;
    std::atomic<size_t> blocked_{0};
};

} // namespace siphost::modules::pike
