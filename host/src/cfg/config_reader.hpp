#pragma once

#include <string>
#include <vector>

#include "cfg/config.hpp"
#include "cfg/diagnostics.hpp"
#include "cfg/module_catalog.hpp"
#include "cfg/preprocessor.hpp"

namespace siphost::cfg {

/// How to read a config.
struct read_options {
    std::vector<std::string> defines; ///< -A NAME[=VALUE] from the command line
    /// Statements from the command line (one a line), read before the file as "<command line>": the file's
    /// own assignments win, and its #!ifdef sees the prelude's #!subst and #!define lines.
    std::vector<std::string> prelude;
    /// Statements from the command line read after the file (--modparam needs the file's loadmodule).
    std::vector<std::string> postlude;
    file_reader reader = read_file_from_disk;
};

/// Reads a config without side effects: preprocessor, lexer and parser. `loadmodule` and `modparam` are
/// recorded in out.module_statements, not carried out; calls are not resolved. What a reload, a checker or a
/// test reads before deciding to apply anything. False when there was an error (in diags, sorted by place).
bool describe_config_file(const std::string& path, const read_options& options, diagnostics& diags,
                          config& out);
/// The same for config text held in memory, shown under display_name in diagnostics.
bool describe_config_text(const std::string& display_name, std::string text, const read_options& options,
                          diagnostics& diags, config& out);

/// Carries out a described config's module statements through catalog, in order (loads the modules, applies
/// the modparams; each refusal is reported at its statement) and types the event routes the loaded modules
/// declare as their own route types.
void apply_module_statements(config& cfg, module_catalog& catalog, diagnostics& diags);

/// apply_module_statements, then the resolver: every call bound to a core function or a loaded module's
/// command and checked. catalog may be null (then no module is available). False when there was an error.
bool apply_config(config& cfg, module_catalog* catalog, diagnostics& diags);

/// describe_config_file then apply_config, reporting the problems of both in one sorted list: start-up and
/// `siphost -c`. False when there was an error.
bool read_config_file(const std::string& path, const read_options& options, module_catalog* catalog,
                      diagnostics& diags, config& out);

/// The same for config text held in memory, shown under display_name in diagnostics.
bool read_config_text(const std::string& display_name, std::string text, const read_options& options,
                      module_catalog* catalog, diagnostics& diags, config& out);

/// The config as the preprocessor leaves it (includes read, #!ifdef applied, defines substituted), with the
/// command line's statements around it: `siphost --cfg-print`. False (and diags) when it cannot be read.
bool preprocess_config_file(const std::string& path, const read_options& options, diagnostics& diags,
                            std::string& out);

/// A one-line summary for `siphost -c`: routes, modules and parameters.
std::string summary(const config& cfg);

} // namespace siphost::cfg
