#include "cfg/select.hpp"

#include <cctype>
#include <charconv>
#include <utility>
#include <vector>

namespace siphost::cfg {
namespace {

struct segment {
    std::string name;
    bool has_index = false;
    std::int32_t index = 0;
};

bool split(std::string_view text, std::vector<segment>& out, std::string& error) {
    std::size_t i = 0;
    while (true) {
        segment s;
        std::size_t start = i;
        while (i < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_' || text[i] == '-'))
            ++i;
        s.name = std::string(text.substr(start, i - start));
        if (s.name.empty()) {
            error = i < text.size() ? "unexpected '" + std::string(1, text[i]) + "'" : "a name is missing";
            return false;
        }
        if (text.substr(i, 2) == "[\"") {
            // A quoted index names what follows, as Kamailio reads @via.params["node"]: the same as .node.
            auto quote = text.find('"', i + 2);
            if (quote == std::string_view::npos || quote == i + 2 || text.substr(quote, 2) != "\"]") {
                error = "the quoted index of '" + s.name + "' must be [\"name\"]";
                return false;
            }
            out.push_back(std::move(s));
            segment key;
            key.name = std::string(text.substr(i + 2, quote - i - 2));
            s = std::move(key);
            i = quote + 2;
        } else if (i < text.size() && text[i] == '[') {
            auto close = text.find(']', i);
            std::string_view number =
                close == std::string_view::npos ? "" : text.substr(i + 1, close - i - 1);
            auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), s.index);
            if (close == std::string_view::npos || number.empty() || ec != std::errc() ||
                end != number.data() + number.size()) {
                error = "the index of '" + s.name + "' must be a number in [ ]";
                return false;
            }
            s.has_index = true;
            i = close + 1;
        }
        out.push_back(std::move(s));
        if (i == text.size())
            return true;
        if (text[i] != '.') {
            error = "unexpected '" + std::string(1, text[i]) + "'";
            return false;
        }
        ++i;
    }
}

struct part_name {
    const char* name;
    select_part part;
};

constexpr part_name uri_parts[] = {{"user", select_part::user},         {"host", select_part::host},
                                   {"port", select_part::port},         {"params", select_part::params},
                                   {"type", select_part::type},         {"transport", select_part::transport},
                                   {"hostport", select_part::hostport}, {"rn_user", select_part::rn_user},
                                   {"pwd", select_part::password}};
constexpr part_name name_addr_parts[] = {{"uri", select_part::uri},
                                         {"tag", select_part::tag},
                                         {"name", select_part::name},
                                         {"params", select_part::params}};
constexpr part_name contact_parts[] = {{"uri", select_part::uri},
                                       {"name", select_part::name},
                                       {"expires", select_part::expires},
                                       {"q", select_part::q},
                                       {"params", select_part::params}};
constexpr part_name via_parts[] = {{"branch", select_part::branch},
                                   {"host", select_part::host},
                                   {"port", select_part::port},
                                   {"transport", select_part::transport},
                                   {"received", select_part::received},
                                   {"name", select_part::protocol_name},
                                   {"version", select_part::protocol_version},
                                   {"params", select_part::params},
                                   {"rport", select_part::param},
                                   {"i", select_part::param},
                                   {"alias", select_part::param}};
constexpr part_name address_parts[] = {{"ip", select_part::ip}, {"port", select_part::port}};
/// Selects that read the first header of their name, as Kamailio 5.6 defines them.
constexpr std::pair<const char*, const char*> header_roots[] = {{"event", "Event"},
                                                                {"max_forwards", "Max-Forwards"},
                                                                {"content_length", "Content-Length"},
                                                                {"content_type", "Content-Type"},
                                                                {"date", "Date"},
                                                                {"identity", "Identity"},
                                                                {"identity_info", "Identity-Info"},
                                                                {"user_agent", "User-Agent"},
                                                                {"record_route", "Record-Route"}};
constexpr part_name cseq_parts[] = {{"method", select_part::method}, {"num", select_part::num}};
constexpr part_name msg_parts[] = {{"first_line", select_part::first_line},
                                   {"body", select_part::body},
                                   {"len", select_part::len},
                                   {"header", select_part::header},
                                   {"h", select_part::header},
                                   {"type", select_part::message_type},
                                   {"flags", select_part::flags}};

/// The credentials' directives, as Kamailio 5.6 core's @authorization[REALM] and @proxy_authorization[REALM]
/// read them.
constexpr part_name auth_parts[] = {{"username", select_part::username},   {"realm", select_part::realm},
                                    {"nonce", select_part::nonce},         {"uri", select_part::uri},
                                    {"cnonce", select_part::cnonce},       {"nc", select_part::nc},
                                    {"response", select_part::response},   {"opaque", select_part::opaque},
                                    {"algorithm", select_part::algorithm}, {"qop", select_part::qop}};
constexpr part_name auth_username_parts[] = {{"user", select_part::user}, {"domain", select_part::host}};

template <std::size_t N>
bool find_part(const part_name (&table)[N], const segment& s, const std::string& of, select_part& out,
               std::string& error) {
    for (const auto& p : table)
        if (s.name == p.name && !s.has_index) {
            out = p.part;
            return true;
        }
    std::string known;
    for (const auto& p : table)
        known += (known.empty() ? "" : ", ") + std::string(p.name);
    error = "'" + of + "' has no '" + s.name + (s.has_index ? "[...]" : "") + "' (it has " + known + ")";
    return false;
}

/// "params.NAME" at parts[at]: the parameter's name into out.param. A bare "params" is refused where
/// Kamailio refuses it (allow_whole false: from.params, via.params, contact.params).
bool read_param_name(const std::vector<segment>& parts, std::size_t at, bool allow_whole, select_spec& out,
                     select_part& part, std::string& error) {
    if (at + 1 < parts.size()) {
        if (parts[at + 1].has_index) {
            error = "'" + parts[at + 1].name + "' takes no index";
            return false;
        }
        out.param = parts[at + 1].name;
        part = select_part::param;
        return true;
    }
    if (!allow_whole) {
        error = "'params' needs a parameter name: params.NAME";
        return false;
    }
    return true;
}

/// The URI parts from parts[at] on (ruri.user, from.uri.params.NAME); how many segments they take.
std::optional<std::size_t> read_uri_part(const std::vector<segment>& parts, std::size_t at,
                                         const std::string& of, select_spec& out, select_part& part,
                                         std::string& error) {
    if (!find_part(uri_parts, parts[at], of, part, error))
        return std::nullopt;
    if (part == select_part::params && at + 1 < parts.size()) {
        if (!read_param_name(parts, at, true, out, part, error))
            return std::nullopt;
        return 2;
    }
    return 1;
}

} // namespace

