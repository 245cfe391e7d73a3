#pragma once
// The ids the ABI hands out for route blocks (route_lookup, SIPHOST_ARG_ROUTE arguments). An id names a
// (route type, name) pair for the life of the process, not a block of one compiled script, so that a
// transaction armed with t_on_reply("X") before a reload runs the new script's onreply_route[X] after it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::script {

/// The id of (type, name), made on first use. "0" names the unnamed block of every type but request.
int route_id_of(std::uint32_t type, std::string_view name);

/// The (type, name) an id names, or nothing for an id never handed out.
struct route_key {
    std::uint32_t type = 0;
    std::string name;
};
std::optional<route_key> route_key_of(int id);

} // namespace siphost::script
