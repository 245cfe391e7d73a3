#include <algorithm>
#include <atomic>
#include <cstring>
#include <set>

#include "cfg/config_reader.hpp"
#include "script/compiled_script.hpp"
#include "script/route_ids.hpp"

namespace siphost::script {

pv_spec::~pv_spec() {
    if (module_pv != nullptr && module_pv->free_data != nullptr && module_data != nullptr)
        module_pv->free_data(module_data);
}

namespace {
thread_local const compiled_script* compiling = nullptr; ///< compiled_script::being_compiled()
} // namespace

/// Turns a resolved AST into the executable form.
class script_compiler {
public:
    script_compiler(compiled_script& out, const cfg::module_catalog* catalog, cfg::diagnostics& diags)
        : out_(out), catalog_(catalog), diags_(diags) {}

    void compile_routes(std::vector<cfg::route_block>& routes) {
        cfg_routes_ = &routes;
        for (auto& r : routes) {
            compiled_route route;
            route.type = r.type;
            route.name = r.name;
            route.body = compile_body(r.body);
            out_.routes_.push_back(std::move(route));
        }
        for (std::size_t i = 0; i < out_.routes_.size(); ++i) {
            auto id = static_cast<std::size_t>(route_id_of(out_.routes_[i].type, out_.routes_[i].name));
            if (out_.index_of_id_.size() <= id)
                out_.index_of_id_.resize(id + 1, -1);
            out_.index_of_id_[id] = static_cast<int>(i);
        }
    }

    compiled_template compile_template(const std::string& text, cfg::source_location where) {
        compiled_template t;
        for (const auto& part : cfg::split_template(text)) {
            if (!part.is_pv) {
                t.pieces.push_back({part.text, nullptr});
                continue;
            }
            t.constant = false;
            t.pieces.push_back({std::string(), pv(part.text, where)});
        }
        if (t.constant && t.pieces.size() > 1)
            t.pieces.resize(1);
        return t;
    }

    const pv_spec* pv(const std::string& text, cfg::source_location where) {
        std::string error;
        auto spec = out_.parse_pv(text, error);
        if (!spec) {
            // The resolver reported unknown names already; this catches what only the module's parser knows.
            diags_.error(where, error);
            auto placeholder = std::make_unique<pv_spec>();
            placeholder->text = text;
            spec = std::move(placeholder);
        }
        out_.pvs_.push_back(std::move(spec));
        return out_.pvs_.back().get();
    }

private:
    std::vector<action> compile_body(std::vector<std::unique_ptr<cfg::stmt>>& body) {
        std::vector<action> actions;
        for (auto& s : body)
            if (s)
                compile_stmt(*s, actions);
        return actions;
    }

    void compile_stmt(cfg::stmt& s, std::vector<action>& into) {
        action a;
        switch (s.kind) {
        case cfg::stmt_kind::block:
            for (auto& inner : s.body)
                if (inner)
                    compile_stmt(*inner, into);
            return;
        case cfg::stmt_kind::empty:
            return;
        case cfg::stmt_kind::expression:
            a.kind = action_kind::expression;
            a.value = compile_expr(*s.value);
            break;
        case cfg::stmt_kind::assign:
            a.kind = action_kind::assign;
            a.target = pv(s.text, s.target_where);
            a.assign_op = s.assign_op;
            a.value = compile_expr(*s.value);
            if (a.value->kind == node_kind::pv && a.value->pv->select && a.value->pv->text.starts_with('@'))
                const_cast<pv_spec*>(a.value->pv)->select->absent_is_empty = true; // made for this node alone
            break;
        case cfg::stmt_kind::if_stmt:
            a.kind = action_kind::if_else;
            a.value = compile_expr(*s.value);
            a.body = compile_body(s.body);
            a.else_body = compile_body(s.else_body);
            break;
        case cfg::stmt_kind::while_stmt:
            a.kind = action_kind::while_loop;
            a.value = compile_expr(*s.value);
            a.body = compile_body(s.body);
            break;
        case cfg::stmt_kind::switch_stmt:
            a.kind = action_kind::switch_case;
            a.value = compile_expr(*s.value);
            a.int_switch = true;
            for (auto& c : s.cases) {
                compiled_case cc;
                cc.is_default = c.is_default;
                cc.is_int = c.is_int;
                cc.is_regex = c.is_regex;
                cc.number = c.number;
                cc.text = c.text;
                if (!c.is_default && !c.is_int)
                    a.int_switch = false;
                if (c.is_regex)
                    cc.regex = regex(c.text, REG_EXTENDED | REG_NOSUB, c.where);
                cc.body_start = a.body.size();
                for (auto& inner : c.body)
                    if (inner)
                        compile_stmt(*inner, a.body);
                a.cases.push_back(std::move(cc));
            }
            break;
        case cfg::stmt_kind::break_stmt:
            if (s.break_ends_route) {
                a.kind = action_kind::return_route;
            } else {
                a.kind = action_kind::break_loop;
            }
            break;
        case cfg::stmt_kind::return_stmt:
            a.kind = action_kind::return_route;
            if (s.value)
                a.value = compile_expr(*s.value);
            break;
        case cfg::stmt_kind::exit_stmt:
            a.kind = action_kind::exit_script;
            if (s.value)
                a.value = compile_expr(*s.value);
            break;
        case cfg::stmt_kind::drop_stmt:
            a.kind = action_kind::drop_message;
            break;
        }
        into.push_back(std::move(a));
    }

