#pragma once
// Reading a config again while the server runs (a reload): the read must have no side effect on what runs.
// At start-up, loadmodule loads and modparam applies as the config is read (a module's commands must be known
// to resolve the script's calls). A reload reads through reload_catalog instead, which answers from the
// modules that run and compares every loadmodule and modparam with what start-up applied (recorded by
// recording_catalog); then the global parameters are compared, and only then is the new script compiled (its
// fixups run). Nothing of this touches the running script: the caller publishes the result.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cfg/config_reader.hpp"
#include "script/compiled_script.hpp"

namespace siphost::script {

/// What start-up's read applied through the catalog, in order.
struct applied_modules {
    struct module {
        std::string written; ///< as the config wrote it ("tm.so", "/usr/lib/x/tm.so")
        std::string name;    ///< the module's own name ("tm")
    };
    struct param {
        std::string module_regex;
        std::string name;
        bool is_int = false;
        std::int64_t number = 0;
        std::string text;
        std::string value_text() const; ///< 5000, "text"
    };
    std::vector<module> modules;
    std::vector<param> params;
};

/// Passes every call to the catalog that loads and applies (the registry's), and records what succeeded.
class recording_catalog final : public cfg::module_catalog {
public:
    explicit recording_catalog(cfg::module_catalog& inner) : inner_(inner) {}

    cfg::load_result load_module(std::string_view name, std::string_view options,
                                 std::string_view mpath) override;
    std::string set_module_param(std::string_view module_regex, std::string_view param,
                                 const siphost_value& value) override;
    std::vector<cfg::command_overload> find_commands(std::string_view name) const override {
        return inner_.find_commands(name);
    }
    std::optional<cfg::pv_export> find_pv(std::string_view name) const override {
        return inner_.find_pv(name);
    }
    std::vector<std::string> command_names() const override { return inner_.command_names(); }
    std::vector<std::string> module_names() const override { return inner_.module_names(); }
    std::optional<cfg::event_export> find_event(std::string_view name) const override {
        return inner_.find_event(name);
    }

    const applied_modules& applied() const { return applied_; }

private:
    cfg::module_catalog& inner_;
    applied_modules applied_;
};

/// The catalog a reload reads through: loadmodule names a module that runs (else a precise refusal), modparam
/// must be what start-up applied (else a precise refusal); nothing is loaded or applied. Lookups (commands,
/// pseudo-variables, events) answer from the running modules.
class reload_catalog final : public cfg::module_catalog {
public:
    reload_catalog(const cfg::module_catalog& running, const applied_modules& applied)
        : running_(running), applied_(applied) {}

    cfg::load_result load_module(std::string_view name, std::string_view options,
                                 std::string_view mpath) override;
    std::string set_module_param(std::string_view module_regex, std::string_view param,
                                 const siphost_value& value) override;
    std::vector<cfg::command_overload> find_commands(std::string_view name) const override {
        return running_.find_commands(name);
    }
    std::optional<cfg::pv_export> find_pv(std::string_view name) const override {
        return running_.find_pv(name);
    }
    std::vector<std::string> command_names() const override { return running_.command_names(); }
    std::vector<std::string> module_names() const override { return running_.module_names(); }
    std::optional<cfg::event_export> find_event(std::string_view name) const override {
        return running_.find_event(name);
    }

    /// After the read: a running module the new config does not load, or a running modparam it lacks, is an
    /// error (modules cannot be unloaded, parameters cannot be taken back).
    void finish(cfg::diagnostics& diags) const;

private:
    const cfg::module_catalog& running_;
    const applied_modules& applied_;
    std::set<std::string> loaded_;                   ///< running modules the new config loads
    std::map<std::string, std::size_t> seen_params_; ///< (regex, name) -> how many the new config has
};

/// The global parameters that differ between the running config and the new one and cannot change while
/// siphost runs, one sentence each. log_prefix and max_while_loops belong to the script and change with it.
std::vector<std::string> fixed_param_changes(const cfg::global_params& running,
                                             const cfg::global_params& next);

/// Reads path for a reload and compiles it: nullptr (and every problem in diags) when it has an error or
/// changes what cannot change live. running is the catalog of the running modules (it must outlive the
/// returned script), applied what start-up applied, running_script the script running now (its global
/// parameters and event routes are what may not change).
std::shared_ptr<const compiled_script>
read_for_reload(const std::string& path, const cfg::read_options& options, const cfg::module_catalog& running,
                const applied_modules& applied, const compiled_script& running_script,
                cfg::diagnostics& diags);

/// The same over config text in memory (tests).
std::shared_ptr<const compiled_script>
read_text_for_reload(const std::string& display_name, std::string text, const cfg::read_options& options,
                     const cfg::module_catalog& running, const applied_modules& applied,
                     const compiled_script& running_script, cfg::diagnostics& diags);

} // namespace siphost::script
