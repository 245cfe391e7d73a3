#include "sip/contact.hpp"

#include "sip/header_params.hpp"

#include <limits>

namespace siphost::sip {
namespace {

std::string_view trim(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    return v;
}

bool parse_decimal(std::string_view text, uint64_t max, uint64_t& out) {
    if (text.empty() || text.size() > 20)
        return false;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + static_cast<uint64_t>(c - '0');
        if (value > max)
            value = max; // a huge Expires means "as long as allowed": the registrar caps it
    }
    out = value;
    return true;
}

} // namespace

int32_t parse_qvalue(std::string_view text) {
    if (text.empty() || (text[0] != '0' && text[0] != '1'))
        return -1;
    int32_t whole = text[0] - '0';
    if (text.size() == 1)
        return whole * 1000;
    if (text[1] != '.' || text.size() > 5)
        return -1;
    int32_t fraction = 0;
    int32_t scale = 100;
    for (char c : text.substr(2)) {
        if (c < '0' || c > '9')
            return -1;
        fraction += (c - '0') * scale;
        scale /= 10;
    }
    if (whole == 1 && fraction != 0)
        return -1;
    return whole * 1000 + fraction;
}

contact_list_kind parse_contacts(std::string_view value, std::vector<contact>& out) {
    value = trim(value);
    if (value == "*")
        return contact_list_kind::star;
    bool ok = true;
    bool star = false;
    bool parsed = parse_name_addr_values(value, true, [&](name_addr& a) {
        if (a.wildcard) {
            star = true;
            return;
        }
        contact c;
        c.address = a;
        if (auto expires = find_header_param(a.params, "expires")) {
            uint64_t seconds = 0;
            if (!parse_decimal(trim(*expires), std::numeric_limits<uint32_t>::max(), seconds))
                ok = false;
            c.expires = static_cast<int64_t>(seconds);
        }
        if (auto q = find_header_param(a.params, "q")) {
            c.q = parse_qvalue(trim(*q));
            if (c.q < 0)
                ok = false;
        }
        if (auto reg_id = find_header_param(a.params, "reg-id")) {
            uint64_t id = 0;
            if (!parse_decimal(trim(*reg_id), std::numeric_limits<uint32_t>::max(), id) || id == 0)
                ok = false;
            c.reg_id = static_cast<uint32_t>(id);
        }
        if (auto instance = find_header_param(a.params, "+sip.instance")) {
            std::string_view text = trim(*instance);
            if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
                text = text.substr(1, text.size() - 2);
            if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
                text = text.substr(1, text.size() - 2);
            c.instance = text;
        }
        out.push_back(c);
    });
    // "*" is only allowed alone (RFC 3261 10.2.2).
    if (!parsed || !ok || star)
        return contact_list_kind::malformed;
    return contact_list_kind::list;
}

} // namespace siphost::sip
