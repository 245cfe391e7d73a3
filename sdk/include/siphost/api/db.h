/*
 * The "db" API, major 1: the database layer, as Kamailio's db1 API serves its modules (usrloc, auth_db, ...).
 *
 * Each driver module (db_sqlite, db_mysql, db_postgres) publishes one siphost_db_api_v1 table at its init
 * with host->api_export(self, "db:<scheme>", SIPHOST_DB_API_MAJOR, &table), the scheme being that of
 * Kamailio's database URLs:
 *
 *     sqlite:////abs/path/file.db                    db_sqlite   (sqlite:///rel/file.db: relative to the working
 *                                                                directory, as Kamailio; created when missing)
 *     mysql://user:password@host[:port]/database      db_mysql    (default port 3306)
 *     postgres://user:password@host[:port]/database   db_postgres (default port 5432)
 *
 * A consumer finds the driver of a URL with siphost_db_find_api(host, url) below, at its init when the driver
 * is loaded before it (loadmodule the driver first, as in Kamailio), else at first use.
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; the table begins with
 * struct_size (set by the driver), only grows at its end, and each function is tagged with the minor it
 * appeared in. Check a function of a later minor with SIPHOST_HAS(siphost_db_api_v1, db, field) before
 * calling it.
 *
 * Threads. A connection (siphost_db_conn) is used by one thread at a time: the driver does not lock it. The
 * functions may be called on any thread; open and close too. The usual pattern is one connection per thread
 * that needs the database, opened in the consumer's thread_init (and at init for what the main thread loads)
 * and closed at destroy; a consumer that prefers a small pool guards it with its own lock and hands each
 * connection to one thread at a time. Results belong to the connection's user and may be read on any thread.
 *
 * Lifetimes. Every siphost_str and array passed in may be freed by the caller as soon as the call returns. A
 * result (and every string and array it points to) stays valid until free_result, even after further calls on
 * the connection; free every result before closing its connection. The message last_error returns stays valid
 * until the next call on the same connection.
 *
 * Safety. The driver quotes every identifier (table and column names, escaping embedded quotes) and binds
 * every value as a parameter: no SQL is built from values, so a value may hold any bytes. Operators are taken
 * from the fixed list below; anything else is refused with SIPHOST_DB_E_ARG.
 *
 * Connection loss. When the server is gone the driver reconnects and retries the statement, once
 * (db_postgres: its `retries` parameter; db_mysql: never with `auto_reconnect` 0), but never inside a
 * transaction; if that fails too the call returns SIPHOST_DB_E_CONN and the next call tries again.
 */
#ifndef SIPHOST_API_DB_H
#define SIPHOST_API_DB_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_DB_API_PREFIX "db:" /* a driver's table is published as "db:" + its URL scheme */
#define SIPHOST_DB_API_MAJOR 1

typedef struct siphost_db_conn siphost_db_conn; /* one open connection (opaque) */

/* The type of a value: what a value passed in is, and what a result column is. */
enum siphost_db_type {
    SIPHOST_DB_NULL = 0, /* SQL NULL (a value passed in; a result cell has its column's type and null = 1) */
    SIPHOST_DB_INT = 1,  /* i (32-bit columns: integer, smallint, tinyint, boolean) */
    SIPHOST_DB_BIGINT = 2,   /* i (64-bit columns) */
    SIPHOST_DB_DOUBLE = 3,   /* d (float, real, double, numeric) */
    SIPHOST_DB_STRING = 4,   /* s (char, varchar, text); UTF-8 as stored, not NUL-terminated */
    SIPHOST_DB_DATETIME = 5, /* i: a time_t (see below) */
    SIPHOST_DB_BLOB = 6      /* s: any bytes (blob, bytea, binary) */
};

/* Date and time: a datetime column holds "YYYY-MM-DD HH:MM:SS" in the process's local time zone, as Kamailio
 * writes it (so that both read each other's rows); i carries it as seconds since the epoch. */

