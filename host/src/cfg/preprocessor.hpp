#pragma once

#include <functional>
#include <map>
#include <optional>
#include <regex.h>

#include <memory>
#include <string>
#include <vector>

#include "cfg/diagnostics.hpp"

namespace siphost::cfg {

/// One line of config text after preprocessing, with where each byte came from.
struct source_line {
    std::string text;
    std::uint32_t file = 0;
    std::uint32_t line = 0;
    /// The original column of each byte of text when a define was substituted; empty means byte i is column
    /// i+1.
    std::vector<std::uint32_t> columns;

    source_location location_at(std::size_t offset) const;
};

/// Reads a file's whole text, or nothing when it cannot be read. Replaced by tests and the fuzzer.
using file_reader = std::function<std::optional<std::string>(const std::string& path)>;

/// The default reader: the file system.
std::optional<std::string> read_file_from_disk(const std::string& path);

/// The preprocessor's result: the lines the lexer reads, plus the defines in effect at the end.
struct preprocessed_config {
    std::vector<source_line> lines;
    std::map<std::string, std::string> defines;
};

/// Kamailio's `#!` (or `!!`) preprocessor: defines, conditionals, substitutions and includes. Defined names
/// are replaced in the text as whole identifiers outside strings, comments and pseudo-variables, as Kamailio
/// does; `#!subst` expressions apply to the contents of string literals.
class preprocessor {
public:
    /// How deep `#!include_file` may nest (a loop of includes stops here).
    static constexpr int max_include_depth = 16;
    /// How many files one config may include in all (a file that includes itself twice would grow
    /// exponentially).
    static constexpr int max_included_files = 256;
    /// How deep a define's value may expand other defines.
    static constexpr int max_expansion_depth = 16;

    preprocessor(diagnostics& diags, file_reader reader = read_file_from_disk);

    /// Adds a command-line define, "NAME" or "NAME=VALUE" (siphost -A).
    void define_from_command_line(const std::string& spec);

    /// Preprocesses a config file (and what it includes). Problems go to the diagnostics.
    preprocessed_config run_file(const std::string& path);
    /// Preprocesses config text given in memory under a display name (tests, fuzzing).
    preprocessed_config run_text(const std::string& display_name, std::string text);

private:
    struct condition {
        bool taking;        ///< lines are kept in this branch
        bool parent_taking; ///< lines were kept around the #!ifdef
        bool in_else;
        source_location where;
    };
    struct compiled_pattern {
        regex_t re{};
        compiled_pattern() = default;
        compiled_pattern(const compiled_pattern&) = delete;
        compiled_pattern& operator=(const compiled_pattern&) = delete;
        ~compiled_pattern() { regfree(&re); }
    };
    struct substitution {
        std::shared_ptr<compiled_pattern> pattern; ///< POSIX extended, as Kamailio's
        std::string replacement;                   ///< \0..\9 name the match and its groups
        bool global;
    };
    /// How many #!subst/#!substdef one config may declare.
    static constexpr std::size_t max_substitutions = 64;

    void process_file(std::uint32_t file, const std::string& path, int depth, preprocessed_config& out);
    /// Handles one directive (its continuation lines already joined).
    void directive(std::string_view body, source_location where, const std::string& path, int depth,
                   preprocessed_config& out);
    void include(std::string_view argument, bool required, source_location where, const std::string& path,
                 int depth, preprocessed_config& out);
    bool parse_subst(std::string_view argument, source_location where, std::string* define_name);
    /// Substitutes defines and #!subst on one code line, tracking block comments across lines.
    source_line expand_line(std::string_view text, std::uint32_t file, std::uint32_t line);
    std::string expand_value(std::string_view value, int depth, std::vector<std::string>& active);
    std::string apply_substitutions(std::string_view literal) const;
    bool taking() const { return conditions_.empty() || conditions_.back().taking; }

    diagnostics& diags_;
    file_reader reader_;
    std::map<std::string, std::string> defines_;
    std::vector<substitution> substitutions_;
    std::vector<condition> conditions_;
    bool in_block_comment_ = false;
    int included_files_ = 0;
};

/// Splits "a\\nb" style continuation: true when the line ends with a backslash (after trailing spaces).
bool ends_with_continuation(std::string_view line);

} // namespace siphost::cfg
