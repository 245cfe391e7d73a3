#include "mysql_connection.hpp"
#include <errmsg.h>
#include <memory>
#include <mysqld_error.h>
#include <vector>

namespace siphost::modules::db_mysql {

namespace {

/// The character set number MariaDB gives binary strings (blob, binary, varbinary).
constexpr unsigned binary_charset = 63;

struct stmt_deleter {
    void operator()(MYSQL_STMT* stmt) const { mysql_stmt_close(stmt); }
};
struct res_deleter {
    void operator()(MYSQL_RES* res) const { mysql_free_result(res); }
};

uint32_t column_type(const MYSQL_FIELD& field) {
    switch (field.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_YEAR:
    case MYSQL_TYPE_BIT:
        return SIPHOST_DB_INT;
    case MYSQL_TYPE_LONGLONG:
        return SIPHOST_DB_BIGINT;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
        return SIPHOST_DB_DOUBLE;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_NEWDATE:
        return SIPHOST_DB_DATETIME;
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
        return field.charsetnr == binary_charset ? SIPHOST_DB_BLOB : SIPHOST_DB_STRING;
    default:
        return SIPHOST_DB_STRING;
    }
}

/// Adds one cell read as text (the server's text form of the column's value).
bool add_cell(db::result_set& out, size_t col, std::string_view text) {
    uint32_t type = out.column_type(col);
    switch (type) {
    case SIPHOST_DB_INT:
    case SIPHOST_DB_BIGINT: {
        int64_t value = 0;
        bool ok = db::parse_int(text, value);
        out.add_int(type, value);
        return ok;
    }
    case SIPHOST_DB_DOUBLE: {
        double value = 0;
        bool ok = db::parse_double(text, value);
        out.add_double(value);
        return ok;
    }
    case SIPHOST_DB_DATETIME: {
        // MySQL's zero date ("0000-00-00 00:00:00") has no time_t: it reads as 0.
        int64_t value = 0;
        if (!db::parse_datetime(text, value) || text.starts_with("0000-00-00"))
            value = 0;
        out.add_int(type, value);
        return true;
    }
    default:
        out.add_bytes(type, text);
        return true;
    }
}

} // namespace

mysql_connection::~mysql_connection() {
    disconnect();
}

void mysql_connection::disconnect() {
    if (mysql_ != nullptr) {
        mysql_close(mysql_);
        mysql_ = nullptr;
    }
}

int mysql_connection::open(const db::db_url& url) {
    url_ = url;
    return connect();
}

int mysql_connection::connect() {
    disconnect();
    mysql_ = mysql_init(nullptr);
    if (mysql_ == nullptr)
        return fail(SIPHOST_DB_E_NOMEM, "mysql: cannot allocate a connection");
    unsigned timeout = settings_.timeout_interval > 0 ? static_cast<unsigned>(settings_.timeout_interval) : 0;
    if (timeout > 0) {
        mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
        mysql_options(mysql_, MYSQL_OPT_READ_TIMEOUT, &timeout);
        mysql_options(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    }
    mysql_options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    // The library's own silent reconnect would lose session state unseen; the driver reconnects itself.
    my_bool no = 0;
    mysql_options(mysql_, MYSQL_OPT_RECONNECT, &no);
    // CLIENT_FOUND_ROWS: an UPDATE counts the rows it matched, as the other engines do (replace relies on
    // it).
    if (mysql_real_connect(mysql_, url_.host.c_str(), url_.user.c_str(), url_.password.c_str(),
                           url_.database.c_str(), url_.port != 0 ? url_.port : 3306, nullptr,
                           CLIENT_FOUND_ROWS) == nullptr) {
        unsigned code = mysql_errno(mysql_);
        std::string why = mysql_error(mysql_);
        disconnect();
        bool refused =
            code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR || code == ER_BAD_DB_ERROR;
        return fail(refused ? SIPHOST_DB_E_AUTH : SIPHOST_DB_E_CONN,
                    "mysql: cannot connect to " + url_.host + ":" +
                        std::to_string(url_.port != 0 ? url_.port : 3306) + "/" + url_.database + ": " + why);
    }
    last_used_ = std::chrono::steady_clock::now();
    return SIPHOST_DB_OK;
}

int mysql_connection::reconnect() {
    return connect();
}

int mysql_connection::error(unsigned code, const char* message, std::string_view what) {
    int status = SIPHOST_DB_E_FAIL;
    switch (code) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
        status = SIPHOST_DB_E_CONN;
        break;
    case ER_NO_SUCH_TABLE:
    case ER_BAD_FIELD_ERROR:
    case ER_BAD_TABLE_ERROR:
        status = SIPHOST_DB_E_NO_TABLE;
        break;
    case ER_DUP_ENTRY:
    case ER_DUP_KEY:
    case ER_BAD_NULL_ERROR:
    case ER_NO_REFERENCED_ROW_2:
    case ER_ROW_IS_REFERENCED_2:
    case ER_NO_DEFAULT_FOR_FIELD:
        status = SIPHOST_DB_E_CONSTRAINT;
        break;
    case CR_OUT_OF_MEMORY:
        status = SIPHOST_DB_E_NOMEM;
        break;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
        transient_ = true;
        break;
    default:
        break;
    }
    return fail(status, "mysql: " + std::string(what) + ": " + (message == nullptr ? "" : message));
}

int mysql_connection::run(std::string_view sql, std::span<const siphost_db_value> params,
                          db::result_set* out) {
    if (mysql_ == nullptr)
        return fail(SIPHOST_DB_E_CONN, "mysql: the connection is lost");
    auto now = std::chrono::steady_clock::now();
    // A connection idle for long may have been closed by the server (wait_timeout): check it first, so that a
    // loss is seen before the statement and the statement is retried on a new connection.
    if (settings_.ping_interval > 0 && now - last_used_ > std::chrono::seconds(settings_.ping_interval) &&
        mysql_ping(mysql_) != 0)
        return error(mysql_errno(mysql_), mysql_error(mysql_), "the connection is lost");
    last_used_ = now;
    if (params.empty() && out == nullptr)
        return run_text(sql);
    return run_prepared(sql, params, out);
}

int mysql_connection::run_text(std::string_view sql) {
    if (mysql_real_query(mysql_, sql.data(), static_cast<unsigned long>(sql.size())) != 0)
        return error(mysql_errno(mysql_), mysql_error(mysql_), "statement failed");
    std::unique_ptr<MYSQL_RES, res_deleter> res(mysql_store_result(mysql_));
    if (res == nullptr && mysql_field_count(mysql_) != 0)
        return error(mysql_errno(mysql_), mysql_error(mysql_), "reading the rows failed");
    if (res == nullptr) {
        affected_ = static_cast<int64_t>(mysql_affected_rows(mysql_));
        insert_id_ = static_cast<int64_t>(mysql_insert_id(mysql_));
        if (insert_id_ == 0)
            insert_id_ = -1;
        return SIPHOST_DB_OK;
    }
    affected_ = 0; // rows nobody asked for are dropped
    return SIPHOST_DB_OK;
}

int mysql_connection::run_prepared(std::string_view sql, std::span<const siphost_db_value> params,
                                   db::result_set* out) {
    std::unique_ptr<MYSQL_STMT, stmt_deleter> stmt(mysql_stmt_init(mysql_));
    if (stmt == nullptr)
        return fail(SIPHOST_DB_E_NOMEM, "mysql: cannot allocate a statement");
    if (mysql_stmt_prepare(stmt.get(), sql.data(), static_cast<unsigned long>(sql.size())) != 0)
        return error(mysql_stmt_errno(stmt.get()), mysql_stmt_error(stmt.get()), "statement failed");
    if (mysql_stmt_param_count(stmt.get()) != params.size())
        return fail(SIPHOST_DB_E_ARG, "mysql: the statement has " +
                                          std::to_string(mysql_stmt_param_count(stmt.get())) +
                                          " placeholders for " + std::to_string(params.size()) + " values");
    std::vector<MYSQL_BIND> binds(params.size());
    std::vector<std::string> texts(params.size());
    std::vector<unsigned long> lengths(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        const siphost_db_value& v = params[i];
        MYSQL_BIND& b = binds[i];
        b = MYSQL_BIND{};
        if (db::is_null(v)) {
            b.buffer_type = MYSQL_TYPE_NULL;
            continue;
        }
        switch (v.type) {
        case SIPHOST_DB_INT:
        case SIPHOST_DB_BIGINT:
            b.buffer_type = MYSQL_TYPE_LONGLONG;
            b.buffer = const_cast<int64_t*>(&v.i);
            break;
        case SIPHOST_DB_DOUBLE:
            b.buffer_type = MYSQL_TYPE_DOUBLE;
            b.buffer = const_cast<double*>(&v.d);
            break;
        default:
            // Text, a blob, or a datetime in its text form: the server converts to the column's type.
            texts[i] = db::value_text(v);
            lengths[i] = static_cast<unsigned long>(texts[i].size());
            b.buffer_type = v.type == SIPHOST_DB_BLOB ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
            b.buffer = texts[i].data();
            b.buffer_length = lengths[i];
            b.length = &lengths[i];
            break;
        }
    }
    if (!binds.empty() && mysql_stmt_bind_param(stmt.get(), binds.data()) != 0)
        return error(mysql_stmt_errno(stmt.get()), mysql_stmt_error(stmt.get()), "binding values failed");
    if (mysql_stmt_execute(stmt.get()) != 0)
        return error(mysql_stmt_errno(stmt.get()), mysql_stmt_error(stmt.get()), "statement failed");
    std::unique_ptr<MYSQL_RES, res_deleter> meta(mysql_stmt_result_metadata(stmt.get()));
    if (meta == nullptr) {
        affected_ = static_cast<int64_t>(mysql_stmt_affected_rows(stmt.get()));
        insert_id_ = static_cast<int64_t>(mysql_stmt_insert_id(stmt.get()));
        if (insert_id_ == 0)
            insert_id_ = -1;
        return SIPHOST_DB_OK;
    }
    affected_ = 0;
    // max_length tells each column's longest value once the rows are stored, so each buffer fits at once.
    my_bool update_max = 1;
    mysql_stmt_attr_set(stmt.get(), STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
    if (mysql_stmt_store_result(stmt.get()) != 0)
        return error(mysql_stmt_errno(stmt.get()), mysql_stmt_error(stmt.get()), "reading the rows failed");
    unsigned columns = mysql_num_fields(meta.get());
    MYSQL_FIELD* fields = mysql_fetch_fields(meta.get());
    std::vector<MYSQL_BIND> results(columns);
    std::vector<std::string> buffers(columns);
    std::vector<unsigned long> result_lengths(columns);
    std::vector<my_bool> nulls(columns);
    std::vector<my_bool> errors(columns);
    for (unsigned c = 0; c < columns; ++c) {
        if (out != nullptr)
            out->add_column(std::string_view(fields[c].name, fields[c].name_length), column_type(fields[c]));
        buffers[c].resize(static_cast<size_t>(fields[c].max_length) + 64);
        MYSQL_BIND& b = results[c];
        b = MYSQL_BIND{};
        b.buffer_type = column_type(fields[c]) == SIPHOST_DB_BLOB ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
        b.buffer = buffers[c].data();
        b.buffer_length = static_cast<unsigned long>(buffers[c].size());
        b.length = &result_lengths[c];
        b.is_null = &nulls[c];
        b.error = &errors[c];
    }
    if (columns > 0 && mysql_stmt_bind_result(stmt.get(), results.data()) != 0)
        return error(mysql_stmt_errno(stmt.get()), mysql_stmt_error(stmt.get()),
                     "binding the columns failed");
    if (out == nullptr)
        return SIPHOST_DB_OK;
    while (true) {
        int rc = mysql_stmt_fetch(stmt.get());
        if (rc == MYSQL_NO_DATA)
            break;
        if (rc == 1)
            return error(mysql_stmt_errno(stmt.get()), mysql_stmt_error(stmt.get()), "reading a row failed");
        for (unsigned c = 0; c < columns; ++c) {
            if (nulls[c]) {
                out->add_null(out->column_type(c));
                continue;
            }
            std::string_view text(buffers[c].data(), std::min<size_t>(result_lengths[c], buffers[c].size()));
            std::string whole;
            if (result_lengths[c] > buffers[c].size()) {
                // Longer than max_length promised: read the column again into a buffer of its size.
                whole.resize(result_lengths[c]);
                MYSQL_BIND again{};
                unsigned long length = 0;
                again.buffer_type = results[c].buffer_type;
                again.buffer = whole.data();
                again.buffer_length = static_cast<unsigned long>(whole.size());
                again.length = &length;
                if (mysql_stmt_fetch_column(stmt.get(), &again, c, 0) != 0)
                    return error(mysql_stmt_errno(stmt.get()), mysql_stmt_error(stmt.get()),
                                 "reading a column failed");
                text = whole;
            }
            if (!add_cell(*out, c, text))
                return fail(SIPHOST_DB_E_FAIL, "mysql: column " + std::string(fields[c].name) +
                                                   " holds an unreadable value \"" + std::string(text) +
                                                   "\"");
        }
    }
    return SIPHOST_DB_OK;
}

} // namespace siphost::modules::db_mysql
