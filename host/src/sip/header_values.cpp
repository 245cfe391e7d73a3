#include "sip/header_values.hpp"

#include "sip/chars.hpp"
#include "sip/header_params.hpp"

namespace siphost::sip {

using namespace chars;

bool parse_cseq(std::string_view value, cseq_value& out) {
    std::size_t pos = skip_lws(value, 0);
    std::size_t digits = span_of(value, pos, k_digit);
    uint64_t number = 0;
    if (!parse_uint(value.substr(pos, digits), 0xffffffffu, number))
        return false;
    pos += digits;
    std::size_t method_start = skip_lws(value, pos);
    if (method_start == pos)
        return false;
    std::size_t n = span_of(value, method_start, k_token);
    if (n == 0 || skip_lws(value, method_start + n) != value.size())
        return false;
    out.number = static_cast<uint32_t>(number);
    out.method = value.substr(method_start, n);
    return true;
}

bool parse_call_id(std::string_view value) {
    // One pass: word chars with at most one '@' that has a word on each side.
    std::string_view v = trim(value);
    std::size_t local = span_of(v, 0, k_word);
    if (local == 0)
        return false;
    if (local == v.size())
        return true;
    if (v[local] != '@')
        return false;
    std::size_t host = span_of(v, local + 1, k_word);
    return host > 0 && local + 1 + host == v.size();
}

bool parse_number(std::string_view value, uint64_t max, uint64_t& out) {
    return parse_uint(trim(value), max, out);
}

bool parse_delta_seconds(std::string_view value, uint32_t& out) {
    std::string_view v = trim(value);
    if (!all_of(v, k_digit))
        return false;
    uint64_t n = 0;
    out = parse_uint(v, 0xffffffffu, n) ? static_cast<uint32_t>(n) : 0xffffffffu;
    return true;
}

bool parse_media_type(std::string_view value, media_type& out) {
    std::size_t pos = skip_lws(value, 0);
    std::size_t n = span_of(value, pos, k_token);
    if (n == 0)
        return false;
    out.type = value.substr(pos, n);
    pos = skip_lws(value, pos + n);
    if (pos >= value.size() || value[pos] != '/')
        return false;
    pos = skip_lws(value, pos + 1);
    n = span_of(value, pos, k_token);
    if (n == 0)
        return false;
    out.subtype = value.substr(pos, n);
    pos = skip_lws(value, pos + n);
    std::size_t params_start = pos;
    if (!read_header_params(value, pos, false, [](const header_param&) {}))
        return false;
    out.params = trim(value.substr(params_start));
    return true;
}

bool next_list_token(std::string_view s, std::size_t& pos, std::string_view& token) {
    pos = skip_lws(s, pos);
    std::size_t n = span_of(s, pos, k_token);
    if (n == 0)
        return false;
    token = s.substr(pos, n);
    pos = skip_lws(s, pos + n);
    if (pos < s.size()) {
        if (s[pos] != ',')
            return false;
        ++pos;
        if (skip_lws(s, pos) == s.size())
            return false;
    }
    return true;
}

} // namespace siphost::sip