    const compiled_regex* regex(const std::string& pattern, int flags, cfg::source_location where) {
        auto& r = out_.regexes_.emplace_back();
        r.ok = regcomp(&r.re, pattern.c_str(), flags) == 0;
        if (!r.ok)
            diags_.error(where, "invalid regular expression '" + pattern + "'");
        return &r;
    }

    std::unique_ptr<node> compile_expr(cfg::expr& e) {
        auto n = std::make_unique<node>();
        switch (e.kind) {
        case cfg::expr_kind::integer:
            n->kind = node_kind::constant;
            n->constant = value::make_int(e.number);
            break;
        case cfg::expr_kind::string:
        case cfg::expr_kind::identifier:
            n->kind = node_kind::constant;
            n->constant = value::own(e.text);
            break;
        case cfg::expr_kind::pvar:
            n->kind = node_kind::pv;
            n->pv = pv(e.text, e.where);
            if (n->pv->core == cfg::core_pv::null_value && n->pv->module_pv == nullptr) {
                n->kind = node_kind::constant; // $null
                n->constant = value();
            }
            break;
        case cfg::expr_kind::unary:
            n->kind = node_kind::unary;
            n->op = e.op;
            n->left = compile_expr(*e.operands[0]);
            break;
        case cfg::expr_kind::binary:
            n->kind = node_kind::binary;
            n->op = e.op;
            n->left = compile_expr(*e.operands[0]);
            n->right = compile_expr(*e.operands[1]);
            if ((e.op == cfg::op_kind::match || e.op == cfg::op_kind::not_match) &&
                e.operands[1]->kind == cfg::expr_kind::string)
                n->regex =
                    regex(e.operands[1]->text, REG_EXTENDED | REG_ICASE | REG_NOSUB, e.operands[1]->where);
            break;
        case cfg::expr_kind::route_call:
            n->kind = node_kind::route_call;
            n->route_id = e.binding.route_ids.empty() ? -1 : e.binding.route_ids[0];
            break;
        case cfg::expr_kind::call:
            n->kind = node_kind::call;
            n->call = compile_call(e);
            break;
        }
        return n;
    }

