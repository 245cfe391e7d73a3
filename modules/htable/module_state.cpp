#include "module_state.hpp"

#include <siphost/module.hpp>

#include <ctime>

namespace siphost::modules::htable {

module_state& state() {
    static module_state s;
    return s;
}

hash_table* module_state::find(std::string_view name) const {
    for (const auto& t : tables)
        if (t->name() == name)
            return t.get();
    return nullptr;
}

void log(int level, std::string_view text) {
    sdk::log(state().host, state().self, level, text);
}

int64_t now_seconds() {
    return static_cast<int64_t>(std::time(nullptr));
}

bool split_ref(std::string_view text, std::string_view& table, std::string_view& rest) {
    size_t arrow = text.find("=>");
    if (arrow == std::string_view::npos)
        return false;
    table = text.substr(0, arrow);
    rest = text.substr(arrow + 2);
    return true;
}

} // namespace siphost::modules::htable
