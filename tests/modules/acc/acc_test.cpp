// acc.so in the real host, over the wire (test kit): a UAC and a UAS on loopback, tm relaying between them,
// and what acc writes: the log lines Kamailio 5.6's acc writes (measured with Kamailio 5.6.3: the texts, the
// field order, the standard reason and tm's To-tag for replies tm makes), rows in SQLite tables made with
// Kamailio's own schema (/usr/share/kamailio/db_sqlite/acc-create.sql), and the config errors siphost -c
// reports for bad parameters.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

/// Debian's stock kamailio.cfg accounting parameters (flags 1 answered, 2 missed, 3 failed) with tm's
/// timers short, then the routes.
std::string config(std::string_view routes, std::string_view more_params = "", std::string_view driver = "") {
    return "debug=2\nchildren=1\n"
           "loadmodule \"sl\"\nloadmodule \"tm\"\nloadmodule \"xlog\"\nloadmodule \"textops\"\n" +
           (driver.empty() ? std::string() : "loadmodule \"" + std::string(driver) + "\"\n") +
           "loadmodule \"acc\"\n"
           "modparam(\"tm\", \"wt_timer\", 200)\nmodparam(\"tm\", \"fr_timer\", 1000)\n"
           "modparam(\"tm\", \"fr_inv_timer\", 1000)\n"
           "modparam(\"acc\", \"early_media\", 0)\nmodparam(\"acc\", \"report_ack\", 0)\n"
           "modparam(\"acc\", \"report_cancels\", 0)\nmodparam(\"acc\", \"detect_direction\", 0)\n"
           "modparam(\"acc\", \"log_flag\", 1)\nmodparam(\"acc\", \"log_missed_flag\", 2)\n"
           "modparam(\"acc\", \"log_extra\",\n"
           "    \"src_user=$fU;src_domain=$fd;src_ip=$si;\"\n"
           "    \"dst_ouser=$tU;dst_user=$rU;dst_domain=$rd\")\n"
           "modparam(\"acc\", \"failed_transaction_flag\", 3)\n" +
           std::string(more_params) + std::string(routes);
}

/// The usual route: flags from X-Flags ("1,2"), then a stateful relay to the UAS.
std::string relay_routes(uint16_t uas_port) {
    return "request_route {\n"
           "    if (is_method(\"ACK\")) { t_relay_to_udp(\"127.0.0.1\", \"" +
           std::to_string(uas_port) +
           "\"); exit; }\n"
           "    if ($hdr(X-Flags) =~ \"1\") setflag(1);\n"
           "    if ($hdr(X-Flags) =~ \"2\") setflag(2);\n"
           "    if ($hdr(X-Flags) =~ \"3\") setflag(3);\n"
           "    t_relay_to_udp(\"127.0.0.1\", \"" +
           std::to_string(uas_port) + "\");\n}\n";
}

kit::request_options flags(std::string_view which) {
    kit::request_options options;
    options.extra_headers = "X-Flags: " + std::string(which) + "\r\n";
    return options;
}

/// acc's lines in the log, from "ACC: " to the end of the line.
std::vector<std::string> acc_lines(const kit::host& proxy) {
    std::vector<std::string> out;
    std::string log = proxy.log();
    const std::string marker = "acc: ACC: ";
    for (size_t at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1)) {
        size_t end = log.find('\n', at);
        out.push_back(log.substr(at + 5, end == std::string::npos ? end : end - at - 5));
    }
    return out;
}

std::string tag_of(const std::optional<std::string>& header) {
    std::string value = header.value_or("");
    size_t at = value.find(";tag=");
    return at == std::string::npos ? "" : value.substr(at + 5);
}

/// The line acc writes, given everything but the timestamp: checks "timestamp=<now>;" and returns the rest.
std::string without_timestamp(const std::string& line, std::string_view text) {
    EXPECT_EQ(line.rfind(text, 0), 0u) << line;
    std::string rest = line.substr(std::min(line.size(), text.size()));
    EXPECT_EQ(rest.rfind("timestamp=", 0), 0u) << line;
    size_t semicolon = rest.find(';');
    long long stamp = std::atoll(rest.substr(10, semicolon - 10).c_str());
    long long now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    EXPECT_LE(std::llabs(now - stamp), 30) << "the timestamp is the time of the event: " << line;
    return semicolon == std::string::npos ? "" : rest.substr(semicolon);
}

/// The fixed fields and Debian's extras for a request from the kit's UAC to bob.
std::string fields(const kit::message& request, std::string_view to_tag, std::string_view code,
                   std::string_view reason, std::string_view user = "bob") {
    return ";method=" + request.method() + ";from_tag=" + tag_of(request.header("From")) +
           ";to_tag=" + std::string(to_tag) + ";call_id=" + request.header("Call-ID").value_or("") +
           ";code=" + std::string(code) + ";reason=" + std::string(reason) +
           ";src_user=alice;src_domain=127.0.0.1;src_ip=127.0.0.1;dst_ouser=" + std::string(user) +
           ";dst_user=" + std::string(user) + ";dst_domain=127.0.0.1";
}

