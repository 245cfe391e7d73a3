#include "script/transform.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/name_addr.hpp"
#include "sip/uri.hpp"

#include <openssl/evp.h>

namespace siphost::script {
namespace {

using cfg::tr_kind;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// Resolves a possibly negative index (-1 is the last) against count; nullopt when out of range.
std::optional<std::size_t> resolve_index(std::int64_t index, std::size_t count) {
    auto n = static_cast<std::int64_t>(count);
    if (index < 0)
        index += n;
    if (index < 0 || index >= n)
        return std::nullopt;
    return static_cast<std::size_t>(index);
}

std::optional<std::string> substr(std::string_view s, std::int64_t offset, std::int64_t length) {
    auto size = static_cast<std::int64_t>(s.size());
    if (offset < 0)
        offset += size;
    if (offset < 0 || offset >= size)
        return std::nullopt;
    std::int64_t count = 0;
    if (length == 0)
        count = size - offset;
    else if (length > 0)
        count = std::min(length, size - offset);
    else
        count = size - offset + length; // a negative length stops that many bytes before the end
    if (count < 0)
        return std::nullopt;
    return std::string(s.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(count)));
}

std::vector<std::string_view> split(std::string_view s, char separator) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        auto at = s.find(separator, start);
        out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos)
            return out;
        start = at + 1;
    }
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

/// A "name[=value]" list with a one-character separator; empty items (";a;;b") are skipped.
struct param_item {
    std::string_view name, value;
};
/// A parameter list as Kamailio's param.* read it: name[=value] items between separators, whitespace around
/// them allowed, a quoted value kept whole; a ',' (when it is not the separator) ends the list, as it ends a
/// header value. nullopt for anything else after an item (Kamailio: "expected ';'").
std::optional<std::vector<param_item>> param_list(std::string_view s, char separator) {
    std::vector<param_item> out;
    std::size_t i = 0;
    auto skip_space = [&] {
        while (i < s.size() && is_space(s[i]))
            ++i;
    };
    auto ends_token = [&](char c) { return c == separator || c == '=' || c == ',' || is_space(c); };
    while (true) {
        skip_space();
        if (i >= s.size())
            break;
        std::size_t start = i;
        while (i < s.size() && !ends_token(s[i]))
            ++i;
        param_item item{s.substr(start, i - start), {}};
        skip_space();
        if (i < s.size() && s[i] == '=') {
            ++i;
            skip_space();
            start = i;
            if (i < s.size() && s[i] == '"') {
                auto close = s.find('"', i + 1);
                if (close == std::string_view::npos)
                    return std::nullopt;
                i = close + 1;
            } else {
                while (i < s.size() && s[i] != separator && s[i] != ',' && !is_space(s[i]))
                    ++i;
            }
            item.value = s.substr(start, i - start);
            skip_space();
        }
        if (!item.name.empty())
            out.push_back(item);
        if (i >= s.size())
            break;
        if (s[i] == separator) {
            ++i;
            continue;
        }
        if (s[i] == ',')
            break;
        return std::nullopt;
    }
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string_view without_semicolon(std::string_view params) {
    return !params.empty() && params.front() == ';' ? params.substr(1) : params;
}

value apply_uri(const cfg::transformation& tr, std::string_view s) {
    sip::uri u;
    if (!u.parse(trim(s)))
        return {};
    switch (tr.kind) {
    case tr_kind::uri_user:
        return value::own(std::string(u.user()));
    case tr_kind::uri_host:
        return value::own(std::string(u.host()));
    case tr_kind::uri_port:
        return value::own(u.has_port() ? std::to_string(u.port()) : std::string());
    case tr_kind::uri_params:
        return value::own(std::string(without_semicolon(u.params())));
    case tr_kind::uri_param:
        return value::own(std::string(u.param(tr.text).value_or(std::string_view())));
    case tr_kind::uri_transport:
        return value::own(std::string(u.param("transport").value_or(std::string_view())));
    case tr_kind::uri_passwd:
        return value::own(std::string(u.password()));
    case tr_kind::uri_headers:
        return value::own(std::string(u.headers()));
    case tr_kind::uri_tosocket: {
        // As Kamailio 5.6.3 writes it: "proto:host:port" from the transport parameter (port 5060 when the
        // URI has none, whatever the transport); "" without a transport it knows (wss included).
        std::string proto(u.param("transport").value_or(std::string_view()));
        for (auto& c : proto)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (proto != "udp" && proto != "tcp" && proto != "tls" && proto != "sctp" && proto != "ws")
            return value::own(std::string());
        return value::own(proto + ":" + std::string(u.host()) + ":" +
                          std::to_string(u.has_port() ? u.port() : 5060));
    }
    default: // uri_scheme
        return value::own(std::string(u.scheme_text()));
    }
}

value apply_name_addr(const cfg::transformation& tr, std::string_view s) {
    sip::name_addr na;
    if (!sip::parse_single_name_addr(trim(s), na, true))
        return {};
    switch (tr.kind) {
    case tr_kind::nameaddr_name: {
        // As Kamailio: everything before the '<', the space before it included.
        if (!na.angle_brackets)
            return value::own(std::string());
        std::string_view text = trim(s);
        return value::own(std::string(text.substr(0, static_cast<std::size_t>(na.uri_text.data() - 1 - text.data()))));
    }
    case tr_kind::tobody_display:
        return value::own(std::string(na.display_name));
    case tr_kind::nameaddr_uri:
    case tr_kind::tobody_uri:
        return value::own(std::string(na.uri_text));
    case tr_kind::nameaddr_len: {
        // Up to the '>' that closes the URI, or the bare URI; header parameters are not part of it.
        auto end = static_cast<std::size_t>(na.uri_text.data() + na.uri_text.size() - na.value.data());
        return value::make_int(static_cast<std::int64_t>(end + (na.angle_brackets ? 1 : 0)));
    }
    case tr_kind::tobody_tag:
        return value::own(std::string(na.tag));
    case tr_kind::tobody_user:
        return value::own(std::string(na.uri.user()));
    case tr_kind::tobody_host:
        return value::own(std::string(na.uri.host()));
    default: // tobody_params
        return value::own(std::string(without_semicolon(na.params)));
    }
}

/// The digest of s in lower-case hex, as Kamailio's s.md5 and s.sha* print it.
value digest_hex(const EVP_MD* md, std::string_view s) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(s.data(), s.size(), digest, &size, md, nullptr) != 1)
        return {};
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 0x0f];
    }
    return value::own(std::move(out));
}

