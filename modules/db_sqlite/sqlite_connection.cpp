#include "sqlite_connection.hpp"
#include <cmath>
#include <cstring>
#include <memory>
#include <new>

namespace siphost::modules::db_sqlite {

namespace {

/// How long a statement waits for another connection's write lock before it fails (milliseconds).
constexpr int busy_timeout_ms = 5000;

/// Prepared statements kept per connection; past this many the cache starts afresh.
constexpr size_t max_cached_statements = 64;

bool contains(std::string_view text, std::string_view word) {
    return text.find(word) != std::string_view::npos;
}

std::string upper(const char* text) {
    std::string out = text == nullptr ? "" : text;
    for (char& c : out)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return out;
}

/// The Julian day of 1970-01-01 00:00:00 UTC.
constexpr double unix_epoch_julian_day = 2440587.5;
constexpr double seconds_per_day = 86400.0;

double julian_day(int64_t seconds) {
    return static_cast<double>(seconds) / seconds_per_day + unix_epoch_julian_day;
}

/// Rounded, not truncated: a day number holds seconds only to about 10 us, so 600 s must not read as 599.
int64_t unix_seconds(double julian) {
    double seconds = (julian - unix_epoch_julian_day) * seconds_per_day;
    if (!(seconds > -9.2e18 && seconds < 9.2e18))
        return 0;
    return std::llround(seconds);
}

} // namespace

sqlite_connection::~sqlite_connection() {
    close();
}

void sqlite_connection::close() {
    statements_.clear();
    if (db_ != nullptr)
        sqlite3_close_v2(db_);
    db_ = nullptr;
}

int sqlite_connection::open(const std::string& path, bool read_only) {
    path_ = path;
    read_only_ = read_only;
    close();
    // One thread at a time uses a connection (the API's rule), so SQLite's own per-connection mutex is not
    // needed.
    int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        if (db_ != nullptr) {
            sqlite3_close_v2(db_);
            db_ = nullptr;
        }
        return fail(SIPHOST_DB_E_CONN, "cannot open sqlite database " + path + ": " + why);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    // A double-quoted name that matches no column must be an error, not a string literal (SQLite's legacy
    // leniency), so that a missing column is reported as one.
    sqlite3_db_config(db_, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
    sqlite3_db_config(db_, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
    return SIPHOST_DB_OK;
}

int sqlite_connection::reconnect() {
    return open(path_, read_only_);
}

int64_t sqlite_connection::insert_id() {
    return db_ == nullptr ? -1 : static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

int sqlite_connection::error_code(int rc) {
    transient_ = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
    const char* message = sqlite3_errmsg(db_);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return SIPHOST_DB_E_FAIL;
    case SQLITE_CONSTRAINT:
        return SIPHOST_DB_E_CONSTRAINT;
    case SQLITE_NOMEM:
        return SIPHOST_DB_E_NOMEM;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
        return SIPHOST_DB_E_CONN;
    case SQLITE_ERROR:
        if (contains(message, "no such table") || contains(message, "no such column") ||
            contains(message, "has no column named"))
            return SIPHOST_DB_E_NO_TABLE;
        return SIPHOST_DB_E_FAIL;
    default:
        return SIPHOST_DB_E_FAIL;
    }
}

uint32_t sqlite_connection::column_type(sqlite3_stmt* stmt, int col) const {
    // The declared type decides, by SQLite's affinity rules and the names Kamailio's schema uses; an
    // expression has none, so its first value's storage class decides.
    std::string decl = upper(sqlite3_column_decltype(stmt, col));
    if (decl.empty()) {
        switch (sqlite3_column_type(stmt, col)) {
        case SQLITE_INTEGER:
            return SIPHOST_DB_BIGINT;
        case SQLITE_FLOAT:
            return SIPHOST_DB_DOUBLE;
        case SQLITE_BLOB:
            return SIPHOST_DB_BLOB;
        default:
            return SIPHOST_DB_STRING;
        }
    }
    if (contains(decl, "BIGINT") || contains(decl, "INT8"))
        return SIPHOST_DB_BIGINT;
    if (contains(decl, "INT"))
        return SIPHOST_DB_INT;
    if (contains(decl, "TIMESTAMP") || contains(decl, "DATETIME") || decl == "DATE")
        return SIPHOST_DB_DATETIME;
    if (contains(decl, "CHAR") || contains(decl, "CLOB") || contains(decl, "TEXT"))
        return SIPHOST_DB_STRING;
    if (contains(decl, "BLOB") || contains(decl, "BINARY"))
        return SIPHOST_DB_BLOB;
    if (contains(decl, "REAL") || contains(decl, "FLOA") || contains(decl, "DOUB") ||
        contains(decl, "NUMERIC") || contains(decl, "DECIMAL"))
        return SIPHOST_DB_DOUBLE;
    return SIPHOST_DB_STRING;
}

int sqlite_connection::run(std::string_view sql, std::span<const siphost_db_value> params,
                           db::result_set* out) {
    if (db_ == nullptr)
        return fail(SIPHOST_DB_E_CONN, "the sqlite database is not open");
    sqlite3_stmt* stmt = nullptr;
    statement_ptr uncached; // owns a statement the cache could not take (finalized after the reset below)
    if (auto cached = statements_.find(sql); cached != statements_.end()) {
        stmt = cached->second.get();
    } else {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
        statement_ptr prepared(raw);
        if (rc != SQLITE_OK)
            return fail(error_code(rc), std::string("sqlite: ") + sqlite3_errmsg(db_));
        if (prepared == nullptr)
            return fail(SIPHOST_DB_E_ARG, "sqlite: the statement is empty");
        if (tail != nullptr &&
            std::string_view(tail, sql.data() + sql.size() - tail).find_first_not_of(" \t\r\n;") !=
                std::string_view::npos)
            return fail(SIPHOST_DB_E_ARG, "sqlite: only one statement may be run at a time");
        // Nothing runs now (run() is not re-entered), so the cache may start afresh here.
        if (statements_.size() >= max_cached_statements)
            statements_.clear();
        stmt = raw;
        try {
            statements_.emplace(std::string(sql), std::move(prepared));
        } catch (const std::bad_alloc&) {
            uncached = std::move(prepared); // run it all the same, uncached
        }
    }
    // Reset (its locks released, its values unbound) however the run ends.
    struct reset_after {
        sqlite3_stmt* stmt;
        ~reset_after() {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
        }
    } keep{stmt};
    int rc = SQLITE_OK;
    if (static_cast<size_t>(sqlite3_bind_parameter_count(stmt)) != params.size())
        return fail(SIPHOST_DB_E_ARG, "sqlite: the statement has " +
                                          std::to_string(sqlite3_bind_parameter_count(stmt)) +
                                          " placeholders for " + std::to_string(params.size()) + " values");
    for (size_t i = 0; i < params.size(); ++i) {
        const siphost_db_value& v = params[i];
        int index = static_cast<int>(i + 1);
        if (db::is_null(v)) {
            rc = sqlite3_bind_null(stmt, index);
            continue;
        }
        switch (v.type) {
        case SIPHOST_DB_INT:
        case SIPHOST_DB_BIGINT:
            rc = sqlite3_bind_int64(stmt, index, v.i);
            break;
        case SIPHOST_DB_DOUBLE:
            rc = sqlite3_bind_double(stmt, index, v.d);
            break;
        case SIPHOST_DB_DATETIME:
            // Kamailio 5.6's db_sqlite stores a datetime as its Julian day (a REAL), so both read one table.
            rc = sqlite3_bind_double(stmt, index, julian_day(v.i));
            break;
        case SIPHOST_DB_STRING:
            rc = sqlite3_bind_text(stmt, index, v.s.len == 0 ? "" : v.s.s, static_cast<int>(v.s.len),
                                   SQLITE_TRANSIENT);
            break;
        case SIPHOST_DB_BLOB:
            rc = sqlite3_bind_blob(stmt, index, v.s.len == 0 ? "" : v.s.s, static_cast<int>(v.s.len),
                                   SQLITE_TRANSIENT);
            break;
        default:
            return fail(SIPHOST_DB_E_ARG, "a value of unknown type");
        }
        if (rc != SQLITE_OK)
            return fail(error_code(rc), std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
    int columns = sqlite3_column_count(stmt);
    bool typed = false;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (out == nullptr)
            continue;
        if (!typed) {
            for (int c = 0; c < columns; ++c) {
                const char* name = sqlite3_column_name(stmt, c);
                out->add_column(name == nullptr ? "" : name, column_type(stmt, c));
            }
            typed = true;
        }
        for (int c = 0; c < columns; ++c) {
            uint32_t type = out->column_type(static_cast<size_t>(c));
            int storage = sqlite3_column_type(stmt, c);
            if (storage == SQLITE_NULL) {
                out->add_null(type);
                continue;
            }
            switch (type) {
            case SIPHOST_DB_INT:
            case SIPHOST_DB_BIGINT:
                out->add_int(type, sqlite3_column_int64(stmt, c));
                break;
            case SIPHOST_DB_DOUBLE:
                out->add_double(sqlite3_column_double(stmt, c));
                break;
            case SIPHOST_DB_DATETIME: {
                // A REAL is a Julian day (Kamailio's and our own writes), an INTEGER seconds since the epoch,
                // text "YYYY-MM-DD HH:MM:SS" in local time (a schema's defaults, older writers).
                int64_t seconds = 0;
                if (storage == SQLITE_FLOAT) {
                    seconds = unix_seconds(sqlite3_column_double(stmt, c));
                } else if (storage == SQLITE_INTEGER) {
                    seconds = sqlite3_column_int64(stmt, c);
                } else {
                    const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
                    if (text == nullptr || !db::parse_datetime(text, seconds))
                        return fail(SIPHOST_DB_E_FAIL,
                                    std::string("sqlite: column ") + sqlite3_column_name(stmt, c) +
                                        " holds no date and time: \"" + (text == nullptr ? "" : text) + "\"");
                }
                out->add_int(type, seconds);
                break;
            }
            case SIPHOST_DB_BLOB: {
                const void* bytes = sqlite3_column_blob(stmt, c);
                int len = sqlite3_column_bytes(stmt, c);
                out->add_bytes(type,
                               std::string_view(static_cast<const char*>(bytes), static_cast<size_t>(len)));
                break;
            }
            default: {
                const unsigned char* text = sqlite3_column_text(stmt, c);
                int len = sqlite3_column_bytes(stmt, c);
                out->add_bytes(
                    type, std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(len)));
                break;
            }
            }
        }
    }
    if (rc != SQLITE_DONE)
        return fail(error_code(rc), std::string("sqlite: ") + sqlite3_errmsg(db_));
    if (out != nullptr && !typed) {
        // No rows: the columns are still named, so that a consumer may look them up.
        for (int c = 0; c < columns; ++c) {
            const char* name = sqlite3_column_name(stmt, c);
            out->add_column(name == nullptr ? "" : name, column_type(stmt, c));
        }
    }
    affected_ = sqlite3_stmt_readonly(stmt) ? 0 : sqlite3_changes(db_);
    return SIPHOST_DB_OK;
}

} // namespace siphost::modules::db_sqlite
