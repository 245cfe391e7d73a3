#include "thread_locks.hpp"

#include <array>
#include <mutex>
#include <vector>

namespace siphost::modules::htable {
namespace {

constexpr size_t max_iterators = 4; // Kamailio's limit

thread_local std::array<table_iterator, max_iterators> iterators_;
thread_local std::vector<std::recursive_mutex*> held_; // sht_lock()s, in order

/// From it->slot on, finds the first slot with an item, locks it and stands on its first item.
bool settle(table_iterator& it) {
    for (; it.slot < it.table->slot_count(); ++it.slot) {
        it.table->slot_lock(it.slot).lock();
        if (it.index < it.table->slot_items(it.slot).size()) {
            it.locked = true;
            return true;
        }
        it.table->slot_lock(it.slot).unlock();
        it.index = 0;
    }
    it.locked = false;
    return false;
}

} // namespace

table_iterator* find_iterator(std::string_view name) {
    for (auto& it : iterators_)
        if (it.in_use && it.name == name)
            return &it;
    return nullptr;
}

table_iterator* start_iterator(std::string_view name, hash_table& table) {
    table_iterator* it = find_iterator(name);
    if (it != nullptr) {
        end_iterator(*it);
    } else {
        for (auto& candidate : iterators_)
            if (!candidate.in_use) {
                it = &candidate;
                break;
            }
        if (it == nullptr)
            return nullptr;
    }
    it->name.assign(name);
    it->table = &table;
    it->slot = 0;
    it->index = 0;
    it->locked = false;
    it->in_use = true;
    return it;
}

bool iterator_next(table_iterator& it) {
    if (it.table == nullptr)
        return false;
    if (!it.locked) {
        if (it.slot >= it.table->slot_count())
            return false; // ended
        return settle(it);
    }
    if (++it.index < it.table->slot_items(it.slot).size())
        return true;
    it.table->slot_lock(it.slot).unlock();
    it.locked = false;
    ++it.slot;
    it.index = 0;
    return settle(it);
}

item* iterator_item(table_iterator& it) {
    if (!it.locked)
        return nullptr;
    auto& items = it.table->slot_items(it.slot);
    return it.index < items.size() ? &items[it.index] : nullptr;
}

int iterator_remove(table_iterator& it) {
    if (iterator_item(it) == nullptr)
        return -1;
    auto& items = it.table->slot_items(it.slot);
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(it.index));
    it.table->note_removed();
    if (it.index < items.size())
        return 1;
    it.table->slot_lock(it.slot).unlock();
    it.locked = false;
    ++it.slot;
    it.index = 0;
    return settle(it) ? 1 : -2;
}

void end_iterator(table_iterator& it) {
    if (it.locked)
        it.table->slot_lock(it.slot).unlock();
    it = table_iterator{};
}

void lock_key(hash_table& table, std::string_view key) {
    std::recursive_mutex& m = table.slot_lock(table.slot_of(key));
    m.lock();
    held_.push_back(&m);
}

bool unlock_key(hash_table& table, std::string_view key) {
    std::recursive_mutex* m = &table.slot_lock(table.slot_of(key));
    for (size_t i = held_.size(); i-- > 0;) {
        if (held_[i] == m) {
            held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
            m->unlock();
            return true;
        }
    }
    return false;
}

size_t release_all() {
    size_t n = 0;
    for (auto& it : iterators_)
        if (it.in_use) {
            end_iterator(it);
            ++n;
        }
    while (!held_.empty()) {
        held_.back()->unlock();
        held_.pop_back();
        ++n;
    }
    return n;
}

} // namespace siphost::modules::htable
