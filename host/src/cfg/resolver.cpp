#include "cfg/resolver.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <regex.h>

#include "cfg/core_functions.hpp"
#include "cfg/ip_network.hpp"
#include "cfg/pv_name.hpp"
#include "cfg/select.hpp"

namespace siphost::cfg {
namespace {

std::string count_list(std::vector<std::uint32_t> counts) {
    std::sort(counts.begin(), counts.end());
    counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
    std::string out;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (i > 0)
            out += i + 1 == counts.size() ? " or " : ", ";
        out += std::to_string(counts[i]);
    }
    return out;
}

bool is_numeric(const std::string& s) {
    if (s.empty())
        return false;
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size())
        return false;
    for (; i < s.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i])))
            return false;
    return true;
}

const char* type_word(std::uint32_t type) {
    switch (type) {
    case SIPHOST_ROUTE_REQUEST:
        return "route";
    case SIPHOST_ROUTE_FAILURE:
        return "failure_route";
    case SIPHOST_ROUTE_TM_ONREPLY:
        return "onreply_route";
    case SIPHOST_ROUTE_CORE_ONREPLY:
        return "onreply_route";
    case SIPHOST_ROUTE_BRANCH:
        return "branch_route";
    case SIPHOST_ROUTE_ONSEND:
        return "onsend_route";
    case SIPHOST_ROUTE_EVENT:
        return "event_route";
    default:
        return "route";
    }
}

bool ends_flow(const stmt& s) {
    return s.kind == stmt_kind::exit_stmt || s.kind == stmt_kind::return_stmt ||
           s.kind == stmt_kind::drop_stmt || s.kind == stmt_kind::break_stmt;
}

const char* flow_word(const stmt& s) {
    switch (s.kind) {
    case stmt_kind::exit_stmt:
        return "exit";
    case stmt_kind::return_stmt:
        return "return";
    case stmt_kind::drop_stmt:
        return "drop";
    default:
        return "break";
    }
}

} // namespace

resolver::resolver(config& cfg, const module_catalog* catalog, diagnostics& diags)
    : cfg_(cfg), catalog_(catalog), diags_(diags) {}

void resolver::run() {
    calls_.assign(cfg_.routes.size(), {});
    for (std::size_t i = 0; i < cfg_.routes.size(); ++i)
        bind_route_calls(cfg_.routes[i].body, i);
    compute_reach();
    for (auto& route : cfg_.routes) {
        bool sub_route = route.type == SIPHOST_ROUTE_REQUEST && !route.name.empty();
        std::uint32_t types = sub_route
                                  ? (route.reached_from ? route.reached_from
                                                        : static_cast<std::uint32_t>(SIPHOST_ROUTE_REQUEST))
                                  : route.type;
        check_body(route.body, {types, &route});
    }
    if (!cfg_.params.log_prefix.empty())
        check_template(cfg_.params.log_prefix, cfg_.params.log_prefix_where);
    warn_unused();
}

void resolver::bind_route_calls(std::vector<std::unique_ptr<stmt>>& body, std::size_t route_id) {
    for (auto& s : body) {
        if (!s)
            continue;
        if (s->value)
            bind_route_calls(*s->value, route_id);
        bind_route_calls(s->body, route_id);
        bind_route_calls(s->else_body, route_id);
        for (auto& c : s->cases)
            bind_route_calls(c.body, route_id);
    }
}

void resolver::bind_route_calls(expr& e, std::size_t route_id) {
    for (auto& operand : e.operands)
        if (operand)
            bind_route_calls(*operand, route_id);
    if (e.kind != expr_kind::route_call)
        return;
    int id = cfg_.find_route(SIPHOST_ROUTE_REQUEST, e.text);
    if (id < 0 || cfg_.routes[id].name.empty()) {
        std::vector<std::string> names;
        for (const auto& r : cfg_.routes)
            if (r.type == SIPHOST_ROUTE_REQUEST && !r.name.empty())
                names.push_back(r.name);
        std::string near = nearest_name(e.text, names);
        diags_.error(e.where, "route '" + e.text + "' is not defined",
                     near.empty() ? "define it with route[" + e.text + "] { ... }"
                                  : "did you mean '" + near + "'?");
        e.binding.route_ids = {-1};
        return;
    }
    e.binding.route_ids = {id};
    cfg_.routes[id].referenced = true;
    calls_[route_id].push_back(static_cast<std::size_t>(id));
}

void resolver::compute_reach() {
    // A sub-route runs in the route types of every block that reaches it through route(X).
    std::vector<std::uint32_t> reach(cfg_.routes.size(), 0);
    for (std::size_t i = 0; i < cfg_.routes.size(); ++i) {
        const auto& r = cfg_.routes[i];
        if (!(r.type == SIPHOST_ROUTE_REQUEST && !r.name.empty()))
            reach[i] = r.type;
    }
    bool changed = true;
    for (int round = 0; changed && round < 1000; ++round) {
        changed = false;
        for (std::size_t i = 0; i < cfg_.routes.size(); ++i)
            for (std::size_t callee : calls_[i]) {
                std::uint32_t merged = reach[callee] | reach[i];
                if (merged != reach[callee] && cfg_.routes[callee].type == SIPHOST_ROUTE_REQUEST &&
                    !cfg_.routes[callee].name.empty()) {
                    reach[callee] = merged;
                    changed = true;
                }
            }
    }
    for (std::size_t i = 0; i < cfg_.routes.size(); ++i)
        cfg_.routes[i].reached_from = reach[i];
}

