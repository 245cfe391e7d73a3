#pragma once
// The transaction table: a fixed array of slots, each with its own lock, so that workers working on different
// calls never wait for each other. A transaction lives in the slot its Call-ID and CSeq number hash to, which
// every request of the transaction (retransmission, ACK, CANCEL) shares; replies carry the slot in tm's
// branch.

#include "transaction.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace siphost::modules::tm {

class table {
public:
    static constexpr uint32_t slot_count = 4096; // a power of two

    /// The slot for a request's Call-ID and CSeq number.
    static uint32_t slot_of(std::string_view call_id, uint32_t cseq) noexcept;

    /// Makes a transaction in `slot` with a fresh label, lets fill() set what identifies it, and inserts it.
    /// fill runs with the slot locked, before any other thread can find the transaction.
    std::shared_ptr<transaction> create(uint32_t slot, const std::function<void(transaction&)>& fill);

    /// The transaction of a reply's branch, or null.
    std::shared_ptr<transaction> find(uint32_t slot, uint32_t label) const;

    /// The first transaction in `slot` for which match(transaction&) is true (called with the slot locked;
    /// it must not lock transactions), or null.
    std::shared_ptr<transaction> find_if(uint32_t slot,
                                         const std::function<bool(const transaction&)>& match) const;

    /// Calls visit for every transaction in the table, one slot at a time; visit runs without the slot's lock
    /// (it may lock the transaction), on a snapshot of the slot.
    void for_each(const std::function<void(const std::shared_ptr<transaction>&)>& visit) const;

    /// Takes it out of the table. True when it was there.
    bool remove(const transaction& t);

    /// Drops every transaction (shutdown).
    void clear();

    size_t size() const { return count_.load(std::memory_order_acquire); }
    /// True when no transaction exists: a request then matches none, and tm's hook skips reading its key.
    bool empty() const { return size() == 0; }

private:
    struct slot_entries {
        mutable std::mutex mutex;
        std::vector<std::shared_ptr<transaction>> transactions;
        uint32_t next_label = 0;
    };
    std::array<slot_entries, slot_count> slots_;
    std::atomic<size_t> count_{0}; ///< changed under a slot's lock, read without one
};

} // namespace siphost::modules::tm
