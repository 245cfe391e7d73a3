#pragma once

#include <deque>
#include <functional>
#include <memory>

#include "cfg/module_catalog.hpp"

namespace siphost::cfg {

/// A module_catalog over module descriptors (siphost_module): modparam, command and pseudo-variable lookup
/// by walking the descriptors' tables. Loading itself is delegated to a function, so that the plugin
/// registry can plug its loader in and tests can hand out static descriptors.
class descriptor_catalog : public module_catalog {
public:
    /// Finds and loads a module file; returns its descriptor, or nullptr with a reason in error.
    using loader_fn = std::function<const siphost_module*(std::string_view name, std::string_view options,
                                                          std::string_view mpath, std::string& error)>;

    explicit descriptor_catalog(loader_fn loader);

    load_result load_module(std::string_view name, std::string_view options, std::string_view mpath) override;
    std::string set_module_param(std::string_view module_regex, std::string_view param,
                                 const siphost_value& value) override;
    std::vector<command_overload> find_commands(std::string_view name) const override;
    std::optional<pv_export> find_pv(std::string_view name) const override;
    std::vector<std::string> command_names() const override;
    std::vector<std::string> module_names() const override;

    /// The descriptors loaded so far, in load order.
    const std::vector<const siphost_module*>& modules() const { return modules_; }

private:
    loader_fn loader_;
    std::vector<const siphost_module*> modules_;
    std::deque<std::string> string_values_; ///< copies handed to modules for string parameters
};

} // namespace siphost::cfg
