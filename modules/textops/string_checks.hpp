#pragma once
// The string tests of textops (cmp_str, cmp_istr, starts_with, ends_with, str_find, str_ifind, in_list,
// in_list_prefix) on their own: what each returns to the script for two strings, as Kamailio 5.6.3 returns
// it (measured; docs/textops.md lists the codes).

#include <string_view>

namespace siphost::modules::textops {

/// cmp_str (icase false) and cmp_istr (icase true): 1 when equal, -2 when a sorts before b, -1 when after
/// (bytewise, a shorter string before a longer one it begins; cmp_istr compares lower-cased bytes).
int compare_strings(std::string_view a, std::string_view b, bool icase) noexcept;

/// starts_with and ends_with: 1 when text begins (ends) with part; -1 when text is shorter than part; else
/// the comparison of that part of text with part: -1 when it sorts after part, -2 when before.
int starts_with(std::string_view text, std::string_view part) noexcept;
int ends_with(std::string_view text, std::string_view part) noexcept;

/// str_find: the 1-based position of the first occurrence of needle in haystack, -1 when there is none. An
/// empty needle gives the haystack's length plus one.
int find_string(std::string_view haystack, std::string_view needle) noexcept;
/// str_ifind: the same without regard to ASCII case, except that an empty needle gives 1.
int ifind_string(std::string_view haystack, std::string_view needle) noexcept;

/// in_list: the subject equals one of the list's items (split at separator, each trimmed of white space).
bool in_list(std::string_view subject, std::string_view list, char separator) noexcept;
/// in_list_prefix: one of the list's non-empty items (trimmed) begins the subject.
bool in_list_prefix(std::string_view subject, std::string_view list, char separator) noexcept;

} // namespace siphost::modules::textops
