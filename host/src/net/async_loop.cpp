#include "net/async_loop.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <future>

struct siphost_timer {
    explicit siphost_timer(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    siphost_timer_fn fn = nullptr;
    void* data = nullptr;
    /// 0 pending, 1 fired, 2 cancelled: whoever moves it from 0 first decides.
    std::atomic<int> state{0};
};

struct siphost_fd_watch {
    siphost_fd_watch(boost::asio::io_context& io, int fd) : descriptor(io, fd) {}
    ~siphost_fd_watch() {
        // The descriptor stays the module's: never close it here.
        descriptor.release();
    }
    boost::asio::posix::stream_descriptor descriptor;
    uint32_t events = 0;
    siphost_fd_fn fn = nullptr;
    void* data = nullptr;
    bool stopped = false; ///< loop thread only
};

namespace siphost::net {
namespace {

uint64_t now_ms() {
    auto since = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(since).count());
}

void arm(const std::shared_ptr<siphost_fd_watch>& watch);

void wait_for(const std::shared_ptr<siphost_fd_watch>& watch,
              boost::asio::posix::stream_descriptor::wait_type type, uint32_t event) {
    watch->descriptor.async_wait(type, [watch, event](const boost::system::error_code& ec) {
        if (ec || watch->stopped)
            return;
        watch->fn(watch->descriptor.native_handle(), event, watch->data);
        if (!watch->stopped)
            wait_for(watch, event == SIPHOST_FD_READ ? boost::asio::posix::stream_descriptor::wait_read
                                                     : boost::asio::posix::stream_descriptor::wait_write,
                     event);
    });
}

void arm(const std::shared_ptr<siphost_fd_watch>& watch) {
    if (watch->events & SIPHOST_FD_READ)
        wait_for(watch, boost::asio::posix::stream_descriptor::wait_read, SIPHOST_FD_READ);
    if (watch->events & SIPHOST_FD_WRITE)
        wait_for(watch, boost::asio::posix::stream_descriptor::wait_write, SIPHOST_FD_WRITE);
}

/// Watches are owned by the loop until unwatched; the ABI handle is the raw pointer.
std::mutex watches_mutex;
std::vector<std::shared_ptr<siphost_fd_watch>> watches;

void schedule_every(boost::asio::io_context& io, std::shared_ptr<boost::asio::steady_timer> timer,
                    std::chrono::milliseconds interval, siphost_timer_fn fn, void* data) {
    timer->expires_at(timer->expiry() + interval);
    timer->async_wait([&io, timer, interval, fn, data](const boost::system::error_code& ec) {
        if (ec)
            return;
        fn(now_ms(), data);
        schedule_every(io, timer, interval, fn, data);
    });
}

} // namespace

async_loop& async_loop::instance() {
    static async_loop loop;
    return loop;
}

async_loop::async_loop() : guard_(io_.get_executor()) {}

async_loop::~async_loop() { stop(); }

void async_loop::start(std::function<void()> on_start) {
    if (thread_.joinable())
        return;
    io_.restart();
    thread_ = std::thread([this, on_start = std::move(on_start)] {
        if (on_start)
            on_start();
        io_.run();
    });
}

void async_loop::stop() {
    guard_.reset();
    io_.stop();
    if (thread_.joinable())
        thread_.join();
    std::lock_guard lock(watches_mutex);
    watches.clear();
}

siphost_timer* async_loop::start_timer(uint32_t delay_ms, siphost_timer_fn fn, void* data) {
    if (fn == nullptr)
        return nullptr;
    auto timer = std::make_shared<siphost_timer>(io_);
    timer->fn = fn;
    timer->data = data;
    timer->timer.expires_after(std::chrono::milliseconds(delay_ms));
    timer->timer.async_wait([timer](const boost::system::error_code&) {
        int pending = 0;
        if (timer->state.compare_exchange_strong(pending, 1))
            timer->fn(now_ms(), timer->data);
    });
    return timer.get(); // the wait handler keeps it alive until it has run (fired or cancelled)
}

int async_loop::cancel_timer(siphost_timer* timer) {
    if (timer == nullptr)
        return 0;
    int pending = 0;
    if (!timer->state.compare_exchange_strong(pending, 2))
        return 0;
    // The asio timer belongs to the loop's thread: cancel it there, so that the handler runs (and frees it)
    // now rather than at its expiry.
    auto& io = static_cast<boost::asio::io_context&>(timer->timer.get_executor().context());
    boost::asio::post(io, [timer] { timer->timer.cancel(); });
    return 1;
}

void async_loop::every(uint32_t interval_ms, siphost_timer_fn fn, void* data) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::steady_clock::now());
    schedule_every(io_, timer, std::chrono::milliseconds(interval_ms), fn, data);
}

siphost_fd_watch* async_loop::watch(int fd, uint32_t events, siphost_fd_fn fn, void* data) {
    if (fd < 0 || fn == nullptr || (events & (SIPHOST_FD_READ | SIPHOST_FD_WRITE)) == 0)
        return nullptr;
    auto watch = std::make_shared<siphost_fd_watch>(io_, fd);
    watch->events = events;
    watch->fn = fn;
    watch->data = data;
    {
        std::lock_guard lock(watches_mutex);
        watches.push_back(watch);
    }
    boost::asio::post(io_, [watch] { arm(watch); });
    return watch.get();
}

void async_loop::unwatch(siphost_fd_watch* watch) {
    if (watch == nullptr)
        return;
    std::shared_ptr<siphost_fd_watch> owned;
    {
        std::lock_guard lock(watches_mutex);
        for (auto it = watches.begin(); it != watches.end(); ++it)
            if (it->get() == watch) {
                owned = *it;
                watches.erase(it);
                break;
            }
    }
    if (!owned)
        return;
    auto stop_it = [owned] {
        owned->stopped = true;
        boost::system::error_code ignored;
        owned->descriptor.cancel(ignored);
    };
    if (on_loop_thread() || !thread_.joinable()) {
        stop_it();
        return;
    }
    std::promise<void> done;
    boost::asio::post(io_, [&] {
        stop_it();
        done.set_value();
    });
    done.get_future().wait();
}

} // namespace siphost::net