/* One value. Fill type, null and the field of the type; leave reserved zero. The layout is fixed for major 1:
 * results are arrays of it. */
typedef struct siphost_db_value {
    uint32_t type;     /* enum siphost_db_type */
    uint32_t null;     /* 1: SQL NULL whatever the type (a result's NULL cells have their column's type) */
    int64_t i;         /* INT, BIGINT, DATETIME */
    double d;          /* DOUBLE */
    siphost_str s;     /* STRING, BLOB */
    void *reserved[2]; /* zero */
} siphost_db_value;

/* The rows a query returned, all fetched: a driver-owned block, valid until free_result. */
typedef struct siphost_db_result {
    size_t struct_size; /* sizeof(siphost_db_result) as compiled by the driver */
    size_t col_count;
    const siphost_str *col_names; /* col_count names, as the server reports them */
    const uint32_t *col_types;    /* col_count enum siphost_db_type, from each column's declared type */
    size_t row_count;
    const siphost_db_value *values; /* row_count * col_count cells, row by row (siphost_db_cell) */
    void *reserved[2];
} siphost_db_result;

/* Return codes: 0 success, < 0 failure (then last_error says why in words). */
enum siphost_db_status {
    SIPHOST_DB_OK = 0,
    SIPHOST_DB_E_FAIL = -1,     /* any other failure (a syntax error in raw SQL, ...) */
    SIPHOST_DB_E_ARG = -2,      /* bad arguments: a bad URL, an unknown operator, an empty table name, ... */
    SIPHOST_DB_E_CONN = -3,     /* cannot connect, or the connection is lost (after one reconnect) */
    SIPHOST_DB_E_AUTH = -4,     /* the server refused the user, password or database (open) */
    SIPHOST_DB_E_NO_TABLE = -5, /* the table or a column does not exist */
    SIPHOST_DB_E_CONSTRAINT = -6, /* a unique, primary key, NOT NULL or other constraint was violated */
    SIPHOST_DB_E_NOMEM = -7
};

/* Transaction control (transaction). */
enum siphost_db_txn { SIPHOST_DB_TXN_BEGIN = 0, SIPHOST_DB_TXN_COMMIT = 1, SIPHOST_DB_TXN_ROLLBACK = 2 };

/* Key conditions of query, update and delete: column op value, joined with AND. ops may be NULL (all "=");
 * else each is one of "=", "<", ">", "<=", ">=", "!=" (NUL-terminated). A NULL value with "=" means IS NULL,
 * with "!=" IS NOT NULL; with another operator it is refused. No keys (count 0) matches every row. */

