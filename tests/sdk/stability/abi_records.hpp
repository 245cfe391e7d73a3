// What one translation unit knows about the ABI v1 list (abi_v1.def) as the headers on its include path declare
// it. Two sets of headers cannot meet in one translation unit (same include guard, same type names), so each
// set is compiled into a unit of its own (abi_dump.cpp) that exports these records under its own name, and
// abi_compare() compares them.
#ifndef SIPHOST_ABI_RECORDS_HPP
#define SIPHOST_ABI_RECORDS_HPP

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace siphost_abi_stability {

enum class abi_kind { structure, field, constant, minor, string };

struct abi_record {
    abi_kind kind;
    std::string_view name;  // "siphost_module", "siphost_module.name", "SIPHOST_ROUTE_ANY"
    std::size_t offset;     // fields
    std::size_t size;       // sizeof the struct, the field or the constant
    long long value;        // constants and minors
    std::string_view text;  // a field's type as the compiler spells it, a string macro's value
};

using abi_records = std::span<const abi_record>;

// One line per way in which `now` is not `baseline` with only appends; empty when it is. Each line begins with
// the name of what changed ("siphost_module.name: ...").
std::vector<std::string> abi_compare(abi_records baseline, abi_records now);

// The header sets the test compiles abi_dump.cpp against (see CMakeLists.txt).
abi_records abi_records_baseline();
abi_records abi_records_current();
abi_records abi_records_swapped();
abi_records abi_records_inserted();
abi_records abi_records_retyped();
abi_records abi_records_renumbered();
abi_records abi_records_shrunk();
abi_records abi_records_grown();

} // namespace siphost_abi_stability

#endif
