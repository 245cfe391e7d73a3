#include "net/udp_worker.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "core/log.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/socket_base.hpp>

#include <sys/socket.h>

namespace siphost::net {
namespace {

using reuse_port = boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
constexpr int receive_buffer_bytes = 4 * 1024 * 1024; // absorbs bursts while a worker runs a slow script

} // namespace

udp_worker::bound_socket::bound_socket(boost::asio::io_context& io, const listening_socket& listen)
    : socket(io), listen(&listen) {
    socket.open(listen.endpoint.protocol());
    socket.set_option(reuse_port(true));
    socket.set_option(boost::asio::socket_base::reuse_address(true));
    boost::system::error_code ignored; // a smaller buffer than asked is not an error
    socket.set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer_bytes), ignored);
    if (listen.endpoint.address().is_v6())
        socket.set_option(boost::asio::ip::v6_only(true));
    socket.bind(listen.endpoint);
}

udp_worker::udp_worker(int index, const std::vector<std::unique_ptr<listening_socket>>& listens,
                       datagram_handler handler)
    : index_(index), handler_(std::move(handler)) {
    for (const auto& listen : listens)
        sockets_.push_back(std::make_unique<bound_socket>(io_, *listen));
}

void udp_worker::receive(bound_socket& bound) {
    bound.socket.async_receive_from(
        boost::asio::buffer(bound.buffer), bound.sender,
        [this, &bound](const boost::system::error_code& ec, size_t size) {
            if (ec == boost::asio::error::operation_aborted)
                return;
            if (!ec) {
                handler_(*this,
                         datagram{std::string_view(bound.buffer.data(), size), bound.sender, bound.listen});
            } else {
                core::log_host(SIPHOST_LOG_ERR, "net",
                               "receive on " + bound.listen->host + ":" + std::to_string(bound.listen->port) +
                                   " failed: " + ec.message());
            }
            receive(bound);
        });
}

void udp_worker::run() {
    for (auto& bound : sockets_)
        receive(*bound);
    // A worker with no UDP socket (listen=tcp:... only) still runs what the TCP side posts to it.
    auto work = boost::asio::make_work_guard(io_);
    io_.run();
}

void udp_worker::stop() {
    io_.stop();
}

void udp_worker::post(std::function<void()> task) {
    boost::asio::post(io_, std::move(task));
}

} // namespace siphost::net
