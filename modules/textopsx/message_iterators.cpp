#include "message_iterators.hpp"

#include "header_table.hpp"
#include "module_context.hpp"

#include <siphost/module.hpp>

#include <memory>
#include <string>

namespace siphost::modules::textopsx {
namespace {

int slot_ = -1;

void destroy_iterators(void* value) {
    std::unique_ptr<message_iterators> owned(static_cast<message_iterators*>(value));
}

} // namespace

bool message_iterators::register_slot() {
    slot_ = host()->msgctx->slot_register(self(), destroy_iterators);
    return slot_ >= 0;
}

message_iterators* message_iterators::of(siphost_msg* msg, bool create) {
    auto* found = static_cast<message_iterators*>(host()->msgctx->slot_get(msg, slot_));
    if (found != nullptr || !create)
        return found;
    auto fresh = std::make_unique<message_iterators>();
    if (host()->msgctx->slot_set(msg, slot_, fresh.get()) != 0)
        return nullptr;
    return fresh.release(); // the message owns it now (destroy_iterators)
}

message_iterators::cursor* message_iterators::find(cursors& set, std::string_view name) {
    for (cursor& c : set)
        if (!c.name.empty() && c.name == name)
            return &c;
    return nullptr;
}

int message_iterators::start(cursors& set, siphost_msg* msg, std::string_view name, const char* kind) {
    if (name.empty()) {
        log_error(std::string(kind) + "_iterator_start: the iterator name is empty");
        return -1;
    }
    cursor* c = find(set, name);
    for (size_t i = 0; c == nullptr && i < set.size(); ++i)
        if (set[i].name.empty())
            c = &set[i];
    if (c == nullptr) {
        log_error(std::string(kind) + "_iterator_start: no free iterator for [" + std::string(name) +
                  "] (at most " + std::to_string(max_per_kind) + " at a time; end one with " + kind +
                  "_iterator_end)");
        return -1;
    }
    std::string_view raw = raw_of(msg);
    *c = cursor{};
    c->name.assign(name);
    c->raw = raw.data();
    c->raw_len = raw.size();
    c->generation = generation_;
    return 1;
}

message_iterators::cursor* message_iterators::usable(cursors& set, siphost_msg* msg, std::string_view name,
                                                     const char* kind) {
    cursor* c = find(set, name);
    if (c == nullptr) {
        log_error(std::string(kind) + " iterator not available [" + std::string(name) + "]");
        return nullptr;
    }
    std::string_view raw = raw_of(msg);
    if (raw.data() != c->raw || raw.size() != c->raw_len || c->generation != generation_) {
        log_error(std::string(kind) + " iterator [" + std::string(name) +
                  "] was started before msg_apply_changes rebuilt the message: start it again");
        return nullptr;
    }
    return c;
}

// ---- header lines ----

int message_iterators::hf_start(siphost_msg* msg, std::string_view name) {
    return start(headers_, msg, name, "hf");
}

int message_iterators::hf_end(std::string_view name) {
    cursor* c = find(headers_, name);
    if (c == nullptr)
        return -1;
    *c = cursor{};
    return 1;
}

int message_iterators::hf_next(siphost_msg* msg, std::string_view name) {
    cursor* c = usable(headers_, msg, name, "hf");
    if (c == nullptr)
        return -1;
    auto count = static_cast<int64_t>(header_table(host(), msg).size());
    if (c->position >= count)
        return -1;
    ++c->position;
    c->on_item = c->position < count;
    return c->on_item ? 1 : -1;
}

int message_iterators::hf_prev(siphost_msg* msg, std::string_view name) {
    cursor* c = usable(headers_, msg, name, "hf");
    if (c == nullptr)
        return -1;
    auto count = static_cast<int64_t>(header_table(host(), msg).size());
    if (c->position > count)
        c->position = count;
    if (c->position < 0)
        return -1;
    --c->position;
    c->on_item = c->position >= 0;
    return c->on_item ? 1 : -1;
}

bool message_iterators::hf_current(siphost_msg* msg, std::string_view name, std::string_view& header_name,
                                   std::string_view& header_value) {
    cursor* c = usable(headers_, msg, name, "hf");
    if (c == nullptr || !c->on_item)
        return false;
    header_table table(host(), msg);
    if (c->position < 0 || static_cast<size_t>(c->position) >= table.size())
        return false;
    header_name = table.line(static_cast<size_t>(c->position)).name;
    header_value = table.line(static_cast<size_t>(c->position)).value;
    return true;
}

int message_iterators::hf_remove(siphost_msg* msg, std::string_view name) {
    cursor* c = usable(headers_, msg, name, "hf");
    if (c == nullptr || !c->on_item)
        return -1;
    header_table table(host(), msg);
    if (static_cast<size_t>(c->position) >= table.size())
        return -1;
    if (!table.remove_line(static_cast<size_t>(c->position))) {
        log_error("hf_iterator_rm: the header of [" + std::string(name) + "] was removed already");
        return -1;
    }
    return 1;
}

int message_iterators::hf_add(siphost_msg* msg, std::string_view name, std::string_view text, bool after) {
    cursor* c = usable(headers_, msg, name, "hf");
    if (c == nullptr || !c->on_item || text.empty())
        return -1;
    header_table table(host(), msg);
    if (static_cast<size_t>(c->position) >= table.size())
        return -1;
    const header_line& line = table.line(static_cast<size_t>(c->position));
    std::string lines(text);
    if (lines.back() != '\n')
        lines.append("\r\n"); // a header line without its end would swallow the next one
    size_t at = after ? line.line_end : line.line_begin;
    if (host()->msg_replace(msg, at, 0, sdk::str(lines)) != 0) {
        log_error("hf_iterator_append/insert: the host refused the header (inside a removed range?)");
        return -1;
    }
    return 1;
}

// ---- body lines ----

int message_iterators::bl_start(siphost_msg* msg, std::string_view name) {
    return start(body_, msg, name, "bl");
}

int message_iterators::bl_end(std::string_view name) {
    cursor* c = find(body_, name);
    if (c == nullptr)
        return -1;
    *c = cursor{};
    return 1;
}

int message_iterators::bl_next(siphost_msg* msg, std::string_view name) {
    cursor* c = usable(body_, msg, name, "bl");
    if (c == nullptr || c->finished)
        return -1;
    std::string_view raw = raw_of(msg);
    size_t body_at = 0;
    siphost_str body = host()->msg_body(msg);
    if (body.len == 0 || !offset_in(raw, body, body_at)) {
        c->finished = true;
        c->on_item = false;
        return -1;
    }
    size_t body_end = body_at + body.len;
    size_t begin = c->position < 0 ? body_at : c->end;
    c->position = 0;
    if (begin >= body_end) {
        c->finished = true;
        c->on_item = false;
        return -1;
    }
    size_t newline = raw.find('\n', begin);
    c->begin = begin;
    c->end = newline == std::string_view::npos || newline >= body_end ? body_end : newline + 1;
    c->on_item = true;
    return 1;
}

bool message_iterators::bl_current(siphost_msg* msg, std::string_view name, std::string_view& line) {
    cursor* c = usable(body_, msg, name, "bl");
    if (c == nullptr || !c->on_item)
        return false;
    line = raw_of(msg).substr(c->begin, c->end - c->begin);
    return true;
}

int message_iterators::bl_remove(siphost_msg* msg, std::string_view name) {
    cursor* c = usable(body_, msg, name, "bl");
    if (c == nullptr || !c->on_item)
        return -1;
    if (host()->msg_replace(msg, c->begin, c->end - c->begin, {"", 0}) != 0) {
        log_error("bl_iterator_rm: the host refused to remove the line (it overlaps an earlier change)");
        return -1;
    }
    return 1;
}

int message_iterators::bl_add(siphost_msg* msg, std::string_view name, std::string_view text, bool after) {
    cursor* c = usable(body_, msg, name, "bl");
    if (c == nullptr || !c->on_item || text.empty())
        return -1;
    if (host()->msg_replace(msg, after ? c->end : c->begin, 0, sdk::str(text)) != 0) {
        log_error("bl_iterator_append/insert: the host refused the text (inside a removed range?)");
        return -1;
    }
    return 1;
}

} // namespace siphost::modules::textopsx