/// A call from a UAC of its own (so that tm's retransmissions of a negative reply do not reach the next call)
/// through the proxy to the UAS, which answers the INVITE with code; returns what the UAS got.
kit::message call(kit::host& proxy, kit::peer& uas, std::string_view which, int code, std::string_view reason,
                  std::string_view to_tag, std::string_view user = "bob") {
    kit::peer uac;
    uac.send(kit::request("INVITE", "sip:" + std::string(user) + "@127.0.0.1", uac, flags(which)),
             proxy.port());
    auto relayed = uas.receive();
    EXPECT_TRUE(relayed) << proxy.log();
    if (!relayed)
        return kit::message{};
    uas.reply(*relayed, code, reason, to_tag);
    if (code >= 300) {
        EXPECT_TRUE(uas.receive()) << "tm ACKs the negative reply\n" << proxy.log();
    }
    bool final_seen = false;
    for (int i = 0; i < 3 && !final_seen; ++i) {
        auto reply = uac.receive();
        if (!reply)
            break;
        final_seen = reply->status() == code;
    }
    EXPECT_TRUE(final_seen) << proxy.log();
    return *relayed;
}

TEST(modules_acc, an_answered_call_is_logged_with_debians_extras) {
    kit::peer uas;
    kit::host proxy(config(relay_routes(uas.port())));
    kit::message invite = call(proxy, uas, "1", 200, "OK", "uas-1");
    ASSERT_TRUE(proxy.wait_for_log("ACC: transaction answered")) << proxy.log();
    auto lines = acc_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << proxy.log();
    EXPECT_EQ(without_timestamp(lines[0], "ACC: transaction answered: "),
              fields(invite, "uas-1", "200", "OK"));
    EXPECT_NE(proxy.log().find("NOTICE: acc: ACC: transaction answered"), std::string::npos)
        << "log_level 1 is NOTICE\n"
        << proxy.log();
}

TEST(modules_acc, the_transactions_avps_are_current_for_the_extras) {
    // An AVP set before t_relay belongs to the transaction; acc reads it when the reply comes, as Kamailio.
    kit::peer uas;
    std::string routes = relay_routes(uas.port());
    routes.insert(routes.find("    t_relay_to_udp"), "    $avp(caller_class) = \"gold\";\n");
    kit::host proxy(config(routes, "modparam(\"acc\", \"log_extra\", \"class=$avp(caller_class)\")\n"));
    call(proxy, uas, "1", 200, "OK", "uas-avp");
    ASSERT_TRUE(proxy.wait_for_log("ACC: transaction answered")) << proxy.log();
    auto lines = acc_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << proxy.log();
    EXPECT_NE(lines[0].find(";class=gold"), std::string::npos) << lines[0];
}

TEST(modules_acc, a_busy_call_is_logged_once_as_missed) {
    kit::peer uas;
    kit::host proxy(config(relay_routes(uas.port())));
    kit::message invite = call(proxy, uas, "12", 486, "Busy Here", "busy-1");
    ASSERT_TRUE(proxy.wait_for_log("ACC: call missed")) << proxy.log();
    EXPECT_FALSE(proxy.wait_for_log("ACC: transaction answered", 300ms))
        << "a negative reply is answered only with failed_transaction_flag\n"
        << proxy.log();
    auto lines = acc_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << "the missed-call flag is reset once reported\n" << proxy.log();
    EXPECT_EQ(without_timestamp(lines[0], "ACC: call missed: "),
              fields(invite, "busy-1", "486", "Busy Here"));
}

TEST(modules_acc, failed_transaction_flag_reports_the_negative_final_reply) {
    kit::peer uas;
    kit::host proxy(config(relay_routes(uas.port())));
    kit::message invite = call(proxy, uas, "13", 486, "Busy Here", "busy-2");
    ASSERT_TRUE(proxy.wait_for_log("ACC: transaction answered")) << proxy.log();
    auto lines = acc_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << proxy.log();
    EXPECT_EQ(without_timestamp(lines[0], "ACC: transaction answered: "),
              fields(invite, "busy-2", "486", "Busy Here"));
}

TEST(modules_acc, failed_filter_keeps_listed_codes_out) {
    kit::peer uas;
    kit::host proxy(config(relay_routes(uas.port()), "modparam(\"acc\", \"failed_filter\", \"404, 407\")\n"));
    call(proxy, uas, "13", 404, "Not Found", "nf-1");
    kit::message second = call(proxy, uas, "13", 480, "Temporarily Unavailable", "ta-1");
    ASSERT_TRUE(proxy.wait_for_log("code=480")) << proxy.log();
    auto lines = acc_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << "the 404 is filtered\n" << proxy.log();
    EXPECT_EQ(without_timestamp(lines[0], "ACC: transaction answered: "),
              fields(second, "ta-1", "480", "Temporarily Unavailable"));
}

TEST(modules_acc, without_a_flag_nothing_is_accounted) {
    kit::peer uas;
    kit::host proxy(config(relay_routes(uas.port())));
    call(proxy, uas, "", 200, "OK", "uas-2");
    call(proxy, uas, "", 486, "Busy Here", "busy-3");
    call(proxy, uas, "3", 486, "Busy Here", "busy-4"); // failed without log_flag: nothing to log to
    EXPECT_FALSE(proxy.wait_for_log("ACC:", 500ms)) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_TRUE(acc_lines(proxy).empty()) << proxy.log();
}

