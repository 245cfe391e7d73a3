#include "route_set.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::rr {
namespace {

/// Splits a header value at the commas that separate list elements (not those inside <> or quotes).
template <class Fn> bool split_list(std::string_view value, Fn&& on_element) {
    size_t start = 0;
    bool in_quotes = false;
    bool in_angle = false;
    for (size_t i = 0; i <= value.size(); ++i) {
        if (i < value.size()) {
            char c = value[i];
            if (in_quotes) {
                if (c == '\\')
                    ++i;
                else if (c == '"')
                    in_quotes = false;
                continue;
            }
            if (c == '"')
                in_quotes = true;
            else if (c == '<')
                in_angle = true;
            else if (c == '>')
                in_angle = false;
            if (c != ',' || in_angle)
                continue;
        }
        std::string_view element = value.substr(start, i - start);
        size_t lead = element.find_first_not_of(" \t\r\n");
        if (lead == std::string_view::npos)
            return false; // an empty element: ",," or a trailing comma
        element.remove_prefix(lead);
        element = element.substr(0, element.find_last_not_of(" \t\r\n") + 1);
        if (!on_element(element))
            return false;
        start = i + 1;
    }
    return !in_quotes && !in_angle;
}

} // namespace

bool route_set::load(const siphost_host_api* host, const siphost_msg* msg) {
    host_ = host;
    values_.clear();
    line_count_ = 0;
    std::string_view raw = sdk::view(host->msg_raw(msg));
    siphost_str name{nullptr, 0};
    siphost_str value{nullptr, 0};
    for (size_t i = 0; host->msg_header_at(msg, i, &name, &value) == 1; ++i) {
        if (!sdk::iequals(sdk::trim(sdk::view(name)), "Route"))
            continue;
        uint32_t line = line_count_++;
        bool ok = split_list(sdk::view(value), [&](std::string_view element) {
            if (raw.empty() || element.data() < raw.data() ||
                element.data() + element.size() > raw.data() + raw.size())
                return false;
            std::string_view uri = sdk::uri_of(host, element);
            if (uri.empty())
                return false;
            values_.push_back(
                route_value{element, uri, line, static_cast<size_t>(element.data() - raw.data())});
            return true;
        });
        if (!ok)
            return false;
    }
    return true;
}

bool route_set::remove(siphost_msg* msg, const std::vector<bool>& removed) const {
    // Per line, from the last line up: removing whole lines from the bottom keeps the indices of the lines
    // above valid whether the host counts lines as received or as left after earlier removals.
    size_t end = values_.size();
    for (uint32_t line = line_count_; line-- > 0;) {
        size_t begin = end;
        while (begin > 0 && values_[begin - 1].line == line)
            --begin;
        bool all = begin < end;
        bool any = false;
        for (size_t i = begin; i < end; ++i) {
            all = all && removed[i];
            any = any || removed[i];
        }
        if (all) {
            if (host_->msg_remove_header(msg, sdk::str("Route"), static_cast<int32_t>(line)) < 1)
                return false;
        } else if (any) {
            // Runs of removed values within the line: cut each run with the separator that ties it to a value
            // that stays (the one after it, or for a run at the end of the line, the one before it).
            for (size_t i = begin; i < end;) {
                if (!removed[i]) {
                    ++i;
                    continue;
                }
                size_t run_end = i;
                while (run_end + 1 < end && removed[run_end + 1])
                    ++run_end;
                size_t from = 0;
                size_t to = 0;
                if (run_end + 1 < end) {
                    from = values_[i].offset;
                    to = values_[run_end + 1].offset;
                } else {
                    from = values_[i - 1].offset + values_[i - 1].text.size();
                    to = values_[run_end].offset + values_[run_end].text.size();
                }
                if (host_->msg_replace(msg, from, to - from, siphost_str{"", 0}) != 0)
                    return false;
                i = run_end + 1;
            }
        }
        end = begin;
    }
    return true;
}

} // namespace siphost::modules::rr
