#pragma once
// "Did you mean ...?" for names in diagnostics.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::core {

/// Edit distance (insertions, deletions, substitutions, adjacent transpositions), case-sensitive.
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `name`, when it is near enough to be a plausible typo (distance at most a third of
/// the name's length, and at least 1 allowed); ties go to the first candidate.
std::optional<std::string> nearest_name(std::string_view name, const std::vector<std::string_view>& candidates);

} // namespace siphost::core
