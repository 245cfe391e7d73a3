// One side of the stability comparison: abi_v1.def expanded against whichever siphost headers are on this
// translation unit's include path. CMakeLists.txt compiles this file once per header set, naming the function
// it exports with ABI_DUMP_NAME (abi_records_baseline, abi_records_current, ...).
#include <siphost/api/sl.h>
#include <siphost/api/tm.h>
#include <siphost/module.h>

#include "abi_records.hpp"

#ifndef ABI_DUMP_NAME
#error "compile with -DABI_DUMP_NAME=abi_records_<side>"
#endif

namespace siphost_abi_stability {
namespace {

// The compiler's own spelling of a type, with typedefs resolved (uint32_t and unsigned int are the same
// type here), so that a field retyped to something of the same size still shows. Both sides are compiled by
// the same compiler, so their spellings compare.
template <typename AbiFieldType>
std::string_view spelling() {
    std::string_view pretty = __PRETTY_FUNCTION__;
    constexpr std::string_view marker = "AbiFieldType = ";
    std::size_t begin = pretty.find(marker);
    if (begin == std::string_view::npos)
        return pretty;
    begin += marker.size();
    std::size_t end = pretty.find(';', begin); // GCC goes on with "; std::string_view = ..."
    if (end == std::string_view::npos)
        end = pretty.rfind(']');
    return pretty.substr(begin, end - begin);
}

#define ABI_STRUCT(type) {abi_kind::structure, #type, 0, sizeof(type), 0, {}},
#define ABI_FIELD(type, member)                                                                                \
    {abi_kind::field, #type "." #member, offsetof(type, member), sizeof(type::member), 0,                      \
     spelling<decltype(type::member)>()},
// Not referenced at all: a later minor may rename a reserved field that it gives a meaning.
#define ABI_RESERVED(type, member)
#define ABI_CONSTANT(name) {abi_kind::constant, #name, 0, sizeof(name), static_cast<long long>(name), {}},
#define ABI_MINOR(name) {abi_kind::minor, #name, 0, sizeof(name), static_cast<long long>(name), {}},
#define ABI_STRING(name) {abi_kind::string, #name, 0, sizeof(name), 0, name},

const abi_record records[] = {
#include "abi_v1.def"
};

} // namespace

abi_records ABI_DUMP_NAME() { return records; }

} // namespace siphost_abi_stability
