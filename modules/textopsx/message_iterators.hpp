#pragma once
// hf_iterator_* and bl_iterator_*: named cursors over a message's header lines and body lines, kept in a
// per-message slot (so they end with the message), up to four of each kind at a time as in Kamailio.
// A cursor belongs to the bytes it was started on: after msg_apply_changes rebuilt the message, it must be
// started again.

#include <siphost/module.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace siphost::modules::textopsx {

class message_iterators {
public:
    static constexpr size_t max_per_kind = 4;

    /// Reserves the slot (during init). False when the host has none left.
    static bool register_slot();
    /// The iterators of msg; created when create is set (NULL otherwise, or when the host refused).
    static message_iterators* of(siphost_msg* msg, bool create);
    /// Called after msg_apply_changes rebuilt the message: every cursor started before must start again.
    void rebuilt() { ++generation_; }

    // Header lines. Each returns the script result: 1 true, -1 false.
    int hf_start(siphost_msg* msg, std::string_view name);
    int hf_end(std::string_view name);
    int hf_next(siphost_msg* msg, std::string_view name);
    int hf_prev(siphost_msg* msg, std::string_view name);
    int hf_remove(siphost_msg* msg, std::string_view name);
    /// Adds text after (append) or before the current header line.
    int hf_add(siphost_msg* msg, std::string_view name, std::string_view text, bool after);
    /// The current header's name and value; false when the iterator is not on a header.
    bool hf_current(siphost_msg* msg, std::string_view name, std::string_view& header_name,
                    std::string_view& header_value);

    // Body lines.
    int bl_start(siphost_msg* msg, std::string_view name);
    int bl_end(std::string_view name);
    int bl_next(siphost_msg* msg, std::string_view name);
    int bl_remove(siphost_msg* msg, std::string_view name);
    int bl_add(siphost_msg* msg, std::string_view name, std::string_view text, bool after);
    /// The current body line with its line end; false when the iterator is not on a line.
    bool bl_current(siphost_msg* msg, std::string_view name, std::string_view& line);

private:
    struct cursor {
        std::string name;          ///< empty: free
        const char* raw = nullptr; ///< the bytes it was started on
        size_t raw_len = 0;
        uint64_t generation = 0;   ///< rebuilds before it was started
        int64_t position = -1;     ///< headers: the line index (-1 before the first); body: unused
        size_t begin = 0, end = 0; ///< body: the current line in msg_raw
        bool on_item = false;
        bool finished = false;
    };
    using cursors = std::array<cursor, max_per_kind>;

    static cursor* find(cursors& set, std::string_view name);
    int start(cursors& set, siphost_msg* msg, std::string_view name, const char* kind);
    /// The cursor named name, checked against the bytes msg has now; NULL (logged) when it cannot be used.
    cursor* usable(cursors& set, siphost_msg* msg, std::string_view name, const char* kind);

    cursors headers_;
    cursors body_;
    uint64_t generation_ = 0;
};

} // namespace siphost::modules::textopsx
