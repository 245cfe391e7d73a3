#include "sql_connection.hpp"
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <random>
#include <thread>
#include <siphost/module.hpp>

namespace siphost::modules::db {

namespace {

std::string_view view(siphost_str s) {
    return s.s == nullptr ? std::string_view{} : std::string_view(s.s, s.len);
}

/// The SQL of a key operator, or nullptr when it is not one of the API's.
const char* sql_operator(const char* op) {
    if (op == nullptr)
        return nullptr;
    static constexpr const char* allowed[][2] = {{"=", "="},   {"<", "<"},   {">", ">"},
                                                 {"<=", "<="}, {">=", ">="}, {"!=", "<>"}};
    for (const auto& entry : allowed)
        if (std::strcmp(op, entry[0]) == 0)
            return entry[1];
    return nullptr;
}

} // namespace

int sql_connection::fail(int code, std::string message) {
    error_ = std::move(message);
    return code;
}

void sql_connection::append_placeholder(std::string& sql, size_t) const {
    sql.push_back('?');
}

bool sql_connection::quote(std::string& sql, siphost_str name) {
    std::string_view text = view(name);
    if (text.empty() || text.find('\0') != std::string_view::npos)
        return false;
    char q = identifier_quote();
    sql.push_back(q);
    for (char c : text) {
        if (c == q)
            sql.push_back(q);
        sql.push_back(c);
    }
    sql.push_back(q);
    return true;
}

int sql_connection::check_table(siphost_str table) {
    std::string_view text = view(table);
    if (text.empty() || text.find('\0') != std::string_view::npos)
        return fail(SIPHOST_DB_E_ARG, "an empty or malformed table name");
    return SIPHOST_DB_OK;
}

int sql_connection::append_where(std::string& sql, const siphost_str* keys, const char* const* ops,
                                 const siphost_db_value* key_values, size_t key_count,
                                 std::vector<siphost_db_value>& params) {
    if (key_count == 0)
        return SIPHOST_DB_OK;
    if (keys == nullptr || key_values == nullptr)
        return fail(SIPHOST_DB_E_ARG, "key columns or values missing");
    sql.append(" WHERE ");
    for (size_t i = 0; i < key_count; ++i) {
        if (i > 0)
            sql.append(" AND ");
        if (!quote(sql, keys[i]))
            return fail(SIPHOST_DB_E_ARG, "an empty or malformed key column name");
        const char* op = ops == nullptr ? "=" : ops[i];
        const char* sql_op = sql_operator(op);
        if (sql_op == nullptr)
            return fail(SIPHOST_DB_E_ARG, std::string("unknown operator \"") +
                                              (op == nullptr ? "(null)" : op) +
                                              "\" (=, <, >, <=, >=, != are known)");
        const siphost_db_value& v = key_values[i];
        if (!known_type(v.type))
            return fail(SIPHOST_DB_E_ARG, "a key value of unknown type " + std::to_string(v.type));
        if (is_null(v)) {
            if (std::strcmp(sql_op, "=") == 0)
                sql.append(" IS NULL");
            else if (std::strcmp(sql_op, "<>") == 0)
                sql.append(" IS NOT NULL");
            else
                return fail(SIPHOST_DB_E_ARG, std::string("NULL cannot be compared with \"") + op + "\"");
            continue;
        }
        sql.push_back(' ');
        sql.append(sql_op);
        sql.push_back(' ');
        params.push_back(v);
        append_placeholder(sql, params.size());
    }
    return SIPHOST_DB_OK;
}

int sql_connection::execute(std::string_view sql, std::span<const siphost_db_value> params, result_set* out) {
    error_.clear();
    transient_ = false;
    int rc = run(sql, params, out);
    // The server went away between two statements (a restart, an idle timeout): open again and retry, which
    // is safe because outside a transaction the failed statement did not take effect.
    for (int attempt = 0; rc == SIPHOST_DB_E_CONN && !in_transaction_ && attempt < reconnect_attempts();
         ++attempt) {
        std::string first_error = error_;
        if (reconnect() != SIPHOST_DB_OK) {
            rc = fail(SIPHOST_DB_E_CONN, first_error + "; reconnecting failed: " + error_);
            continue;
        }
        error_.clear();
        if (out != nullptr)
            out->clear();
        rc = run(sql, params, out);
    }
    return rc;
}

int sql_connection::query(siphost_str table, const siphost_str* keys, const char* const* ops,
                          const siphost_db_value* key_values, size_t key_count, const siphost_str* columns,
                          size_t column_count, siphost_str order_by, siphost_db_result** out) {
    if (out == nullptr)
        return fail(SIPHOST_DB_E_ARG, "query needs a result pointer");
    *out = nullptr;
    if (int rc = check_table(table); rc != SIPHOST_DB_OK)
        return rc;
    std::string sql = "SELECT ";
    if (columns == nullptr || column_count == 0) {
        sql.push_back('*');
    } else {
        for (size_t i = 0; i < column_count; ++i) {
            if (i > 0)
                sql.append(", ");
            if (!quote(sql, columns[i]))
                return fail(SIPHOST_DB_E_ARG, "an empty or malformed column name");
        }
    }
    sql.append(" FROM ");
    quote(sql, table);
    std::vector<siphost_db_value> params;
    if (int rc = append_where(sql, keys, ops, key_values, key_count, params); rc != SIPHOST_DB_OK)
        return rc;
    if (order_by.len > 0) {
        sql.append(" ORDER BY ");
        if (!quote(sql, order_by))
            return fail(SIPHOST_DB_E_ARG, "a malformed order-by column name");
    }
    auto result = std::make_unique<result_set>();
    last_was_insert_ = false;
    if (int rc = execute(sql, params, result.get()); rc != SIPHOST_DB_OK)
        return rc;
    result->finish();
    *out = result.release();
    return SIPHOST_DB_OK;
}

int sql_connection::insert(siphost_str table, const siphost_str* columns, const siphost_db_value* values,
                           size_t count) {
    if (int rc = check_table(table); rc != SIPHOST_DB_OK)
        return rc;
    if (count == 0 || columns == nullptr || values == nullptr)
        return fail(SIPHOST_DB_E_ARG, "insert needs at least one column and its value");
    std::string sql = "INSERT INTO ";
    quote(sql, table);
    sql.append(" (");
    std::string placeholders;
    for (size_t i = 0; i < count; ++i) {
        if (i > 0) {
            sql.append(", ");
            placeholders.append(", ");
        }
        if (!quote(sql, columns[i]))
            return fail(SIPHOST_DB_E_ARG, "an empty or malformed column name");
        if (!known_type(values[i].type))
            return fail(SIPHOST_DB_E_ARG, "a value of unknown type " + std::to_string(values[i].type));
        append_placeholder(placeholders, i + 1);
    }
    sql.append(") VALUES (").append(placeholders).append(")");
    last_was_insert_ = false;
    int rc = execute(sql, std::span<const siphost_db_value>(values, count), nullptr);
    last_was_insert_ = rc == SIPHOST_DB_OK;
    return rc;
}

int sql_connection::update_rows(siphost_str table, const siphost_str* keys, const char* const* ops,
                                const siphost_db_value* key_values, size_t key_count,
                                const siphost_str* columns, const siphost_db_value* values,
                                size_t column_count) {
    std::string sql = "UPDATE ";
    quote(sql, table);
    sql.append(" SET ");
    std::vector<siphost_db_value> params;
    for (size_t i = 0; i < column_count; ++i) {
        if (i > 0)
            sql.append(", ");
        if (!quote(sql, columns[i]))
            return fail(SIPHOST_DB_E_ARG, "an empty or malformed column name");
        if (!known_type(values[i].type))
            return fail(SIPHOST_DB_E_ARG, "a value of unknown type " + std::to_string(values[i].type));
        sql.append(" = ");
        params.push_back(values[i]);
        append_placeholder(sql, params.size());
    }
    if (int rc = append_where(sql, keys, ops, key_values, key_count, params); rc != SIPHOST_DB_OK)
        return rc;
    last_was_insert_ = false;
    return execute(sql, params, nullptr);
}

int sql_connection::update(siphost_str table, const siphost_str* keys, const char* const* ops,
                           const siphost_db_value* key_values, size_t key_count, const siphost_str* columns,
                           const siphost_db_value* values, size_t column_count) {
    if (int rc = check_table(table); rc != SIPHOST_DB_OK)
        return rc;
    if (column_count == 0 || columns == nullptr || values == nullptr)
        return fail(SIPHOST_DB_E_ARG, "update needs at least one column to set");
    return update_rows(table, keys, ops, key_values, key_count, columns, values, column_count);
}

int sql_connection::delete_rows(siphost_str table, const siphost_str* keys, const char* const* ops,
                                const siphost_db_value* key_values, size_t key_count) {
    if (int rc = check_table(table); rc != SIPHOST_DB_OK)
        return rc;
    std::string sql = "DELETE FROM ";
    quote(sql, table);
    std::vector<siphost_db_value> params;
    if (int rc = append_where(sql, keys, ops, key_values, key_count, params); rc != SIPHOST_DB_OK)
        return rc;
    last_was_insert_ = false;
    return execute(sql, params, nullptr);
}

int sql_connection::replace(siphost_str table, const siphost_str* columns, const siphost_db_value* values,
                            size_t count, size_t key_count) {
    if (int rc = check_table(table); rc != SIPHOST_DB_OK)
        return rc;
    if (count == 0 || columns == nullptr || values == nullptr || key_count == 0 || key_count > count)
        return fail(SIPHOST_DB_E_ARG, "replace needs 1..count key columns among its columns");
    // Update the row the keys name, else insert it: portable across the engines (no MySQL REPLACE, which
    // deletes; no ON CONFLICT target, which needs the exact unique index), and atomic in a transaction. Every
    // column, keys included, is set so that a matched row counts as affected on each engine. Two connections
    // replacing the same keys may deadlock (InnoDB's gap locks): the loser runs its transaction again, after
    // a short random wait that grows with each try, so that the same two do not collide again at once.
    if (in_transaction_)
        return replace_once(table, columns, values, count, key_count);
    constexpr int attempts = 10;
    int rc = SIPHOST_DB_E_FAIL;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0)
            back_off(attempt);
        if (rc = transaction(SIPHOST_DB_TXN_BEGIN); rc != SIPHOST_DB_OK)
            return rc;
        transient_ = false;
        rc = replace_once(table, columns, values, count, key_count);
        if (rc == SIPHOST_DB_E_CONSTRAINT) {
            // Another connection inserted the same keys meanwhile: the row exists now, so update it.
            std::string first = error_;
            transaction(SIPHOST_DB_TXN_ROLLBACK);
            if (rc = transaction(SIPHOST_DB_TXN_BEGIN); rc != SIPHOST_DB_OK)
                return rc;
            rc = update_rows(table, columns, nullptr, values, key_count, columns, values, count);
            if (rc == SIPHOST_DB_OK && affected_ == 0)
                rc = fail(SIPHOST_DB_E_CONSTRAINT, first);
        }
        if (rc == SIPHOST_DB_OK) {
            int64_t affected = affected_;
            rc = transaction(SIPHOST_DB_TXN_COMMIT);
            affected_ = affected;
            if (rc == SIPHOST_DB_OK || !transient_)
                return rc;
            continue;
        }
        std::string why = error_;
        bool again = transient_;
        if (in_transaction_)
            transaction(SIPHOST_DB_TXN_ROLLBACK);
        rc = fail(rc, why);
        if (!again)
            return rc;
    }
    return rc;
}

