#include "branch.hpp"

#include <cstring>

namespace siphost::modules::tm {
namespace {

constexpr std::string_view marker = "tm";

size_t write_hex(uint32_t value, char* out) noexcept {
    static constexpr char digits[] = "0123456789abcdef";
    char reversed[8];
    size_t n = 0;
    do {
        reversed[n++] = digits[value & 0xf];
        value >>= 4;
    } while (value != 0);
    for (size_t i = 0; i < n; ++i)
        out[i] = reversed[n - 1 - i];
    return n;
}

size_t write_decimal(uint32_t value, char* out) noexcept {
    char reversed[10];
    size_t n = 0;
    do {
        reversed[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (size_t i = 0; i < n; ++i)
        out[i] = reversed[n - 1 - i];
    return n;
}

/// Reads digits of `base` up to `stop` (or the end); false when empty, too long or not a digit.
bool read_number(std::string_view& text, char stop, uint32_t base, uint32_t& out) noexcept {
    size_t end = stop == '\0' ? text.size() : text.find(stop);
    if (end == std::string_view::npos || end == 0 || end > 8 + (base == 10 ? 2 : 0))
        return false;
    uint64_t value = 0;
    for (size_t i = 0; i < end; ++i) {
        char c = text[i];
        uint32_t digit;
        if (c >= '0' && c <= '9')
            digit = static_cast<uint32_t>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = static_cast<uint32_t>(c - 'a' + 10);
        else
            return false;
        value = value * base + digit;
    }
    if (value > UINT32_MAX)
        return false;
    out = static_cast<uint32_t>(value);
    text.remove_prefix(stop == '\0' ? end : end + 1);
    return true;
}

} // namespace

size_t encode_branch(const branch_id& id, char* out) noexcept {
    size_t n = 0;
    std::memcpy(out, branch_cookie.data(), branch_cookie.size());
    n += branch_cookie.size();
    std::memcpy(out + n, marker.data(), marker.size());
    n += marker.size();
    n += write_hex(id.slot, out + n);
    out[n++] = '.';
    n += write_hex(id.label, out + n);
    out[n++] = '.';
    n += write_decimal(id.index, out + n);
    return n;
}

bool decode_branch(std::string_view branch, branch_id& out) noexcept {
    if (!branch.starts_with(branch_cookie))
        return false;
    branch.remove_prefix(branch_cookie.size());
    if (!branch.starts_with(marker))
        return false;
    branch.remove_prefix(marker.size());
    branch_id id;
    if (!read_number(branch, '.', 16, id.slot) || !read_number(branch, '.', 16, id.label) ||
        !read_number(branch, '\0', 10, id.index) || !branch.empty())
        return false;
    out = id;
    return true;
}

} // namespace siphost::modules::tm
