#include "cfg/transformation.hpp"

#include <charconv>

#include "cfg/pv_name.hpp"

namespace siphost::cfg {
namespace {

/// What parameters a transformation takes.
enum class tr_params {
    none,
    int_int,      ///< s.substr,offset,length
    int_char,     ///< s.select,index,separator
    one_int,      ///< s.strip,length
    one_char,     ///< s.stripto,char
    two_strings,  ///< s.replace,match,replacement
    one_name,     ///< uri.param,name
    name_opt_sep, ///< param.value,name[,separator]
    int_opt_sep,  ///< param.name,index[,separator]
    opt_sep,      ///< param.count[,separator]
    opt_int,      ///< s.prefixes[,length]
    substitution  ///< re.subst,/regex/replacement/flags
};

struct tr_info {
    const char* name;
    tr_kind kind;
    tr_params params;
    const char* usage;
};

const std::vector<tr_info>& table() {
    static const std::vector<tr_info> infos = {
        {"s.len", tr_kind::s_len, tr_params::none, "{s.len}"},
        {"s.int", tr_kind::s_int, tr_params::none, "{s.int}"},
        {"s.substr", tr_kind::s_substr, tr_params::int_int, "{s.substr,offset,length}"},
        {"s.select", tr_kind::s_select, tr_params::int_char, "{s.select,index,separator}"},
        {"s.tolower", tr_kind::s_tolower, tr_params::none, "{s.tolower}"},
        {"s.toupper", tr_kind::s_toupper, tr_params::none, "{s.toupper}"},
        {"s.strip", tr_kind::s_strip, tr_params::one_int, "{s.strip,length}"},
        {"s.stripto", tr_kind::s_stripto, tr_params::one_char, "{s.stripto,char}"},
        {"s.trim", tr_kind::s_trim, tr_params::none, "{s.trim}"},
        {"s.rtrim", tr_kind::s_rtrim, tr_params::none, "{s.rtrim}"},
        {"s.ltrim", tr_kind::s_ltrim, tr_params::none, "{s.ltrim}"},
        {"s.encode.hexa", tr_kind::s_encode_hexa, tr_params::none, "{s.encode.hexa}"},
        {"s.decode.hexa", tr_kind::s_decode_hexa, tr_params::none, "{s.decode.hexa}"},
        {"s.replace", tr_kind::s_replace, tr_params::two_strings, "{s.replace,match,replacement}"},
        {"s.numeric", tr_kind::s_numeric, tr_params::none, "{s.numeric}"},
        {"s.escape.common", tr_kind::s_escape_common, tr_params::none, "{s.escape.common}"},
        {"s.unescape.common", tr_kind::s_unescape_common, tr_params::none, "{s.unescape.common}"},
        {"s.md5", tr_kind::s_md5, tr_params::none, "{s.md5}"},
        {"s.sha256", tr_kind::s_sha256, tr_params::none, "{s.sha256}"},
        {"s.sha384", tr_kind::s_sha384, tr_params::none, "{s.sha384}"},
        {"s.sha512", tr_kind::s_sha512, tr_params::none, "{s.sha512}"},
        {"s.encode.base64", tr_kind::s_encode_base64, tr_params::none, "{s.encode.base64}"},
        {"s.decode.base64", tr_kind::s_decode_base64, tr_params::none, "{s.decode.base64}"},
        {"s.prefixes", tr_kind::s_prefixes, tr_params::opt_int, "{s.prefixes[,max length]}"},
        {"s.prefixes.quoted", tr_kind::s_prefixes_quoted, tr_params::opt_int,
         "{s.prefixes.quoted[,max length]}"},
        {"s.escape.user", tr_kind::s_escape_user, tr_params::none, "{s.escape.user}"},
        {"s.unescape.user", tr_kind::s_unescape_user, tr_params::none, "{s.unescape.user}"},
        {"s.escape.param", tr_kind::s_escape_param, tr_params::none, "{s.escape.param}"},
        {"s.unescape.param", tr_kind::s_unescape_param, tr_params::none, "{s.unescape.param}"},
        {"s.urlencode.param", tr_kind::s_urlencode_param, tr_params::none, "{s.urlencode.param}"},
        {"s.urldecode.param", tr_kind::s_urldecode_param, tr_params::none, "{s.urldecode.param}"},
        {"s.unquote", tr_kind::s_unquote, tr_params::none, "{s.unquote}"},
        {"s.unbracket", tr_kind::s_unbracket, tr_params::none, "{s.unbracket}"},
        {"s.rmws", tr_kind::s_rmws, tr_params::none, "{s.rmws}"},
        {"s.before", tr_kind::s_before, tr_params::one_name, "{s.before,char}"},
        {"s.after", tr_kind::s_after, tr_params::one_name, "{s.after,char}"},
        {"s.corehash", tr_kind::s_corehash, tr_params::opt_int, "{s.corehash[,size]}"},
        {"re.subst", tr_kind::re_subst, tr_params::substitution, "{re.subst,/regex/replacement/flags}"},
        {"line.count", tr_kind::line_count, tr_params::none, "{line.count}"},
        {"line.at", tr_kind::line_at, tr_params::one_int, "{line.at,position}"},
        {"line.sw", tr_kind::line_sw, tr_params::one_name, "{line.sw,prefix}"},
        {"uri.user", tr_kind::uri_user, tr_params::none, "{uri.user}"},
        {"uri.host", tr_kind::uri_host, tr_params::none, "{uri.host}"},
        {"uri.port", tr_kind::uri_port, tr_params::none, "{uri.port}"},
        {"uri.params", tr_kind::uri_params, tr_params::none, "{uri.params}"},
        {"uri.param", tr_kind::uri_param, tr_params::one_name, "{uri.param,name}"},
        {"uri.transport", tr_kind::uri_transport, tr_params::none, "{uri.transport}"},
        {"uri.scheme", tr_kind::uri_scheme, tr_params::none, "{uri.scheme}"},
        {"uri.passwd", tr_kind::uri_passwd, tr_params::none, "{uri.passwd}"},
        {"uri.headers", tr_kind::uri_headers, tr_params::none, "{uri.headers}"},
        {"uri.tosocket", tr_kind::uri_tosocket, tr_params::none, "{uri.tosocket}"},
        {"param.value", tr_kind::param_value, tr_params::name_opt_sep, "{param.value,name[,separator]}"},
        {"param.in", tr_kind::param_in, tr_params::name_opt_sep, "{param.in,name[,separator]}"},
        {"param.count", tr_kind::param_count, tr_params::opt_sep, "{param.count[,separator]}"},
        {"param.name", tr_kind::param_name, tr_params::int_opt_sep, "{param.name,index[,separator]}"},
        {"param.valueat", tr_kind::param_valueat, tr_params::int_opt_sep,
         "{param.valueat,index[,separator]}"},
        {"nameaddr.name", tr_kind::nameaddr_name, tr_params::none, "{nameaddr.name}"},
        {"nameaddr.uri", tr_kind::nameaddr_uri, tr_params::none, "{nameaddr.uri}"},
        {"nameaddr.len", tr_kind::nameaddr_len, tr_params::none, "{nameaddr.len}"},
        {"tobody.uri", tr_kind::tobody_uri, tr_params::none, "{tobody.uri}"},
        {"tobody.tag", tr_kind::tobody_tag, tr_params::none, "{tobody.tag}"},
        {"tobody.user", tr_kind::tobody_user, tr_params::none, "{tobody.user}"},
        {"tobody.host", tr_kind::tobody_host, tr_params::none, "{tobody.host}"},
        {"tobody.display", tr_kind::tobody_display, tr_params::none, "{tobody.display}"},
        {"tobody.params", tr_kind::tobody_params, tr_params::none, "{tobody.params}"},
    };
    return infos;
}

bool parse_int(std::string_view text, std::int64_t& out) {
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

/// Splits at the first ','; rest is empty and has_rest false when there is none.
std::string_view split_first(std::string_view text, std::string_view& rest, bool& has_rest) {
    auto comma = text.find(',');
    has_rest = comma != std::string_view::npos;
    rest = has_rest ? text.substr(comma + 1) : std::string_view();
    return has_rest ? text.substr(0, comma) : text;
}

/// s.select's separator: one character, or the escapes \\ \n \r \t written as two (in an expression
/// Kamailio 5.6.3 reads them so); any other escape is refused, as Kamailio refuses it.
bool read_select_separator(std::string_view text, char& out, std::string& why) {
    if (text == "\\") { // the '}' after it closes the transformation: Kamailio reads the escape "\}"
        why = "the separator's escape \\} is not one of \\\\ \\n \\r \\t";
        return false;
    }
    if (text.size() == 1) {
        out = text[0];
        return true;
    }
    if (text.size() == 2 && text[0] == '\\') {
        switch (text[1]) {
        case '\\':
            out = '\\';
            return true;
        case 'n':
            out = '\n';
            return true;
        case 'r':
            out = '\r';
            return true;
        case 't':
            out = '\t';
            return true;
        default:
            why = std::string("the separator's escape \\") + text[1] + " is not one of \\\\ \\n \\r \\t";
            return false;
        }
    }
    why = "the separator must be one character";
    return false;
}

/// Checks the parameters of one transformation (params is everything after the name's ','); error is set
/// when they are wrong.
void fill_params(const tr_info& info, bool has_params, std::string_view params, transformation& tr,
                 std::string& error) {
    auto wrong = [&](const std::string& why) {
        error = "bad parameters for transformation '" + std::string(info.name) + "': " + why + "; usage " +
                info.usage;
    };
    if (info.params == tr_params::substitution) {
        // The whole parameter, commas and '$' (an anchor there) included, is the expression.
        if (!has_params)
            wrong("missing parameter");
        else if (!(tr.substitution = regex_substitution::parse(params, error)))
            error = "bad parameters for transformation '" + std::string(info.name) + "': " + error;
        return;
    }
    // A parameter that starts with '$' is a pseudo-variable, read each time the value is, where Kamailio 5.6
    // takes one (not for separators).
    auto as_pv = [&](std::string_view param, int slot, bool integer) {
        if (param.empty() || param.front() != '$')
            return false;
        tr.pv_params[slot] = {std::string(param), integer};
        return true;
    };
    auto int_or_pv = [&](std::string_view param, int slot, std::int64_t& out) {
        return as_pv(param, slot, true) || parse_int(param, out);
    };
    auto text_or_pv = [&](std::string_view param, int slot, std::string& out) {
        if (!as_pv(param, slot, false))
            out = std::string(param);
    };
    std::string_view rest;
    bool more = false;
    switch (info.params) {
    case tr_params::none:
        if (has_params)
            wrong("it takes no parameter");
        return;
    case tr_params::opt_int:
        if (has_params && !int_or_pv(params, 0, tr.number))
            wrong("the parameter must be an integer");
        break;
    case tr_params::opt_sep:
        if (has_params) {
            if (params.size() != 1)
                wrong("the separator must be one character");
            else
                tr.separator = params[0];
        }
        return;
    default:
        if (!has_params) {
            wrong("missing parameter");
            return;
        }
        break;
    }
    std::string_view first = split_first(params, rest, more);
    switch (info.params) {
    case tr_params::int_int:
        if (!more || !int_or_pv(first, 0, tr.number) || !int_or_pv(rest, 1, tr.number2))
            wrong("offset and length must be integers");
        break;
    case tr_params::int_char:
        if (!more || !int_or_pv(first, 0, tr.number))
            wrong("the index must be an integer");
        else if (std::string why; !read_select_separator(rest, tr.separator, why))
            wrong(why);
        break;
    case tr_params::one_int:
        if (!int_or_pv(params, 0, tr.number))
            wrong(info.kind == tr_kind::line_at ? "the position must be an integer"
                                                : "the length must be an integer");
        break;
    case tr_params::one_char:
        if (!as_pv(params, 0, false) && params.size() != 1)
            wrong("the parameter must be one character");
        else
            text_or_pv(params, 0, tr.text);
        break;
    case tr_params::two_strings:
        if (!more || first.empty())
            wrong("a non-empty match and a replacement are needed");
        else {
            text_or_pv(first, 0, tr.text);
            text_or_pv(rest, 1, tr.text2);
        }
        break;
    case tr_params::one_name:
        if (params.empty())
            wrong("the name is empty");
        else
            text_or_pv(params, 0, tr.text);
        break;
    case tr_params::name_opt_sep:
    case tr_params::int_opt_sep:
        if (info.params == tr_params::name_opt_sep ? first.empty() : !int_or_pv(first, 0, tr.number)) {
            wrong(info.params == tr_params::name_opt_sep ? "the name is empty"
                                                         : "the index must be an integer");
            return;
        }
        if (info.params == tr_params::name_opt_sep)
            text_or_pv(first, 0, tr.text);
        if (more) {
            if (rest.size() != 1)
                wrong("the separator must be one character");
            else if (rest[0] == ',') // Kamailio 5.6.3 refuses it here (not in param.count)
                wrong("the separator cannot be ','");
            else
                tr.separator = rest[0];
        }
        break;
    default:
        break;
    }
    for (const auto& pv : tr.pv_params) {
        std::string why;
        if (error.empty() && !pv.text.empty() && !parse_pv_name(pv.text, why))
            wrong("'" + pv.text + "' is not a pseudo-variable: " + why);
    }
}

} // namespace

const std::vector<std::string>& transformation_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& info : table())
            out.emplace_back(info.name);
        return out;
    }();
    return names;
}

