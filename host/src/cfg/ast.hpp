#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <siphost/module.h>

#include "cfg/source_location.hpp"

namespace siphost::cfg {

enum class expr_kind {
    integer,    ///< number
    string,     ///< text (a literal)
    identifier, ///< text: a bare name (allowed as a command argument, where it means the string)
    pvar,       ///< text: "$ru", "$avp(x)[1]"
    unary,      ///< op, operands[0]
    binary,     ///< op, operands[0], operands[1]
    call,       ///< text: command name, operands: arguments
    route_call  ///< text: route name; route(NAME) used as a value
};

enum class op_kind {
    none,
    log_or,
    log_and,
    log_not,
    bit_or,
    bit_and,
    bit_xor,
    bit_not,
    shift_left,
    shift_right,
    equal,         ///< == (by the left operand's type)
    not_equal,     ///< !=
    match,         ///< =~
    not_match,     ///< !~
    str_equal,     ///< eq
    str_not_equal, ///< ne
    int_equal,     ///< ieq
    int_not_equal, ///< ine
    less,
    greater,
    less_equal,
    greater_equal,
    plus,
    minus,
    multiply,
    divide,
    modulo,
    negate,
    strlen_op,
    strempty_op,
    defined_op,
    int_cast,
    str_cast,
    in_network, ///< "src_ip == 10.0.0.0/8": the left address lies in the right network (made by the resolver)
    /// On a unary: its operand compares what is being sent (snd_port, to_ip, ...: made by the resolver). Made
    /// only while an onsend_route runs; elsewhere Kamailio's comparison fails: false in a condition, and
    /// false under '!' as well.
    needs_send_info
};

/// The spelling of an operator for messages.
const char* spelling(op_kind op);

struct core_function;

/// What the resolver bound a call to.
struct call_binding {
    const core_function* core = nullptr;      ///< a core function, or
    const siphost_command* command = nullptr; ///< a module command (one overload)
    std::string module;                       ///< the module that provides it
    std::vector<int> route_ids;               ///< per argument: the route id for SIPHOST_ARG_ROUTE, else -1
};

struct expr {
    expr_kind kind = expr_kind::integer;
    source_location where;
    op_kind op = op_kind::none;
    std::int64_t number = 0;
    std::string text;
    std::string raw; ///< a string literal as written, quotes included (to place diagnostics inside it)
    std::vector<std::unique_ptr<expr>> operands;
    call_binding binding; ///< for call; route_ids[0] is the route for route_call
};

enum class stmt_kind {
    block,       ///< body
    expression,  ///< value: a call or route(X) whose result sets $rc
    assign,      ///< target (pvar text in text), op, value
    if_stmt,     ///< value (condition), body (then, one block), else_body
    switch_stmt, ///< value, cases
    while_stmt,  ///< value, body
    break_stmt,
    return_stmt, ///< value may be null
    exit_stmt,   ///< value may be null
    drop_stmt,
    empty
};

struct stmt;

struct switch_case {
    source_location where;
    bool is_default = false;
    bool is_regex = false;
    bool is_int = false;
    std::int64_t number = 0;
    std::string text;
    std::vector<std::unique_ptr<stmt>> body;
};

struct stmt {
    stmt_kind kind = stmt_kind::empty;
    source_location where;
    op_kind assign_op = op_kind::none; ///< none for '=', else the arithmetic of '+=' etc.
    std::string text;                  ///< assignment target
    source_location target_where;
    std::unique_ptr<expr> value;
    std::vector<std::unique_ptr<stmt>> body;
    std::vector<std::unique_ptr<stmt>> else_body;
    bool has_else = false;
    std::vector<switch_case> cases;
    bool break_ends_route = false; ///< a 'break' outside switch/while: Kamailio ends the route
};

/// One route block of the config.
struct route_block {
    std::uint32_t type = SIPHOST_ROUTE_REQUEST; ///< one siphost_route_type bit
    std::string name;                           ///< "" for the main block of a type; "0" normalised to ""
    source_location where;
    std::vector<std::unique_ptr<stmt>> body;
    std::uint32_t reached_from = 0; ///< route types from which route(X) reaches it (for route[X])
    bool referenced = false;
};

/// The text of a route block's header as written: "onreply_route[OurReplyRoute]", "request_route".
std::string route_title(std::uint32_t type, const std::string& name);

} // namespace siphost::cfg
