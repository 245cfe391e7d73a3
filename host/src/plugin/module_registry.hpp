#pragma once
// The modules of one siphost process: loaded in config order by `loadmodule`, configured by `modparam`,
// initialised in load order and destroyed in reverse. The config reader resolves script calls and
// pseudo-variables against it.

#include "plugin/loaded_module.hpp"

#include <siphost/module.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace siphost::plugin {

/// A script command as a module declares it, with the module that keeps it alive.
struct command_ref {
    const siphost_command* command;
    std::shared_ptr<const loaded_module> owner;
};

/// A module pseudo-variable, with its owner.
struct pv_ref {
    const siphost_pv* pv;
    std::shared_ptr<const loaded_module> owner;
};

/// What `loadmodule` did.
struct load_outcome {
    std::shared_ptr<loaded_module> module;
    std::optional<std::string> warning; ///< set when the module was already loaded (not an error)
};

/// A modparam value as written in the config.
using param_value = std::variant<int64_t, std::string>;

class module_registry {
public:
    module_registry() = default;
    module_registry(const module_registry&) = delete;
    module_registry& operator=(const module_registry&) = delete;
    ~module_registry();

    /// The directories searched for bare names (mpath / -L).
    void set_search_dirs(std::vector<std::filesystem::path> dirs) { search_dirs_ = std::move(dirs); }
    const std::vector<std::filesystem::path>& search_dirs() const { return search_dirs_; }

    /// Finds and loads a module (see module_path.hpp). Throws load_error. Loading a module whose name is
    /// already loaded returns the loaded one with a warning.
    load_outcome load(std::string_view name_or_path);

    /// Applies modparam("regex", "name", value): every loaded module whose name the case-insensitive regex
    /// matches whole and that has the parameter gets it. Throws load_error with the reason.
    void set_param(std::string_view module_regex, std::string_view param, const param_value& value);

    /// Every overload of a script command, in load order; empty when no module has it.
    const std::vector<command_ref>& find_commands(std::string_view name) const;
    std::optional<pv_ref> find_pv(std::string_view name) const;
    std::vector<std::string_view> command_names() const;
    std::shared_ptr<const loaded_module> find_module(std::string_view name) const;
    const std::vector<std::shared_ptr<loaded_module>>& modules() const { return modules_; }

    /// The first module that needs (depends) a module not loaded before it, as one sentence; empty when the
    /// load order is right.
    std::string check_dependencies() const;
    /// Checks the dependencies, registers the modules' RPC commands, then runs every module's init in load
    /// order; throws load_error with the module's message on a failure (the modules initialised before it are
    /// destroyed again).
    void init_all(const siphost_host_api* host);
    /// Runs thread_init of every module on the calling thread (kind: siphost_thread_kind); false (and the
    /// reason) on a failure.
    bool init_thread(int kind, int index, std::string& error);
    /// The module that declared event `name` ("tm:branch-failure", or "tm:branch-failure:X" for a named
    /// event), with its declaration; nullptr when none did.
    const siphost_event* find_event(std::string_view name, std::string* module = nullptr) const;
    /// Runs on_reload of every module (after a reloaded script replaced the running one).
    void notify_reload();
    /// Runs destroy in reverse load order for every initialised module.
    void destroy_all();

private:
    void index(const std::shared_ptr<loaded_module>& module);

    std::vector<std::filesystem::path> search_dirs_;
    std::vector<std::shared_ptr<loaded_module>> modules_; ///< load order
    std::unordered_map<std::string, std::vector<command_ref>> commands_;
    std::unordered_map<std::string, pv_ref> pvs_;
};

} // namespace siphost::plugin