bool parse_transformations(std::string_view text, std::vector<transformation>& out, std::string& error,
                           std::size_t& error_offset) {
    std::size_t i = 0;
    while (i < text.size()) {
        error_offset = i;
        if (text[i] != '{') {
            error = "unexpected '" + std::string(text.substr(i)) + "' after the transformations";
            return false;
        }
        // As Kamailio 5.6.3 reads it, a transformation ends at the '}' that pairs with its '{' (so that
        // {re.subst,/[{}]/x/} holds braces that pair).
        std::size_t close = std::string_view::npos;
        for (std::size_t j = i, depth = 0; j < text.size(); ++j)
            if (text[j] == '{') {
                ++depth;
            } else if (text[j] == '}' && --depth == 0) {
                close = j;
                break;
            }
        if (close == std::string_view::npos) {
            error =
                "missing '}' after the transformation (a '{' in a parameter needs its '}', and a '(' or ')' "
                "its partner: the pseudo-variable ends at the ')' that pairs with its '(')";
            return false;
        }
        std::string_view body = text.substr(i + 1, close - i - 1);
        std::string_view params;
        bool has_params = false;
        std::string_view name = split_first(body, params, has_params);
        const tr_info* found = nullptr;
        for (const auto& info : table())
            if (name == info.name)
                found = &info;
        if (found == nullptr) {
            error = "unknown transformation '" + std::string(name) + "'";
            return false;
        }
        bool last = false;
        if (found->params == tr_params::int_char && has_params && params.ends_with(',') &&
            params.find(',') == params.size() - 1) {
            // {s.select,1,}}: the separator is '}', as Kamailio 5.6.3 reads one character after the index;
            // its own '}' may follow after blanks. Kamailio then ends the transformations: nothing may
            // follow.
            std::size_t end = close + 1;
            while (end < text.size() && (text[end] == ' ' || text[end] == '\t'))
                ++end;
            if (end < text.size() && text[end] == '}') {
                params = std::string_view(params.data(), params.size() + 1); // "1,}", blanks left out
                close = end;
                last = true;
            }
        }
        if (found->params != tr_params::substitution && !last &&
            params.find_first_of("{}") != std::string_view::npos) {
            error =
                "a parameter of '" + std::string(name) +
                "' cannot hold '{' or '}' (Kamailio 5.6.3 refuses it; only re.subst's expression may hold "
                "braces that pair, and s.select's separator may be '}')";
            return false;
        }
        transformation tr;
        tr.kind = found->kind;
        tr.name = found->name;
        tr.offset = i;
        fill_params(*found, has_params, params, tr, error);
        if (!error.empty())
            return false;
        out.push_back(std::move(tr));
        i = close + 1;
        if (last && i < text.size()) {
            error_offset = i;
            error = "nothing may follow {s.select,N,}} (a '}' separator): Kamailio 5.6.3 ends the "
                    "transformations there; apply the others to a variable that holds this value";
            return false;
        }
    }
    return true;
}

} // namespace siphost::cfg
