#include "cfg/parser.hpp"

#include <algorithm>

namespace siphost::cfg {
namespace {

struct route_keyword {
    const char* word;
    std::uint32_t unnamed_type; ///< type without a name (0: a name is required)
    std::uint32_t named_type;   ///< type with a name (0: no name allowed)
};

const route_keyword route_keywords[] = {
    {"request_route", SIPHOST_ROUTE_REQUEST, 0},
    {"route", SIPHOST_ROUTE_REQUEST, SIPHOST_ROUTE_REQUEST},
    {"failure_route", 0, SIPHOST_ROUTE_FAILURE},
    {"onreply_route", SIPHOST_ROUTE_CORE_ONREPLY, SIPHOST_ROUTE_TM_ONREPLY},
    {"reply_route", SIPHOST_ROUTE_CORE_ONREPLY, 0},
    {"branch_route", 0, SIPHOST_ROUTE_BRANCH},
    {"onsend_route", SIPHOST_ROUTE_ONSEND, 0},
    {"event_route", 0, SIPHOST_ROUTE_EVENT},
    {"error_route", SIPHOST_ROUTE_ERROR, 0},
    {"local_route", SIPHOST_ROUTE_LOCAL, 0},
};

const route_keyword* find_route_keyword(std::string_view word) {
    for (const auto& k : route_keywords)
        if (word == k.word)
            return &k;
    return nullptr;
}

/// Kamailio's boolean words: 1 for yes/true/on/enable, 0 for no/false/off/disable, -1 for other words.
int boolean_word(std::string_view w) {
    if (w == "yes" || w == "true" || w == "on" || w == "enable")
        return 1;
    if (w == "no" || w == "false" || w == "off" || w == "disable")
        return 0;
    return -1;
}

bool is_statement_word(std::string_view w) {
    return w == "if" || w == "switch" || w == "while" || w == "return" || w == "exit" || w == "drop" ||
           w == "break" || w == "route";
}

} // namespace

int config::find_route(std::uint32_t type, std::string_view name) const {
    if (name == "0" && type != SIPHOST_ROUTE_REQUEST)
        name = "";
    for (std::size_t i = 0; i < routes.size(); ++i)
        if (routes[i].type == type && routes[i].name == name)
            return static_cast<int>(i);
    return -1;
}

std::string route_title(std::uint32_t type, const std::string& name) {
    std::string base;
    switch (type) {
    case SIPHOST_ROUTE_REQUEST:
        base = name.empty() ? "request_route" : "route";
        break;
    case SIPHOST_ROUTE_FAILURE:
        base = "failure_route";
        break;
    case SIPHOST_ROUTE_TM_ONREPLY:
        base = "onreply_route";
        break;
    case SIPHOST_ROUTE_CORE_ONREPLY:
        base = "onreply_route";
        break;
    case SIPHOST_ROUTE_BRANCH:
        base = "branch_route";
        break;
    case SIPHOST_ROUTE_ONSEND:
        base = "onsend_route";
        break;
    case SIPHOST_ROUTE_EVENT:
        base = "event_route";
        break;
    case SIPHOST_ROUTE_BRANCH_FAILURE:
        return "event_route[tm:branch-failure:" + name + "]";
    case SIPHOST_ROUTE_ERROR:
        base = "error_route";
        break;
    case SIPHOST_ROUTE_LOCAL:
        base = "local_route";
        break;
    default:
        base = "route";
        break;
    }
    return name.empty() ? base : base + "[" + name + "]";
}

const char* spelling(op_kind op) {
    switch (op) {
    case op_kind::log_or:
        return "||";
    case op_kind::log_and:
        return "&&";
    case op_kind::log_not:
        return "!";
    case op_kind::bit_or:
        return "|";
    case op_kind::bit_and:
        return "&";
    case op_kind::bit_xor:
        return "^";
    case op_kind::bit_not:
        return "~";
    case op_kind::shift_left:
        return "<<";
    case op_kind::shift_right:
        return ">>";
    case op_kind::equal:
        return "==";
    case op_kind::not_equal:
        return "!=";
    case op_kind::match:
        return "=~";
    case op_kind::not_match:
        return "!~";
    case op_kind::str_equal:
        return "eq";
    case op_kind::str_not_equal:
        return "ne";
    case op_kind::int_equal:
        return "ieq";
    case op_kind::int_not_equal:
        return "ine";
    case op_kind::less:
        return "<";
    case op_kind::greater:
        return ">";
    case op_kind::less_equal:
        return "<=";
    case op_kind::greater_equal:
        return ">=";
    case op_kind::plus:
        return "+";
    case op_kind::minus:
        return "-";
    case op_kind::multiply:
        return "*";
    case op_kind::divide:
        return "/";
    case op_kind::modulo:
        return "mod";
    case op_kind::negate:
        return "-";
    case op_kind::strlen_op:
        return "strlen";
    case op_kind::strempty_op:
        return "strempty";
    case op_kind::defined_op:
        return "defined";
    case op_kind::int_cast:
        return "(int)";
    case op_kind::str_cast:
        return "(str)";
    case op_kind::in_network:
    case op_kind::needs_send_info:
        return "==";
    case op_kind::none:
        return "";
    }
    return "";
}

parser::parser(const std::vector<source_line>& lines, std::vector<token> tokens, diagnostics& diags)
    : lines_(lines), tokens_(std::move(tokens)), diags_(diags) {
    if (tokens_.empty() || tokens_.back().kind != token_kind::end)
        tokens_.push_back(token{});
}

const token& parser::peek(std::size_t ahead) const {
    std::size_t i = std::min(current_ + ahead, tokens_.size() - 1);
    return tokens_[i];
}

const token& parser::previous() const {
    return tokens_[current_ == 0 ? 0 : current_ - 1];
}

bool parser::check_word(std::string_view word) const {
    return peek().kind == token_kind::identifier && peek().text == word;
}

bool parser::match(token_kind kind) {
    if (!check(kind))
        return false;
    advance();
    return true;
}

bool parser::match_word(std::string_view word) {
    if (!check_word(word))
        return false;
    advance();
    return true;
}

const token& parser::advance() {
    if (current_ < tokens_.size() - 1)
        ++current_;
    return previous();
}

source_location parser::after_previous() const {
    const token& t = previous();
    if (t.line_index < lines_.size())
        return lines_[t.line_index].location_at(t.offset + t.length);
    return t.where;
}

bool parser::expect(token_kind kind, const char* what) {
    if (match(kind))
        return true;
    std::string found = check(token_kind::end) ? "end of file" : "'" + raw_text(peek()) + "'";
    diags_.error(current_ == 0 ? peek().where : after_previous(),
                 std::string("expected ") + describe(kind) + " " + what + ", found " + found);
    return false;
}

std::string parser::adjacent_strings_hint() const {
    if (!previous().quoted || !peek().quoted)
        return {};
    if (!previous().single_quoted && !peek().single_quoted)
        return "Kamailio 5.6.3 joins double-quoted strings with only white space between them, not a comment";
    return "Kamailio 5.6.3 joins adjacent strings only when both are in double quotes: write \"a\" \"b\", "
           "not 'a' 'b' or \"a\" 'b'";
}

std::string parser::raw_text(const token& t) const {
    if (t.kind == token_kind::end || t.line_index >= lines_.size())
        return t.text;
    const std::string& text = lines_[t.line_index].text;
    if (t.offset >= text.size())
        return t.text;
    return text.substr(t.offset, t.length);
}

bool parser::starts_line(const token& t) const {
    const token* it = &t;
    if (it == &tokens_.front())
        return true;
    const token& before = *(it - 1);
    return before.line_index != t.line_index;
}

void parser::parse(config& out) {
    while (!check(token_kind::end)) {
        std::size_t before = current_;
        top_level(out);
        if (current_ == before)
            advance();
    }
}

void parser::top_level(config& out) {
    const token& t = peek();
    if (t.kind == token_kind::semicolon) {
        advance();
        return;
    }
    if (t.kind != token_kind::identifier) {
        diags_.error(t.where, "expected a global parameter, loadmodule, modparam or a route block, found '" +
                                  raw_text(t) + "'");
        advance();
        skip_top_level();
        return;
    }
    if (t.text == "loadmodule")
        return loadmodule(out);
    if (t.text == "modparam")
        return modparam(out);
    if (t.text == "avpflags")
        return avp_flags_statement(out);
    if (t.text == "flags" && peek(1).kind == token_kind::identifier)
        return flags_statement(out);
    if (find_route_keyword(t.text) &&
        (peek(1).kind == token_kind::lbrace || peek(1).kind == token_kind::lbracket))
        return route_block_statement(out);
    if (peek(1).kind == token_kind::assign)
        return global_param(out);
    if (peek(1).kind == token_kind::dot && peek(2).kind == token_kind::identifier &&
        peek(3).kind == token_kind::assign)
        return custom_variable_statement(out);
    if (t.text == "include_file" || t.text == "import_file") {
        diags_.error(t.where, "'" + t.text + "' must start its own line",
                     t.text + " \"file.cfg\" on a line of its own");
        advance();
        skip_top_level();
        return;
    }
    std::string hint;
    std::vector<std::string> words = {"loadmodule",    "modparam",      "request_route", "route",
                                      "failure_route", "onreply_route", "reply_route",   "branch_route",
                                      "onsend_route",  "event_route"};
    std::string near = nearest_name(t.text, words);
    if (!near.empty())
        hint = "did you mean '" + near + "'?";
    else if (find_route_keyword(t.text))
        hint = "a route block needs '{'";
    diags_.error(t.where, "unexpected '" + t.text + "' at the top level", hint);
    advance();
    skip_top_level();
}

void parser::skip_top_level() {
    // Skip to the next line that starts with a name at brace depth 0 (the next top-level statement).
    int depth = 0;
    while (!check(token_kind::end)) {
        const token& t = peek();
        if (depth == 0 && t.kind == token_kind::identifier && starts_line(t))
            return;
        if (t.kind == token_kind::lbrace)
            ++depth;
        if (t.kind == token_kind::rbrace && depth > 0 && --depth == 0) {
            advance();
            return;
        }
        advance();
    }
}

void parser::global_param(config& out) {
    const token& name = advance();
    const token& eq = advance();
    std::vector<const token*> parts;
    while (!check(token_kind::end) && !check(token_kind::semicolon) && peek().line_index == eq.line_index)
        parts.push_back(&advance());
    match(token_kind::semicolon);
    if (parts.empty()) {
        diags_.error(after_previous(), "'" + name.text + "' needs a value after '='");
        return;
    }
    param_value value;
    if (parts.size() == 1 && parts[0]->kind == token_kind::string) {
        value.text = parts[0]->text;
        value.quoted = true;
    } else if (parts.size() == 1 && parts[0]->kind == token_kind::integer) {
        value.text = parts[0]->text;
        value.is_number = true;
        value.number = parts[0]->number;
    } else if (parts.size() == 1 && parts[0]->kind == token_kind::identifier &&
               boolean_word(parts[0]->text) >= 0) {
        value.text = parts[0]->text;
        value.is_number = true;
        value.number = boolean_word(parts[0]->text);
    } else if (parts.size() == 2 && parts[0]->kind == token_kind::minus &&
               parts[1]->kind == token_kind::integer) {
        value.text = "-" + parts[1]->text;
        value.is_number = true;
        value.number = -parts[1]->number;
    } else {
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (i > 0 && parts[i - 1]->offset + parts[i - 1]->length != parts[i]->offset)
                value.text += ' ';
            value.text += parts[i]->kind == token_kind::string ? parts[i]->text : raw_text(*parts[i]);
        }
    }
    apply_global_param(out.params, name.text, name.where, value, parts[0]->where, diags_);
}

