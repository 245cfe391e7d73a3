#include "table_db.hpp"

#include <siphost/module.hpp>

#include <map>
#include <memory>
#include <stdexcept>

namespace siphost::modules::htable {
namespace {

/// An open connection, closed (with its result) on every path.
class connection {
public:
    connection(const siphost_db_api_v1* api, const std::string& url) : api_(api) {
        char err[256] = "";
        if (api_->open(sdk::str(url), &conn_, err, sizeof err) != SIPHOST_DB_OK || conn_ == nullptr)
            throw std::runtime_error(std::string("cannot open the database: ") + err);
    }
    ~connection() {
        if (result_ != nullptr)
            api_->free_result(conn_, result_);
        api_->close(conn_);
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    siphost_db_conn* get() const { return conn_; }
    siphost_db_result*& result() { return result_; }
    std::string error() const { return api_->last_error(conn_); }

private:
    const siphost_db_api_v1* api_;
    siphost_db_conn* conn_ = nullptr;
    siphost_db_result* result_ = nullptr;
};

std::string cell_text(const siphost_db_value& v) {
    if (v.null)
        return {};
    switch (v.type) {
    case SIPHOST_DB_INT:
    case SIPHOST_DB_BIGINT:
    case SIPHOST_DB_DATETIME:
        return std::to_string(v.i);
    case SIPHOST_DB_DOUBLE:
        return std::to_string(v.d);
    default:
        return std::string(sdk::view(v.s));
    }
}

int64_t cell_int(const siphost_db_value& v, bool& ok) {
    ok = true;
    if (v.null)
        return 0;
    if (v.type == SIPHOST_DB_INT || v.type == SIPHOST_DB_BIGINT || v.type == SIPHOST_DB_DATETIME)
        return v.i;
    if (v.type == SIPHOST_DB_DOUBLE)
        return static_cast<int64_t>(v.d);
    int64_t n = 0;
    ok = sdk::arg_int(sdk::str_value(sdk::view(v.s)), n);
    return n;
}

} // namespace

size_t table_db::load(hash_table& table, int64_t now, bool replace) const {
    const table_spec& spec = table.spec();
    connection conn(api_, settings_.url);
    std::vector<std::string> names;
    if (!spec.cols.empty()) {
        names = spec.cols;
    } else {
        names = {settings_.key_name_column, settings_.key_type_column, settings_.value_type_column,
                 settings_.key_value_column};
        if (settings_.db_expires)
            names.push_back(settings_.expires_column);
    }
    std::vector<siphost_str> columns;
    for (const auto& n : names)
        columns.push_back(sdk::str(n));
    if (api_->query(conn.get(), sdk::str(spec.dbtable), nullptr, nullptr, nullptr, 0, columns.data(),
                    columns.size(), siphost_str{nullptr, 0}, &conn.result()) != SIPHOST_DB_OK)
        throw std::runtime_error("cannot read table \"" + spec.dbtable + "\": " + conn.error());
    const siphost_db_result* rows = conn.result();

    struct loaded {
        std::string key;
        item_value value;
        int64_t expire_in = 0;
    };
    std::vector<loaded> items;
    std::map<std::string, int64_t> arrays; // array key -> its next index
    for (size_t r = 0; r < rows->row_count; ++r) {
        std::string key = cell_text(*siphost_db_cell(rows, r, 0));
        if (!spec.cols.empty()) {
            std::string packed;
            for (size_t c = 1; c < rows->col_count; ++c) {
                if (c > 1)
                    packed.push_back(',');
                packed.append(cell_text(*siphost_db_cell(rows, r, c)));
            }
            items.push_back({key, item_value::of_str(packed), 0});
            continue;
        }
        bool ok = true;
        int64_t key_type = cell_int(*siphost_db_cell(rows, r, 1), ok);
        int64_t value_type = ok ? cell_int(*siphost_db_cell(rows, r, 2), ok) : 0;
        if (!ok)
            throw std::runtime_error("table \"" + spec.dbtable + "\", key \"" + key +
                                     "\": key_type and value_type must be numbers");
        std::string text = cell_text(*siphost_db_cell(rows, r, 3));
        item_value value = item_value::of_str(text);
        if (value_type == 1) {
            int64_t n = 0;
            if (!sdk::arg_int(sdk::str_value(text), n))
                throw std::runtime_error("table \"" + spec.dbtable + "\", key \"" + key +
                                         "\": value_type 1 (integer) but the value is \"" + text + "\"");
            value = item_value::of_int(n);
        }
        int64_t expire_in = 0;
        if (settings_.db_expires && spec.autoexpire > 0) {
            int64_t expires = cell_int(*siphost_db_cell(rows, r, 4), ok);
            if (ok && expires > 0) {
                if (expires <= now)
                    continue; // gone already
                expire_in = expires - now;
            }
        }
        if (key_type == 1) {
            int64_t index = arrays[key]++;
            key += "[" + std::to_string(index) + "]";
        }
        items.push_back({std::move(key), std::move(value), expire_in});
    }
    if (replace)
        table.clear();
    for (auto& it : items)
        if (!table.set_with_expire(it.key, std::move(it.value), it.expire_in, now))
            throw std::runtime_error("table \"" + spec.name + "\" is full (max_items)");
    for (const auto& [name, count] : arrays)
        if (!table.set_with_expire(name + settings_.array_size_suffix, item_value::of_int(count), 0, now))
            throw std::runtime_error("table \"" + spec.name + "\" is full (max_items)");
    return items.size();
}

size_t table_db::store(const hash_table& table, int64_t now) const {
    const table_spec& spec = table.spec();
    if (!spec.cols.empty())
        throw std::runtime_error("table \"" + spec.name + "\" has cols: it is not written back");
    std::vector<item> all;
    table.for_each_slot([&](size_t, const std::vector<item>& items) {
        for (const auto& it : items)
            if (it.expire == 0 || it.expire > now)
                all.push_back(it);
    });
    connection conn(api_, settings_.url);
    std::vector<siphost_str> columns = {
        sdk::str(settings_.key_name_column), sdk::str(settings_.key_type_column),
        sdk::str(settings_.value_type_column), sdk::str(settings_.key_value_column)};
    if (settings_.db_expires)
        columns.push_back(sdk::str(settings_.expires_column));
    auto fail = [&](const std::string& what) {
        std::string reason = conn.error();
        api_->transaction(conn.get(), SIPHOST_DB_TXN_ROLLBACK);
        throw std::runtime_error("cannot " + what + " table \"" + spec.dbtable + "\": " + reason);
    };
    if (api_->transaction(conn.get(), SIPHOST_DB_TXN_BEGIN) != SIPHOST_DB_OK)
        throw std::runtime_error("cannot begin a transaction on \"" + spec.dbtable + "\": " + conn.error());
    if (api_->delete_rows(conn.get(), sdk::str(spec.dbtable), nullptr, nullptr, nullptr, 0) != SIPHOST_DB_OK)
        fail("empty");
    for (const auto& it : all) {
        std::string text = it.value.text();
        siphost_db_value values[5] = {};
        values[0].type = SIPHOST_DB_STRING;
        values[0].s = sdk::str(it.name);
        values[1].type = SIPHOST_DB_INT;
        values[1].i = 0;
        values[2].type = SIPHOST_DB_INT;
        values[2].i = it.value.is_int ? 1 : 0;
        values[3].type = SIPHOST_DB_STRING;
        values[3].s = sdk::str(text);
        values[4].type = SIPHOST_DB_INT;
        values[4].i = it.expire;
        if (api_->insert(conn.get(), sdk::str(spec.dbtable), columns.data(), values, columns.size()) !=
            SIPHOST_DB_OK)
            fail("write");
    }
    if (api_->transaction(conn.get(), SIPHOST_DB_TXN_COMMIT) != SIPHOST_DB_OK)
        fail("commit");
    return all.size();
}

} // namespace siphost::modules::htable
