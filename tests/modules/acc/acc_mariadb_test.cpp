// acc.so writing to a real MariaDB server (a throw-away one from tests/modules/db/db_server.sh, in this
// test's network namespace), in tables made with Kamailio's own MySQL schema (/usr/share/kamailio/mysql/
// acc-create.sql) plus the columns Debian's kamailio.cfg adds for its db_extra.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

constexpr int mysql_port = 33316;

/// Runs a shell command; its output (stdout and stderr) and exit status.
std::string shell(const std::string& command, int& status) {
    std::string output;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        status = -1;
        return "popen failed";
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0)
        output.append(buf, n);
    int rc = pclose(pipe);
    status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return output;
}

/// The server for one test: started in a temporary directory, stopped and removed at the end.
class mariadb_server {
public:
    mariadb_server() {
        char pattern[] = "/tmp/siphost-acc-mysql-XXXXXX";
        const char* made = mkdtemp(pattern);
        if (made == nullptr) {
            failure_ = "mkdtemp failed";
            return;
        }
        dir_ = made;
        int status = 0;
        std::string log = shell(
            "sh " DB_SERVER_SCRIPT " start mysql " + dir_ + "/mysql " + std::to_string(mysql_port), status);
        if (status != 0)
            failure_ = "MariaDB did not start:\n" + log;
    }
    ~mariadb_server() {
        if (dir_.empty())
            return;
        int status = 0;
        std::string log = shell(
            "sh " DB_SERVER_SCRIPT " stop mysql " + dir_ + "/mysql " + std::to_string(mysql_port), status);
        EXPECT_EQ(status, 0) << log;
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    const std::string& failure() const { return failure_; }
    std::string url() const {
        return "mysql://kamailio:kamailiorw@127.0.0.1:" + std::to_string(mysql_port) + "/kamailio";
    }
    /// Runs SQL in the kamailio database as the administrator; rows come back tab-separated, one a line.
    std::string sql(const std::string& statements, int& status) const {
        std::string file = dir_ + "/statements.sql";
        FILE* out = std::fopen(file.c_str(), "w");
        if (out == nullptr) {
            status = -1;
            return "cannot write " + file;
        }
        std::fwrite(statements.data(), 1, statements.size(), out);
        std::fclose(out);
        return shell("mariadb --no-defaults -S " + dir_ + "/mysql/mysql.sock -u root -N -B kamailio < " +
                         file,
                     status);
    }

private:
    std::string dir_;
    std::string failure_;
};

std::string tag_of(const std::optional<std::string>& header) {
    std::string value = header.value_or("");
    size_t at = value.find(";tag=");
    return at == std::string::npos ? "" : value.substr(at + 5);
}

/// A call from a UAC of its own through the proxy that the UAS answers with code; what the UAS received.
kit::message call(kit::host& proxy, kit::peer& uas, std::string_view which, int code, std::string_view reason,
                  std::string_view to_tag) {
    kit::peer uac;
    kit::request_options options;
    options.extra_headers = "X-Flags: " + std::string(which) + "\r\n";
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac, options), proxy.port());
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

std::string expected_row(const kit::message& request, std::string_view to_tag, std::string_view code,
                         std::string_view reason) {
    return request.method() + "|" + tag_of(request.header("From")) + "|" + std::string(to_tag) + "|" +
           request.header("Call-ID").value_or("") + "|" + std::string(code) + "|" + std::string(reason) +
           "|alice|127.0.0.1|127.0.0.1|bob|bob|127.0.0.1";
}

