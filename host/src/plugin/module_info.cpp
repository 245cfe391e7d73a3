#include "plugin/module_info.hpp"

#include "plugin/descriptor_check.hpp"

#include <array>
#include <utility>

namespace siphost::plugin {
namespace {

std::string_view arg_kind_name(uint8_t kind) {
    switch (kind) {
    case SIPHOST_ARG_STRING:
        return "string";
    case SIPHOST_ARG_INT:
        return "int";
    case SIPHOST_ARG_ROUTE:
        return "route";
    case SIPHOST_ARG_PVAR:
        return "pvar";
    default:
        return "?";
    }
}

} // namespace

std::string route_type_names(uint32_t route_types) {
    if (route_types == SIPHOST_ROUTE_ANY)
        return "any";
    static constexpr std::array<std::pair<uint32_t, std::string_view>, 10> names{{
        {SIPHOST_ROUTE_REQUEST, "request"},
        {SIPHOST_ROUTE_FAILURE, "failure"},
        {SIPHOST_ROUTE_TM_ONREPLY, "onreply"},
        {SIPHOST_ROUTE_BRANCH, "branch"},
        {SIPHOST_ROUTE_ONSEND, "onsend"},
        {SIPHOST_ROUTE_ERROR, "error"},
        {SIPHOST_ROUTE_LOCAL, "local"},
        {SIPHOST_ROUTE_CORE_ONREPLY, "core-onreply"},
        {SIPHOST_ROUTE_BRANCH_FAILURE, "branch-failure"},
        {SIPHOST_ROUTE_EVENT, "event"},
    }};
    std::string text;
    for (const auto& [bit, name] : names) {
        if ((route_types & bit) == 0)
            continue;
        if (!text.empty())
            text += ", ";
        text += name;
    }
    return text;
}

std::string describe_module(const loaded_module& module) {
    const auto& d = module.descriptor();
    std::string text;
    text += "module:   " + std::string(d.name) + "\n";
    text += "version:  " + std::string(d.version) + "\n";
    text += "file:     " + module.path().string() + "\n";
    text += "abi:      requires " + std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor) + " (host " +
            std::to_string(SIPHOST_ABI_MAJOR) + "." + std::to_string(SIPHOST_ABI_MINOR) + ")\n";
    std::string depends;
    for (size_t i = 0; d.depends != nullptr && d.depends[i] != nullptr; ++i)
        depends += (depends.empty() ? "" : ", ") + std::string(d.depends[i]);
    text += "depends:  " + (depends.empty() ? std::string("(none)") : depends) + "\n";

    text += "commands:\n";
    size_t count = 0;
    for_each_entry(d.commands, [&](const siphost_command& c, size_t) {
        std::string signature = std::string(c.name) + "(";
        for (uint32_t a = 0; a < c.arg_count; ++a) {
            if (a > 0)
                signature += ", ";
            signature += arg_kind_name(c.arg_kinds[a]);
        }
        signature += ")";
        text += "  " + signature;
        text += std::string(signature.size() < 40 ? 40 - signature.size() : 1, ' ');
        text += "arity " + std::to_string(c.arg_count) + "  in: " + route_type_names(c.route_types);
        if (c.doc != nullptr)
            text += "  -- " + std::string(c.doc);
        text += "\n";
        ++count;
        return true;
    });
    if (count == 0)
        text += "  (none)\n";

    text += "parameters:\n";
    count = 0;
    for_each_entry(d.params, [&](const siphost_param& p, size_t) {
        std::string kinds = p.kinds == (SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING) ? "int|string"
                            : p.kinds == SIPHOST_PARAM_INT                        ? "int"
                                                                                  : "string";
        text += "  " + std::string(p.name) + " (" + kinds + (p.setter ? ", repeatable" : "") + ")";
        if (p.doc != nullptr)
            text += "  -- " + std::string(p.doc);
        text += "\n";
        ++count;
        return true;
    });
    if (count == 0)
        text += "  (none)\n";

    text += "pseudo-variables:\n";
    count = 0;
    for_each_entry(d.pvs, [&](const siphost_pv& pv, size_t) {
        std::string shown = "$" + std::string(pv.name);
        if (pv.flags & SIPHOST_PV_NAME_REQUIRED)
            shown += "(name)";
        else if (pv.flags & SIPHOST_PV_NAME_OPTIONAL)
            shown += "[(name)]";
        text += "  " + shown + (pv.set ? "  (writable)" : "  (read-only)");
        if (pv.doc != nullptr)
            text += "  -- " + std::string(pv.doc);
        text += "\n";
        ++count;
        return true;
    });
    if (count == 0)
        text += "  (none)\n";

    text += "event routes:\n";
    count = 0;
    for_each_entry(d.events, [&](const siphost_event& e, size_t) {
        std::string shown = "event_route[" + std::string(e.name) + ((e.flags & SIPHOST_EVENT_NAMED) ? ":NAME]" : "]");
        text += "  " + shown + "  runs as: " + route_type_names(e.route_type);
        if (e.doc != nullptr)
            text += "  -- " + std::string(e.doc);
        text += "\n";
        ++count;
        return true;
    });
    if (count == 0)
        text += "  (none)\n";

    text += "rpc commands:\n";
    count = 0;
    for_each_entry(d.rpcs, [&](const siphost_rpc_command& r, size_t) {
        text += "  " + std::string(r.name);
        if (r.signature != nullptr && *r.signature != '\0')
            text += "(" + std::string(r.signature) + ")";
        if (r.doc != nullptr)
            text += "  -- " + std::string(r.doc);
        text += "\n";
        ++count;
        return true;
    });
    if (count == 0)
        text += "  (none)\n";
    return text;
}

} // namespace siphost::plugin
