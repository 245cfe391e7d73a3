// The "db" API (<siphost/api/db.h>) through the real host in process, one test body for the three drivers:
// db_sqlite on a file, db_postgres and db_mysql on real servers that db_server.sh starts once for the whole
// run, each with Kamailio's own schema files from Debian's kamailio-*-modules packages. A server that cannot
// start fails its engine's tests with the server's log.
#include "abi/host_table.hpp"
#include "plugin/module_registry.hpp"
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <mutex>
#include <siphost/api/db.h>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using siphost::plugin::module_registry;

extern "C" {
const siphost_db_value* db_header_c99_first_cell(const siphost_db_result* result);
const siphost_db_api_v1* db_header_c99_find(const siphost_host_api* host, const char* url, size_t len);
}

namespace {

constexpr int postgres_port = 55432;
constexpr int mysql_port = 53306;

/// One engine under test.
struct engine {
    std::string name;       ///< "sqlite", "postgres", "mysql"
    std::string schema_dir; ///< Kamailio's SQL files for it
    std::string url;        ///< the kamailio user's URL
    std::string failure;    ///< why its server did not start; empty when it runs
};

std::string shell(const std::string& command, int& status) {
    std::string output;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        status = -1;
        return "popen failed";
    }
    char buf[4096];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0)
        output.append(buf, n);
    status = pclose(pipe);
    return output;
}

siphost_str s(std::string_view text) {
    return siphost_str{text.data(), text.size()};
}

siphost_db_value int_value(int64_t i) {
    siphost_db_value v{};
    v.type = SIPHOST_DB_INT;
    v.i = i;
    return v;
}
siphost_db_value bigint_value(int64_t i) {
    siphost_db_value v = int_value(i);
    v.type = SIPHOST_DB_BIGINT;
    return v;
}
siphost_db_value double_value(double d) {
    siphost_db_value v{};
    v.type = SIPHOST_DB_DOUBLE;
    v.d = d;
    return v;
}
siphost_db_value str_value(std::string_view text) {
    siphost_db_value v{};
    v.type = SIPHOST_DB_STRING;
    v.s = s(text);
    return v;
}
siphost_db_value blob_value(std::string_view bytes) {
    siphost_db_value v = str_value(bytes);
    v.type = SIPHOST_DB_BLOB;
    return v;
}
siphost_db_value time_value(int64_t t) {
    siphost_db_value v{};
    v.type = SIPHOST_DB_DATETIME;
    v.i = t;
    return v;
}
siphost_db_value null_value() {
    return siphost_db_value{};
}

/// Everything the run shares: the servers, the registry with the three drivers, the engines.
class db_environment : public ::testing::Environment {
public:
    void SetUp() override {
        char pattern[] = "/tmp/siphost-db-XXXXXX";
        const char* made = mkdtemp(pattern);
        ASSERT_NE(made, nullptr);
        dir_ = made;
        std::string script = DB_SERVER_SCRIPT;
        engines_.push_back({"sqlite", std::string(KAMAILIO_SCHEMA_DIR) + "/db_sqlite",
                            "sqlite:///" + dir_ + "/kamailio.db", ""});
        for (auto [name, port] :
             {std::pair<const char*, int>{"postgres", postgres_port}, {"mysql", mysql_port}}) {
            engine e{name, std::string(KAMAILIO_SCHEMA_DIR) + "/" + name,
                     std::string(name) + "://kamailio:kamailiorw@127.0.0.1:" + std::to_string(port) +
                         "/kamailio",
                     ""};
            int status = 0;
            std::string log = shell("sh " + script + " start " + name + " " + dir_ + "/" + name + " " +
                                        std::to_string(port),
                                    status);
            if (status != 0)
                e.failure = std::string(name) + " server did not start:\n" + log;
            engines_.push_back(e);
        }
        registry_ = std::make_unique<module_registry>();
        registry_->set_search_dirs({SIPHOST_MODULE_DIR});
        for (const char* module : {"db_sqlite", "db_postgres", "db_mysql"})
            registry_->load(module);
        std::ofstream(dir_ + "/readonly.db").flush(); // an empty file is an empty SQLite database
        registry_->set_param("db_sqlite", "db_set_readonly",
                             siphost::plugin::param_value{dir_ + "/readonly.db"});
        registry_->set_param("db_postgres", "timeout", siphost::plugin::param_value{int64_t{10}});
        registry_->set_param("db_mysql", "timeout_interval", siphost::plugin::param_value{int64_t{5}});
        siphost::abi::parts().registry = registry_.get();
        registry_->init_all(siphost::abi::host_table());
    }

