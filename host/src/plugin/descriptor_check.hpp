#pragma once
// Validation of a module descriptor before the host trusts any of it: every refusal names the field.

#include <siphost/module.h>

#include <optional>
#include <string>

namespace siphost::plugin {

/// The first problem found in the descriptor, as "commands[2] ('t_relay'): arg_count is 9, at most 6", or
/// nothing when it is well-formed. Checks sizes, ABI numbers are left to the loader.
std::optional<std::string> check_descriptor(const siphost_module& module);

/// The smallest struct sizes a v1.0 module may declare.
inline constexpr size_t min_module_size = offsetof(siphost_module, reserved);
inline constexpr size_t min_command_size = offsetof(siphost_command, reserved);
inline constexpr size_t min_param_size = offsetof(siphost_param, reserved);
inline constexpr size_t min_pv_size = offsetof(siphost_pv, reserved);

/// Steps through a NULL-name-terminated table whose entries are `stride` bytes apart.
template <typename Entry> const Entry* table_entry(const Entry* first, size_t stride, size_t index) {
    return reinterpret_cast<const Entry*>(reinterpret_cast<const char*>(first) + stride * index);
}

/// Calls f(entry, index) for every entry of a table (none when the table is NULL); f returns false to stop.
template <typename Entry, typename F> void for_each_entry(const Entry* table, F&& f) {
    if (table == nullptr || table->struct_size == 0)
        return;
    size_t stride = table->struct_size;
    for (size_t i = 0;; ++i) {
        const Entry* entry = table_entry(table, stride, i);
        if (entry->name == nullptr)
            return;
        if (!f(*entry, i))
            return;
    }
}

} // namespace siphost::plugin
