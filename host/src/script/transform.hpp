#pragma once

#include <vector>

#include "cfg/transformation.hpp"
#include "script/value.hpp"

namespace siphost::script {

/// Applies transformations in order to what a pseudo-variable read. A transformation that cannot apply (a
/// substr out of range, a value that is not a URI) makes the result null, as Kamailio's failed ones do.
value apply_transformations(const std::vector<cfg::transformation>& transforms, value v);

} // namespace siphost::script