TEST(modules_acc, a_reply_tm_makes_has_the_standard_reason_and_tms_to_tag) {
    kit::host proxy(config(R"(request_route {
    setflag(1); setflag(2); setflag(3);
    t_newtran();
    t_reply("404", "Not Here");
}
)"));
    kit::peer uac;
    std::string text = kit::request("INVITE", "sip:bob@127.0.0.1", uac);
    kit::message invite(text);
    uac.send(text, proxy.port());
    std::optional<kit::message> reply;
    for (int i = 0; i < 3 && (!reply || reply->status() < 200); ++i)
        reply = uac.receive();
    ASSERT_TRUE(reply && reply->status() == 404) << proxy.log();
    std::string to_tag = tag_of(reply->header("To"));
    ASSERT_FALSE(to_tag.empty()) << reply->text();
    ASSERT_TRUE(proxy.wait_for_log("ACC: transaction answered")) << proxy.log();
    auto lines = acc_lines(proxy);
    ASSERT_EQ(lines.size(), 2u) << proxy.log();
    // Kamailio reports the code's standard phrase for a reply tm made, not the one given to t_reply.
    EXPECT_EQ(without_timestamp(lines[0], "ACC: call missed: "), fields(invite, to_tag, "404", "Not Found"));
    EXPECT_EQ(without_timestamp(lines[1], "ACC: transaction answered: "),
              fields(invite, to_tag, "404", "Not Found"));
}

TEST(modules_acc, a_timeout_is_a_missed_call_with_the_408s_to_tag) {
    kit::peer silent; // receives the INVITE and never answers: fr_timer (1 s) fails the branch
    kit::host proxy(config(relay_routes(silent.port())));
    kit::peer uac;
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac, flags("2")), proxy.port());
    auto relayed = silent.receive();
    ASSERT_TRUE(relayed) << proxy.log();
    std::optional<kit::message> reply;
    for (int i = 0; i < 10 && (!reply || reply->status() < 200); ++i)
        reply = uac.receive(3000ms);
    ASSERT_TRUE(reply && reply->status() == 408) << proxy.log();
    ASSERT_TRUE(proxy.wait_for_log("ACC: call missed")) << proxy.log();
    auto lines = acc_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << proxy.log();
    EXPECT_EQ(without_timestamp(lines[0], "ACC: call missed: "),
              fields(*relayed, tag_of(reply->header("To")), "408", "Request Timeout"));
}

TEST(modules_acc, acc_log_request_reports_the_request_with_its_comment) {
    kit::host proxy(config(R"~(request_route {
    acc_log_request("Some comment");
    xlog("L_INFO", "first rc=$rc\n");
    acc_log_request("404 Not here");
    acc_log_request("12 $rU");
    sl_send_reply("200", "OK");
}
)~"));
    kit::peer uac;
    std::string text = kit::request("OPTIONS", "sip:bob@127.0.0.1", uac);
    kit::message request(text);
    uac.send(text, proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    ASSERT_TRUE(proxy.wait_for_log("first rc=1")) << proxy.log();
    auto lines = acc_lines(proxy);
    ASSERT_EQ(lines.size(), 3u) << proxy.log();
    EXPECT_EQ(without_timestamp(lines[0], "ACC: request accounted: "),
              fields(request, "", "", "Some comment"));
    EXPECT_EQ(without_timestamp(lines[1], "ACC: request accounted: "),
              fields(request, "", "404", "Not here"));
    EXPECT_EQ(without_timestamp(lines[2], "ACC: request accounted: "), fields(request, "", "", "12 bob"))
        << "two digits are no code";
}

TEST(modules_acc, time_mode_1_adds_the_microseconds) {
    kit::host proxy(
        config(R"(request_route { acc_log_request("x"); sl_send_reply("200", "OK"); }
)",
               "modparam(\"acc\", \"time_mode\", 1)\nmodparam(\"acc\", \"time_exten\", \"usec\")\n"));
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:bob@127.0.0.1", uac), proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    ASSERT_TRUE(proxy.wait_for_log("ACC: request accounted")) << proxy.log();
    std::string rest = without_timestamp(acc_lines(proxy).at(0), "ACC: request accounted: ");
    ASSERT_EQ(rest.rfind(";usec=", 0), 0u) << rest;
    long usec = std::atol(rest.c_str() + 6);
    EXPECT_TRUE(usec >= 0 && usec < 1000000) << rest;
    EXPECT_EQ(rest.find(";method=OPTIONS;"), rest.find(';', 1)) << rest;
}

// ---- the database ----

