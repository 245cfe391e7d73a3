// jsonrpcs in the real host: Debian's kamctl over the FIFO, the datagram socket, bad input of every kind
// (each gets an error reply or is dropped, and SIP is still served after it), reply FIFOs outside
// fifo_reply_dir refused, owner-only files, and jsonrpc_exec with $jsonrpl from the script.
#include "inprocess_host.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <poll.h>
#include <regex>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace kit = siphost::testkit;
namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// A scratch directory for the FIFO, the socket and the reply FIFOs; removed at the end.
struct scratch {
    fs::path dir;
    scratch() {
        char pattern[] = "/tmp/jsonrpcs-test-XXXXXX";
        if (::mkdtemp(pattern) == nullptr)
            throw std::runtime_error("no scratch directory");
        dir = pattern;
        fs::create_directory(dir / "tmp");
    }
    ~scratch() {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
};

std::string config(const scratch& s, std::string_view extra = "") {
    std::string d = s.dir.string();
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"tm\"\nloadmodule \"jsonrpcs\"\n"
           "loadmodule \"" RPC_PROBE_MODULE "\"\n"
           "modparam(\"jsonrpcs\", \"fifo_name\", \"" +
           d +
           "/rpc.fifo\")\n"
           "modparam(\"jsonrpcs\", \"dgram_socket\", \"" +
           d +
           "/rpc.sock\")\n"
           "modparam(\"jsonrpcs\", \"fifo_reply_dir\", \"" +
           d + "/tmp/\")\n" + std::string(extra) +
           R"cfg(
request_route {
    if ($rU == "exec") {
        jsonrpc_exec('{"jsonrpc": "2.0", "method": "tm.stats", "id": 1}');
        sl_send_reply("200", "$jsonrpl(code) $jsonrpl(text)");
        exit;
    }
    if ($rU == "unknown") {
        jsonrpc_exec('{"jsonrpc": "2.0", "method": "no.such", "id": 1}');
        sl_send_reply("500", "$jsonrpl(code) $jsonrpl(text)");
        exit;
    }
    sl_send_reply("200", "alive");
}
)cfg";
}

/// One request over the datagram socket; the reply, or empty after 3 s.
std::string dgram_call(const scratch& s, std::string_view request) {
    int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0)
        return {};
    sockaddr_un self{};
    self.sun_family = AF_UNIX;
    std::string self_path = (s.dir / "client.sock").string();
    ::unlink(self_path.c_str());
    std::snprintf(self.sun_path, sizeof self.sun_path, "%s", self_path.c_str());
    sockaddr_un server{};
    server.sun_family = AF_UNIX;
    std::snprintf(server.sun_path, sizeof server.sun_path, "%s", (s.dir / "rpc.sock").c_str());
    std::string reply;
    int sndbuf = 4 * 1024 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&self), sizeof self) == 0 &&
        ::sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&server),
                 sizeof server) == static_cast<ssize_t>(request.size())) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 3000) == 1) {
            std::string buffer(1 << 20, '\0');
            ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
            if (n > 0)
                reply.assign(buffer.data(), static_cast<size_t>(n));
        }
    }
    ::close(fd);
    ::unlink(self_path.c_str());
    return reply;
}

/// A reply FIFO opened for reading before the request goes out, read until the server closes it or 3 s.
class reply_fifo {
public:
    explicit reply_fifo(fs::path path) : path_(std::move(path)) {
        ::unlink(path_.c_str());
        if (::mkfifo(path_.c_str(), 0600) != 0)
            throw std::runtime_error("mkfifo " + path_.string());
        fd_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK);
    }
    ~reply_fifo() {
        if (fd_ >= 0)
            ::close(fd_);
        ::unlink(path_.c_str());
    }
    /// What was written until the writer closed, or what came within the timeout.
    std::string read_all(std::chrono::milliseconds timeout = 3000ms) {
        std::string out;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        bool writer_seen = false;
        while (std::chrono::steady_clock::now() < deadline) {
            char buffer[65536];
            ssize_t n = ::read(fd_, buffer, sizeof buffer);
            if (n > 0) {
                out.append(buffer, static_cast<size_t>(n));
                writer_seen = true;
                continue;
            }
            if (n == 0 && writer_seen)
                break;
            std::this_thread::sleep_for(10ms);
        }
        return out;
    }

private:
    fs::path path_;
    int fd_ = -1;
};

