#pragma once
// Replay protection for nonces (Kamailio's nonce_count and one_time_nonce): a fixed array of 2^order entries,
// one per nonce issued, reused in turn, each remembering the highest nc accepted and whether the nonce was
// used once. A nonce whose entry was taken by a newer one is forgotten: its owner is challenged again
// (stale), never let through. Lock-free: one 64-bit word per entry, updated by compare-and-swap.

#include <atomic>
#include <cstdint>
#include <memory>

namespace siphost::modules::auth {

class nonce_tracker {
public:
    enum class verdict {
        fresh,     ///< may be accepted
        replayed,  ///< nc not above the last one accepted, or a one-time nonce used already
        forgotten, ///< the entry holds a newer nonce, or nc passed the limit: challenge again (stale)
    };

    /// The highest nc accepted, as Kamailio's: past it the nonce is stale.
    static constexpr uint32_t max_nc = 255;

    explicit nonce_tracker(unsigned order);

    /// Takes the next entry for a new nonce and returns its id.
    uint32_t issue();

    /// nc checks (nc as a number); check only reads, commit records it when still fresh.
    verdict check_nc(uint32_t id, uint32_t nc) const;
    verdict commit_nc(uint32_t id, uint32_t nc);

    /// One-time nonce checks.
    verdict check_once(uint32_t id) const;
    verdict commit_once(uint32_t id);

    size_t size() const { return mask_ + 1; }

private:
    static constexpr uint64_t used_bit = 1u << 8;

    std::atomic<uint64_t>& entry(uint32_t id) const { return entries_[id & mask_]; }
    static verdict judge_nc(uint64_t word, uint32_t id, uint32_t nc);
    static verdict judge_once(uint64_t word, uint32_t id);

    uint32_t mask_;
    std::unique_ptr<std::atomic<uint64_t>[]> entries_;
    std::atomic<uint32_t> next_{1};
};

} // namespace siphost::modules::auth
