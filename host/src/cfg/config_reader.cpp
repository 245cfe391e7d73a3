#include "cfg/config_reader.hpp"

#include "cfg/lexer.hpp"
#include "cfg/parser.hpp"
#include "cfg/resolver.hpp"

namespace siphost::cfg {
namespace {

bool front_end(preprocessor& pre, preprocessed_config pp, module_catalog* catalog, diagnostics& diags,
               config& out) {
    (void)pre;
    lexer lex(pp.lines, diags);
    parser parse(pp.lines, lex.tokenize(), diags, catalog);
    parse.parse(out);
    resolver(out, catalog, diags).run();
    if (out.routes.empty() || out.find_route(SIPHOST_ROUTE_REQUEST, "") < 0) {
        if (!diags.has_errors())
            diags.warning({pp.lines.empty() ? 0u : pp.lines.front().file, 1, 1},
                          "the config has no request_route: every request is dropped");
    }
    diags.sort();
    return !diags.has_errors();
}

} // namespace

bool read_config_file(const std::string& path, const read_options& options, module_catalog* catalog,
                      diagnostics& diags, config& out) {
    preprocessor pre(diags, options.reader);
    for (const auto& d : options.defines)
        pre.define_from_command_line(d);
    auto pp = pre.run_file(path);
    if (diags.sources().file_count() == 0)
        return false; // the file could not be read
    return front_end(pre, std::move(pp), catalog, diags, out);
}

bool read_config_text(const std::string& display_name, std::string text, const read_options& options,
                      module_catalog* catalog, diagnostics& diags, config& out) {
    preprocessor pre(diags, options.reader);
    for (const auto& d : options.defines)
        pre.define_from_command_line(d);
    auto pp = pre.run_text(display_name, std::move(text));
    return front_end(pre, std::move(pp), catalog, diags, out);
}

std::string summary(const config& cfg) {
    std::string routes;
    for (const auto& r : cfg.routes)
        routes += (routes.empty() ? "" : ", ") + route_title(r.type, r.name);
    std::string modules;
    for (const auto& m : cfg.modules)
        modules += (modules.empty() ? "" : ", ") + m.name;
    return "config OK: " + std::to_string(cfg.routes.size()) + " routes (" + routes + "), " +
           std::to_string(cfg.modules.size()) + " modules (" + modules + "), " +
           std::to_string(cfg.params.written.size()) + " global parameters, " +
           std::to_string(cfg.modparam_count) + " modparams";
}

} // namespace siphost::cfg
