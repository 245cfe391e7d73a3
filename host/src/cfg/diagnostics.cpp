#include "cfg/diagnostics.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace siphost::cfg {

std::size_t utf8_length(std::string_view text, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    if (c < 0x80)
        return 1;
    std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > text.size())
        return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((byte(i + k) & 0xC0) != 0x80)
            return 0;
    // Overlong three- and four-byte forms, surrogates and code points past U+10FFFF.
    if ((c == 0xE0 && byte(i + 1) < 0xA0) || (c == 0xED && byte(i + 1) > 0x9F) ||
        (c == 0xF0 && byte(i + 1) < 0x90) || (c == 0xF4 && byte(i + 1) > 0x8F))
        return 0;
    return n;
}

std::string printable(std::string_view text) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        std::size_t n = utf8_length(text, i);
        if (n == 0 || (c < 0x20 && c != '\t') || c == 0x7F) {
            // Bytes a terminal cannot show as they are: written as \xNN so that the message stays readable.
            out += "\\x";
            out += digits[c >> 4];
            out += digits[c & 0xF];
            ++i;
            continue;
        }
        out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

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
    out += printable(d.message);
    out += '\n';
    std::string_view line = sources_.line_text(d.where.file, d.where.line);
    if (!line.empty()) {
        std::string number = std::to_string(d.where.line);
        out += ' ' + number + " | ";
        out += printable(line);
        out += '\n';
        out += ' ' + std::string(number.size(), ' ') + " | ";
        // The caret goes under the same character: tabs are kept, every other shown character is one space.
        std::string_view before =
            line.substr(0, std::min<std::size_t>(d.where.column ? d.where.column - 1 : 0, line.size()));
        std::string shown = printable(before);
        for (std::size_t i = 0; i < shown.size();) {
            std::size_t n = utf8_length(shown, i);
            out += shown[i] == '\t' ? '\t' : ' ';
            i += n == 0 ? 1 : n;
        }
        out += "^\n";
    }
    if (!d.hint.empty())
        out += "  hint: " + printable(d.hint) + '\n';
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
