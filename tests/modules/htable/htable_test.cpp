// htable.so in the real host, over the wire: items set and read by the script across requests, $null
// deleting, the Debian stock config's ipban pattern, counters from parallel workers, autoexpire with its
// event route, htable:mod-init, the functions and the other pseudo-variables, the RPC commands through
// Debian's kamcmd and the ctl module, loading from (and writing back to) Kamailio's htable table in SQLite,
// and the config errors of bad definitions.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

/// A scratch directory of the test's own (control sockets, database files), removed at the end.
class scratch_dir {
public:
    scratch_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "htable-test.XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~scratch_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

const char* modules = "debug=2\nchildren=2\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"htable\"\n";

/// Sends one request (its Request-URI user and an X-Value header set) and returns the reply.
std::optional<kit::message> ask(kit::peer& uac, uint16_t port, std::string_view user,
                                std::string_view value = "") {
    kit::request_options o;
    if (!value.empty())
        o.extra_headers = "X-Value: " + std::string(value) + "\r\n";
    uac.send(kit::request("OPTIONS", "sip:" + std::string(user) + "@127.0.0.1", uac, o), port);
    return uac.receive();
}

/// A reply's status code, -1 when none came.
int status(const std::optional<kit::message>& reply) {
    return reply ? reply->status() : -1;
}

/// The reason phrase of a reply ("SIP/2.0 200 reason").
std::string reason(const std::optional<kit::message>& reply) {
    if (!reply)
        return "(no reply)";
    std::string line = reply->first_line();
    size_t space = line.find(' ', line.find(' ') + 1);
    return space == std::string::npos ? "" : line.substr(space + 1);
}

/// Runs kamcmd on a control socket; its output, with "exit N" appended when it fails.
std::string kamcmd(const std::string& socket, const std::string& args) {
    std::string command = "timeout 10 kamcmd -s unix:" + socket + " " + args + " 2>&1 < /dev/null";
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr)
        return "popen failed";
    std::array<char, 512> buffer;
    size_t n;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        out.append(buffer.data(), n);
    int status = pclose(pipe);
    if (status != 0)
        out += "exit " + std::to_string(WEXITSTATUS(status));
    return out;
}

