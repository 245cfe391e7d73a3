#include "plugin/loaded_module.hpp"

#include "plugin/descriptor_check.hpp"

#include <system_error>

namespace siphost::plugin {
namespace {

// Boost.DLL appends the dynamic loader's own text to its message; that text is what tells the user why.
std::string loader_reason(const std::exception& e) {
    std::string what = e.what();
    constexpr std::string_view marker = "dlerror system message: ";
    auto at = what.find(marker);
    if (at == std::string::npos)
        return what;
    auto reason = what.substr(at + marker.size());
    if (!reason.empty() && reason.back() == ')')
        reason.pop_back();
    return reason;
}

} // namespace

loaded_module::loaded_module(opened_tag, boost::dll::shared_library library, const siphost_module* descriptor,
                             std::filesystem::path path)
    : library_(std::move(library)), descriptor_(descriptor), path_(std::move(path)) {
    handle_.name = descriptor_->name;
}

std::shared_ptr<loaded_module> loaded_module::open(const std::filesystem::path& file) {
    const std::string shown = file.string();
    boost::dll::shared_library library;
    try {
        library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        throw load_error("cannot load '" + shown + "': " + loader_reason(e));
    }

    if (!library.has(SIPHOST_ENTRY_SYMBOL)) {
        // A module of another ABI major exports siphost_module_vN: say so rather than "not a module".
        for (int major = 0; major <= 9; ++major) {
            if (major == SIPHOST_ABI_MAJOR)
                continue;
            if (library.has("siphost_module_v" + std::to_string(major)))
                throw load_error("'" + shown + "' was built for siphost ABI major " + std::to_string(major) +
                                 ", this host has ABI major " + std::to_string(SIPHOST_ABI_MAJOR));
        }
        throw load_error("'" + shown + "' is not a siphost module: it exports no " SIPHOST_ENTRY_SYMBOL "()");
    }

    auto entry = library.get<const siphost_module*()>(SIPHOST_ENTRY_SYMBOL);
    const siphost_module* descriptor = entry();
    if (descriptor == nullptr)
        throw load_error("'" + shown + "' has a malformed descriptor: " SIPHOST_ENTRY_SYMBOL "() returned NULL");
    // struct_size and the ABI numbers are the first fields of every version, so they can be read first.
    if (descriptor->struct_size >= offsetof(siphost_module, name)) {
        if (descriptor->abi_major != SIPHOST_ABI_MAJOR)
            throw load_error("'" + shown + "' was built for siphost ABI major " +
                             std::to_string(descriptor->abi_major) + ", this host has ABI major " +
                             std::to_string(SIPHOST_ABI_MAJOR));
        // abi_minor is what the module requires: a newer SDK may build a module for an older host.
        if (descriptor->abi_minor > SIPHOST_ABI_MINOR)
            throw load_error("'" + shown + "' requires siphost ABI " + std::to_string(descriptor->abi_major) +
                             "." + std::to_string(descriptor->abi_minor) + ", this host has ABI " +
                             std::to_string(SIPHOST_ABI_MAJOR) + "." + std::to_string(SIPHOST_ABI_MINOR) +
                             " (rebuild it with SIPHOST_REQUIRE_MINOR " + std::to_string(SIPHOST_ABI_MINOR) +
                             " if it calls nothing newer)");
    }
    if (auto problem = check_descriptor(*descriptor))
        throw load_error("'" + shown + "' has a malformed descriptor: " + *problem);

    return std::make_shared<loaded_module>(opened_tag{}, std::move(library), descriptor, file);
}

const char* loaded_module::keep_string(std::string_view value) { return kept_strings_.emplace_back(value).c_str(); }

} // namespace siphost::plugin