    const call_site* compile_call(cfg::expr& e) {
        auto& site = out_.calls_.emplace_back();
        site.name = e.text;
        site.where = e.where;
        site.core = e.binding.core;
        site.command = e.binding.command;
        const std::uint8_t* kinds =
            site.core ? site.core->arg_kinds : (site.command ? site.command->arg_kinds : nullptr);
        siphost_value fixed[SIPHOST_MAX_ARGS]{};
        int constant[SIPHOST_MAX_ARGS]{};
        for (std::size_t i = 0; i < e.operands.size() && i < SIPHOST_MAX_ARGS; ++i) {
            cfg::expr& arg = *e.operands[i];
            call_argument a;
            a.kind = kinds ? kinds[i] : static_cast<std::uint8_t>(SIPHOST_ARG_STRING);
            bool literal = arg.kind == cfg::expr_kind::string || arg.kind == cfg::expr_kind::identifier;
            switch (a.kind) {
            case cfg::literal_string_arg:
                a.constant = true; // as written: no pseudo-variable is expanded
                a.constant_value = value::own(arg.text);
                break;
            case SIPHOST_ARG_ROUTE:
                a.constant = true;
                // The ABI's id (route_ids.hpp), stable across reloads, not this script's index.
                a.route_id = i < e.binding.route_ids.size() ? abi_route_id(e.binding.route_ids[i]) : -1;
                a.constant_value = value::own(literal ? arg.text : std::to_string(arg.number));
                break;
            case SIPHOST_ARG_PVAR:
                a.constant = true;
                a.constant_value = value::own(arg.text);
                break;
            case SIPHOST_ARG_INT:
                if (arg.kind == cfg::expr_kind::integer ||
                    (arg.kind == cfg::expr_kind::string && value::borrow(arg.text).is_numeric())) {
                    a.constant = true;
                    a.constant_value = value::make_int(
                        arg.kind == cfg::expr_kind::integer ? arg.number : value::borrow(arg.text).to_int());
                } else if (arg.kind == cfg::expr_kind::string) {
                    a.text = compile_template(arg.text, arg.where); // "$var(n)": read as a number per call
                } else {
                    a.expression = compile_expr(arg);
                }
                break;
            default:
                if (literal) {
                    a.text = compile_template(arg.text, arg.where);
                    if (a.text.constant) {
                        a.constant = true;
                        a.constant_value =
                            value::own(a.text.pieces.empty() ? std::string() : a.text.pieces[0].literal);
                    }
                } else if (arg.kind == cfg::expr_kind::integer) {
                    a.constant = true;
                    a.constant_value = value::own(std::to_string(arg.number));
                } else {
                    a.expression = compile_expr(arg);
                }
                break;
            }
            site.args.push_back(std::move(a));
        }
        for (std::size_t i = 0; i < site.args.size(); ++i) {
            const auto& a = site.args[i];
            constant[i] = a.constant ? 1 : 0;
            if (a.constant) {
                fixed[i] = a.constant_value.to_abi();
                if (a.kind == SIPHOST_ARG_ROUTE)
                    fixed[i].num = a.route_id;
            }
        }
        if (site.command && site.command->fixup) {
            char err[256] = {0};
            void* data = nullptr;
            if (site.command->fixup(fixed, constant, &data, err, sizeof err) != 0) {
                err[sizeof err - 1] = '\0';
                diags_.error(e.where, "'" + e.text + "': " +
                                          (err[0] ? std::string(err) : std::string("invalid arguments")));
            } else {
                site.call_data = data;
            }
        }
        return &site;
    }

    /// The ABI route id of the block at index (in the config's order, the resolver's), or -1.
    int abi_route_id(int index) const {
        if (index < 0 || cfg_routes_ == nullptr || static_cast<std::size_t>(index) >= cfg_routes_->size())
            return -1;
        const auto& r = (*cfg_routes_)[static_cast<std::size_t>(index)];
        return route_id_of(r.type, r.name);
    }