void sql_connection::back_off(int attempt) {
    thread_local std::minstd_rand random(std::random_device{}());
    int ceiling_ms = std::min(1 << attempt, 64);
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, ceiling_ms * 1000)(random)));
}

int sql_connection::replace_once(siphost_str table, const siphost_str* columns,
                                 const siphost_db_value* values, size_t count, size_t key_count) {
    int rc = update_rows(table, columns, nullptr, values, key_count, columns, values, count);
    if (rc == SIPHOST_DB_OK && affected_ == 0)
        rc = insert(table, columns, values, count);
    return rc;
}

int sql_connection::raw_query(siphost_str sql, const siphost_db_value* params, size_t param_count,
                              siphost_db_result** out) {
    if (out != nullptr)
        *out = nullptr;
    std::string_view text = view(sql);
    if (text.empty())
        return fail(SIPHOST_DB_E_ARG, "an empty SQL statement");
    if (param_count > 0 && params == nullptr)
        return fail(SIPHOST_DB_E_ARG, "parameters missing");
    for (size_t i = 0; i < param_count; ++i)
        if (!known_type(params[i].type))
            return fail(SIPHOST_DB_E_ARG, "a parameter of unknown type " + std::to_string(params[i].type));
    std::unique_ptr<result_set> result;
    if (out != nullptr)
        result = std::make_unique<result_set>();
    last_was_insert_ = false;
    int rc = execute(text, std::span<const siphost_db_value>(params, param_count), result.get());
    if (rc != SIPHOST_DB_OK)
        return rc;
    if (out != nullptr) {
        result->finish();
        *out = result.release();
    }
    return SIPHOST_DB_OK;
}

