#include "location_domain.hpp"

#include <algorithm>

namespace siphost::modules::usrloc {

location_domain::location_domain(std::string name, unsigned hash_power, bool time_order)
    : name_(std::move(name)), mask_((1u << hash_power) - 1), time_order_(time_order) {
    slots_.reserve(size_t{1} << hash_power);
    for (size_t i = 0; i < (size_t{1} << hash_power); ++i)
        slots_.push_back(std::make_unique<slot>());
}

uint32_t location_domain::hash(std::string_view aor) {
    // FNV-1a: stable across runs and builds, so that ul.dump's HashID means the same thing every time.
    uint32_t h = 2166136261u;
    for (char c : aor) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

void location_domain::lock(std::string_view aor) {
    slot_of(aor).mutex.lock();
}

void location_domain::unlock(std::string_view aor) {
    slot_of(aor).mutex.unlock();
}

void location_domain::place(std::vector<ucontact>& list, ucontact c) const {
    // Highest q first, equal q in arrival order; with desc_time_order the newest first.
    auto at = time_order_
                  ? list.begin()
                  : std::find_if(list.begin(), list.end(), [&](const ucontact& o) { return o.q < c.q; });
    list.insert(at, std::move(c));
}

int location_domain::visit(std::string_view aor, bool with_expired, int64_t now, const visitor& fn) {
    slot& s = slot_of(aor);
    std::lock_guard guard(s.mutex);
    auto it = s.records.find(std::string(aor));
    if (it == s.records.end())
        return 0;
    int visited = 0;
    for (const ucontact& c : it->second.contacts) {
        if (!with_expired && !c.valid(now))
            continue;
        ++visited;
        if (!fn(c))
            break;
    }
    return visited;
}

int location_domain::match(std::string_view aor, const siphost_ucontact& in, int64_t now,
                           const match_rules& rules, std::string& ruid) {
    slot& s = slot_of(aor);
    std::lock_guard guard(s.mutex);
    auto it = s.records.find(std::string(aor));
    if (it == s.records.end())
        return SIPHOST_UL_NOT_FOUND;
    return match_list(it->second.contacts, in, now, rules, ruid);
}

int location_domain::match_list(const std::vector<ucontact>& list, const siphost_ucontact& in, int64_t now,
                                const match_rules& rules, std::string& ruid) {
    std::string_view contact = sdk::view(in.contact);
    std::string_view callid = sdk::view(in.callid);
    std::string_view path = sdk::view(in.path);
    std::string_view instance = sdk::view(in.instance);
    const ucontact* found = nullptr;
    // RFC 5626: a flow is named by its instance and reg-id, whatever its Contact URI is now.
    if (!instance.empty())
        for (const ucontact& c : list)
            if (c.instance() == instance && c.reg_id == in.reg_id) {
                found = &c;
                break;
            }
    for (const ucontact& c : list) {
        if (found != nullptr)
            break;
        bool same = false;
        switch (rules.matching_mode) {
        case 1:
            same = c.contact() == contact && c.callid() == callid;
            break;
        case 2:
            same = c.contact() == contact && c.path() == path;
            break;
        case 3:
            same = c.callid() == callid;
            break;
        default:
            same = c.contact() == contact;
            break;
        }
        if (same)
            found = &c;
    }
    if (found == nullptr)
        return SIPHOST_UL_NOT_FOUND;
    if (found->callid() == callid) {
        if (in.cseq < found->cseq)
            return SIPHOST_UL_OUT_OF_ORDER;
        if (in.cseq == found->cseq)
            return found->last_modified + rules.cseq_delay > now ? SIPHOST_UL_RETRANSMISSION
                                                                 : SIPHOST_UL_OUT_OF_ORDER;
    }
    ruid = found->ruid();
    return SIPHOST_UL_FOUND;
}

void location_domain::order(std::vector<ucontact>& list) const {
    std::vector<ucontact> sorted;
    sorted.reserve(list.size());
    for (ucontact& c : list)
        place(sorted, std::move(c));
    list = std::move(sorted);
}

void location_domain::insert(std::string_view aor, ucontact c) {
    slot& s = slot_of(aor);
    std::lock_guard guard(s.mutex);
    auto [it, made] = s.records.try_emplace(std::string(aor));
    if (made)
        records_.fetch_add(1, std::memory_order_relaxed);
    place(it->second.contacts, std::move(c));
    contacts_.fetch_add(1, std::memory_order_relaxed);
}

bool location_domain::update(std::string_view aor, std::string_view ruid, const siphost_ucontact& in,
                             int64_t now, db_state state, ucontact* updated) {
    slot& s = slot_of(aor);
    std::lock_guard guard(s.mutex);
    auto it = s.records.find(std::string(aor));
    if (it == s.records.end())
        return false;
    auto& list = it->second.contacts;
    auto c = std::find_if(list.begin(), list.end(), [&](const ucontact& o) { return o.ruid() == ruid; });
    if (c == list.end())
        return false;
    ucontact next = std::move(*c);
    list.erase(c);
    next.assign(in);
    next.last_modified = now;
    if (next.state == db_state::clean || state == db_state::clean)
        next.state = state; // a contact not yet inserted into the database stays "inserted"
    if (updated != nullptr)
        *updated = next;
    place(list, std::move(next));
    return true;
}

int location_domain::remove(std::string_view aor, std::string_view ruid, removed_contact* removed) {
    auto remove_in = [&](slot& s, std::unordered_map<std::string, record>::iterator it) {
        auto& list = it->second.contacts;
        auto c = std::find_if(list.begin(), list.end(), [&](const ucontact& o) { return o.ruid() == ruid; });
        if (c == list.end())
            return 0;
        if (removed != nullptr)
            *removed = removed_contact{it->first, std::move(*c)};
        list.erase(c);
        contacts_.fetch_sub(1, std::memory_order_relaxed);
        if (list.empty()) {
            s.records.erase(it);
            records_.fetch_sub(1, std::memory_order_relaxed);
        }
        return 1;
    };
    if (!aor.empty()) {
        slot& s = slot_of(aor);
        std::lock_guard guard(s.mutex);
        auto it = s.records.find(std::string(aor));
        return it == s.records.end() ? 0 : remove_in(s, it);
    }
    for (auto& s : slots_) {
        std::lock_guard guard(s->mutex);
        for (auto it = s->records.begin(); it != s->records.end(); ++it)
            if (remove_in(*s, it) == 1)
                return 1;
    }
    return 0;
}

int location_domain::remove_record(std::string_view aor, std::vector<removed_contact>* removed) {
    slot& s = slot_of(aor);
    std::lock_guard guard(s.mutex);
    auto it = s.records.find(std::string(aor));
    if (it == s.records.end())
        return 0;
    int count = static_cast<int>(it->second.contacts.size());
    if (removed != nullptr)
        for (ucontact& c : it->second.contacts)
            removed->push_back(removed_contact{it->first, std::move(c)});
    contacts_.fetch_sub(static_cast<size_t>(count), std::memory_order_relaxed);
    s.records.erase(it);
    records_.fetch_sub(1, std::memory_order_relaxed);
    return count;
}

std::vector<removed_contact> location_domain::expire(int64_t now) {
    std::vector<removed_contact> gone;
    for (auto& s : slots_) {
        std::lock_guard guard(s->mutex);
        for (auto it = s->records.begin(); it != s->records.end();) {
            auto& list = it->second.contacts;
            for (auto c = list.begin(); c != list.end();) {
                if (c->valid(now)) {
                    ++c;
                    continue;
                }
                gone.push_back(removed_contact{it->first, std::move(*c)});
                c = list.erase(c);
                contacts_.fetch_sub(1, std::memory_order_relaxed);
            }
            if (list.empty()) {
                it = s->records.erase(it);
                records_.fetch_sub(1, std::memory_order_relaxed);
            } else {
                ++it;
            }
        }
    }
    return gone;
}

std::vector<removed_contact> location_domain::take_dirty() {
    std::vector<removed_contact> dirty;
    for (auto& s : slots_) {
        std::lock_guard guard(s->mutex);
        for (auto& [aor, rec] : s->records)
            for (ucontact& c : rec.contacts)
                if (c.state != db_state::clean) {
                    dirty.push_back(removed_contact{aor, c});
                    c.state = db_state::clean;
                }
    }
    return dirty;
}

void location_domain::mark_dirty(std::string_view aor, std::string_view ruid) {
    slot& s = slot_of(aor);
    std::lock_guard guard(s.mutex);
    auto it = s.records.find(std::string(aor));
    if (it == s.records.end())
        return;
    for (ucontact& c : it->second.contacts)
        if (c.ruid() == ruid && c.state == db_state::clean)
            c.state = db_state::updated;
}

void location_domain::for_each_record(const record_visitor& fn) {
    for (auto& s : slots_) {
        std::lock_guard guard(s->mutex);
        for (const auto& [aor, rec] : s->records)
            fn(aor, hash(aor), rec.contacts);
    }
}

} // namespace siphost::modules::usrloc
