#pragma once

#include "cfg/config.hpp"
#include "cfg/diagnostics.hpp"
#include "cfg/module_catalog.hpp"
#include "cfg/select.hpp"

namespace siphost::cfg {

/// Binds every call, route reference and pseudo-variable of a parsed config: commands by name, argument
/// count and kinds, and the route types they may run in; route names; pseudo-variable names. Also warns
/// about unreachable statements and unused routes.
class resolver {
public:
    /// catalog may be null (no modules: every module command is unknown).
    resolver(config& cfg, const module_catalog* catalog, diagnostics& diags);

    void run();

private:
    struct context {
        std::uint32_t route_types; ///< every route type this code may run in
        const route_block* route;
    };

    void bind_route_calls(std::vector<std::unique_ptr<stmt>>& body, std::size_t route_id);
    void bind_route_calls(expr& e, std::size_t route_id);
    void compute_reach();
    void check_body(std::vector<std::unique_ptr<stmt>>& body, const context& ctx);
    void check_stmt(stmt& s, const context& ctx);
    void check_expr(expr& e, const context& ctx, bool argument = false);
    /// Rewrites Kamailio's core keywords (uri, src_ip, method, ..., "X == myself") into pseudo-variables and
    /// is_myself() calls, before the expression is checked.
    void rewrite_core_keywords(expr& e, const context& ctx);
    /// "snd_port == 5060" and the other keywords of a message being sent: checked, then a comparison of
    /// $snd/$sndfrom that only an onsend_route makes (see there).
    void rewrite_send_comparison(expr& e, const context& ctx);
    /// The value compared with proto (UDP, udp, 1) as $pr prints it.
    void rewrite_proto_value(expr& value);
    /// The value compared with af (INET, inet, 2) as $af prints it.
    void rewrite_af_value(expr& value);
    void check_call(expr& e, const context& ctx);
    void check_pv(const std::string& text, source_location where, bool for_write);
    void check_cfg_get(const select_spec& select, const std::string& text, source_location where);
    /// force_send_socket's argument: a socket this config listens on, as Kamailio's fixup demands.
    void check_send_socket(const expr& arg);
    /// udp_mtu_try_proto's argument: a transport word (TCP, tcp), as Kamailio's grammar demands.
    void check_mtu_proto(expr& call);
    /// setavpflag() and its kin: the flag a declared avpflags name (made its bit), the AVP name without "s:".
    void bind_avp_flag(expr& call);
    /// setflag() and its kin: a flag name declared with 'flags' becomes its number.
    void bind_flag_name(expr& call);
    /// raw is the literal as written (quotes included) when known, so that columns account for escapes.
    void check_template(const std::string& text, source_location where, const std::string& raw = {});
    std::string where_runs(std::uint32_t disallowed, const context& ctx) const;
    void warn_unused();

    config& cfg_;
    const module_catalog* catalog_;
    diagnostics& diags_;
    std::vector<std::vector<std::size_t>> calls_; ///< route id -> sub-routes it calls with route()
};

} // namespace siphost::cfg
