// AVP lists: the host's plugin/avp_list behind the ABI's opaque handle, and a message's current list.
#include "abi/host_table.hpp"
#include "message/message_context.hpp"
#include "plugin/avp_list.hpp"

#include <memory>

namespace siphost::abi {
namespace {

using flow::view;

siphost_avp_list* msg_avps(siphost_msg* m) {
    return &m->avp_list();
}

siphost_avp_list* msg_swap_avps(siphost_msg* m, siphost_avp_list* list) {
    if (!m->avps)
        m->avps = std::make_unique<siphost_avp_list>();
    siphost_avp_list* previous = m->avps.release();
    m->avps.reset(list != nullptr ? list : std::make_unique<siphost_avp_list>().release());
    return previous;
}

} // namespace

void fill_avp_functions(siphost_host_api& api) {
    api.msg_avps = msg_avps;
    api.msg_swap_avps = msg_swap_avps;
    api.avp_list_new = []() -> siphost_avp_list* { return std::make_unique<siphost_avp_list>().release(); };
    api.avp_list_free = [](siphost_avp_list* list) { std::unique_ptr<siphost_avp_list> owned(list); };
    api.avp_get = [](const siphost_avp_list* list, siphost_str name, uint32_t index,
                     siphost_value* out) -> int {
        if (list == nullptr || out == nullptr)
            return 0;
        return plugin::avp_get(*list, view(name), index, *out) ? 1 : 0;
    };
    api.avp_add = [](siphost_avp_list* list, siphost_str name, const siphost_value* value) -> int {
        if (list == nullptr || value == nullptr)
            return -1;
        return plugin::avp_add(*list, view(name), *value) ? 0 : -1;
    };
    api.avp_set = [](siphost_avp_list* list, siphost_str name, uint32_t index,
                     const siphost_value* value) -> int {
        if (list == nullptr || value == nullptr)
            return -1;
        return plugin::avp_set(*list, view(name), index, *value) ? 0 : -1;
    };
    api.avp_delete = [](siphost_avp_list* list, siphost_str name, int32_t index) -> int {
        return list == nullptr ? 0 : plugin::avp_delete(*list, view(name), index);
    };
}

} // namespace siphost::abi
