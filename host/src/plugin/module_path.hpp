#pragma once
// Where a `loadmodule` name is looked for, as Kamailio does it:
//   absolute path            as is
//   relative path with '/'   as given, then under each search directory
//   bare name ("tm", "tm.so") <dir>/tm.so, then <dir>/tm/tm.so, for each directory in order
// ".so" is added when missing. The search directories come from mpath=/loadpath= (colon-separated), which
// -L on the command line overrides.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::plugin {

/// Splits "a:b:c" into directories, dropping empty entries.
std::vector<std::filesystem::path> split_search_path(std::string_view colon_separated);

/// Every path to try for `name`, in order.
std::vector<std::filesystem::path> candidate_paths(std::string_view name,
                                                   const std::vector<std::filesystem::path>& search_dirs);

} // namespace siphost::plugin
