#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <siphost/module.h>

#include "cfg/pv_name.hpp"
#include "cfg/select.hpp"

namespace siphost::script {

/// A pseudo-variable parsed once: which one, its inner name in the form the getter wants, its index.
struct pv_spec {
    cfg::core_pv core = cfg::core_pv::null_value;
    const siphost_pv* module_pv = nullptr;    ///< set for a module's pseudo-variable (then core is unused)
    void* module_data = nullptr;              ///< what the module's parse_name stored
    std::string name;                         ///< $avp: the AVP name ("x", "i:5"); $hdr: the header name
    std::int32_t index = SIPHOST_PV_NO_INDEX; ///< for an xavp: the root's index
    bool has_field = false;                   ///< $xavp(root=>field)
    std::string field;                        ///< the xavp's field name
    std::int32_t field_index = SIPHOST_PV_NO_INDEX;
    std::unique_ptr<cfg::select_spec>
        select;             ///< $sel / @...; for cfg_get of a custom variable, name holds its value
    std::uint32_t slot = 0; ///< $var/$vn: the variable's slot in the worker's storage
    std::string text;       ///< as written, for messages
    std::vector<cfg::transformation> transforms; ///< applied in order to what is read; read-only then
    /// The pseudo-variables written as transformation parameters: [2 * i + slot] for transforms[i]; empty
    /// when there are none.
    std::vector<std::unique_ptr<pv_spec>> transform_parameters;

    pv_spec() = default;
    pv_spec(const pv_spec&) = delete;
    pv_spec& operator=(const pv_spec&) = delete;
    ~pv_spec();
};

} // namespace siphost::script
