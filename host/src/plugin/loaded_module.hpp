#pragma once
// One module file, loaded and checked. The library stays mapped as long as this object lives; the registry
// holds it in a shared_ptr, and so does everything that keeps a pointer into the module (command tables,
// fixup data), so a module is never unmapped under a caller.

#include <siphost/module.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

/// Names a module in the ABI's calls that ask who calls (log, metrics, slots, timers, api_export): the
/// handle init receives. It lives as long as its loaded_module.
struct siphost_module_handle {
    std::string name;
};

namespace siphost::plugin {

/// A refusal to load or initialise a module: what() is one sentence for the user.
class load_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class loaded_module {
public:
    /// Maps the file and validates its descriptor; throws load_error with the reason.
    static std::shared_ptr<loaded_module> open(const std::filesystem::path& file);

    const siphost_module& descriptor() const { return *descriptor_; }
    std::string_view name() const { return descriptor_->name; }
    std::string_view version() const { return descriptor_->version; }
    const std::filesystem::path& path() const { return path_; }

    bool initialised() const { return initialised_; }
    void mark_initialised(bool value) { initialised_ = value; }

    /// The handle init receives as `self`.
    siphost_module_handle* handle() { return &handle_; }

    /// Keeps a copy of a string modparam value alive until the module is unloaded; returns its C string.
    const char* keep_string(std::string_view value);

    /// Only open() can make one (the tag is private); public so that make_shared can call it.
    struct opened_tag {
    private:
        opened_tag() = default;
        friend class loaded_module;
    };
    loaded_module(opened_tag, boost::dll::shared_library library, const siphost_module* descriptor,
                  std::filesystem::path path);

private:

    boost::dll::shared_library library_;    ///< unmapped when the last owner goes
    const siphost_module* descriptor_;      ///< lives in the library's memory
    std::filesystem::path path_;            ///< the file it was loaded from
    std::list<std::string> kept_strings_;   ///< modparam strings handed to the module (stable addresses)
    siphost_module_handle handle_;
    bool initialised_ = false;
};

} // namespace siphost::plugin
