#pragma once
// The rows of one query, owned by the driver and handed to the consumer as the siphost_db_result it derives
// from; every string lives in one arena, so the block stays valid until free_result however the connection is
// used meanwhile.
#include <cstdint>
#include <siphost/api/db.h>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::db {

/// A fetched result: columns first, then rows cell by cell, then finish() before handing it out.
class result_set : public siphost_db_result {
public:
    result_set();
    result_set(const result_set&) = delete;
    result_set& operator=(const result_set&) = delete;

    /// Drops every column and cell (before a statement runs again).
    void clear();

    /// Adds a column (before any cell).
    void add_column(std::string_view name, uint32_t type);
    /// The number of columns.
    size_t columns() const { return names_.size(); }
    /// The type of column col.
    uint32_t column_type(size_t col) const { return types_[col]; }

    /// Appends the next cell of the current row (rows are counted from the cells).
    void add_null(uint32_t type);
    void add_int(uint32_t type, int64_t value);
    void add_double(double value);
    void add_bytes(uint32_t type, std::string_view bytes);

    /// Points the public fields at the stored data; call once, after the last cell.
    void finish();

private:
    std::vector<std::string> names_;
    std::vector<uint32_t> types_;
    std::vector<siphost_str> name_views_;
    std::vector<siphost_db_value> cells_;
    /// Where each string cell's bytes start in arena_ (kept apart while the arena may still move).
    std::vector<std::pair<size_t, size_t>> offsets_;
    std::string arena_;
};

} // namespace siphost::modules::db