int sql_connection::transaction(int op) {
    std::string_view sql;
    switch (op) {
    case SIPHOST_DB_TXN_BEGIN:
        if (in_transaction_)
            return fail(SIPHOST_DB_E_ARG, "a transaction is open already");
        sql = begin_statement();
        break;
    case SIPHOST_DB_TXN_COMMIT:
    case SIPHOST_DB_TXN_ROLLBACK:
        if (!in_transaction_)
            return fail(SIPHOST_DB_E_ARG, "no transaction is open");
        sql = op == SIPHOST_DB_TXN_COMMIT ? "COMMIT" : "ROLLBACK";
        break;
    default:
        return fail(SIPHOST_DB_E_ARG, "unknown transaction operation " + std::to_string(op));
    }
    int64_t affected = affected_;
    int rc = execute(sql, {}, nullptr);
    affected_ = affected;
    if (op == SIPHOST_DB_TXN_BEGIN) {
        in_transaction_ = rc == SIPHOST_DB_OK;
        return rc;
    }
    in_transaction_ = false;
    if (rc != SIPHOST_DB_OK && op == SIPHOST_DB_TXN_COMMIT) {
        // A COMMIT that failed may leave the transaction open (SQLite when busy): end it, so that the next
        // BEGIN works and nothing of it is half-kept.
        std::string why = error_;
        bool again = transient_;
        execute("ROLLBACK", {}, nullptr);
        affected_ = affected;
        transient_ = again;
        return fail(rc, why);
    }
    return rc;
}

