// dispatcher's destinations from a database table (db_url, table_name and the *_col parameters), through
// the driver that the "db:<scheme>" API names.
#pragma once

#include "destination_list.hpp"

namespace siphost::modules::dispatcher {

/// The table's columns, as Kamailio's dispatcher table names them by default.
struct table_columns {
    const char* setid = "setid";
    const char* destination = "destination";
    const char* flags = "flags";
    const char* priority = "priority";
    const char* attrs = "attrs";
};

/// Reads every row of table; throws sdk::config_error (no driver, a failed query, a bad row named by its
/// number and destination).
std::unique_ptr<destination_sets> load_table(const siphost_host_api* host, const std::string& url,
                                             const std::string& table, const table_columns& columns);

} // namespace siphost::modules::dispatcher
