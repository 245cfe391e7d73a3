#include "pv_token.hpp"

namespace siphost::modules::acc {
namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// The position just past the bracket that closes the one at text[at] (open, close), nesting counted; 0
/// when it is not closed.
size_t skip_group(std::string_view text, size_t at, char open, char close) {
    int depth = 0;
    for (size_t i = at; i < text.size(); ++i) {
        if (text[i] == open)
            ++depth;
        else if (text[i] == close && --depth == 0)
            return i + 1;
    }
    return 0;
}

} // namespace

size_t pv_token_length(std::string_view text) {
    if (text.size() < 2 || text[0] != '$')
        return 0;
    if (text[1] == '(') // $(name(inner)[index]{transformations})
        return skip_group(text, 1, '(', ')');
    size_t end = 1;
    while (end < text.size() && is_name_char(text[end]))
        ++end;
    if (end == 1)
        return 0;
    if (end < text.size() && text[end] == '(') {
        end = skip_group(text, end, '(', ')');
        if (end == 0)
            return 0;
    }
    if (end < text.size() && text[end] == '[') {
        end = skip_group(text, end, '[', ']');
        if (end == 0)
            return 0;
    }
    return end;
}

} // namespace siphost::modules::acc
