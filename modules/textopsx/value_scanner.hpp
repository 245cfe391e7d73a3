#pragma once
// Where the pieces of a header value lie, as offsets, so that one of them can be replaced or removed in
// place: the comma-separated values of a line ("Supported: path, 100rel"), the ';' parameters of one value
// ("<sip:a@b>;tag=x;lr") and the ',' parameters of an Authorization-style value ("Digest realm="r", nc=1").
// Separators inside double quotes (with \-escapes) and inside < > do not count. This finds boundaries only;
// what a URI or a name-addr means is the host's SIP toolkit's business.

#include <cstddef>
#include <string_view>
#include <vector>

namespace siphost::modules::textopsx {

/// [begin, end) in the text that was scanned, without the white space around it.
struct text_span {
    size_t begin = 0;
    size_t end = 0;
    std::string_view in(std::string_view text) const { return text.substr(begin, end - begin); }
};

/// The pieces of text between separators sep, trimmed; empty pieces are skipped.
std::vector<text_span> split_outside(std::string_view text, char sep);

/// The position of the first sep outside quotes and < >, or text.size().
size_t find_outside(std::string_view text, char sep);

/// One parameter: the whole "name=value" (or "name") and its name.
struct param_span {
    text_span whole;
    std::string_view name;
};

/// The ';' parameters of one value: `main` is what comes before the first ';' (trimmed).
struct semicolon_params {
    text_span main;
    std::vector<param_span> params;
};
semicolon_params scan_semicolon_params(std::string_view value);

/// The ',' parameters of an Authorization-style value; a leading scheme token ("Digest ") is not part of the
/// first parameter.
std::vector<param_span> scan_comma_params(std::string_view value);

/// The ranges to delete so that the marked pieces of a list go with their separators and the others stay
/// ("a, b, c" without b is "a, c"; without c it is "a, b"). Pieces are in order; at least one is kept.
std::vector<text_span> removal_ranges(const std::vector<text_span>& pieces, const std::vector<bool>& remove);

} // namespace siphost::modules::textopsx
