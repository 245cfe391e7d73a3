// Sends every RFC 4475 torture message to a running siphost and checks what comes out against VERDICTS.tsv:
// the reply the sender gets (the config answers to the source with force_rport, the core refuses malformed
// requests to the source) and what is relayed to the sink on 127.0.0.1:5090. siphost must stay up throughout.
//
// Run it only inside a network namespace that has nothing but loopback (torture.sh does): the messages name
// foreign hosts.
//
// usage: torture_runner SIPHOST MODULE_DIR CONFIG TESTDATA_DIR LOG_FILE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct verdict_row {
    std::string file;
    std::string expectation; ///< the "what a proxy that relays everything should do" column
};

/// What the runner accepts for one message: a set of reply codes, and whether relaying is allowed/required.
struct expected {
    std::set<int> replies;  ///< acceptable reply codes (empty: no reply expected)
    bool may_forward = false;
    bool must_forward = false;
    bool must_be_silent = false; ///< nothing may come back and nothing may be relayed
    bool may_be_silent = false;  ///< dropping it without an answer is acceptable too
};

expected expectation_of(const std::string& text) {
    expected e;
    auto has = [&](const char* s) { return text.find(s) != std::string::npos; };
    if (text.rfind("response:", 0) == 0) {
        e.must_be_silent = has("drop") && !has("relay per Via");
        return e; // a response whose top Via is not ours is dropped either way
    }
    if (text.rfind("forward", 0) == 0) {
        e.may_forward = true;
        e.must_forward = !has(" or 400");
        if (has(" or 400"))
            e.replies.insert(400);
        return e;
    }
    for (int code : {400, 404, 416, 420, 483, 501, 505})
        if (has(std::to_string(code).c_str()))
            e.replies.insert(code);
    e.may_forward = has("or forward") || has("or tolerate") || has("or strip");
    e.may_be_silent = has("or drop");
    return e;
}

std::vector<verdict_row> read_verdicts(const std::string& dir) {
    std::ifstream in(dir + "/VERDICTS.tsv");
    std::vector<verdict_row> rows;
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::vector<std::string> cols;
        std::stringstream ss(line);
        std::string col;
        while (std::getline(ss, col, '\t'))
            cols.push_back(col);
        if (cols.size() >= 4)
            rows.push_back({cols[0], cols[3]});
    }
    return rows;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

int bound_socket(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::perror("bind");
        std::exit(2);
    }
    return fd;
}

/// Every datagram that arrives on fd within the window, as received.
std::vector<std::string> drain(int fd, std::chrono::milliseconds window) {
    std::vector<std::string> got;
    auto until = std::chrono::steady_clock::now() + window;
    char buffer[65536];
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
            break;
        auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0)
            got.emplace_back(buffer, static_cast<size_t>(n));
    }
    return got;
}

int status_code(const std::string& reply) {
    if (reply.rfind("SIP/2.0 ", 0) != 0 || reply.size() < 11)
        return -1;
    return std::atoi(reply.substr(8, 3).c_str());
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::cerr << "usage: torture_runner SIPHOST MODULE_DIR CONFIG TESTDATA_DIR LOG_FILE\n";
        return 2;
    }
    std::string siphost = argv[1], modules = argv[2], config = argv[3], data = argv[4], log = argv[5];

    pid_t child = ::fork();
    if (child == 0) {
        std::FILE* out = std::freopen(log.c_str(), "w", stderr);
        (void)out;
        ::execl(siphost.c_str(), siphost.c_str(), "-DD", "-E", "-L", modules.c_str(), "-f", config.c_str(),
                static_cast<char*>(nullptr));
        std::perror("exec siphost");
        _exit(127);
    }
    int sink = bound_socket(5090);
    int sender = bound_socket(0);
    sockaddr_in proxy{};
    proxy.sin_family = AF_INET;
    proxy.sin_port = htons(5060);
    proxy.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    for (int i = 0; i < 100 && read_file(log).find("listening on") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));

    int failures = 0;
    auto rows = read_verdicts(data);
    for (const auto& row : rows) {
        auto bytes = read_file(data + "/" + row.file);
        ::sendto(sender, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&proxy), sizeof proxy);
        auto replies = drain(sender, std::chrono::milliseconds(250));
        auto relayed = drain(sink, std::chrono::milliseconds(50));
        auto want = expectation_of(row.expectation);

        std::string problem;
        std::set<int> codes;
        for (const auto& r : replies)
            codes.insert(status_code(r));
        bool replied_ok = false;
        for (int c : codes)
            replied_ok = replied_ok || want.replies.count(c) > 0;
        if (want.must_be_silent && (!replies.empty() || !relayed.empty()))
            problem = "expected silence";
        else if (want.must_forward && relayed.size() != 1)
            problem = "expected exactly one relayed request, got " + std::to_string(relayed.size());
        else if (!want.may_forward && !relayed.empty())
            problem = "relayed, but it must not be";
        else if (!want.replies.empty() && !replied_ok && !(want.may_forward && relayed.size() == 1) &&
                 !(want.may_be_silent && replies.empty() && relayed.empty()))
            problem = "no acceptable reply";
        else if (want.replies.empty() && !replies.empty() && status_code(replies.front()) >= 300)
            problem = "unexpected reply " + std::to_string(status_code(replies.front()));

        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) {
            std::cout << "FAIL: siphost died after " << row.file << "\n";
            return 1;
        }
        std::string seen = "replies:";
        for (int c : codes)
            seen += " " + std::to_string(c);
        seen += ", relayed: " + std::to_string(relayed.size());
        if (problem.empty()) {
            std::cout << "ok    " << row.file << " (" << seen << ")\n";
        } else {
            ++failures;
            std::cout << "FAIL: " << row.file << ": " << problem << " (" << seen << "); wanted: " << row.expectation
                      << "\n";
        }
    }
    ::kill(child, SIGINT);
    int status = 0;
    ::waitpid(child, &status, 0);
    std::cout << rows.size() - failures << " passed, " << failures << " failed\n";
    if (failures == 0 && rows.size() == 50)
        std::cout << "PASS: every RFC 4475 message handled as VERDICTS.tsv says, siphost stayed up\n";
    return failures == 0 && rows.size() == 50 ? 0 : 1;
}
