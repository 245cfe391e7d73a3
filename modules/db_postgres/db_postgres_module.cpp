// db_postgres: the "db" API (<siphost/api/db.h>) over libpq, published as "db:postgres" for URLs
// postgres://user:password@host[:port]/database (Kamailio's db_postgres; "postgresql://" is taken too).
//
//   modparam("db_postgres", "timeout", 5)   seconds a connection attempt or a statement may take (0: no
//   limit) modparam("db_postgres", "retries", 2)   reconnections tried for one statement after the connection
//   is lost
#include "postgres_connection.hpp"
#include <memory>
#include <new>
#include <siphost/api/db.h>
#include <siphost/module.hpp>

namespace siphost::modules::db_postgres {
namespace {

int32_t timeout_ = 0;
int32_t retries_ = 2;

int open_connection(siphost_str url, siphost_db_conn** out, char* err, size_t err_size) {
    return db::open_connection(
        url, "postgres", out, err, err_size,
        [](const db::db_url& parts, std::unique_ptr<db::sql_connection>& conn) {
            auto opened = std::make_unique<postgres_connection>(postgres_settings{timeout_, retries_});
            int rc = opened->open(parts);
            conn = std::move(opened);
            return rc;
        });
}

const siphost_db_api_v1 api_ = db::make_db_api(open_connection);

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    if (timeout_ < 0 || retries_ < 0) {
        sdk::write_error(err, err_size, "db_postgres: timeout and retries must not be negative");
        return -1;
    }
    if (PQisthreadsafe() == 0) {
        sdk::write_error(err, err_size, "the libpq library was built without thread support");
        return -1;
    }
    if (host->api_export(self, SIPHOST_DB_API_PREFIX "postgres", SIPHOST_DB_API_MAJOR, &api_) != 0) {
        sdk::write_error(err, err_size,
                         "cannot export the \"db:postgres\" API: another module already exports it");
        return -1;
    }
    return 0;
}

const siphost_param params[] = {
    sdk::int_param("timeout", &timeout_, "seconds a connection attempt or a statement may take; 0: no limit"),
    sdk::int_param("retries", &retries_,
                   "reconnections tried for one statement after the connection is lost"),
    sdk::end_of_params(),
};

const siphost_module descriptor =
    sdk::module({.name = "db_postgres", .version = "1.0", .params = params, .init = init});

} // namespace
} // namespace siphost::modules::db_postgres
SIPHOST_MODULE(siphost::modules::db_postgres::descriptor)
