#include "sip/edit_list.hpp"

namespace siphost::sip {

bool edit_list::conflicts(uint32_t offset, uint32_t len) const {
    uint64_t end = uint64_t{offset} + len;
    for (const edit& e : edits_) {
        uint64_t e_end = uint64_t{e.offset} + e.remove;
        if (e.remove > 0 && len > 0 && offset < e_end && e.offset < end)
            return true; // two removed ranges overlap
        if (e.remove > 0 && len == 0 && offset > e.offset && offset < e_end)
            return true; // an insert inside a removed range
        if (e.remove == 0 && len > 0 && e.offset > offset && e.offset < end)
            return true; // a removed range around an earlier insert
    }
    return false;
}

bool edit_list::insert(uint32_t offset, std::initializer_list<std::string_view> parts) {
    if (conflicts(offset, 0))
        return false;
    edit e;
    e.offset = offset;
    e.text_begin = static_cast<uint32_t>(text_.size());
    for (std::string_view part : parts)
        text_.insert(text_.end(), part.begin(), part.end());
    e.text_len = static_cast<uint32_t>(text_.size() - e.text_begin);
    e.order = next_order_++;
    edits_.push_back(e);
    return true;
}

bool edit_list::replace(uint32_t offset, uint32_t len, std::string_view text) {
    if (conflicts(offset, len))
        return false;
    edit e;
    e.offset = offset;
    e.remove = len;
    e.text_begin = static_cast<uint32_t>(text_.size());
    text_.insert(text_.end(), text.begin(), text.end());
    e.text_len = static_cast<uint32_t>(text.size());
    e.order = next_order_++;
    edits_.push_back(e);
    return true;
}

edit_list::stored edit_list::store(std::string_view text) {
    stored s;
    s.begin = static_cast<uint32_t>(text_.size());
    s.len = static_cast<uint32_t>(text.size());
    s.set = true;
    text_.insert(text_.end(), text.begin(), text.end());
    return s;
}

void edit_list::clear() {
    edits_.clear();
    text_.clear();
    request_uri_ = {};
    body_ = {};
    max_forwards_.reset();
    next_order_ = 0;
}

void edit_list::shrink_to_fit() {
    edits_.shrink_to_fit();
    text_.shrink_to_fit();
}

} // namespace siphost::sip
