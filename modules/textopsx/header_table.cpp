#include "header_table.hpp"

#include "module_context.hpp"

#include <algorithm>

namespace siphost::modules::textopsx {
namespace {

// Bounds on what one message can hold, so that a host answering oddly cannot keep these loops running.
constexpr size_t max_lines = 65536;
constexpr uint32_t max_values = 65536;

} // namespace

header_table::header_table(const siphost_host_api* host, siphost_msg* msg)
    : host_(host), msg_(msg), raw_(sdk::view(host->msg_raw(msg))) {
    for (size_t i = 0; i < max_lines; ++i) {
        siphost_str name{nullptr, 0}, value{nullptr, 0};
        if (host_->msg_header_at(msg_, i, &name, &value) != 1)
            break;
        header_line line;
        size_t name_at = 0, value_at = 0;
        if (!offset_in(raw_, name, line.line_begin) || !offset_in(raw_, value, value_at)) {
            valid_ = false;
            lines_.clear();
            return;
        }
        name_at = line.line_begin;
        line.name = raw_.substr(name_at, name.len);
        line.value = raw_.substr(value_at, value.len);
        line.value_begin = value_at;
        size_t after = std::max(name_at + name.len, value_at + value.len);
        size_t newline = raw_.find('\n', after);
        line.line_end = newline == std::string_view::npos ? raw_.size() : newline + 1;
        lines_.push_back(line);
    }
}

std::vector<size_t> header_table::present_lines(std::string_view name) const {
    std::vector<size_t> out;
    if (!valid_ || name.empty())
        return out;
    size_t next_line = 0;
    for (uint32_t k = 0; k < max_values; ++k) {
        siphost_str value{nullptr, 0};
        if (host_->msg_header(msg_, sdk::str(name), k, &value) != 1)
            break;
        size_t at = 0;
        if (!offset_in(raw_, value, at))
            continue;
        // Values come in line order: look on from the last line found.
        while (next_line < lines_.size() && lines_[next_line].line_end <= at)
            ++next_line;
        if (next_line < lines_.size() && lines_[next_line].line_begin <= at &&
            (out.empty() || out.back() != next_line))
            out.push_back(next_line);
    }
    return out;
}

bool header_table::present(size_t i) const {
    if (i >= lines_.size())
        return false;
    // A line with an empty value gives no value to a list header's lookup: taken as present.
    if (lines_[i].value.empty())
        return true;
    std::vector<size_t> same = present_lines(lines_[i].name);
    return std::find(same.begin(), same.end(), i) != same.end();
}

bool header_table::remove_line(size_t i) const {
    if (i >= lines_.size())
        return false;
    std::vector<size_t> same = present_lines(lines_[i].name);
    auto it = std::find(same.begin(), same.end(), i);
    if (it == same.end()) {
        // An empty line of a list header ("Accept:") gives lookups nothing, so they cannot place it; it is
        // invisible to them anyway, and deleting its bytes is refused when the line was removed already.
        const header_line& line = lines_[i];
        return line.value.empty() &&
               host_->msg_replace(msg_, line.line_begin, line.line_end - line.line_begin, {"", 0}) == 0;
    }
    auto index = static_cast<int32_t>(it - same.begin());
    return host_->msg_remove_header(msg_, sdk::str(lines_[i].name), index) == 1;
}

} // namespace siphost::modules::textopsx
