#include "plugin/avp_list.hpp"

#include <memory>

namespace siphost::plugin {
namespace {

std::string_view view(siphost_str s) {
    return {s.s == nullptr ? "" : s.s, s.len};
}

} // namespace

bool avp_get(const siphost_avp_list& list, std::string_view name, uint32_t index, siphost_value& out) {
    for (auto it = list.entries.rbegin(); it != list.entries.rend(); ++it) {
        if (it->name != name)
            continue;
        if (index-- != 0)
            continue;
        out = siphost_value{};
        out.kind = it->kind;
        out.num = it->num;
        out.str = {it->str.data(), it->str.size()};
        return true;
    }
    return false;
}

namespace {

bool storable(const siphost_value& value) {
    return value.kind == SIPHOST_VALUE_INT || value.kind == SIPHOST_VALUE_STR;
}

void store(siphost_avp_list::entry& e, const siphost_value& value) {
    e.kind = value.kind;
    e.num = value.kind == SIPHOST_VALUE_INT ? value.num : 0;
    if (value.kind == SIPHOST_VALUE_STR)
        e.str = view(value.str);
    else
        e.str.clear();
}

} // namespace

bool avp_add(siphost_avp_list& list, std::string_view name, const siphost_value& value) {
    if (!storable(value))
        return false;
    auto& added = list.entries.emplace_back();
    added.name = name;
    store(added, value);
    return true;
}

bool avp_set(siphost_avp_list& list, std::string_view name, uint32_t index, const siphost_value& value) {
    if (!storable(value))
        return false;
    for (auto it = list.entries.rbegin(); it != list.entries.rend(); ++it) {
        if (it->name != name || index-- != 0)
            continue;
        if (value.kind == SIPHOST_VALUE_STR && value.str.s >= it->str.data() &&
            value.str.s < it->str.data() + it->str.size()) {
            // The new value is a view into the one it replaces ($avp(x)[0] = $avp(x)[0]): copy it first.
            siphost_value copy = value;
            std::string text(view(value.str));
            copy.str = {text.data(), text.size()};
            store(*it, copy);
        } else {
            store(*it, value);
        }
        return true;
    }
    return false;
}

int avp_delete(siphost_avp_list& list, std::string_view name, int32_t index) {
    int deleted = 0;
    int32_t seen = 0;
    for (size_t i = list.entries.size(); i-- > 0;) {
        if (list.entries[i].name != name)
            continue;
        if (index < 0 || seen == index) {
            list.entries.erase(list.entries.begin() + static_cast<std::ptrdiff_t>(i));
            ++deleted;
            if (index >= 0)
                break;
        }
        ++seen;
    }
    return deleted;
}

uint32_t avp_count(const siphost_avp_list& list, std::string_view name) {
    uint32_t count = 0;
    for (const auto& e : list.entries)
        count += e.name == name ? 1 : 0;
    return count;
}

} // namespace siphost::plugin