/// A SQLite file with Kamailio's version, acc and missed_calls tables, plus the extra columns Debian's
/// kamailio.cfg tells to add for its db_extra.
class sqlite_file {
public:
    sqlite_file() {
        char pattern[] = "/tmp/siphost-acc-XXXXXX";
        const char* made = mkdtemp(pattern);
        EXPECT_NE(made, nullptr);
        dir_ = made != nullptr ? made : "/tmp";
        path_ = dir_ + "/kamailio.db";
        std::string sql = read("/usr/share/kamailio/db_sqlite/standard-create.sql") +
                          read("/usr/share/kamailio/db_sqlite/acc-create.sql");
        for (const char* table : {"acc", "missed_calls"})
            for (const char* column :
                 {"src_user", "src_domain", "src_ip", "dst_ouser", "dst_user", "dst_domain"})
                sql += "ALTER TABLE " + std::string(table) + " ADD COLUMN " + column +
                       " VARCHAR(64) NOT NULL DEFAULT '';\n";
        exec(sql);
    }
    ~sqlite_file() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    const std::string& path() const { return path_; }

    static std::string read(const std::string& file) {
        std::ifstream in(file);
        EXPECT_TRUE(in) << "Kamailio's schema is missing: " << file << " (kamailio-sqlite-modules)";
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    void exec(const std::string& sql) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        char* error = nullptr;
        int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
        EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
        sqlite3_free(error);
        sqlite3_close(db);
    }

    /// Every row of a query, its cells as text joined with '|'.
    std::vector<std::string> rows(const std::string& query) {
        std::vector<std::string> out;
        sqlite3* db = nullptr;
        if (sqlite3_open(path_.c_str(), &db) != SQLITE_OK)
            return out;
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, query.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
            std::string row;
            for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
                if (i > 0)
                    row += "|";
                const unsigned char* text = sqlite3_column_text(stmt, i);
                row += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
            }
            out.push_back(row);
        }
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return out;
    }

private:
    std::string dir_;
    std::string path_;
};

std::string db_params(const std::string& url) {
    return "modparam(\"acc\", \"db_flag\", 1)\nmodparam(\"acc\", \"db_missed_flag\", 2)\n"
           "modparam(\"acc\", \"db_url\", \"" +
           url +
           "\")\n"
           "modparam(\"acc\", \"db_extra\",\n"
           "    \"src_user=$fU;src_domain=$fd;src_ip=$si;\"\n"
           "    \"dst_ouser=$tU;dst_user=$rU;dst_domain=$rd\")\n";
}

/// The columns a row is read back with.
constexpr const char* row_columns = "method, from_tag, to_tag, callid, sip_code, sip_reason, src_user, "
                                    "src_domain, src_ip, dst_ouser, dst_user, dst_domain";

std::string expected_row(const kit::message& request, std::string_view to_tag, std::string_view code,
                         std::string_view reason) {
    return request.method() + "|" + tag_of(request.header("From")) + "|" + std::string(to_tag) + "|" +
           request.header("Call-ID").value_or("") + "|" + std::string(code) + "|" + std::string(reason) +
           "|alice|127.0.0.1|127.0.0.1|bob|bob|127.0.0.1";
}

TEST(modules_acc, rows_go_into_kamailios_sqlite_tables) {
    sqlite_file db;
    kit::peer uas;
    std::string routes = relay_routes(uas.port());
    routes.insert(routes.find("    t_relay"),
                  "    if ($hdr(X-Flags) == \"db\") { acc_db_request(\"Some comment\", "
                  "\"acc\"); xlog(\"L_INFO\", \"db rc=$rc\\n\"); sl_send_reply(\"200\", "
                  "\"OK\"); exit; }\n");
    kit::host proxy(config(routes, db_params("sqlite:///" + db.path()), "db_sqlite"));
    kit::peer uac;
    kit::message answered = call(proxy, uas, "1", 200, "OK", "uas-3");
    kit::message missed = call(proxy, uas, "2", 486, "Busy Here", "busy-5");
    call(proxy, uas, "", 200, "OK", "uas-4"); // no flag: no row
    std::string text = kit::request("INVITE", "sip:bob@127.0.0.1", uac, flags("db"));
    kit::message request(text);
    uac.send(text, proxy.port());
    ASSERT_TRUE(proxy.wait_for_log("db rc=1")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(acc_lines(proxy).size(), 2u) << "flags 1 and 2 are the log's too: the answered call and the "
                                              "missed one are logged as well\n"
                                           << proxy.log();
    auto acc = db.rows(std::string("SELECT ") + row_columns + " FROM acc ORDER BY id");
    ASSERT_EQ(acc.size(), 2u) << proxy.log();
    EXPECT_EQ(acc[0], expected_row(answered, "uas-3", "200", "OK"));
    EXPECT_EQ(acc[1], expected_row(request, "", "", "Some comment"));
    auto missed_rows = db.rows(std::string("SELECT ") + row_columns + " FROM missed_calls");
    ASSERT_EQ(missed_rows.size(), 1u) << proxy.log();
    EXPECT_EQ(missed_rows[0], expected_row(missed, "busy-5", "486", "Busy Here"));
    // The time as Kamailio's db_sqlite stores a datetime: a Julian day (REAL), here within a minute of now.
    auto times = db.rows("SELECT typeof(time), (julianday('now') - time) * 86400 FROM acc");
    ASSERT_EQ(times.size(), 2u);
    EXPECT_EQ(times[0].substr(0, times[0].find('|')), "real") << times[0];
    double age = std::atof(times[0].substr(times[0].find('|') + 1).c_str());
    EXPECT_LT(std::abs(age), 60.0) << times[0];
}

TEST(modules_acc, a_missing_table_is_an_error_not_a_crash) {
    sqlite_file db;
    kit::host proxy(config(R"~(request_route {
    acc_db_request("x", "no_such_table");
    xlog("L_INFO", "rc=$rc\n");
    sl_send_reply("200", "OK");
}
)~",
                           db_params("sqlite:///" + db.path()), "db_sqlite"));
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:bob@127.0.0.1", uac), proxy.port());
    ASSERT_TRUE(uac.receive()) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log("rc=-1")) << proxy.log();
    EXPECT_NE(proxy.log().find("no_such_table"), std::string::npos) << proxy.log();
}