void parser::avp_flags_statement(config& out) {
    advance(); // avpflags
    do {
        if (!check(token_kind::identifier)) {
            diags_.error(peek().where, "expected a flag name after 'avpflags'", "avpflags name1, name2;");
            skip_top_level();
            return;
        }
        const token& name = advance();
        // A name declared twice keeps its first bit, as Kamailio accepts it.
        if (std::find(out.avp_flag_names.begin(), out.avp_flag_names.end(), name.text) ==
            out.avp_flag_names.end()) {
            if (out.avp_flag_names.size() == max_avp_flags)
                diags_.error(name.where, "too many avpflags: siphost has " + std::to_string(max_avp_flags));
            else
                out.avp_flag_names.emplace_back(name.text);
        }
    } while (match(token_kind::comma));
    if (!expect(token_kind::semicolon, "after the avpflags names"))
        skip_top_level();
}

void parser::flags_statement(config& out) {
    advance(); // flags
    auto used = [&](int number) {
        return std::any_of(out.flag_names.begin(), out.flag_names.end(),
                           [&](const auto& flag) { return flag.second == number; });
    };
    do {
        if (!check(token_kind::identifier)) {
            diags_.error(peek().where, "expected a flag name after 'flags'", "flags FLAG_NAT: 5, FLAG_ACC;");
            skip_top_level();
            return;
        }
        const token& name = advance();
        int number = -1;
        if (match(token_kind::colon)) {
            if (!check(token_kind::integer) || peek().number < 0 || peek().number > max_message_flag) {
                diags_.error(peek().where, "a flag number is 0 to " + std::to_string(max_message_flag),
                             "flags " + name.text + ": 5;");
                skip_top_level();
                return;
            }
            number = static_cast<int>(advance().number);
        }
        auto same = std::find_if(out.flag_names.begin(), out.flag_names.end(),
                                 [&](const auto& flag) { return flag.first == name.text; });
        if (same != out.flag_names.end()) {
            if (number >= 0 && number != same->second)
                diags_.error(name.where, "flag '" + name.text + "' is declared already, as flag " +
                                             std::to_string(same->second));
            continue;
        }
        if (number >= 0 && used(number)) {
            diags_.error(name.where, "flag " + std::to_string(number) + " has a name already");
            continue;
        }
        // As Kamailio 5.6.3 numbers it (measured): a name without a number takes the lowest one free so far.
        for (int free = 0; number < 0 && free <= max_message_flag; ++free)
            if (!used(free))
                number = free;
        if (number < 0) {
            diags_.error(name.where, "no message flag is left for '" + name.text + "'");
            continue;
        }
        out.flag_names.emplace_back(name.text, number);
    } while (match(token_kind::comma));
    if (!expect(token_kind::semicolon, "after the flag names"))
        skip_top_level();
}

