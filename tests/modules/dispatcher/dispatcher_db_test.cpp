// dispatcher's destinations from a database table: Kamailio's dispatcher schema in a SQLite file, read
// through db_sqlite, at start-up and on dispatcher.reload's path (the same loader); bad rows are named.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

class sqlite_file {
public:
    sqlite_file() {
        char pattern[] = "/tmp/siphost-dispatcher-XXXXXX";
        const char* made = mkdtemp(pattern);
        EXPECT_NE(made, nullptr);
        dir_ = made != nullptr ? made : "/tmp";
        path_ = dir_ + "/kamailio.db";
        std::ifstream schema("/usr/share/kamailio/db_sqlite/dispatcher-create.sql");
        EXPECT_TRUE(schema) << "Kamailio's schema is missing (kamailio-sqlite-modules)";
        std::stringstream sql;
        sql << "CREATE TABLE version (table_name VARCHAR(32) NOT NULL, table_version INTEGER DEFAULT 0 NOT "
               "NULL);\n"
            << schema.rdbuf();
        exec(sql.str());
    }
    ~sqlite_file() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    std::string url() const { return "sqlite:///" + path_; }
    void exec(const std::string& sql) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        char* error = nullptr;
        int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
        std::string text = error != nullptr ? error : "";
        sqlite3_free(error);
        sqlite3_close(db);
        ASSERT_EQ(rc, SQLITE_OK) << text;
    }

private:
    std::string dir_;
    std::string path_;
};

std::string config(const std::string& url) {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"tm\"\nloadmodule \"db_sqlite\"\n"
           "loadmodule \"dispatcher\"\nmodparam(\"dispatcher\", \"db_url\", \"" +
           url + R"~(")
request_route {
    if (!ds_select_dst("2", "8")) { sl_send_reply("503", "No Destination"); exit; }
    t_relay();
    exit;
}
)~";
}

TEST(modules_dispatcher_db, destinations_come_from_the_table) {
    kit::peer low, high, uac;
    sqlite_file db;
    db.exec("INSERT INTO dispatcher (setid, destination, flags, priority, attrs) VALUES "
            "(2, 'sip:127.0.0.1:" +
            std::to_string(low.port()) +
            "', 0, 1, ''), "
            "(2, 'sip:127.0.0.1:" +
            std::to_string(high.port()) + "', 0, 9, 'weight=50');");
    kit::host proxy(config(db.url()));
    uac.send(kit::request("OPTIONS", "sip:x@127.0.0.1", uac), proxy.port());
    auto got = high.receive();
    ASSERT_TRUE(got) << proxy.log();
    high.reply(*got, 200, "OK");
    auto reply = uac.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status(), 200);
    EXPECT_FALSE(low.receive(100ms));
}

TEST(modules_dispatcher_db, a_bad_row_or_table_is_a_config_error) {
    sqlite_file db;
    db.exec("INSERT INTO dispatcher (setid, destination) VALUES (1, 'sip:127.0.0.1:5070'), (1, 'mailto:x');");
    kit::check_result bad = kit::host::check(config(db.url()));
    EXPECT_NE(bad.exit_status, 0);
    EXPECT_NE(bad.output.find("table dispatcher row 2: \"mailto:x\" is not a sip or sips URI"),
              std::string::npos)
        << bad.output;
    kit::check_result missing =
        kit::host::check(config(db.url()) + "modparam(\"dispatcher\", \"table_name\", \"nosuch\")\n");
    EXPECT_NE(missing.exit_status, 0);
    EXPECT_NE(missing.output.find("cannot read the table nosuch"), std::string::npos) << missing.output;
}

} // namespace
