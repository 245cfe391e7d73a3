#include "dialog_table.hpp"

#include <functional>

namespace siphost::modules::dialog {

dialog_table::dialog_table(uint32_t hash_size) : hash_size_(hash_size), next_id_(hash_size, 0) {}

std::shared_ptr<dialog> dialog_table::create(std::string_view call_id) {
    auto d = std::make_shared<dialog>();
    d->call_id = std::string(call_id);
    d->h_entry = static_cast<uint32_t>(std::hash<std::string_view>{}(call_id)) & (hash_size_ - 1);
    // h_id counts per entry from 1; skip ids still in use after a wrap.
    do {
        d->h_id = ++next_id_[d->h_entry];
    } while (d->h_id == 0 || by_id_.count(key(d->h_entry, d->h_id)) != 0);
    by_id_.emplace(key(d->h_entry, d->h_id), d);
    by_call_id_.emplace(d->call_id, d);
    return d;
}

void dialog_table::remove(const dialog& d) {
    by_id_.erase(key(d.h_entry, d.h_id));
    auto [first, last] = by_call_id_.equal_range(d.call_id);
    for (auto it = first; it != last; ++it)
        if (it->second.get() == &d) {
            by_call_id_.erase(it);
            break;
        }
}

std::shared_ptr<dialog> dialog_table::find(uint32_t h_entry, uint32_t h_id) const {
    auto it = by_id_.find(key(h_entry, h_id));
    return it == by_id_.end() ? nullptr : it->second;
}

std::shared_ptr<dialog> dialog_table::match(std::string_view call_id, std::string_view from_tag,
                                            std::string_view to_tag, bool early_ok, bool* downstream) const {
    auto [first, last] = by_call_id_.equal_range(std::string(call_id));
    for (auto it = first; it != last; ++it) {
        const dialog& d = *it->second;
        if (d.caller.tag == from_tag &&
            (d.callee.tag == to_tag || (early_ok && (to_tag.empty() || d.callee.tag.empty())))) {
            if (downstream != nullptr)
                *downstream = true;
            return it->second;
        }
        if (!to_tag.empty() && d.caller.tag == to_tag && !d.callee.tag.empty() && d.callee.tag == from_tag) {
            if (downstream != nullptr)
                *downstream = false;
            return it->second;
        }
    }
    return nullptr;
}

std::vector<std::shared_ptr<dialog>> dialog_table::all() const {
    std::vector<std::shared_ptr<dialog>> out;
    out.reserve(by_id_.size());
    for (const auto& [k, d] : by_id_)
        out.push_back(d);
    return out;
}

} // namespace siphost::modules::dialog
