#include "credential_columns.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::auth_db {
namespace {

bool is_identifier(std::string_view text) {
    if (text.empty())
        return false;
    for (char c : text)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

/// "$avp(s:name)" -> "name", "$avp(i:7)" -> "i:7" (integer names live apart, as in the script).
std::string avp_name(std::string_view spec) {
    constexpr std::string_view open = "$avp(";
    if (spec.size() <= open.size() + 1 || spec.substr(0, open.size()) != open || spec.back() != ')')
        throw sdk::config_error("load_credentials: \"" + std::string(spec) + "\" is not an $avp(name)");
    std::string_view inner = spec.substr(open.size(), spec.size() - open.size() - 1);
    if (inner.substr(0, 2) == "s:")
        inner.remove_prefix(2);
    else if (inner.substr(0, 2) == "i:") {
        uint64_t number = 0;
        if (!sdk::parse_uint(inner.substr(2), number))
            throw sdk::config_error("load_credentials: bad integer AVP name in \"" + std::string(spec) +
                                    "\"");
        return std::string(inner);
    }
    if (!is_identifier(inner))
        throw sdk::config_error("load_credentials: bad AVP name in \"" + std::string(spec) + "\"");
    return std::string(inner);
}

} // namespace

std::vector<credential_column> parse_credential_columns(std::string_view text) {
    std::vector<credential_column> out;
    while (!sdk::trim(text).empty()) {
        size_t semicolon = text.find(';');
        std::string_view item = sdk::trim(text.substr(0, semicolon));
        text = semicolon == std::string_view::npos ? std::string_view() : text.substr(semicolon + 1);
        if (item.empty())
            continue;
        credential_column c;
        size_t eq = item.find('=');
        if (eq == std::string_view::npos) {
            c.column = std::string(item);
            c.avp = c.column;
        } else {
            c.avp = avp_name(sdk::trim(item.substr(0, eq)));
            c.column = std::string(sdk::trim(item.substr(eq + 1)));
        }
        if (!is_identifier(c.column))
            throw sdk::config_error("load_credentials: bad column name \"" + c.column + "\"");
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace siphost::modules::auth_db
