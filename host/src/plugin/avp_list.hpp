#pragma once
// The host's AVP list (Kamailio's attribute-value pairs), behind the ABI's opaque siphost_avp_list. A name
// holds a stack of values: index 0 is the value added last. Lists move between a message and a transaction
// by swapping whole lists (msg_swap_avps), never by copying values.

#include <siphost/module.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::plugin {

/// One extended AVP (Kamailio's xavp): a name with an integer, a string, or a list of named fields.
struct xavp_item {
    std::string name;
    uint32_t kind = SIPHOST_VALUE_NULL; ///< SIPHOST_VALUE_INT or SIPHOST_VALUE_STR; NULL when a list
    int64_t num = 0;
    std::string str;
    bool is_list = false;
    std::vector<xavp_item> fields; ///< when is_list: in the order added; lookups walk from the back
};

/// Kamailio's three kinds, each a list of its own: $xavp (a stack per name), $xavu (one value per name),
/// $xavi (as $xavp, names compared without case).
enum class xavp_family : uint8_t { xavp = 0, xavu = 1, xavi = 2 };

} // namespace siphost::plugin

struct siphost_avp_list {
    struct entry {
        std::string name;
        uint32_t kind = SIPHOST_VALUE_NULL; ///< SIPHOST_VALUE_INT or SIPHOST_VALUE_STR
        int64_t num = 0;
        std::string str;
        uint32_t script_flags = 0; ///< setavpflag(): bits of the config's avpflags names
    };
    std::vector<entry> entries; ///< in the order added; lookups walk from the back
    /// The extended AVPs by xavp_family, roots in the order added. They live in this list so that they move
    /// with it (tm keeps the list with the transaction).
    std::vector<siphost::plugin::xavp_item> xavps[3];
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

/// Where an xavp access points: $xavp(root[root_index]=>field[field_index]). An index is SIPHOST_PV_NO_INDEX,
/// SIPHOST_PV_ALL_INDEX ([*]) or a position (0 the newest, -1 the oldest).
struct xavp_path {
    std::string_view root;
    int32_t root_index = SIPHOST_PV_NO_INDEX;
    bool has_field = false;
    std::string_view field;
    int32_t field_index = SIPHOST_PV_NO_INDEX;
};

/// Reads an xavp as Kamailio's pv module does: false when there is nothing (null). A string may point into
/// the list, or into text (a field's [*] joined with ", ", a list shown as "<<xavp:0x...>>").
bool xavp_get(const siphost_avp_list& list, xavp_family family, const xavp_path& path, siphost_value& out,
              std::string& text);
/// Assigns an INT or STR value, or deletes with a NULL one, with Kamailio's rules for each path form (see
/// docs/config-language.md). Returns -1 where Kamailio's assignment fails, 0 otherwise (also where Kamailio
/// silently does nothing).
int xavp_set(siphost_avp_list& list, xavp_family family, const xavp_path& path, const siphost_value& value);

} // namespace siphost::plugin
