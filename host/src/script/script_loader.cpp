#include "script/script_loader.hpp"

namespace siphost::script {

std::shared_ptr<const compiled_script> load_script(const std::string& path, const cfg::read_options& options,
                                                   cfg::module_catalog* catalog, cfg::diagnostics& diags) {
    cfg::config cfg;
    if (!cfg::read_config_file(path, options, catalog, diags, cfg))
        return nullptr;
    return compiled_script::compile(std::move(cfg), catalog, diags);
}

std::shared_ptr<const compiled_script> load_script_text(const std::string& display_name, std::string text,
                                                        const cfg::read_options& options,
                                                        cfg::module_catalog* catalog,
                                                        cfg::diagnostics& diags) {
    cfg::config cfg;
    if (!cfg::read_config_text(display_name, std::move(text), options, catalog, diags, cfg))
        return nullptr;
    return compiled_script::compile(std::move(cfg), catalog, diags);
}

} // namespace siphost::script
