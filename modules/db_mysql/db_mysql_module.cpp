// db_mysql: the "db" API (<siphost/api/db.h>) over MariaDB's client library, published as "db:mysql" for URLs
// mysql://user:password@host[:port]/database (Kamailio's db_mysql; MariaDB and MySQL servers).
//
//   modparam("db_mysql", "ping_interval", 300)    seconds idle after which a connection is checked first
//   modparam("db_mysql", "timeout_interval", 2)   seconds a connection attempt, a read or a write may take
//   modparam("db_mysql", "auto_reconnect", 1)     0: a lost connection is not opened again
#include "mysql_connection.hpp"
#include <memory>
#include <new>
#include <siphost/api/db.h>
#include <siphost/module.hpp>

namespace siphost::modules::db_mysql {
namespace {

int32_t ping_interval_ = 300;
int32_t timeout_interval_ = 2;
int32_t auto_reconnect_ = 1;

int open_connection(siphost_str url, siphost_db_conn** out, char* err, size_t err_size) {
    return db::open_connection(url, "mysql", out, err, err_size,
                               [](const db::db_url& parts, std::unique_ptr<db::sql_connection>& conn) {
                                   auto opened = std::make_unique<mysql_connection>(mysql_settings{
                                       ping_interval_, timeout_interval_, auto_reconnect_ != 0});
                                   int rc = opened->open(parts);
                                   conn = std::move(opened);
                                   return rc;
                               });
}

const siphost_db_api_v1 api_ = db::make_db_api(open_connection);

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    if (ping_interval_ < 0 || timeout_interval_ < 0) {
        sdk::write_error(err, err_size, "db_mysql: ping_interval and timeout_interval must not be negative");
        return -1;
    }
    // Initialises the library once, on the main thread, before any thread may connect.
    if (mysql_library_init(0, nullptr, nullptr) != 0) {
        sdk::write_error(err, err_size, "db_mysql: cannot initialise the MariaDB client library");
        return -1;
    }
    if (host->api_export(self, SIPHOST_DB_API_PREFIX "mysql", SIPHOST_DB_API_MAJOR, &api_) != 0) {
        sdk::write_error(err, err_size,
                         "cannot export the \"db:mysql\" API: another module already exports it");
        return -1;
    }
    return 0;
}

int thread_init(int, int) {
    return mysql_thread_init() == 0 ? 0 : -1;
}

void destroy() {
    mysql_library_end();
}

const siphost_param params[] = {
    sdk::int_param("ping_interval", &ping_interval_,
                   "seconds idle after which a connection is checked first"),
    sdk::int_param("timeout_interval", &timeout_interval_,
                   "seconds a connection attempt, a read or a write may take"),
    sdk::int_param("auto_reconnect", &auto_reconnect_, "0: a lost connection is not opened again"),
    sdk::end_of_params(),
};

const siphost_module descriptor = sdk::module({.name = "db_mysql",
                                               .version = "1.0",
                                               .params = params,
                                               .init = init,
                                               .thread_init = thread_init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::db_mysql
SIPHOST_MODULE(siphost::modules::db_mysql::descriptor)
