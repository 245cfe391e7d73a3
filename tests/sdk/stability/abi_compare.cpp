// The rules of docs/abi.md ("The rules", "Versioning") as a comparison of two header sets: what the baseline
// declares keeps its place, size, type and value; structs only grow; the minor only goes up.
#include "abi_records.hpp"

#include <map>

namespace siphost_abi_stability {

namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

} // namespace

std::vector<std::string> abi_compare(abi_records baseline, abi_records now) {
    std::map<std::string_view, const abi_record*> by_name;
    for (const abi_record& record : now)
        by_name.emplace(record.name, &record);

    std::vector<std::string> problems;
    auto report = [&](const abi_record& was, const std::string& what) {
        problems.push_back(std::string(was.name) + ": " + what);
    };
    for (const abi_record& was : baseline) {
        auto found = by_name.find(was.name);
        if (found == by_name.end()) {
            report(was, "in the baseline, not in the current header's records");
            continue;
        }
        const abi_record& is = *found->second;
        switch (was.kind) {
        case abi_kind::structure:
            if (is.size < was.size)
                report(was, std::to_string(was.size) + " bytes in the baseline, " + std::to_string(is.size) +
                                " now: a struct only grows at its end");
            break;
        case abi_kind::field:
            if (is.offset != was.offset)
                report(was, "at offset " + std::to_string(was.offset) + " in the baseline, " +
                                std::to_string(is.offset) + " now: a field never moves");
            if (is.size != was.size)
                report(was, std::to_string(was.size) + " bytes in the baseline, " + std::to_string(is.size) +
                                " now: a field never changes size");
            if (is.text != was.text)
                report(was, "of type " + quoted(was.text) + " in the baseline, " + quoted(is.text) +
                                " now: a field is never retyped");
            break;
        case abi_kind::constant:
            if (is.value != was.value)
                report(was, std::to_string(was.value) + " in the baseline, " + std::to_string(is.value) +
                                " now: a constant never changes its value");
            if (is.size != was.size)
                report(was, std::to_string(was.size) + " bytes wide in the baseline, " +
                                std::to_string(is.size) + " now: a constant never changes its width");
            break;
        case abi_kind::minor:
            if (is.value < was.value)
                report(was, std::to_string(was.value) + " in the baseline, " + std::to_string(is.value) +
                                " now: the minor only goes up");
            break;
        case abi_kind::string:
            if (is.text != was.text)
                report(was, quoted(was.text) + " in the baseline, " + quoted(is.text) +
                                " now: a name never changes");
            break;
        }
    }
    return problems;
}

} // namespace siphost_abi_stability