value base64(std::string_view s, bool encode) {
    if (s.empty())
        return value::own(std::string());
    std::string out(encode ? 4 * ((s.size() + 2) / 3) + 1 : 3 * (s.size() / 4) + 3, '\0');
    const auto* in = reinterpret_cast<const unsigned char*>(s.data());
    auto* to = reinterpret_cast<unsigned char*>(out.data());
    int n = encode ? EVP_EncodeBlock(to, in, static_cast<int>(s.size()))
                   : EVP_DecodeBlock(to, in, static_cast<int>(s.size()));
    if (n < 0) // not base64: Kamailio gives an empty string
        return value::own(std::string());
    out.resize(static_cast<std::size_t>(n));
    if (!encode) // EVP_DecodeBlock counts the padding's bytes as data
        for (auto pad = s.rbegin(); pad != s.rend() && *pad == '=' && !out.empty(); ++pad)
            out.pop_back();
    return value::own(std::move(out));
}

/// The lines of s (a final newline ends the last one; a line's CR is not part of it).
std::vector<std::string_view> lines_of(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        auto end = s.find('\n');
        std::string_view line = s.substr(0, end);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        out.push_back(line);
        if (end == std::string_view::npos)
            break;
        s.remove_prefix(end + 1);
    }
    return out;
}

/// %xx (lower-case hex) for every byte but those keep allows; nullopt for a control or non-ASCII byte when
/// printable_only (Kamailio's escape_user and escape_param refuse them).
std::optional<std::string> percent_encode(std::string_view s, std::string_view keep, bool printable_only) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : s) {
        auto byte = static_cast<unsigned char>(c);
        if (printable_only && (byte < 0x20 || byte > 0x7e))
            return std::nullopt;
        if (std::isalnum(byte) || keep.find(c) != std::string_view::npos) {
            out += c;
        } else {
            out += '%';
            out += digits[byte >> 4];
            out += digits[byte & 0x0f];
        }
    }
    return out;
}

/// Kamailio's unescape of a user or a parameter: each '%' needs two hex digits that make a printable ASCII
/// byte (5.6.3 refuses "%09", "%7f", "%c3").
std::optional<std::string> percent_decode_strict(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        int high = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1;
        int low = high >= 0 ? hex_digit(s[i + 2]) : -1;
        int byte = high * 16 + low;
        if (low < 0 || byte < 0x20 || byte > 0x7e)
            return std::nullopt;
        out += static_cast<char>(byte);
        i += 2;
    }
    return out;
}

