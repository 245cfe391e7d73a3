#pragma once
// The host's AVP list (Kamailio's attribute-value pairs), behind the ABI's opaque siphost_avp_list. A name
// holds a stack of values: index 0 is the value added last. Lists move between a message and a transaction
// by swapping whole lists (msg_swap_avps), never by copying values.

#include <siphost/module.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct siphost_avp_list {
    struct entry {
        std::string name;
        uint32_t kind = SIPHOST_VALUE_NULL; ///< SIPHOST_VALUE_INT or SIPHOST_VALUE_STR
        int64_t num = 0;
        std::string str;
    };
    std::vector<entry> entries; ///< in the order added; lookups walk from the back
};

namespace siphost::plugin {

/// The index-th value (0 = most recently added) of name; false when there is none.
bool avp_get(const siphost_avp_list& list, std::string_view name, uint32_t index, siphost_value& out);
/// Adds a value on top of name (strings copied); a NULL value is refused (false).
bool avp_add(siphost_avp_list& list, std::string_view name, const siphost_value& value);
/// Replaces the index-th value of name in place; false when there is none or the value is NULL.
bool avp_set(siphost_avp_list& list, std::string_view name, uint32_t index, const siphost_value& value);
/// Deletes the index-th value of name, or every value for index < 0; returns how many.
int avp_delete(siphost_avp_list& list, std::string_view name, int32_t index);
/// How many values name holds.
uint32_t avp_count(const siphost_avp_list& list, std::string_view name);

} // namespace siphost::plugin
