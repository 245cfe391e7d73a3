#pragma once
// One PostgreSQL session, over libpq, for one thread at a time.
#include "common/db_url.hpp"
#include "common/sql_connection.hpp"
#include <libpq-fe.h>
#include <string>

namespace siphost::modules::db_postgres {

/// db_postgres's module parameters, as the connections read them.
struct postgres_settings {
    int timeout = 0; ///< seconds a connection attempt or a statement may take; 0: no limit
    int retries = 2; ///< reconnections tried for one statement when the connection is lost
};

/// A connection to a PostgreSQL server.
class postgres_connection : public db::sql_connection {
public:
    explicit postgres_connection(postgres_settings settings) : settings_(settings) {}
    ~postgres_connection() override;

    /// Connects as url says. Returns a siphost_db_status; last_error says why.
    int open(const db::db_url& url);

protected:
    int run(std::string_view sql, std::span<const siphost_db_value> params, db::result_set* out) override;
    int reconnect() override;
    int reconnect_attempts() const override { return settings_.retries; }
    int64_t insert_id() override;
    void append_placeholder(std::string& sql, size_t index) const override;

private:
    int connect();
    int result_error(PGresult* result, std::string_view what);
    static uint32_t column_type(Oid oid);

    postgres_settings settings_;
    db::db_url url_;
    PGconn* conn_ = nullptr;
};

} // namespace siphost::modules::db_postgres