TEST(modules_acc_mariadb, rows_go_into_kamailios_mysql_tables) {
    mariadb_server server;
    ASSERT_EQ(server.failure(), "");
    std::string schema;
    for (const char* file :
         {"/usr/share/kamailio/mysql/standard-create.sql", "/usr/share/kamailio/mysql/acc-create.sql"}) {
        int status = 0;
        std::string text = shell(std::string("cat ") + file, status);
        ASSERT_EQ(status, 0) << "Kamailio's schema is missing (kamailio-mysql-modules): " << text;
        schema += text;
    }
    // What Debian's kamailio.cfg tells to add for its db_extra.
    for (const char* table : {"acc", "missed_calls"})
        schema +=
            std::string("ALTER TABLE ") + table +
            " ADD COLUMN src_user VARCHAR(64) NOT NULL DEFAULT '', ADD COLUMN src_domain VARCHAR(128) NOT "
            "NULL DEFAULT '', ADD COLUMN src_ip VARCHAR(64) NOT NULL DEFAULT '', ADD COLUMN dst_ouser "
            "VARCHAR(64) NOT NULL DEFAULT '', ADD COLUMN dst_user VARCHAR(64) NOT NULL DEFAULT '', ADD "
            "COLUMN dst_domain VARCHAR(128) NOT NULL DEFAULT '';\n";
    int status = 0;
    std::string created = server.sql(schema, status);
    ASSERT_EQ(status, 0) << created;

    kit::peer uas;
    std::string port = std::to_string(uas.port());
    kit::host proxy("debug=2\nchildren=2\n"
                    "loadmodule \"sl\"\nloadmodule \"tm\"\nloadmodule \"textops\"\nloadmodule \"db_mysql\"\n"
                    "loadmodule \"acc\"\n"
                    "modparam(\"acc\", \"db_flag\", 1)\nmodparam(\"acc\", \"db_missed_flag\", 2)\n"
                    "modparam(\"acc\", \"db_url\", \"" +
                    server.url() +
                    "\")\n"
                    "modparam(\"acc\", \"db_extra\",\n"
                    "    \"src_user=$fU;src_domain=$fd;src_ip=$si;\"\n"
                    "    \"dst_ouser=$tU;dst_user=$rU;dst_domain=$rd\")\n"
                    "request_route {\n"
                    "    if ($hdr(X-Flags) =~ \"1\") setflag(1);\n"
                    "    if ($hdr(X-Flags) =~ \"2\") setflag(2);\n"
                    "    t_relay_to_udp(\"127.0.0.1\", \"" +
                    port + "\");\n}\n");
    kit::message answered = call(proxy, uas, "1", 200, "OK", "uas-1");
    kit::message missed = call(proxy, uas, "12", 486, "Busy Here", "busy-1");
    call(proxy, uas, "", 200, "OK", "uas-2"); // no flag: no row
    EXPECT_EQ(proxy.stop(), 0);

    const std::string columns =
        "CONCAT_WS('|', method, from_tag, to_tag, callid, sip_code, sip_reason, src_user, "
        "src_domain, src_ip, dst_ouser, dst_user, dst_domain)";
    std::string acc = server.sql("SELECT " + columns + " FROM acc ORDER BY id;", status);
    ASSERT_EQ(status, 0) << acc;
    EXPECT_EQ(acc, expected_row(answered, "uas-1", "200", "OK") + "\n") << proxy.log();
    std::string missed_rows = server.sql("SELECT " + columns + " FROM missed_calls ORDER BY id;", status);
    ASSERT_EQ(status, 0) << missed_rows;
    EXPECT_EQ(missed_rows, expected_row(missed, "busy-1", "486", "Busy Here") + "\n") << proxy.log();
    // time is a DATETIME in local time, as Kamailio's db_mysql writes it: within a minute of the server's
    // now.
    std::string age = server.sql("SELECT ABS(TIMESTAMPDIFF(SECOND, time, NOW())) FROM acc;", status);
    ASSERT_EQ(status, 0) << age;
    EXPECT_LT(std::atoi(age.c_str()), 60) << age;
}

