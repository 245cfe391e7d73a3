#include "plugin/descriptor_check.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>

namespace siphost::plugin {
namespace {

constexpr size_t max_table_entries = 4096; // a table without its NULL end would run on forever

/// True when the bytes [from, to) of a struct that declares struct_size are zero; bytes beyond what the module
/// declared (an older module) are not its to set, and bytes beyond what this host knows are a newer minor's.
template <typename Struct>
bool reserved_is_zero(const Struct& entry, size_t from, size_t to) {
    to = std::min({to, entry.struct_size, sizeof(Struct)});
    const auto* bytes = reinterpret_cast<const unsigned char*>(&entry);
    for (size_t i = from; i < to; ++i)
        if (bytes[i] != 0)
            return false;
    return true;
}

#define SIPHOST_RESERVED_RANGE(type, field) offsetof(type, field), offsetof(type, field) + sizeof(((type*)nullptr)->field)

bool one_bit(uint32_t bits) { return bits != 0 && (bits & (bits - 1)) == 0; }

bool valid_identifier(const char* name) {
    if (name == nullptr || *name == '\0')
        return false;
    for (const char* p = name; *p; ++p)
        if (!std::isalnum(static_cast<unsigned char>(*p)) && *p != '_' && *p != '.')
            return false;
    return std::strlen(name) <= 64;
}

std::string where(std::string_view table, size_t index, const char* name) {
    std::string text(table);
    text += '[' + std::to_string(index) + ']';
    if (name != nullptr)
        text += " ('" + std::string(name) + "')";
    return text;
}

template <typename Entry>
std::optional<std::string> check_stride(const Entry* table, std::string_view table_name, size_t min_size) {
    if (table == nullptr)
        return std::nullopt;
    if (table->struct_size < min_size)
        return std::string(table_name) + "[0]: struct_size is " + std::to_string(table->struct_size) +
               ", at least " + std::to_string(min_size) + " expected";
    size_t count = 0;
    std::optional<std::string> problem;
    for_each_entry(table, [&](const Entry& entry, size_t i) {
        if (entry.struct_size != table->struct_size) {
            problem = where(table_name, i, entry.name) + ": struct_size " + std::to_string(entry.struct_size) +
                      " differs from the table's " + std::to_string(table->struct_size);
            return false;
        }
        return ++count < max_table_entries;
    });
    if (!problem && count >= max_table_entries)
        problem = std::string(table_name) + ": no end marker (an entry with name NULL) within " +
                  std::to_string(max_table_entries) + " entries";
    return problem;
}

std::optional<std::string> check_commands(const siphost_command* commands) {
    if (auto problem = check_stride(commands, "commands", min_command_size))
        return problem;
    std::optional<std::string> problem;
    for_each_entry(commands, [&](const siphost_command& c, size_t i) {
        if (!valid_identifier(c.name))
            problem = where("commands", i, nullptr) + ": name is not an identifier";
        else if (c.handler == nullptr)
            problem = where("commands", i, c.name) + ": handler is NULL";
        else if (c.arg_count > SIPHOST_MAX_ARGS)
            problem = where("commands", i, c.name) + ": arg_count is " + std::to_string(c.arg_count) +
                      ", at most " + std::to_string(SIPHOST_MAX_ARGS);
        else if (c.route_types == 0)
            problem = where("commands", i, c.name) + ": route_types is 0, so the command could never be called";
        else if (!reserved_is_zero(c, SIPHOST_RESERVED_RANGE(siphost_command, reserved_kinds)) ||
                 !reserved_is_zero(c, SIPHOST_RESERVED_RANGE(siphost_command, reserved)))
            problem = where("commands", i, c.name) + ": a reserved field is not zero";
        else {
            for (uint32_t a = 0; a < c.arg_count && !problem; ++a) {
                auto kind = c.arg_kinds[a];
                if (kind < SIPHOST_ARG_STRING || kind > SIPHOST_ARG_PVAR)
                    problem = where("commands", i, c.name) + ": arg_kinds[" + std::to_string(a) + "] is " +
                              std::to_string(kind) + ", not a siphost_arg_kind";
                else if (kind == SIPHOST_ARG_ROUTE && (c.arg_route_types[a] == 0 ||
                                                       (c.arg_route_types[a] & (c.arg_route_types[a] - 1)) != 0))
                    problem = where("commands", i, c.name) + ": arg_route_types[" + std::to_string(a) +
                              "] must name exactly one route type";
            }
        }
        return !problem;
    });
    return problem;
}

std::optional<std::string> check_params(const siphost_param* params) {
    if (auto problem = check_stride(params, "params", min_param_size))
        return problem;
    std::optional<std::string> problem;
    for_each_entry(params, [&](const siphost_param& p, size_t i) {
        constexpr uint32_t known = SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING;
        if (!valid_identifier(p.name))
            problem = where("params", i, nullptr) + ": name is not an identifier";
        else if (p.kinds == 0 || (p.kinds & ~known) != 0)
            problem = where("params", i, p.name) + ": kinds must be SIPHOST_PARAM_INT and/or SIPHOST_PARAM_STRING";
        else if (p.setter == nullptr && p.target == nullptr)
            problem = where("params", i, p.name) + ": neither target nor setter is set";
        else if (p.setter == nullptr && p.kinds == known)
            problem = where("params", i, p.name) + ": a parameter taking both kinds needs a setter";
        else if (!reserved_is_zero(p, SIPHOST_RESERVED_RANGE(siphost_param, reserved_flags)) ||
                 !reserved_is_zero(p, SIPHOST_RESERVED_RANGE(siphost_param, reserved)))
            problem = where("params", i, p.name) + ": a reserved field is not zero";
        return !problem;
    });
    return problem;
}

std::optional<std::string> check_pvs(const siphost_pv* pvs) {
    if (auto problem = check_stride(pvs, "pvs", min_pv_size))
        return problem;
    std::optional<std::string> problem;
    for_each_entry(pvs, [&](const siphost_pv& pv, size_t i) {
        constexpr uint32_t known = SIPHOST_PV_NAME_REQUIRED | SIPHOST_PV_NAME_OPTIONAL;
        if (!valid_identifier(pv.name))
            problem = where("pvs", i, nullptr) + ": name is not an identifier";
        else if (pv.get == nullptr)
            problem = where("pvs", i, pv.name) + ": get is NULL";
        else if ((pv.flags & ~known) != 0)
            problem = where("pvs", i, pv.name) + ": flags has unknown bits";
        else if (!reserved_is_zero(pv, SIPHOST_RESERVED_RANGE(siphost_pv, reserved_flags)) ||
                 !reserved_is_zero(pv, SIPHOST_RESERVED_RANGE(siphost_pv, reserved)))
            problem = where("pvs", i, pv.name) + ": a reserved field is not zero";
        return !problem;
    });
    return problem;
}

bool valid_event_name(const char* name) {
    // "module:event" or "module:event-name": a module name, ':', then letters, digits, '-', '_', '.'
    if (name == nullptr)
        return false;
    std::string_view text(name);
    auto colon = text.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon + 1 == text.size() || text.size() > 128)
        return false;
    for (char c : text)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' && c != ':')
            return false;
    return true;
}

std::optional<std::string> check_events(const siphost_event* events) {
    if (auto problem = check_stride(events, "events", min_event_size))
        return problem;
    std::optional<std::string> problem;
    for_each_entry(events, [&](const siphost_event& e, size_t i) {
        if (!valid_event_name(e.name))
            problem = where("events", i, nullptr) + ": name is not 'module:event'";
        else if (!one_bit(e.route_type))
            problem = where("events", i, e.name) + ": route_type must name exactly one route type";
        else if ((e.flags & ~static_cast<uint32_t>(SIPHOST_EVENT_NAMED)) != 0)
            problem = where("events", i, e.name) + ": flags has unknown bits";
        else if (!reserved_is_zero(e, SIPHOST_RESERVED_RANGE(siphost_event, reserved)))
            problem = where("events", i, e.name) + ": a reserved field is not zero";
        return !problem;
    });
    return problem;
}

std::optional<std::string> check_rpcs(const siphost_rpc_command* rpcs) {
    if (auto problem = check_stride(rpcs, "rpcs", min_rpc_size))
        return problem;
    std::optional<std::string> problem;
    for_each_entry(rpcs, [&](const siphost_rpc_command& r, size_t i) {
        if (!valid_identifier(r.name) || std::strchr(r.name, '.') == nullptr)
            problem = where("rpcs", i, nullptr) + ": name is not 'module.command'";
        else if (r.handler == nullptr)
            problem = where("rpcs", i, r.name) + ": handler is NULL";
        else if ((r.flags & ~static_cast<uint32_t>(SIPHOST_RPC_RETURNS_ARRAY)) != 0)
            problem = where("rpcs", i, r.name) + ": flags has unknown bits";
        else if (!reserved_is_zero(r, SIPHOST_RESERVED_RANGE(siphost_rpc_command, reserved_flags)) ||
                 !reserved_is_zero(r, SIPHOST_RESERVED_RANGE(siphost_rpc_command, reserved)))
            problem = where("rpcs", i, r.name) + ": a reserved field is not zero";
        return !problem;
    });
    return problem;
}

std::optional<std::string> check_depends(const char* const* depends) {
    if (depends == nullptr)
        return std::nullopt;
    for (size_t i = 0; i < max_table_entries; ++i) {
        if (depends[i] == nullptr)
            return std::nullopt;
        if (!valid_identifier(depends[i]))
            return "depends[" + std::to_string(i) + "] is not a module name";
    }
    return "depends: no NULL end within " + std::to_string(max_table_entries) + " entries";
}

} // namespace

std::optional<std::string> check_descriptor(const siphost_module& module) {
    if (module.struct_size < min_module_size)
        return "struct_size is " + std::to_string(module.struct_size) + ", at least " +
               std::to_string(min_module_size) + " expected";
    if (!valid_identifier(module.name))
        return std::string("name is ") + (module.name ? "not an identifier" : "NULL");
    if (module.version == nullptr)
        return "version is NULL";
    if (!reserved_is_zero(module, SIPHOST_RESERVED_RANGE(siphost_module, reserved)))
        return "a reserved field is not zero";
    if (auto problem = check_commands(module.commands))
        return problem;
    if (auto problem = check_params(module.params))
        return problem;
    if (auto problem = check_pvs(module.pvs))
        return problem;
    if (auto problem = check_events(module.events))
        return problem;
    if (auto problem = check_rpcs(module.rpcs))
        return problem;
    return check_depends(module.depends);
}

} // namespace siphost::plugin
