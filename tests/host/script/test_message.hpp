#pragma once
// Real messages for the interpreter's tests: a request or reply written as SIP text from a few fields, parsed
// by the host's parser into the host's own siphost_msg (message/message_context.hpp), as if it had arrived on
// udp:127.0.0.1:5060. The fields are read once, when the message is first used (handle()/msg()); after
// that the message is changed as the host changes it.
//
// Log lines end up in script_log(): the test modules' xlog-like commands add "level|<script>|text", and
// the interpreter tests' harness sends the host's own lines there too (script_harness.hpp).

#include "message/message_context.hpp"

#include <boost/asio/ip/address.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace siphost::test {

inline std::vector<std::string>& script_log() {
    static std::vector<std::string> lines;
    return lines;
}

/// The socket test messages arrive on.
inline const net::listening_socket& test_socket() {
    static const net::listening_socket socket = [] {
        net::listening_socket s;
        s.endpoint = net::udp_endpoint(boost::asio::ip::make_address("127.0.0.1"), 5060);
        s.host = "127.0.0.1";
        s.port = 5060;
        s.name = "udp:127.0.0.1:5060";
        return s;
    }();
    return socket;
}

struct test_message {
    bool request = true;
    std::string method = "INVITE";
    std::string ruri = "sip:bob@example.com:5080;transport=udp";
    int status = 0;
    std::string reason;
    std::string call_id = "call-1@host";
    std::string from_uri = "sip:alice@atlanta.example.com";
    std::string from_tag = "ftag1";
    std::string to_uri = "sip:bob@biloxi.example.com";
    std::string to_tag;
    std::uint32_t cseq = 1;
    std::string cseq_method; ///< empty: the method
    std::string extra_headers;
    std::string body;
    std::string source_ip = "127.0.0.1";
    std::uint16_t source_port = 5062;

    /// Turns the fields into a reply to a request of for_method.
    void make_reply(int code, std::string text, std::string for_method) {
        request = false;
        status = code;
        reason = std::move(text);
        method = for_method;
        cseq_method = std::move(for_method);
    }

    /// The SIP text the fields describe.
    std::string text() const {
        std::string t = request ? method + " " + ruri + " SIP/2.0\r\n"
                                : "SIP/2.0 " + std::to_string(status) + " " + reason + "\r\n";
        t += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
             "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\r\n";
        t += "From: <" + from_uri + ">;tag=" + from_tag + "\r\n";
        t += "To: <" + to_uri + ">" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
        t += "Call-ID: " + call_id + "\r\n";
        t += "CSeq: " + std::to_string(cseq) + " " + (cseq_method.empty() ? method : cseq_method) + "\r\n";
        t += "Max-Forwards: 70\r\n";
        t += extra_headers;
        t += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        return t;
    }

    siphost_msg& msg() {
        if (!parsed_) {
            parsed_ = std::make_unique<siphost_msg>();
            if (!parsed_->sip.parse_copy(text()).ok())
                throw std::invalid_argument("the host's parser refuses the test message:\n" + text());
            parsed_->id = siphost_msg::next_id();
            parsed_->source = net::udp_endpoint(boost::asio::ip::make_address(source_ip), source_port);
            parsed_->socket = &test_socket();
        }
        return *parsed_;
    }
    siphost_msg* handle() { return &msg(); }

    /// The text of every insertion recorded on the message (added headers), in order.
    std::vector<std::string> inserted() {
        std::vector<std::string> out;
        const auto& edits = msg().sip.edits();
        for (const auto& e : edits.edits())
            out.emplace_back(edits.text(e));
        return out;
    }

private:
    std::unique_ptr<siphost_msg> parsed_;
};

} // namespace siphost::test
