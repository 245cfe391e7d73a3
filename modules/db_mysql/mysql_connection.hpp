#pragma once
// One MariaDB/MySQL session, over MariaDB's client library, for one thread at a time. Every statement with
// values is a server-side prepared statement, so values never enter the SQL text.
#include "common/db_url.hpp"
#include "common/sql_connection.hpp"
#include <chrono>
#include <mysql.h>
#include <string>

namespace siphost::modules::db_mysql {

/// db_mysql's module parameters, as the connections read them.
struct mysql_settings {
    int ping_interval = 300;  ///< seconds idle after which the connection is checked before a statement
    int timeout_interval = 2; ///< seconds a connection attempt, a read or a write may take
    bool auto_reconnect = true;
};

/// A connection to a MariaDB or MySQL server.
class mysql_connection : public db::sql_connection {
public:
    explicit mysql_connection(mysql_settings settings) : settings_(settings) {}
    ~mysql_connection() override;

    /// Connects as url says. Returns a siphost_db_status; last_error says why.
    int open(const db::db_url& url);

protected:
    int run(std::string_view sql, std::span<const siphost_db_value> params, db::result_set* out) override;
    int reconnect() override;
    int reconnect_attempts() const override { return settings_.auto_reconnect ? 1 : 0; }
    int64_t insert_id() override { return insert_id_; }
    char identifier_quote() const override { return '`'; }

private:
    int connect();
    void disconnect();
    int error(unsigned code, const char* message, std::string_view what);
    int run_text(std::string_view sql);
    int run_prepared(std::string_view sql, std::span<const siphost_db_value> params, db::result_set* out);

    mysql_settings settings_;
    db::db_url url_;
    MYSQL* mysql_ = nullptr;
    int64_t insert_id_ = -1;
    std::chrono::steady_clock::time_point last_used_{};
};

} // namespace siphost::modules::db_mysql
