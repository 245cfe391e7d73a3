#pragma once
// Loading a hash table from its database table (Kamailio's htable schema: key_name, key_type, value_type,
// key_value, expires) and writing it back, through the db API of a driver module.

#include "hash_table.hpp"

#include <siphost/api/db.h>

#include <string>

namespace siphost::modules::htable {

/// The module parameters that say how rows look.
struct db_settings {
    std::string url;
    std::string key_name_column = "key_name";
    std::string key_type_column = "key_type";
    std::string value_type_column = "value_type";
    std::string key_value_column = "key_value";
    std::string expires_column = "expires";
    std::string array_size_suffix = "::size";
    bool db_expires = false; ///< load and store each item's expiry
};

class table_db {
public:
    table_db(const siphost_db_api_v1* api, const db_settings& settings) : api_(api), settings_(settings) {}

    /// Reads the table's dbtable into it (replacing what it holds when replace is set). Returns the number of
    /// items loaded; throws std::runtime_error with the reason.
    size_t load(hash_table& table, int64_t now, bool replace) const;
    /// Writes the table's live items to its dbtable, replacing the rows there. Returns how many; throws.
    size_t store(const hash_table& table, int64_t now) const;

private:
    const siphost_db_api_v1* api_;
    const db_settings& settings_;
};

} // namespace siphost::modules::htable
