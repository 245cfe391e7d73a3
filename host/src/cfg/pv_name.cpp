#include "cfg/pv_name.hpp"

#include <cctype>
#include <charconv>

namespace siphost::cfg {
namespace {
bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
} // namespace

const std::vector<core_pv_info>& core_pvs() {
    constexpr std::uint32_t none = SIPHOST_PV_NAME_NONE, named = SIPHOST_PV_NAME_REQUIRED;
    static const std::vector<core_pv_info> table = {
        {"avp", core_pv::avp, named, true,
         "an AVP of the message: $avp(name), $avp(s:name), $avp(i:1), [index]"},
        {"var", core_pv::var, named, true, "a script variable of the worker; unset prints 0"},
        {"vn", core_pv::vn, named, true, "a script variable of the worker that may be null"},
        {"null", core_pv::null_value, none, false, "the null value"},
        {"rm", core_pv::rm, none, false, "the request method (the CSeq method for a reply)"},
        {"rs", core_pv::rs, none, false, "the reply status"},
        {"rr", core_pv::rr, none, false, "the reply reason"},
        {"ru", core_pv::ru, none, true, "the Request-URI"},
        {"rU", core_pv::rU, none, true, "the user of the Request-URI"},
        {"rd", core_pv::rd, none, true, "the host of the Request-URI"},
        {"rp", core_pv::rp, none, true, "the port of the Request-URI"},
        {"du", core_pv::du, none, true, "the destination URI"},
        {"si", core_pv::si, none, false, "the source IP address"},
        {"sp", core_pv::sp, none, false, "the source port"},
        {"Ri", core_pv::Ri, none, false, "the local IP address the message arrived at"},
        {"Rp", core_pv::Rp, none, false, "the local port the message arrived at"},
        {"pr", core_pv::pr, none, false, "the transport the message came over: udp, tcp, tls, sctp"},
        {"proto", core_pv::pr, none, false, "the transport the message came over: udp, tcp, tls, sctp"},
        {"af", core_pv::af, none, false, "the address family of the message: INET or INET6"},
        {"ci", core_pv::ci, none, false, "the Call-ID"},
        {"fu", core_pv::fu, none, false, "the From URI"},
        {"fU", core_pv::fU, none, false, "the From URI's user"},
        {"fd", core_pv::fd, none, false, "the From URI's host"},
        {"ft", core_pv::ft, none, false, "the From tag"},
        {"tu", core_pv::tu, none, false, "the To URI"},
        {"tU", core_pv::tU, none, false, "the To URI's user"},
        {"td", core_pv::td, none, false, "the To URI's host"},
        {"tt", core_pv::tt, none, false, "the To tag"},
        {"hdr", core_pv::hdr, named, false, "a header's value: $hdr(Name), $hdr(Name)[index]"},
        {"mb", core_pv::mb, none, false, "the whole message as received"},
        {"ml", core_pv::ml, none, false, "the message length"},
        {"mt", core_pv::mt, none, false, "1 for a request, 2 for a reply"},
        {"pp", core_pv::pp, none, false, "the process id"},
        {"rc", core_pv::rc, none, false, "the last return code"},
        {"retcode", core_pv::rc, none, false, "the last return code"},
        {"?", core_pv::rc, none, false, "the last return code"},
        {"Ts", core_pv::Ts, none, false, "the current Unix time"},
        {"ou", core_pv::ou, none, false, "the original Request-URI"},
        {"ua", core_pv::ua, none, false, "the User-Agent header's value"},
        {"cs", core_pv::cs, none, false, "the CSeq number"},
        {"xavp", core_pv::xavp, named, true,
         "an extended AVP of the message: $xavp(root), $xavp(root[i]=>field[j]); [*], negative indexes"},
        {"xavu", core_pv::xavu, named, true, "an extended AVP with one value per name: $xavu(root=>field)"},
        {"xavi", core_pv::xavi, named, true, "an extended AVP whose names are compared without case"},
        {"sel", core_pv::sel, named, false, "a select: $sel(via[1].branch) is @via[1].branch"},
        {"fn", core_pv::fn, none, false, "the From display name as written (quotes kept)"},
        {"tn", core_pv::tn, none, false, "the To display name as written (quotes kept)"},
        {"ct", core_pv::ct, none, false, "the Contact header's value"},
        {"cT", core_pv::cT, none, false, "the Content-Type header's value"},
        {"cl", core_pv::cl, none, false, "the Content-Length header's value"},
        {"rb", core_pv::rb, none, false, "the message body"},
        {"rv", core_pv::rv, none, false, "the SIP version: SIP/2.0"},
        {"rz", core_pv::rz, none, false, "the Request-URI's scheme: sip, sips, tel (a user=phone sip URI)"},
        {"rP", core_pv::rP, none, false, "the Request-URI's transport: its parameter as written, else UDP"},
        {"mf", core_pv::mf, none, false, "the message flags, decimal"},
        {"mF", core_pv::mF, none, false, "the message flags, 8 hex digits"},
        {"bf", core_pv::bf, none, false, "the Request-URI branch's flags, decimal"},
        {"bF", core_pv::bF, none, false, "the Request-URI branch's flags, 8 hex digits"},
        {"od", core_pv::od, none, false, "the original Request-URI's host"},
        {"op", core_pv::op, none, false, "the original Request-URI's port (5060 when absent)"},
        {"oU", core_pv::oU, none, false, "the original Request-URI's user"},
        {"oP", core_pv::oP, none, false, "the original Request-URI's transport"},
        {"dd", core_pv::dd, none, false, "the destination URI's host"},
        {"dp", core_pv::dp, none, false, "the destination URI's port (5060 when absent)"},
        {"dP", core_pv::dP, none, false, "the destination URI's transport"},
        {"su", core_pv::su, none, false, "the source as a URI: sip:ip:port"},
        {"sut", core_pv::sut, none, false, "the source as a URI with its transport: sip:ip:port;transport=udp"},
        {"mi", core_pv::mi, none, false, "the message's id"},
        {"ai", core_pv::ai, none, false, "the P-Asserted-Identity URI"},
        {"pu", core_pv::pu, none, false, "the P-Preferred-Identity URI"},
        {"pU", core_pv::pU, none, false, "the P-Preferred-Identity URI's user"},
        {"pd", core_pv::pd, none, false, "the P-Preferred-Identity URI's host"},
        {"pn", core_pv::pn, none, false, "the P-Preferred-Identity display name"},
        {"di", core_pv::di, none, false, "the Diversion header's URI"},
        {"re", core_pv::re, none, false, "the Remote-Party-ID header's URI"},
        {"rt", core_pv::rt, none, false, "the Refer-To header's URI"},
        {"ar", core_pv::ar, none, false, "the realm of the credentials (Proxy-Authorization, else Authorization)"},
        {"au", core_pv::au, none, false, "the user part of the credentials' username"},
        {"ad", core_pv::ad, none, false, "the domain part of the credentials' username (empty when it has none)"},
        {"aU", core_pv::aU, none, false, "the credentials' whole username"},
        {"adu", core_pv::adu, none, false, "the credentials' digest URI"},
        {"aa", core_pv::aa, none, false, "the credentials' algorithm (empty when not given)"},
        {"Au", core_pv::Au, none, false, "the user for accounting: the From URI's user@host"},
        {"AU", core_pv::AU, none, false, "the user for accounting: the From URI's user"},
        {"bs", core_pv::bs, none, false, "the body size"},
        {"ds", core_pv::ds, none, false, "the destination set, as Contact: <uri>;q=x, ..."},
        {"fs", core_pv::fs, none, false, "the socket set with force_send_socket, as proto:ip:port"},
        {"rmid", core_pv::rmid, none, false, "the method's id: INVITE 1, CANCEL 2, ACK 4, BYE 8, ... other 524288"},
        {"RAi", core_pv::RAi, none, false, "the advertised address of the receiving socket, else its address"},
        {"RAp", core_pv::RAp, none, false, "the advertised port of the receiving socket, else its port"},
        {"Tb", core_pv::Tb, none, false, "the Unix time siphost started"},
        {"TS", core_pv::TS, none, false, "the Unix time siphost started"},
        {"Tf", core_pv::Tf, none, false, "the current time in ctime() format (as $TF)"},
        {"TF", core_pv::TF, none, false, "the current time in ctime() format"},
        {"TV", core_pv::TV, named, false, "the current time: $TV(s) seconds, $TV(u) microseconds, $TV(Sn) s.u"},
        {"branch", core_pv::branch, named, false,
         "a target of the destination set ([n], 0 the first): uri, dst_uri, path, q, flags, send_socket, "
         "ruid; count"},
        {"snd", core_pv::snd, named, false,
         "in onsend_route, where the message goes: ip, port, proto (1 udp), sproto, af (2, 10), buf, len"},
        {"sndto", core_pv::snd, named, false, "the same as $snd"},
        {"sndfrom", core_pv::sndfrom, named, false,
         "in onsend_route, the local socket the message leaves from: the names of $snd"},
    };
    return table;
}

bool is_send_field(std::string_view name) {
    for (std::string_view field : {"ip", "port", "proto", "sproto", "af", "buf", "len"})
        if (name == field)
            return true;
    return false;
}

const core_pv_info* find_core_pv(std::string_view name) {
    for (const auto& info : core_pvs())
        if (name == info.name)
            return &info;
    return nullptr;
}

std::optional<pv_name> parse_pv_name(std::string_view text, std::string& error, std::size_t* error_offset) {
    if (error_offset != nullptr)
        *error_offset = 0;
    if (text.size() >= 2 && text[0] == '@') {
        // A select written as such (@ruri.user) is $sel(ruri.user).
        pv_name out;
        out.name = "sel";
        out.inner = std::string(text.substr(1));
        out.has_inner = true;
        return out;
    }
    if (text.size() < 2 || text[0] != '$') {
        error = "a pseudo-variable starts with '$'";
        return std::nullopt;
    }
    std::string_view body = text.substr(1);
    // $(name(inner)[index]{tr}...) is the long form of $name(inner)[index]; only it takes transformations.
    bool long_form = body.front() == '(';
    if (long_form) {
        if (body.back() != ')') {
            error = "missing ')'";
            return std::nullopt;
        }
        // The '(' pairs with the last ')' only, as Kamailio 5.6.3 counts them ({s.select,0,(} leaves it
        // open).
        int depth = 0;
        for (std::size_t k = 0; k + 1 < body.size(); ++k)
            if ((depth += body[k] == '(' ? 1 : body[k] == ')' ? -1 : 0) == 0) {
                error = "the '(' after '$' pairs with an earlier ')' than the last one (a transformation's "
                        "parameter cannot hold an unpaired '(' or ')')";
                return std::nullopt;
            }
        if (depth != 1) {
            error = "unbalanced parentheses: a transformation's parameter cannot hold an unpaired '(' or ')'";
            return std::nullopt;
        }
        body = body.substr(1, body.size() - 2);
    }
    pv_name out;
    if (body == "?") {
        out.name = "?";
        return out;
    }
    std::size_t i = 0;
    if (body.empty() || !is_ident_start(body[0])) {
        error = "a pseudo-variable name must start with a letter";
        return std::nullopt;
    }
    while (i < body.size() && is_ident_char(body[i]))
        ++i;
    out.name = std::string(body.substr(0, i));
    if (!long_form && i < body.size() && body[i] == '.' &&
        (!is_ser_attribute_class(out.name) || i + 1 == body.size())) {
        error = "Kamailio 5.6.3 reads the '.' after '$" + out.name +
                "' as part of the name (and refuses it): write $(" + out.name + ") before a '.'";
        return std::nullopt;
    }
    if (!long_form && i < body.size() && body[i] == '.' && is_ser_attribute_class(out.name)) {
        std::string attribute(body.substr(i + 1));
        error = "a SER-style attribute (the AVP '" + attribute + "' of class '" + out.name +
                "'): Kamailio 5.6.3 reads it only after #!SER or #!MAXCOMPAT, siphost not at all; for an "
                "attribute "
                "the script sets itself write $avp(" +
                attribute + ")";
        return std::nullopt;
    }
    if (i < body.size() && body[i] == '(') {
        int depth = 0;
        std::size_t start = i + 1;
        for (; i < body.size(); ++i) {
            if (body[i] == '(')
                ++depth;
            else if (body[i] == ')' && --depth == 0)
                break;
        }
        if (i >= body.size()) {
            error = "missing ')'";
            return std::nullopt;
        }
        out.inner = std::string(body.substr(start, i - start));
        out.has_inner = true;
        ++i;
    }
    if (i < body.size() && body[i] == '[') {
        auto close = body.find(']', i);
        if (close == std::string_view::npos) {
            error = "missing ']'";
            return std::nullopt;
        }
        std::string_view index = body.substr(i + 1, close - i - 1);
        if (index == "*") {
            out.index = SIPHOST_PV_ALL_INDEX;
        } else {
            std::int32_t n = 0;
            auto [ptr, ec] = std::from_chars(index.data(), index.data() + index.size(), n);
            if (index.empty() || ec != std::errc() || ptr != index.data() + index.size() ||
                n == SIPHOST_PV_NO_INDEX || n == SIPHOST_PV_ALL_INDEX) {
                error = "the index '" + std::string(index) + "' is not a number or '*'";
                return std::nullopt;
            }
            out.index = n;
        }
        i = close + 1;
    }
    if (long_form && i < body.size() && body[i] == '{') {
        std::size_t at = 0;
        if (!parse_transformations(body.substr(i), out.transforms, error, at)) {
            if (error_offset != nullptr)
                *error_offset = 2 + i + at; // "$(" comes before body
            return std::nullopt;
        }
        i = body.size();
    }
    if (i != body.size()) {
        error = "unexpected '" + std::string(body.substr(i)) + "' after the pseudo-variable";
        return std::nullopt;
    }
    return out;
}

namespace {

/// "name" or "name[index]" at the start of text; the rest of text is left for the caller.
bool parse_xavp_part(std::string_view& text, std::string& name, std::int32_t& index, std::string& error) {
    std::size_t end = 0;
    while (end < text.size() && text[end] != '[' && text.substr(end, 2) != "=>")
        ++end;
    name = std::string(text.substr(0, end));
    if (name.empty()) {
        error = "an xavp name is missing";
        return false;
    }
    for (char c : name)
        if (!is_ident_char(c) && c != '-' && c != '.') {
            error = "'" + name + "' is not an xavp name (letters, digits, '_', '-', '.')";
            return false;
        }
    text.remove_prefix(end);
    if (text.empty() || text.front() != '[')
        return true;
    auto close = text.find(']');
    if (close == std::string_view::npos) {
        error = "missing ']'";
        return false;
    }
    std::string_view number = text.substr(1, close - 1);
    if (number == "*") {
        index = SIPHOST_PV_ALL_INDEX;
    } else {
        std::int32_t n = 0;
        auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
        if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() ||
            n == SIPHOST_PV_NO_INDEX || n == SIPHOST_PV_ALL_INDEX) {
            error = "the index '" + std::string(number) + "' is not a number or '*'";
            return false;
        }
        index = n;
    }
    text.remove_prefix(close + 1);
    return true;
}

} // namespace

