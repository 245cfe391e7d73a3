// The test kit (siphost/testkit.hpp): the real siphost as a child process, and loopback UDP peers.
#include <siphost/testkit.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

namespace siphost::testkit {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// RFC 3261 7.3.3's compact forms (and RFC 3515's, 4028's, 3841's) to the full name.
std::string_view full_name(std::string_view name) {
    if (name.size() != 1)
        return name;
    switch (std::tolower(static_cast<unsigned char>(name[0]))) {
    case 'v':
        return "Via";
    case 'f':
        return "From";
    case 't':
        return "To";
    case 'i':
        return "Call-ID";
    case 'm':
        return "Contact";
    case 'l':
        return "Content-Length";
    case 'c':
        return "Content-Type";
    case 'k':
        return "Supported";
    case 's':
        return "Subject";
    case 'e':
        return "Content-Encoding";
    case 'o':
        return "Event";
    case 'r':
        return "Refer-To";
    case 'u':
        return "Allow-Events";
    case 'x':
        return "Session-Expires";
    default:
        return name;
    }
}

bool is_list_header(std::string_view name) {
    return same_name(name, "Via") || same_name(name, "Route") || same_name(name, "Record-Route") ||
           same_name(name, "Contact");
}

/// Splits a list header's value at commas outside quotes and angle brackets.
void split_list(std::string_view value, std::vector<std::string>& out) {
    bool quoted = false;
    int angle = 0;
    size_t start = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '<') {
            ++angle;
        } else if (c == '>' && angle > 0) {
            --angle;
        } else if (c == ',' && angle == 0) {
            out.emplace_back(trim(value.substr(start, i - start)));
            start = i + 1;
        }
    }
    out.emplace_back(trim(value.substr(start)));
}

/// The header section's lines (after the first line, before the blank one), folded lines joined.
std::vector<std::pair<std::string, std::string>> header_lines(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t pos = text.find("\r\n");
    while (pos != std::string::npos) {
        pos += 2;
        size_t end = text.find("\r\n", pos);
        if (end == std::string::npos || end == pos)
            break;
        std::string_view line(text.data() + pos, end - pos);
        if ((line.front() == ' ' || line.front() == '\t') && !out.empty()) {
            out.back().second += " ";
            out.back().second += trim(line);
        } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
            out.emplace_back(std::string(trim(line.substr(0, colon))),
                             std::string(trim(line.substr(colon + 1))));
        }
        pos = end;
    }
    return out;
}

std::string unique_token() {
    static std::atomic<unsigned> counter{0};
    return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1) + 1) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
}

uint16_t free_udp_port() {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "testkit: socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        int error = errno;
        ::close(fd);
        throw std::system_error(error, std::generic_category(), "testkit: finding a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string make_scratch_directory() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/siphost-testkit." +
                          std::string(6, 'X'); // mkdtemp's template
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::system_error(errno, std::generic_category(), "testkit: mkdtemp " + pattern);
    return pattern;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string write_config(const std::string& dir, std::string_view config, const host_options& options,
                         uint16_t port) {
    std::string path = dir + "/siphost.cfg";
    std::ofstream out(path, std::ios::binary);
    if (options.add_listen)
        out << "listen=udp:127.0.0.1:" << port << "\n";
    out << config << "\n";
    if (!out)
        throw std::runtime_error("testkit: cannot write " + path);
    return path;
}

std::vector<std::string> command_line(const host_options& options, const std::string& config_path,
                                      bool check) {
    std::vector<std::string> args{options.binary};
    if (check)
        args.push_back("-c");
    else
        args.insert(args.end(), {"-DD", "-E"});
    if (!options.module_dirs.empty()) {
        std::string joined;
        for (const auto& dir : options.module_dirs)
            joined += (joined.empty() ? "" : ":") + dir;
        args.insert(args.end(), {"-L", joined});
    }
    args.insert(args.end(), {"-f", config_path});
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    return args;
}

/// Starts args[0] with stdout and stderr into log_path; the child dies with the test process.
int spawn(const std::vector<std::string>& args, const std::string& log_path) {
    std::vector<char*> argv;
    for (const auto& arg : args)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0)
        throw std::system_error(errno, std::generic_category(), "testkit: " + log_path);
    pid_t pid = ::fork();
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
        ::execv(argv[0], argv.data());
        static const char failed[] = "testkit: cannot execute the siphost binary\n";
        [[maybe_unused]] auto ignored = ::write(2, failed, sizeof failed - 1);
        ::_exit(127);
    }
    int error = errno;
    ::close(log_fd);
    if (pid < 0)
        throw std::system_error(error, std::generic_category(), "testkit: fork");
    return pid;
}

