#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "cfg/transformation.hpp"
#include "script/value.hpp"

namespace siphost::script {

/// Reads the pseudo-variable written as parameter slot (0 or 1) of transforms[index]; called only for those.
using tr_parameter_reader = std::function<value(std::size_t index, int slot)>;

/// Applies transformations in order to what a pseudo-variable read. A transformation that cannot apply (a
/// substr out of range, a value that is not a URI) makes the result null, as Kamailio's failed ones do; so
/// does a pseudo-variable parameter that is null, or not an integer where a number is wanted (Kamailio's
/// "cannot get p1").
value apply_transformations(const std::vector<cfg::transformation>& transforms, value v,
                            const tr_parameter_reader& read_parameter = {});

} // namespace siphost::script