std::optional<xavp_name> parse_xavp_name(std::string_view inner, bool unique, std::string& error) {
    xavp_name out;
    std::string_view rest = inner;
    if (!parse_xavp_part(rest, out.root, out.root_index, error))
        return std::nullopt;
    if (rest.substr(0, 2) == "=>") {
        rest.remove_prefix(2);
        out.has_field = true;
        if (!parse_xavp_part(rest, out.field, out.field_index, error))
            return std::nullopt;
    }
    if (!rest.empty()) {
        error = "unexpected '" + std::string(rest) + "' in the xavp name";
        return std::nullopt;
    }
    if (unique && (out.root_index != SIPHOST_PV_NO_INDEX || out.field_index != SIPHOST_PV_NO_INDEX)) {
        error = "$xavu holds one value per name and takes no index";
        return std::nullopt;
    }
    return out;
}

bool is_ser_attribute_class(std::string_view name) {
    for (std::string_view c : {"f", "t", "fu", "tu", "fd", "td", "g"})
        if (name == c)
            return true;
    return false;
}

std::size_t pv_extent(std::string_view text) {
    if (text.size() < 2 || text[0] != '$')
        return 0;
    std::size_t i = 1;
    auto skip_parens = [&]() -> bool {
        int depth = 0;
        for (; i < text.size(); ++i) {
            if (text[i] == '(')
                ++depth;
            else if (text[i] == ')' && --depth == 0) {
                ++i;
                return true;
            } // as Kamailio 5.6.3 reads it, in transformations' parameters too ({s.select,0,)} is refused)
        }
        return false;
    };
    if (text[1] == '?')
        return 2;
    // Unbalanced parentheses take the rest of the text, so that the error names what is wrong.
    if (text[1] == '(')
        return skip_parens() ? i : text.size();
    if (!is_ident_start(text[1]))
        return 0;
    while (i < text.size() && is_ident_char(text[i]))
        ++i;
    // Kamailio 5.6.3 reads a '.' after a name as part of it ("$fd." and "$fu.x" are refused there).
    if (i < text.size() && text[i] == '.') {
        while (i < text.size() && (is_ident_char(text[i]) || text[i] == '.'))
            ++i;
        return i;
    }
    if (i < text.size() && text[i] == '(' && !skip_parens())
        return text.size();
    if (i < text.size() && text[i] == '[') {
        auto close = text.find(']', i);
        if (close != std::string_view::npos)
            i = close + 1;
    }
    return i;
}

std::vector<template_part> split_template(std::string_view text) {
    std::vector<template_part> parts;
    auto add_literal = [&](std::string_view piece, std::size_t offset) {
        if (!parts.empty() && !parts.back().is_pv)
            parts.back().text += piece;
        else
            parts.push_back({false, std::string(piece), offset});
    };
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '$') {
            if (i + 1 < text.size() && text[i + 1] == '$') {
                add_literal("$", i);
                i += 2;
                continue;
            }
            std::size_t length = pv_extent(text.substr(i));
            if (length > 0) {
                parts.push_back({true, std::string(text.substr(i, length)), i});
                i += length;
                continue;
            }
        }
        std::size_t next = text.find('$', i + 1);
        if (next == std::string_view::npos)
            next = text.size();
        add_literal(text.substr(i, next - i), i);
        i = next;
    }
    return parts;
}

} // namespace siphost::cfg