void parser::custom_variable_statement(config& out) {
    custom_variable v;
    const token& group = advance();
    advance(); // '.'
    const token& name = advance();
    advance(); // '='
    v.group = group.text;
    v.name = name.text;
    v.where = group.where;
    bool negative = match(token_kind::minus);
    if (check(token_kind::integer)) {
        v.is_int = true;
        v.number = negative ? -advance().number : advance().number;
    } else if (!negative && check(token_kind::identifier) && boolean_word(peek().text) >= 0) {
        v.is_int = true;
        v.number = boolean_word(advance().text);
    } else if (!negative && check(token_kind::string)) {
        v.text = advance().text;
    } else {
        diags_.error(peek().where,
                     "the custom variable '" + v.group + "." + v.name + "' needs a number or a quoted string",
                     v.group + "." + v.name + " = 1 desc \"what it is\"");
        skip_top_level();
        return;
    }
    if (check_word("desc") || check_word("descr")) {
        advance();
        if (!check(token_kind::string)) {
            diags_.error(peek().where, "'desc' needs the description as a quoted string");
            skip_top_level();
            return;
        }
        v.description = advance().text;
    }
    match(token_kind::semicolon);
    for (const auto& other : out.custom_variables)
        if (other.group == v.group && other.name == v.name) {
            diags_.error(v.where, "the custom variable '" + v.group + "." + v.name + "' is declared twice",
                         "the first one is at line " + std::to_string(other.where.line));
            return;
        }
    out.custom_variables.push_back(std::move(v));
}

void parser::loadmodule(config& out) {
    const token& keyword = advance();
    bool parens = match(token_kind::lparen);
    if (!check(token_kind::string)) {
        diags_.error(peek().where, "loadmodule needs the module's file name as a quoted string",
                     "loadmodule \"tm.so\"");
        skip_top_level();
        return;
    }
    const token& file = advance();
    std::string options;
    if (parens) {
        if (match(token_kind::comma)) {
            if (check(token_kind::string))
                options = advance().text;
            else
                diags_.error(peek().where, "loadmodule's options must be a quoted string");
        }
        if (!expect(token_kind::rparen, "after loadmodule's arguments")) {
            skip_top_level();
            return;
        }
    }
    match(token_kind::semicolon);
    module_statement s;
    s.what = module_statement::kind::loadmodule;
    s.file = file.text;
    s.options = std::move(options);
    s.mpath = out.params.mpath;
    s.where[0] = keyword.where;
    s.where[1] = file.where;
    out.module_statements.push_back(std::move(s));
}

