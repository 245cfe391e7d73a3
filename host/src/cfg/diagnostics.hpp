#pragma once

#include <string>
#include <vector>

#include "cfg/source_location.hpp"
#include "cfg/source_manager.hpp"

namespace siphost::cfg {

enum class severity { warning, error };

/// One finding about the config: where, what, and optionally how to fix it.
struct diagnostic {
    severity level = severity::error;
    source_location where;
    std::string message;
    std::string hint; ///< empty when there is nothing useful to add
};

/// Collects every diagnostic of one config load and prints them as a compiler does.
class diagnostics {
public:
    /// Stop collecting errors after this many (the rest would be noise caused by the first ones).
    static constexpr std::size_t max_errors = 200;

    void error(source_location where, std::string message, std::string hint = {});
    void warning(source_location where, std::string message, std::string hint = {});

    const std::vector<diagnostic>& all() const { return items_; }
    std::size_t error_count() const { return errors_; }
    std::size_t warning_count() const { return items_.size() - errors_; }
    bool has_errors() const { return errors_ != 0; }

    /// Sorts by file order, line and column (findings of later passes are interleaved with the parser's).
    void sort();

    /// The source text of every file, for printing lines; filled by the preprocessor.
    source_manager& sources() { return sources_; }
    const source_manager& sources() const { return sources_; }

    /// "file:line:col: error: message", the source line, a caret under the column, and "hint: ..." lines.
    std::string format(const diagnostic& d) const;
    /// Every diagnostic formatted, in order.
    std::string format_all() const;

private:
    std::vector<diagnostic> items_;
    std::size_t errors_ = 0;
    source_manager sources_;
};

/// The Levenshtein distance between two names, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The length of the valid UTF-8 sequence at text[i], or 0 when the bytes there are not one.
std::size_t utf8_length(std::string_view text, std::size_t i);

/// text with bytes that are not valid UTF-8 (and control characters but tab) written as \xNN escapes.
std::string printable(std::string_view text);

/// The candidate nearest to name when it is close enough to be a plausible typo, else "".
std::string nearest_name(std::string_view name, const std::vector<std::string>& candidates);

} // namespace siphost::cfg
