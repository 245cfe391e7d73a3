#include "string_checks.hpp"

#include <siphost/module.hpp>

#include <algorithm>

namespace siphost::modules::textops {
namespace {

/// <0, 0 or >0 as a is before, equal to or after b over their first n bytes (unsigned bytes).
int compare_bytes(std::string_view a, std::string_view b, size_t n, bool icase) noexcept {
    for (size_t i = 0; i < n; ++i) {
        auto x = static_cast<unsigned char>(icase ? sdk::ascii_lower(a[i]) : a[i]);
        auto y = static_cast<unsigned char>(icase ? sdk::ascii_lower(b[i]) : b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/// Kamailio's codes for an ordering: 1 equal, -2 before, -1 after.
int ordering_code(int order) noexcept {
    return order == 0 ? 1 : order < 0 ? -2 : -1;
}

/// Calls item(trimmed) for each item of list between separators, until it returns true.
template <class F> bool any_item(std::string_view list, char separator, F&& item) noexcept {
    while (true) {
        size_t at = list.find(separator);
        if (item(sdk::trim(list.substr(0, at))))
            return true;
        if (at == std::string_view::npos)
            return false;
        list.remove_prefix(at + 1);
    }
}

} // namespace

int compare_strings(std::string_view a, std::string_view b, bool icase) noexcept {
    int order = compare_bytes(a, b, std::min(a.size(), b.size()), icase);
    if (order == 0 && a.size() != b.size())
        order = a.size() < b.size() ? -1 : 1;
    return ordering_code(order);
}

int starts_with(std::string_view text, std::string_view part) noexcept {
    if (text.size() < part.size())
        return -1;
    return ordering_code(compare_bytes(text, part, part.size(), false));
}

int ends_with(std::string_view text, std::string_view part) noexcept {
    if (text.size() < part.size())
        return -1;
    return ordering_code(compare_bytes(text.substr(text.size() - part.size()), part, part.size(), false));
}

int find_string(std::string_view haystack, std::string_view needle) noexcept {
    if (needle.empty())
        return static_cast<int>(haystack.size()) + 1; // as Kamailio 5.6.3 answers (measured)
    size_t at = haystack.find(needle);
    return at == std::string_view::npos ? -1 : static_cast<int>(at) + 1;
}

int ifind_string(std::string_view haystack, std::string_view needle) noexcept {
    if (needle.empty())
        return 1; // unlike str_find (measured on Kamailio 5.6.3)
    for (size_t at = 0; at + needle.size() <= haystack.size(); ++at)
        if (compare_bytes(haystack.substr(at), needle, needle.size(), true) == 0)
            return static_cast<int>(at) + 1;
    return -1;
}

bool in_list(std::string_view subject, std::string_view list, char separator) noexcept {
    return any_item(list, separator, [subject](std::string_view item) { return item == subject; });
}

bool in_list_prefix(std::string_view subject, std::string_view list, char separator) noexcept {
    return any_item(list, separator, [subject](std::string_view item) {
        return !item.empty() && subject.substr(0, item.size()) == item;
    });
}

} // namespace siphost::modules::textops