void parser::modparam(config& out) {
    const token& keyword = advance();
    (void)keyword;
    if (!expect(token_kind::lparen, "after modparam")) {
        skip_top_level();
        return;
    }
    std::string texts[2];
    source_location where[3];
    for (int i = 0; i < 2; ++i) {
        where[i] = peek().where;
        if (!check(token_kind::string)) {
            diags_.error(peek().where,
                         i == 0 ? "modparam's first argument is the module name as a quoted string"
                                : "modparam's second argument is the parameter name as a quoted string",
                         "modparam(\"tm\", \"fr_timer\", 30000)");
            skip_top_level();
            return;
        }
        texts[i] = advance().text;
        if (!expect(token_kind::comma, "between modparam's arguments")) {
            skip_top_level();
            return;
        }
    }
    where[2] = peek().where;
    siphost_value value{};
    std::string string_value;
    if (check(token_kind::string)) {
        string_value = advance().text;
        value.kind = SIPHOST_VALUE_STR;
    } else if (check(token_kind::integer)) {
        value.kind = SIPHOST_VALUE_INT;
        value.num = advance().number;
    } else if (check(token_kind::minus) && peek(1).kind == token_kind::integer) {
        advance();
        value.kind = SIPHOST_VALUE_INT;
        value.num = -advance().number;
    } else if (check(token_kind::identifier) && boolean_word(peek().text) >= 0) {
        value.kind = SIPHOST_VALUE_INT;
        value.num = boolean_word(advance().text);
    } else if (check(token_kind::identifier)) {
        // Most often a #!define'd name (DBURL) whose #!define sits in an #!ifdef that is not on.
        diags_.error(peek().where,
                     "'" + peek().text + "' is not defined: modparam's value must be a quoted string, a number, " +
                         "yes/no or a #!define'd name",
                     "#!define " + peek().text + " \"...\" before this line, or -A " + peek().text +
                         "=... on the command line (the #!define may be inside an #!ifdef that is off)");
        skip_top_level();
        return;
    } else {
        diags_.error(peek().where, "modparam's value must be a quoted string, a number or yes/no",
                     "yes, true, on and enable are 1; no, false, off and disable are 0");
        skip_top_level();
        return;
    }
    value.str = {string_value.c_str(), string_value.size()};
    if (!expect(token_kind::rparen, "after modparam's arguments")) {
        skip_top_level();
        return;
    }
    match(token_kind::semicolon);
    ++out.modparam_count;
    module_statement s;
    s.what = module_statement::kind::modparam;
    s.module_regex = std::move(texts[0]);
    s.param = std::move(texts[1]);
    s.is_int = value.kind == SIPHOST_VALUE_INT;
    s.number = s.is_int ? value.num : 0;
    s.text = std::move(string_value);
    std::copy(std::begin(where), std::end(where), std::begin(s.where));
    out.module_statements.push_back(std::move(s));
}

void parser::route_block_statement(config& out) {
    const token& keyword = advance();
    const route_keyword* kind = find_route_keyword(keyword.text);
    std::string name;
    bool named = false;
    source_location name_where = keyword.where;
    if (match(token_kind::lbracket)) {
        named = true;
        name_where = peek().where;
        std::vector<const token*> parts;
        while (!check(token_kind::rbracket) && !check(token_kind::end) && !check(token_kind::lbrace))
            parts.push_back(&advance());
        expect(token_kind::rbracket, "after the route name");
        if (parts.size() == 1 && parts[0]->kind == token_kind::string) {
            name = parts[0]->text;
        } else {
            for (std::size_t i = 0; i < parts.size(); ++i) {
                if (i > 0 && parts[i - 1]->offset + parts[i - 1]->length != parts[i]->offset)
                    name += ' ';
                name += raw_text(*parts[i]);
            }
        }
        if (name.empty())
            diags_.error(name_where, "the route name between '[' and ']' is empty");
    }
    // route[0], onreply_route[0] name the main block.
    if (named && name == "0" && kind->unnamed_type != 0)
        named = false, name.clear();
    if (named && keyword.text == "route" && name == "0")
        named = false;
    std::uint32_t type = named ? kind->named_type : kind->unnamed_type;
    if (type == 0) {
        if (named)
            diags_.error(keyword.where, "'" + keyword.text + "' does not take a name");
        else
            diags_.error(keyword.where, "'" + keyword.text + "' needs a name",
                         keyword.text + "[NAME] { ... }");
        type = kind->named_type ? kind->named_type : kind->unnamed_type;
    }
    if (type == SIPHOST_ROUTE_EVENT && name.find(':') == std::string::npos)
        diags_.error(name_where, "an event_route name is 'module:event'", "event_route[tm:local-request]");
    if (!check(token_kind::lbrace)) {
        expect(token_kind::lbrace, "to open the route block");
        skip_top_level();
        return;
    }
    route_block route;
    route.type = type;
    route.name = named ? name : std::string();
    route.where = keyword.where;
    route.body = block();
    if (named && name.empty())
        return; // reported above
    int existing = out.find_route(type, route.name);
    if (existing >= 0) {
        const auto& first = out.routes[existing].where;
        diags_.error(keyword.where, "duplicate " + route_title(type, route.name),
                     "the first one is at " + diags_.sources().file_name(first.file) + ":" +
                         std::to_string(first.line));
        return;
    }
    out.routes.push_back(std::move(route));
}