// ---- siphost -c ----

TEST(modules_acc, the_stock_parameters_pass_the_check) {
    auto result = kit::host::check(config(R"(request_route { acc_log_request("x"); }
)"));
    EXPECT_EQ(result.exit_status, 0) << result.output;
}

TEST(modules_acc, bad_parameters_are_config_errors) {
    struct bad {
        std::string params;
        std::string says;
    };
    const std::vector<bad> cases = {
        {"modparam(\"acc\", \"db_flag\", 99)\n", "db_flag 99 is not a flag"},
        {"modparam(\"acc\", \"log_missed_flag\", -2)\n", "log_missed_flag -2 is not a flag"},
        {"modparam(\"acc\", \"db_extra\", \"src_user\")\n",
         "db_extra: 'src_user' is not name=$pseudo_variable"},
        {"modparam(\"acc\", \"db_extra\", \"src_user=fU\")\n", "must be a pseudo-variable"},
        {"modparam(\"acc\", \"db_extra\", \"=$fU\")\n", "has no name"},
        {"modparam(\"acc\", \"log_extra\", \"x=$hdr(X\")\n", "not one well-formed pseudo-variable"},
        {"modparam(\"acc\", \"cdr_enable\", 1)\n", "dialog module"},
        {"modparam(\"acc\", \"time_mode\", 7)\n", "time_mode 7"},
        {"modparam(\"acc\", \"failed_filter\", \"404,abc\")\n", "failed_filter: 'abc'"},
        {"modparam(\"acc\", \"log_facility\", \"LOG_NOPE\")\n", "LOG_NOPE"},
        {"modparam(\"acc\", \"log_level\", 9)\n", "log_level 9"},
        {"modparam(\"acc\", \"db_insert_mode\", 5)\n", "db_insert_mode"},
        {"modparam(\"acc\", \"db_url\", \"mysql://u:p@127.0.0.1/k\")\n", "no database driver for 'mysql:'"},
    };
    for (const bad& c : cases) {
        auto result =
            kit::host::check(config("request_route { sl_send_reply(\"200\", \"OK\"); }\n", c.params));
        EXPECT_EQ(result.exit_status, 1) << c.params << result.output;
        EXPECT_NE(result.output.find(c.says), std::string::npos) << c.params << result.output;
    }
}

TEST(modules_acc, bad_calls_and_pseudo_variables_are_config_errors) {
    auto empty = kit::host::check(config("request_route { acc_log_request(\"\"); }\n"));
    EXPECT_EQ(empty.exit_status, 1) << empty.output;
    EXPECT_NE(empty.output.find("comment (first parameter) is empty"), std::string::npos) << empty.output;
    // The host parses the extras' pseudo-variables once the script is compiled: at the first acc call site.
    auto unknown = kit::host::check(config("request_route { acc_log_request(\"x\"); }\n",
                                           "modparam(\"acc\", \"log_extra\", \"a=$nosuchvar\")\n"));
    EXPECT_EQ(unknown.exit_status, 1) << unknown.output;
    EXPECT_NE(unknown.output.find("log_extra: a=$nosuchvar"), std::string::npos) << unknown.output;
    // Without an acc call site they are parsed when the threads start: acc's thread_init refuses, and that
    // stops siphost (module.h), with the reason in the log and exit status 1.
    try {
        kit::host proxy(config("request_route { setflag(1); t_reply(\"404\", \"Not Here\"); }\n",
                               "modparam(\"acc\", \"log_extra\", \"a=$nosuchvar\")\n"));
        ASSERT_TRUE(proxy.wait_for_log("log_extra: a=$nosuchvar: ")) << proxy.log();
        ASSERT_TRUE(proxy.wait_for_log("stopping")) << proxy.log();
        EXPECT_EQ(proxy.stop(), 1) << proxy.log();
    } catch (const kit::start_error& e) {
        // It may stop before the test kit sees it ready.
        EXPECT_NE(std::string(e.what()).find("log_extra: a=$nosuchvar"), std::string::npos) << e.what();
    }
}

TEST(modules_acc, what_is_not_implemented_is_accepted_with_a_warning) {
    auto result =
        kit::host::check(config("request_route { sl_send_reply(\"200\", \"OK\"); }\n",
                                "modparam(\"acc\", \"report_ack\", 1)\nmodparam(\"acc\", "
                                "\"cdr_enable\", 0)\nmodparam(\"acc\", \"cdr_extra\", \"a=$fU\")\n"));
    EXPECT_EQ(result.exit_status, 0) << result.output;
    EXPECT_NE(result.output.find("report_ack is accepted but has no effect"), std::string::npos)
        << result.output;
}

// ---- CDRs from dialogs (cdr_enable) ----

/// A proxy tracking INVITE dialogs (dlg_manage) with CDRs on, relaying everything to the UAS.
std::string cdr_config(uint16_t uas_port, std::string_view more_params, std::string_view driver = "") {
    std::string uas = "\"127.0.0.1\", \"" + std::to_string(uas_port) + "\"";
    return "debug=2\nchildren=1\n"
           "loadmodule \"sl\"\nloadmodule \"tm\"\nloadmodule \"xlog\"\nloadmodule \"textops\"\n" +
           (driver.empty() ? std::string() : "loadmodule \"" + std::string(driver) + "\"\n") +
           "loadmodule \"dialog\"\nloadmodule \"acc\"\n"
           "modparam(\"acc\", \"cdr_enable\", 1)\n"
           "modparam(\"acc\", \"cdr_extra\",\n"
           "    "
           "\"callid=$dlg(callid);from_tag=$dlg(from_tag);to_tag=$dlg(to_tag);who=$dlg_var(who);m=$rm\")\n" +
           std::string(more_params) +
           "request_route {\n"
           "    if (is_method(\"ACK|BYE\")) { t_relay_to_udp(" +
           uas +
           "); exit; }\n"
           "    dlg_manage();\n"
           "    $dlg_var(who) = \"alice\";\n"
           "    t_relay_to_udp(" +
           uas + ");\n}\n";
}

/// A UAC calling the UAS through the proxy.
struct cdr_call {
    kit::peer uac;
    std::string call_id = "cdr-call-1@127.0.0.1";
    std::optional<kit::message> invite; ///< as the UAS got it

    kit::request_options options(uint32_t cseq) const {
        kit::request_options o;
        o.call_id = call_id;
        o.cseq = cseq;
        o.extra_headers = "Contact: <sip:alice@127.0.0.1:" + std::to_string(uac.port()) + ">\r\n";
        return o;
    }
    std::string caller_tag() const { return tag_of(invite->header("From")); }

    /// INVITE, answered with code by the UAS; true when the UAC got the final reply.
    bool start(kit::host& proxy, kit::peer& uas, int code, std::string_view reason) {
        uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac, options(1)), proxy.port());
        invite = uas.receive();
        if (!invite)
            return false;
        uas.reply(*invite, code, reason, "uas-tag",
                  "Contact: <sip:bob@127.0.0.1:" + std::to_string(uas.port()) + ">\r\n");
        for (int i = 0; i < 3; ++i) {
            auto reply = uac.receive();
            if (reply && reply->status() == code)
                return true;
        }
        return false;
    }

    /// An in-dialog request from the UAC.
    std::string in_dialog(std::string_view method, uint32_t cseq, uint16_t uas_port) const {
        std::string text =
            kit::request(method, "sip:bob@127.0.0.1:" + std::to_string(uas_port), uac, options(cseq));
        size_t to = text.find("\r\nTo: ");
        text.insert(text.find("\r\n", to + 2), ";tag=uas-tag");
        size_t tag = text.find("tag=", text.find("\r\nFrom: ")) + 4;
        text.replace(tag, text.find("\r\n", tag) - tag, caller_tag());
        return text;
    }

    /// ACK, a pause, BYE (answered by the UAS).
    void talk_and_hang_up(kit::host& proxy, kit::peer& uas, std::chrono::milliseconds pause) {
        uac.send(in_dialog("ACK", 1, uas.port()), proxy.port());
        EXPECT_TRUE(uas.receive()) << proxy.log();
        std::this_thread::sleep_for(pause);
        uac.send(in_dialog("BYE", 2, uas.port()), proxy.port());
        auto bye = uas.receive();
        EXPECT_TRUE(bye) << proxy.log();
        if (bye)
            uas.reply(*bye, 200, "OK", "uas-tag");
    }
};

