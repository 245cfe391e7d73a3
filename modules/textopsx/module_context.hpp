#pragma once
// What every part of textopsx reaches: the host table and the module's handle, set once by init.

#include <siphost/module.hpp>

#include <string_view>

namespace siphost::modules::textopsx {

/// The host table (valid from init until destroy).
const siphost_host_api* host();
/// The handle that names textopsx to the host.
siphost_module_handle* self();
void set_context(const siphost_host_api* host, siphost_module_handle* self);

/// Logs one line at L_ERR as "textopsx: text".
void log_error(std::string_view text);

/// The received bytes of msg as they stand now (after msg_apply_changes: the changed ones).
std::string_view raw_of(const siphost_msg* msg);

/// The offset of view in raw, or false when view does not lie inside raw (an empty view at its end counts).
bool offset_in(std::string_view raw, siphost_str view, size_t& offset);

} // namespace siphost::modules::textopsx