std::vector<std::unique_ptr<stmt>> parser::block() {
    std::vector<std::unique_ptr<stmt>> body;
    const token& open = peek();
    if (!expect(token_kind::lbrace, "to open a block"))
        return body;
    if (++depth_ > max_nesting) {
        diags_.error(open.where, "blocks nest too deeply");
        // Skip the whole block without recursing.
        int level = 1;
        while (!check(token_kind::end) && level > 0) {
            if (check(token_kind::lbrace))
                ++level;
            if (check(token_kind::rbrace))
                --level;
            advance();
        }
        --depth_;
        return body;
    }
    while (!check(token_kind::rbrace) && !check(token_kind::end)) {
        std::size_t before = current_;
        if (auto s = statement())
            body.push_back(std::move(s));
        if (current_ == before)
            advance();
    }
    if (check(token_kind::end))
        diags_.error(open.where, "this '{' is never closed", "add '}' at the end of the block");
    else
        advance();
    --depth_;
    return body;
}

std::vector<std::unique_ptr<stmt>> parser::body_of(std::unique_ptr<stmt> s) {
    std::vector<std::unique_ptr<stmt>> body;
    if (!s)
        return body;
    if (s->kind == stmt_kind::block)
        return std::move(s->body);
    body.push_back(std::move(s));
    return body;
}

void parser::synchronize() {
    // Skip the rest of a broken statement: up to and including ';', or up to a '}' closing the block, or
    // to a statement keyword at the start of a line.
    bool first = true;
    while (!check(token_kind::end)) {
        const token& t = peek();
        if (t.kind == token_kind::semicolon) {
            advance();
            return;
        }
        if (t.kind == token_kind::rbrace)
            return;
        if (!first && starts_line(t) &&
            (t.kind == token_kind::pvar || (t.kind == token_kind::identifier && is_statement_word(t.text))))
            return;
        if (t.kind == token_kind::lbrace) {
            int level = 0;
            do {
                if (check(token_kind::lbrace))
                    ++level;
                else if (check(token_kind::rbrace))
                    --level;
                advance();
            } while (!check(token_kind::end) && level > 0);
            return;
        }
        advance();
        first = false;
    }
}

void parser::end_statement(const char* after) {
    if (match(token_kind::semicolon))
        return;
    if (previous().broken) {
        synchronize();
        return;
    }
    diags_.error(after_previous(), std::string("expected ';' after ") + after, adjacent_strings_hint());
    // A forgotten ';' at the end of a line: go on with the next line. Anything else on the same line is
    // part of the broken statement.
    if (!check(token_kind::rbrace) && !check(token_kind::end) && !starts_line(peek()))
        synchronize();
}

std::unique_ptr<stmt> parser::statement() {
    const token& t = peek();
    switch (t.kind) {
    case token_kind::lbrace: {
        auto s = std::make_unique<stmt>();
        s->kind = stmt_kind::block;
        s->where = t.where;
        s->body = block();
        return s;
    }
    case token_kind::semicolon: {
        advance();
        return nullptr;
    }
    case token_kind::pvar:
        return assignment();
    case token_kind::identifier:
        break;
    default:
        diags_.error(t.where, "expected a statement, found '" + raw_text(t) + "'");
        synchronize();
        return nullptr;
    }
    if (t.text == "if")
        return if_statement();
    if (t.text == "switch")
        return switch_statement();
    if (t.text == "while")
        return while_statement();
    if (t.text == "return")
        return return_or_exit(stmt_kind::return_stmt);
    if (t.text == "exit")
        return return_or_exit(stmt_kind::exit_stmt);
    if (t.text == "drop") {
        auto s = std::make_unique<stmt>();
        s->kind = stmt_kind::drop_stmt;
        s->where = advance().where;
        if (match(token_kind::lparen))
            expect(token_kind::rparen, "after 'drop('");
        end_statement("'drop'");
        return s;
    }
    if (t.text == "break") {
        auto s = std::make_unique<stmt>();
        s->kind = stmt_kind::break_stmt;
        s->where = advance().where;
        if (loop_depth_ == 0) {
            s->break_ends_route = true;
            diags_.warning(s->where, "'break' outside switch or while ends the route",
                           "use 'return' to leave a route");
        }
        end_statement("'break'");
        return s;
    }
    if (t.text == "else") {
        diags_.error(t.where, "'else' without 'if'");
        advance();
        return nullptr;
    }
    if (t.text == "case" || t.text == "default") {
        diags_.error(t.where, "'" + t.text + "' outside a switch");
        synchronize();
        return nullptr;
    }
    if (peek(1).kind == token_kind::assign || peek(1).kind == token_kind::plus_assign) {
        diags_.error(t.where, "cannot assign to '" + t.text + "'",
                     "assign to a pseudo-variable such as $var(" + t.text + ")");
        synchronize();
        return nullptr;
    }
    return call_statement();
}

std::unique_ptr<stmt> parser::call_statement() {
    const token& name = advance();
    auto s = std::make_unique<stmt>();
    s->kind = stmt_kind::expression;
    s->where = name.where;
    if (name.text == "route") {
        if (!check(token_kind::lparen)) {
            diags_.error(after_previous(), "expected '(' after 'route'", "route(NAME);");
            synchronize();
            return nullptr;
        }
        s->value = route_reference(name.where);
    } else if (check(token_kind::lparen)) {
        s->value = call_expression(name);
    } else if (check(token_kind::semicolon)) {
        // A command without arguments may be written without parentheses.
        s->value = std::make_unique<expr>();
        s->value->kind = expr_kind::call;
        s->value->where = name.where;
        s->value->text = name.text;
    } else {
        diags_.error(name.where, "expected a statement, found '" + name.text + "'",
                     "a function call needs parentheses: " + name.text + "(...);");
        synchronize();
        return nullptr;
    }
    if (!s->value) {
        synchronize();
        return nullptr;
    }
    end_statement(("the call of '" + name.text + "'").c_str());
    return s;
}

