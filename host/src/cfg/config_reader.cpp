#include "cfg/config_reader.hpp"

#include "cfg/lexer.hpp"
#include "cfg/parser.hpp"
#include "cfg/resolver.hpp"

#include <iterator>
#include <optional>

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

bool read_config_file(const std::string& path, const read_options& options, module_catalog* catalog,
                      diagnostics& diags, config& out) {
    preprocessor pre(diags, options.reader);
    auto pp = preprocess_with_command_line(pre, path, options, diags);
    if (!pp)
        return false;
    return front_end(pre, std::move(*pp), catalog, diags, out);
}

bool read_config_text(const std::string& display_name, std::string text, const read_options& options,
                      module_catalog* catalog, diagnostics& diags, config& out) {
    preprocessor pre(diags, options.reader);
    for (const auto& d : options.defines)
        pre.define_from_command_line(d);
    auto pp = pre.run_text(display_name, std::move(text));
    return front_end(pre, std::move(pp), catalog, diags, out);
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
