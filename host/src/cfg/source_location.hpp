#pragma once

#include <cstdint>

namespace siphost::cfg {

/// A place in an original config file (before preprocessing), as the user wrote it.
struct source_location {
    std::uint32_t file = 0;   ///< index into source_manager's files; 0 is "no file"
    std::uint32_t line = 0;   ///< 1-based; 0 means unknown
    std::uint32_t column = 0; ///< 1-based byte column
};

} // namespace siphost::cfg
