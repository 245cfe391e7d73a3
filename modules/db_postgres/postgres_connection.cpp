#include "postgres_connection.hpp"
#include <memory>
#include <vector>

namespace siphost::modules::db_postgres {

namespace {

// Type OIDs of the built-in types (pg_type.dat): stable across server versions.
constexpr Oid oid_bool = 16;
constexpr Oid oid_bytea = 17;
constexpr Oid oid_int8 = 20;
constexpr Oid oid_int2 = 21;
constexpr Oid oid_int4 = 23;
constexpr Oid oid_oid = 26;
constexpr Oid oid_float4 = 700;
constexpr Oid oid_float8 = 701;
constexpr Oid oid_numeric = 1700;
constexpr Oid oid_date = 1082;
constexpr Oid oid_timestamp = 1114;
constexpr Oid oid_timestamptz = 1184;

struct result_deleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

std::string trimmed(const char* message) {
    std::string text = message == nullptr ? "" : message;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/// A bytea in text output: "\x" and hex digits (the default bytea_output), else the escape format.
bool decode_bytea(std::string_view text, std::string& out) {
    out.clear();
    if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
        if (text.size() % 2 != 0)
            return false;
        for (size_t i = 2; i < text.size(); i += 2) {
            int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
            if (hi < 0 || lo < 0)
                return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
        }
        return true;
    }
    size_t length = 0;
    unsigned char* bytes =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(std::string(text).c_str()), &length);
    if (bytes == nullptr)
        return false;
    out.assign(reinterpret_cast<const char*>(bytes), length);
    PQfreemem(bytes);
    return true;
}

} // namespace

postgres_connection::~postgres_connection() {
    if (conn_ != nullptr)
        PQfinish(conn_);
}

int postgres_connection::open(const db::db_url& url) {
    url_ = url;
    return connect();
}

