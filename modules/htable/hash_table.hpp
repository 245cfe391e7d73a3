#pragma once
// A shared hash table: 2^size slots, each a short list of items under its own (re-entrant) lock, so that
// worker threads touching different keys do not wait for each other and sht_lock() can hold a slot across
// several script statements of one thread.

#include "table_spec.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::htable {

/// An item's value: an integer or a string.
struct item_value {
    bool is_int = true;
    int64_t num = 0;
    std::string str;

    static item_value of_int(int64_t n) { return item_value{true, n, {}}; }
    static item_value of_str(std::string_view s) { return item_value{false, 0, std::string(s)}; }
    /// The value as the log and RPC replies print it.
    std::string text() const { return is_int ? std::to_string(num) : str; }
};

/// One key and its value; expire is a Unix time in seconds, 0 for never.
struct item {
    std::string name;
    item_value value;
    int64_t expire = 0;
};

/// The outcome of an increment ($shtinc, $shtdec).
enum class add_result { done, absent, not_int, full };

class hash_table {
public:
    /// max_items: the most items it holds (0: no limit), so that a flood of keys cannot take all memory.
    hash_table(table_spec spec, size_t max_items);

    const table_spec& spec() const { return spec_; }
    const std::string& name() const { return spec_.name; }
    size_t slot_count() const { return slots_.size(); }
    size_t item_count() const { return count_.load(std::memory_order_relaxed); }
    size_t slot_of(std::string_view key) const;

    /// The value of key, or nullopt when absent or expired.
    std::optional<item_value> get(std::string_view key, int64_t now) const;
    /// A copy of key's item, or nullopt when absent or expired.
    std::optional<item> find_item(std::string_view key, int64_t now) const;
    /// Sets key; a new item gets the table's autoexpire, an updated one too when updateexpire is on. False
    /// when the table is full.
    bool set(std::string_view key, item_value value, int64_t now);
    /// Sets key with its own expiry (seconds from now; 0: never), as sht_setxs/sht_setxi. Only a table with
    /// autoexpire expires items, as in Kamailio: elsewhere the expiry is ignored.
    bool set_with_expire(std::string_view key, item_value value, int64_t seconds, int64_t now);
    /// Sets an existing item's expiry (seconds from now; 0: never; ignored without autoexpire). False when
    /// absent.
    bool set_expire(std::string_view key, int64_t seconds, int64_t now);
    /// Seconds until key expires (0: never); nullopt when absent.
    std::optional<int64_t> remaining(std::string_view key, int64_t now) const;
    /// Adds delta to an integer item; an absent key starts from initval when the table has one.
    add_result add(std::string_view key, int64_t delta, int64_t now, int64_t& result);
    /// Removes key; true when it was there.
    bool remove(std::string_view key);
    /// Removes every item for which match(item) is true; returns how many.
    size_t remove_if(const std::function<bool(const item&)>& match);
    /// Counts the live items for which match(item) is true.
    size_t count_if(const std::function<bool(const item&)>& match, int64_t now) const;
    /// Removes every item.
    void clear();
    /// Calls fn(slot, items of that slot) for each slot, under its lock; the copy is taken there.
    void for_each_slot(const std::function<void(size_t, const std::vector<item>&)>& fn) const;
    /// Removes the items whose expiry has passed and hands them to expired (outside the locks).
    void sweep(int64_t now, const std::function<void(const item&)>& expired);

    /// The lock of one slot (sht_lock, iterators).
    std::recursive_mutex& slot_lock(size_t slot) const { return slots_[slot].lock; }
    /// The items of a slot; the caller holds slot_lock(slot).
    std::vector<item>& slot_items(size_t slot) { return slots_[slot].items; }
    /// Counts an item an iterator removed.
    void note_removed() { count_.fetch_sub(1, std::memory_order_relaxed); }

private:
    struct slot {
        mutable std::recursive_mutex lock;
        std::vector<item> items;
    };

    /// The item of key in s (s locked), or nullptr.
    static item* find(slot& s, std::string_view key);
    bool reserve_one();
    int64_t expiry_for_new(int64_t now) const { return spec_.autoexpire > 0 ? now + spec_.autoexpire : 0; }

    table_spec spec_;
    size_t max_items_;
    mutable std::vector<slot> slots_;
    std::atomic<size_t> count_{0};
};

} // namespace siphost::modules::htable
