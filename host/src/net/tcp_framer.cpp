#include "net/tcp_framer.hpp"
#include "sip/chars.hpp"

#include <cctype>

namespace siphost::net {
namespace {

using sip::chars::iequals;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

/// An HTTP request line (xhttp): most HTTP clients send no Content-Length without a body, so its absence
/// means an empty body whatever tcp_accept_no_cl says. (An HTTP version the host does not serve is framed
/// all the same, so that it gets an HTTP error rather than a closed connection.)
bool is_http_request(std::string_view headers) {
    std::string_view line = headers.substr(0, headers.find("\r\n"));
    size_t last_sp = line.rfind(' ');
    return last_sp != std::string_view::npos && line.substr(last_sp + 1).starts_with("HTTP/");
}

} // namespace

long long find_content_length(std::string_view headers) {
    // Only the framing needs this one header before the message is parsed; the SIP parser reads it again.
    long long found = -1;
    size_t pos = headers.find("\r\n"); // the start line is no header
    while (pos != std::string_view::npos && pos + 2 < headers.size()) {
        size_t begin = pos + 2;
        size_t end = headers.find("\r\n", begin);
        std::string_view line = headers.substr(begin, end == std::string_view::npos ? end : end - begin);
        pos = end;
        if (line.empty() || line.front() == ' ' || line.front() == '\t')
            continue; // a folded continuation
        auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        std::string_view name = trim(line.substr(0, colon));
        if (!iequals(name, "content-length") && !iequals(name, "l"))
            continue;
        std::string_view value = trim(line.substr(colon + 1));
        if (value.empty() || value.size() > 9)
            return -2;
        long long number = 0;
        for (char c : value) {
            if (c < '0' || c > '9')
                return -2;
            number = number * 10 + (c - '0');
        }
        if (found >= 0 && found != number)
            return -2;
        found = number;
    }
    return found;
}

void tcp_framer::feed(std::string_view bytes) {
    if (failed_)
        return;
    if (start_ > 0 && start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    } else if (start_ > 4096 && start_ * 2 > buffer_.size()) {
        buffer_.erase(0, start_); // keeps the buffer from growing with a long-lived connection
        start_ = 0;
    }
    current_ = {};
    buffer_.append(bytes);
}

tcp_framer::kind tcp_framer::fail(std::string text) {
    failed_ = true;
    error_ = std::move(text);
    current_ = {};
    return kind::error;
}

tcp_framer::kind tcp_framer::next() {
    if (failed_)
        return kind::error;
    current_ = {};
    std::string_view rest(buffer_.data() + start_, buffer_.size() - start_);
    // Keepalives between messages.
    while (rest.starts_with("\r\n")) {
        if (rest.starts_with("\r\n\r\n")) {
            start_ += 4;
            return kind::ping;
        }
        if (rest.size() < 4 && std::string_view("\r\n\r\n").starts_with(rest))
            return kind::need_more; // may still become a ping
        start_ += 2;                // a pong, or a stray CRLF before a message
        rest.remove_prefix(2);
    }
    if (rest.empty())
        return kind::need_more;
    size_t end = rest.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (rest.size() > limits_.max_header_bytes)
            return fail("headers longer than " + std::to_string(limits_.max_header_bytes) + " bytes");
        return kind::need_more;
    }
    size_t header_bytes = end + 4;
    if (header_bytes > limits_.max_header_bytes)
        return fail("headers longer than " + std::to_string(limits_.max_header_bytes) + " bytes");
    long long length = find_content_length(rest.substr(0, end + 2));
    if (length == -2)
        return fail("a bad Content-Length");
    if (length == -1) {
        if (!limits_.accept_no_cl && !is_http_request(rest.substr(0, end)))
            return fail("a message without Content-Length");
        length = 0;
    }
    if (header_bytes + static_cast<size_t>(length) > limits_.max_message_bytes)
        return fail("a message longer than " + std::to_string(limits_.max_message_bytes) + " bytes");
    size_t total = header_bytes + static_cast<size_t>(length);
    if (rest.size() < total)
        return kind::need_more;
    current_ = rest.substr(0, total);
    start_ += total;
    return kind::message;
}

} // namespace siphost::net