/// Waits for ctl's socket.
bool wait_for_socket(const std::string& path) {
    for (int i = 0; i < 200; ++i) {
        if (std::filesystem::exists(path))
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

std::string check_error(std::string_view config) {
    auto result = kit::host::check(config);
    return result.exit_status == 0 ? "" : result.output;
}

TEST(modules_htable, set_get_and_delete_across_requests) {
    kit::host proxy(std::string(modules) + R"~(
modparam("htable", "htable", "t=>size=4;")
modparam("htable", "htable", "d=>size=4;initval=7;")
request_route {
    if ($rU == "set") { $sht(t=>$hdr(X-Value)) = $hdr(X-Value) + "-v"; sl_send_reply("200", "set"); exit; }
    if ($rU == "seti") { $sht(t=>n) = 41; $sht(t=>n) = $sht(t=>n) + 1; sl_send_reply("200", "seti"); exit; }
    if ($rU == "del") { $sht(t=>$hdr(X-Value)) = $null; sl_send_reply("200", "deleted"); exit; }
    if ($rU == "getd") { sl_send_reply("200", "d=$sht(d=>missing)"); exit; }
    if ($sht(t=>$hdr(X-Value)) == $null) { sl_send_reply("404", "absent"); exit; }
    sl_send_reply("200", "got $sht(t=>$hdr(X-Value)) n=$sht(t=>n)");
}
)~");
    kit::peer uac;
    EXPECT_EQ(status(ask(uac, proxy.port(), "get", "k1")), 404) << proxy.log();
    EXPECT_EQ(reason(ask(uac, proxy.port(), "set", "k1")), "set");
    EXPECT_EQ(reason(ask(uac, proxy.port(), "seti")), "seti");
    EXPECT_EQ(reason(ask(uac, proxy.port(), "get", "k1")), "got k1-v n=42");
    EXPECT_EQ(reason(ask(uac, proxy.port(), "del", "k1")), "deleted");
    EXPECT_EQ(status(ask(uac, proxy.port(), "get", "k1")), 404);
    EXPECT_EQ(reason(ask(uac, proxy.port(), "getd")), "d=7") << "initval is read for an absent key";
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_htable, debian_stock_config_ipban_pattern) {
    // kamailio.cfg of Debian's package: ban the source address for autoexpire seconds.
    kit::host proxy(std::string(modules) + R"~(
modparam("htable", "htable", "ipban=>size=8;autoexpire=300;")
request_route {
    if ($sht(ipban=>$si) != $null) {
        xlog("L_ALERT", "ALERT: request from blocked IP - $rm from $fu (IP:$si:$sp)\n");
        sl_send_reply("403", "Banned");
        exit;
    }
    if ($rU == "flood") {
        $sht(ipban=>$si) = 1;
        sl_send_reply("503", "Pike blocked");
        exit;
    }
    sl_send_reply("200", "OK");
}
)~");
    kit::peer uac;
    EXPECT_EQ(status(ask(uac, proxy.port(), "alice")), 200) << proxy.log();
    EXPECT_EQ(status(ask(uac, proxy.port(), "flood")), 503);
    EXPECT_EQ(status(ask(uac, proxy.port(), "alice")), 403);
    EXPECT_TRUE(proxy.wait_for_log("request from blocked IP - OPTIONS")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_htable, counters_from_parallel_workers_lose_nothing) {
    kit::host proxy(R"~(debug=2
children=4
loadmodule "sl"
loadmodule "htable"
modparam("htable", "htable", "c=>size=2;initval=0;")
request_route {
    if ($rU == "read") { sl_send_reply("200", "inc=$sht(c=>inc) locked=$sht(c=>locked)"); exit; }
    $var(n) = $shtinc(c=>inc);
    sht_lock("c=>locked");
    $sht(c=>locked) = $sht(c=>locked) + 1;
    sht_unlock("c=>locked");
    sl_send_reply("200", "n=$var(n)");
}
)~");
    constexpr int threads = 4, per_thread = 50;
    std::atomic<int> answered{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < threads; ++t)
        senders.emplace_back([&] {
            kit::peer uac;
            for (int i = 0; i < per_thread; ++i)
                if (auto reply = ask(uac, proxy.port(), "count"); reply && reply->status() == 200)
                    ++answered;
        });
    for (auto& s : senders)
        s.join();
    ASSERT_EQ(answered.load(), threads * per_thread) << proxy.log();
    kit::peer uac;
    EXPECT_EQ(reason(ask(uac, proxy.port(), "read")), "inc=200 locked=200");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_htable, autoexpire_removes_items_and_runs_the_expired_event) {
    kit::host proxy(std::string(modules) + R"~(
modparam("htable", "htable", "short=>size=4;autoexpire=2;")
modparam("htable", "htable", "long=>size=4;autoexpire=100;")
modparam("htable", "timer_interval", 1)
event_route[htable:expired:short] {
    xlog("L_INFO", "expired $shtrecord(key) => $shtrecord(value)\n");
}
request_route {
    if ($rU == "set") {
        $sht(short=>k) = "gone soon";
        $sht(long=>k) = 5;
        sl_send_reply("200", "ex=$shtex(long=>k)");
        exit;
    }
    sl_send_reply("200", "short=$sht(short=>k) long=$sht(long=>k)");
}
)~");
    kit::peer uac;
    std::string set_reason = reason(ask(uac, proxy.port(), "set"));
    EXPECT_TRUE(set_reason == "ex=100" || set_reason == "ex=99") << set_reason;
    EXPECT_EQ(reason(ask(uac, proxy.port(), "get")), "short=gone soon long=5");
    EXPECT_TRUE(proxy.wait_for_log("expired k => gone soon", 5000ms)) << proxy.log();
    EXPECT_EQ(reason(ask(uac, proxy.port(), "get")), "short=<null> long=5");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_htable, mod_init_event_fills_tables_before_traffic) {
    kit::host proxy(std::string(modules) + R"~(
modparam("htable", "htable", "a=>size=4;initval=0;")
event_route[htable:mod-init] {
    $sht(a=>boot) = "ready";
    $sht(a=>runs) = $sht(a=>runs) + 1;
}
request_route {
    sl_send_reply("200", "$sht(a=>boot) $sht(a=>runs)");
}
)~");
    kit::peer uac;
    EXPECT_EQ(reason(ask(uac, proxy.port(), "x")), "ready 1") << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_htable, functions_and_pseudo_variables) {
    kit::host proxy(std::string(modules) + R"~(
modparam("htable", "htable", "h=>size=4;")
modparam("htable", "htable", "x=>size=4;autoexpire=1000;")
request_route {
    if ($rU == "setxi") {
        sht_setxi("x", "k", "12", "100");
        xlog("L_INFO", "after sht_setxi\n");
        sl_send_reply("200", "continued");
        exit;
    }
    if ($rU == "read") { sl_send_reply("200", "k=$sht(x=>k) ex=$shtex(x=>k)"); exit; }
    $sht(h=>alice::count) = 1;
    $sht(h=>alice::last) = "yesterday";
    $sht(h=>bob::count) = 2;
    $sht(h=>carol) = "x-carol";
    xlog("L_INFO", "cn $shtcn(h=>^alice) $shtcn(h=>%~bob) $shtcn(h=>~%count) $shtcn(h=>==carol) $shtcn(h=>**) cv $shtcv(h=>^x-)\n");
    $var(d) = $shtdec(h=>bob::count);
    xlog("L_INFO", "dec $var(d) inc-string [$shtinc(h=>carol)] inc-absent [$shtinc(h=>nobody)]\n");
    if (sht_match_name("h", "eq", "carol")) { $var(m1) = 1; } else { $var(m1) = 0; }
    if (sht_has_name("h", "sw", "zed")) { $var(m2) = 1; } else { $var(m2) = 0; }
    if (sht_match_str_value("h", "re", "^yes")) { $var(m3) = 1; } else { $var(m3) = 0; }
    if (sht_has_str_value("h", "ne", "x-carol")) { $var(m4) = 1; } else { $var(m4) = 0; }
    xlog("L_INFO", "match $var(m1) $var(m2) $var(m3) $var(m4)\n");
    $sht(h=>tmp) = 12;
    sht_setxs("h", "tmps", "str", "100");
    sht_setxs("x", "tmps", "str", "100");
    xlog("L_INFO", "setx $sht(h=>tmps) $shtex(h=>tmps) $sht(x=>tmps) $shtex(x=>tmps)\n");
    $shtex(x=>tmps) = 50;
    $shtex(h=>tmps) = 50;
    xlog("L_INFO", "shtex set $shtex(x=>tmps) $shtex(h=>tmps)\n");
    sht_rm_name_re("h=>^alice");
    xlog("L_INFO", "rm_name_re $shtcn(h=>**)\n");
    sht_rm_value("h", "sw", "x-");
    sht_rm("h", "tmp");
    xlog("L_INFO", "rm $shtcn(h=>**) [$sht(h=>carol)]\n");
    $var(n) = 0;
    sht_iterator_start("i1", "h");
    while (sht_iterator_next("i1")) {
        $var(n) = $var(n) + 1;
        xlog("L_INFO", "item $shtitkey(i1) = $shtitval(i1)\n");
    }
    sht_iterator_end("i1");
    sht_iterator_start("i2", "h");
    sht_iterator_next("i2");
    sht_iterator_seti("i2", "99");
    sht_iterator_end("i2");
    xlog("L_INFO", "iterated $var(n) sum $sht(h=>bob::count)$sht(h=>tmps)\n");
    sht_reset("h");
    xlog("L_INFO", "reset $shtcn(h=>**)\n");
    sl_send_reply("200", "done");
}
)~");
    kit::peer uac;
    EXPECT_EQ(reason(ask(uac, proxy.port(), "x")), "done") << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("cn 2 1 2 1 4 cv 1")) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("dec 1 inc-string [<null>] inc-absent [<null>]")) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("match 1 0 1 1")) << proxy.log();
    // The second may turn between setting and reading an expiry; a table without autoexpire keeps its
    // items for ever, as Kamailio's does.
    EXPECT_TRUE(proxy.wait_for_log("setx str 0 str 100") || proxy.wait_for_log("setx str 0 str 99"))
        << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("shtex set 50 0") || proxy.wait_for_log("shtex set 49 0")) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("rm_name_re 4")) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("rm 2 [<null>]")) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("item bob::count = 1")) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("item tmps = str")) << proxy.log();
    // One of the two items got 99 through the iterator, whichever slot came first.
    EXPECT_TRUE(proxy.wait_for_log("iterated 2 sum 99str") || proxy.wait_for_log("iterated 2 sum 199"))
        << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("reset 0")) << proxy.log();
    EXPECT_EQ(proxy.log().find("hash table lock(s)"), std::string::npos)
        << "no lock left open: " << proxy.log();
    // sht_setxi returns 0 in Kamailio 5.6, which ends the script: the item is set, nothing after it runs.
    EXPECT_EQ(status(ask(uac, proxy.port(), "setxi")), -1) << "no reply after sht_setxi";
    std::string read = reason(ask(uac, proxy.port(), "read"));
    ASSERT_EQ(read.rfind("k=12 ex=", 0), 0u) << read;
    int left = std::atoi(read.c_str() + 8); // the reply timeout above took a few seconds of the 100
    EXPECT_TRUE(left >= 95 && left <= 100) << read;
    EXPECT_EQ(proxy.log().find("after sht_setxi"), std::string::npos) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_htable, a_forgotten_unlock_is_released_after_the_script) {
    kit::host proxy(std::string(modules) + R"~(
modparam("htable", "htable", "h=>size=1;")
request_route {
    if ($rU == "lock") { sht_lock("h=>k"); sl_send_reply("200", "locked"); exit; }
    $sht(h=>k) = "free";
    sl_send_reply("200", "$sht(h=>k)");
}
)~");
    kit::peer uac;
    EXPECT_EQ(reason(ask(uac, proxy.port(), "lock")), "locked") << proxy.log();
    // Another worker may take this one: it must not wait for a lock nobody will release.
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(reason(ask(uac, proxy.port(), "set")), "free") << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("left 1 hash table lock(s)")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_htable, rpc_commands_through_kamcmd) {
    scratch_dir dir;
    std::string sock = dir.path() + "/ctl.sock";
    kit::host proxy(std::string(modules) +
                    "loadmodule \"ctl\"\nmodparam(\"ctl\", \"binrpc\", \"unix:" + sock + "\")\n" + R"~(
modparam("htable", "htable", "ipban=>size=8;autoexpire=300;")
modparam("htable", "htable", "b=>size=2;")
request_route {
    sl_send_reply("200", "[$sht(ipban=>x)] [$sht(ipban=>n)]");
}
)~");
    ASSERT_TRUE(wait_for_socket(sock)) << proxy.log();
    const std::string set_ok = "Ok. Key set to new value.\n";
    EXPECT_EQ(kamcmd(sock, "htable.sets ipban x abc"), set_ok);
    EXPECT_EQ(kamcmd(sock, "htable.seti ipban n 12"), set_ok);
    kit::peer uac;
    EXPECT_EQ(reason(ask(uac, proxy.port(), "x")), "[abc] [12]") << proxy.log();
    // Kamailio's shape: the item with its flags (2: a string) and its expiry as a local date.
    std::string got = kamcmd(sock, "htable.get ipban x");
    EXPECT_EQ(got.rfind("{\n\titem: {\n\t\tname: x\n\t\tvalue: abc\n\t\tflags: 2\n\t\texpire: 20", 0), 0u)
        << got;
    EXPECT_EQ(kamcmd(sock, "htable.setxi b n 12 0"), set_ok);
    EXPECT_EQ(kamcmd(sock, "htable.get b n"),
              "{\n\titem: {\n\t\tname: n\n\t\tvalue: 12\n\t\tflags: 0\n\t\texpire: NEVER\n\t}\n}\n");
    EXPECT_EQ(kamcmd(sock, "htable.get ipban nothing"), "error: 500 - Key name doesn't exist in htable.\n");
    EXPECT_EQ(kamcmd(sock, "htable.get nope x"), "error: 500 - No such htable\n");
    EXPECT_EQ(kamcmd(sock, "htable.get ipban"),
              "error: 500 - Not enough parameters (htable name and key name)\n");

    // htable.dump through kamcmd: differential_test.sh, beside Kamailio; htable_rpc_test.cpp in process.
    // The table defined last comes first, as in Kamailio.
    EXPECT_EQ(kamcmd(sock, "htable.listTables"),
              "{\n\tname: b\n\tdbtable: \n\tdbmode: 0\n\texpire: 0\n\tupdateexpire: 1\n\tsize: "
              "4\n\tdmqreplicate: 0\n}\n"
              "{\n\tname: ipban\n\tdbtable: \n\tdbmode: 0\n\texpire: 300\n\tupdateexpire: 1\n\tsize: 256\n"
              "\tdmqreplicate: 0\n}\n");
    EXPECT_EQ(kamcmd(sock, "htable.stats"),
              "{\n\tname: b\n\tslots: 4\n\tall: 1\n\tmin: 0\n\tmax: 1\n}\n"
              "{\n\tname: ipban\n\tslots: 256\n\tall: 2\n\tmin: 0\n\tmax: 1\n}\n");

    EXPECT_EQ(kamcmd(sock, "htable.delete ipban x"), "Ok. Key deleted.\n");
    EXPECT_EQ(kamcmd(sock, "htable.delete ipban x"), "error: 404 - Key not found in htable.\n");
    EXPECT_EQ(reason(ask(uac, proxy.port(), "x")), "[<null>] [12]");
    EXPECT_EQ(kamcmd(sock, "htable.setex ipban n 5"), "Ok\n");
    EXPECT_EQ(kamcmd(sock, "htable.flush ipban"), "Ok. Htable flushed.\n");
    EXPECT_EQ(reason(ask(uac, proxy.port(), "x")), "[<null>] [<null>]");
    EXPECT_EQ(kamcmd(sock, "htable.reload ipban"), "error: 500 - No htable db_url\n");
    EXPECT_EQ(kamcmd(sock, "htable.dump"), "error: 500 - No htable name given\n");
    EXPECT_EQ(proxy.stop(), 0);
}