int64_t sql_connection::last_insert_id() {
    return last_was_insert_ ? insert_id() : -1;
}

std::string format_datetime(int64_t seconds) {
    time_t t = static_cast<time_t>(seconds);
    struct tm parts {};
    if (localtime_r(&t, &parts) == nullptr)
        return "1970-01-01 00:00:00";
    char buf[32];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &parts);
    return std::string(buf, n);
}

bool parse_datetime(std::string_view text, int64_t& seconds) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    auto number = [&](size_t pos, size_t len, int& value) {
        if (pos + len > text.size())
            return false;
        auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, value);
        return ec == std::errc{} && end == text.data() + pos + len;
    };
    if (!number(0, 4, year) || text.size() < 10 || text[4] != '-' || !number(5, 2, month) || text[7] != '-' ||
        !number(8, 2, day))
        return false;
    if (text.size() > 10) {
        if ((text[10] != ' ' && text[10] != 'T') || !number(11, 2, hour) || text.size() < 19 ||
            text[13] != ':' || !number(14, 2, minute) || text[16] != ':' || !number(17, 2, second))
            return false;
        // A fraction of a second (or a zone suffix of a timestamptz) is ignored: time_t holds seconds.
    }
    struct tm parts {};
    parts.tm_year = year - 1900;
    parts.tm_mon = month - 1;
    parts.tm_mday = day;
    parts.tm_hour = hour;
    parts.tm_min = minute;
    parts.tm_sec = second;
    parts.tm_isdst = -1;
    time_t t = mktime(&parts);
    if (t == static_cast<time_t>(-1) && !(year == 1969 || year == 1970))
        return false;
    seconds = static_cast<int64_t>(t);
    return true;
}

