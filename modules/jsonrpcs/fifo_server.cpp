#include "fifo_server.hpp"

#include <siphost/module.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace siphost::modules::jsonrpcs {
namespace {

/// Writing to a FIFO whose reader left raises SIGPIPE, which would end the whole server: block it on this
/// thread for the write and take a pending one back before unblocking.
class sigpipe_guard {
public:
    sigpipe_guard() {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
    }
    ~sigpipe_guard() {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        timespec zero{};
        while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;

private:
    sigset_t old_{};
};

} // namespace

fifo_server::fifo_server(options opts, handler_fn handler, log_fn log)
    : opts_(std::move(opts)), handler_(std::move(handler)), log_(std::move(log)),
      reader_(
          opts_.max_size, [this](std::string_view document) { serve(document); },
          [this](std::string_view reason) {
              log_(SIPHOST_LOG_ERR, "FIFO " + opts_.path + ": request dropped: " + std::string(reason));
          }) {}

fifo_server::~fifo_server() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(opts_.path.c_str());
    }
}

bool fifo_server::open(std::string& error) {
    struct stat st {};
    if (::lstat(opts_.path.c_str(), &st) == 0) {
        if (!S_ISFIFO(st.st_mode)) {
            error = opts_.path + " exists and is not a FIFO";
            return false;
        }
        ::unlink(opts_.path.c_str());
    }
    if (::mkfifo(opts_.path.c_str(), 0600) != 0) {
        error = "cannot create FIFO " + opts_.path + ": " + std::strerror(errno);
        return false;
    }
    if (!opts_.owner.apply(opts_.path, error)) {
        ::unlink(opts_.path.c_str());
        return false;
    }
    // Read and write: no end-of-file when a writer closes, so the descriptor never reports a hang-up.
    fd_ = ::open(opts_.path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) {
        error = "cannot open FIFO " + opts_.path + ": " + std::strerror(errno);
        ::unlink(opts_.path.c_str());
        return false;
    }
    return true;
}

void fifo_server::poll() {
    if (fd_ < 0)
        return;
    char buffer[16384];
    // Bounded per call: a writer that never stops cannot hold the thread; the next call goes on.
    for (int round = 0; round < 256; ++round) {
        ssize_t n = ::read(fd_, buffer, sizeof buffer);
        if (n > 0) {
            last_read_ = std::chrono::steady_clock::now();
            reader_.feed(std::string_view(buffer, static_cast<size_t>(n)));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    if (reader_.pending() > 0 &&
        std::chrono::steady_clock::now() - last_read_ > std::chrono::milliseconds(opts_.stall_ms))
        reader_.end_of_stream();
}

std::string fifo_server::reply_path(const std::string& reply_dir, const std::string& reply_name,
                                    std::string& error) {
    // A bare name only: anything with a '/' (or "..") could leave the directory.
    if (reply_name.empty() || reply_name == "." || reply_name == ".." ||
        reply_name.find('/') != std::string::npos || reply_name.find('\0') != std::string::npos ||
        reply_name.size() > 255) {
        error = "reply_name '" + reply_name + "' is not a file name in " + reply_dir;
        return {};
    }
    std::string path = reply_dir;
    if (path.empty() || path.back() != '/')
        path.push_back('/');
    return path + reply_name;
}

void fifo_server::serve(std::string_view document) {
    std::string reply;
    std::string name;
    handler_(document, reply, name);
    if (name.empty()) {
        log_(SIPHOST_LOG_ERR, "FIFO " + opts_.path + ": request without reply_name: no reply sent");
        return;
    }
    // A line end after the document, for clients that read the FIFO by lines.
    write_reply(name, reply + "\n");
}

void fifo_server::write_reply(const std::string& name, const std::string& reply) {
    std::string error;
    std::string path = reply_path(opts_.reply_dir, name, error);
    if (path.empty()) {
        log_(SIPHOST_LOG_ERR, "FIFO " + opts_.path + ": reply refused: " + error);
        return;
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(opts_.reply_timeout_ms);
    // The client may not have opened its end yet (ENXIO): retry until the deadline, as Kamailio does.
    int out = -1;
    while (true) {
        out = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (out >= 0 || errno != ENXIO || std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (out < 0) {
        log_(SIPHOST_LOG_ERR,
             "FIFO " + opts_.path + ": cannot open reply FIFO " + path + ": " + std::strerror(errno));
        return;
    }
    struct stat st {};
    if (::fstat(out, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        ::close(out);
        log_(SIPHOST_LOG_ERR, "FIFO " + opts_.path + ": reply refused: " + path + " is not a FIFO");
        return;
    }
    sigpipe_guard guard;
    size_t done = 0;
    while (done < reply.size()) {
        ssize_t n = ::write(out, reply.data() + done, reply.size() - done);
        if (n > 0) {
            done += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                          std::chrono::steady_clock::now());
        if (n < 0 && errno == EAGAIN && left.count() > 0) {
            pollfd pfd{out, POLLOUT, 0};
            ::poll(&pfd, 1, static_cast<int>(left.count()));
            continue;
        }
        log_(SIPHOST_LOG_ERR, "FIFO " + opts_.path + ": reply to " + path +
                                  " not written whole: " + (n < 0 ? std::strerror(errno) : "timeout"));
        break;
    }
    ::close(out);
}

} // namespace siphost::modules::jsonrpcs
