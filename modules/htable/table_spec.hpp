#pragma once
// One hash table definition: modparam("htable", "htable", "name=>size=8;autoexpire=300;...").

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::htable {

/// What a definition asks for; every attribute of Kamailio 5.6's htable parameter.
struct table_spec {
    std::string name;
    uint32_t size_bits = 4;   ///< 2^size_bits slots
    int64_t autoexpire = 0;   ///< seconds without update before an item goes; 0: never
    bool has_initval = false; ///< initval given: absent keys read as it
    int64_t initval = 0;
    bool updateexpire = true;          ///< an update restarts the item's expiry
    std::string dbtable;               ///< loaded at start when not empty
    int dbmode = 0;                    ///< 1: written back to dbtable at shutdown
    std::vector<std::string> cols;     ///< cols='key,value1,...': the key column, then the value columns
    std::vector<std::string> warnings; ///< harmless attributes accepted but ignored, said in words
};

/// Parses a definition; throws std::invalid_argument with a sentence naming the problem.
table_spec parse_table_spec(std::string_view text);

} // namespace siphost::modules::htable
