#pragma once
// What the three drivers share: each connection class derives from sql_connection and supplies how one
// statement runs with bound values; the statements of the "db" API (query, insert, update, delete, replace)
// are built here once, with every identifier quoted and every value a placeholder.
#include "db_url.hpp"
#include "result_set.hpp"
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <siphost/api/db.h>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::db {

/// One open connection of a driver; the consumer holds it as the opaque siphost_db_conn.
class sql_connection {
public:
    virtual ~sql_connection() = default;

    int query(siphost_str table, const siphost_str* keys, const char* const* ops,
              const siphost_db_value* key_values, size_t key_count, const siphost_str* columns,
              size_t column_count, siphost_str order_by, siphost_db_result** out);
    int insert(siphost_str table, const siphost_str* columns, const siphost_db_value* values, size_t count);
    int update(siphost_str table, const siphost_str* keys, const char* const* ops,
               const siphost_db_value* key_values, size_t key_count, const siphost_str* columns,
               const siphost_db_value* values, size_t column_count);
    int delete_rows(siphost_str table, const siphost_str* keys, const char* const* ops,
                    const siphost_db_value* key_values, size_t key_count);
    int replace(siphost_str table, const siphost_str* columns, const siphost_db_value* values, size_t count,
                size_t key_count);
    int raw_query(siphost_str sql, const siphost_db_value* params, size_t param_count,
                  siphost_db_result** out);
    int transaction(int op);
    int64_t affected_rows() const { return affected_; }
    int64_t last_insert_id();
    const char* last_error() const { return error_.c_str(); }

    /// Records a failure: its code is returned, its text kept for last_error.
    int fail(int code, std::string message);

protected:
    /// Runs one statement with params bound in order. With out, the rows (if the statement returns any) are
    /// added to it. Sets affected_ on success. Returns a siphost_db_status (with fail() on error).
    virtual int run(std::string_view sql, std::span<const siphost_db_value> params, result_set* out) = 0;
    /// Opens the connection again after a loss. Returns a siphost_db_status.
    virtual int reconnect() = 0;
    /// How many times a lost connection is opened again for one statement (0: never).
    virtual int reconnect_attempts() const { return 1; }
    /// The id of the row the last insert created, or -1.
    virtual int64_t insert_id() = 0;
    /// '"' (SQL) or '`' (MySQL).
    virtual char identifier_quote() const { return '"'; }
    /// Appends the placeholder of the index-th (1-based) value.
    virtual void append_placeholder(std::string& sql, size_t index) const;
    /// The statement that opens a transaction.
    virtual std::string_view begin_statement() const { return "BEGIN"; }

    /// run(), opening the connection again once when it was lost outside a transaction.
    int execute(std::string_view sql, std::span<const siphost_db_value> params, result_set* out);

    int64_t affected_ = 0;
    bool in_transaction_ = false;
    /// Set by a driver when the last failure was a deadlock or a lock timeout: worth running again.
    bool transient_ = false;
    std::string error_;

private:
    bool quote(std::string& sql, siphost_str name);
    int append_where(std::string& sql, const siphost_str* keys, const char* const* ops,
                     const siphost_db_value* key_values, size_t key_count,
                     std::vector<siphost_db_value>& params);
    int check_table(siphost_str table);
    /// Waits a random moment, longer with each attempt, before a transaction runs again after a deadlock.
    static void back_off(int attempt);
    int replace_once(siphost_str table, const siphost_str* columns, const siphost_db_value* values,
                     size_t count, size_t key_count);
    int update_rows(siphost_str table, const siphost_str* keys, const char* const* ops,
                    const siphost_db_value* key_values, size_t key_count, const siphost_str* columns,
                    const siphost_db_value* values, size_t column_count);

    bool last_was_insert_ = false;
};

/// Whether a value passed in stands for SQL NULL.
inline bool is_null(const siphost_db_value& v) {
    return v.null != 0 || v.type == SIPHOST_DB_NULL;
}
/// Whether a value's type is one of enum siphost_db_type.
inline bool known_type(uint32_t type) {
    return type <= SIPHOST_DB_BLOB;
}

/// "YYYY-MM-DD HH:MM:SS" in local time, as Kamailio writes a datetime.
std::string format_datetime(int64_t seconds);
/// Reads "YYYY-MM-DD[ HH:MM:SS[.fraction]]" (a 'T' may stand for the space) as local time.
bool parse_datetime(std::string_view text, int64_t& seconds);
/// Reads a decimal integer (the whole text).
bool parse_int(std::string_view text, int64_t& value);
/// Reads a decimal floating-point number (the whole text).
bool parse_double(std::string_view text, double& value);
/// A value as text for an engine that takes text parameters (not for NULL; a blob's bytes as they are).
std::string value_text(const siphost_db_value& v);

/// The "db" API table of a driver whose connections are sql_connection objects.
siphost_db_api_v1 make_db_api(int (*open)(siphost_str url, siphost_db_conn** out, char* err,
                                          size_t err_size));

/// A driver's open (the table's open function): checks out, parses url, refuses a scheme other than scheme,
/// and opens a connection with open_as(parts, conn), which makes the driver's connection into conn and
/// returns its open's result. Errors go to err as the API says.
int open_connection(
    siphost_str url, std::string_view scheme, siphost_db_conn** out, char* err, size_t err_size,
    const std::function<int(const db_url& parts, std::unique_ptr<sql_connection>& conn)>& open_as);

/// The handle a consumer holds for conn, and back.
inline siphost_db_conn* handle_of(sql_connection* conn) {
    return reinterpret_cast<siphost_db_conn*>(conn);
}
inline sql_connection* connection_of(siphost_db_conn* conn) {
    return reinterpret_cast<sql_connection*>(conn);
}

} // namespace siphost::modules::db
