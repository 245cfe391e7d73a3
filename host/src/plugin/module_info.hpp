#pragma once
// `siphost --module-info FILE`: what a module file declares, or why the loader refuses it.

#include "plugin/loaded_module.hpp"

#include <cstdint>
#include <string>

namespace siphost::plugin {

/// The route type bits as Kamailio users name them: "request, failure, onreply" ... or "any".
std::string route_type_names(uint32_t route_types);

/// A multi-line description of a loaded module's declaration.
std::string describe_module(const loaded_module& module);

} // namespace siphost::plugin
