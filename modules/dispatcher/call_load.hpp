// Call load for algorithm 10 (Kamailio's ds_hash_size table): which destination (set, duid) each call was
// sent to, by Call-ID, and how many calls each destination has. No dialog module: a call is added when
// ds_select_dst() picks its destination, confirmed and removed by ds_load_update() and ds_load_unset(), and
// dropped when it is not confirmed within ds_hash_initexpire or lasts longer than ds_hash_expire.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace siphost::modules::dispatcher {

class call_load {
public:
    /// The calls now on destination duid of set setid.
    int32_t load(int32_t setid, std::string_view duid) const;
    /// Puts call_id on (setid, duid), moving it from the destination it had; expires_ms: when it is dropped
    /// unless confirmed.
    void add(std::string_view call_id, int32_t setid, std::string_view duid, uint64_t expires_ms);
    /// Takes call_id off its destination. False when it is not tracked.
    bool remove(std::string_view call_id);
    /// Marks call_id answered; it is dropped at expires_ms. False when it is not tracked.
    bool confirm(std::string_view call_id, uint64_t expires_ms);
    /// Whether call_id is tracked.
    bool has(std::string_view call_id) const;
    /// Drops the calls whose time is up. Returns how many.
    size_t expire(uint64_t now_ms);

private:
    struct call {
        int32_t setid = 0;
        std::string duid;
        bool confirmed = false;
        uint64_t expires_ms = 0;
    };
    void release(const call& c); ///< mutex held

    mutable std::mutex mutex_;
    std::unordered_map<std::string, call> calls_;
    std::map<std::pair<int32_t, std::string>, int32_t, std::less<>> load_;
};

} // namespace siphost::modules::dispatcher
