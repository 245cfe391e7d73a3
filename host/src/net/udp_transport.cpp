#include "net/udp_transport.hpp"

#include "core/log.hpp"

#include <boost/asio/ip/address.hpp>

#include <sys/socket.h>

#include <stdexcept>

namespace siphost::net {
namespace {

thread_local udp_worker* this_thread_worker = nullptr;

} // namespace

udp_transport::udp_transport(const std::vector<listen_spec>& listens, int children,
                             datagram_handler handler, int tcp_readers)
    : children_(children) {
    for (const auto& spec : listens) {
        if (spec.proto != "udp")
            throw std::runtime_error("listen=" + spec.proto + ":" + spec.host + ": only UDP is supported");
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(spec.host, ec);
        if (ec)
            throw std::runtime_error("listen=" + spec.host + ": not an IP address (" + ec.message() + ")");
        auto listen = std::make_unique<listening_socket>();
        listen->endpoint = udp_endpoint(address, spec.port);
        listen->host = address.to_string();
        listen->port = listen->endpoint.port();
        listen->index = listens_.size();
        listens_.push_back(std::move(listen));
    }
    for (int i = 0; i < children; ++i) {
        try {
            workers_.push_back(std::make_unique<udp_worker>(i, listens_, handler));
        } catch (const std::system_error& e) {
            std::string where = listens_.empty()
                                    ? std::string("udp")
                                    : listens_.front()->host + ":" + std::to_string(listens_.front()->port);
            throw std::runtime_error("cannot listen on " + where + ": " + e.code().message());
        }
        if (i == 0) {
            for (auto& listen : listens_) {
                listen->endpoint = workers_.front()->local_endpoint(listen->index);
                listen->port = listen->endpoint.port();
                bool v6 = listen->endpoint.address().is_v6();
                listen->name = "udp:" + (v6 ? "[" + listen->host + "]" : listen->host) + ":" +
                               std::to_string(listen->port);
            }
        }
    }
    const std::vector<std::unique_ptr<listening_socket>> none;
    for (int i = 0; i < tcp_readers; ++i)
        workers_.push_back(std::make_unique<udp_worker>(children + i, none, handler));
}

std::vector<boost::asio::io_context*> udp_transport::reader_loops() {
    std::vector<boost::asio::io_context*> loops;
    for (size_t i = static_cast<size_t>(children_); i < workers_.size(); ++i)
        loops.push_back(&workers_[i]->loop());
    return loops;
}

int udp_transport::current_reader() const {
    return this_thread_worker != nullptr && this_thread_worker->index() >= children_
               ? this_thread_worker->index() - children_
               : -1;
}

udp_transport::~udp_transport() {
    stop();
}

void udp_transport::start(const std::function<void(int worker)>& on_worker_start) {
    for (auto& worker : workers_) {
        threads_.emplace_back([this, w = worker.get(), on_worker_start] {
            this_thread_worker = w;
            core::set_thread_rank(w->index() + 1);
            if (on_worker_start)
                on_worker_start(w->index());
            w->run();
            this_thread_worker = nullptr;
        });
    }
}

void udp_transport::stop() {
    for (auto& worker : workers_)
        worker->stop();
    for (auto& thread : threads_)
        if (thread.joinable())
            thread.join();
    threads_.clear();
}

udp_worker* udp_transport::current_worker() {
    return this_thread_worker;
}

bool udp_transport::post(int worker, std::function<void()> task) {
    if (workers_.empty() || worker >= static_cast<int>(workers_.size()) || worker < -1)
        return false;
    if (worker < 0)
        worker = static_cast<int>(next_post_.fetch_add(1, std::memory_order_relaxed) % workers_.size());
    workers_[static_cast<std::size_t>(worker)]->post(std::move(task));
    return true;
}

bool udp_transport::send(const listening_socket* from, const udp_endpoint& to, std::string_view bytes) {
    if (from == nullptr) {
        for (const auto& listen : listens_) {
            if (listen->endpoint.address().is_v6() == to.address().is_v6()) {
                from = listen.get();
                break;
            }
        }
        if (from == nullptr)
            return false;
    }
    if (workers_.empty())
        return false;
    udp_worker* worker = this_thread_worker != nullptr && this_thread_worker->has_udp_sockets()
                             ? this_thread_worker
                             : workers_.front().get();
    // sendto on the descriptor is safe from any thread; Asio's socket object is not, so it is bypassed here.
    auto sent = ::sendto(worker->native_socket(from->index), bytes.data(), bytes.size(), MSG_DONTWAIT,
                         to.data(), static_cast<socklen_t>(to.size()));
    return sent == static_cast<ssize_t>(bytes.size());
}

} // namespace siphost::net
