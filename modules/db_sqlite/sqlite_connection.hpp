#pragma once
// One SQLite database file opened for one thread at a time.
#include "common/sql_connection.hpp"
#include <functional>
#include <memory>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <unordered_map>

namespace siphost::modules::db_sqlite {

/// A connection to a database file, over libsqlite3.
class sqlite_connection : public db::sql_connection {
public:
    /// Opens path (created when missing, unless read_only). Returns a siphost_db_status; error_ says why.
    int open(const std::string& path, bool read_only);
    ~sqlite_connection() override;

protected:
    int run(std::string_view sql, std::span<const siphost_db_value> params, db::result_set* out) override;
    int reconnect() override;
    int64_t insert_id() override;
    /// IMMEDIATE takes the write lock at once, so that two connections' replace() cannot deadlock upgrading.
    std::string_view begin_statement() const override { return "BEGIN IMMEDIATE"; }

private:
    struct statement_deleter {
        void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
    };
    using statement_ptr = std::unique_ptr<sqlite3_stmt, statement_deleter>;

    int error_code(int rc);
    uint32_t column_type(sqlite3_stmt* stmt, int col) const;
    /// Finalizes the cached statements and closes the file.
    void close();

    sqlite3* db_ = nullptr;
    /// Looks a statement's SQL up without copying it into a std::string first.
    struct sql_hash {
        using is_transparent = void;
        size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
    };

    /// Prepared statements by their SQL text: a module runs the same few statements again and again, and
    /// preparing one costs more than running it. Each stays in the map while it runs (run() is not
    /// re-entered on a connection) and is reset as soon as it has run, so none holds a lock.
    std::unordered_map<std::string, statement_ptr, sql_hash, std::equal_to<>> statements_;
    std::string path_;
    bool read_only_ = false;
};

} // namespace siphost::modules::db_sqlite