std::unique_ptr<stmt> parser::assignment() {
    const token& target = advance();
    if (target.broken) { // reported by the lexer
        synchronize();
        return nullptr;
    }
    auto s = std::make_unique<stmt>();
    s->kind = stmt_kind::assign;
    s->where = target.where;
    s->target_where = target.where;
    s->text = target.text;
    switch (peek().kind) {
    case token_kind::assign:
        s->assign_op = op_kind::none;
        break;
    case token_kind::plus_assign:
        s->assign_op = op_kind::plus;
        break;
    case token_kind::minus_assign:
        s->assign_op = op_kind::minus;
        break;
    case token_kind::star_assign:
        s->assign_op = op_kind::multiply;
        break;
    case token_kind::slash_assign:
        s->assign_op = op_kind::divide;
        break;
    case token_kind::or_assign:
        s->assign_op = op_kind::bit_or;
        break;
    case token_kind::and_assign:
        s->assign_op = op_kind::bit_and;
        break;
    case token_kind::colon:
        if (peek(1).kind == token_kind::assign) { // ':=' is Kamailio's assignment too
            advance();
            s->assign_op = op_kind::none;
            break;
        }
        [[fallthrough]];
    default:
        if (peek().kind == token_kind::equal)
            diags_.error(peek().where, "'==' compares; use '=' to assign");
        else
            diags_.error(after_previous(), "expected '=' after '" + target.text + "'",
                         "a pseudo-variable alone is not a statement");
        synchronize();
        return nullptr;
    }
    advance();
    s->value = expression();
    if (!s->value) {
        synchronize();
        return nullptr;
    }
    end_statement("the assignment");
    return s;
}

std::unique_ptr<stmt> parser::if_statement() {
    auto s = std::make_unique<stmt>();
    s->kind = stmt_kind::if_stmt;
    s->where = advance().where;
    // Kamailio's grammar takes any expression as the condition: "if !(route(X))" and "if $x == 1" too.
    if (check(token_kind::lbrace) || check(token_kind::semicolon)) {
        diags_.error(after_previous(), "expected a condition after 'if'", "if (condition) { ... }");
        synchronize();
        return nullptr;
    }
    s->value = expression();
    if (!s->value) {
        synchronize();
        if (check(token_kind::lbrace))
            block(); // skip the body, already reported
        return nullptr;
    }
    if (check(token_kind::semicolon)) {
        diags_.warning(peek().where, "';' right after the condition makes the 'if' do nothing");
    }
    s->body = body_of(statement());
    if (match_word("else")) {
        s->has_else = true;
        s->else_body = body_of(statement());
    }
    return s;
}

std::unique_ptr<stmt> parser::while_statement() {
    auto s = std::make_unique<stmt>();
    s->kind = stmt_kind::while_stmt;
    s->where = advance().where;
    if (!check(token_kind::lparen)) {
        diags_.error(after_previous(), "expected '(' after 'while'");
        synchronize();
        return nullptr;
    }
    s->value = expression();
    if (!s->value) {
        synchronize();
        return nullptr;
    }
    ++loop_depth_;
    s->body = body_of(statement());
    --loop_depth_;
    return s;
}

std::unique_ptr<stmt> parser::switch_statement() {
    auto s = std::make_unique<stmt>();
    s->kind = stmt_kind::switch_stmt;
    s->where = advance().where;
    if (!check(token_kind::lparen)) {
        diags_.error(after_previous(), "expected '(' after 'switch'");
        synchronize();
        return nullptr;
    }
    s->value = expression();
    if (!s->value || !check(token_kind::lbrace)) {
        if (s->value)
            expect(token_kind::lbrace, "to open the switch");
        synchronize();
        return nullptr;
    }
    const token& open = advance();
    ++loop_depth_;
    bool seen_default = false;
    while (!check(token_kind::rbrace) && !check(token_kind::end)) {
        const token& label = peek();
        if (!(label.kind == token_kind::identifier && (label.text == "case" || label.text == "default"))) {
            diags_.error(label.where,
                         "expected 'case' or 'default' in the switch, found '" + raw_text(label) + "'");
            synchronize();
            if (current_ < tokens_.size() && previous().kind != token_kind::semicolon &&
                !check(token_kind::rbrace))
                advance();
            continue;
        }
        advance();
        switch_case c;
        c.where = label.where;
        if (label.text == "default") {
            c.is_default = true;
            if (seen_default)
                diags_.error(label.where, "a second 'default' in the same switch");
            seen_default = true;
        } else {
            if (match(token_kind::slash))
                c.is_regex = true;
            bool negative = !c.is_regex && match(token_kind::minus);
            if (check(token_kind::integer) && !c.is_regex) {
                c.is_int = true;
                c.number = negative ? -advance().number : advance().number;
            } else if (check(token_kind::string)) {
                c.text = advance().text;
                if (negative)
                    diags_.error(label.where, "'-' before a string case");
            } else {
                diags_.error(peek().where, "a case needs a number, a string or /\"regex\"",
                             "case 1:   case \"INVITE\":   case /\"^sip:\":");
                synchronize();
                continue;
            }
        }
        if (!expect(token_kind::colon, "after the case label")) {
            synchronize();
            continue;
        }
        while (!check(token_kind::rbrace) && !check(token_kind::end) && !check_word("case") &&
               !check_word("default")) {
            std::size_t before = current_;
            if (auto body = statement())
                c.body.push_back(std::move(body));
            if (current_ == before)
                advance();
        }
        s->cases.push_back(std::move(c));
    }
    --loop_depth_;
    if (!match(token_kind::rbrace))
        diags_.error(open.where, "this switch's '{' is never closed");
    return s;
}