int postgres_connection::connect() {
    if (conn_ != nullptr) {
        PQfinish(conn_);
        conn_ = nullptr;
    }
    std::string port = url_.port != 0 ? std::to_string(url_.port) : "5432";
    std::string timeout = std::to_string(settings_.timeout);
    // The statement limit goes to the server with the session's start; UTF-8 so that strings travel
    // unchanged.
    std::string options =
        settings_.timeout > 0 ? "-c statement_timeout=" + std::to_string(settings_.timeout * 1000) : "";
    std::vector<const char*> keys = {
        "host", "port", "dbname", "user", "password", "client_encoding", "application_name"};
    std::vector<const char*> values = {url_.host.c_str(), port.c_str(),          url_.database.c_str(),
                                       url_.user.c_str(), url_.password.c_str(), "UTF8",
                                       "siphost"};
    if (settings_.timeout > 0) {
        keys.push_back("connect_timeout");
        values.push_back(timeout.c_str());
        keys.push_back("options");
        values.push_back(options.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
    if (conn_ == nullptr)
        return fail(SIPHOST_DB_E_NOMEM, "postgres: cannot allocate a connection");
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string why = trimmed(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        bool refused_login = why.find("authentication failed") != std::string::npos ||
                             why.find("no password supplied") != std::string::npos ||
                             why.find("does not exist") != std::string::npos;
        return fail(refused_login ? SIPHOST_DB_E_AUTH : SIPHOST_DB_E_CONN, "postgres: cannot connect to " +
                                                                               url_.host + ":" + port + "/" +
                                                                               url_.database + ": " + why);
    }
    return SIPHOST_DB_OK;
}

int postgres_connection::reconnect() {
    return connect();
}

void postgres_connection::append_placeholder(std::string& sql, size_t index) const {
    sql.push_back('$');
    sql.append(std::to_string(index));
}

uint32_t postgres_connection::column_type(Oid oid) {
    switch (oid) {
    case oid_bool:
    case oid_int2:
    case oid_int4:
        return SIPHOST_DB_INT;
    case oid_int8:
    case oid_oid:
        return SIPHOST_DB_BIGINT;
    case oid_float4:
    case oid_float8:
    case oid_numeric:
        return SIPHOST_DB_DOUBLE;
    case oid_date:
    case oid_timestamp:
    case oid_timestamptz:
        return SIPHOST_DB_DATETIME;
    case oid_bytea:
        return SIPHOST_DB_BLOB;
    default:
        return SIPHOST_DB_STRING;
    }
}

int postgres_connection::result_error(PGresult* result, std::string_view what) {
    std::string why = trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
    if (why.empty())
        why = trimmed(PQerrorMessage(conn_));
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view sqlstate = state == nullptr ? "" : state;
    int code = SIPHOST_DB_E_FAIL;
    if (PQstatus(conn_) == CONNECTION_BAD || sqlstate.starts_with("08") || sqlstate == "57P01" ||
        sqlstate == "57P02" || sqlstate == "57P03")
        code = SIPHOST_DB_E_CONN;
    else if (sqlstate == "42P01" || sqlstate == "42703")
        code = SIPHOST_DB_E_NO_TABLE;
    else if (sqlstate.starts_with("23"))
        code = SIPHOST_DB_E_CONSTRAINT;
    else if (sqlstate == "53200")
        code = SIPHOST_DB_E_NOMEM;
    // A deadlock or a serialization failure: the transaction may simply be run again.
    transient_ = sqlstate == "40P01" || sqlstate == "40001";
    return fail(code, "postgres: " + std::string(what) + ": " + why);
}

int postgres_connection::run(std::string_view sql, std::span<const siphost_db_value> params,
                             db::result_set* out) {
    if (conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD)
        return fail(SIPHOST_DB_E_CONN, "postgres: the connection is lost");
    std::string statement(sql);
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    std::vector<int> lengths(params.size());
    std::vector<int> formats(params.size());
    std::vector<Oid> types(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        const siphost_db_value& v = params[i];
        if (db::is_null(v)) {
            values[i] = nullptr;
            continue;
        }
        texts[i] = db::value_text(v);
        values[i] = texts[i].c_str();
        lengths[i] = static_cast<int>(texts[i].size());
        // A blob travels in binary, everything else as text the server converts to the column's type.
        formats[i] = v.type == SIPHOST_DB_BLOB ? 1 : 0;
        types[i] = v.type == SIPHOST_DB_BLOB ? oid_bytea : 0;
    }
    result_ptr result(PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), types.data(),
                                   values.data(), lengths.data(), formats.data(), 0));
    ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK) {
        // Empty for statements that change no rows (BEGIN, CREATE).
        if (!db::parse_int(PQcmdTuples(result.get()), affected_))
            affected_ = 0;
        return SIPHOST_DB_OK;
    }
    if (status != PGRES_TUPLES_OK)
        return result_error(result.get(), "statement failed");
    affected_ = 0;
    if (out == nullptr)
        return SIPHOST_DB_OK;
    int columns = PQnfields(result.get());
    int rows = PQntuples(result.get());
    for (int c = 0; c < columns; ++c)
        out->add_column(PQfname(result.get(), c), column_type(PQftype(result.get(), c)));
    std::string bytes;
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < columns; ++c) {
            uint32_t type = out->column_type(static_cast<size_t>(c));
            if (PQgetisnull(result.get(), r, c)) {
                out->add_null(type);
                continue;
            }
            std::string_view text(PQgetvalue(result.get(), r, c),
                                  static_cast<size_t>(PQgetlength(result.get(), r, c)));
            bool ok = true;
            switch (type) {
            case SIPHOST_DB_INT:
            case SIPHOST_DB_BIGINT: {
                int64_t value = 0;
                if (PQftype(result.get(), c) == oid_bool)
                    value = text == "t" ? 1 : 0;
                else
                    ok = db::parse_int(text, value);
                out->add_int(type, value);
                break;
            }
            case SIPHOST_DB_DOUBLE: {
                double value = 0;
                ok = db::parse_double(text, value);
                out->add_double(value);
                break;
            }
            case SIPHOST_DB_DATETIME: {
                int64_t value = 0;
                ok = db::parse_datetime(text, value);
                out->add_int(type, value);
                break;
            }
            case SIPHOST_DB_BLOB:
                ok = decode_bytea(text, bytes);
                out->add_bytes(type, bytes);
                break;
            default:
                out->add_bytes(type, text);
                break;
            }
            if (!ok)
                return fail(SIPHOST_DB_E_FAIL, "postgres: column " + std::string(PQfname(result.get(), c)) +
                                                   " holds an unreadable value \"" + std::string(text) +
                                                   "\"");
        }
    }
    return SIPHOST_DB_OK;
}

int64_t postgres_connection::insert_id() {
    if (conn_ == nullptr)
        return -1;
    // lastval() fails when the session has used no sequence; inside a transaction a savepoint keeps that
    // failure from aborting the caller's transaction.
    if (in_transaction_) {
        result_ptr saved(PQexec(conn_, "SAVEPOINT siphost_lastval"));
        if (PQresultStatus(saved.get()) != PGRES_COMMAND_OK)
            return -1;
    }
    result_ptr result(PQexec(conn_, "SELECT lastval()"));
    int64_t id = -1;
    if (PQresultStatus(result.get()) == PGRES_TUPLES_OK && PQntuples(result.get()) == 1 &&
        !db::parse_int(PQgetvalue(result.get(), 0, 0), id))
        id = -1;
    if (in_transaction_) {
        result_ptr back(PQexec(conn_, id < 0 ? "ROLLBACK TO SAVEPOINT siphost_lastval"
                                             : "RELEASE SAVEPOINT siphost_lastval"));
    }
    return id;
}

} // namespace siphost::modules::db_postgres