void fifo_write(const scratch& s, std::string_view text) {
    int fd = ::open((s.dir / "rpc.fifo").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        ASSERT_GT(n, 0) << std::strerror(errno);
        done += static_cast<size_t>(n);
    }
    ::close(fd);
}

std::string fifo_call(const scratch& s, std::string_view request, std::string_view name = "r") {
    reply_fifo reply(s.dir / "tmp" / std::string(name));
    fifo_write(s, request);
    return reply.read_all();
}

/// Runs a shell command, returning its exit status and output (stdout and stderr).
std::pair<int, std::string> run(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr)
        return {-1, "popen failed"};
    std::array<char, 4096> buffer;
    size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        out.append(buffer.data(), n);
    int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// Debian's kamctl with its RPC engine on our FIFO: HOME gives it our .kamctlrc, CHROOT_DIR puts its reply
/// FIFO (/tmp/kamailio_receiver_PID under it) in our fifo_reply_dir.
std::pair<int, std::string> kamctl(const scratch& s, const std::string& args) {
    std::ofstream(s.dir / ".kamctlrc")
        << "CTLENGINE=RPCFIFO\nRPCFIFOPATH=" << (s.dir / "rpc.fifo").string() << "\n";
    return run("env HOME='" + s.dir.string() + "' CHROOT_DIR='" + s.dir.string() + "' timeout 20 kamctl " +
               args);
}

/// kamctl's output with runs of blanks made one blank and the request id (kamctl's pid) made N.
std::string normalised(const std::string& text) {
    std::string blanks = std::regex_replace(text, std::regex("[ \t]+"), " ");
    return std::regex_replace(blanks, std::regex("\"id\": [0-9]+"), "\"id\": N");
}

