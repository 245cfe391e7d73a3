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

/// Reads a config file through the whole front end: preprocessor, lexer, parser (loading modules and
/// applying modparams through catalog as it goes), resolver. Every problem lands in diags, sorted by place.
/// Returns false when there was an error. catalog may be null (then no module is available).
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
