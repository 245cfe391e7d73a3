#pragma once

#include <memory>
#include <string>

#include "cfg/config_reader.hpp"
#include "script/compiled_script.hpp"

namespace siphost::script {

/// The whole pipeline for the lead's start-up and `siphost -c`: reads the config file (preprocessor, parser,
/// resolver, loading modules through catalog) and compiles it. Returns nullptr when diags holds an error.
/// catalog must outlive the returned script (module pseudo-variables parsed later use it).
std::shared_ptr<const compiled_script> load_script(const std::string& path, const cfg::read_options& options,
                                                   cfg::module_catalog* catalog, cfg::diagnostics& diags);

/// The same over config text in memory.
std::shared_ptr<const compiled_script> load_script_text(const std::string& display_name, std::string text,
                                                        const cfg::read_options& options,
                                                        cfg::module_catalog* catalog,
                                                        cfg::diagnostics& diags);

} // namespace siphost::script