/// s.urldecode.param as Kamailio 5.6 decodes: '+' is a space; "%" and the next two characters are one byte
/// even when they are not hex digits (each read as digit or letter value, OR-ed as Kamailio does); a '%'
/// without two characters after it is dropped.
std::string url_decode(std::string_view s) {
    auto value_of = [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return std::isdigit(byte) ? byte - '0' : std::tolower(byte) - 'a' + 10;
    };
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 < s.size()) {
                out += static_cast<char>((value_of(s[i + 1]) << 4) | value_of(s[i + 2]));
                i += 2;
            }
        } else {
            out += s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

/// The prefixes of s, shortest first, up to max_length bytes (all when max_length is not in 1..size),
/// separated by commas, each in single quotes when quoted: "123" gives 1,12,123.
std::string prefixes(std::string_view s, std::int64_t max_length, bool quoted) {
    std::size_t count = max_length > 0 && static_cast<std::uint64_t>(max_length) < s.size()
                            ? static_cast<std::size_t>(max_length)
                            : s.size();
    std::string out;
    for (std::size_t n = 1; n <= count; ++n) {
        if (n > 1)
            out += ',';
        if (quoted)
            out.append(1, '\'').append(s.substr(0, n)).append(1, '\'');
        else
            out.append(s.substr(0, n));
    }
    return out;
}

/// Kamailio's core string hash (the one its hash tables use), masked with size - 1 when size is not 0. The
/// bytes are read as signed chars, as Kamailio's C reads them.
std::uint32_t core_hash(std::string_view s, std::uint32_t size) {
    auto at = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<signed char>(s[i])); };
    auto mix = [](std::uint32_t v) { return v ^ (v >> 3); };
    std::uint32_t h = 0;
    std::size_t i = 0;
    for (; i + 4 <= s.size(); i += 4)
        h += mix((at(i) << 24) + (at(i + 1) << 16) + (at(i + 2) << 8) + at(i + 3));
    std::uint32_t tail = 0;
    switch (s.size() - i) {
    case 3:
        tail = (at(i) << 16) + (at(i + 1) << 8) + at(i + 2);
        break;
    case 2:
        tail = (at(i) << 8) + at(i + 1);
        break;
    case 1:
        tail = at(i);
        break;
    default:
        break;
    }
    h += mix(tail);
    h = (h + (h >> 11)) + ((h >> 13) + (h >> 23));
    return size != 0 ? h & (size - 1) : h;
}

/// s without its first and last byte when they are open and close.
std::string_view without_pair(std::string_view s, char open, char close) {
    return s.size() >= 2 && s.front() == open && s.back() == close ? s.substr(1, s.size() - 2) : s;
}

value from_optional(std::optional<std::string> text) {
    return text ? value::own(std::move(*text)) : value();
}

