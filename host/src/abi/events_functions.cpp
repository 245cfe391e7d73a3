// The events sub-table: event routes a module declared, found by name and run.
#include "abi/host_table.hpp"
#include "message/message_context.hpp"
#include "plugin/module_registry.hpp"

#include <cstring>
#include <string>

namespace siphost::abi {
namespace {

int lookup(siphost_module_handle* self, siphost_str name) {
    auto* registry = parts().registry;
    if (self == nullptr || registry == nullptr)
        return -1;
    std::string wanted(flow::view(name));
    std::string declared_by;
    const siphost_event* event = registry->find_event(wanted, &declared_by);
    if (event == nullptr || declared_by != self->name)
        return -1;
    // A named event's block is named by what follows the event's own name (see cfg/parser.cpp).
    std::string_view block = wanted;
    if ((event->flags & SIPHOST_EVENT_NAMED) != 0 && event->route_type != SIPHOST_ROUTE_EVENT &&
        block.size() > std::strlen(event->name) + 1)
        block.remove_prefix(std::strlen(event->name) + 1);
    return host_table()->route_lookup(event->route_type, siphost_str{block.data(), block.size()});
}

int run(int route_id, siphost_msg* msg) {
    return host_table()->route_run(route_id, msg);
}

} // namespace

const siphost_events_api* events_table() {
    static const siphost_events_api table = [] {
        siphost_events_api t{};
        t.struct_size = sizeof t;
        t.lookup = lookup;
        t.run = run;
        return t;
    }();
    return &table;
}

} // namespace siphost::abi
