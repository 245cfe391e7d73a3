#include "ip_table.hpp"

#include <algorithm>

namespace siphost::modules::pike {

ip_table::ip_table(uint32_t density, uint64_t remove_latency_ms, size_t max_entries)
    : density_(density), remove_latency_ms_(remove_latency_ms),
      max_per_shard_(std::max<size_t>(1, max_entries / shard_count)) {}

bool ip_table::hot(const entry& e) const {
    // Over the density in this unit, or on average over this unit and the one before: a burst split by the
    // unit's boundary is caught, and a flood keeps the address hot into the next unit.
    uint64_t average = (uint64_t{e.hits_prev} + e.hits_curr) / 2;
    return e.hits_curr > density_ || average > density_;
}

ip_table::shard& ip_table::shard_of(const ip_address& address) {
    return shards_[ip_address_hash{}(address) % shard_count];
}

verdict ip_table::hit(const ip_address& address, uint64_t now_ms) {
    shard& s = shard_of(address);
    std::lock_guard lock(s.mutex);
    auto found = s.entries.find(address);
    if (found == s.entries.end()) {
        if (s.entries.size() >= max_per_shard_)
            return verdict::table_full;
        found = s.entries.emplace(address, entry{}).first;
    }
    entry& e = found->second;
    if (e.hits_curr < UINT32_MAX)
        ++e.hits_curr;
    e.last_seen_ms = now_ms;
    if (!hot(e))
        return verdict::allowed;
    if (e.reported)
        return verdict::blocked;
    e.reported = true;
    blocked_.fetch_add(1, std::memory_order_relaxed);
    return verdict::newly_blocked;
}

void ip_table::next_unit() {
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (auto& [address, e] : s.entries) {
            e.hits_prev = e.hits_curr;
            e.hits_curr = 0;
        }
    }
}

std::vector<ip_address> ip_table::expire(uint64_t now_ms) {
    std::vector<ip_address> unblocked;
    for (shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (auto it = s.entries.begin(); it != s.entries.end();) {
            if (now_ms - it->second.last_seen_ms < remove_latency_ms_) {
                ++it;
                continue;
            }
            if (it->second.reported) {
                unblocked.push_back(it->first);
                blocked_.fetch_sub(1, std::memory_order_relaxed);
            }
            it = s.entries.erase(it);
        }
    }
    return unblocked;
}

std::vector<ip_row> ip_table::rows(uint64_t now_ms) const {
    std::vector<ip_row> out;
    for (const shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (const auto& [address, e] : s.entries) {
            ip_row row;
            row.address = address;
            row.hits_prev = e.hits_prev;
            row.hits_curr = e.hits_curr;
            uint64_t until = e.last_seen_ms + remove_latency_ms_;
            row.expires_s = until > now_ms ? static_cast<uint32_t>((until - now_ms + 999) / 1000) : 0;
            row.status = hot(e) ? "HOT" : (uint64_t{e.hits_prev} + e.hits_curr > 0 ? "WARM" : "COLD");
            out.push_back(row);
        }
    }
    std::sort(out.begin(), out.end(), [](const ip_row& a, const ip_row& b) {
        uint64_t ha = uint64_t{a.hits_prev} + a.hits_curr, hb = uint64_t{b.hits_prev} + b.hits_curr;
        if (ha != hb)
            return ha > hb;
        return a.address.to_string() < b.address.to_string();
    });
    return out;
}

size_t ip_table::size() const {
    size_t n = 0;
    for (const shard& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.entries.size();
    }
    return n;
}

} // namespace siphost::modules::pike