json reply_json(const std::string& text) {
    json doc = json::parse(text, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << text;
    return doc;
}

void expect_error(const std::string& reply, int code, std::string_view message_part) {
    json doc = reply_json(reply);
    ASSERT_TRUE(doc.is_object()) << reply;
    EXPECT_EQ(doc.value("jsonrpc", ""), "2.0") << reply;
    ASSERT_TRUE(doc.contains("error")) << reply;
    EXPECT_EQ(doc["error"].value("code", 0), code) << reply;
    EXPECT_NE(doc["error"].value("message", "").find(message_part), std::string::npos) << reply;
    EXPECT_FALSE(doc.contains("result")) << reply;
}

void expect_sip_served(const siphost::tests::inprocess_host& proxy) {
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:alive@127.0.0.1", uac), proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << "siphost stopped serving SIP";
    EXPECT_EQ(reply->status(), 200);
}

TEST(jsonrpcs_server, kamctl_rpc_over_the_fifo) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(s));

    // What Debian's kamctl printed for these against Kamailio 5.6.3 (white space runs made one space, the id
    // made N): siphost's replies must print the same. (Kamailio's tm.stats ends with "delayed_free", which
    // siphost's tm does not have: it frees at once.)
    auto [status, out] = kamctl(s, "rpc tm.stats");
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(normalised(out), "{\n"
                               " \"jsonrpc\": \"2.0\",\n"
                               " \"result\": {\n"
                               " \"current\": 0,\n"
                               " \"waiting\": 0,\n"
                               " \"total\": 0,\n"
                               " \"total_local\": 0,\n"
                               " \"rpl_received\": 0,\n"
                               " \"rpl_generated\": 0,\n"
                               " \"rpl_sent\": 0,\n"
                               " \"6xx\": 0,\n"
                               " \"5xx\": 0,\n"
                               " \"4xx\": 0,\n"
                               " \"3xx\": 0,\n"
                               " \"2xx\": 0,\n"
                               " \"created\": 0,\n"
                               " \"freed\": 0\n"
                               " },\n"
                               " \"id\": N\n"
                               "}\n")
        << out;

    auto [sl_status, sl_out] = kamctl(s, "rpc sl.stats");
    EXPECT_EQ(sl_status, 0) << sl_out;
    EXPECT_NE(normalised(sl_out).find(" \"404\": 0,\n"), std::string::npos) << sl_out;

    auto [bad_status, bad_out] = kamctl(s, "rpc no.such_method");
    EXPECT_EQ(normalised(bad_out), "{\n"
                                   " \"jsonrpc\": \"2.0\",\n"
                                   " \"error\": {\n"
                                   " \"code\": 500,\n"
                                   " \"message\": \"Method Not Found\"\n"
                                   " },\n"
                                   " \"id\": N\n"
                                   "}\n")
        << bad_out;

    auto [version_status, version_out] = kamctl(s, "rpc core.version");
    EXPECT_EQ(version_status, 0) << version_out;
    EXPECT_TRUE(std::regex_match(
        normalised(version_out),
        std::regex("\\{\n \"jsonrpc\": \"2.0\",\n \"result\": \"siphost [^\"\n]+\",\n \"id\": N\n\\}\n")))
        << version_out;

    // kamctl stats GROUP: stats.get_statistics "sl:", one "name = value" a line as kamctl splits the array.
    auto [stats_status, stats_out] = kamctl(s, "stats sl");
    EXPECT_EQ(stats_status, 0) << stats_out;
    EXPECT_TRUE(std::regex_match(normalised(stats_out),
                                 std::regex("\\{\n \"jsonrpc\": \"2.0\",\n \"result\": \\[\n"
                                            "( \"sl:[0-9a-zA-Z_]+ = [0-9]+\",\n)+"
                                            " \"sl:[0-9a-zA-Z_]+ = [0-9]+\"\n \\],\n \"id\": N\n\\}\n")))
        << stats_out;
    EXPECT_NE(stats_out.find("\"sl:sent_replies = 0\""), std::string::npos) << stats_out;

    // kamctl's reply FIFO was in fifo_reply_dir and is gone again.
    EXPECT_TRUE(fs::is_empty(s.dir / "tmp"));
    expect_sip_served(proxy);
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(jsonrpcs_server, replies_over_the_fifo_have_kamailios_shape) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(s, "modparam(\"jsonrpcs\", \"pretty_format\", 0)\n"));
    std::string reply =
        fifo_call(s, R"({"jsonrpc": "2.0", "method": "tm.stats", "reply_name": "r", "id": 12})"
                     "\n");
    // pretty_format 0: one line, as kamctl's filter expects it then.
    EXPECT_TRUE(std::regex_match(reply, std::regex(R"(\{"jsonrpc":"2.0","result":\{.*\},"id":12\}\n)")))
        << reply;
    json doc = reply_json(reply);
    EXPECT_EQ(doc["result"]["current"], 0);
    EXPECT_EQ(doc["id"], 12);

    // A string id comes back as it was; no id, no id in the reply (as Kamailio).
    json with_string = reply_json(fifo_call(s, R"({"method": "tm.stats", "reply_name": "r", "id": "abc"})"));
    EXPECT_EQ(with_string["id"], "abc");
    json without = reply_json(fifo_call(s, R"({"method": "tm.stats", "reply_name": "r"})"));
    EXPECT_FALSE(without.contains("id"));
    EXPECT_TRUE(without["result"].is_object());

    // Two requests in one write, each answered to its own FIFO.
    reply_fifo a(s.dir / "tmp" / "a");
    reply_fifo b(s.dir / "tmp" / "b");
    fifo_write(
        s,
        R"({"method": "tm.stats", "reply_name": "a", "id": 1}{"method": "sl.stats", "reply_name": "b", "id": 2})");
    EXPECT_EQ(reply_json(a.read_all())["id"], 1);
    EXPECT_EQ(reply_json(b.read_all())["id"], 2);
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(jsonrpcs_server, bad_input_over_the_datagram_socket_gets_error_replies) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(s));

    std::string ok = dgram_call(s, R"({"jsonrpc": "2.0", "method": "tm.stats", "id": 5})");
    json good = reply_json(ok);
    EXPECT_EQ(good["id"], 5);
    EXPECT_EQ(good["result"]["total"], 0);
    // pretty_format 1 by default: indented with tabs, as Kamailio's.
    EXPECT_NE(ok.find("{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t{\n\t\t\"current\":\t0,\n"),
              std::string::npos)
        << ok;
    EXPECT_NE(ok.find("\t\t\"freed\":\t0\n\t},\n\t\"id\":\t5\n}"), std::string::npos) << ok;

    expect_error(dgram_call(s, "this is not json"), -32700, "Parse Error");
    expect_error(dgram_call(s, R"({"jsonrpc": "2.0", "method": "tm.stats", "id": 6)"), -32700, "Parse Error");
    expect_error(dgram_call(s, R"({"jsonrpc": "2.0", "id": 7})"), -32600, "Invalid Request");
    expect_error(dgram_call(s, R"({"jsonrpc": "2.0", "method": "no.such", "id": 8})"), 500,
                 "Method Not Found");
    expect_error(dgram_call(s, R"({"jsonrpc": "2.0", "method": "tm.stats", "params": [{"x": 1}], "id": 9})"),
                 -32602, "Invalid Params");
    std::string deep = R"({"jsonrpc": "2.0", "method": "tm.stats", "id": 10, "params": [)" +
                       std::string(10000, '[') + std::string(10000, ']') + "]}";
    std::string deep_reply = dgram_call(s, deep);
    expect_error(deep_reply, -32600, "Too Deep");
    EXPECT_EQ(reply_json(deep_reply)["id"], 10);
    // Larger than a request datagram may be: refused unread.
    std::string large = R"({"jsonrpc": "2.0", "method": "tm.stats", "params": [")" +
                        std::string(200000, 'a') + R"("], "id": 11})";
    expect_error(dgram_call(s, large), -32600, "Too Large");
    // A handler's own fault keeps its code and text.
    expect_error(dgram_call(s, R"({"jsonrpc": "2.0", "method": "probe.fault", "id": 12})"), 400,
                 "bad parameter here");
    expect_sip_served(proxy);
    EXPECT_EQ(reply_json(dgram_call(s, R"({"method": "sl.stats", "id": 13})"))["id"], 13);
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(jsonrpcs_server, bad_input_over_the_fifo_is_answered_or_dropped) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(s));

    // Broken after reply_name: the error goes where it asked.
    expect_error(fifo_call(s, R"({"reply_name": "r", "id": 1, "method": "tm.stats", "params": [1 2]})"),
                 -32700, "Parse Error");
    std::string deep = R"({"reply_name": "r", "id": 2, "method": "tm.stats", "params": [)" +
                       std::string(10000, '[') + std::string(10000, ']') + "]}";
    expect_error(fifo_call(s, deep), -32600, "Too Deep");
    expect_error(fifo_call(s, R"({"reply_name": "r", "method": "tm.stats", "params": [true], "id": 3})"),
                 -32602, "Invalid Params");
    expect_error(fifo_call(s, R"({"reply_name": "r", "method": "no.such", "id": 4})"), 500,
                 "Method Not Found");

    // Truncated: the writer leaves it incomplete; it is dropped once idle, and the next request is served.
    fifo_write(s, R"({"jsonrpc": "2.0", "method": "tm.stats", "reply_name": "r", "id": 5)");
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(reply_json(fifo_call(s, R"({"method": "tm.stats", "reply_name": "r", "id": 6})"))["id"], 6);

    // 100 MB: read through and dropped (no reply: it is too large to be read), then the next one is served.
    {
        reply_fifo big_reply(s.dir / "tmp" / "big");
        std::string head = R"({"jsonrpc": "2.0", "method": "tm.stats", "reply_name": "big", "params": [")";
        std::thread writer([&] {
            int fd = ::open((s.dir / "rpc.fifo").c_str(), O_WRONLY);
            if (fd < 0)
                return;
            auto put = [&](std::string_view t) {
                size_t done = 0;
                while (done < t.size()) {
                    ssize_t n = ::write(fd, t.data() + done, t.size() - done);
                    if (n <= 0)
                        return;
                    done += static_cast<size_t>(n);
                }
            };
            put(head);
            std::string chunk(1 << 20, 'a');
            for (int i = 0; i < 100; ++i)
                put(chunk);
            put(R"("], "id": 7})");
            ::close(fd);
        });
        writer.join();
        EXPECT_EQ(big_reply.read_all(1500ms), "");
    }
    EXPECT_EQ(reply_json(fifo_call(s, R"({"method": "tm.stats", "reply_name": "r", "id": 8})"))["id"], 8);

    // Nothing is written outside fifo_reply_dir, even to a FIFO that waits there for it.
    {
        reply_fifo outside(s.dir / "escape");
        fifo_write(s, R"({"method": "tm.stats", "reply_name": "../escape", "id": 9})");
        EXPECT_EQ(outside.read_all(1500ms), "");
    }
    // Nor into a file that is not a FIFO.
    std::ofstream(s.dir / "tmp" / "plain") << "keep";
    fifo_write(s, R"({"method": "tm.stats", "reply_name": "plain", "id": 10})");
    EXPECT_EQ(reply_json(fifo_call(s, R"({"method": "tm.stats", "reply_name": "r", "id": 11})"))["id"], 11);
    std::ifstream plain(s.dir / "tmp" / "plain");
    std::string kept((std::istreambuf_iterator<char>(plain)), std::istreambuf_iterator<char>());
    EXPECT_EQ(kept, "keep");

    expect_sip_served(proxy);
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(jsonrpcs_server, parameters_and_result_shapes) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(s, "modparam(\"jsonrpcs\", \"pretty_format\", 0)\n"));
    // Integers stay integers, doubles reach the handler as their text, names of named params are ignored.
    EXPECT_EQ(dgram_call(s, R"({"method": "probe.echo", "params": ["a", 1, -7, 2.5], "id": 1})"),
              R"({"jsonrpc":"2.0","result":["s:a","i:1","i:-7","s:2.5"],"id":1})");
    EXPECT_EQ(dgram_call(s, R"({"method": "probe.echo", "params": {"z": "x", "a": 3}, "id": 2})"),
              R"({"jsonrpc":"2.0","result":["s:x","i:3"],"id":2})");
    EXPECT_EQ(dgram_call(s, R"({"method": "probe.echo", "id": 3})"),
              R"({"jsonrpc":"2.0","result":[],"id":3})");
    EXPECT_EQ(dgram_call(s, R"({"method": "probe.several", "id": 4})"),
              R"({"jsonrpc":"2.0","result":[1,"two"],"id":4})");
    EXPECT_EQ(dgram_call(s, R"({"method": "probe.none", "id": 5})"),
              R"({"jsonrpc":"2.0","result":{},"id":5})");
    EXPECT_EQ(dgram_call(s, R"({"method": "probe.nested", "id": 6})"),
              "{\"jsonrpc\":\"2.0\",\"result\":{\"items\":[{\"IDX\":0},{\"IDX\":1}],\"ratio\":0.5,"
              "\"raw\":\"a\xef\xbf\xbd"
              "b\"},\"id\":6}");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(jsonrpcs_server, pretty_replies_have_kamailios_layout) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(s));
    // As Kamailio 5.6.3 wrote core.psx: objects in an array one level deeper, ", " between them.
    EXPECT_EQ(
        dgram_call(s, R"({"method": "probe.nested", "id": "x"})"),
        "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t{\n\t\t\"items\":\t[{\n\t\t\t\t\"IDX\":\t0\n\t\t\t}, "
        "{\n\t\t\t\t\"IDX\":\t1\n\t\t\t}],\n\t\t\"ratio\":\t0.5,\n\t\t\"raw\":\t\"a\xef\xbf\xbd"
        "b\"\n\t},\n\t\"id\":\t\"x\"\n}");
    EXPECT_EQ(dgram_call(s, R"({"method": "probe.none", "id": 1})"),
              "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t{\n\t},\n\t\"id\":\t1\n}");
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(jsonrpcs_server, control_files_are_owner_only_by_default) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(s));
    struct stat st {};
    ASSERT_EQ(::stat((s.dir / "rpc.fifo").c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    ASSERT_EQ(::stat((s.dir / "rpc.sock").c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(proxy.stop(), 0);
    // Removed at shutdown.
    EXPECT_FALSE(fs::exists(s.dir / "rpc.fifo"));
    EXPECT_FALSE(fs::exists(s.dir / "rpc.sock"));
}

TEST(jsonrpcs_server, modes_as_the_config_writes_them) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(
        s, "modparam(\"jsonrpcs\", \"fifo_mode\", 0660)\nmodparam(\"jsonrpcs\", \"dgram_mode\", 0640)\n"));
    struct stat st {};
    ASSERT_EQ(::stat((s.dir / "rpc.fifo").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0660u);
    ASSERT_EQ(::stat((s.dir / "rpc.sock").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(jsonrpcs_server, jsonrpc_exec_from_the_script) {
    scratch s;
    siphost::tests::inprocess_host proxy(config(s));
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:exec@127.0.0.1", uac), proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status(), 200);
    EXPECT_EQ(reply->first_line(), "SIP/2.0 200 200 OK");
    uac.send(kit::request("OPTIONS", "sip:unknown@127.0.0.1", uac), proxy.port());
    auto failed = uac.receive();
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->status(), 500);
    EXPECT_EQ(failed->first_line(), "SIP/2.0 500 500 Method Not Found");
    EXPECT_EQ(proxy.stop(), 0);
}

} // namespace
