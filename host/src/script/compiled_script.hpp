#pragma once

#include <regex.h>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cfg/config.hpp"
#include "cfg/core_functions.hpp"
#include "cfg/diagnostics.hpp"
#include "cfg/module_catalog.hpp"
#include "script/pv_spec.hpp"
#include "script/value.hpp"

namespace siphost::script {

/// A string with pseudo-variables ("for $rm the value is $avp(x)"), split once into pieces.
struct compiled_template {
    struct piece {
        std::string literal;
        const pv_spec* pv = nullptr; ///< a pseudo-variable piece when set
    };
    std::vector<piece> pieces;
    bool constant = true; ///< no pseudo-variable: the text is pieces[0].literal (or empty)
};

/// A compiled POSIX regular expression (freed with the script).
struct compiled_regex {
    regex_t re{};
    bool ok = false;
    compiled_regex() = default;
    compiled_regex(const compiled_regex&) = delete;
    compiled_regex& operator=(const compiled_regex&) = delete;
    ~compiled_regex() {
        if (ok)
            regfree(&re);
    }
};

struct call_site;

enum class node_kind : std::uint8_t { constant, pv, unary, binary, call, route_call };

/// An expression node with everything bound: no name is looked up while it runs.
struct node {
    node_kind kind = node_kind::constant;
    cfg::op_kind op = cfg::op_kind::none;
    value constant;
    const pv_spec* pv = nullptr;
    std::unique_ptr<node> left, right;
    const call_site* call = nullptr;
    int route_id = -1;
    const compiled_regex* regex = nullptr; ///< =~ with a constant pattern
};

/// One argument of a command call, prepared as its declared kind wants it.
struct call_argument {
    std::uint8_t kind = SIPHOST_ARG_STRING; ///< siphost_arg_kind
    compiled_template text;                 ///< SIPHOST_ARG_STRING given as a string literal
    std::unique_ptr<node> expression;       ///< any other STRING/INT argument
    bool constant = false;
    value constant_value; ///< constant int/string (INT, ROUTE name, PVAR text, constant STRING)
    std::int64_t route_id = -1;
};

/// A call of a core function or a module command at one place in the config.
struct call_site {
    std::string name;
    cfg::source_location where;
    const cfg::core_function* core = nullptr;
    const siphost_command* command = nullptr;
    std::vector<call_argument> args;
    void* call_data = nullptr; ///< what the command's fixup stored
};

enum class action_kind : std::uint8_t {
    expression,
    assign,
    if_else,
    switch_case,
    while_loop,
    break_loop,
    return_route,
    exit_script,
    drop_message
};

struct action;

/// One case label of a compiled switch; its statements start at body_start in the switch's body.
struct compiled_case {
    bool is_default = false;
    bool is_int = false;
    bool is_regex = false;
    std::int64_t number = 0;
    std::string text;
    const compiled_regex* regex = nullptr;
    std::size_t body_start = 0;
};

/// One statement.
struct action {
    action_kind kind = action_kind::expression;
    std::unique_ptr<node> value;     ///< call, condition, assigned value, return/exit code
    const pv_spec* target = nullptr; ///< assignment target
    cfg::op_kind assign_op = cfg::op_kind::none;
    std::vector<action> body; ///< if: then; while: body; switch: every case's statements
    std::vector<action> else_body;
    std::vector<compiled_case> cases;
    bool int_switch = true;
};

/// One route block.
struct compiled_route {
    std::uint32_t type = SIPHOST_ROUTE_REQUEST;
    std::string name;
    std::vector<action> body;
};

/// The whole script in its executable form: immutable after compile, shared by every worker.
class compiled_script {
public:
    /// Compiles a resolved config (the result of cfg::read_config_*): pseudo-variables parsed, templates
    /// split, constant regexes compiled, module fixups run. Errors go to diags; returns nullptr when there
    /// were any.
    static std::shared_ptr<const compiled_script> compile(cfg::config cfg, const cfg::module_catalog* catalog,
                                                          cfg::diagnostics& diags);

    ~compiled_script();
    compiled_script(const compiled_script&) = delete;
    compiled_script& operator=(const compiled_script&) = delete;

    /// The index of a route in this script by type (one SIPHOST_ROUTE_* bit) and name, or -1.
    int route_lookup(std::uint32_t type, std::string_view name) const;
    /// The ABI's route id (route_ids.hpp) of a block of this script by type and name, or -1 when it has none.
    int route_id(std::uint32_t type, std::string_view name) const;
    /// The index in this script of the block an ABI route id names, or -1.
    int route_index_of_id(int id) const {
        return id < 0 || static_cast<std::size_t>(id) >= index_of_id_.size()
                   ? -1
                   : index_of_id_[static_cast<std::size_t>(id)];
    }
    const compiled_route& route(int index) const { return routes_[static_cast<std::size_t>(index)]; }
    std::size_t route_count() const { return routes_.size(); }
    int request_route() const { return request_route_; }
    int core_onreply_route() const { return core_onreply_route_; }
    int onsend_route() const { return onsend_route_; }

    const cfg::global_params& params() const { return params_; }
    const std::vector<cfg::loaded_module>& modules() const { return modules_; }
    /// The log_prefix template (empty when not set).
    const compiled_template& log_prefix() const { return log_prefix_; }
    /// The `-c` summary line.
    const std::string& summary() const { return summary_; }
    /// The custom config variables (group.var = value) as declared, for @cfg_get.
    const std::vector<cfg::custom_variable>& custom_variables() const { return custom_variables_; }

    /// The script being compiled on this thread (its fixups may parse pseudo-variables), or nullptr.
    static const compiled_script* being_compiled();

    /// Parses pseudo-variable text for use outside the script (the ABI's pv_parse); nullptr and a reason.
    std::unique_ptr<pv_spec> parse_pv(std::string_view text, std::string& error) const;
    /// How many $var / $vn slots exist now (grows when pv_parse names a new one).
    std::uint32_t variable_count() const;
    /// A number no other compiled script of this process has (per-worker $var storage is keyed by it).
    std::uint64_t generation() const { return generation_; }

private:
    /// Only compile() makes a compiled_script (the tag keeps the constructor usable by make_shared alone).
    struct private_tag {
        explicit private_tag() = default;
    };

public:
    explicit compiled_script(private_tag) {}

private:
    friend class script_compiler;

    std::uint32_t variable_slot(const std::string& key) const;

    std::uint64_t generation_ = 0;
    std::vector<compiled_route> routes_;
    std::vector<int> index_of_id_; ///< ABI route id -> index in routes_ (-1: not in this script)
    int request_route_ = -1;
    int core_onreply_route_ = -1;
    int onsend_route_ = -1;
    cfg::global_params params_;
    std::vector<cfg::loaded_module> modules_;
    compiled_template log_prefix_;
    std::string summary_;
    std::vector<cfg::custom_variable> custom_variables_;
    const cfg::module_catalog* catalog_ = nullptr; ///< for pv_parse of module pseudo-variables
    std::deque<std::unique_ptr<pv_spec>> pvs_;
    std::deque<compiled_regex> regexes_;
    std::deque<call_site> calls_;
    mutable std::mutex variables_mutex_;
    mutable std::map<std::string, std::uint32_t> variables_;
};

} // namespace siphost::script