    void TearDown() override {
        if (registry_ != nullptr) {
            registry_->destroy_all();
            registry_.reset();
            siphost::abi::parts() = {};
        }
        for (auto [name, port] :
             {std::pair<const char*, int>{"postgres", postgres_port}, {"mysql", mysql_port}}) {
            int status = 0;
            std::string log = shell("sh " + std::string(DB_SERVER_SCRIPT) + " stop " + name + " " + dir_ +
                                        "/" + name + " " + std::to_string(port),
                                    status);
            EXPECT_EQ(status, 0) << log;
        }
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    /// Stops (start = false) or starts again an engine's server.
    std::string control(const std::string& name, bool start) {
        int port = name == "postgres" ? postgres_port : mysql_port;
        int status = 0;
        std::string log = shell("sh " + std::string(DB_SERVER_SCRIPT) + (start ? " start " : " stop ") +
                                    name + " " + dir_ + "/" + name + " " + std::to_string(port),
                                status);
        return status == 0 ? std::string() : log.empty() ? "failed" : log;
    }

    engine* find(const std::string& name) {
        for (engine& e : engines_)
            if (e.name == name)
                return &e;
        return nullptr;
    }
    const std::string& dir() const { return dir_; }
    std::map<std::string, bool> schema_done_;

private:
    std::string dir_;
    std::vector<engine> engines_;
    std::unique_ptr<module_registry> registry_;
};

db_environment* env_ = nullptr;

/// Runs the statements of one of Kamailio's SQL files.
std::string run_sql_file(const siphost_db_api_v1* db, siphost_db_conn* conn, const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return "cannot read " + path;
    std::stringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    size_t start = 0;
    while (start < all.size()) {
        size_t end = all.find(";\n", start);
        if (end == std::string::npos)
            end = all.size();
        std::string statement = all.substr(start, end - start);
        start = end + 2;
        if (statement.find_first_not_of(" \t\r\n") == std::string::npos)
            continue;
        if (int rc = db->raw_query(conn, s(statement), nullptr, 0, nullptr); rc != SIPHOST_DB_OK)
            return path + ": " + db->last_error(conn) + " in: " + statement;
    }
    return {};
}

class DbTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        engine_ = env_->find(GetParam());
        ASSERT_NE(engine_, nullptr);
        ASSERT_TRUE(engine_->failure.empty()) << engine_->failure;
        db_ = siphost_db_find_api(siphost::abi::host_table(), s(engine_->url));
        ASSERT_NE(db_, nullptr) << "no driver published db:" << engine_->name;
        ASSERT_GE(db_->struct_size, sizeof(siphost_db_api_v1));
        char err[256] = "";
        ASSERT_EQ(db_->open(s(engine_->url), &conn_, err, sizeof err), SIPHOST_DB_OK) << err;
        ASSERT_NE(conn_, nullptr);
        if (!env_->schema_done_[engine_->name]) {
            for (const char* file :
                 {"standard-create.sql", "usrloc-create.sql", "auth_db-create.sql", "msilo-create.sql"}) {
                std::string error = run_sql_file(db_, conn_, engine_->schema_dir + "/" + file);
                ASSERT_TRUE(error.empty()) << error;
            }
            ASSERT_EQ(raw("CREATE TABLE db_types (id INTEGER PRIMARY KEY, big BIGINT, label VARCHAR(32))"),
                      SIPHOST_DB_OK)
                << db_->last_error(conn_);
            env_->schema_done_[engine_->name] = true;
        }
        for (const char* table : {"location", "subscriber", "silo", "db_types"})
            ASSERT_EQ(db_->delete_rows(conn_, s(table), nullptr, nullptr, nullptr, 0), SIPHOST_DB_OK)
                << db_->last_error(conn_);
    }
    void TearDown() override {
        if (db_ != nullptr)
            db_->close(conn_);
    }

    int raw(std::string_view sql) { return db_->raw_query(conn_, s(sql), nullptr, 0, nullptr); }

    /// The rows of a query, as a result that frees itself.
    struct rows {
        const siphost_db_api_v1* db = nullptr;
        siphost_db_conn* conn = nullptr;
        siphost_db_result* result = nullptr;
        ~rows() {
            if (result != nullptr)
                db->free_result(conn, result);
        }
        size_t count() const { return result == nullptr ? 0 : result->row_count; }
        size_t col(std::string_view name) const {
            for (size_t c = 0; c < result->col_count; ++c)
                if (std::string_view(result->col_names[c].s, result->col_names[c].len) == name)
                    return c;
            ADD_FAILURE() << "no column " << name;
            return 0;
        }
        const siphost_db_value& at(size_t row, std::string_view name) const {
            return *siphost_db_cell(result, row, col(name));
        }
        std::string text(size_t row, std::string_view name) const {
            const siphost_db_value& v = at(row, name);
            return std::string(v.s.s == nullptr ? "" : v.s.s, v.s.len);
        }
    };

    std::unique_ptr<rows> query(std::string_view table, std::vector<std::string_view> keys,
                                std::vector<const char*> ops, std::vector<siphost_db_value> values,
                                std::vector<std::string_view> columns = {}, std::string_view order = {}) {
        auto out = std::make_unique<rows>();
        out->db = db_;
        out->conn = conn_;
        std::vector<siphost_str> key_strs, col_strs;
        for (auto k : keys)
            key_strs.push_back(s(k));
        for (auto c : columns)
            col_strs.push_back(s(c));
        int rc =
            db_->query(conn_, s(table), key_strs.data(), ops.empty() ? nullptr : ops.data(), values.data(),
                       keys.size(), col_strs.data(), col_strs.size(), s(order), &out->result);
        EXPECT_EQ(rc, SIPHOST_DB_OK) << db_->last_error(conn_);
        return out;
    }

    int insert(std::string_view table, std::vector<std::string_view> columns,
               std::vector<siphost_db_value> values) {
        std::vector<siphost_str> cols;
        for (auto c : columns)
            cols.push_back(s(c));
        return db_->insert(conn_, s(table), cols.data(), values.data(), cols.size());
    }

    int replace(std::string_view table, std::vector<std::string_view> columns,
                std::vector<siphost_db_value> values, size_t key_count) {
        std::vector<siphost_str> cols;
        for (auto c : columns)
            cols.push_back(s(c));
        return db_->replace(conn_, s(table), cols.data(), values.data(), cols.size(), key_count);
    }

    int insert_subscriber(std::string_view user, std::string_view domain, std::string_view password) {
        return insert(
            "subscriber", {"username", "domain", "password", "ha1", "ha1b"},
            {str_value(user), str_value(domain), str_value(password), str_value("h1"), str_value("h2")});
    }

    int insert_location(std::string_view ruid, std::string_view user, siphost_db_value domain,
                        int64_t expires, double q, int64_t cseq, siphost_db_value methods) {
        return insert("location",
                      {"ruid", "username", "domain", "contact", "received", "expires", "q", "callid", "cseq",
                       "last_modified", "flags", "user_agent", "methods"},
                      {str_value(ruid), str_value(user), domain,
                       str_value("sip:" + std::string(user) + "@192.0.2.1"), null_value(),
                       time_value(expires), double_value(q), str_value("call-" + std::string(ruid)),
                       int_value(cseq), time_value(expires - 3600), int_value(0),
                       str_value("sipp \"quoted\" agent"), methods});
    }

    engine* engine_ = nullptr;
    const siphost_db_api_v1* db_ = nullptr;
    siphost_db_conn* conn_ = nullptr;
};