value apply_one(const cfg::transformation& tr, const value& in) {
    if (in.is_null())
        return {};
    std::string buffer;
    std::string_view s = in.as_text(buffer);
    switch (tr.kind) {
    case tr_kind::s_len:
        return value::make_int(static_cast<std::int64_t>(s.size()));
    case tr_kind::s_int:
        return value::make_int(in.to_int());
    case tr_kind::s_substr: {
        auto out = substr(s, tr.number, tr.number2);
        return out ? value::own(std::move(*out)) : value();
    }
    case tr_kind::s_select: {
        auto fields = split(s, tr.separator);
        auto at = resolve_index(tr.number, fields.size());
        // Out of range it is the empty string, not null, as Kamailio 5.6.3 measures ({s.len} of it is 0).
        return value::own(at ? std::string(fields[*at]) : std::string());
    }
    case tr_kind::s_tolower:
    case tr_kind::s_toupper: {
        std::string out(s);
        for (auto& c : out)
            c = static_cast<char>(tr.kind == tr_kind::s_tolower
                                      ? std::tolower(static_cast<unsigned char>(c))
                                      : std::toupper(static_cast<unsigned char>(c)));
        return value::own(std::move(out));
    }
    case tr_kind::s_strip: {
        auto n = static_cast<std::size_t>(std::min<std::int64_t>(tr.number < 0 ? -tr.number : tr.number,
                                                                 static_cast<std::int64_t>(s.size())));
        return value::own(std::string(tr.number < 0 ? s.substr(0, s.size() - n) : s.substr(n)));
    }
    case tr_kind::s_stripto: {
        auto at = s.find(tr.text[0]);
        return value::own(std::string(at == std::string_view::npos ? s : s.substr(at)));
    }
    case tr_kind::s_trim:
        return value::own(std::string(trim(s)));
    case tr_kind::s_rtrim: {
        while (!s.empty() && is_space(s.back()))
            s.remove_suffix(1);
        return value::own(std::string(s));
    }
    case tr_kind::s_ltrim: {
        while (!s.empty() && is_space(s.front()))
            s.remove_prefix(1);
        return value::own(std::string(s));
    }
    case tr_kind::s_encode_hexa: {
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        out.reserve(s.size() * 2);
        for (unsigned char c : s) {
            out += digits[c >> 4];
            out += digits[c & 0x0f];
        }
        return value::own(std::move(out));
    }
    case tr_kind::s_decode_hexa: {
        if (s.size() % 2 != 0)
            return {};
        std::string out;
        for (std::size_t i = 0; i < s.size(); i += 2) {
            int high = hex_digit(s[i]), low = hex_digit(s[i + 1]);
            if (high < 0 || low < 0)
                return {};
            out += static_cast<char>(high * 16 + low);
        }
        return value::own(std::move(out));
    }
    case tr_kind::s_replace: {
        std::string out;
        std::size_t start = 0;
        for (auto at = s.find(tr.text); at != std::string_view::npos; at = s.find(tr.text, start)) {
            out.append(s.substr(start, at - start)).append(tr.text2);
            start = at + tr.text.size();
        }
        out.append(s.substr(start));
        return value::own(std::move(out));
    }
    case tr_kind::s_numeric: {
        std::string out;
        for (char c : s)
            if (c >= '0' && c <= '9')
                out += c;
        return value::own(std::move(out));
    }
    case tr_kind::s_escape_common: {
        // For SQL-like quoting: quotes, backslash and NUL get a backslash.
        std::string out;
        for (char c : s) {
            if (c == '\'' || c == '"' || c == '\\')
                out.append(1, '\\').append(1, c);
            else if (c == '\0')
                out.append("\\0");
            else
                out += c;
        }
        return value::own(std::move(out));
    }
    case tr_kind::s_unescape_common: {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\\' && i + 1 < s.size() &&
                (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '0')) {
                ++i;
                out += s[i] == '0' ? '\0' : s[i];
            } else {
                out += s[i];
            }
        }
        return value::own(std::move(out));
    }
    case tr_kind::s_md5:
        return digest_hex(EVP_md5(), s);
    case tr_kind::s_sha256:
        return digest_hex(EVP_sha256(), s);
    case tr_kind::s_sha384:
        return digest_hex(EVP_sha384(), s);
    case tr_kind::s_sha512:
        return digest_hex(EVP_sha512(), s);
    case tr_kind::s_encode_base64:
    case tr_kind::s_decode_base64:
        return base64(s, tr.kind == tr_kind::s_encode_base64);
    case tr_kind::s_prefixes:
    case tr_kind::s_prefixes_quoted:
        return value::own(prefixes(s, tr.number, tr.kind == tr_kind::s_prefixes_quoted));
    case tr_kind::s_escape_user: // RFC 3261's unreserved and user-unreserved characters stay
        return from_optional(percent_encode(s, "-_.!~*'()&=+$,;?", true));
    case tr_kind::s_escape_param: // unreserved and param-unreserved stay
        return from_optional(percent_encode(s, "-_.!~*'()[]/:&+$", true));
    case tr_kind::s_urlencode_param:
        return from_optional(percent_encode(s, "-_.~", false));
    case tr_kind::s_unescape_user:
    case tr_kind::s_unescape_param:
        return from_optional(percent_decode_strict(s));
    case tr_kind::s_urldecode_param:
        return value::own(url_decode(s));
    case tr_kind::s_unquote: {
        std::string_view inner = without_pair(s, '"', '"');
        return value::own(std::string(inner.size() == s.size() ? without_pair(s, '\'', '\'') : inner));
    }
    case tr_kind::s_unbracket:
        return value::own(std::string(without_pair(s, '<', '>')));
    case tr_kind::s_rmws: {
        std::string out;
        for (char c : s)
            if (!is_space(c))
                out += c;
        return value::own(std::move(out));
    }
    case tr_kind::s_before:
    case tr_kind::s_after: {
        // Kamailio 5.6.3 looks for the parameter's first character only: before it (all when absent),
        // after it ("" when absent).
        auto at = s.find(tr.text[0]);
        if (at == std::string_view::npos)
            return value::own(std::string(tr.kind == tr_kind::s_before ? s : std::string_view()));
        return value::own(std::string(tr.kind == tr_kind::s_before ? s.substr(0, at) : s.substr(at + 1)));
    }
    case tr_kind::s_corehash:
        return value::make_int(core_hash(s, static_cast<std::uint32_t>(tr.number)));
    case tr_kind::re_subst:
        return from_optional(tr.substitution->apply(s));
    case tr_kind::line_count:
        return value::make_int(static_cast<std::int64_t>(lines_of(s).size()));
    case tr_kind::line_at: {
        auto lines = lines_of(s);
        auto at = resolve_index(tr.number, lines.size());
        return value::own(at ? std::string(lines[*at]) : std::string());
    }
    case tr_kind::line_sw:
        for (auto line : lines_of(s))
            if (line.starts_with(tr.text))
                return value::own(std::string(line));
        return value::own(std::string());
    case tr_kind::uri_user:
    case tr_kind::uri_host:
    case tr_kind::uri_port:
    case tr_kind::uri_params:
    case tr_kind::uri_param:
    case tr_kind::uri_transport:
    case tr_kind::uri_scheme:
    case tr_kind::uri_passwd:
    case tr_kind::uri_headers:
    case tr_kind::uri_tosocket:
        return apply_uri(tr, s);
    case tr_kind::param_value:
    case tr_kind::param_count:
    case tr_kind::param_name:
    case tr_kind::param_valueat:
    case tr_kind::param_in: {
        // Kamailio fails (the value is null) on an empty list and on one it cannot parse, which it logs.
        auto items = s.empty() ? std::nullopt : param_list(s, tr.separator);
        if (!items)
            return {};
        if (tr.kind == tr_kind::param_in)
            return value::make_int(std::any_of(items->begin(), items->end(),
                                               [&](const param_item& p) { return iequal(p.name, tr.text); }));
        if (tr.kind == tr_kind::param_value) {
            for (const auto& p : *items)
                if (iequal(p.name, tr.text))
                    return value::own(std::string(p.value));
            return value::own(std::string());
        }
        if (tr.kind == tr_kind::param_count)
            return value::make_int(static_cast<std::int64_t>(items->size()));
        auto at = resolve_index(tr.number, items->size());
        if (!at)
            return {};
        return value::own(std::string(tr.kind == tr_kind::param_name ? (*items)[*at].name : (*items)[*at].value));
    }
    default:
        return apply_name_addr(tr, s);
    }
}