std::unique_ptr<stmt> parser::return_or_exit(stmt_kind kind) {
    auto s = std::make_unique<stmt>();
    s->kind = kind;
    const token& word = advance();
    s->where = word.where;
    // Kamailio's grammar takes empty parentheses as no value (its ims examples write `exit();`).
    if (check(token_kind::lparen) && peek(1).kind == token_kind::rparen) {
        advance();
        advance();
    } else if (!check(token_kind::semicolon) && !check(token_kind::rbrace)) {
        s->value = expression();
        if (!s->value) {
            synchronize();
            return nullptr;
        }
    }
    end_statement(kind == stmt_kind::return_stmt ? "'return'" : "'exit'");
    return s;
}

std::unique_ptr<expr> parser::expression() {
    if (++depth_ > max_nesting) {
        diags_.error(peek().where, "the expression nests too deeply");
        --depth_;
        return nullptr;
    }
    auto e = binary_level(0);
    --depth_;
    return e;
}

std::optional<op_kind> parser::binary_operator(int level) const {
    const token& t = peek();
    auto word = [&](const char* w) { return t.kind == token_kind::identifier && t.text == w; };
    switch (level) {
    case 0:
        if (t.kind == token_kind::log_or || word("or"))
            return op_kind::log_or;
        break;
    case 1:
        if (t.kind == token_kind::log_and || word("and"))
            return op_kind::log_and;
        break;
    case 2:
        if (t.kind == token_kind::bit_or)
            return op_kind::bit_or;
        break;
    case 3:
        if (t.kind == token_kind::bit_and)
            return op_kind::bit_and;
        break;
    case 4:
        if (t.kind == token_kind::bit_xor)
            return op_kind::bit_xor;
        break;
    case 5:
        if (t.kind == token_kind::shift_left)
            return op_kind::shift_left;
        if (t.kind == token_kind::shift_right)
            return op_kind::shift_right;
        break;
    case 6:
        if (t.kind == token_kind::equal)
            return op_kind::equal;
        if (t.kind == token_kind::not_equal)
            return op_kind::not_equal;
        if (t.kind == token_kind::match)
            return op_kind::match;
        if (t.kind == token_kind::not_match)
            return op_kind::not_match;
        if (word("eq"))
            return op_kind::str_equal;
        if (word("ne"))
            return op_kind::str_not_equal;
        if (word("ieq"))
            return op_kind::int_equal;
        if (word("ine"))
            return op_kind::int_not_equal;
        break;
    case 7:
        if (t.kind == token_kind::less)
            return op_kind::less;
        if (t.kind == token_kind::greater)
            return op_kind::greater;
        if (t.kind == token_kind::less_equal)
            return op_kind::less_equal;
        if (t.kind == token_kind::greater_equal)
            return op_kind::greater_equal;
        break;
    case 8:
        if (t.kind == token_kind::plus)
            return op_kind::plus;
        if (t.kind == token_kind::minus)
            return op_kind::minus;
        break;
    case 9:
        if (t.kind == token_kind::star)
            return op_kind::multiply;
        if (t.kind == token_kind::slash)
            return op_kind::divide;
        if (t.kind == token_kind::percent) {
            // Kamailio's grammar has no '%': such a config does not start there. Read on as modulo so the
            // rest of the file is still checked.
            diags_.error(t.where, "'%' is not an operator in Kamailio's config language",
                         "write 'mod' for the remainder, as in '$var(x) = $var(y) mod 3'");
            return op_kind::modulo;
        }
        if (word("mod"))
            return op_kind::modulo;
        break;
    default:
        break;
    }
    return std::nullopt;
}

std::unique_ptr<expr> parser::binary_level(int level) {
    if (level > 9)
        return unary();
    auto left = binary_level(level + 1);
    if (!left)
        return nullptr;
    while (auto op = binary_operator(level)) {
        const token& op_token = advance();
        auto right = binary_level(level + 1);
        if (!right)
            return nullptr;
        auto node = std::make_unique<expr>();
        node->kind = expr_kind::binary;
        node->op = *op;
        node->where = op_token.where;
        node->operands.push_back(std::move(left));
        node->operands.push_back(std::move(right));
        left = std::move(node);
    }
    return left;
}

std::unique_ptr<expr> parser::unary() {
    if (++depth_ > max_nesting) {
        diags_.error(peek().where, "the expression nests too deeply");
        --depth_;
        return nullptr;
    }
    struct depth_guard {
        int& d;
        ~depth_guard() { --d; }
    } guard{depth_};
    const token& t = peek();
    std::optional<op_kind> op;
    if (t.kind == token_kind::log_not || (t.kind == token_kind::identifier && t.text == "not"))
        op = op_kind::log_not;
    else if (t.kind == token_kind::minus)
        op = op_kind::negate;
    else if (t.kind == token_kind::bit_not)
        op = op_kind::bit_not;
    else if (t.kind == token_kind::identifier && t.text == "defined")
        op = op_kind::defined_op;
    else if (t.kind == token_kind::lparen && peek(1).kind == token_kind::identifier &&
             (peek(1).text == "int" || peek(1).text == "str") && peek(2).kind == token_kind::rparen)
        op = peek(1).text == "int" ? op_kind::int_cast : op_kind::str_cast;
    if (!op)
        return primary();
    advance();
    if (*op == op_kind::int_cast || *op == op_kind::str_cast) {
        advance();
        advance();
    }
    auto operand = unary();
    if (!operand)
        return nullptr;
    // Fold "-5" into a negative literal, so that case labels and int arguments see a constant.
    if (*op == op_kind::negate && operand->kind == expr_kind::integer) {
        operand->number = -operand->number;
        operand->where = t.where;
        return operand;
    }
    auto node = std::make_unique<expr>();
    node->kind = expr_kind::unary;
    node->op = *op;
    node->where = t.where;
    node->operands.push_back(std::move(operand));
    return node;
}