TEST_P(DbTest, ReadsKamailiosVersionTable) {
    auto r = query("version", {"table_name"}, {}, {str_value("location")}, {"table_name", "table_version"});
    ASSERT_EQ(r->count(), 1u);
    EXPECT_EQ(r->result->col_types[1], SIPHOST_DB_INT);
    EXPECT_EQ(r->at(0, "table_version").i, 9);
    auto all = query("version", {}, {}, {}, {"table_name", "table_version"}, "table_name");
    ASSERT_GE(all->count(), 5u);
    EXPECT_EQ(all->text(0, "table_name"), "location");
    EXPECT_EQ(all->text(all->count() - 1, "table_name"), "version");
}

TEST_P(DbTest, SubscriberInsertQueryUpdateReplaceDelete) {
    ASSERT_EQ(insert_subscriber("alice", "example.org", "secret"), SIPHOST_DB_OK) << db_->last_error(conn_);
    EXPECT_EQ(db_->affected_rows(conn_), 1);
    int64_t first_id = db_->last_insert_id(conn_);
    EXPECT_GT(first_id, 0);
    // A quote, a backslash and SQL in a value are data, never SQL.
    const std::string tricky = "o'brien\\\"; DROP TABLE subscriber; --";
    ASSERT_EQ(insert_subscriber(tricky, "example.org", "it's"), SIPHOST_DB_OK) << db_->last_error(conn_);
    EXPECT_GT(db_->last_insert_id(conn_), first_id);
    const std::string utf8 = "j\xc3\xbcrgen-\xe6\x97\xa5\xe6\x9c\xac-\xf0\x9f\x93\x9e";
    ASSERT_EQ(insert_subscriber(utf8, "b\xc3\xa9.example", "p\xc3\xa4ss"), SIPHOST_DB_OK)
        << db_->last_error(conn_);

    auto r = query("subscriber", {"username", "domain"}, {}, {str_value(tricky), str_value("example.org")},
                   {"id", "username", "password", "ha1"});
    ASSERT_EQ(r->count(), 1u);
    EXPECT_EQ(r->text(0, "username"), tricky);
    EXPECT_EQ(r->text(0, "password"), "it's");
    EXPECT_EQ(r->result->col_types[r->col("username")], SIPHOST_DB_STRING);
    auto u = query("subscriber", {"username"}, {}, {str_value(utf8)}, {"username", "domain", "password"});
    ASSERT_EQ(u->count(), 1u);
    EXPECT_EQ(u->text(0, "domain"), "b\xc3\xa9.example");
    EXPECT_EQ(u->text(0, "password"), "p\xc3\xa4ss");

    siphost_str key[] = {s("username"), s("domain")};
    siphost_db_value key_values[] = {str_value("alice"), str_value("example.org")};
    siphost_str set[] = {s("password"), s("ha1")};
    siphost_db_value set_values[] = {str_value("changed"), str_value("0123456789abcdef0123456789abcdef")};
    ASSERT_EQ(db_->update(conn_, s("subscriber"), key, nullptr, key_values, 2, set, set_values, 2),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    EXPECT_EQ(db_->affected_rows(conn_), 1);
    auto a = query("subscriber", {"username"}, {}, {str_value("alice")}, {"password", "ha1"});
    ASSERT_EQ(a->count(), 1u);
    EXPECT_EQ(a->text(0, "password"), "changed");

    // replace: the first two columns (the unique account) name the row; an existing one is updated...
    ASSERT_EQ(replace("subscriber", {"username", "domain", "password", "ha1", "ha1b"},
                      {str_value("alice"), str_value("example.org"), str_value("replaced"), str_value("x"),
                       str_value("y")},
                      2),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    // ...a missing one inserted.
    ASSERT_EQ(
        replace("subscriber", {"username", "domain", "password", "ha1", "ha1b"},
                {str_value("bob"), str_value("example.org"), str_value("new"), str_value(""), str_value("")},
                2),
        SIPHOST_DB_OK)
        << db_->last_error(conn_);
    auto all = query("subscriber", {}, {}, {}, {"username", "password"}, "username");
    ASSERT_EQ(all->count(), 4u);
    EXPECT_EQ(all->text(0, "username"), "alice");
    EXPECT_EQ(all->text(0, "password"), "replaced");
    EXPECT_EQ(all->text(1, "username"), "bob");
    EXPECT_EQ(all->text(1, "password"), "new");

    siphost_db_value bob[] = {str_value("bob")};
    ASSERT_EQ(db_->delete_rows(conn_, s("subscriber"), key, nullptr, bob, 1), SIPHOST_DB_OK);
    EXPECT_EQ(db_->affected_rows(conn_), 1);
    auto gone = query("subscriber", {"username"}, {}, {str_value("bob")});
    EXPECT_EQ(gone->count(), 0u);
    EXPECT_GT(gone->result->col_count, 0u) << "an empty result still names its columns";

    // The unique account key: a second alice@example.org is refused as a constraint violation.
    EXPECT_EQ(insert_subscriber("alice", "example.org", "again"), SIPHOST_DB_E_CONSTRAINT);
    EXPECT_STRNE(db_->last_error(conn_), "");
}

/// SQLite's storage of datetimes, on the sqlite engine only.
class SqliteDbTest : public DbTest {};

TEST_P(SqliteDbTest, DatetimesAreJulianDaysAsKamailiosDbSqlite) {
    const int64_t base = 1796154316; // 2026-12-01 19:45:16 UTC
    ASSERT_EQ(insert_location("j1", "erin", str_value("example.org"), base, 1.0, 1, int_value(1)),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    siphost_db_result* stored = nullptr;
    ASSERT_EQ(db_->raw_query(conn_,
                             s("SELECT typeof(expires), expires * 1.0 FROM location WHERE ruid = 'j1'"),
                             nullptr, 0, &stored),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    ASSERT_EQ(stored->row_count, 1u);
    const siphost_db_value* kind = siphost_db_cell(stored, 0, 0);
    EXPECT_EQ(std::string(kind->s.s, kind->s.len), "real");
    EXPECT_NEAR(siphost_db_cell(stored, 0, 1)->d, 2440587.5 + base / 86400.0, 1e-6);
    db_->free_result(conn_, stored);

    // A row as Kamailio 5.6 writes it (measured: expires and last_modified are REAL Julian days), one with
    // seconds since the epoch and one with the schema's text default: each reads back as seconds.
    ASSERT_EQ(
        raw("INSERT INTO location (ruid, username, contact, expires, last_modified, callid, cseq) VALUES "
            "('k1', 'kam', 'sip:kam@192.0.2.2', 2461376.32310764, 2461376.31616319, 'c', 1), "
            "('k2', 'kam', 'sip:kam@192.0.2.3', 1796154916, 1796154316, 'c', 1)"),
        SIPHOST_DB_OK)
        << db_->last_error(conn_);
    ASSERT_EQ(raw("INSERT INTO location (ruid, username, contact, callid, cseq) VALUES "
                  "('k3', 'kam', 'sip:kam@192.0.2.4', 'c', 1)"),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    auto r =
        query("location", {"username"}, {}, {str_value("kam")}, {"ruid", "expires", "last_modified"}, "ruid");
    ASSERT_EQ(r->count(), 3u);
    EXPECT_EQ(r->at(0, "expires").i,
              1796154317); // (2461376.32310764 - 2440587.5) * 86400 = ...316.50, rounded
    EXPECT_EQ(r->at(0, "last_modified").i, 1796153716);
    EXPECT_EQ(r->at(1, "expires").i, 1796154916);
    struct tm parts {};
    parts.tm_year = 2030 - 1900;
    parts.tm_mon = 4;
    parts.tm_mday = 28;
    parts.tm_hour = 21;
    parts.tm_min = 32;
    parts.tm_sec = 15;
    parts.tm_isdst = -1;
    EXPECT_EQ(r->at(2, "expires").i, static_cast<int64_t>(mktime(&parts))); // '2030-05-28 21:32:15', local
    // A datetime key is a Julian day too, so it compares with Kamailio's rows and ours (j1, k1).
    EXPECT_EQ(query("location", {"expires"}, {"<"}, {time_value(1796154317)})->count(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Engines, SqliteDbTest, ::testing::Values("sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// db_sqlite keeps its prepared statements: a cached query still reads what another connection wrote since
// (each run is its own read transaction, as the uncached one was), and more statements than the cache holds
// (64) run right, the first ones prepared again.
TEST_P(SqliteDbTest, CachedStatementsSeeOtherWritersAndOutgrowTheCache) {
    ASSERT_EQ(insert_subscriber("c0", "example.org", "before"), SIPHOST_DB_OK) << db_->last_error(conn_);
    EXPECT_EQ(query("subscriber", {"username"}, {}, {str_value("c0")}, {"password"})->text(0, "password"),
              "before");
    char err[256] = "";
    siphost_db_conn* other = nullptr;
    ASSERT_EQ(db_->open(s(engine_->url), &other, err, sizeof err), SIPHOST_DB_OK) << err;
    siphost_str key[] = {s("username")};
    siphost_db_value c0[] = {str_value("c0")};
    siphost_str column[] = {s("password")};
    siphost_db_value after[] = {str_value("after")};
    ASSERT_EQ(db_->update(other, s("subscriber"), key, nullptr, c0, 1, column, after, 1), SIPHOST_DB_OK)
        << db_->last_error(other);
    db_->close(other);
    EXPECT_EQ(query("subscriber", {"username"}, {}, {str_value("c0")}, {"password"})->text(0, "password"),
              "after");

    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 80; ++i) {
            std::string sql = "SELECT password, " + std::to_string(i) + " FROM subscriber WHERE username = ?";
            siphost_db_value params[] = {str_value("c0")};
            siphost_db_result* result = nullptr;
            ASSERT_EQ(db_->raw_query(conn_, s(sql), params, 1, &result), SIPHOST_DB_OK)
                << db_->last_error(conn_);
            ASSERT_EQ(result->row_count, 1u) << sql;
            EXPECT_EQ(siphost_db_cell(result, 0, 1)->i, i) << sql;
            db_->free_result(conn_, result);
        }
    }
}

TEST_P(DbTest, LocationTypesNullsOperatorsAndOrder) {
    const int64_t base = 1900000000; // 2030-03-17, a whole second
    ASSERT_EQ(insert_location("r1", "carol", str_value("example.org"), base + 10, 0.5, 3, int_value(8191)),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    ASSERT_EQ(insert_location("r2", "carol", null_value(), base + 20, 1.0, 7, null_value()), SIPHOST_DB_OK)
        << db_->last_error(conn_);
    ASSERT_EQ(insert_location("r3", "dave", str_value("example.org"), base + 30, 0.25, 1, int_value(1)),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);

    auto r = query("location", {"username"}, {}, {str_value("carol")}, {}, "expires");
    ASSERT_EQ(r->count(), 2u);
    EXPECT_EQ(r->text(0, "ruid"), "r1");
    EXPECT_EQ(r->result->col_types[r->col("expires")], SIPHOST_DB_DATETIME);
    EXPECT_EQ(r->at(0, "expires").i, base + 10);
    EXPECT_EQ(r->at(0, "last_modified").i, base + 10 - 3600);
    EXPECT_EQ(r->result->col_types[r->col("q")], SIPHOST_DB_DOUBLE);
    EXPECT_DOUBLE_EQ(r->at(0, "q").d, 0.5);
    EXPECT_EQ(r->at(0, "cseq").i, 3);
    EXPECT_EQ(r->at(0, "methods").i, 8191);
    EXPECT_EQ(r->text(0, "user_agent"), "sipp \"quoted\" agent");
    // NULL cells keep their column's type.
    EXPECT_EQ(r->at(0, "received").null, 1u);
    EXPECT_EQ(r->at(0, "received").type, SIPHOST_DB_STRING);
    EXPECT_EQ(r->at(1, "domain").null, 1u);
    EXPECT_EQ(r->at(1, "methods").null, 1u);
    EXPECT_EQ(r->at(1, "methods").type, SIPHOST_DB_INT);
    EXPECT_EQ(r->at(0, "domain").null, 0u);

    // A NULL key with "=" is IS NULL, with "!=" IS NOT NULL.
    EXPECT_EQ(query("location", {"domain"}, {"="}, {null_value()})->count(), 1u);
    EXPECT_EQ(query("location", {"domain"}, {"!="}, {null_value()})->count(), 2u);
    // Each operator, on datetime, double and integer columns.
    EXPECT_EQ(query("location", {"expires"}, {">"}, {time_value(base + 10)})->count(), 2u);
    EXPECT_EQ(query("location", {"expires"}, {">="}, {time_value(base + 10)})->count(), 3u);
    EXPECT_EQ(query("location", {"expires"}, {"<"}, {time_value(base + 30)})->count(), 2u);
    EXPECT_EQ(query("location", {"q"}, {"<="}, {double_value(0.5)})->count(), 2u);
    EXPECT_EQ(query("location", {"cseq"}, {"!="}, {int_value(3)})->count(), 2u);
    auto both =
        query("location", {"username", "q"}, {"=", ">"}, {str_value("carol"), double_value(0.5)}, {"ruid"});
    ASSERT_EQ(both->count(), 1u);
    EXPECT_EQ(both->text(0, "ruid"), "r2");
    auto ordered = query("location", {}, {}, {}, {"ruid", "q"}, "q");
    ASSERT_EQ(ordered->count(), 3u);
    EXPECT_EQ(ordered->text(0, "ruid"), "r3");
    EXPECT_EQ(ordered->text(2, "ruid"), "r2");

    // update with an operator: every contact expiring before base+25 gets a new expiry and a NULL methods.
    siphost_str key[] = {s("expires")};
    const char* lt[] = {"<"};
    siphost_db_value before[] = {time_value(base + 25)};
    siphost_str set[] = {s("expires"), s("methods"), s("cseq")};
    siphost_db_value now[] = {time_value(base + 100), null_value(), int_value(42)};
    ASSERT_EQ(db_->update(conn_, s("location"), key, lt, before, 1, set, now, 3), SIPHOST_DB_OK)
        << db_->last_error(conn_);
    EXPECT_EQ(db_->affected_rows(conn_), 2);
    auto updated = query("location", {"cseq"}, {}, {int_value(42)}, {"ruid", "expires", "methods"}, "ruid");
    ASSERT_EQ(updated->count(), 2u);
    EXPECT_EQ(updated->at(0, "expires").i, base + 100);
    EXPECT_EQ(updated->at(0, "methods").null, 1u);

    // replace on the unique ruid.
    ASSERT_EQ(replace("location", {"ruid", "username", "contact", "expires", "q"},
                      {str_value("r3"), str_value("dave"), str_value("sip:dave@198.51.100.7"),
                       time_value(base + 300), double_value(0.75)},
                      1),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    auto dave = query("location", {"ruid"}, {}, {str_value("r3")}, {"contact", "expires", "q", "cseq"});
    ASSERT_EQ(dave->count(), 1u);
    EXPECT_EQ(dave->text(0, "contact"), "sip:dave@198.51.100.7");
    EXPECT_EQ(dave->at(0, "expires").i, base + 300);
    EXPECT_DOUBLE_EQ(dave->at(0, "q").d, 0.75);
    EXPECT_EQ(dave->at(0, "cseq").i, 1) << "replace leaves the columns it does not name";

    // A row written with the schema's defaults, as Kamailio's SQL leaves it, reads back typed.
    ASSERT_EQ(raw("INSERT INTO location (ruid, username) VALUES ('r9', 'erin')"), SIPHOST_DB_OK)
        << db_->last_error(conn_);
    auto erin =
        query("location", {"ruid"}, {}, {str_value("r9")}, {"expires", "q", "callid", "domain", "cseq"});
    ASSERT_EQ(erin->count(), 1u);
    struct tm default_expires {};
    default_expires.tm_year = 2030 - 1900;
    default_expires.tm_mon = 4;
    default_expires.tm_mday = 28;
    default_expires.tm_hour = 21;
    default_expires.tm_min = 32;
    default_expires.tm_sec = 15;
    default_expires.tm_isdst = -1;
    EXPECT_EQ(erin->at(0, "expires").i, static_cast<int64_t>(mktime(&default_expires)));
    EXPECT_DOUBLE_EQ(erin->at(0, "q").d, 1.0);
    EXPECT_EQ(erin->text(0, "callid"), "Default-Call-ID");
    EXPECT_EQ(erin->at(0, "domain").null, 1u);
    EXPECT_EQ(erin->at(0, "cseq").i, 1);
    siphost_str ruid[] = {s("ruid")};
    siphost_db_value r9[] = {str_value("r9")};
    ASSERT_EQ(db_->delete_rows(conn_, s("location"), ruid, nullptr, r9, 1), SIPHOST_DB_OK);

    // delete with "<=".
    const char* le[] = {"<="};
    siphost_db_value limit[] = {time_value(base + 100)};
    ASSERT_EQ(db_->delete_rows(conn_, s("location"), key, le, limit, 1), SIPHOST_DB_OK);
    EXPECT_EQ(db_->affected_rows(conn_), 2);
    EXPECT_EQ(query("location", {}, {}, {})->count(), 1u);
}

TEST_P(DbTest, BlobAndBigint) {
    std::string bytes;
    for (int i = 1; i < 256; ++i)
        bytes.push_back(static_cast<char>(i)); // every byte but NUL, quotes and backslash included
    ASSERT_EQ(insert("silo", {"src_addr", "dst_addr", "username", "domain", "inc_time", "body"},
                     {str_value("sip:a@x"), str_value("sip:b@x"), str_value("b"), str_value("x"),
                      int_value(1), blob_value(bytes)}),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    auto r = query("silo", {"username"}, {}, {str_value("b")}, {"body", "extra_hdrs"});
    ASSERT_EQ(r->count(), 1u);
    EXPECT_EQ(r->result->col_types[0], SIPHOST_DB_BLOB);
    EXPECT_EQ(r->text(0, "body"), bytes);
    EXPECT_EQ(r->at(0, "extra_hdrs").null, 1u);

    const int64_t big = (int64_t{1} << 40) + 3;
    ASSERT_EQ(insert("db_types", {"id", "big", "label"}, {int_value(1), bigint_value(big), str_value("b")}),
              SIPHOST_DB_OK)
        << db_->last_error(conn_);
    ASSERT_EQ(insert("db_types", {"id", "big", "label"}, {int_value(2), bigint_value(-big), null_value()}),
              SIPHOST_DB_OK);
    auto b = query("db_types", {"big"}, {">"}, {bigint_value(0)}, {"big"});
    ASSERT_EQ(b->count(), 1u);
    EXPECT_EQ(b->result->col_types[0], SIPHOST_DB_BIGINT);
    EXPECT_EQ(b->at(0, "big").i, big);
}

TEST_P(DbTest, TransactionsAndRawQueries) {
    ASSERT_EQ(db_->transaction(conn_, SIPHOST_DB_TXN_BEGIN), SIPHOST_DB_OK) << db_->last_error(conn_);
    ASSERT_EQ(insert_subscriber("temp", "example.org", "x"), SIPHOST_DB_OK);
    ASSERT_EQ(db_->transaction(conn_, SIPHOST_DB_TXN_ROLLBACK), SIPHOST_DB_OK);
    EXPECT_EQ(query("subscriber", {"username"}, {}, {str_value("temp")})->count(), 0u);
    ASSERT_EQ(db_->transaction(conn_, SIPHOST_DB_TXN_BEGIN), SIPHOST_DB_OK);
    ASSERT_EQ(insert_subscriber("kept", "example.org", "x"), SIPHOST_DB_OK);
    ASSERT_EQ(db_->transaction(conn_, SIPHOST_DB_TXN_COMMIT), SIPHOST_DB_OK);
    EXPECT_EQ(query("subscriber", {"username"}, {}, {str_value("kept")})->count(), 1u);
    EXPECT_EQ(db_->transaction(conn_, SIPHOST_DB_TXN_COMMIT), SIPHOST_DB_E_ARG) << "no transaction is open";

    // raw SQL binds its values to the engine's own placeholders.
    std::string sql = engine_->name == "postgres"
                          ? "SELECT username, password FROM subscriber WHERE username = $1 AND domain = $2"
                          : "SELECT username, password FROM subscriber WHERE username = ? AND domain = ?";
    siphost_db_value params[] = {str_value("kept"), str_value("example.org")};
    siphost_db_result* result = nullptr;
    ASSERT_EQ(db_->raw_query(conn_, s(sql), params, 2, &result), SIPHOST_DB_OK) << db_->last_error(conn_);
    ASSERT_NE(result, nullptr);
    EXPECT_EQ(result->row_count, 1u);
    EXPECT_EQ(std::string(siphost_db_cell(result, 0, 1)->s.s, siphost_db_cell(result, 0, 1)->s.len), "x");
    db_->free_result(conn_, result);
    EXPECT_EQ(db_->raw_query(conn_, s("SELEKT nothing"), nullptr, 0, nullptr), SIPHOST_DB_E_FAIL);
    EXPECT_STRNE(db_->last_error(conn_), "");
}

TEST_P(DbTest, ErrorsAreCodesNotCrashes) {
    siphost_db_result* result = nullptr;
    EXPECT_EQ(db_->query(conn_, s("no_such_table"), nullptr, nullptr, nullptr, 0, nullptr, 0, s(""), &result),
              SIPHOST_DB_E_NO_TABLE)
        << db_->last_error(conn_);
    EXPECT_EQ(result, nullptr);
    EXPECT_NE(std::string(db_->last_error(conn_)).find("no_such_table"), std::string::npos)
        << db_->last_error(conn_);
    // An identifier that tries to end its quotes is one (missing) name, not SQL.
    EXPECT_EQ(db_->query(conn_, s("location\"; DROP TABLE subscriber; --"), nullptr, nullptr, nullptr, 0,
                         nullptr, 0, s(""), &result),
              SIPHOST_DB_E_NO_TABLE);
    EXPECT_EQ(db_->query(conn_, s("location`; DROP TABLE subscriber; --"), nullptr, nullptr, nullptr, 0,
                         nullptr, 0, s(""), &result),
              SIPHOST_DB_E_NO_TABLE);
    EXPECT_EQ(query("subscriber", {}, {}, {})->count(), 0u); // still there
    siphost_str key[] = {s("username")};
    siphost_db_value alice[] = {str_value("alice")};
    const char* like[] = {"LIKE"};
    EXPECT_EQ(db_->query(conn_, s("subscriber"), key, like, alice, 1, nullptr, 0, s(""), &result),
              SIPHOST_DB_E_ARG);
    siphost_db_value null_key[] = {null_value()};
    const char* lt[] = {"<"};
    EXPECT_EQ(db_->query(conn_, s("subscriber"), key, lt, null_key, 1, nullptr, 0, s(""), &result),
              SIPHOST_DB_E_ARG);
    siphost_str missing_column[] = {s("no_such_column")};
    EXPECT_EQ(
        db_->query(conn_, s("subscriber"), missing_column, nullptr, alice, 1, nullptr, 0, s(""), &result),
        SIPHOST_DB_E_NO_TABLE);
    siphost_db_value odd = str_value("x");
    odd.type = 99;
    EXPECT_EQ(db_->insert(conn_, s("subscriber"), key, &odd, 1), SIPHOST_DB_E_ARG);
    EXPECT_EQ(db_->insert(conn_, s(""), key, alice, 1), SIPHOST_DB_E_ARG);
    EXPECT_EQ(db_->query(conn_, s("subscriber"), nullptr, nullptr, nullptr, 0, nullptr, 0, s(""), nullptr),
              SIPHOST_DB_E_ARG);
    // The connection still works after every error.
    EXPECT_EQ(insert_subscriber("after", "example.org", "x"), SIPHOST_DB_OK) << db_->last_error(conn_);
}

TEST_P(DbTest, BadUrlsWrongPasswordAndNoServer) {
    char err[256] = "";
    siphost_db_conn* other = nullptr;
    const std::string scheme = engine_->name;
    for (std::string url :
         {scheme + "://", scheme + ":/x", scheme + "://kamailio:kamailiorw@127.0.0.1:99999/kamailio",
          std::string("other://u:p@h/db")}) {
        err[0] = '\0';
        EXPECT_EQ(db_->open(s(url), &other, err, sizeof err), SIPHOST_DB_E_ARG) << url;
        EXPECT_EQ(other, nullptr);
        EXPECT_STRNE(err, "") << url;
    }
    if (scheme == "sqlite") {
        EXPECT_EQ(db_->open(s("sqlite://relative/file.db"), &other, err, sizeof err), SIPHOST_DB_E_ARG);
        // No file can be made where the directory is missing: the "server" is not there.
        EXPECT_EQ(db_->open(s("sqlite:////nonexistent-dir/x/kamailio.db"), &other, err, sizeof err),
                  SIPHOST_DB_E_CONN);
        EXPECT_NE(std::string(err).find("nonexistent-dir"), std::string::npos) << err;
        return;
    }
    std::string port = std::to_string(scheme == "postgres" ? postgres_port : mysql_port);
    err[0] = '\0';
    EXPECT_EQ(
        db_->open(s(scheme + "://kamailio:wrong@127.0.0.1:" + port + "/kamailio"), &other, err, sizeof err),
        SIPHOST_DB_E_AUTH)
        << err;
    EXPECT_EQ(other, nullptr);
    EXPECT_EQ(std::string(err).find("wrong"), std::string::npos) << "the password is not shown: " << err;
    EXPECT_EQ(db_->open(s(scheme + "://kamailio:kamailiorw@127.0.0.1:" + port + "/no_such_db"), &other, err,
                        sizeof err),
              SIPHOST_DB_E_AUTH)
        << err;
    // Nothing listens on port 9 of loopback.
    EXPECT_EQ(db_->open(s(scheme + "://kamailio:kamailiorw@127.0.0.1:9/kamailio"), &other, err, sizeof err),
              SIPHOST_DB_E_CONN)
        << err;
    EXPECT_EQ(other, nullptr);
}

TEST_P(DbTest, ConnectionPerThread) {
    // Four threads, each with its own connection (the API's rule), replace the same rows concurrently.
    constexpr int threads = 4;
    constexpr int rounds = 25;
    std::atomic<int> failures{0};
    std::string first_error;
    std::vector<std::thread> workers;
    std::mutex error_lock;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            char err[256] = "";
            siphost_db_conn* mine = nullptr;
            if (db_->open(s(engine_->url), &mine, err, sizeof err) != SIPHOST_DB_OK) {
                ++failures;
                std::lock_guard guard(error_lock);
                first_error = err;
                return;
            }
            for (int i = 0; i < rounds; ++i) {
                std::string user = "u" + std::to_string(i % 5);
                std::string password = "t" + std::to_string(t);
                siphost_str cols[] = {s("username"), s("domain"), s("password")};
                siphost_db_value vals[] = {str_value(user), str_value("example.org"), str_value(password)};
                if (db_->replace(mine, s("subscriber"), cols, vals, 3, 2) != SIPHOST_DB_OK) {
                    ++failures;
                    std::lock_guard guard(error_lock);
                    first_error = db_->last_error(mine);
                }
            }
            db_->close(mine);
        });
    }
    for (auto& w : workers)
        w.join();
    EXPECT_EQ(failures.load(), 0) << first_error;
    EXPECT_EQ(query("subscriber", {}, {}, {})->count(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Engines, DbTest, ::testing::Values("sqlite", "postgres", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(DbApi, FindsDriversByUrlScheme) {
    const siphost_host_api* host = siphost::abi::host_table();
    EXPECT_NE(siphost_db_find_api(host, s("sqlite:///tmp/x.db")), nullptr);
    EXPECT_EQ(siphost_db_find_api(host, s("postgresql://u:p@h/db")),
              siphost_db_find_api(host, s("postgres://h/d")));
    EXPECT_NE(siphost_db_find_api(host, s("MYSQL://u:p@h/db")), nullptr);
    EXPECT_EQ(siphost_db_find_api(host, s("oracle://u:p@h/db")), nullptr);
    EXPECT_EQ(siphost_db_find_api(host, s("no scheme")), nullptr);
    EXPECT_EQ(siphost_db_find_api(host, s("")), nullptr);
}

TEST(DbApi, HeaderWorksFromC99) {
    const siphost_host_api* host = siphost::abi::host_table();
    std::string_view url = "postgresql://u:p@h/db";
    EXPECT_EQ(db_header_c99_find(host, url.data(), url.size()),
              siphost_db_find_api(host, s("postgres://h/db")));
    EXPECT_NE(db_header_c99_find(host, url.data(), url.size()), nullptr);
    siphost_db_value cells[2] = {int_value(7), int_value(8)};
    siphost_db_result result{};
    result.struct_size = sizeof result;
    result.col_count = 2;
    result.row_count = 1;
    result.values = cells;
    EXPECT_EQ(db_header_c99_first_cell(&result), &cells[0]);
    result.row_count = 0;
    EXPECT_EQ(db_header_c99_first_cell(&result), nullptr);
}

TEST(DbApi, UnknownModparamsAreRefused) {
    module_registry other;
    other.set_search_dirs({SIPHOST_MODULE_DIR});
    for (const char* module : {"db_sqlite", "db_postgres", "db_mysql"})
        other.load(module);
    EXPECT_ANY_THROW(other.set_param("db_mysql", "insert_delayed", siphost::plugin::param_value{int64_t{1}}));
    EXPECT_ANY_THROW(
        other.set_param("db_postgres", "bytea_output_escape", siphost::plugin::param_value{int64_t{0}}));
    EXPECT_ANY_THROW(
        other.set_param("db_sqlite", "db_set_journal_mode", siphost::plugin::param_value{std::string("x")}));
    EXPECT_NO_THROW(other.set_param("db_mysql", "ping_interval", siphost::plugin::param_value{int64_t{60}}));
    EXPECT_NO_THROW(other.set_param("db_mysql", "auto_reconnect", siphost::plugin::param_value{int64_t{1}}));
    EXPECT_NO_THROW(other.set_param("db_postgres", "retries", siphost::plugin::param_value{int64_t{2}}));
    EXPECT_ANY_THROW(
        other.set_param("db_sqlite", "db_set_readonly", siphost::plugin::param_value{std::string("rel")}));
}

TEST(DbApi, SqliteUrlForms) {
    const siphost_db_api_v1* db = siphost_db_find_api(siphost::abi::host_table(), s("sqlite:///x"));
    ASSERT_NE(db, nullptr);
    // As Kamailio 5.6 reads them: the file is the path after the third slash, so three slashes name a path
    // relative to the working directory and four an absolute one; an '@' in a path is part of the file name.
    std::filesystem::path before = std::filesystem::current_path();
    std::filesystem::create_directories(env_->dir() + "/work/rel");
    std::filesystem::current_path(env_->dir() + "/work");
    for (std::string url :
         {std::string("sqlite:///rel/three.db"), "sqlite:///" + env_->dir() + "/four.db",
          "sqlite:///" + env_->dir() + "/at@sign.db", std::string("sqlite:///rel/at@sign.db")}) {
        char err[256] = "";
        siphost_db_conn* conn = nullptr;
        EXPECT_EQ(db->open(s(url), &conn, err, sizeof err), SIPHOST_DB_OK) << url << ": " << err;
        if (conn == nullptr)
            continue;
        EXPECT_EQ(db->raw_query(conn, s("CREATE TABLE t (a INTEGER)"), nullptr, 0, nullptr), SIPHOST_DB_OK)
            << db->last_error(conn);
        db->close(conn);
    }
    // Three slashes before an absolute directory name it below the working directory, where it is missing.
    char err[256] = "";
    siphost_db_conn* conn = nullptr;
    EXPECT_EQ(db->open(s("sqlite://" + env_->dir() + "/three.db"), &conn, err, sizeof err),
              SIPHOST_DB_E_CONN);
    EXPECT_EQ(conn, nullptr);
    std::filesystem::current_path(before);
    for (const char* file : {"/work/rel/three.db", "/four.db", "/at@sign.db", "/work/rel/at@sign.db"})
        EXPECT_TRUE(std::filesystem::exists(env_->dir() + file)) << file;
    EXPECT_FALSE(std::filesystem::exists(env_->dir() + "/three.db"));
}

TEST(DbApi, SqliteReadOnlyFile) {
    std::string url = "sqlite:///" + env_->dir() + "/readonly.db";
    const siphost_db_api_v1* db = siphost_db_find_api(siphost::abi::host_table(), s(url));
    ASSERT_NE(db, nullptr);
    char err[256] = "";
    siphost_db_conn* conn = nullptr;
    ASSERT_EQ(db->open(s(url), &conn, err, sizeof err), SIPHOST_DB_OK) << err;
    siphost_db_result* result = nullptr;
    EXPECT_EQ(db->raw_query(conn, s("SELECT name FROM sqlite_master"), nullptr, 0, &result), SIPHOST_DB_OK)
        << db->last_error(conn);
    ASSERT_NE(result, nullptr);
    EXPECT_EQ(result->row_count, 0u);
    db->free_result(conn, result);
    EXPECT_EQ(db->raw_query(conn, s("CREATE TABLE t (a INTEGER)"), nullptr, 0, nullptr), SIPHOST_DB_E_FAIL);
    EXPECT_NE(std::string(db->last_error(conn)).find("readonly"), std::string::npos) << db->last_error(conn);
    db->close(conn);
}

/// Runs last: stops each server under an open connection, then starts it again.
class DbServerGone : public ::testing::TestWithParam<std::string> {};

TEST_P(DbServerGone, ErrorWhileGoneThenReconnects) {
    engine* e = env_->find(GetParam());
    ASSERT_NE(e, nullptr);
    ASSERT_TRUE(e->failure.empty()) << e->failure;
    const siphost_db_api_v1* db = siphost_db_find_api(siphost::abi::host_table(), s(e->url));
    ASSERT_NE(db, nullptr);
    char err[256] = "";
    siphost_db_conn* conn = nullptr;
    ASSERT_EQ(db->open(s(e->url), &conn, err, sizeof err), SIPHOST_DB_OK) << err;
    siphost_db_result* result = nullptr;
    ASSERT_EQ(db->query(conn, s("version"), nullptr, nullptr, nullptr, 0, nullptr, 0, s(""), &result),
              SIPHOST_DB_OK);
    db->free_result(conn, result);
    std::string stopped = env_->control(e->name, false);
    ASSERT_TRUE(stopped.empty()) << stopped;
    result = nullptr;
    EXPECT_EQ(db->query(conn, s("version"), nullptr, nullptr, nullptr, 0, nullptr, 0, s(""), &result),
              SIPHOST_DB_E_CONN)
        << db->last_error(conn);
    EXPECT_EQ(result, nullptr);
    EXPECT_STRNE(db->last_error(conn), "");
    std::string started = env_->control(e->name, true);
    ASSERT_TRUE(started.empty()) << started;
    // The server is back: the same connection opens again by itself.
    EXPECT_EQ(db->query(conn, s("version"), nullptr, nullptr, nullptr, 0, nullptr, 0, s(""), &result),
              SIPHOST_DB_OK)
        << db->last_error(conn);
    db->free_result(conn, result);
    db->close(conn);
}

INSTANTIATE_TEST_SUITE_P(Servers, DbServerGone, ::testing::Values("postgres", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

} // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    env_ = new db_environment; // owned by GoogleTest
    ::testing::AddGlobalTestEnvironment(env_);
    return RUN_ALL_TESTS();
}