    const std::vector<cfg::route_block>* cfg_routes_ = nullptr;
    compiled_script& out_;
    const cfg::module_catalog* catalog_;
    cfg::diagnostics& diags_;
};

std::shared_ptr<const compiled_script>
compiled_script::compile(cfg::config cfg, const cfg::module_catalog* catalog, cfg::diagnostics& diags) {
    static std::atomic<std::uint64_t> generations{0};
    auto script = std::make_shared<compiled_script>(compiled_script::private_tag{});
    script->generation_ = ++generations;
    script->catalog_ = catalog;
    script->params_ = cfg.params;
    script->modules_ = cfg.modules;
    script->summary_ = cfg::summary(cfg);
    script->custom_variables_ = cfg.custom_variables;
    std::size_t errors_before = diags.error_count();
    // Fixups run while the routes compile and may ask the host to parse pseudo-variables into this script.
    struct compiling_scope {
        explicit compiling_scope(const compiled_script* s) { compiling = s; }
        ~compiling_scope() { compiling = nullptr; }
    } scope(script.get());
    script_compiler compiler(*script, catalog, diags);
    compiler.compile_routes(cfg.routes);
    script->request_route_ = script->route_lookup(SIPHOST_ROUTE_REQUEST, "");
    script->core_onreply_route_ = script->route_lookup(SIPHOST_ROUTE_CORE_ONREPLY, "");
    script->onsend_route_ = script->route_lookup(SIPHOST_ROUTE_ONSEND, "");
    if (!cfg.params.log_prefix.empty())
        script->log_prefix_ = compiler.compile_template(cfg.params.log_prefix, cfg.params.log_prefix_where);
    if (diags.error_count() != errors_before || diags.has_errors()) {
        diags.sort();
        return nullptr;
    }
    return script;
}

const compiled_script* compiled_script::being_compiled() {
    return compiling;
}

compiled_script::~compiled_script() {
    for (auto& site : calls_)
        if (site.command && site.command->fixup_free && site.call_data)
            site.command->fixup_free(site.call_data);
}

int compiled_script::route_id(std::uint32_t type, std::string_view name) const {
    int index = route_lookup(type, name);
    return index < 0 ? -1
                     : route_id_of(routes_[static_cast<std::size_t>(index)].type,
                                   routes_[static_cast<std::size_t>(index)].name);
}

int compiled_script::route_lookup(std::uint32_t type, std::string_view name) const {
    if (name == "0" && type != SIPHOST_ROUTE_REQUEST)
        name = "";
    for (std::size_t i = 0; i < routes_.size(); ++i)
        if (routes_[i].type == type && routes_[i].name == name)
            return static_cast<int>(i);
    return -1;
}

std::uint32_t compiled_script::variable_slot(const std::string& key) const {
    std::lock_guard lock(variables_mutex_);
    auto [it, inserted] = variables_.emplace(key, static_cast<std::uint32_t>(variables_.size()));
    return it->second;
}

std::uint32_t compiled_script::variable_count() const {
    std::lock_guard lock(variables_mutex_);
    return static_cast<std::uint32_t>(variables_.size());
}

std::unique_ptr<pv_spec> compiled_script::parse_pv(std::string_view text, std::string& error) const {
    auto name = cfg::parse_pv_name(text, error);
    if (!name) {
        error = "bad pseudo-variable '" + std::string(text) + "': " + error;
        return nullptr;
    }
    auto spec = std::make_unique<pv_spec>();
    spec->text = std::string(text);
    spec->index = name->index;
    spec->transforms = std::move(name->transforms);
    for (std::size_t i = 0; i < spec->transforms.size(); ++i)
        for (int slot = 0; slot < 2; ++slot) {
            const std::string& param = spec->transforms[i].pv_params[slot].text;
            if (param.empty())
                continue;
            spec->transform_parameters.resize(2 * spec->transforms.size());
            auto param_spec = parse_pv(param, error);
            if (!param_spec)
                return nullptr;
            spec->transform_parameters[2 * i + static_cast<std::size_t>(slot)] = std::move(param_spec);
        }
    if (const auto* core = cfg::find_core_pv(name->name)) {
        spec->core = core->id;
        if ((core->flags & SIPHOST_PV_NAME_REQUIRED) && !name->has_inner) {
            error = "'$" + name->name + "' needs a name";
            return nullptr;
        }
        switch (core->id) {
        case cfg::core_pv::avp: {
            std::string inner = name->inner;
            if (inner.rfind("s:", 0) == 0)
                inner.erase(0, 2);
            // Integer AVP names live apart from string names, as Kamailio keeps them apart.
            if (inner.empty()) {
                error = "bad AVP name in '" + std::string(text) + "'";
                return nullptr;
            }
            spec->name = inner;
            break;
        }
        case cfg::core_pv::var:
            spec->slot = variable_slot("var:" + name->inner);
            break;
        case cfg::core_pv::vn:
            spec->slot = variable_slot("vn:" + name->inner);
            break;
        case cfg::core_pv::xavp:
        case cfg::core_pv::xavu:
        case cfg::core_pv::xavi: {
            if (name->index != SIPHOST_PV_NO_INDEX) {
                error = "the index of '" + std::string(text) + "' goes inside the parentheses";
                return nullptr;
            }
            auto x = cfg::parse_xavp_name(name->inner, core->id == cfg::core_pv::xavu, error);
            if (!x) {
                error = "bad pseudo-variable '" + std::string(text) + "': " + error;
                return nullptr;
            }
            spec->name = std::move(x->root);
            spec->index = x->root_index;
            spec->has_field = x->has_field;
            spec->field = std::move(x->field);
            spec->field_index = x->field_index;
            break;
        }
        case cfg::core_pv::sel: {
            auto select = cfg::parse_select(name->inner, error);
            if (!select) {
                error = "bad select '" + std::string(text) + "': " + error;
                return nullptr;
            }
            if (select->root == cfg::select_root::cfg_get && select->group != "core") {
                // A custom variable's value as declared: the text a select gives.
                auto found =
                    std::find_if(custom_variables_.begin(), custom_variables_.end(), [&](const auto& v) {
                        return v.group == select->group && v.name == select->variable;
                    });
                if (found == custom_variables_.end()) {
                    error = "bad select '" + std::string(text) + "': no cfg variable " + select->group + "." +
                            select->variable;
                    return nullptr;
                }
                spec->name = found->is_int ? std::to_string(found->number) : found->text;
            } else if (select->root == cfg::select_root::cfg_get &&
                       !cfg::is_core_cfg_variable(select->variable)) {
                error = "bad select '" + std::string(text) + "': the core's cfg group has no variable '" +
                        select->variable + "'";
                return nullptr;
            }
            spec->select = std::make_unique<cfg::select_spec>(std::move(*select));
            break;
        }
        case cfg::core_pv::TV:
            spec->name = name->inner;
            break;
        case cfg::core_pv::snd:
        case cfg::core_pv::sndfrom:
            if (!cfg::is_send_field(name->inner)) {
                error = "'" + std::string(text) + "': the names are ip, port, proto, sproto, af, buf and len";
                return nullptr;
            }
            spec->name = name->inner;
            break;
        case cfg::core_pv::branch: {
            // Kamailio's fields, read-only here (measured on 5.6.3: [n] counts from the first target; it
            // refuses negative indexes and [*]).
            static constexpr std::string_view fields[] = {"uri",   "dst_uri",     "path", "q",
                                                          "flags", "send_socket", "ruid", "count"};
            bool known = false;
            for (std::string_view f : fields)
                known = known || name->inner == f;
            if (!known) {
                error = "'$branch(" + name->inner +
                        ")': siphost's $branch has uri, dst_uri, path, q, flags, "
                        "send_socket, ruid and count";
                return nullptr;
            }
            if (spec->index != SIPHOST_PV_NO_INDEX &&
                (spec->index < 0 || spec->index == SIPHOST_PV_ALL_INDEX)) {
                error = "'" + std::string(text) + "': $branch takes an index from 0 on";
                return nullptr;
            }
            spec->name = name->inner;
            break;
        }
        case cfg::core_pv::hdr:
            if (name->inner.empty()) {
                error = "'$hdr' needs a header name";
                return nullptr;
            }
            spec->name = name->inner;
            break;
        default:
            break;
        }
        return spec;
    }
    if (catalog_ != nullptr) {
        if (auto exported = catalog_->find_pv(name->name)) {
            spec->module_pv = exported->pv;
            if (exported->pv->parse_name != nullptr && name->has_inner) {
                char err[256] = {0};
                void* data = nullptr;
                if (exported->pv->parse_name({name->inner.data(), name->inner.size()}, &data, err,
                                             sizeof err) != 0) {
                    err[sizeof err - 1] = '\0';
                    error = "'" + std::string(text) +
                            "': " + (err[0] ? std::string(err) : std::string("invalid name"));
                    return nullptr;
                }
                spec->module_data = data;
            }
            return spec;
        }
    }
    error = "unknown pseudo-variable '$" + name->name + "'";
    return nullptr;
}

} // namespace siphost::script