bool parse_int(std::string_view text, int64_t& value) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

bool parse_double(std::string_view text, double& value) {
    if (text == "Infinity" || text == "-Infinity" || text == "NaN") {
        value = text == "NaN" ? std::nan("") : (text[0] == '-' ? -HUGE_VAL : HUGE_VAL);
        return true;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

std::string value_text(const siphost_db_value& v) {
    switch (v.type) {
    case SIPHOST_DB_INT:
    case SIPHOST_DB_BIGINT:
        return std::to_string(v.i);
    case SIPHOST_DB_DOUBLE: {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.d);
        return ec == std::errc{} ? std::string(buf, end) : std::string("0");
    }
    case SIPHOST_DB_DATETIME:
        return format_datetime(v.i);
    case SIPHOST_DB_STRING:
    case SIPHOST_DB_BLOB:
        return std::string(view(v.s));
    default:
        return {};
    }
}

namespace {

/// Runs f() on a connection and turns an exception (an allocation failure) into an error code.
template <class F> int guarded(siphost_db_conn* conn, F&& f) noexcept {
    if (conn == nullptr)
        return SIPHOST_DB_E_ARG;
    try {
        return f(*connection_of(conn));
    } catch (const std::bad_alloc&) {
        return connection_of(conn)->fail(SIPHOST_DB_E_NOMEM, "out of memory");
    } catch (...) {
        return connection_of(conn)->fail(SIPHOST_DB_E_FAIL, "unexpected error in the database driver");
    }
}

void api_close(siphost_db_conn* conn) {
    std::unique_ptr<sql_connection> owned(connection_of(conn));
}

int api_query(siphost_db_conn* conn, siphost_str table, const siphost_str* keys, const char* const* ops,
              const siphost_db_value* key_values, size_t key_count, const siphost_str* columns,
              size_t column_count, siphost_str order_by, siphost_db_result** out) {
    if (out != nullptr)
        *out = nullptr;
    return guarded(conn, [&](sql_connection& c) {
        return c.query(table, keys, ops, key_values, key_count, columns, column_count, order_by, out);
    });
}

int api_insert(siphost_db_conn* conn, siphost_str table, const siphost_str* columns,
               const siphost_db_value* values, size_t count) {
    return guarded(conn, [&](sql_connection& c) { return c.insert(table, columns, values, count); });
}

int api_update(siphost_db_conn* conn, siphost_str table, const siphost_str* keys, const char* const* ops,
               const siphost_db_value* key_values, size_t key_count, const siphost_str* columns,
               const siphost_db_value* values, size_t column_count) {
    return guarded(conn, [&](sql_connection& c) {
        return c.update(table, keys, ops, key_values, key_count, columns, values, column_count);
    });
}

int api_delete(siphost_db_conn* conn, siphost_str table, const siphost_str* keys, const char* const* ops,
               const siphost_db_value* key_values, size_t key_count) {
    return guarded(conn,
                   [&](sql_connection& c) { return c.delete_rows(table, keys, ops, key_values, key_count); });
}

int api_replace(siphost_db_conn* conn, siphost_str table, const siphost_str* columns,
                const siphost_db_value* values, size_t count, size_t key_count) {
    return guarded(conn,
                   [&](sql_connection& c) { return c.replace(table, columns, values, count, key_count); });
}

int api_raw_query(siphost_db_conn* conn, siphost_str sql, const siphost_db_value* params, size_t param_count,
                  siphost_db_result** out) {
    if (out != nullptr)
        *out = nullptr;
    return guarded(conn, [&](sql_connection& c) { return c.raw_query(sql, params, param_count, out); });
}

void api_free_result(siphost_db_conn*, siphost_db_result* result) {
    std::unique_ptr<result_set> owned(static_cast<result_set*>(result));
}

int64_t api_affected_rows(siphost_db_conn* conn) {
    return conn == nullptr ? -1 : connection_of(conn)->affected_rows();
}

int64_t api_last_insert_id(siphost_db_conn* conn) {
    if (conn == nullptr)
        return -1;
    try {
        return connection_of(conn)->last_insert_id();
    } catch (...) {
        return -1;
    }
}

int api_transaction(siphost_db_conn* conn, int op) {
    return guarded(conn, [&](sql_connection& c) { return c.transaction(op); });
}

const char* api_last_error(const siphost_db_conn* conn) {
    return conn == nullptr ? "no connection" : reinterpret_cast<const sql_connection*>(conn)->last_error();
}

} // namespace

siphost_db_api_v1 make_db_api(int (*open)(siphost_str url, siphost_db_conn** out, char* err,
                                          size_t err_size)) {
    siphost_db_api_v1 api{};
    api.struct_size = sizeof(siphost_db_api_v1);
    api.open = open;
    api.close = api_close;
    api.query = api_query;
    api.insert = api_insert;
    api.update = api_update;
    api.delete_rows = api_delete;
    api.replace = api_replace;
    api.raw_query = api_raw_query;
    api.free_result = api_free_result;
    api.affected_rows = api_affected_rows;
    api.last_insert_id = api_last_insert_id;
    api.transaction = api_transaction;
    api.last_error = api_last_error;
    return api;
}

int open_connection(
    siphost_str url, std::string_view scheme, siphost_db_conn** out, char* err, size_t err_size,
    const std::function<int(const db_url& parts, std::unique_ptr<sql_connection>& conn)>& open_as) {
    if (out == nullptr) {
        sdk::write_error(err, err_size, "open needs a connection pointer");
        return SIPHOST_DB_E_ARG;
    }
    *out = nullptr;
    try {
        db_url parts;
        std::string error;
        if (!parse_db_url(sdk::view(url), parts, error)) {
            sdk::write_error(err, err_size, error);
            return SIPHOST_DB_E_ARG;
        }
        if (parts.scheme != scheme) {
            sdk::write_error(err, err_size,
                             "db_" + std::string(scheme) + " serves " + std::string(scheme) +
                                 (scheme == "sqlite" ? ":///" : "://") + " URLs, not " + parts.scheme +
                                 "://");
            return SIPHOST_DB_E_ARG;
        }
        std::unique_ptr<sql_connection> conn;
        int rc = open_as(parts, conn);
        if (rc != SIPHOST_DB_OK) {
            sdk::write_error(err, err_size, conn ? conn->last_error() : "cannot open the connection");
            return rc;
        }
        *out = handle_of(conn.release());
        return SIPHOST_DB_OK;
    } catch (const std::bad_alloc&) {
        sdk::write_error(err, err_size, "out of memory");
        return SIPHOST_DB_E_NOMEM;
    }
}

} // namespace siphost::modules::db
