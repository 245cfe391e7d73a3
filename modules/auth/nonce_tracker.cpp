#include "nonce_tracker.hpp"

namespace siphost::modules::auth {

nonce_tracker::nonce_tracker(unsigned order)
    : mask_((uint32_t{1} << order) - 1), entries_(std::make_unique<std::atomic<uint64_t>[]>(mask_ + 1)) {}

uint32_t nonce_tracker::issue() {
    uint32_t id = next_.fetch_add(1, std::memory_order_relaxed);
    entry(id).store(static_cast<uint64_t>(id) << 32, std::memory_order_release);
    return id;
}

nonce_tracker::verdict nonce_tracker::judge_nc(uint64_t word, uint32_t id, uint32_t nc) {
    if (static_cast<uint32_t>(word >> 32) != id || nc > max_nc)
        return verdict::forgotten;
    return nc > (word & 0xff) ? verdict::fresh : verdict::replayed;
}

nonce_tracker::verdict nonce_tracker::judge_once(uint64_t word, uint32_t id) {
    if (static_cast<uint32_t>(word >> 32) != id)
        return verdict::forgotten;
    return (word & used_bit) == 0 ? verdict::fresh : verdict::replayed;
}

nonce_tracker::verdict nonce_tracker::check_nc(uint32_t id, uint32_t nc) const {
    return judge_nc(entry(id).load(std::memory_order_acquire), id, nc);
}

nonce_tracker::verdict nonce_tracker::commit_nc(uint32_t id, uint32_t nc) {
    auto& e = entry(id);
    uint64_t word = e.load(std::memory_order_acquire);
    for (;;) {
        verdict v = judge_nc(word, id, nc);
        if (v != verdict::fresh)
            return v;
        uint64_t updated = (word & ~uint64_t{0xff}) | nc;
        if (e.compare_exchange_weak(word, updated, std::memory_order_acq_rel, std::memory_order_acquire))
            return verdict::fresh;
    }
}

nonce_tracker::verdict nonce_tracker::check_once(uint32_t id) const {
    return judge_once(entry(id).load(std::memory_order_acquire), id);
}

nonce_tracker::verdict nonce_tracker::commit_once(uint32_t id) {
    auto& e = entry(id);
    uint64_t word = e.load(std::memory_order_acquire);
    for (;;) {
        verdict v = judge_once(word, id);
        if (v != verdict::fresh)
            return v;
        if (e.compare_exchange_weak(word, word | used_bit, std::memory_order_acq_rel,
                                    std::memory_order_acquire))
            return verdict::fresh;
    }
}

} // namespace siphost::modules::auth
