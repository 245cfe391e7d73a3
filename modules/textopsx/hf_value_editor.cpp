#include "hf_value_editor.hpp"

#include "module_context.hpp"

#include <siphost/module.hpp>

#include <string>

namespace siphost::modules::textopsx {

hf_value_editor::hf_value_editor(siphost_msg* msg) : msg_(msg), raw_(raw_of(msg)), table_(host(), msg) {}

std::vector<hf_value_editor::value_ref> hf_value_editor::values(std::string_view name,
                                                                value_mode mode) const {
    std::vector<value_ref> out;
    for (size_t i : table_.present_lines(name)) {
        const header_line& line = table_.line(i);
        if (mode == value_mode::whole_line) {
            out.push_back({i, {line.value_begin, line.value_begin + line.value.size()}});
            continue;
        }
        for (text_span element : split_outside(line.value, ','))
            out.push_back({i, {line.value_begin + element.begin, line.value_begin + element.end}});
    }
    return out;
}

std::vector<size_t> hf_value_editor::select(const std::vector<value_ref>& all, const hf_spec& spec) {
    std::vector<size_t> out;
    auto n = static_cast<int64_t>(all.size());
    switch (spec.kind()) {
    case hf_spec::index_kind::all:
        for (size_t i = 0; i < all.size(); ++i)
            out.push_back(i);
        break;
    case hf_spec::index_kind::none:
        if (n > 0)
            out.push_back(0);
        break;
    case hf_spec::index_kind::number: {
        int64_t at = spec.index() > 0 ? spec.index() - 1 : n + spec.index();
        if (at >= 0 && at < n)
            out.push_back(static_cast<size_t>(at));
        break;
    }
    }
    return out;
}

std::vector<size_t> hf_value_editor::equal_to(const std::vector<value_ref>& all,
                                              std::string_view value) const {
    std::vector<size_t> out;
    std::string_view wanted = sdk::trim(value);
    for (size_t i = 0; i < all.size(); ++i)
        if (sdk::iequals(text_of(all[i].span), wanted))
            out.push_back(i);
    return out;
}

bool hf_value_editor::replace(size_t offset, size_t len, std::string_view text) {
    if (host()->msg_replace(msg_, offset, len, sdk::str(text)) == 0)
        return true;
    log_error(
        "the host refused a change to a header value (it overlaps an earlier change to the same bytes)");
    return false;
}

bool hf_value_editor::add_line(std::string_view name, std::string_view value, int position) {
    std::string line;
    line.reserve(name.size() + value.size() + 4);
    line.append(name).append(": ").append(value).append("\r\n");
    return host()->msg_add_header(msg_, sdk::str(line), position, sdk::str(name)) == 0;
}

int hf_value_editor::append(const hf_spec& spec, std::string_view value) {
    if (spec.kind() == hf_spec::index_kind::number) {
        auto all = values(spec.name(), value_mode::comma_list);
        auto which = select(all, spec);
        if (!which.empty())
            return replace(all[which[0]].span.end, 0, "," + std::string(value)) ? 1 : -1;
    }
    return add_line(spec.name(), value, SIPHOST_HDR_BOTTOM) ? 1 : -1;
}

int hf_value_editor::insert(const hf_spec& spec, std::string_view value) {
    if (spec.kind() == hf_spec::index_kind::number) {
        auto all = values(spec.name(), value_mode::comma_list);
        auto which = select(all, spec);
        if (!which.empty())
            return replace(all[which[0]].span.begin, 0, std::string(value) + ",") ? 1 : -1;
    }
    // As Kamailio 5.6 does: above the first line of the header, or at the bottom when there is none.
    if (table_.present_lines(spec.name()).empty())
        return add_line(spec.name(), value, SIPHOST_HDR_BOTTOM) ? 1 : -1;
    return add_line(spec.name(), value, SIPHOST_HDR_BEFORE) ? 1 : -1;
}

int hf_value_editor::remove_values(const std::vector<value_ref>& all, const std::vector<size_t>& which,
                                   value_mode mode) {
    std::vector<bool> marked(all.size(), false);
    for (size_t i : which)
        marked[i] = true;
    bool changed = false;
    for (size_t first = 0; first < all.size();) {
        // One line at a time: its values are next to each other in `all`.
        size_t end = first;
        while (end < all.size() && all[end].line == all[first].line)
            ++end;
        std::vector<text_span> pieces;
        std::vector<bool> remove;
        bool every = true, some = false;
        for (size_t i = first; i < end; ++i) {
            pieces.push_back(all[i].span);
            remove.push_back(marked[i]);
            every = every && marked[i];
            some = some || marked[i];
        }
        if (some && (every || mode == value_mode::whole_line)) {
            if (table_.remove_line(all[first].line))
                changed = true;
            else
                log_error("cannot remove a header line (it was removed already?)");
        } else if (some) {
            for (text_span range : removal_ranges(pieces, remove))
                changed = replace(range.begin, range.end - range.begin, {}) || changed;
        }
        first = end;
    }
    return changed ? 1 : -1;
}

bool hf_value_editor::remove_params(const value_ref& v, const std::string& param, value_mode mode) {
    std::string_view value = text_of(v.span);
    bool changed = false;
    if (mode == value_mode::comma_list) {
        semicolon_params scanned = scan_semicolon_params(value);
        for (size_t k = 0; k < scanned.params.size(); ++k) {
            if (!sdk::iequals(scanned.params[k].name, param))
                continue;
            // From the end of what precedes it, so that its ';' goes too.
            size_t from = k == 0 ? scanned.main.end : scanned.params[k - 1].whole.end;
            size_t to = scanned.params[k].whole.end;
            changed = replace(v.span.begin + from, to - from, {}) || changed;
        }
        return changed;
    }
    std::vector<param_span> params = scan_comma_params(value);
    std::vector<text_span> pieces;
    std::vector<bool> remove;
    bool some = false;
    for (const param_span& p : params) {
        pieces.push_back({v.span.begin + p.whole.begin, v.span.begin + p.whole.end});
        remove.push_back(sdk::iequals(p.name, param));
        some = some || remove.back();
    }
    if (!some)
        return false;
    for (text_span range : removal_ranges(pieces, remove))
        changed = replace(range.begin, range.end - range.begin, {}) || changed;
    return changed;
}

int hf_value_editor::remove(const hf_spec& spec, value_mode mode) {
    auto all = values(spec.name(), mode);
    auto which = select(all, spec);
    if (which.empty())
        return -1;
    if (spec.param().empty())
        return remove_values(all, which, mode);
    bool changed = false;
    for (size_t i : which)
        changed = remove_params(all[i], spec.param(), mode) || changed;
    return changed ? 1 : -1;
}

bool hf_value_editor::assign_param(const value_ref& v, const std::string& param, std::string_view value,
                                   value_mode mode) {
    std::string_view text = text_of(v.span);
    std::vector<param_span> params;
    if (mode == value_mode::comma_list)
        params = scan_semicolon_params(text).params;
    else
        params = scan_comma_params(text);
    bool found = false, changed = false;
    for (const param_span& p : params) {
        if (!sdk::iequals(p.name, param))
            continue;
        found = true;
        std::string written(p.name);
        if (!value.empty())
            written.append("=").append(value);
        changed = replace(v.span.begin + p.whole.begin, p.whole.end - p.whole.begin, written) || changed;
    }
    if (found)
        return changed;
    // Not there: added at the end of the value.
    std::string added = mode == value_mode::comma_list ? ";" : (text.empty() ? "" : ",");
    added.append(param);
    if (!value.empty())
        added.append("=").append(value);
    return replace(v.span.end, 0, added);
}

int hf_value_editor::assign(const hf_spec& spec, std::string_view value, value_mode mode) {
    auto all = values(spec.name(), mode);
    auto which = select(all, spec);
    bool changed = false;
    for (size_t i : which) {
        const value_ref& v = all[i];
        if (spec.param().empty())
            changed = replace(v.span.begin, v.span.end - v.span.begin, value) || changed;
        else
            changed = assign_param(v, spec.param(), value, mode) || changed;
    }
    return changed ? 1 : -1;
}

int hf_value_editor::include(std::string_view name, std::string_view value) {
    auto all = values(name, value_mode::comma_list);
    if (!equal_to(all, value).empty())
        return 1;
    std::string_view added = sdk::trim(value);
    if (all.empty())
        return add_line(name, added, SIPHOST_HDR_BOTTOM) ? 1 : -1;
    return replace(all.back().span.end, 0, "," + std::string(added)) ? 1 : -1;
}

int hf_value_editor::exclude(std::string_view name, std::string_view value) {
    auto all = values(name, value_mode::comma_list);
    auto which = equal_to(all, value);
    if (which.empty())
        return 1; // not in the set: as asked (Kamailio answers true too)
    return remove_values(all, which, value_mode::comma_list);
}

int hf_value_editor::exists(std::string_view name, std::string_view value) const {
    return equal_to(values(name, value_mode::comma_list), value).empty() ? -1 : 1;
}

} // namespace siphost::modules::textopsx