std::optional<select_spec> parse_select(std::string_view text, std::string& error) {
    std::vector<segment> parts;
    if (!split(text, parts, error))
        return std::nullopt;
    select_spec out;
    const segment& first = parts[0];
    auto no_more = [&](std::size_t used) {
        if (parts.size() <= used)
            return true;
        error = "nothing follows '" + parts[used - 1].name + "' in a select";
        return false;
    };
    auto no_index = [&](const segment& s) {
        if (!s.has_index)
            return true;
        error = "'" + s.name + "' takes no index";
        return false;
    };
    if (first.name == "ruri") {
        out.root = select_root::ruri;
        if (!no_index(first))
            return std::nullopt;
        if (parts.size() == 1)
            return out;
        auto used = read_uri_part(parts, 1, "ruri", out, out.part, error);
        return used && no_more(1 + *used) ? std::optional(out) : std::nullopt;
    }
    // Kamailio's one-letter names of these headers are selects too.
    const std::string root = first.name == "f"   ? "from"
                             : first.name == "t" ? "to"
                             : first.name == "v" ? "via"
                             : first.name == "m" ? "contact"
                                                 : first.name;
    if (root == "from" || root == "to" || root == "contact") {
        out.root = root == "from" ? select_root::from : root == "to" ? select_root::to : select_root::contact;
        if (!no_index(first))
            return std::nullopt;
        if (parts.size() == 1)
            return out;
        if (out.root == select_root::contact ? !find_part(contact_parts, parts[1], root, out.part, error)
                                             : !find_part(name_addr_parts, parts[1], root, out.part, error))
            return std::nullopt;
        if (out.part == select_part::uri && parts.size() > 2) {
            auto used = read_uri_part(parts, 2, root + ".uri", out, out.uri_part, error);
            return used && no_more(2 + *used) ? std::optional(out) : std::nullopt;
        }
        if (out.part == select_part::params) {
            if (!read_param_name(parts, 1, false, out, out.part, error))
                return std::nullopt;
            return no_more(3) ? std::optional(out) : std::nullopt;
        }
        return no_more(2) ? std::optional(out) : std::nullopt;
    }
    if (root == "via") {
        out.root = select_root::via;
        out.index = first.has_index ? first.index : 1;
        if (parts.size() == 1)
            return out;
        if (!find_part(via_parts, parts[1], "via", out.part, error))
            return std::nullopt;
        if (out.part == select_part::param)
            out.param = parts[1].name; // via.rport, via.i, via.alias: the parameters of those names
        if (out.part == select_part::params) {
            if (!read_param_name(parts, 1, false, out, out.part, error))
                return std::nullopt;
            return no_more(3) ? std::optional(out) : std::nullopt;
        }
        return no_more(2) ? std::optional(out) : std::nullopt;
    }
    if (first.name == "src" || first.name == "dst") {
        out.root = first.name == "src" ? select_root::src : select_root::dst;
        if (!no_index(first))
            return std::nullopt;
        if (parts.size() == 1) {
            error = "'" + first.name + "' needs a part: " + first.name + ".ip or " + first.name + ".port";
            return std::nullopt;
        }
        if (!find_part(address_parts, parts[1], first.name, out.part, error))
            return std::nullopt;
        return no_more(2) ? std::optional(out) : std::nullopt;
    }
    for (const auto& [name, header] : header_roots)
        if (first.name == name) {
            out.root = select_root::header;
            out.header = header;
            if (!no_index(first))
                return std::nullopt;
            return no_more(1) ? std::optional(out) : std::nullopt;
        }
    if (first.name == "cseq") {
        out.root = select_root::cseq;
        if (!no_index(first))
            return std::nullopt;
        if (parts.size() > 1 && !find_part(cseq_parts, parts[1], "cseq", out.part, error))
            return std::nullopt;
        return no_more(parts.size() > 1 ? 2 : 1) ? std::optional(out) : std::nullopt;
    }
    if (first.name == "call_id") {
        out.root = select_root::call_id;
        if (!no_index(first))
            return std::nullopt;
        return no_more(1) ? std::optional(out) : std::nullopt;
    }
    if (first.name == "msg") {
        out.root = select_root::msg;
        if (!no_index(first))
            return std::nullopt;
        if (parts.size() == 1)
            return out;
        if (!find_part(msg_parts, parts[1], "msg", out.part, error))
            return std::nullopt;
        if (out.part != select_part::header)
            return no_more(2) ? std::optional(out) : std::nullopt;
        if (parts.size() < 3) {
            error = "'msg.header' needs a header name: msg.header.User-Agent";
            return std::nullopt;
        }
        for (char c : parts[2].name)
            out.header += c == '_' ? '-' : c;
        out.index = parts[2].has_index ? parts[2].index : 1;
        return no_more(3) ? std::optional(out) : std::nullopt;
    }
    if (first.name == "authorization" || first.name == "proxy_authorization") {
        // The realm comes first, quoted in [ ] or after a dot: @authorization["example.org"].username. As in
        // Kamailio 5.6.3, @authorization.username means the realm "username".
        out.root =
            first.name == "authorization" ? select_root::authorization : select_root::proxy_authorization;
        if (!no_index(first))
            return std::nullopt;
        if (parts.size() == 1) {
            error = "'" + first.name + "' needs the realm of the credentials: " + first.name +
                    "[\"example.org\"] (and a part: .username, .realm, .nonce, ...)";
            return std::nullopt;
        }
        if (!no_index(parts[1]))
            return std::nullopt;
        out.realm = parts[1].name;
        if (parts.size() == 2)
            return out;
        const std::string of = first.name + "[\"" + out.realm + "\"]";
        if (!find_part(auth_parts, parts[2], of, out.part, error))
            return std::nullopt;
        if (out.part == select_part::username && parts.size() > 3) {
            if (!find_part(auth_username_parts, parts[3], of + ".username", out.uri_part, error))
                return std::nullopt;
            return no_more(4) ? std::optional(out) : std::nullopt;
        }
        return no_more(3) ? std::optional(out) : std::nullopt;
    }
    if (first.name == "cfg_get") {
        out.root = select_root::cfg_get;
        if (parts.size() != 3 || first.has_index || parts[1].has_index || parts[2].has_index) {
            error = "'cfg_get' is written cfg_get.group.variable";
            return std::nullopt;
        }
        out.group = parts[1].name;
        out.variable = parts[2].name;
        return out;
    }
    error =
        "unknown select '" + first.name +
        "' (siphost has ruri, from, to, via, contact, cseq, call_id, msg, src, dst, cfg_get, authorization, "
        "proxy_authorization, event, "
        "max_forwards, "
        "content_length, content_type, date, identity, identity_info, user_agent, record_route)";
    return std::nullopt;
}

bool is_core_cfg_variable(std::string_view name) {
    return name == "debug";
}

} // namespace siphost::cfg