void resolver::check_body(std::vector<std::unique_ptr<stmt>>& body, const context& ctx) {
    bool warned = false;
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (!body[i])
            continue;
        check_stmt(*body[i], ctx);
        if (!warned && ends_flow(*body[i]) && i + 1 < body.size() && body[i + 1]) {
            diags_.warning(body[i + 1]->where,
                           std::string("unreachable code after '") + flow_word(*body[i]) + "'");
            warned = true;
        }
    }
}

void resolver::check_stmt(stmt& s, const context& ctx) {
    switch (s.kind) {
    case stmt_kind::assign:
        check_pv(s.text, s.target_where, true);
        if (s.value)
            check_expr(*s.value, ctx);
        return;
    case stmt_kind::switch_stmt: {
        if (s.value)
            check_expr(*s.value, ctx);
        bool has_int = false, has_string = false;
        std::set<std::string> seen;
        for (auto& c : s.cases) {
            if (!c.is_default) {
                (c.is_int ? has_int : has_string) = true;
                std::string key =
                    c.is_int ? "#" + std::to_string(c.number) : (c.is_regex ? "/" : "\"") + c.text;
                if (!seen.insert(key).second)
                    diags_.error(c.where, "a duplicate case in this switch");
                if (c.is_regex) {
                    std::string error;
                    regex_t re;
                    if (regcomp(&re, c.text.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
                        diags_.error(c.where, "invalid regular expression '" + c.text + "'");
                    else
                        regfree(&re);
                }
            }
            check_body(c.body, ctx);
        }
        if (has_int && has_string)
            diags_.error(s.where, "this switch mixes number and string cases",
                         "use one kind of case per switch");
        return;
    }
    default:
        break;
    }
    if (s.value)
        check_expr(*s.value, ctx);
    check_body(s.body, ctx);
    check_body(s.else_body, ctx);
}

namespace {

/// The pseudo-variable a core keyword of Kamailio's expressions stands for, or nullptr.
const char* keyword_pv(std::string_view word) {
    static const std::pair<std::string_view, const char*> keywords[] = {
        {"uri", "$ru"},      {"from_uri", "$fu"}, {"to_uri", "$tu"},   {"method", "$rm"},
        {"status", "$rs"},   {"src_ip", "$si"},   {"src_port", "$sp"}, {"dst_ip", "$Ri"},
        {"dst_port", "$Rp"}, {"proto", "$pr"},    {"af", "$af"},       {"retcode", "$rc"},
    };
    for (const auto& [name, pv] : keywords)
        if (word == name)
            return pv;
    return nullptr;
}

bool is_word(const expr& e, std::string_view word) {
    return e.kind == expr_kind::identifier && e.text == word;
}

/// Kamailio's keywords about where a message is being sent (its onsend_route's destination). to_proto and
/// to_af are other spellings of snd_proto and snd_af.
bool is_send_keyword(std::string_view word) {
    for (std::string_view name :
         {"snd_ip", "snd_port", "snd_af", "snd_proto", "to_ip", "to_port", "to_af", "to_proto"})
        if (word == name)
            return true;
    return false;
}

bool is_comparison(op_kind op) {
    switch (op) {
    case op_kind::equal:
    case op_kind::not_equal:
    case op_kind::match:
    case op_kind::not_match:
    case op_kind::less:
    case op_kind::greater:
    case op_kind::less_equal:
    case op_kind::greater_equal:
        return true;
    default:
        return false;
    }
}

/// "udp" or "UDP" for "udp": Kamailio's lexer knows a value word in lower or upper case only ("Udp" is an
/// unknown name there).
bool same_word_in_one_case(std::string_view written, std::string_view lower) {
    if (written == lower)
        return true;
    if (written.size() != lower.size())
        return false;
    return std::equal(written.begin(), written.end(), lower.begin(), [](char w, char l) {
        return w == static_cast<char>(std::toupper(static_cast<unsigned char>(l)));
    });
}

} // namespace

void resolver::rewrite_core_keywords(expr& e, const context& ctx) {
    if (e.kind == expr_kind::identifier) {
        if (const char* pv = keyword_pv(e.text)) {
            e.kind = expr_kind::pvar;
            e.text = pv;
        }
        return;
    }
    if (e.kind == expr_kind::binary && is_comparison(e.op) && e.operands[0]->kind == expr_kind::identifier &&
        is_send_keyword(e.operands[0]->text)) {
        rewrite_send_comparison(e, ctx);
        return;
    }
    if (e.kind != expr_kind::binary || (e.op != op_kind::equal && e.op != op_kind::not_equal))
        return;
    // "X == myself" asks whether X (a URI, an address) is this server: is_myself(X).
    int mine = is_word(*e.operands[1], "myself") ? 1 : is_word(*e.operands[0], "myself") ? 0 : -1;
    if (mine >= 0) {
        bool negate = e.op == op_kind::not_equal;
        std::unique_ptr<expr> subject = std::move(e.operands[mine == 1 ? 0 : 1]);
        // "!uri == myself" is read as Kamailio reads it: not (uri == myself).
        while (subject->kind == expr_kind::unary && subject->op == op_kind::log_not) {
            negate = !negate;
            subject = std::move(subject->operands[0]);
        }
        rewrite_core_keywords(*subject, ctx);
        auto call = std::make_unique<expr>();
        call->kind = expr_kind::call;
        call->where = e.where;
        call->text = "is_myself";
        call->operands.push_back(std::move(subject));
        e.operands.clear();
        if (negate) {
            e.kind = expr_kind::unary;
            e.op = op_kind::log_not;
            e.operands.push_back(std::move(call));
        } else {
            e = std::move(*call);
        }
        return;
    }
    expr& left = *e.operands[0];
    expr& right = *e.operands[1];
    // "proto == UDP", "af == INET" (or the numbers Kamailio gives them: proto == 1, af == 2): the values
    // $pr and $af print.
    if (is_word(left, "proto"))
        rewrite_proto_value(right);
    if (is_word(left, "af"))
        rewrite_af_value(right);
    // "src_ip == 10.0.0.0/8": the address lies in the network.
    if ((is_word(left, "src_ip") || is_word(left, "dst_ip")) && right.kind == expr_kind::string &&
        right.text.find('/') != std::string::npos) {
        if (!parse_ip_network(right.text)) {
            diags_.error(right.where, "'" + right.text + "' is not a network",
                         "write an address and a prefix length: 10.0.0.0/8, 2001:db8::/32");
            return;
        }
        if (e.op == op_kind::not_equal) {
            auto inner = std::make_unique<expr>();
            inner->kind = expr_kind::binary;
            inner->where = e.where;
            inner->op = op_kind::in_network;
            inner->operands = std::move(e.operands);
            e.operands.clear();
            e.kind = expr_kind::unary;
            e.op = op_kind::log_not;
            e.operands.push_back(std::move(inner));
        } else {
            e.op = op_kind::in_network;
        }
    }
}

namespace {

/// Kamailio's numbers for the transports (its PROTO_* values), as the script may compare proto with them.
constexpr std::string_view proto_names[] = {"", "udp", "tcp", "tls", "sctp", "ws", "wss"};

} // namespace

void resolver::rewrite_proto_value(expr& value) {
    if (value.kind == expr_kind::identifier) {
        for (std::string_view name : proto_names)
            if (!name.empty() && same_word_in_one_case(value.text, name)) {
                value.kind = expr_kind::string;
                value.text = std::string(name);
            }
    } else if (value.kind == expr_kind::integer && value.number > 0 &&
               value.number < static_cast<std::int64_t>(std::size(proto_names))) {
        value.kind = expr_kind::string;
        value.text = std::string(proto_names[value.number]);
    }
}

void resolver::rewrite_af_value(expr& value) {
    // AF_INET and AF_INET6 are 2 and 10 on Linux, where Kamailio compares af with them as numbers.
    if (value.kind == expr_kind::identifier &&
        (same_word_in_one_case(value.text, "inet") || same_word_in_one_case(value.text, "inet6"))) {
        value.kind = expr_kind::string;
        value.text = value.text.size() == 4 ? "INET" : "INET6";
    } else if (value.kind == expr_kind::integer && (value.number == 2 || value.number == 10)) {
        value.kind = expr_kind::string;
        value.text = value.number == 2 ? "INET" : "INET6";
    }
}

void resolver::rewrite_send_comparison(expr& e, const context& ctx) {
    const std::string keyword = e.operands[0]->text;
    const bool is_ip = keyword == "snd_ip" || keyword == "to_ip";
    expr& value = *e.operands[1];
    // Kamailio refuses snd_ip and to_ip outside an onsend_route block (the block as written: a route[X]
    // called from onsend_route is refused too), and takes the other keywords anywhere.
    if (is_ip && ctx.route->type != SIPHOST_ROUTE_ONSEND)
        diags_.error(e.operands[0]->where, "'" + keyword + "' is allowed only in onsend_route",
                     "outside it, nothing is being sent");
    if (keyword == "snd_proto" || keyword == "to_proto")
        rewrite_proto_value(value);
    if ((keyword == "snd_af" || keyword == "to_af") && value.kind == expr_kind::identifier &&
        (same_word_in_one_case(value.text, "inet") || same_word_in_one_case(value.text, "inet6"))) {
        // Compared as Kamailio compares them: as the numbers AF_INET and AF_INET6 (2 and 10 on Linux).
        value.kind = expr_kind::integer;
        value.number = value.text.size() == 4 ? 2 : 10;
    }
    const bool is_myself = is_word(value, "myself");
    if (value.kind == expr_kind::identifier && !is_myself && !(is_ip && parse_ip_network(value.text))) {
        diags_.error(value.where, "unknown name '" + value.text + "'",
                     "compare " + keyword + " with a number, a string or a pseudo-variable");
        value.kind = expr_kind::string; // reported once; the comparison is still built
    }
    if ((value.kind == expr_kind::string || value.kind == expr_kind::identifier) &&
        value.text.find('/') != std::string::npos && !parse_ip_network(value.text))
        diags_.error(value.where, "'" + value.text + "' is not a network",
                     "write an address and a prefix length: 10.0.0.0/8, 2001:db8::/32");
    // What the keyword reads (measured on 5.6.3): snd_ip and snd_port the local socket the message leaves
    // from ($sndfrom), to_ip and to_port where it goes ($snd); the _af and _proto spellings name the same.
    const std::string field = keyword.substr(keyword.find('_') + 1);
    auto subject = std::make_unique<expr>();
    subject->kind = expr_kind::pvar;
    subject->where = e.operands[0]->where;
    subject->text = std::string(keyword.starts_with("snd_") ? "$sndfrom(" : "$snd(") +
                    (field == "proto" ? "sproto" : field) + ")";
    const source_location where = e.where;
    auto comparison = std::make_unique<expr>();
    if (is_myself) {
        // "snd_ip == myself": the address is one of this server's (is_myself, as for the other keywords).
        auto call = std::make_unique<expr>();
        call->kind = expr_kind::call;
        call->where = where;
        call->text = "is_myself";
        call->operands.push_back(std::move(subject));
        if (e.op == op_kind::not_equal) {
            comparison->kind = expr_kind::unary;
            comparison->where = where;
            comparison->op = op_kind::log_not;
            comparison->operands.push_back(std::move(call));
        } else {
            comparison = std::move(call);
        }
    } else {
        if (value.kind == expr_kind::identifier)
            value.kind = expr_kind::string; // an address written bare: 127.0.0.1
        if (is_ip && value.kind == expr_kind::string && value.text.find('/') != std::string::npos) {
            if (e.op == op_kind::equal || e.op == op_kind::not_equal) {
                const bool negate = e.op == op_kind::not_equal;
                e.op = op_kind::in_network;
                if (negate) {
                    auto inner = std::make_unique<expr>(std::move(e));
                    e = expr{};
                    e.kind = expr_kind::unary;
                    e.where = where;
                    e.op = op_kind::log_not;
                    e.operands.push_back(std::move(inner));
                }
            }
        }
        expr* compared = e.kind == expr_kind::unary ? e.operands[0].get() : &e;
        compared->operands[0] = std::move(subject);
        *comparison = std::move(e);
    }
    // Only an onsend_route has something being sent: elsewhere Kamailio's comparison fails, whatever the
    // operator (snd_port != 0 fails too, as measured on 5.6.3). The failure is Kamailio's -1 of a condition:
    // false, and still false under '!' (the interpreter's eval_bool).
    e = expr{};
    e.kind = expr_kind::unary;
    e.where = where;
    e.op = op_kind::needs_send_info;
    e.operands.push_back(std::move(comparison)); // check_expr goes on into it
}

void resolver::check_expr(expr& e, const context& ctx, bool argument) {
    if (!argument)
        rewrite_core_keywords(e, ctx);
    switch (e.kind) {
    case expr_kind::integer:
    case expr_kind::string:
        return;
    case expr_kind::identifier:
        if (!argument && is_send_keyword(e.text))
            diags_.error(e.where, "'" + e.text + "' can only be compared, as in Kamailio",
                         e.text + " == value");
        else if (!argument)
            diags_.error(e.where, "unknown name '" + e.text + "'",
                         "write \"" + e.text + "\" for a string, or $var(" + e.text + ") for a variable");
        return;
    case expr_kind::pvar:
        check_pv(e.text, e.where, false);
        return;
    case expr_kind::route_call:
        return;
    case expr_kind::call:
        check_call(e, ctx);
        return;
    case expr_kind::unary:
    case expr_kind::binary:
        for (auto& operand : e.operands)
            if (operand)
                check_expr(*operand, ctx);
        if (e.kind == expr_kind::binary && (e.op == op_kind::match || e.op == op_kind::not_match) &&
            e.operands[1]->kind == expr_kind::string) {
            regex_t re;
            if (regcomp(&re, e.operands[1]->text.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
                diags_.error(e.operands[1]->where,
                             "invalid regular expression '" + e.operands[1]->text + "'");
            else
                regfree(&re);
        }
        return;
    }
}

std::string resolver::where_runs(std::uint32_t disallowed, const context& ctx) const {
    const route_block& r = *ctx.route;
    bool sub_route = r.type == SIPHOST_ROUTE_REQUEST && !r.name.empty();
    if (!sub_route || r.reached_from == 0)
        return route_title(r.type, r.name);
    for (std::uint32_t bit = 1; bit <= SIPHOST_ROUTE_EVENT; bit <<= 1) // the route types this host has
        if (disallowed & bit) {
            const char* from = bit == SIPHOST_ROUTE_REQUEST ? "request_route" : type_word(bit);
            return route_title(r.type, r.name) + " (reached from " + from + ")";
        }
    return route_title(r.type, r.name);
}

void resolver::check_call(expr& e, const context& ctx) {
    for (auto& operand : e.operands)
        if (operand)
            check_expr(*operand, ctx, true);
    const std::uint32_t argc = static_cast<std::uint32_t>(e.operands.size());

    struct candidate {
        const core_function* core;
        const siphost_command* command;
        std::string module;
        std::uint32_t arg_count;
        std::uint32_t route_types;
        const std::uint8_t* kinds;
    };
    std::vector<candidate> all;
    for (const auto& f : core_functions())
        if (e.text == f.name)
            all.push_back({&f, nullptr, "core", f.arg_count, f.route_types, f.arg_kinds});
    if (catalog_)
        for (const auto& overload : catalog_->find_commands(e.text))
            all.push_back({nullptr, overload.command, overload.module, overload.command->arg_count,
                           overload.command->route_types, overload.command->arg_kinds});

    if (all.empty()) {
        std::string_view provider = standard_module_for(e.text);
        // The module is loaded but siphost's version of it lacks the function: loadmodule would not help.
        if (!provider.empty() && catalog_) {
            auto loaded = catalog_->module_names();
            if (std::find(loaded.begin(), loaded.end(), provider) != loaded.end()) {
                diags_.error(e.where,
                             "module '" + std::string(provider) +
                                 "' is loaded, but siphost's version of it "
                                 "lacks the function '" +
                                 e.text + "'",
                             "see docs/config-language.md for what each module provides");
                return;
            }
        }
        if (!provider.empty()) {
            diags_.error(e.where, "'" + e.text + "' is provided by module '" + std::string(provider) +
                                      "': missing loadmodule \"" + std::string(provider) + ".so\"?");
            return;
        }
        std::vector<std::string> names;
        for (const auto& f : core_functions())
            names.emplace_back(f.name);
        if (catalog_)
            for (auto& n : catalog_->command_names())
                names.push_back(std::move(n));
        for (auto n : standard_function_names())
            names.emplace_back(n);
        std::string near = nearest_name(e.text, names);
        std::string message = "unknown function '" + e.text + "'";
        std::string hint;
        if (!near.empty()) {
            message += " (did you mean '" + near + "'?)";
            bool loaded = catalog_ && !catalog_->find_commands(near).empty();
            std::string_view provider_of_near = standard_module_for(near);
            bool core = std::any_of(core_functions().begin(), core_functions().end(),
                                    [&](const core_function& f) { return near == f.name; });
            if (!loaded && !core && !provider_of_near.empty())
                hint = "'" + near + "' is provided by module '" + std::string(provider_of_near) +
                       "': missing loadmodule \"" + std::string(provider_of_near) + ".so\"?";
        } else {
            hint = "is the module that provides it loaded with loadmodule?";
        }
        diags_.error(e.where, message, hint);
        return;
    }

    std::vector<candidate> fitting;
    std::vector<std::uint32_t> counts;
    for (const auto& c : all) {
        counts.push_back(c.arg_count);
        if (c.arg_count == argc)
            fitting.push_back(c);
    }
    if (fitting.empty()) {
        std::string n = count_list(counts);
        diags_.error(e.where, "'" + e.text + "' takes " + n + (n == "1" ? " argument" : " arguments") +
                                  ", not " + std::to_string(argc));
        return;
    }
    // The core wins over a module command of the same name, as Kamailio's core functions are keywords.
    const candidate& chosen = fitting.front();
    std::uint32_t disallowed = ctx.route_types & ~chosen.route_types;
    if (disallowed != 0) {
        std::string allowed;
        for (std::uint32_t bit = 1; bit <= SIPHOST_ROUTE_EVENT; bit <<= 1) // the route types this host has
            if (chosen.route_types & bit) {
                std::string w = type_word(bit);
                if (bit == SIPHOST_ROUTE_CORE_ONREPLY)
                    w = "onreply_route (core)";
                if (bit == SIPHOST_ROUTE_TM_ONREPLY)
                    w = "onreply_route[NAME]";
                if (bit == SIPHOST_ROUTE_REQUEST)
                    w = "request_route";
                if (allowed.find(w) == std::string::npos)
                    allowed += (allowed.empty() ? "" : ", ") + w;
            }
        const route_block& r = *ctx.route;
        bool sub_route = r.type == SIPHOST_ROUTE_REQUEST && !r.name.empty() && r.reached_from != 0;
        if (!sub_route) {
            diags_.error(e.where, "'" + e.text + "' cannot be used in " + where_runs(disallowed, ctx),
                         allowed.empty() ? std::string() : "it is allowed in: " + allowed);
            return;
        }
        // Kamailio accepts a route[X] block whatever reaches it (the call may be guarded by a test of the
        // route type), so this is a warning and the call stays.
        diags_.warning(e.where, "'" + e.text + "' cannot run in " + where_runs(disallowed, ctx),
                       allowed.empty() ? std::string() : "it is allowed in: " + allowed);
    }
    if (chosen.core && chosen.core->op == core_op::add_local_rport)
        diags_.warning(e.where, "'add_local_rport' has no effect in siphost",
                       "the Via siphost adds carries no rport parameter yet");
    if (chosen.core && chosen.core->op == core_op::set_advertised)
        diags_.warning(e.where, "'" + e.text + "' has no effect in siphost",
                       "siphost does not advertise addresses other than those it listens on");
    if (chosen.core && chosen.core->op == core_op::forward_sctp)
        diags_.warning(e.where, "'forward_sctp' always fails in siphost", "siphost has no SCTP transport");
    if (chosen.core && chosen.core->op == core_op::error)
        diags_.warning(e.where, "'error' has no effect", "Kamailio's error() does nothing either");
    if (chosen.core && chosen.core->op == core_op::udp_mtu_try_proto)
        check_mtu_proto(e);
    if (chosen.core && chosen.core->op == core_op::cfg_select)
        diags_.warning(e.where, "'cfg_select' always fails in siphost",
                       "siphost's cfg groups have no other instances to select");
    if (chosen.core && chosen.core->op == core_op::force_send_socket && argc == 1)
        check_send_socket(*e.operands[0]);
    if (chosen.core && (chosen.core->op == core_op::setavpflag || chosen.core->op == core_op::resetavpflag ||
                        chosen.core->op == core_op::isavpflagset))
        bind_avp_flag(e);
    if (chosen.core && (chosen.core->op == core_op::setflag || chosen.core->op == core_op::resetflag ||
                        chosen.core->op == core_op::isflagset))
        bind_flag_name(e);
    e.binding.core = chosen.core;
    e.binding.command = chosen.command;
    e.binding.module = chosen.module;
    e.binding.route_ids.assign(argc, -1);
    for (std::uint32_t i = 0; i < argc; ++i) {
        expr& arg = *e.operands[i];
        const std::string ordinal = "argument " + std::to_string(i + 1) + " of '" + e.text + "'";
        bool constant_text = arg.kind == expr_kind::string || arg.kind == expr_kind::identifier;
        switch (chosen.kinds[i]) {
        case literal_string_arg:
            // Kamailio's grammar takes a quoted string only here (exec's command).
            if (arg.kind != expr_kind::string)
                diags_.error(arg.where, ordinal + " must be a quoted string, taken as written",
                             e.text + "(\"...\")");
            break;
        case SIPHOST_ARG_STRING:
            if (arg.kind == expr_kind::string)
                check_template(arg.text, arg.where, arg.raw);
            break;
        case SIPHOST_ARG_INT: {
            if (arg.kind == expr_kind::identifier) {
                bool flag_call = chosen.core && (chosen.core->op == core_op::setflag ||
                                                 chosen.core->op == core_op::resetflag ||
                                                 chosen.core->op == core_op::isflagset);
                diags_.error(arg.where, ordinal + " must be a number, not '" + arg.text + "'",
                             flag_call ? "name the flag at the top level first: flags " + arg.text + ";"
                                       : std::string());
                break;
            }
            if (arg.kind != expr_kind::string || is_numeric(arg.text))
                break;
            // As in Kamailio, a string with pseudo-variables ("$var(n)") is read as a number at run time.
            auto parts = split_template(arg.text);
            if (std::any_of(parts.begin(), parts.end(), [](const template_part& p) { return p.is_pv; }))
                check_template(arg.text, arg.where, arg.raw);
            else
                diags_.error(arg.where, ordinal + " must be a number, not '" + arg.text + "'",
                             "a number, a pseudo-variable or a string holding one (\"$var(n)\")");
            break;
        }
        case SIPHOST_ARG_ROUTE: {
            std::string name =
                constant_text ? arg.text : (arg.kind == expr_kind::integer ? std::to_string(arg.number) : "");
            if (!constant_text && arg.kind != expr_kind::integer) {
                diags_.error(arg.where, ordinal + " must name a route block");
                break;
            }
            // "0" (or "") names no route: t_on_failure("0") disarms the failure route (the ABI passes -1).
            if (name == "0" || name.empty())
                break;
            std::uint32_t type = chosen.command && chosen.command->arg_route_types[i]
                                     ? chosen.command->arg_route_types[i]
                                     : static_cast<std::uint32_t>(SIPHOST_ROUTE_REQUEST);
            int id = cfg_.find_route(type, name);
            if (id < 0) {
                std::vector<std::string> names;
                for (const auto& r : cfg_.routes)
                    if (r.type == type && !r.name.empty())
                        names.push_back(r.name);
                std::string near = nearest_name(name, names);
                diags_.error(arg.where, std::string(type_word(type)) + " '" + name + "' is not defined",
                             near.empty()
                                 ? "define it with " + std::string(type_word(type)) + "[" + name + "] { ... }"
                                 : "did you mean '" + near + "'?");
                break;
            }
            cfg_.routes[id].referenced = true;
            e.binding.route_ids[i] = id;
            break;
        }
        case SIPHOST_ARG_PVAR:
            if (arg.kind == expr_kind::pvar)
                break; // checked above
            if (arg.kind == expr_kind::string && !arg.text.empty() && arg.text[0] == '$') {
                check_pv(arg.text, arg.where, false);
                break;
            }
            diags_.error(arg.where, ordinal + " must be a pseudo-variable such as $avp(name)");
            break;
        default:
            diags_.error(arg.where, ordinal + " has an argument kind siphost does not know (" +
                                        std::to_string(chosen.kinds[i]) + "); the module is broken");
            break;
        }
    }
}

void resolver::bind_flag_name(expr& call) {
    expr& flag = *call.operands[0];
    if (flag.kind != expr_kind::identifier)
        return;
    const auto& names = cfg_.flag_names;
    auto found = std::find_if(names.begin(), names.end(), [&](const auto& f) { return f.first == flag.text; });
    if (found == names.end())
        return; // the argument check says it is not a number
    flag.kind = expr_kind::integer;
    flag.number = found->second;
}

void resolver::bind_avp_flag(expr& call) {
    expr& name = *call.operands[0];
    expr& flag = *call.operands[1];
    if (flag.kind == expr_kind::string || flag.kind == expr_kind::identifier) {
        const auto& names = cfg_.avp_flag_names;
        auto found = std::find(names.begin(), names.end(), flag.text);
        if (found == names.end()) {
            std::string near = nearest_name(flag.text, names);
            diags_.error(flag.where, "avpflag '" + flag.text + "' is not declared",
                         near.empty() ? "declare it at the top level: avpflags " + flag.text + ";"
                                      : "did you mean '" + near + "'?");
        }
        // The flag's bit from here on (0 after the error above, so that no second error follows).
        flag.kind = expr_kind::integer;
        flag.number = found == names.end() ? 0 : found - names.begin();
    } else {
        diags_.error(flag.where, "argument 2 of '" + call.text + "' must be a flag declared with avpflags");
    }
    if (name.kind != expr_kind::string) {
        diags_.error(name.where, "argument 1 of '" + call.text + "' must be an AVP name in quotes",
                     "\"name\" or \"s:name\"");
        return;
    }
    // Kamailio reads "s:name" as name; a "$avp(name)" spelling names no AVP there (measured on 5.6.3).
    if (name.text.rfind("s:", 0) == 0)
        name.text.erase(0, 2);
}

void resolver::check_mtu_proto(expr& call) {
    expr& arg = *call.operands[0];
    bool known = false;
    if (arg.kind == expr_kind::identifier)
        for (std::string_view name : {"udp", "tcp", "tls", "sctp"})
            known = known || same_word_in_one_case(arg.text, name);
    if (!known) {
        diags_.error(arg.where, "bad udp_mtu_try_proto argument: a transport is expected",
                     "udp_mtu_try_proto(TCP), or UDP, TLS, SCTP");
        return;
    }
    diags_.warning(
        call.where, "'udp_mtu_try_proto' has no effect in siphost",
        "siphost has no udp_mtu: a request too large for UDP is not switched to another transport");
}

void resolver::check_send_socket(const expr& arg) {
    if (arg.kind != expr_kind::string && arg.kind != expr_kind::identifier)
        return;
    listen_address wanted;
    std::string error;
    if (arg.text.empty() || !parse_listen(arg.text, wanted, error)) {
        diags_.error(arg.where, "bad force_send_socket argument '" + arg.text + "'" +
                                    (error.empty() ? std::string() : ": " + error),
                     "force_send_socket([proto:]address[:port]), e.g. force_send_socket(udp:10.0.0.1:5060)");
        return;
    }
    const auto& params = cfg_.params;
    auto wanted_address = parse_ip_network(wanted.host);
    if (!wanted_address || wanted.host.find('/') != std::string::npos) {
        diags_.error(arg.where, "bad force_send_socket argument '" + arg.text + "': '" + wanted.host +
                                    "' is not an IP address",
                     "siphost does not resolve a host name here: write the listen address itself");
        return;
    }
    auto same_address = [](const ip_network& a, const ip_network& b) {
        return a.family == b.family && std::equal(a.bytes, a.bytes + (a.family == 4 ? 4 : 16), b.bytes);
    };
    // Which sockets the listen lines make is only certain for IP addresses: a host name, a wildcard or no
    // listen line at all (every interface) leaves the question to start-up.
    if (params.listen.empty())
        return;
    std::string listening;
    for (const auto& entry : params.listen) {
        auto bound = parse_ip_network(entry.host);
        if (!bound || entry.host == "0.0.0.0" || entry.host == "::" || entry.host == "[::]")
            return;
        std::vector<std::string> protos;
        if (!entry.proto.empty()) {
            protos.push_back(entry.proto);
        } else {
            protos.push_back("udp");
            if (!params.disable_tcp)
                protos.push_back("tcp");
            if (params.enable_tls && !params.disable_tcp)
                protos.push_back("tls");
        }
        for (const auto& proto : protos) {
            std::uint16_t port = entry.port != 0 ? entry.port : proto == "tls" ? params.tls_port_no : params.port;
            std::string name = proto + ":" + (bound->family == 6 ? "[" + entry.host + "]" : entry.host) + ":" +
                               std::to_string(port);
            listening += (listening.empty() ? "" : ", ") + name;
            if ((wanted.proto.empty() || wanted.proto == proto) && (wanted.port == 0 || wanted.port == port) &&
                same_address(*bound, *wanted_address))
                return;
        }
    }
    diags_.error(arg.where, "bad force_send_socket argument '" + arg.text + "': siphost does not listen on it",
                 "the listen addresses are " + listening);
}

void resolver::check_cfg_get(const select_spec& select, const std::string& text, source_location where) {
    if (select.group == "core") {
        if (!is_core_cfg_variable(select.variable))
            diags_.error(where,
                         "bad select '" + text + "': the core's cfg group has no variable '" +
                             select.variable + "'",
                         "siphost's core variables: debug");
        return;
    }
    std::vector<std::string> in_group;
    for (const auto& v : cfg_.custom_variables)
        if (v.group == select.group) {
            if (v.name == select.variable)
                return;
            in_group.push_back(v.name);
        }
    if (in_group.empty()) {
        diags_.error(where, "bad select '" + text + "': there is no cfg group '" + select.group + "'",
                     "declare its variables at the top level: " + select.group + "." + select.variable +
                         " = 0 desc \"...\"");
        return;
    }
    std::string near = nearest_name(select.variable, in_group);
    diags_.error(where,
                 "bad select '" + text + "': the cfg group '" + select.group + "' has no variable '" +
                     select.variable + "'",
                 near.empty() ? std::string() : "did you mean '" + near + "'?");
}

void resolver::check_pv(const std::string& text, source_location where, bool for_write) {
    std::string error;
    std::size_t error_offset = 0;
    auto name = parse_pv_name(text, error, &error_offset);
    if (!name) {
        source_location at = where;
        at.column += static_cast<std::uint32_t>(error_offset);
        std::string hint;
        if (error.rfind("unknown transformation", 0) == 0) {
            std::string wrong = error.substr(error.find('\'') + 1);
            wrong.pop_back();
            std::string near = nearest_name(wrong, transformation_names());
            if (!near.empty())
                hint = "did you mean '" + near + "'?";
        }
        diags_.error(at, "bad pseudo-variable '" + text + "': " + error, hint);
        return;
    }
    if (for_write && !name->transforms.empty()) {
        diags_.error(where, "'" + text + "' has transformations and cannot be assigned",
                     "assign to the pseudo-variable without {...}");
        return;
    }
    for (const auto& tr : name->transforms)
        for (const auto& param : tr.pv_params)
            if (!param.text.empty())
                check_pv(param.text, where, false);
    // Kamailio's textops registers the re.* class: without it, {re.subst,...} is an unknown transformation.
    for (const auto& tr : name->transforms) {
        if (tr.kind != tr_kind::re_subst || !catalog_)
            continue;
        auto loaded = catalog_->module_names();
        if (std::find(loaded.begin(), loaded.end(), "textops") == loaded.end()) {
            source_location at = where;
            at.column += static_cast<std::uint32_t>(text.find("{re.subst"));
            diags_.error(at, "bad pseudo-variable '" + text + "': the transformation 're.subst' is textops'",
                         "loadmodule \"textops.so\"");
            return;
        }
    }
    if (const auto* core = find_core_pv(name->name)) {
        if ((core->flags & SIPHOST_PV_NAME_REQUIRED) && !name->has_inner)
            diags_.error(where, "'$" + name->name + "' needs a name", "$" + name->name + "(name)");
        else if (core->flags == SIPHOST_PV_NAME_NONE && name->has_inner)
            diags_.error(where, "'$" + name->name + "' does not take a name in parentheses");
        else if (for_write && !core->writable)
            diags_.error(where, "'" + (text[0] == '@' ? text : "$" + name->name) + "' is read-only",
                         "writable: $avp, $xavp, $xavu, $xavi, $var, $vn, $ru, $rU, $rd, $rp, $du");
        else if (core->id == core_pv::avp && name->has_inner) {
            std::string_view inner = name->inner;
            if (inner.empty() || inner == "s:" || inner == "i:" ||
                (inner.rfind("i:", 0) == 0 && !is_numeric(std::string(inner.substr(2)))))
                diags_.error(where, "bad AVP name '" + name->inner + "'",
                             "$avp(name), $avp(s:name) or $avp(i:number)");
        } else if (core->id == core_pv::TV && name->inner != "s" && name->inner != "u" && name->inner != "sn" &&
                   name->inner != "un" && name->inner != "Sn") {
            diags_.error(where, "'$TV(" + name->inner + ")' is not a time Kamailio gives",
                         "$TV(s), $TV(u), $TV(sn), $TV(un) or $TV(Sn)");
        } else if ((core->id == core_pv::snd || core->id == core_pv::sndfrom) &&
                   !is_send_field(name->inner)) {
            diags_.error(where,
                         "'$" + name->name + "(" + name->inner + ")' is not a name Kamailio's pv gives",
                         "ip, port, proto, sproto, af, buf or len");
        } else if (core->id == core_pv::sel) {
            std::string error;
            auto select = parse_select(name->inner, error);
            if (!select)
                diags_.error(where, "bad select '" + text + "': " + error);
            else if (select->root == select_root::cfg_get)
                check_cfg_get(*select, text, where);
        } else if (core->id == core_pv::xavp || core->id == core_pv::xavu || core->id == core_pv::xavi) {
            std::string error;
            if (name->index != SIPHOST_PV_NO_INDEX)
                diags_.error(where, "the index of '" + text + "' goes inside the parentheses",
                             "$" + name->name + "(root[1]=>field[0])");
            else if (!parse_xavp_name(name->inner, core->id == core_pv::xavu, error))
                diags_.error(where, "bad pseudo-variable '" + text + "': " + error,
                             core->id == core_pv::xavu ? "$xavu(root) or $xavu(root=>field)"
                                                       : "$" + name->name + "(root[index]=>field[index])");
        }
        return;
    }
    if (catalog_) {
        if (auto pv = catalog_->find_pv(name->name)) {
            if ((pv->pv->flags & SIPHOST_PV_NAME_REQUIRED) && !name->has_inner)
                diags_.error(where, "'$" + name->name + "' needs a name", "$" + name->name + "(name)");
            else if (for_write && pv->pv->set == nullptr)
                diags_.error(where, "'$" + name->name + "' is read-only");
            return;
        }
    }
    std::vector<std::string> names;
    for (const auto& p : core_pvs())
        names.emplace_back(p.name);
    std::string near = nearest_name(name->name, names);
    std::string hint;
    if (name->name.rfind("T_", 0) == 0)
        hint = "the $T_ variables are provided by module 'tmx'";
    else if (!near.empty())
        hint = "did you mean '$" + near + "'?";
    diags_.error(where, "unknown pseudo-variable '$" + name->name + "'", hint);
}

void resolver::check_template(const std::string& text, source_location where, const std::string& raw) {
    // The column of the decoded byte at offset: an escape (\n, \") is two bytes in the source.
    auto column_of = [&](std::size_t offset) {
        std::size_t raw_offset = 1; // after the opening quote
        for (std::size_t decoded = 0; decoded < offset && raw_offset < raw.size(); ++decoded)
            raw_offset += raw[raw_offset] == '\\' ? 2 : 1;
        return raw.empty() ? offset + 1 : raw_offset;
    };
    for (const auto& part : split_template(text)) {
        if (!part.is_pv)
            continue;
        source_location at = where; // the opening quote
        at.column += static_cast<std::uint32_t>(column_of(part.offset));
        check_pv(part.text, at, false);
    }
}

void resolver::warn_unused() {
    for (const auto& r : cfg_.routes) {
        bool named_kind = (r.type == SIPHOST_ROUTE_REQUEST || r.type == SIPHOST_ROUTE_FAILURE ||
                           r.type == SIPHOST_ROUTE_TM_ONREPLY || r.type == SIPHOST_ROUTE_BRANCH) &&
                          !r.name.empty();
        if (named_kind && !r.referenced)
            diags_.warning(r.where, route_title(r.type, r.name) + " is never used");
    }
}

} // namespace siphost::cfg