/// True when a UDP socket is bound to 127.0.0.1:port or to any address on port, as /proc/net/udp (of this
/// network namespace) shows. Probing with bind() instead could take the port from siphost.
bool udp_port_bound(uint16_t port) {
    for (const char* table : {"/proc/net/udp", "/proc/net/udp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line); // the column names
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local;
            fields >> slot >> local;
            size_t colon = local.rfind(':');
            if (colon != std::string::npos && std::stoul(local.substr(colon + 1), nullptr, 16) == port)
                return true;
        }
    }
    return false;
}

int exit_status_of(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

/// Waits for pid up to timeout; its exit status, or nullopt when it still runs.
std::optional<int> wait_exit(int pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return exit_status_of(status);
        if (done < 0 && errno != EINTR)
            return -1;
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        std::this_thread::sleep_for(10ms);
    }
}

} // namespace

namespace detail {
std::vector<std::string> split_path(const std::string& colon_separated) {
    std::vector<std::string> out;
    std::string_view rest = colon_separated;
    while (!rest.empty()) {
        size_t colon = rest.find(':');
        std::string_view part = rest.substr(0, colon);
        if (!part.empty())
            out.emplace_back(part);
        if (colon == std::string_view::npos)
            break;
        rest.remove_prefix(colon + 1);
    }
    return out;
}
} // namespace detail

// ---- message

std::string message::first_line() const {
    return text_.substr(0, text_.find("\r\n"));
}

bool message::is_request() const {
    return text_.rfind("SIP/2.0 ", 0) != 0;
}

int message::status() const {
    if (is_request() || text_.size() < 11)
        return 0;
    return std::atoi(text_.c_str() + 8);
}

std::string message::method() const {
    if (is_request())
        return text_.substr(0, text_.find(' '));
    auto cseq = header("CSeq");
    if (!cseq)
        return "";
    std::string_view value = *cseq;
    size_t space = value.find(' ');
    return std::string(trim(space == std::string_view::npos ? std::string_view{} : value.substr(space + 1)));
}

std::string message::request_uri() const {
    if (!is_request())
        return "";
    std::string line = first_line();
    size_t first = line.find(' ');
    size_t last = line.rfind(' ');
    return first == std::string::npos || last <= first ? "" : line.substr(first + 1, last - first - 1);
}

std::vector<std::string> message::headers(std::string_view name) const {
    std::vector<std::string> out;
    std::string_view wanted = full_name(name);
    for (const auto& [n, v] : header_lines(text_)) {
        if (!same_name(full_name(n), wanted))
            continue;
        if (is_list_header(wanted))
            split_list(v, out);
        else
            out.push_back(v);
    }
    return out;
}

std::optional<std::string> message::header(std::string_view name, size_t index) const {
    auto all = headers(name);
    if (index >= all.size())
        return std::nullopt;
    return all[index];
}

std::string message::body() const {
    size_t end = text_.find("\r\n\r\n");
    return end == std::string::npos ? "" : text_.substr(end + 4);
}

// ---- peer

peer::peer(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(), "testkit: socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        int error = errno;
        ::close(fd_);
        throw std::system_error(error, std::generic_category(),
                                "testkit: binding a peer to 127.0.0.1:" + std::to_string(port));
    }
    port_ = ntohs(addr.sin_port);
}

peer::~peer() {
    if (fd_ >= 0)
        ::close(fd_);
}

void peer::send(std::string_view text, uint16_t to_port) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(to_port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::sendto(fd_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
        throw std::system_error(errno, std::generic_category(),
                                "testkit: sendto port " + std::to_string(to_port));
}

std::optional<message> peer::receive(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          std::chrono::steady_clock::now());
        pollfd ready{fd_, POLLIN, 0};
        int n = ::poll(&ready, 1, static_cast<int>(std::max<long long>(0, left.count())));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return std::nullopt;
        std::string buffer(65536, '\0');
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t got =
            ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (got < 0)
            return std::nullopt;
        buffer.resize(static_cast<size_t>(got));
        return message(std::move(buffer), ntohs(from.sin_port));
    }
}

std::vector<message> peer::drain(std::chrono::milliseconds quiet) {
    std::vector<message> out;
    while (out.size() < 1000) {
        auto next = receive(quiet);
        if (!next)
            break;
        out.push_back(std::move(*next));
    }
    return out;
}

