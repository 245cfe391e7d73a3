// libFuzzer target: the message parser, every lazy accessor, the changes and the serializer on any bytes.
// Beyond "no crash, no read past the buffer", it checks one invariant: a valid request's forwarded copy and a
// valid reply's relayed copy parse again.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sip/message.hpp"
#include "sip/reply_destination.hpp"
#include "sip/serializer.hpp"
#include "sip/transaction_key.hpp"

using namespace siphost::sip;

namespace {

void require(bool condition) {
    if (!condition)
        std::abort();
}

void touch_everything(const message& m) {
    volatile std::size_t sink = 0;
    for (std::size_t i = 0; i < m.header_count(); ++i)
        sink = sink + m.line(m.header(i)).size() + m.value(m.header(i)).size();
    std::string_view v;
    for (std::string_view name : {"Via", "Contact", "X-Unknown", "Accept", "f"})
        for (uint32_t i = 0; i < 4 && m.header_value(name, i, v); ++i)
            sink = sink + v.size();
    if (auto c = m.contacts())
        for (const name_addr& a : *c)
            sink = sink + a.uri.host().size() + a.uri.param("transport").value_or("").size();
    if (auto r = m.routes())
        sink = sink + r->size();
    if (auto r = m.record_routes())
        sink = sink + r->size();
    for (header_kind k : {header_kind::require, header_kind::proxy_require, header_kind::supported})
        if (auto t = m.option_tags(k))
            sink = sink + t->size();
    uint32_t expires = 0;
    sink = sink + static_cast<std::size_t>(m.expires(expires));
    media_type type;
    sink = sink + static_cast<std::size_t>(m.content_type(type));
    sink = sink + transaction_hash(m) + make_rfc2543_key(m).call_id.size();
    if (auto d = reply_destination(m, 5062))
        sink = sink + d->port + is_unsafe_destination(d->host);
    (void)sink;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    message m;
    parse_result r = m.parse(bytes);
    require(r.ok() || !r.reason().empty());
    if (!m.indexed())
        return 0;
    touch_everything(m);

    std::vector<char> buf(size * 2 + 4096);
    write_result plain = write_message(m, buf);
    require(plain.ok());
    if (r.ok()) {
        // An unchanged valid message serialises to something that parses again.
        message again;
        require(again.parse(std::string_view(buf.data(), plain.size)).ok());
    }

    if (m.is_request()) {
        local_reply reply;
        reply.code = r.ok() ? 200 : r.reply_code;
        reply.to_tag = "fuzz-tag";
        reply.body = "b";
        write_result lr = write_local_reply(m, reply, buf);
        require(lr.ok() || lr.status == write_status::bad_argument);
    }

    // Changes, then the outgoing copies.
    m.add_header("X-Fuzz: 1", header_position::top);
    m.add_header("X-Fuzz: 2", header_position::after, "Via");
    m.add_header("X-Fuzz: 3", header_position::bottom);
    m.remove_header("Contact", 0);
    m.add_record_route("<sip:192.0.2.1;lr>");
    if (size % 3 == 0)
        m.set_body("replaced body");
    if (size % 5 == 0)
        m.set_request_uri("sip:new@example.com");
    if (m.is_request()) {
        write_result f =
            write_forwarded_request(m, via_spec{"UDP", "192.0.2.1", 5060, "z9hG4bKfuzz", ";rport"}, buf);
        require(f.ok() || f.status == write_status::conflicting_edits);
        if (f.ok() && r.ok()) {
            message forwarded;
            require(forwarded.parse(std::string_view(buf.data(), f.size)).ok());
            require(forwarded.via_count() == m.via_count() + 1);
        }
    } else {
        write_result f = write_relayed_reply(m, buf);
        require(f.ok() || f.status == write_status::no_via || f.status == write_status::conflicting_edits);
        if (f.ok() && r.ok()) {
            message relayed;
            require(relayed.parse(std::string_view(buf.data(), f.size)).ok());
            require(relayed.via_count() + 1 == m.via_count());
        }
    }
    message copy = m.clone();
    require(copy.indexed());
    return 0;
}