/// An SQLite database with Kamailio's htable table (its own create script) and some rows.
void make_database(const std::string& path, const std::string& extra_sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::ifstream schema_file("/usr/share/kamailio/db_sqlite/htable-create.sql");
    ASSERT_TRUE(schema_file) << "Kamailio's sqlite schema is not installed (kamailio-sqlite-modules)";
    std::string schema((std::istreambuf_iterator<char>(schema_file)), std::istreambuf_iterator<char>());
    std::string sql =
        "CREATE TABLE version (table_name VARCHAR(32) NOT NULL, table_version INTEGER DEFAULT 0);" + schema +
        extra_sql;
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
}

/// The rows of the htable table, "key_name|key_type|value_type|key_value|expires" sorted.
std::vector<std::string> database_rows(const std::string& path) {
    sqlite3* db = nullptr;
    std::vector<std::string> rows;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
        return rows;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(
        db, "SELECT key_name, key_type, value_type, key_value, expires FROM htable ORDER BY key_name", -1,
        &st, nullptr);
    while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
        std::string row;
        for (int c = 0; c < 5; ++c) {
            if (c > 0)
                row += "|";
            const unsigned char* text = sqlite3_column_text(st, c);
            row += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
        }
        rows.push_back(row);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

TEST(modules_htable, loads_kamailios_htable_table_from_sqlite_and_writes_it_back) {
    scratch_dir dir;
    std::string db = dir.path() + "/kamailio.db";
    std::string sock = dir.path() + "/ctl.sock";
    make_database(db, R"(
INSERT INTO htable (key_name, key_type, value_type, key_value, expires) VALUES ('gw', 0, 0, 'sip:gw.example.com', 0);
INSERT INTO htable (key_name, key_type, value_type, key_value, expires) VALUES ('limit', 0, 1, '25', 0);
INSERT INTO htable (key_name, key_type, value_type, key_value, expires) VALUES ('route', 1, 0, 'first', 0);
INSERT INTO htable (key_name, key_type, value_type, key_value, expires) VALUES ('route', 1, 0, 'second', 0);
INSERT INTO htable (key_name, key_type, value_type, key_value, expires) VALUES ('route', 1, 0, 'third', 0);
CREATE TABLE packed (kname VARCHAR(64), a VARCHAR(64), b INTEGER);
INSERT INTO packed VALUES ('row1', 'x', 1);
CREATE TABLE timed (key_name VARCHAR(64), key_type INTEGER, value_type INTEGER, key_value VARCHAR(128), expires INTEGER);
INSERT INTO timed VALUES ('old', 0, 0, 'gone', 1000);
INSERT INTO timed VALUES ('fresh', 0, 0, 'here', strftime('%s', 'now') + 500);
)");
    std::string config = std::string(modules) + "loadmodule \"db_sqlite\"\nloadmodule \"ctl\"\n" +
                         "modparam(\"ctl\", \"binrpc\", \"unix:" + sock + "\")\n" +
                         "modparam(\"htable\", \"db_url\", \"sqlite:///" + db + "\")\n" + R"~(
modparam("htable", "htable", "cfg=>size=4;dbtable=htable;dbmode=1;")
modparam("htable", "htable", "p=>size=2;dbtable=packed;cols='kname,a,b';")
modparam("htable", "htable", "timed=>size=2;autoexpire=3600;dbtable=timed;")
modparam("htable", "db_expires", 1)
request_route {
    if ($rU == "timed") { sl_send_reply("200", "[$sht(timed=>old)] [$sht(timed=>fresh)] $shtex(timed=>fresh)"); exit; }
    if ($rU == "add") { $sht(cfg=>added) = "new"; $sht(cfg=>limit) = $sht(cfg=>limit) + 1; sl_send_reply("200", "added"); exit; }
    sl_send_reply("200", "$sht(cfg=>gw) $sht(cfg=>limit) $sht(cfg=>route[0]) $sht(cfg=>route[2]) $sht(cfg=>route::size) [$sht(p=>row1)]");
}
)~";
    // db_sqlite must be loaded before htable, as Kamailio wants its db driver loaded first.
    config.replace(config.find("loadmodule \"htable\"\n"), 20, "");
    config.insert(config.find("loadmodule \"ctl\""), "loadmodule \"htable\"\n");
    {
        kit::host proxy(config);
        kit::peer uac;
        EXPECT_EQ(reason(ask(uac, proxy.port(), "get")), "sip:gw.example.com 25 first third 3 [x,1]")
            << proxy.log();
        ASSERT_TRUE(wait_for_socket(sock)) << proxy.log();
        // htable.reload reads the table again: a row changed meanwhile shows.
        {
            sqlite3* handle = nullptr;
            ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
            sqlite3_exec(handle, "UPDATE htable SET key_value = 'sip:gw2.example.com' WHERE key_name = 'gw'",
                         nullptr, nullptr, nullptr);
            sqlite3_close(handle);
        }
        EXPECT_EQ(kamcmd(sock, "htable.reload cfg"), "Ok. Htable reloaded.\n");
        EXPECT_EQ(reason(ask(uac, proxy.port(), "get")), "sip:gw2.example.com 25 first third 3 [x,1]");
        // db_expires=1: a row whose expiry passed is not loaded, the other keeps what is left of its time.
        std::string timed = reason(ask(uac, proxy.port(), "timed"));
        ASSERT_EQ(timed.rfind("[<null>] [here] ", 0), 0u) << timed;
        int left = std::atoi(timed.c_str() + 16);
        EXPECT_TRUE(left > 490 && left <= 500) << timed;
        EXPECT_EQ(reason(ask(uac, proxy.port(), "add")), "added");
        EXPECT_EQ(kamcmd(sock, "htable.store cfg"), "Ok. Htable successfully stored to DB.\n");
        EXPECT_EQ(database_rows(db).size(), 7u) << "stored while running";
        EXPECT_EQ(kamcmd(sock, "htable.store p"),
                  "error: 500 - Htable store failed: table \"p\" has cols: it is "
                  "not written back\n");
        EXPECT_EQ(proxy.stop(), 0);
    }
    // dbmode=1: the table was written back at shutdown, the array keys as plain keys.
    std::vector<std::string> expected = {
        "added|0|0|new|0",      "gw|0|0|sip:gw2.example.com|0", "limit|0|1|26|0",      "route::size|0|1|3|0",
        "route[0]|0|0|first|0", "route[1]|0|0|second|0",        "route[2]|0|0|third|0"};
    EXPECT_EQ(database_rows(db), expected);
}

