#include "address_table.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <stdexcept>

namespace siphost::modules::permissions {

bool ip_address::parse(std::string_view text, ip_address& out) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() > 45)
        return false;
    std::string copy(text);
    ip_address result;
    if (copy.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, copy.c_str(), result.bytes.data()) != 1)
            return false;
        result.family = 4;
    } else {
        if (inet_pton(AF_INET6, copy.c_str(), result.bytes.data()) != 1)
            return false;
        result.family = 6;
    }
    out = result;
    return true;
}

std::string ip_address::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes.data(), text, sizeof text) == nullptr)
        return "";
    return text;
}

ip_address ip_address::masked(unsigned mask) const {
    ip_address result = *this;
    for (unsigned i = 0; i < 16; ++i) {
        unsigned first_bit = i * 8;
        if (first_bit >= mask)
            result.bytes[i] = 0;
        else if (mask - first_bit < 8)
            result.bytes[i] &= static_cast<uint8_t>(0xff << (8 - (mask - first_bit)));
    }
    return result;
}

namespace {

/// Whether text may be a domain name: what is no IP address and not malformed as one.
bool is_domain_name(std::string_view text) {
    bool all_numeric = true;
    for (char c : text) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_')
            return false;
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.')
            all_numeric = false;
    }
    return !text.empty() && !all_numeric; // "300.1.2.3" is a bad address, not a name
}

} // namespace

void address_table::add(uint32_t group, std::string_view address, int64_t mask, int64_t port,
                        std::string_view tag) {
    if (group < 1)
        throw std::invalid_argument("the group must be a positive integer");
    if (port < 0 || port > 65535)
        throw std::invalid_argument("bad port " + std::to_string(port) + " (0 to 65535)");
    address_entry entry;
    entry.group = group;
    entry.address = std::string(address);
    entry.port = static_cast<uint16_t>(port);
    entry.tag = std::string(tag);
    if (ip_address::parse(address, entry.ip)) {
        unsigned bits = entry.ip.bits();
        if (mask < 0 || mask > static_cast<int64_t>(bits))
            throw std::invalid_argument("bad mask " + std::to_string(mask) + " for " + entry.address +
                                        " (0 to " + std::to_string(bits) + ")");
        entry.mask = mask == 0 ? bits : static_cast<unsigned>(mask);
        entry.ip = entry.ip.masked(entry.mask);
        entry.address = entry.ip.to_string();
        (entry.mask == bits ? exact_ : subnets_).push_back(std::move(entry));
        return;
    }
    if (!is_domain_name(address))
        throw std::invalid_argument("bad address \"" + std::string(address) +
                                    "\" (neither an IP address nor a domain name)");
    domains_.push_back(std::move(entry));
}

void address_table::finish() {
    auto by_group = [](const address_entry& a, const address_entry& b) { return a.group < b.group; };
    std::stable_sort(exact_.begin(), exact_.end(), by_group);
    // Within a group the longest prefix answers first, so that its tag is the one reported.
    std::stable_sort(subnets_.begin(), subnets_.end(), [](const address_entry& a, const address_entry& b) {
        return a.group != b.group ? a.group < b.group : a.mask > b.mask;
    });
    std::stable_sort(domains_.begin(), domains_.end(), by_group);
}

std::optional<address_match> address_table::find(uint32_t group, std::string_view address,
                                                 uint16_t port) const {
    auto port_ok = [port](const address_entry& e) { return e.port == 0 || e.port == port; };
    auto group_ok = [group](const address_entry& e) { return group == 0 || e.group == group; };
    ip_address ip;
    if (ip_address::parse(address, ip)) {
        for (const address_entry& e : exact_)
            if (group_ok(e) && port_ok(e) && e.ip == ip)
                return address_match{e.group, &e.tag};
        for (const address_entry& e : subnets_)
            if (group_ok(e) && port_ok(e) && e.ip.family == ip.family && ip.masked(e.mask) == e.ip)
                return address_match{e.group, &e.tag};
        return std::nullopt;
    }
    // No DNS lookup: a name matches a domain record written the same way (case aside).
    for (const address_entry& e : domains_) {
        if (!group_ok(e) || !port_ok(e) || e.address.size() != address.size())
            continue;
        if (std::equal(address.begin(), address.end(), e.address.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            }))
            return address_match{e.group, &e.tag};
    }
    return std::nullopt;
}

std::optional<address_match> address_table::match(uint32_t group, std::string_view address,
                                                  uint16_t port) const {
    if (group == 0)
        return std::nullopt;
    return find(group, address, port);
}

std::optional<address_match> address_table::match_any(std::string_view address, uint16_t port) const {
    return find(0, address, port);
}

namespace {

bool parse_int(std::string_view text, int64_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

address_table load_address_file(const std::string& path, size_t max_subnets) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot open address file " + path);
    address_table table;
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        auto fail = [&](const std::string& why) {
            throw std::runtime_error("address file " + path + " line " + std::to_string(number) + ": " + why);
        };
        if (size_t hash = line.find('#'); hash != std::string::npos)
            line.erase(hash);
        std::vector<std::string_view> tokens;
        std::string_view rest(line);
        while (!rest.empty()) {
            size_t start = rest.find_first_not_of(" \t\r");
            if (start == std::string_view::npos)
                break;
            rest.remove_prefix(start);
            size_t end = std::min(rest.find_first_of(" \t\r"), rest.size());
            tokens.push_back(rest.substr(0, end));
            rest.remove_prefix(end);
        }
        if (tokens.empty())
            continue;
        if (tokens.size() < 2 || tokens.size() > 5)
            fail("expected \"group address [mask [port [tag]]]\", got " + std::to_string(tokens.size()) +
                 " fields");
        int64_t group = 0, mask = 0, port = 0;
        if (!parse_int(tokens[0], group) || group < 1 || group > UINT32_MAX)
            fail("bad group \"" + std::string(tokens[0]) + "\" (a positive integer)");
        if (tokens.size() > 2 && !parse_int(tokens[2], mask))
            fail("bad mask \"" + std::string(tokens[2]) + "\" (an integer)");
        if (tokens.size() > 3 && !parse_int(tokens[3], port))
            fail("bad port \"" + std::string(tokens[3]) + "\" (an integer)");
        try {
            table.add(static_cast<uint32_t>(group), tokens[1], mask, port,
                      tokens.size() > 4 ? tokens[4] : "");
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
        if (table.subnets().size() > max_subnets)
            fail("more subnets than max_subnets (" + std::to_string(max_subnets) + ")");
    }
    if (in.bad())
        throw std::runtime_error("cannot read address file " + path);
    table.finish();
    return table;
}

} // namespace siphost::modules::permissions
