#include "destination_list.hpp"

#include <siphost/module.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <optional>
#include <sstream>

namespace siphost::modules::dispatcher {
namespace {

std::string line_error(std::string_view file, size_t line, std::string_view what) {
    return std::string(file) + " line " + std::to_string(line) + ": " + std::string(what);
}

/// Splits on spaces and tabs; the attrs column is whatever follows the priority.
std::vector<std::string_view> split_fields(std::string_view line, size_t max) {
    std::vector<std::string_view> out;
    while (true) {
        line = sdk::trim(line);
        if (line.empty())
            break;
        if (out.size() + 1 == max) {
            out.push_back(line);
            break;
        }
        size_t end = line.find_first_of(" \t");
        out.push_back(line.substr(0, end));
        if (end == std::string_view::npos)
            break;
        line.remove_prefix(end);
    }
    return out;
}

bool parse_int(std::string_view text, int64_t& out) {
    return sdk::arg_int(sdk::str_value(text), out);
}

/// The value of key in "k1=v1;k2=v2" attrs, if present.
bool attr_int(std::string_view attrs, std::string_view key, int32_t& out) {
    while (!attrs.empty()) {
        size_t semi = attrs.find(';');
        std::string_view pair = attrs.substr(0, semi);
        size_t eq = pair.find('=');
        if (eq != std::string_view::npos && sdk::trim(pair.substr(0, eq)) == key) {
            int64_t value = 0;
            if (!parse_int(pair.substr(eq + 1), value) || value < 0 || value > 100)
                return false;
            out = static_cast<int32_t>(value);
            return true;
        }
        if (semi == std::string_view::npos)
            break;
        attrs.remove_prefix(semi + 1);
    }
    return true;
}

/// The value of key in "a=1;duid=x", or nullopt.
std::optional<std::string_view> attr_text(std::string_view attrs, std::string_view key) {
    while (!attrs.empty()) {
        size_t semi = attrs.find(';');
        std::string_view pair = attrs.substr(0, semi);
        size_t eq = pair.find('=');
        if (eq != std::string_view::npos && sdk::trim(pair.substr(0, eq)) == key)
            return sdk::trim(pair.substr(eq + 1));
        if (semi == std::string_view::npos)
            break;
        attrs.remove_prefix(semi + 1);
    }
    return std::nullopt;
}

/// An IP literal's address for ds_is_from_list; a host name is left to be resolved when matched (family 0),
/// since the host may not have its sockets yet while the list loads.
void literal_address(const siphost_uri& uri, siphost_dest& out) {
    std::string host(sdk::view(uri.host));
    if (inet_pton(AF_INET, host.c_str(), out.ip) == 1)
        out.family = 4;
    else if (inet_pton(AF_INET6, host.c_str(), out.ip) == 1)
        out.family = 6;
    else
        return;
    std::string_view transport = sdk::view(uri.transport);
    out.proto = sdk::iequals(transport, "tcp")    ? SIPHOST_PROTO_TCP
                : sdk::iequals(transport, "tls")  ? SIPHOST_PROTO_TLS
                : sdk::iequals(transport, "sctp") ? SIPHOST_PROTO_SCTP
                : sdk::iequals(transport, "ws")   ? SIPHOST_PROTO_WS
                : sdk::iequals(transport, "wss")  ? SIPHOST_PROTO_WSS
                : uri.scheme == SIPHOST_URI_SIPS  ? SIPHOST_PROTO_TLS
                                                  : SIPHOST_PROTO_UDP;
    out.port = uri.port != 0 ? uri.port : (out.proto == SIPHOST_PROTO_TLS ? 5061 : 5060);
}

} // namespace

const destination_set* destination_sets::find(int32_t id) const {
    for (const auto& set : sets)
        if (set->id == id)
            return set.get();
    return nullptr;
}

void add_destination(const siphost_host_api* host, destination_sets& sets, int64_t setid,
                     std::string_view uri_text, int64_t flags, int64_t priority, std::string_view attrs,
                     const std::string& where) {
    auto fail = [&](const std::string& what) { throw sdk::config_error(where + ": " + what); };
    if (setid < 0 || setid > INT32_MAX)
        fail("the set id " + std::to_string(setid) + " is out of range");
    if (flags < 0 || flags > 0xffff)
        fail("the flags " + std::to_string(flags) + " are out of range");
    if (priority < INT32_MIN || priority > INT32_MAX)
        fail("the priority " + std::to_string(priority) + " is out of range");
    auto dst = std::make_unique<destination>();
    dst->uri = std::string(uri_text);
    siphost_uri uri;
    if (!sdk::parse_uri(host, dst->uri, uri) ||
        (uri.scheme != SIPHOST_URI_SIP && uri.scheme != SIPHOST_URI_SIPS) || uri.host.len == 0)
        fail("\"" + dst->uri + "\" is not a sip or sips URI");
    dst->host = std::string(sdk::view(uri.host));
    if (dst->host.find(':') != std::string::npos)
        dst->host = "[" + dst->host + "]";
    dst->port = uri.port;
    if (uri.port_text.len != 0)
        dst->host.append(":").append(sdk::view(uri.port_text));
    dst->flags = static_cast<uint32_t>(flags);
    dst->priority = static_cast<int32_t>(priority);
    dst->attrs = std::string(attrs);
    if (!attr_int(dst->attrs, "weight", dst->weight) || !attr_int(dst->attrs, "rweight", dst->rweight))
        fail("weight and rweight must be numbers from 0 to 100");
    if (auto duid = attr_text(dst->attrs, "duid"))
        dst->duid = std::string(*duid);
    if (auto maxload = attr_text(dst->attrs, "maxload")) {
        int64_t value = 0;
        if (!parse_int(*maxload, value) || value < 0 || value > INT32_MAX)
            fail("maxload must be a number of calls (0: no limit)");
        dst->maxload = static_cast<int32_t>(value);
    }
    dst->state.store(dst->flags & (ds_inactive | ds_trying | ds_disabled | ds_probing));
    dst->address = sdk::sized<siphost_dest>();
    literal_address(uri, dst->address);
    destination_set* set = nullptr;
    for (auto& existing : sets.sets)
        if (existing->id == static_cast<int32_t>(setid))
            set = existing.get();
    if (set == nullptr) {
        sets.sets.push_back(std::make_unique<destination_set>());
        set = sets.sets.back().get();
        set->id = static_cast<int32_t>(setid);
    }
    set->items.push_back(std::move(dst));
}

void sort_sets(destination_sets& sets) {
    for (auto& set : sets.sets)
        std::stable_sort(set->items.begin(), set->items.end(),
                         [](const auto& a, const auto& b) { return a->priority > b->priority; });
}

std::unique_ptr<destination_sets> parse_list(const siphost_host_api* host, std::string_view text,
                                             std::string_view file_name) {
    auto result = std::make_unique<destination_sets>();
    size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        line = sdk::trim(line);
        if (line.empty() || line.front() == '#')
            continue;
        std::vector<std::string_view> fields = split_fields(line, 5);
        if (fields.size() < 2)
            throw sdk::config_error(line_error(file_name, line_number,
                                               "expected \"setid destination [flags "
                                               "[priority [attrs]]]\""));
        int64_t setid = 0;
        if (!parse_int(fields[0], setid) || setid < 0 || setid > INT32_MAX)
            throw sdk::config_error(line_error(
                file_name, line_number, "the set id \"" + std::string(fields[0]) + "\" is not a number"));
        int64_t flags = 0, priority = 0;
        if (fields.size() > 2 && !parse_int(fields[2], flags))
            throw sdk::config_error(line_error(
                file_name, line_number, "the flags \"" + std::string(fields[2]) + "\" are not a number"));
        if (fields.size() > 3 && !parse_int(fields[3], priority))
            throw sdk::config_error(line_error(
                file_name, line_number, "the priority \"" + std::string(fields[3]) + "\" is not a number"));
        add_destination(host, *result, setid, fields[1], flags, priority, fields.size() > 4 ? fields[4] : "",
                        std::string(file_name) + " line " + std::to_string(line_number));
    }
    sort_sets(*result);
    return result;
}

std::unique_ptr<destination_sets> load_list_file(const siphost_host_api* host, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw sdk::config_error("cannot read the list file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return parse_list(host, text.str(), path);
}

} // namespace siphost::modules::dispatcher