typedef struct siphost_db_api_v1 {
    size_t struct_size; /* sizeof(siphost_db_api_v1) as compiled by the driver */

    /* [1.0] Opens a connection to url (the driver's scheme; see the top). Returns 0 with *out set, or an
     * error code with a one-line reason in err (NUL-terminated, at most err_size bytes; the password is not
     * shown). */
    int (*open)(siphost_str url, siphost_db_conn **out, char *err, size_t err_size);
    /* [1.0] Closes a connection (NULL: nothing). Its results must have been freed. */
    void (*close)(siphost_db_conn *conn);

    /* [1.0] SELECT columns (NULL or count 0: every column, "*") FROM table WHERE keys, ordered by order_by
     * ascending when not empty. On success *out (not NULL) holds every row; free it with free_result. */
    int (*query)(siphost_db_conn *conn, siphost_str table, const siphost_str *keys, const char *const *ops,
                 const siphost_db_value *key_values, size_t key_count, const siphost_str *columns,
                 size_t column_count, siphost_str order_by, siphost_db_result **out);

    /* [1.0] INSERT INTO table (columns) VALUES (values); count >= 1. */
    int (*insert)(siphost_db_conn *conn, siphost_str table, const siphost_str *columns,
                  const siphost_db_value *values, size_t count);

    /* [1.0] UPDATE table SET columns = values WHERE keys; column_count >= 1. affected_rows tells how many. */
    int (*update)(siphost_db_conn *conn, siphost_str table, const siphost_str *keys, const char *const *ops,
                  const siphost_db_value *key_values, size_t key_count, const siphost_str *columns,
                  const siphost_db_value *values, size_t column_count);

    /* [1.0] DELETE FROM table WHERE keys (count 0: every row). */
    int (*delete_rows)(siphost_db_conn *conn, siphost_str table, const siphost_str *keys,
                       const char *const *ops, const siphost_db_value *key_values, size_t key_count);

    /* [1.0] Insert or update (Kamailio's replace): the first key_count columns (>= 1) identify the row; when
     * a row with those values exists, its other columns are set, else the row is inserted. Atomic: it runs in
     * its own transaction (run again when it lost a deadlock to another connection) unless one is open. */
    int (*replace)(siphost_db_conn *conn, siphost_str table, const siphost_str *columns,
                   const siphost_db_value *values, size_t count, size_t key_count);

    /* [1.0] Runs one SQL statement as written, for modules that need more than the calls above. Values are
     * bound to the engine's own placeholders ("?" for sqlite and mysql, "$1".. for postgres); param_count may
     * be 0. out may be NULL (no rows wanted); when not NULL and the statement returns rows, *out holds them
     * (an empty result for a statement that returns none). */
    int (*raw_query)(siphost_db_conn *conn, siphost_str sql, const siphost_db_value *params,
                     size_t param_count, siphost_db_result **out);

    /* [1.0] Frees a result (NULL: nothing). */
    void (*free_result)(siphost_db_conn *conn, siphost_db_result *result);

    /* [1.0] Rows changed by the last insert, update, delete, replace or raw statement on conn. */
    int64_t (*affected_rows)(siphost_db_conn *conn);
    /* [1.0] The auto-increment id of the row the last insert on conn created, or -1 when the last statement
     * was no insert or the table has none (db_postgres: lastval(), the value a sequence last gave on
     * conn). */
    int64_t (*last_insert_id)(siphost_db_conn *conn);

    /* [1.0] Begins, commits or rolls back a transaction on conn (enum siphost_db_txn). */
    int (*transaction)(siphost_db_conn *conn, int op);

    /* [1.0] Why the last call on conn failed (NUL-terminated, never NULL; empty after a success). */
    const char *(*last_error)(const siphost_db_conn *conn);
} siphost_db_api_v1;

/* The cell at row, col of a result (no bounds check). */
static inline const siphost_db_value *siphost_db_cell(const siphost_db_result *result, size_t row,
                                                      size_t col) {
    return &result->values[row * result->col_count + col];
}

/* The driver table for a database URL ("mysql://...", "postgres://...", "sqlite:///..."), or NULL when the
 * URL has no scheme or no driver of that scheme is loaded. "postgresql" is taken as "postgres". Call at init
 * or later, as api_lookup. */
static inline const siphost_db_api_v1 *siphost_db_find_api(const siphost_host_api *host, siphost_str url) {
    char name[40] = SIPHOST_DB_API_PREFIX;
    size_t prefix = sizeof(SIPHOST_DB_API_PREFIX) - 1;
    size_t i = 0;
    if (host == NULL || url.s == NULL)
        return NULL;
    while (i < url.len && url.s[i] != ':') {
        char c = url.s[i];
        if (prefix + i + 1 >= sizeof(name) || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                                (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
            return NULL;
        name[prefix + i] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
        ++i;
    }
    if (i == 0 || i == url.len)
        return NULL;
    name[prefix + i] = '\0';
    if (i == 10) { /* "postgresql" names the same driver as "postgres" */
        const char *alias = "postgresql";
        size_t k = 0;
        while (k < 10 && name[prefix + k] == alias[k])
            ++k;
        if (k == 10)
            name[prefix + 8] = '\0';
    }
    return (const siphost_db_api_v1 *)host->api_lookup(name, SIPHOST_DB_API_MAJOR);
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_DB_H */