/// The CDR lines of the log: "start_time=...; ..." up to the end of the line.
std::vector<std::string> cdr_lines(const kit::host& proxy) {
    std::vector<std::string> out;
    std::string log = proxy.log();
    const std::string marker = "acc: start_time=";
    for (size_t at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1)) {
        size_t end = log.find('\n', at);
        out.push_back(log.substr(at + 5, end == std::string::npos ? end : end - at - 5));
    }
    return out;
}

/// name=value of a CDR line ("; " between items).
std::string cdr_field(const std::string& line, std::string_view name) {
    std::string key = std::string(name) + "=";
    size_t at = line.rfind(key, 0) == 0 ? 0 : line.find("; " + key);
    if (at == std::string::npos)
        return "<none>";
    at += at == 0 ? key.size() : key.size() + 2;
    size_t end = line.find("; ", at);
    return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

double seconds_of(const std::string& text) {
    return std::atof(text.c_str());
}

TEST(modules_acc, a_dialog_gets_one_cdr_with_its_times_and_the_byes_extras) {
    kit::peer uas;
    kit::host proxy(cdr_config(uas.port(), ""));
    cdr_call c;
    ASSERT_TRUE(c.start(proxy, uas, 200, "OK")) << proxy.log();
    c.talk_and_hang_up(proxy, uas, 1100ms);
    ASSERT_TRUE(proxy.wait_for_log("acc: start_time=")) << proxy.log();
    auto lines = cdr_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << proxy.log();
    const std::string& line = lines[0];
    EXPECT_NE(proxy.log().find("NOTICE: acc: start_time="), std::string::npos) << "log_level 1 is NOTICE";
    // Kamailio's order and separators: the three core fields, then cdr_extra, "; " between them.
    EXPECT_EQ(line.rfind("start_time=", 0), 0u) << line;
    EXPECT_NE(line.find("; end_time="), std::string::npos) << line;
    EXPECT_NE(line.find("; duration="), std::string::npos) << line;
    double start = seconds_of(cdr_field(line, "start_time"));
    double end = seconds_of(cdr_field(line, "end_time"));
    double duration = seconds_of(cdr_field(line, "duration"));
    double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_LT(std::abs(now - end), 30.0) << line;
    EXPECT_NEAR(end - start, duration, 0.001) << line;
    EXPECT_GE(duration, 1.0) << "from the INVITE to the BYE, with 1.1 s between ACK and BYE: " << line;
    EXPECT_LT(duration, 10.0) << line;
    EXPECT_EQ(cdr_field(line, "start_time").find('.'), 10u) << "seconds.microseconds: " << line;
    EXPECT_EQ(cdr_field(line, "callid"), c.call_id) << line;
    EXPECT_EQ(cdr_field(line, "from_tag"), c.caller_tag()) << line;
    EXPECT_EQ(cdr_field(line, "to_tag"), "uas-tag") << line;
    EXPECT_EQ(cdr_field(line, "who"), "alice") << line;
    EXPECT_EQ(cdr_field(line, "m"), "BYE") << "cdr_extra is read from the BYE: " << line;
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_acc, cdr_start_on_confirmed_starts_at_the_2xx) {
    kit::peer uas;
    kit::host proxy(cdr_config(uas.port(), "modparam(\"acc\", \"cdr_start_on_confirmed\", 1)\n"));
    cdr_call c;
    c.uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", c.uac, c.options(1)), proxy.port());
    c.invite = uas.receive();
    ASSERT_TRUE(c.invite) << proxy.log();
    std::this_thread::sleep_for(1100ms); // ringing: not part of the call's duration
    uas.reply(*c.invite, 200, "OK", "uas-tag");
    ASSERT_TRUE(c.uac.receive());
    c.talk_and_hang_up(proxy, uas, 0ms);
    ASSERT_TRUE(proxy.wait_for_log("acc: start_time=")) << proxy.log();
    auto lines = cdr_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << proxy.log();
    EXPECT_LT(seconds_of(cdr_field(lines[0], "duration")), 0.9) << lines[0];
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_acc, a_failed_dialog_gets_a_cdr_unless_cdr_on_failed_is_0) {
    for (int on_failed : {1, 0}) {
        kit::peer uas;
        kit::host proxy(cdr_config(uas.port(), "modparam(\"acc\", \"cdr_on_failed\", " +
                                                   std::to_string(on_failed) + ")\n"));
        cdr_call c;
        ASSERT_TRUE(c.start(proxy, uas, 486, "Busy Here")) << proxy.log();
        if (on_failed == 1) {
            ASSERT_TRUE(proxy.wait_for_log("acc: start_time=")) << proxy.log();
            auto lines = cdr_lines(proxy);
            ASSERT_EQ(lines.size(), 1u) << proxy.log();
            EXPECT_EQ(cdr_field(lines[0], "duration"), "0") << lines[0];
            EXPECT_EQ(cdr_field(lines[0], "start_time"), cdr_field(lines[0], "end_time")) << lines[0];
            EXPECT_EQ(cdr_field(lines[0], "who"), "alice") << lines[0];
        } else {
            std::this_thread::sleep_for(300ms);
            EXPECT_TRUE(cdr_lines(proxy).empty()) << proxy.log();
        }
        EXPECT_EQ(proxy.stop(), 0);
    }
}

TEST(modules_acc, cdr_skip_and_cdr_log_enable_keep_the_line_out) {
    for (std::string params : {std::string("modparam(\"acc\", \"cdr_skip\", \"who\")\n"),
                               std::string("modparam(\"acc\", \"cdr_log_enable\", 0)\n")}) {
        kit::peer uas;
        kit::host proxy(cdr_config(uas.port(), params));
        cdr_call c;
        ASSERT_TRUE(c.start(proxy, uas, 200, "OK")) << proxy.log();
        c.talk_and_hang_up(proxy, uas, 0ms);
        std::this_thread::sleep_for(300ms);
        EXPECT_TRUE(cdr_lines(proxy).empty()) << params << proxy.log();
        EXPECT_EQ(proxy.stop(), 0);
    }
}

TEST(modules_acc, a_timed_out_dialog_gets_a_cdr_of_its_dialog_variables_with_cdr_expired_dlg_enable) {
    kit::peer uas;
    kit::host proxy(cdr_config(uas.port(), "modparam(\"dialog\", \"default_timeout\", 1)\n"
                                           "modparam(\"acc\", \"cdr_expired_dlg_enable\", 1)\n"));
    cdr_call c;
    ASSERT_TRUE(c.start(proxy, uas, 200, "OK")) << proxy.log();
    c.uac.send(c.in_dialog("ACK", 1, uas.port()), proxy.port());
    ASSERT_TRUE(proxy.wait_for_log("acc: start_time=", 4000ms)) << proxy.log();
    auto lines = cdr_lines(proxy);
    ASSERT_EQ(lines.size(), 1u) << proxy.log();
    EXPECT_EQ(cdr_field(lines[0], "who"), "alice") << "$dlg_var extras are kept: " << lines[0];
    EXPECT_EQ(cdr_field(lines[0], "callid"), "") << "other extras are empty without a message: " << lines[0];
    EXPECT_GE(seconds_of(cdr_field(lines[0], "duration")), 0.9) << lines[0];
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_acc, cdrs_go_into_kamailios_acc_cdrs_table) {
    sqlite_file db;
    db.exec("ALTER TABLE acc_cdrs ADD COLUMN callid VARCHAR(255) NOT NULL DEFAULT '';\n"
            "ALTER TABLE acc_cdrs ADD COLUMN from_tag VARCHAR(128) NOT NULL DEFAULT '';\n"
            "ALTER TABLE acc_cdrs ADD COLUMN to_tag VARCHAR(128) NOT NULL DEFAULT '';\n"
            "ALTER TABLE acc_cdrs ADD COLUMN who VARCHAR(64) NOT NULL DEFAULT '';\n"
            "ALTER TABLE acc_cdrs ADD COLUMN m VARCHAR(16) NOT NULL DEFAULT '';\n");
    kit::peer uas;
    kit::host proxy(cdr_config(uas.port(),
                               "modparam(\"acc\", \"db_url\", \"sqlite:///" + db.path() +
                                   "\")\nmodparam(\"acc\", \"cdrs_table\", \"acc_cdrs\")\n",
                               "db_sqlite"));
    cdr_call c;
    ASSERT_TRUE(c.start(proxy, uas, 200, "OK")) << proxy.log();
    c.talk_and_hang_up(proxy, uas, 1100ms);
    ASSERT_TRUE(proxy.wait_for_log("acc: start_time=")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
    auto rows = db.rows("SELECT callid, from_tag, to_tag, who, m FROM acc_cdrs");
    ASSERT_EQ(rows.size(), 1u) << proxy.log();
    EXPECT_EQ(rows[0], c.call_id + "|" + c.caller_tag() + "|uas-tag|alice|BYE");
    auto times = db.rows("SELECT typeof(start_time), (julianday('now') - end_time) * 86400, "
                         "(end_time - start_time) * 86400, duration FROM acc_cdrs");
    ASSERT_EQ(times.size(), 1u);
    std::vector<std::string> cells;
    for (size_t at = 0; at <= times[0].size();) {
        size_t bar = times[0].find('|', at);
        cells.push_back(times[0].substr(at, bar == std::string::npos ? std::string::npos : bar - at));
        at = bar == std::string::npos ? times[0].size() + 1 : bar + 1;
    }
    ASSERT_EQ(cells.size(), 4u) << times[0];
    EXPECT_EQ(cells[0], "real") << "a datetime as Kamailio's db_sqlite stores it: " << times[0];
    EXPECT_LT(std::abs(std::atof(cells[1].c_str())), 60.0) << times[0];
    double duration = std::atof(cells[3].c_str());
    EXPECT_GE(duration, 1.0) << times[0];
    EXPECT_LT(duration, 10.0) << times[0];
    EXPECT_NEAR(std::atof(cells[2].c_str()), duration, 1.01)
        << "whole seconds in the datetimes: " << times[0];
}

TEST(modules_acc, cdr_parameters_it_cannot_honour_are_config_errors) {
    auto no_db = kit::host::check(cdr_config(5060, "modparam(\"acc\", \"cdrs_table\", \"acc_cdrs\")\n"));
    EXPECT_EQ(no_db.exit_status, 1) << no_db.output;
    EXPECT_NE(no_db.output.find("cdrs_table 'acc_cdrs' needs a database"), std::string::npos) << no_db.output;
    auto facility = kit::host::check(cdr_config(5060, "modparam(\"acc\", \"cdr_facility\", \"LOG_NOPE\")\n"));
    EXPECT_EQ(facility.exit_status, 1) << facility.output;
    EXPECT_NE(facility.output.find("cdr_facility 'LOG_NOPE'"), std::string::npos) << facility.output;
    auto extra = kit::host::check(cdr_config(5060, "modparam(\"acc\", \"cdr_extra\", \"a\")\n"));
    EXPECT_EQ(extra.exit_status, 1) << extra.output;
    EXPECT_NE(extra.output.find("cdr_extra"), std::string::npos) << extra.output;
    auto ok = kit::host::check(cdr_config(5060, "modparam(\"acc\", \"cdr_facility\", \"LOG_LOCAL1\")\n"));
    EXPECT_EQ(ok.exit_status, 0) << ok.output;
    EXPECT_NE(ok.output.find("cdr_facility LOG_LOCAL1"), std::string::npos) << ok.output;
}

} // namespace
