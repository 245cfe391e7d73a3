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

/// A one-line summary for `siphost -c`: routes, modules and parameters.
std::string summary(const config& cfg);

} // namespace siphost::cfg
