#include "value_scanner.hpp"

namespace siphost::modules::textopsx {
namespace {

bool is_lws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

text_span trimmed(std::string_view text, size_t begin, size_t end) {
    while (begin < end && is_lws(text[begin]))
        ++begin;
    while (end > begin && is_lws(text[end - 1]))
        --end;
    return {begin, end};
}

/// Calls f(position) for every sep outside quotes and < >.
template <class F> void for_each_separator(std::string_view text, char sep, F&& f) {
    bool in_quotes = false, in_angle = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_quotes) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_quotes = false;
            continue;
        }
        if (c == '"')
            in_quotes = true;
        else if (c == '<')
            in_angle = true;
        else if (c == '>')
            in_angle = false;
        else if (c == sep && !in_angle && !f(i))
            return;
    }
}

param_span make_param(std::string_view text, text_span whole) {
    std::string_view piece = whole.in(text);
    size_t equals = piece.find('=');
    text_span name = trimmed(piece, 0, equals == std::string_view::npos ? piece.size() : equals);
    return {whole, name.in(piece)};
}

} // namespace

std::vector<text_span> split_outside(std::string_view text, char sep) {
    std::vector<text_span> out;
    size_t start = 0;
    auto take = [&](size_t end) {
        text_span piece = trimmed(text, start, end);
        if (piece.end > piece.begin)
            out.push_back(piece);
        start = end + 1;
        return true;
    };
    for_each_separator(text, sep, take);
    take(text.size());
    return out;
}

size_t find_outside(std::string_view text, char sep) {
    size_t found = text.size();
    for_each_separator(text, sep, [&](size_t i) {
        found = i;
        return false;
    });
    return found;
}

semicolon_params scan_semicolon_params(std::string_view value) {
    semicolon_params out;
    size_t first = find_outside(value, ';');
    out.main = trimmed(value, 0, first);
    if (first == value.size())
        return out;
    for (text_span piece : split_outside(value.substr(first + 1), ';')) {
        piece.begin += first + 1;
        piece.end += first + 1;
        out.params.push_back(make_param(value, piece));
    }
    return out;
}

std::vector<param_span> scan_comma_params(std::string_view value) {
    std::vector<param_span> out;
    for (text_span piece : split_outside(value, ',')) {
        if (out.empty()) {
            // "Digest username=..." : a token followed by white space before any '=' is the scheme.
            std::string_view text = piece.in(value);
            size_t space = text.find_first_of(" \t");
            size_t equals = text.find('=');
            size_t after = space == std::string_view::npos ? space : text.find_first_not_of(" \t", space);
            bool scheme = space != std::string_view::npos &&
                          (equals == std::string_view::npos || space < equals) &&
                          (after == std::string_view::npos || text[after] != '='); // not "name = value"
            if (scheme) {
                text_span rest = trimmed(value, piece.begin + space, piece.end);
                if (rest.end == rest.begin)
                    continue; // a scheme alone has no parameter
                piece = rest;
            }
        }
        out.push_back(make_param(value, piece));
    }
    return out;
}

std::vector<text_span> removal_ranges(const std::vector<text_span>& pieces, const std::vector<bool>& remove) {
    std::vector<text_span> out;
    size_t n = pieces.size();
    for (size_t i = 0; i < n;) {
        if (!remove[i]) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && remove[j + 1])
            ++j;
        if (j + 1 < n)
            out.push_back({pieces[i].begin, pieces[j + 1].begin}); // up to the next kept piece
        else if (i > 0)
            out.push_back({pieces[i - 1].end, pieces[j].end}); // a run at the end: from the last kept piece
        else
            out.push_back({pieces[0].begin, pieces[j].end}); // every piece: the caller's choice to allow it
        i = j + 1;
    }
    return out;
}

} // namespace siphost::modules::textopsx
