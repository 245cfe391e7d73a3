#include "script/route_ids.hpp"

#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace siphost::script {
namespace {

struct route_id_table {
    std::mutex mutex;
    std::map<std::pair<std::uint32_t, std::string>, int, std::less<>> ids;
    std::vector<route_key> keys; ///< by id
};

route_id_table& table() {
    static route_id_table instance;
    return instance;
}

} // namespace

int route_id_of(std::uint32_t type, std::string_view name) {
    if (name == "0" && type != 1u /* SIPHOST_ROUTE_REQUEST */)
        name = "";
    auto& t = table();
    std::lock_guard lock(t.mutex);
    auto key = std::make_pair(type, std::string(name));
    if (auto it = t.ids.find(key); it != t.ids.end())
        return it->second;
    int id = static_cast<int>(t.keys.size());
    t.keys.push_back({type, key.second});
    t.ids.emplace(std::move(key), id);
    return id;
}

std::optional<route_key> route_key_of(int id) {
    auto& t = table();
    std::lock_guard lock(t.mutex);
    if (id < 0 || static_cast<std::size_t>(id) >= t.keys.size())
        return std::nullopt;
    return t.keys[static_cast<std::size_t>(id)];
}

} // namespace siphost::script
