#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cfg/source_location.hpp"

namespace siphost::cfg {

/// Keeps the text of every file read for a config, so that diagnostics can show the original source line.
class source_manager {
public:
    source_manager();

    /// Registers a file's text and returns its index (never 0).
    std::uint32_t add_file(std::string name, std::string text);

    /// The file's name as given (the path used to open it), or "" for index 0 / unknown.
    const std::string& file_name(std::uint32_t file) const;
    /// The whole text of a file.
    const std::string& file_text(std::uint32_t file) const;
    /// One line (1-based) of a file without its line end, or "" when out of range.
    std::string_view line_text(std::uint32_t file, std::uint32_t line) const;
    /// How many files were registered.
    std::size_t file_count() const { return files_.size() - 1; }

private:
    struct file_entry {
        std::string name;
        std::string text;
        std::vector<std::size_t> line_starts;
    };
    std::vector<file_entry> files_;
};

} // namespace siphost::cfg
