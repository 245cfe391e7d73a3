#pragma once
// What permissions' host tests share: a scratch directory, a SQLite file with Kamailio's schema
// (kamailio-sqlite-modules' standard-create.sql and permissions-create.sql, through libsqlite3), and a UDP
// peer on 127.0.0.2 (loopback too), to send from an address the tables do not hold.
#include <siphost/testkit.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace permissions_test {

namespace fs = std::filesystem;
namespace kit = siphost::testkit;

/// A directory removed at destruction.
class scratch {
public:
    scratch() {
        std::string pattern = (fs::temp_directory_path() / "permissions-test-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("cannot make a scratch directory");
        dir_ = pattern;
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    fs::path path(const std::string& name) const { return dir_ / name; }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name)) << text;
        return path(name).string();
    }

private:
    fs::path dir_;
};

/// A SQLite database file made from Kamailio's schema, with SQL run on it.
class sqlite_file {
public:
    explicit sqlite_file(const fs::path& path) : path_(path) {
        for (const char* name : {"standard-create.sql", "permissions-create.sql"}) {
            fs::path schema = fs::path("/usr/share/kamailio/db_sqlite") / name;
            if (!fs::exists(schema))
                throw std::runtime_error(schema.string() + " is missing: install kamailio-sqlite-modules");
            std::stringstream text;
            text << std::ifstream(schema).rdbuf();
            exec(text.str());
        }
    }
    void exec(const std::string& sql) const {
        sqlite3* db = nullptr;
        if (sqlite3_open(path_.c_str(), &db) != SQLITE_OK) {
            sqlite3_close(db);
            throw std::runtime_error("cannot open " + path_.string());
        }
        char* error = nullptr;
        int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
        std::string why = error != nullptr ? error : "";
        sqlite3_free(error);
        sqlite3_close(db);
        if (rc != SQLITE_OK)
            throw std::runtime_error("sqlite: " + why + " in: " + sql);
    }
    std::string url() const { return "sqlite:///" + path_.string(); }

private:
    fs::path path_;
};

/// A UDP socket on 127.0.0.2 that sends the test kit's requests with its own Via.
class other_peer {
public:
    other_peer() {
        fd_ = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        inet_pton(AF_INET, "127.0.0.2", &a.sin_addr);
        socklen_t len = sizeof a;
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot bind a UDP socket on 127.0.0.2");
        port_ = ntohs(a.sin_port);
    }
    ~other_peer() { close(fd_); }
    other_peer(const other_peer&) = delete;
    other_peer& operator=(const other_peer&) = delete;

    /// Sends text made by kit::request from `model` with its Via rewritten to this socket.
    void send(std::string text, const kit::peer& model, uint16_t to_port) {
        std::string from = "127.0.0.1:" + std::to_string(model.port());
        size_t at = text.find(from);
        if (at != std::string::npos)
            text.replace(at, from.size(), "127.0.0.2:" + std::to_string(port_));
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(to_port);
        inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
        sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }
    std::optional<kit::message> receive(int timeout_ms = 2000) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) != 1)
            return std::nullopt;
        char buffer[65536];
        ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0)
            return std::nullopt;
        return kit::message(std::string(buffer, static_cast<size_t>(n)));
    }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

/// The request_route of the tests: the user part picks the function, X- headers give its arguments, and
/// the reply's reason carries "rc <return code> tag <$avp(tag)>".
inline std::string routes() {
    std::string out = "request_route {\n";
    auto branch = [&](const std::string& user, const std::string& call) {
        out += "    if ($rU == \"" + user + "\") {\n        " + call +
               ";\n        sl_send_reply(\"200\", \"rc $rc tag $avp(tag)\");\n        exit;\n    }\n";
    };
    branch("src", "allow_source_address()");
    branch("src2", "allow_source_address(\"2\")");
    branch("srcg", "allow_source_address(\"$hdr(X-Group)\")");
    branch("addr", "allow_address(\"$hdr(X-Group)\", \"$hdr(X-IP)\", \"$hdr(X-Port)\")");
    branch("srcgrp", "allow_source_address_group()");
    branch("grp", "allow_address_group(\"$hdr(X-IP)\", \"$hdr(X-Port)\")");
    branch("trusted", "allow_trusted()");
    branch("trusted2", "allow_trusted(\"$hdr(X-IP)\", \"$hdr(X-Proto)\")");
    branch("trusted3", "allow_trusted(\"$hdr(X-IP)\", \"$hdr(X-Proto)\", \"$hdr(X-URI)\")");
    out += "    sl_send_reply(\"404\", \"no such test\");\n}\n";
    return out;
}

/// The reason of the reply to a request for user, with headers: "rc 1 tag x" ("" when none came).
inline std::string ask(kit::peer& uac, uint16_t port, const std::string& user,
                       const std::string& headers = "", const std::string& from_uri = "sip:alice@127.0.0.1") {
    kit::request_options options;
    options.extra_headers = headers;
    options.from_uri = from_uri;
    uac.send(kit::request("OPTIONS", "sip:" + user + "@127.0.0.1", uac, options), port);
    auto reply = uac.receive();
    if (!reply)
        return "";
    std::string line = reply->first_line();
    size_t at = line.find("rc ");
    return at == std::string::npos ? line : line.substr(at);
}

} // namespace permissions_test
