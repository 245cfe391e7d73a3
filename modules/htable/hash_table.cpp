#include "hash_table.hpp"

namespace siphost::modules::htable {

hash_table::hash_table(table_spec spec, size_t max_items)
    : spec_(std::move(spec)), max_items_(max_items), slots_(size_t{1} << spec_.size_bits) {}

size_t hash_table::slot_of(std::string_view key) const {
    // FNV-1a: cheap, and spreads short keys such as IP addresses well.
    uint32_t h = 2166136261u;
    for (unsigned char c : key) {
        h ^= c;
        h *= 16777619u;
    }
    return h & (slots_.size() - 1);
}

item* hash_table::find(slot& s, std::string_view key) {
    for (auto& it : s.items)
        if (it.name == key)
            return &it;
    return nullptr;
}

bool hash_table::reserve_one() {
    size_t n = count_.fetch_add(1, std::memory_order_relaxed);
    if (max_items_ != 0 && n >= max_items_) {
        count_.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

std::optional<item_value> hash_table::get(std::string_view key, int64_t now) const {
    slot& s = slots_[slot_of(key)];
    std::lock_guard lock(s.lock);
    const item* it = find(s, key);
    if (it == nullptr || (it->expire != 0 && it->expire <= now))
        return std::nullopt;
    return it->value;
}

std::optional<item> hash_table::find_item(std::string_view key, int64_t now) const {
    slot& s = slots_[slot_of(key)];
    std::lock_guard lock(s.lock);
    const item* it = find(s, key);
    if (it == nullptr || (it->expire != 0 && it->expire <= now))
        return std::nullopt;
    return *it;
}

bool hash_table::set(std::string_view key, item_value value, int64_t now) {
    slot& s = slots_[slot_of(key)];
    std::lock_guard lock(s.lock);
    if (item* it = find(s, key)) {
        bool was_expired = it->expire != 0 && it->expire <= now;
        it->value = std::move(value);
        if (was_expired || spec_.updateexpire)
            it->expire = expiry_for_new(now);
        return true;
    }
    if (!reserve_one())
        return false;
    s.items.push_back(item{std::string(key), std::move(value), expiry_for_new(now)});
    return true;
}

bool hash_table::set_with_expire(std::string_view key, item_value value, int64_t seconds, int64_t now) {
    slot& s = slots_[slot_of(key)];
    std::lock_guard lock(s.lock);
    // As in Kamailio, only tables with autoexpire expire items.
    int64_t expire = seconds > 0 && spec_.autoexpire > 0 ? now + seconds : 0;
    if (item* it = find(s, key)) {
        it->value = std::move(value);
        it->expire = expire;
        return true;
    }
    if (!reserve_one())
        return false;
    s.items.push_back(item{std::string(key), std::move(value), expire});
    return true;
}

bool hash_table::set_expire(std::string_view key, int64_t seconds, int64_t now) {
    slot& s = slots_[slot_of(key)];
    std::lock_guard lock(s.lock);
    item* it = find(s, key);
    if (it == nullptr || (it->expire != 0 && it->expire <= now))
        return false;
    if (spec_.autoexpire > 0) // as in Kamailio, a table without autoexpire keeps its items
        it->expire = seconds > 0 ? now + seconds : 0;
    return true;
}

std::optional<int64_t> hash_table::remaining(std::string_view key, int64_t now) const {
    slot& s = slots_[slot_of(key)];
    std::lock_guard lock(s.lock);
    const item* it = find(s, key);
    if (it == nullptr || (it->expire != 0 && it->expire <= now))
        return std::nullopt;
    return it->expire == 0 ? 0 : it->expire - now;
}

add_result hash_table::add(std::string_view key, int64_t delta, int64_t now, int64_t& result) {
    slot& s = slots_[slot_of(key)];
    std::lock_guard lock(s.lock);
    item* it = find(s, key);
    if (it != nullptr && it->expire != 0 && it->expire <= now) {
        // An expired item the timer has not swept yet counts as absent.
        if (!spec_.has_initval)
            return add_result::absent;
        it->value = item_value::of_int(spec_.initval + delta);
        it->expire = expiry_for_new(now);
        result = it->value.num;
        return add_result::done;
    }
    if (it == nullptr) {
        if (!spec_.has_initval)
            return add_result::absent;
        if (!reserve_one())
            return add_result::full;
        s.items.push_back(
            item{std::string(key), item_value::of_int(spec_.initval + delta), expiry_for_new(now)});
        result = spec_.initval + delta;
        return add_result::done;
    }
    if (!it->value.is_int)
        return add_result::not_int;
    it->value.num += delta;
    if (spec_.updateexpire)
        it->expire = expiry_for_new(now);
    result = it->value.num;
    return add_result::done;
}

bool hash_table::remove(std::string_view key) {
    slot& s = slots_[slot_of(key)];
    std::lock_guard lock(s.lock);
    for (size_t i = 0; i < s.items.size(); ++i) {
        if (s.items[i].name == key) {
            s.items.erase(s.items.begin() + static_cast<std::ptrdiff_t>(i));
            count_.fetch_sub(1, std::memory_order_relaxed);
            return true;
        }
    }
    return false;
}

size_t hash_table::remove_if(const std::function<bool(const item&)>& match) {
    size_t removed = 0;
    for (auto& s : slots_) {
        std::lock_guard lock(s.lock);
        size_t before = s.items.size();
        std::erase_if(s.items, match);
        removed += before - s.items.size();
    }
    count_.fetch_sub(removed, std::memory_order_relaxed);
    return removed;
}

size_t hash_table::count_if(const std::function<bool(const item&)>& match, int64_t now) const {
    size_t n = 0;
    for (auto& s : slots_) {
        std::lock_guard lock(s.lock);
        for (const auto& it : s.items)
            if ((it.expire == 0 || it.expire > now) && match(it))
                ++n;
    }
    return n;
}

void hash_table::clear() {
    remove_if([](const item&) { return true; });
}

void hash_table::for_each_slot(const std::function<void(size_t, const std::vector<item>&)>& fn) const {
    for (size_t i = 0; i < slots_.size(); ++i) {
        std::vector<item> copy;
        {
            std::lock_guard lock(slots_[i].lock);
            copy = slots_[i].items;
        }
        fn(i, copy);
    }
}

void hash_table::sweep(int64_t now, const std::function<void(const item&)>& expired) {
    for (auto& s : slots_) {
        std::vector<item> gone;
        {
            std::lock_guard lock(s.lock);
            for (size_t i = 0; i < s.items.size();) {
                if (s.items[i].expire != 0 && s.items[i].expire <= now) {
                    gone.push_back(std::move(s.items[i]));
                    s.items.erase(s.items.begin() + static_cast<std::ptrdiff_t>(i));
                } else {
                    ++i;
                }
            }
        }
        count_.fetch_sub(gone.size(), std::memory_order_relaxed);
        for (const auto& it : gone)
            expired(it);
    }
}

} // namespace siphost::modules::htable
