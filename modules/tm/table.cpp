#include "table.hpp"

#include <algorithm>

namespace siphost::modules::tm {

uint32_t table::slot_of(std::string_view call_id, uint32_t cseq) noexcept {
    uint32_t hash = 2166136261u;
    for (unsigned char c : call_id) {
        hash ^= c;
        hash *= 16777619u;
    }
    hash ^= cseq;
    hash *= 16777619u;
    hash ^= hash >> 15;
    return hash & (slot_count - 1);
}

std::shared_ptr<transaction> table::create(uint32_t slot, const std::function<void(transaction&)>& fill) {
    auto& entries = slots_[slot & (slot_count - 1)];
    std::lock_guard lock(entries.mutex);
    // Separately allocated from its control block: a weak reference left in the timer wheel keeps only the
    // control block, not the transaction, alive.
    std::shared_ptr<transaction> t(
        std::make_unique<transaction>(slot & (slot_count - 1), entries.next_label++));
    t->self = t;
    fill(*t);
    entries.transactions.push_back(t);
    count_.fetch_add(1, std::memory_order_release);
    return t;
}

std::shared_ptr<transaction> table::find(uint32_t slot, uint32_t label) const {
    if (slot >= slot_count)
        return nullptr;
    const auto& entries = slots_[slot];
    std::lock_guard lock(entries.mutex);
    for (const auto& t : entries.transactions)
        if (t->label == label)
            return t;
    return nullptr;
}

std::shared_ptr<transaction> table::find_if(uint32_t slot,
                                            const std::function<bool(const transaction&)>& match) const {
    const auto& entries = slots_[slot & (slot_count - 1)];
    std::lock_guard lock(entries.mutex);
    for (const auto& t : entries.transactions)
        if (match(*t))
            return t;
    return nullptr;
}

void table::for_each(const std::function<void(const std::shared_ptr<transaction>&)>& visit) const {
    std::vector<std::shared_ptr<transaction>> snapshot;
    for (const auto& entries : slots_) {
        {
            std::lock_guard lock(entries.mutex);
            if (entries.transactions.empty())
                continue;
            snapshot = entries.transactions;
        }
        for (const auto& t : snapshot)
            visit(t);
        snapshot.clear(); // the last reference may go here: outside the slot's lock
    }
}

bool table::remove(const transaction& t) {
    auto& entries = slots_[t.slot];
    std::shared_ptr<transaction> removed; // released after the lock, so the destructor runs outside it
    {
        std::lock_guard lock(entries.mutex);
        auto it = std::find_if(entries.transactions.begin(), entries.transactions.end(),
                               [&](const auto& p) { return p.get() == &t; });
        if (it == entries.transactions.end())
            return false;
        removed = std::move(*it);
        *it = std::move(entries.transactions.back());
        entries.transactions.pop_back();
        count_.fetch_sub(1, std::memory_order_release);
    }
    return true;
}

void table::clear() {
    for (auto& entries : slots_) {
        std::vector<std::shared_ptr<transaction>> removed;
        {
            std::lock_guard lock(entries.mutex);
            removed.swap(entries.transactions);
            count_.fetch_sub(removed.size(), std::memory_order_release);
        }
    }
}

} // namespace siphost::modules::tm