void peer::reply(const message& request, int code, std::string_view reason, std::string_view to_tag,
                 std::string_view extra_headers) {
    std::string text = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
    for (const auto& via : request.headers("Via"))
        text += "Via: " + via + "\r\n";
    text += "From: " + request.header("From").value_or("") + "\r\n";
    std::string to = request.header("To").value_or("");
    if (!to_tag.empty() && to.find(";tag=") == std::string::npos)
        to += ";tag=" + std::string(to_tag);
    text += "To: " + to + "\r\n";
    text += "Call-ID: " + request.header("Call-ID").value_or("") + "\r\n";
    text += "CSeq: " + request.header("CSeq").value_or("") + "\r\n";
    text += std::string(extra_headers);
    text += "Content-Length: 0\r\n\r\n";
    send(text, request.from_port());
}

std::string request(std::string_view method, std::string_view request_uri, const peer& from,
                    const request_options& options) {
    std::string token = unique_token();
    std::string call_id = options.call_id.empty() ? "kit-" + token + "@127.0.0.1" : options.call_id;
    std::string to = options.to_uri.empty() ? std::string(request_uri) : options.to_uri;
    std::string text = std::string(method) + " " + std::string(request_uri) + " SIP/2.0\r\n";
    text +=
        "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(from.port()) + ";branch=z9hG4bK-kit-" + token + "\r\n";
    text += "Max-Forwards: 70\r\n";
    text += "From: <" + options.from_uri + ">;tag=kit-" + token + "\r\n";
    text += "To: <" + to + ">\r\n";
    text += "Call-ID: " + call_id + "\r\n";
    text += "CSeq: " + std::to_string(options.cseq) + " " + std::string(method) + "\r\n";
    text += options.extra_headers;
    text += "Content-Length: " + std::to_string(options.body.size()) + "\r\n\r\n";
    text += options.body;
    return text;
}

// ---- host

host::host(std::string_view config, host_options options) {
    dir_ = make_scratch_directory();
    log_path_ = dir_ + "/siphost.log";
    try {
        port_ = options.port != 0 ? options.port : free_udp_port();
        std::string config_path = write_config(dir_, config, options, port_);
        pid_ = spawn(command_line(options, config_path, false), log_path_);
        auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
        // Ready once its socket is bound: datagrams sent from then on wait in the socket for a worker.
        while (!udp_port_bound(port_)) {
            if (auto status = wait_exit(pid_, 0ms)) {
                pid_ = -1;
                throw start_error("siphost exited with status " + std::to_string(*status) +
                                  " before it listened; its log:\n" + log());
            }
            if (std::chrono::steady_clock::now() >= deadline)
                throw start_error("siphost did not say it listens within the start timeout; its log:\n" +
                                  log());
            std::this_thread::sleep_for(10ms);
        }
    } catch (...) {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw;
    }
}

host::~host() {
    stop();
    std::error_code ignored;
    if (std::getenv("SIPHOST_TESTKIT_KEEP") == nullptr)
        std::filesystem::remove_all(dir_, ignored);
}

std::string host::log() const {
    return read_file(log_path_);
}

bool host::wait_for_log(std::string_view text, std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (log().find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

std::optional<int64_t> host::counter(std::string_view name) const {
    std::string text = log();
    size_t line = text.rfind("counters:");
    if (line == std::string::npos)
        return std::nullopt;
    size_t end = text.find('\n', line);
    std::string_view counters =
        std::string_view(text).substr(line, end == std::string::npos ? end : end - line);
    std::string key = " " + std::string(name) + "=";
    size_t at = counters.find(key);
    if (at == std::string_view::npos)
        return std::nullopt;
    std::string_view digits = counters.substr(at + key.size());
    digits = digits.substr(0, digits.find(' '));
    int64_t value = 0;
    auto [last, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || last != digits.data() + digits.size())
        return std::nullopt;
    return value;
}

int host::stop() {
    if (pid_ < 0)
        return exit_status_;
    ::kill(pid_, SIGINT);
    auto status = wait_exit(pid_, 10000ms);
    if (!status) {
        ::kill(pid_, SIGKILL);
        status = wait_exit(pid_, 5000ms);
        status = -1;
    }
    exit_status_ = *status;
    pid_ = -1;
    return exit_status_;
}

check_result host::check(std::string_view config, host_options options) {
    std::string dir = make_scratch_directory();
    check_result result;
    try {
        std::string config_path = write_config(dir, config, options, options.port != 0 ? options.port : 5060);
        std::string log_path = dir + "/check.log";
        int pid = spawn(command_line(options, config_path, true), log_path);
        auto status = wait_exit(pid, 60000ms);
        if (!status) {
            ::kill(pid, SIGKILL);
            wait_exit(pid, 5000ms);
        }
        result.exit_status = status.value_or(-1);
        result.output = read_file(log_path);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
        throw;
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    return result;
}

} // namespace siphost::testkit
