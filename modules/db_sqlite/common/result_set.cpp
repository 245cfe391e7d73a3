#include "result_set.hpp"

namespace siphost::modules::db {

result_set::result_set() : siphost_db_result{} {
    struct_size = sizeof(siphost_db_result);
}

void result_set::clear() {
    names_.clear();
    types_.clear();
    name_views_.clear();
    cells_.clear();
    offsets_.clear();
    arena_.clear();
}

void result_set::add_column(std::string_view name, uint32_t type) {
    names_.emplace_back(name);
    types_.push_back(type);
}

void result_set::add_null(uint32_t type) {
    siphost_db_value v{};
    v.type = type;
    v.null = 1;
    cells_.push_back(v);
}

void result_set::add_int(uint32_t type, int64_t value) {
    siphost_db_value v{};
    v.type = type;
    v.i = value;
    cells_.push_back(v);
}

void result_set::add_double(double value) {
    siphost_db_value v{};
    v.type = SIPHOST_DB_DOUBLE;
    v.d = value;
    cells_.push_back(v);
}

void result_set::add_bytes(uint32_t type, std::string_view bytes) {
    siphost_db_value v{};
    v.type = type;
    offsets_.emplace_back(cells_.size(), arena_.size());
    arena_.append(bytes);
    v.s.len = bytes.size();
    cells_.push_back(v);
}

void result_set::finish() {
    name_views_.clear();
    for (const std::string& name : names_)
        name_views_.push_back(siphost_str{name.data(), name.size()});
    for (const auto& [cell, offset] : offsets_)
        cells_[cell].s.s = arena_.data() + offset;
    col_count = names_.size();
    col_names = name_views_.data();
    col_types = types_.data();
    row_count = col_count == 0 ? 0 : cells_.size() / col_count;
    values = cells_.data();
}

} // namespace siphost::modules::db
