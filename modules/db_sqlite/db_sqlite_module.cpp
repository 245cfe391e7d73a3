// db_sqlite: the "db" API (<siphost/api/db.h>) over libsqlite3, published as "db:sqlite" for URLs
// sqlite:///relative/file.db and sqlite:////absolute/file.db (Kamailio's db_sqlite). The file is created when
// missing.
//
//   modparam("db_sqlite", "db_set_readonly", "/path/file.db")   opens that file read-only (may be repeated)
#include "common/db_url.hpp"
#include "sqlite_connection.hpp"
#include <memory>
#include <new>
#include <set>
#include <siphost/api/db.h>
#include <siphost/module.hpp>
#include <string>

namespace siphost::modules::db_sqlite {
namespace {

/// Files opened read-only (db_set_readonly); written before init, read-only afterwards.
std::set<std::string> read_only_paths_;

int set_readonly(const char*, const siphost_value* value, char* err, size_t err_size) {
    std::string_view path = sdk::view(value->str);
    if (path.empty() || path.front() != '/') {
        sdk::write_error(err, err_size, "db_set_readonly needs the absolute path of a database file");
        return -1;
    }
    return sdk::guard_with_error(err, err_size, [&] {
        read_only_paths_.emplace(path);
        return 0;
    });
}

int open_connection(siphost_str url, siphost_db_conn** out, char* err, size_t err_size) {
    return db::open_connection(url, "sqlite", out, err, err_size,
                               [](const db::db_url& parts, std::unique_ptr<db::sql_connection>& conn) {
                                   auto opened = std::make_unique<sqlite_connection>();
                                   int rc = opened->open(parts.database,
                                                         read_only_paths_.count(parts.database) > 0);
                                   conn = std::move(opened);
                                   return rc;
                               });
}

const siphost_db_api_v1 api_ = db::make_db_api(open_connection);

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    if (sqlite3_threadsafe() == 0) {
        sdk::write_error(err, err_size, "the sqlite library was built without thread support");
        return -1;
    }
    // SQLite counts every allocation under a global mutex, for sqlite3_memory_used(), which nothing here
    // reads: off. It can only be set before the library initializes; when another user in the process
    // initialized it first, SQLite refuses (SQLITE_MISUSE) and keeps counting, which is harmless.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (host->api_export(self, SIPHOST_DB_API_PREFIX "sqlite", SIPHOST_DB_API_MAJOR, &api_) != 0) {
        sdk::write_error(err, err_size,
                         "cannot export the \"db:sqlite\" API: another module already exports it");
        return -1;
    }
    return 0;
}

void destroy() {
    read_only_paths_.clear();
}

const siphost_param params[] = {
    sdk::setter_param("db_set_readonly", SIPHOST_PARAM_STRING, set_readonly,
                      "opens the database file at this absolute path read-only"),
    sdk::end_of_params(),
};

const siphost_module descriptor =
    sdk::module({.name = "db_sqlite", .version = "1.0", .params = params, .init = init, .destroy = destroy});

} // namespace
} // namespace siphost::modules::db_sqlite
SIPHOST_MODULE(siphost::modules::db_sqlite::descriptor)
