#pragma once
// Validation of a module descriptor before the host trusts any of it: every refusal names the field.

#include <siphost/module.h>

#include <optional>
#include <string>

namespace siphost::plugin {

/// The first problem found in the descriptor, as "commands[2] ('t_relay'): arg_count is 9, at most 6", or
/// nothing when it is well-formed. Checks sizes, ABI numbers are left to the loader.
std::optional<std::string> check_descriptor(const siphost_module& module);

/// The smallest struct sizes a module may declare: the whole 1.0 struct, reserved fields included (the loader
/// checks them), so that a descriptor of the pre-freeze layout (144 bytes) is refused by its size.
inline constexpr size_t min_module_size = sizeof(siphost_module);
inline constexpr size_t min_command_size = sizeof(siphost_command);
inline constexpr size_t min_param_size = sizeof(siphost_param);
inline constexpr size_t min_pv_size = sizeof(siphost_pv);
inline constexpr size_t min_event_size = sizeof(siphost_event);
inline constexpr size_t min_rpc_size = sizeof(siphost_rpc_command);

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
