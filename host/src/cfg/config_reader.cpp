#include "cfg/config_reader.hpp"

#include "cfg/lexer.hpp"
#include "cfg/parser.hpp"
#include "cfg/resolver.hpp"

#include <iterator>
#include <optional>

namespace siphost::cfg {
namespace {

/// Lexer and parser: the config's description, with its module statements recorded, nothing carried out.
bool describe(preprocessed_config pp, diagnostics& diags, config& out) {
    lexer lex(pp.lines, diags);
    parser parse(pp.lines, lex.tokenize(), diags);
    out.start = {pp.lines.empty() ? 0u : pp.lines.front().file, 1, 1};
    parse.parse(out);
    diags.sort();
    return !diags.has_errors();
}

/// Points a modparam refusal at the part it is about.
void report_modparam_error(const module_statement& s, const std::string& error, diagnostics& diags) {
    source_location at = s.where[0];
    if (error.find("has no parameter") != std::string::npos)
        at = s.where[1];
    else if (error.find("needs") != std::string::npos || error.find("refused") != std::string::npos ||
             error.find("range") != std::string::npos)
        at = s.where[2];
    std::string hint;
    if (error.find("no loaded module") != std::string::npos)
        hint = "loadmodule must come before modparam";
    diags.error(at, error, hint);
}

/// A module's declared event may run as its own route type (tm's branch-failure), its block then named by
/// what follows the event's name, as the command that arms it names it (t_on_branch_failure("X")).
void type_module_events(config& cfg, const module_catalog& catalog) {
    for (auto& route : cfg.routes) {
        if (route.type != SIPHOST_ROUTE_EVENT)
            continue;
        auto event = catalog.find_event(route.name);
        if (!event || event->route_type == SIPHOST_ROUTE_EVENT)
            continue;
        route.type = event->route_type;
        if (event->named && route.name.size() > event->declared.size() + 1)
            route.name = route.name.substr(event->declared.size() + 1);
    }
}

} // namespace

void apply_module_statements(config& cfg, module_catalog& catalog, diagnostics& diags) {
    for (const auto& s : cfg.module_statements) {
        if (s.what == module_statement::kind::loadmodule) {
            load_result result = catalog.load_module(s.file, s.options, s.mpath);
            if (!result.ok)
                diags.error(s.where[1], result.error);
            else if (result.already_loaded)
                diags.warning(s.where[0], "module '" + result.module_name + "' is already loaded");
            else
                cfg.modules.push_back({s.file, result.module_name, s.where[0]});
            continue;
        }
        siphost_value value{};
        value.kind = s.is_int ? SIPHOST_VALUE_INT : SIPHOST_VALUE_STR;
        value.num = s.number;
        value.str = {s.text.c_str(), s.text.size()};
        std::string error = catalog.set_module_param(s.module_regex, s.param, value);
        if (!error.empty())
            report_modparam_error(s, error, diags);
    }
    type_module_events(cfg, catalog);
}

bool apply_config(config& cfg, module_catalog* catalog, diagnostics& diags) {
    if (catalog != nullptr)
        apply_module_statements(cfg, *catalog, diags);
    resolver(cfg, catalog, diags).run();
    if ((cfg.routes.empty() || cfg.find_route(SIPHOST_ROUTE_REQUEST, "") < 0) && !diags.has_errors())
        diags.warning(cfg.start, "the config has no request_route: every request is dropped");
    diags.sort();
    return !diags.has_errors();
}

namespace {

std::string joined_lines(const std::vector<std::string>& statements) {
    std::string text;
    for (const auto& statement : statements)
        text += statement + "\n";
    return text;
}

/// The file's lines with the command line's before and after; nullopt when the file cannot be read.
std::optional<preprocessed_config> preprocess_with_command_line(preprocessor& pre, const std::string& path,
                                                                const read_options& options,
                                                                diagnostics& diags) {
    for (const auto& d : options.defines)
        pre.define_from_command_line(d);
    preprocessed_config all;
    if (!options.prelude.empty())
        all = pre.run_text("<command line>", joined_lines(options.prelude));
    std::size_t files_before = diags.sources().file_count();
    auto file = pre.run_file(path);
    if (diags.sources().file_count() == files_before)
        return std::nullopt; // the file could not be read
    all.lines.insert(all.lines.end(), std::make_move_iterator(file.lines.begin()),
                     std::make_move_iterator(file.lines.end()));
    all.defines = std::move(file.defines);
    if (!options.postlude.empty()) {
        auto after = pre.run_text("<command line>", joined_lines(options.postlude));
        all.lines.insert(all.lines.end(), std::make_move_iterator(after.lines.begin()),
                         std::make_move_iterator(after.lines.end()));
    }
    return all;
}

} // namespace

bool describe_config_file(const std::string& path, const read_options& options, diagnostics& diags,
                          config& out) {
    preprocessor pre(diags, options.reader);
    auto pp = preprocess_with_command_line(pre, path, options, diags);
    if (!pp)
        return false;
    return describe(std::move(*pp), diags, out);
}

bool describe_config_text(const std::string& display_name, std::string text, const read_options& options,
                          diagnostics& diags, config& out) {
    preprocessor pre(diags, options.reader);
    for (const auto& d : options.defines)
        pre.define_from_command_line(d);
    return describe(pre.run_text(display_name, std::move(text)), diags, out);
}

bool read_config_file(const std::string& path, const read_options& options, module_catalog* catalog,
                      diagnostics& diags, config& out) {
    preprocessor pre(diags, options.reader);
    auto pp = preprocess_with_command_line(pre, path, options, diags);
    if (!pp)
        return false;
    describe(std::move(*pp), diags, out); // its errors are reported with the later phases'
    return apply_config(out, catalog, diags);
}

bool read_config_text(const std::string& display_name, std::string text, const read_options& options,
                      module_catalog* catalog, diagnostics& diags, config& out) {
    describe_config_text(display_name, std::move(text), options, diags, out);
    return apply_config(out, catalog, diags);
}

bool preprocess_config_file(const std::string& path, const read_options& options, diagnostics& diags,
                            std::string& out) {
    preprocessor pre(diags, options.reader);
    auto pp = preprocess_with_command_line(pre, path, options, diags);
    if (!pp || diags.has_errors())
        return false;
    for (const auto& line : pp->lines)
        out += line.text + "\n";
    return true;
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
