#include "plugin/avp_list.hpp"

#include <cstdio>
#include <memory>
#include <strings.h>

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

namespace {

bool same_name(xavp_family family, std::string_view a, std::string_view b) {
    if (family != xavp_family::xavi)
        return a == b;
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

/// The position in items of the index-th item called name (0 the newest, -1 the oldest), or -1.
std::ptrdiff_t find_item(const std::vector<xavp_item>& items, xavp_family family, std::string_view name,
                         int32_t index) {
    if (index == SIPHOST_PV_NO_INDEX || index == SIPHOST_PV_ALL_INDEX)
        index = 0;
    if (index < 0) {
        int64_t count = 0;
        for (const auto& item : items)
            count += same_name(family, item.name, name) ? 1 : 0;
        index = static_cast<int32_t>(count + index);
        if (index < 0)
            return -1;
    }
    for (std::size_t i = items.size(); i-- > 0;) {
        if (!same_name(family, items[i].name, name))
            continue;
        if (index-- == 0)
            return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
}

void remove_all(std::vector<xavp_item>& items, xavp_family family, std::string_view name) {
    std::erase_if(items, [&](const xavp_item& item) { return same_name(family, item.name, name); });
}

void remove_at(std::vector<xavp_item>& items, std::ptrdiff_t position) {
    if (position >= 0)
        items.erase(items.begin() + position);
}

void store_value(xavp_item& item, const siphost_value& value) {
    // The new value may be a view into the item it replaces ($xavp(a[0]) = $xavp(a[0])): copy it first.
    std::string text = value.kind == SIPHOST_VALUE_STR ? std::string(view(value.str)) : std::string();
    item.fields.clear();
    item.is_list = false;
    item.kind = value.kind;
    item.num = value.kind == SIPHOST_VALUE_INT ? value.num : 0;
    item.str = std::move(text);
}

xavp_item make_item(std::string_view name, const siphost_value& value) {
    xavp_item item;
    item.name = name;
    store_value(item, value);
    return item;
}

xavp_item make_list(std::string_view name, std::string_view field, const siphost_value& value) {
    xavp_item item;
    item.name = name;
    item.is_list = true;
    item.fields.push_back(make_item(field, value));
    return item;
}

void read_item(const xavp_item& item, siphost_value& out, std::string& text) {
    out = siphost_value{};
    if (item.is_list) {
        // Kamailio prints a list as its address; scripts only test it against $null.
        char shown[48];
        if (item.fields.empty())
            std::snprintf(shown, sizeof shown, "<<xavp:(nil)>>");
        else
            std::snprintf(shown, sizeof shown, "<<xavp:%p>>", static_cast<const void*>(item.fields.data()));
        text = shown;
        out.kind = SIPHOST_VALUE_STR;
        out.str = {text.data(), text.size()};
        return;
    }
    out.kind = item.kind;
    out.num = item.num;
    out.str = {item.str.data(), item.str.size()};
}

} // namespace

bool xavp_get(const siphost_avp_list& list, xavp_family family, const xavp_path& path, siphost_value& out,
              std::string& text) {
    const auto& roots = list.xavps[static_cast<int>(family)];
    std::ptrdiff_t at = find_item(roots, family, path.root, path.root_index);
    if (at < 0)
        return false;
    const xavp_item& root = roots[static_cast<std::size_t>(at)];
    if (!path.has_field) {
        read_item(root, out, text);
        return true;
    }
    if (!root.is_list)
        return false;
    if (path.field_index == SIPHOST_PV_ALL_INDEX) {
        // Every value of the field, the newest first, joined as Kamailio joins them.
        std::string joined;
        bool any = false;
        for (std::size_t i = root.fields.size(); i-- > 0;) {
            if (!same_name(family, root.fields[i].name, path.field))
                continue;
            std::string piece;
            siphost_value v{};
            read_item(root.fields[i], v, piece);
            if (any)
                joined += ", ";
            joined += v.kind == SIPHOST_VALUE_INT ? std::to_string(v.num) : std::string(view(v.str));
            any = true;
        }
        if (!any)
            return false;
        text = std::move(joined);
        out = siphost_value{};
        out.kind = SIPHOST_VALUE_STR;
        out.str = {text.data(), text.size()};
        return true;
    }
    std::ptrdiff_t field = find_item(root.fields, family, path.field, path.field_index);
    if (field < 0)
        return false;
    read_item(root.fields[static_cast<std::size_t>(field)], out, text);
    return true;
}

namespace {

int xavu_set(std::vector<xavp_item>& roots, const xavp_path& path, const siphost_value& value) {
    constexpr auto family = xavp_family::xavu;
    bool remove = value.kind == SIPHOST_VALUE_NULL;
    if (!path.has_field) {
        if (remove) {
            remove_all(roots, family, path.root);
            return 0;
        }
        std::ptrdiff_t at = find_item(roots, family, path.root, 0);
        if (at >= 0)
            store_value(roots[static_cast<std::size_t>(at)], value);
        else
            roots.push_back(make_item(path.root, value));
        return 0;
    }
    std::ptrdiff_t at = find_item(roots, family, path.root, 0);
    if (at < 0) {
        if (!remove)
            roots.push_back(make_list(path.root, path.field, value));
        return 0;
    }
    xavp_item& root = roots[static_cast<std::size_t>(at)];
    if (!root.is_list) {
        // A plain value gives way to a list holding the field, as Kamailio's $xavu does.
        if (!remove)
            root = make_list(path.root, path.field, value);
        return 0;
    }
    std::ptrdiff_t field = find_item(root.fields, family, path.field, 0);
    if (remove)
        remove_all(root.fields, family, path.field);
    else if (field >= 0)
        store_value(root.fields[static_cast<std::size_t>(field)], value);
    else
        root.fields.push_back(make_item(path.field, value));
    return 0;
}

} // namespace

int xavp_set(siphost_avp_list& list, xavp_family family, const xavp_path& path, const siphost_value& value) {
    auto& roots = list.xavps[static_cast<int>(family)];
    if (value.kind != SIPHOST_VALUE_NULL && value.kind != SIPHOST_VALUE_INT &&
        value.kind != SIPHOST_VALUE_STR)
        return -1;
    if (family == xavp_family::xavu)
        return xavu_set(roots, path, value);
    bool remove = value.kind == SIPHOST_VALUE_NULL;
    const bool root_all = path.root_index == SIPHOST_PV_ALL_INDEX;
    const bool root_none = path.root_index == SIPHOST_PV_NO_INDEX;
    if (!path.has_field) {
        if (remove) {
            // No index deletes the newest item, [*] every item, [n] the n-th.
            if (root_all)
                remove_all(roots, family, path.root);
            else
                remove_at(roots, find_item(roots, family, path.root, path.root_index));
            return 0;
        }
        if (root_none) {
            roots.push_back(make_item(path.root, value));
            return 0;
        }
        if (root_all)
            return -1;
        std::ptrdiff_t at = find_item(roots, family, path.root, path.root_index);
        if (at < 0)
            return -1;
        store_value(roots[static_cast<std::size_t>(at)], value);
        return 0;
    }
    if (remove) {
        std::ptrdiff_t at = find_item(roots, family, path.root, path.root_index);
        if (at < 0 || !roots[static_cast<std::size_t>(at)].is_list)
            return 0;
        auto& fields = roots[static_cast<std::size_t>(at)].fields;
        if (path.field_index == SIPHOST_PV_ALL_INDEX)
            remove_all(fields, family, path.field);
        else
            remove_at(fields, find_item(fields, family, path.field, path.field_index));
        return 0;
    }
    // Without a root index a field assignment makes a new root item, whatever the field's index.
    if (root_none) {
        roots.push_back(make_list(path.root, path.field, value));
        return 0;
    }
    if (root_all)
        return -1;
    std::ptrdiff_t at = find_item(roots, family, path.root, path.root_index);
    if (at < 0)
        return 0; // Kamailio does nothing, and says nothing
    xavp_item& root = roots[static_cast<std::size_t>(at)];
    if (!root.is_list)
        return -1;
    if (path.field_index == SIPHOST_PV_NO_INDEX) {
        root.fields.push_back(make_item(path.field, value));
        return 0;
    }
    if (path.field_index == SIPHOST_PV_ALL_INDEX)
        return 0; // Kamailio ignores field[*] = value
    std::ptrdiff_t field = find_item(root.fields, family, path.field, path.field_index);
    if (field >= 0)
        store_value(root.fields[static_cast<std::size_t>(field)], value);
    return 0;
}

} // namespace siphost::plugin