std::unique_ptr<expr> parser::primary() {
    const token& t = peek();
    auto node = std::make_unique<expr>();
    node->where = t.where;
    switch (t.kind) {
    case token_kind::integer:
        node->kind = expr_kind::integer;
        node->number = advance().number;
        return node;
    case token_kind::string:
        node->kind = expr_kind::string;
        node->raw = raw_text(t);
        node->text = advance().text;
        return node;
    case token_kind::pvar:
        node->kind = expr_kind::pvar;
        node->text = advance().text;
        return node;
    case token_kind::lparen: {
        advance();
        auto inner = expression();
        if (!inner)
            return nullptr;
        if (!expect(token_kind::rparen, "to close '('"))
            return nullptr;
        return inner;
    }
    case token_kind::identifier: {
        const token& name = advance();
        // msg:len, Kamailio's keyword for the message's length, is $ml.
        if (name.text == "msg" && check(token_kind::colon) && peek(1).kind == token_kind::identifier &&
            peek(1).text == "len" && peek().offset == name.offset + 3 && peek(1).offset == name.offset + 4 &&
            peek().line_index == name.line_index && peek(1).line_index == name.line_index) {
            advance();
            advance();
            node->kind = expr_kind::pvar;
            node->text = "$ml";
            return node;
        }
        if (name.text == "route" && check(token_kind::lparen))
            return route_reference(name.where);
        if ((name.text == "strlen" || name.text == "strempty") && check(token_kind::lparen)) {
            advance();
            auto operand = expression();
            if (!operand || !expect(token_kind::rparen, ("to close " + name.text + "(").c_str()))
                return nullptr;
            node->kind = expr_kind::unary;
            node->op = name.text == "strlen" ? op_kind::strlen_op : op_kind::strempty_op;
            node->operands.push_back(std::move(operand));
            return node;
        }
        if (check(token_kind::lparen))
            return call_expression(name);
        node->kind = expr_kind::identifier;
        node->text = name.text;
        return node;
    }
    case token_kind::end:
        diags_.error(t.where, "expected an expression, found the end of the file");
        return nullptr;
    default:
        diags_.error(t.where, "expected an expression, found '" + raw_text(t) + "'");
        return nullptr;
    }
}

std::unique_ptr<expr> parser::call_expression(const token& name) {
    auto node = std::make_unique<expr>();
    node->kind = expr_kind::call;
    node->where = name.where;
    node->text = name.text;
    advance(); // '('
    if (match(token_kind::rparen))
        return node;
    std::string first = raw_text(peek());
    if (name.text == "force_send_socket" && !first.empty() && first.front() != '"' && first.front() != '\'') {
        // Kamailio's grammar reads a bare socket here: force_send_socket(udp:127.0.0.1:5060).
        auto argument = std::make_unique<expr>();
        argument->kind = expr_kind::string;
        argument->where = peek().where;
        while (!check(token_kind::rparen) && !check(token_kind::end) && !check(token_kind::semicolon) &&
               peek().line_index == name.line_index)
            argument->text += raw_text(advance());
        if (!expect(token_kind::rparen, "after the socket of 'force_send_socket'"))
            return nullptr;
        node->operands.push_back(std::move(argument));
        return node;
    }
    while (true) {
        auto argument = expression();
        if (!argument)
            return nullptr;
        node->operands.push_back(std::move(argument));
        if (match(token_kind::comma))
            continue;
        if (match(token_kind::rparen))
            break;
        if (previous().broken)
            return nullptr; // already reported by the lexer
        std::string found = check(token_kind::end) ? "the end of the file" : "'" + raw_text(peek()) + "'";
        diags_.error(after_previous(),
                     "expected ',' or ')' in the arguments of '" + name.text + "', found " + found,
                     adjacent_strings_hint());
        return nullptr;
    }
    if (node->operands.size() > SIPHOST_MAX_ARGS) {
        diags_.error(node->where,
                     "'" + name.text + "' has more than " + std::to_string(SIPHOST_MAX_ARGS) + " arguments");
    }
    return node;
}

std::unique_ptr<expr> parser::route_reference(source_location where) {
    auto node = std::make_unique<expr>();
    node->kind = expr_kind::route_call;
    node->where = where;
    advance(); // '('
    const token& name = peek();
    if (name.kind == token_kind::identifier || name.kind == token_kind::string ||
        name.kind == token_kind::integer) {
        node->text = name.kind == token_kind::identifier
                         ? name.text
                         : (name.kind == token_kind::string ? name.text : raw_text(name));
        advance();
    } else {
        diags_.error(name.where, "route() needs the name of a route block", "route(RELAY);");
        return nullptr;
    }
    if (!expect(token_kind::rparen, "after the route name"))
        return nullptr;
    return node;
}

} // namespace siphost::cfg
