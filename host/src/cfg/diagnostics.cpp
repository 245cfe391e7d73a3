#include "cfg/diagnostics.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace siphost::cfg {

void diagnostics::error(source_location where, std::string message, std::string hint) {
    if (errors_ >= max_errors)
        return;
    items_.push_back({severity::error, where, std::move(message), std::move(hint)});
    ++errors_;
}

void diagnostics::warning(source_location where, std::string message, std::string hint) {
    if (items_.size() >= 4 * max_errors)
        return;
    items_.push_back({severity::warning, where, std::move(message), std::move(hint)});
}

void diagnostics::sort() {
    std::stable_sort(items_.begin(), items_.end(), [](const diagnostic& a, const diagnostic& b) {
        if (a.where.file != b.where.file)
            return a.where.file < b.where.file;
        if (a.where.line != b.where.line)
            return a.where.line < b.where.line;
        return a.where.column < b.where.column;
    });
}

std::string diagnostics::format(const diagnostic& d) const {
    std::string out;
    const std::string& name = sources_.file_name(d.where.file);
    out += name.empty() ? std::string("<config>") : name;
    if (d.where.line != 0) {
        out += ':' + std::to_string(d.where.line);
        if (d.where.column != 0)
            out += ':' + std::to_string(d.where.column);
    }
    out += d.level == severity::error ? ": error: " : ": warning: ";
    out += d.message;
    out += '\n';
    std::string_view line = sources_.line_text(d.where.file, d.where.line);
    if (!line.empty()) {
        std::string number = std::to_string(d.where.line);
        out += ' ' + number + " | ";
        out += line;
        out += '\n';
        out += ' ' + std::string(number.size(), ' ') + " | ";
        // Keep tabs so that the caret lines up under the same character in a terminal.
        for (std::uint32_t i = 1; i < d.where.column && i - 1 < line.size(); ++i)
            out += line[i - 1] == '\t' ? '\t' : ' ';
        out += "^\n";
    }
    if (!d.hint.empty())
        out += "  hint: " + d.hint + '\n';
    return out;
}

std::string diagnostics::format_all() const {
    std::string out;
    for (const auto& d : items_)
        out += format(d);
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string nearest_name(std::string_view name, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(1, std::min<std::size_t>(3, name.size() / 3));
    best_distance += 1;
    for (const auto& candidate : candidates) {
        if (candidate == name)
            continue;
        std::size_t d = edit_distance(name, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

} // namespace siphost::cfg
