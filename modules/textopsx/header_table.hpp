#pragma once
// The header lines of a message as the host indexed them (msg_header_at), with their offsets in msg_raw, so
// that a value, a parameter or a whole line can be changed where it lies. A line is removed the way textops'
// remove_hf removes it (msg_remove_header), so that later lookups ($hdr, is_present_hf) agree that it is
// gone.
//
// The host's line index includes removed lines; the lines of a header that are still there are those that
// its lookups (msg_header) return values from.

#include <siphost/module.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace siphost::modules::textopsx {

struct header_line {
    std::string_view name;
    std::string_view value; ///< trimmed, as the host gives it
    size_t line_begin = 0;  ///< where the name starts in msg_raw
    size_t line_end = 0;    ///< after the line's end (its folds included)
    size_t value_begin = 0; ///< where value starts in msg_raw
};

class header_table {
public:
    /// Reads every header line of msg as received (or as msg_apply_changes last rebuilt it).
    header_table(const siphost_host_api* host, siphost_msg* msg);

    /// False when the host's views did not lie in msg_raw: nothing can be edited then.
    bool valid() const { return valid_; }
    size_t size() const { return lines_.size(); }
    const header_line& line(size_t i) const { return lines_[i]; }

    /// The lines of header `name` (any case; the host also knows compact forms) that were not removed, in
    /// order.
    std::vector<size_t> present_lines(std::string_view name) const;
    /// Whether line i was not removed.
    bool present(size_t i) const;
    /// Removes line i as msg_remove_header does. False when it was removed already or the host refused.
    bool remove_line(size_t i) const;

private:
    const siphost_host_api* host_;
    siphost_msg* msg_;
    std::string_view raw_;
    std::vector<header_line> lines_;
    bool valid_ = true;
};

} // namespace siphost::modules::textopsx
