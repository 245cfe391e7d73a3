#include "table_spec.hpp"

#include <siphost/module.hpp>

#include <stdexcept>

namespace siphost::modules::htable {
namespace {

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

int64_t parse_number(std::string_view table, std::string_view attr, std::string_view value) {
    siphost_value v = sdk::str_value(value);
    int64_t n = 0;
    if (!sdk::arg_int(v, n))
        throw std::invalid_argument("hash table " + quoted(table) + ": " + std::string(attr) +
                                    " must be a number, not " + quoted(value));
    return n;
}

/// Strips one pair of matching quotes ('...' or "..."), as the SIP parameter value of cols is written.
std::string_view unquote(std::string_view value) {
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front())
        return value.substr(1, value.size() - 2);
    return value;
}

/// The attributes, split at ';' outside quotes.
std::vector<std::string_view> split_attributes(std::string_view text) {
    std::vector<std::string_view> out;
    char quote = 0;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        char c = i < text.size() ? text[i] : ';';
        if (quote != 0) {
            if (c == quote)
                quote = 0;
            else if (i == text.size())
                throw std::invalid_argument("unterminated quote in " + quoted(text));
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == ';') {
            std::string_view piece = sdk::trim(text.substr(start, i - start));
            if (!piece.empty())
                out.push_back(piece);
            start = i + 1;
        }
    }
    return out;
}

} // namespace

table_spec parse_table_spec(std::string_view text) {
    table_spec spec;
    size_t arrow = text.find("=>");
    if (arrow == std::string_view::npos)
        throw std::invalid_argument("hash table definition " + quoted(text) +
                                    " has no \"=>\": write name=>size=8;autoexpire=300");
    spec.name = std::string(sdk::trim(text.substr(0, arrow)));
    if (spec.name.empty())
        throw std::invalid_argument("hash table definition " + quoted(text) + " has no name before \"=>\"");
    for (char c : spec.name)
        if (c == ' ' || c == '\t' || c == ';' || c == '=' || c == '$' || c == '(' || c == ')')
            throw std::invalid_argument("hash table name " + quoted(spec.name) + " may not contain '" +
                                        std::string(1, c) + "'");
    for (std::string_view attr : split_attributes(text.substr(arrow + 2))) {
        size_t eq = attr.find('=');
        if (eq == std::string_view::npos)
            throw std::invalid_argument("hash table " + quoted(spec.name) + ": attribute " + quoted(attr) +
                                        " has no value (write name=value)");
        std::string key(sdk::trim(attr.substr(0, eq)));
        std::string_view value = sdk::trim(attr.substr(eq + 1));
        for (char& c : key)
            c = sdk::ascii_lower(c);
        if (key == "size") {
            // Kamailio's rule: 2^size slots, from 2^3 up to 2^14.
            int64_t n = parse_number(spec.name, key, value);
            spec.size_bits = n < 2 ? 3 : n > 14 ? 14 : static_cast<uint32_t>(n);
        } else if (key == "autoexpire") {
            spec.autoexpire = parse_number(spec.name, key, value);
            if (spec.autoexpire < 0)
                throw std::invalid_argument("hash table " + quoted(spec.name) +
                                            ": autoexpire must not be negative");
        } else if (key == "initval") {
            spec.initval = parse_number(spec.name, key, value);
            spec.has_initval = true;
        } else if (key == "updateexpire") {
            spec.updateexpire = parse_number(spec.name, key, value) != 0;
        } else if (key == "dbtable") {
            spec.dbtable = std::string(unquote(value));
        } else if (key == "dbmode") {
            int64_t n = parse_number(spec.name, key, value);
            if (n != 0 && n != 1)
                throw std::invalid_argument("hash table " + quoted(spec.name) + ": dbmode is 0 or 1, not " +
                                            quoted(value));
            spec.dbmode = static_cast<int>(n);
        } else if (key == "cols") {
            std::string_view list = unquote(value);
            size_t start = 0;
            while (start <= list.size()) {
                size_t comma = list.find(',', start);
                if (comma == std::string_view::npos)
                    comma = list.size();
                std::string_view col = sdk::trim(list.substr(start, comma - start));
                if (col.empty())
                    throw std::invalid_argument("hash table " + quoted(spec.name) +
                                                ": cols has an empty column name in " + quoted(value));
                spec.cols.emplace_back(col);
                start = comma + 1;
            }
            if (spec.cols.size() < 2)
                throw std::invalid_argument("hash table " + quoted(spec.name) +
                                            ": cols needs the key column and at least one value column");
        } else if (key == "dmqreplicate") {
            if (parse_number(spec.name, key, value) != 0)
                throw std::invalid_argument("hash table " + quoted(spec.name) +
                                            ": dmqreplicate=1 needs the dmq module, which siphost does not "
                                            "have; remove it (tables are not replicated)");
        } else {
            throw std::invalid_argument("hash table " + quoted(spec.name) + ": unknown attribute " +
                                        quoted(key) +
                                        " (known: size, autoexpire, initval, updateexpire, dbtable, dbmode, "
                                        "cols, dmqreplicate)");
        }
    }
    if (spec.dbmode == 1 && spec.dbtable.empty())
        throw std::invalid_argument("hash table " + quoted(spec.name) + ": dbmode=1 needs a dbtable");
    if (!spec.cols.empty() && spec.dbtable.empty())
        throw std::invalid_argument("hash table " + quoted(spec.name) + ": cols needs a dbtable");
    if (!spec.cols.empty() && spec.dbmode == 1)
        spec.warnings.push_back("hash table \"" + spec.name +
                                "\": dbmode=1 is ignored with cols (Kamailio writes no table back then)");
    return spec;
}

} // namespace siphost::modules::htable
