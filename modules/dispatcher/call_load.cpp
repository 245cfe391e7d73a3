#include "call_load.hpp"

namespace siphost::modules::dispatcher {

int32_t call_load::load(int32_t setid, std::string_view duid) const {
    std::lock_guard lock(mutex_);
    auto it = load_.find(std::make_pair(setid, std::string(duid)));
    return it == load_.end() ? 0 : it->second;
}

void call_load::release(const call& c) {
    auto it = load_.find(std::make_pair(c.setid, c.duid));
    if (it != load_.end() && --it->second <= 0)
        load_.erase(it);
}

void call_load::add(std::string_view call_id, int32_t setid, std::string_view duid, uint64_t expires_ms) {
    std::lock_guard lock(mutex_);
    auto [it, fresh] = calls_.try_emplace(std::string(call_id));
    if (!fresh)
        release(it->second);
    it->second = call{setid, std::string(duid), false, expires_ms};
    ++load_[std::make_pair(setid, std::string(duid))];
}

bool call_load::remove(std::string_view call_id) {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(std::string(call_id));
    if (it == calls_.end())
        return false;
    release(it->second);
    calls_.erase(it);
    return true;
}

bool call_load::confirm(std::string_view call_id, uint64_t expires_ms) {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(std::string(call_id));
    if (it == calls_.end())
        return false;
    it->second.confirmed = true;
    it->second.expires_ms = expires_ms;
    return true;
}

bool call_load::has(std::string_view call_id) const {
    std::lock_guard lock(mutex_);
    return calls_.count(std::string(call_id)) != 0;
}

size_t call_load::expire(uint64_t now_ms) {
    std::lock_guard lock(mutex_);
    size_t dropped = 0;
    for (auto it = calls_.begin(); it != calls_.end();) {
        if (now_ms >= it->second.expires_ms) {
            release(it->second);
            it = calls_.erase(it);
            ++dropped;
        } else {
            ++it;
        }
    }
    return dropped;
}

} // namespace siphost::modules::dispatcher