TEST(modules_htable, max_items_bounds_a_table) {
    kit::host proxy(std::string(modules) + R"~(
modparam("htable", "htable", "b=>size=4;")
modparam("htable", "max_items", 3)
request_route {
    $var(i) = 0;
    while ($var(i) < 5) { $sht(b=>$var(i)) = $var(i); $var(i) = $var(i) + 1; }
    $sht(b=>0) = "replaced";
    sl_send_reply("200", "$shtcn(b=>**) $sht(b=>0) [$sht(b=>4)]");
}
)~");
    kit::peer uac;
    EXPECT_EQ(reason(ask(uac, proxy.port(), "x")), "3 replaced [<null>]") << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("hash table \"b\" is full (max_items): \"3\" not stored")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_htable, bad_definitions_fail_the_config_check_naming_the_problem) {
    auto with = [](const std::string& lines) {
        return std::string(modules) + lines + "\nrequest_route { sl_send_reply(\"200\", \"OK\"); }\n";
    };
    std::string error = check_error(with(R"(modparam("htable", "htable", "nameonly"))"));
    EXPECT_NE(error.find("has no \"=>\""), std::string::npos) << error;
    error = check_error(with(R"(modparam("htable", "htable", "a=>size=8;colour=blue"))"));
    EXPECT_NE(error.find("unknown attribute \"colour\""), std::string::npos) << error;
    error = check_error(with(R"(modparam("htable", "htable", "a=>size=big"))"));
    EXPECT_NE(error.find("size must be a number"), std::string::npos) << error;
    error = check_error(with(R"(modparam("htable", "htable", "a=>size=8;dmqreplicate=1"))"));
    EXPECT_NE(error.find("dmqreplicate=1 needs the dmq module"), std::string::npos) << error;
    error = check_error(with("modparam(\"htable\", \"htable\", \"a=>size=8\")\n"
                             "modparam(\"htable\", \"htable\", \"a=>size=4\")"));
    EXPECT_NE(error.find("\"a\" is defined twice"), std::string::npos) << error;
    error = check_error(with(R"(modparam("htable", "enable_dmq", 1))"));
    EXPECT_NE(error.find("enable_dmq must be 0"), std::string::npos) << error;
    error = check_error(with(R"(modparam("htable", "htable", "a=>dbtable=htable"))"));
    EXPECT_NE(error.find("db_url is not set"), std::string::npos) << error;
    error = check_error(std::string(modules) +
                        "modparam(\"htable\", \"htable\", \"a=>size=8\")\n"
                        "request_route { if ($sht(nope=>x) == $null) sl_send_reply(\"200\", \"OK\"); }\n");
    EXPECT_NE(error.find("no hash table \"nope\""), std::string::npos) << error;
    error = check_error(std::string(modules) +
                        "modparam(\"htable\", \"htable\", \"a=>size=8\")\n"
                        "request_route { if ($sht(a) == $null) sl_send_reply(\"200\", \"OK\"); }\n");
    EXPECT_NE(error.find("table=>key"), std::string::npos) << error;
    // A good definition with every attribute passes.
    EXPECT_EQ(
        check_error(with(
            R"(modparam("htable", "htable", "a=>size=8;autoexpire=300;initval=0;updateexpire=0;dmqreplicate=0;"))")),
        "");
}

} // namespace
