#include "db_source.hpp"

#include <siphost/api/db.h>
#include <siphost/module.hpp>

namespace siphost::modules::dispatcher {
namespace {

/// Closes the connection and frees the result on every way out.
struct session {
    const siphost_db_api_v1* api = nullptr;
    siphost_db_conn* conn = nullptr;
    siphost_db_result* result = nullptr;
    ~session() {
        if (result != nullptr)
            api->free_result(conn, result);
        if (conn != nullptr)
            api->close(conn);
    }
};

bool cell_int(const siphost_db_value& v, int64_t& out) {
    if (v.null != 0) {
        out = 0;
        return true;
    }
    if (v.type == SIPHOST_DB_INT || v.type == SIPHOST_DB_BIGINT) {
        out = v.i;
        return true;
    }
    if (v.type == SIPHOST_DB_STRING)
        return sdk::arg_int(sdk::str_value(sdk::view(v.s)), out);
    return false;
}

std::string_view cell_text(const siphost_db_value& v) {
    return v.null == 0 && (v.type == SIPHOST_DB_STRING || v.type == SIPHOST_DB_BLOB) ? sdk::view(v.s)
                                                                                     : std::string_view();
}

} // namespace

std::unique_ptr<destination_sets> load_table(const siphost_host_api* host, const std::string& url,
                                             const std::string& table, const table_columns& columns) {
    session db;
    db.api = siphost_db_find_api(host, sdk::str(url));
    if (db.api == nullptr)
        throw sdk::config_error("db_url: no database driver for \"" + url.substr(0, url.find(':')) +
                                "\" (load its db_* module before dispatcher)");
    char err[256] = "";
    if (db.api->open(sdk::str(url), &db.conn, err, sizeof err) != SIPHOST_DB_OK || db.conn == nullptr)
        throw sdk::config_error(std::string("db_url: cannot connect: ") + err);
    const siphost_str names[5] = {sdk::str(columns.setid), sdk::str(columns.destination),
                                  sdk::str(columns.flags), sdk::str(columns.priority),
                                  sdk::str(columns.attrs)};
    if (db.api->query(db.conn, sdk::str(table), nullptr, nullptr, nullptr, 0, names, 5, sdk::str(""),
                      &db.result) != SIPHOST_DB_OK ||
        db.result == nullptr)
        throw sdk::config_error("cannot read the table " + table + ": " + db.api->last_error(db.conn));
    auto sets = std::make_unique<destination_sets>();
    for (size_t row = 0; row < db.result->row_count; ++row) {
        std::string where = "table " + table + " row " + std::to_string(row + 1);
        int64_t setid = 0, flags = 0, priority = 0;
        if (!cell_int(*siphost_db_cell(db.result, row, 0), setid))
            throw sdk::config_error(where + ": the set id is not a number");
        if (!cell_int(*siphost_db_cell(db.result, row, 2), flags))
            throw sdk::config_error(where + ": the flags are not a number");
        if (!cell_int(*siphost_db_cell(db.result, row, 3), priority))
            throw sdk::config_error(where + ": the priority is not a number");
        add_destination(host, *sets, setid, cell_text(*siphost_db_cell(db.result, row, 1)), flags, priority,
                        cell_text(*siphost_db_cell(db.result, row, 4)), where);
    }
    sort_sets(*sets);
    return sets;
}

} // namespace siphost::modules::dispatcher