TEST(modules_acc_mariadb, cdrs_go_into_kamailios_acc_cdrs_table) {
    mariadb_server server;
    ASSERT_EQ(server.failure(), "");
    int status = 0;
    std::string schema = shell("cat /usr/share/kamailio/mysql/standard-create.sql "
                               "/usr/share/kamailio/mysql/acc-create.sql",
                               status);
    ASSERT_EQ(status, 0) << "Kamailio's schema is missing (kamailio-mysql-modules): " << schema;
    schema +=
        "ALTER TABLE acc_cdrs ADD COLUMN callid VARCHAR(255) NOT NULL DEFAULT '', ADD COLUMN from_tag "
        "VARCHAR(128) NOT NULL DEFAULT '', ADD COLUMN to_tag VARCHAR(128) NOT NULL DEFAULT '', ADD COLUMN "
        "who VARCHAR(64) NULL;\n";
    std::string created = server.sql(schema, status);
    ASSERT_EQ(status, 0) << created;

    kit::peer uas;
    std::string port = std::to_string(uas.port());
    kit::host proxy("debug=2\nchildren=2\n"
                    "loadmodule \"sl\"\nloadmodule \"tm\"\nloadmodule \"textops\"\nloadmodule \"db_mysql\"\n"
                    "loadmodule \"dialog\"\nloadmodule \"acc\"\n"
                    "modparam(\"acc\", \"db_url\", \"" +
                    server.url() +
                    "\")\n"
                    "modparam(\"acc\", \"cdr_enable\", 1)\nmodparam(\"acc\", \"cdrs_table\", \"acc_cdrs\")\n"
                    "modparam(\"acc\", \"cdr_extra_nullable\", 1)\n"
                    "modparam(\"acc\", \"cdr_extra\", "
                    "\"callid=$dlg(callid);from_tag=$dlg(from_tag);to_tag=$dlg(to_tag);who=$dlg_var(who)\")\n"
                    "request_route {\n"
                    "    if (is_method(\"ACK|BYE\")) { t_relay_to_udp(\"127.0.0.1\", \"" +
                    port +
                    "\"); exit; }\n"
                    "    dlg_manage();\n"
                    "    t_relay_to_udp(\"127.0.0.1\", \"" +
                    port + "\");\n}\n");
    kit::peer uac;
    kit::request_options options;
    options.call_id = "cdr-mariadb-1@127.0.0.1";
    options.extra_headers = "Contact: <sip:alice@127.0.0.1:" + std::to_string(uac.port()) + ">\r\n";
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac, options), proxy.port());
    auto invite = uas.receive();
    ASSERT_TRUE(invite) << proxy.log();
    uas.reply(*invite, 200, "OK", "uas-cdr");
    bool answered = false;
    for (int i = 0; i < 3 && !answered; ++i) {
        auto reply = uac.receive();
        answered = reply && reply->status() == 200;
    }
    ASSERT_TRUE(answered) << proxy.log();
    std::string from_tag = tag_of(invite->header("From"));
    auto in_dialog = [&](std::string_view method, uint32_t cseq) {
        kit::request_options o = options;
        o.cseq = cseq;
        std::string text = kit::request(method, "sip:bob@127.0.0.1:" + port, uac, o);
        text.insert(text.find("\r\n", text.find("\r\nTo: ") + 2), ";tag=uas-cdr");
        size_t tag = text.find("tag=", text.find("\r\nFrom: ")) + 4;
        text.replace(tag, text.find("\r\n", tag) - tag, from_tag);
        return text;
    };
    uac.send(in_dialog("ACK", 1), proxy.port());
    ASSERT_TRUE(uas.receive()) << proxy.log();
    std::this_thread::sleep_for(1100ms);
    uac.send(in_dialog("BYE", 2), proxy.port());
    auto bye = uas.receive();
    ASSERT_TRUE(bye) << proxy.log();
    uas.reply(*bye, 200, "OK", "uas-cdr");
    ASSERT_TRUE(proxy.wait_for_log("acc: start_time=")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);

    std::string row = server.sql("SELECT CONCAT_WS('|', callid, from_tag, to_tag, IFNULL(who, 'NULL')) "
                                 "FROM acc_cdrs;",
                                 status);
    ASSERT_EQ(status, 0) << row;
    EXPECT_EQ(row, "cdr-mariadb-1@127.0.0.1|" + from_tag + "|uas-cdr|NULL\n")
        << "cdr_extra_nullable: $dlg_var(who) is not set\n"
        << proxy.log();
    // DATETIMEs in local time (as db_mysql writes them), the duration as a FLOAT(10,3).
    std::string times = server.sql("SELECT CONCAT_WS('|', ABS(TIMESTAMPDIFF(SECOND, end_time, NOW())), "
                                   "TIMESTAMPDIFF(SECOND, start_time, end_time), duration) FROM acc_cdrs;",
                                   status);
    ASSERT_EQ(status, 0) << times;
    int age = 0, span = 0;
    double duration = 0;
    ASSERT_EQ(std::sscanf(times.c_str(), "%d|%d|%lf", &age, &span, &duration), 3) << times;
    EXPECT_LT(age, 60) << times;
    EXPECT_GE(duration, 1.0) << times;
    EXPECT_LT(duration, 10.0) << times;
    EXPECT_LE(std::abs(span - duration), 1.01) << times;
}

} // namespace
