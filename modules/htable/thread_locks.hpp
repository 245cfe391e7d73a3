#pragma once
// What one thread holds between script statements: slots locked by sht_lock() and the iterators of
// sht_iterator_start(). Kamailio keeps these per process; siphost's workers are threads, so per thread.

#include "hash_table.hpp"

#include <string>
#include <string_view>

namespace siphost::modules::htable {

/// An iterator over one table: it keeps the slot of its current item locked, as Kamailio's does.
struct table_iterator {
    std::string name;
    hash_table* table = nullptr;
    size_t slot = 0;
    size_t index = 0;
    bool locked = false; ///< on an item, holding table->slot_lock(slot)
    bool in_use = false;
};

/// The thread's iterator called name, or nullptr.
table_iterator* find_iterator(std::string_view name);
/// Starts (or restarts) the iterator called name over table; nullptr when the thread has 4 already.
table_iterator* start_iterator(std::string_view name, hash_table& table);
/// Moves to the next item (the first after start); false at the end.
bool iterator_next(table_iterator& it);
/// The current item (its slot locked by this thread), or nullptr.
item* iterator_item(table_iterator& it);
/// Removes the current item and moves on: 1 on the next item, -2 at the end, -1 with no current item.
int iterator_remove(table_iterator& it);
/// Ends the iterator, unlocking its slot.
void end_iterator(table_iterator& it);

/// sht_lock: locks the slot of key for this thread (re-entrant).
void lock_key(hash_table& table, std::string_view key);
/// sht_unlock: false when this thread does not hold that slot.
bool unlock_key(hash_table& table, std::string_view key);
/// Ends every iterator and releases every sht_lock of this thread; returns how many it released.
size_t release_all();

} // namespace siphost::modules::htable