/// tr with its pseudo-variable parameters read; false when one cannot be used.
bool resolve_parameters(const cfg::transformation& tr, std::size_t index, const tr_parameter_reader& read,
                        cfg::transformation& out) {
    out = tr;
    for (int slot = 0; slot < 2; ++slot) {
        const auto& param = tr.pv_params[slot];
        if (param.text.empty())
            continue;
        value got = read ? read(index, slot) : value();
        if (got.is_null() || (param.integer && !got.is_int()))
            return false;
        if (param.integer) {
            (slot == 0 ? out.number : out.number2) = got.number();
            continue;
        }
        std::string buffer;
        std::string text(got.as_text(buffer));
        if (text.empty() && (tr.kind == tr_kind::s_stripto || tr.kind == tr_kind::s_before ||
                             tr.kind == tr_kind::s_after || (tr.kind == tr_kind::s_replace && slot == 0)))
            return false; // nothing to look for
        (slot == 0 ? out.text : out.text2) = std::move(text);
    }
    return true;
}

} // namespace

value apply_transformations(const std::vector<cfg::transformation>& transforms, value v,
                            const tr_parameter_reader& read_parameter) {
    for (std::size_t i = 0; i < transforms.size() && !v.is_null(); ++i) {
        const auto& tr = transforms[i];
        if (tr.pv_params[0].text.empty() && tr.pv_params[1].text.empty()) {
            v = apply_one(tr, v);
            continue;
        }
        cfg::transformation resolved;
        v = resolve_parameters(tr, i, read_parameter, resolved) ? apply_one(resolved, v) : value();
    }
    return v;
}

} // namespace siphost::script
