#include "subscriber_table.hpp"

#include <siphost/module.hpp>

#include <atomic>

namespace siphost::modules::auth_db {
namespace {

std::atomic<uint64_t> generations{0};

/// The calling thread's connection, for the table instance of one generation.
struct thread_connection {
    uint64_t generation = 0;
    siphost_db_conn* conn = nullptr;
};
thread_local thread_connection this_thread;

} // namespace

subscriber_table::subscriber_table(const siphost_db_api_v1* db, std::string url)
    : db_(db), url_(std::move(url)), generation_(++generations) {}

subscriber_table::~subscriber_table() {
    std::lock_guard lock(mutex_);
    for (siphost_db_conn* conn : open_)
        db_->close(conn);
}

siphost_db_conn* subscriber_table::connection(std::string& error) {
    if (this_thread.generation == generation_ && this_thread.conn != nullptr)
        return this_thread.conn;
    char err[256] = "";
    siphost_db_conn* conn = nullptr;
    if (db_->open(sdk::str(url_), &conn, err, sizeof err) != SIPHOST_DB_OK || conn == nullptr) {
        error = std::string("cannot open the database: ") + err;
        return nullptr;
    }
    {
        std::lock_guard lock(mutex_);
        open_.push_back(conn);
    }
    this_thread = {generation_, conn};
    return conn;
}

bool subscriber_table::connect(std::string& error) {
    return connection(error) != nullptr;
}

subscriber_table::outcome subscriber_table::find(std::string_view table,
                                                 const std::vector<std::string_view>& keys,
                                                 const std::vector<std::string_view>& values,
                                                 const std::vector<std::string_view>& columns,
                                                 subscriber_row& row, std::string& error) {
    siphost_db_conn* conn = connection(error);
    if (conn == nullptr)
        return outcome::failed;
    std::vector<siphost_str> key_names;
    std::vector<siphost_db_value> key_values;
    for (size_t i = 0; i < keys.size(); ++i) {
        key_names.push_back(sdk::str(keys[i]));
        siphost_db_value v{};
        v.type = SIPHOST_DB_STRING;
        v.s = sdk::str(values[i]);
        key_values.push_back(v);
    }
    std::vector<siphost_str> column_names;
    for (std::string_view c : columns)
        column_names.push_back(sdk::str(c));
    siphost_db_result* result = nullptr;
    int rc = db_->query(conn, sdk::str(table), key_names.data(), nullptr, key_values.data(), key_names.size(),
                        column_names.data(), column_names.size(), siphost_str{nullptr, 0}, &result);
    if (rc != SIPHOST_DB_OK || result == nullptr) {
        error = std::string("query on ") + std::string(table) + " failed: " + db_->last_error(conn);
        db_->free_result(conn, result);
        return outcome::failed;
    }
    outcome found = outcome::not_found;
    if (result->row_count > 0 && result->col_count == columns.size()) {
        row.cells.clear();
        row.text.clear();
        row.text.reserve(result->col_count);
        for (size_t c = 0; c < result->col_count; ++c) {
            siphost_db_value v = *siphost_db_cell(result, 0, c);
            row.text.emplace_back(sdk::view(v.s));
            row.cells.push_back(v);
        }
        for (size_t c = 0; c < row.cells.size(); ++c)
            row.cells[c].s = sdk::str(row.text[c]); // point at our copy, not the result freed below
        found = outcome::found;
    }
    db_->free_result(conn, result);
    return found;
}

} // namespace siphost::modules::auth_db
