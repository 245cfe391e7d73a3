#pragma once
// auth_db's access to the subscriber table through the "db" API (<siphost/api/db.h>): one connection per
// thread that asks (a connection serves one thread at a time), opened at first use and all closed at destroy.

#include <siphost/api/db.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::auth_db {

/// One row's cells, copied out of the driver's result.
struct subscriber_row {
    std::vector<siphost_db_value> cells;
    std::vector<std::string> text; ///< storage of the string cells
};

class subscriber_table {
public:
    subscriber_table(const siphost_db_api_v1* db, std::string url);
    ~subscriber_table();
    subscriber_table(const subscriber_table&) = delete;
    subscriber_table& operator=(const subscriber_table&) = delete;

    /// Opens (and keeps) the calling thread's connection; false with the reason in error.
    bool connect(std::string& error);

    enum class outcome { found, not_found, failed };

    /// The first row of table whose key columns equal the values, with the given columns.
    outcome find(std::string_view table, const std::vector<std::string_view>& keys,
                 const std::vector<std::string_view>& values, const std::vector<std::string_view>& columns,
                 subscriber_row& row, std::string& error);

private:
    siphost_db_conn* connection(std::string& error);

    const siphost_db_api_v1* db_;
    std::string url_;
    uint64_t generation_; ///< tells this table's thread-local connections from an earlier instance's
    std::mutex mutex_;    ///< guards open_
    std::vector<siphost_db_conn*> open_;
};

} // namespace siphost::modules::auth_db
