// The host table's message functions: thin calls into sip::message and the context around it.
#include "abi/host_table.hpp"
#include "message/message_context.hpp"

#include "net/socket_address.hpp"

#include <memory>

namespace siphost::abi {
namespace {

using flow::from_handle;
using flow::to_handle;
using flow::to_str;
using flow::view;

siphost_str empty_str() {
    return {"", 0};
}

int msg_is_request(const siphost_msg* m) {
    return m->sip.is_request() ? 1 : 0;
}
siphost_str msg_method(const siphost_msg* m) {
    return to_str(m->sip.method());
}
int msg_status(const siphost_msg* m) {
    return m->sip.is_request() ? 0 : m->sip.status_code();
}
siphost_str msg_reason(const siphost_msg* m) {
    return to_str(m->sip.reason_phrase());
}
siphost_str msg_ruri(const siphost_msg* m) {
    return m->sip.is_request() ? to_str(m->sip.current_request_uri()) : empty_str();
}
siphost_str msg_original_ruri(const siphost_msg* m) {
    return to_str(m->sip.request_uri());
}
siphost_str msg_dst_uri(const siphost_msg* m) {
    return to_str(m->dst_uri);
}

int msg_header(const siphost_msg* m, siphost_str name, uint32_t index, siphost_str* value) {
    std::string_view out;
    if (!m->sip.header_value(view(name), index, out))
        return 0;
    *value = to_str(out);
    return 1;
}

int msg_header_at(const siphost_msg* m, size_t i, siphost_str* name, siphost_str* value) {
    if (i >= m->sip.header_count())
        return 0;
    const auto& h = m->sip.header(i);
    *name = to_str(m->sip.name(h));
    *value = to_str(m->sip.value(h));
    return 1;
}

siphost_str msg_body(const siphost_msg* m) {
    return to_str(m->sip.body());
}
siphost_str msg_call_id(const siphost_msg* m) {
    return to_str(m->sip.call_id());
}
int msg_cseq(const siphost_msg* m, uint32_t* number, siphost_str* method) {
    if (m->sip.cseq().method.empty())
        return -1;
    *number = m->sip.cseq().number;
    *method = to_str(m->sip.cseq().method);
    return 0;
}
siphost_str msg_from_uri(const siphost_msg* m) {
    return to_str(m->sip.from().uri_text);
}
siphost_str msg_from_tag(const siphost_msg* m) {
    return to_str(m->sip.from().tag);
}
siphost_str msg_to_uri(const siphost_msg* m) {
    return to_str(m->sip.to().uri_text);
}
siphost_str msg_to_tag(const siphost_msg* m) {
    return to_str(m->sip.to().tag);
}

siphost_str msg_via_branch(const siphost_msg* m, uint32_t index) {
    const auto* v = m->sip.via_at(index);
    return v == nullptr ? empty_str() : to_str(v->branch);
}
int msg_via_sent_by(const siphost_msg* m, uint32_t index, siphost_str* host, uint16_t* port) {
    const auto* v = m->sip.via_at(index);
    if (v == nullptr)
        return -1;
    *host = to_str(v->host);
    *port = v->port;
    return 0;
}
uint32_t msg_via_count(const siphost_msg* m) {
    return static_cast<uint32_t>(m->sip.via_count());
}

int msg_source(const siphost_msg* m, siphost_dest* out) {
    if (m->socket == nullptr || out == nullptr || out->struct_size < sizeof(siphost_dest))
        return -1;
    net::set_address(*out, m->source);
    out->proto = m->proto;
    out->flags = 0;
    out->conn_id = m->conn_id;
    out->socket = to_handle(m->socket);
    return 0;
}
int msg_destination(const siphost_msg* m, siphost_dest* out) {
    if (m->socket == nullptr || out == nullptr || out->struct_size < sizeof(siphost_dest))
        return -1;
    net::set_address(*out, m->socket->endpoint);
    out->proto = m->proto;
    out->flags = 0;
    out->conn_id = m->conn_id;
    out->socket = to_handle(m->socket);
    return 0;
}
siphost_socket* msg_socket(const siphost_msg* m) {
    return to_handle(m->socket);
}
siphost_socket* msg_send_socket(const siphost_msg* m) {
    return to_handle(m->send_socket);
}
int msg_set_send_socket(siphost_msg* m, siphost_socket* socket) {
    if (!m->sip.is_request())
        return -1;
    m->send_socket = from_handle(socket);
    return 0;
}
siphost_str msg_raw(const siphost_msg* m) {
    return to_str(m->sip.raw());
}
uint64_t msg_flags(const siphost_msg* m) {
    return m->flags;
}
void msg_set_flags(siphost_msg* m, uint64_t flags) {
    m->flags = flags;
}

int msg_set_max_forwards(siphost_msg* m, uint32_t value) {
    if (!m->sip.is_request())
        return -1;
    m->sip.set_max_forwards(value);
    return 0;
}

int msg_add_header(siphost_msg* m, siphost_str text, int position, siphost_str anchor) {
    if (position < SIPHOST_HDR_BOTTOM || position > SIPHOST_HDR_BEFORE || text.len == 0)
        return -1;
    return m->sip.add_header(view(text), static_cast<sip::header_position>(position), view(anchor)) ? 0 : -1;
}
int msg_remove_header(siphost_msg* m, siphost_str name, int32_t index) {
    return m->sip.remove_header(view(name), index);
}
int msg_replace(siphost_msg* m, size_t offset, size_t len, siphost_str text) {
    return m->sip.replace(offset, len, view(text)) ? 0 : -1;
}
int msg_set_ruri(siphost_msg* m, siphost_str uri) {
    return m->set_request_uri(view(uri)) ? 0 : -1;
}
int msg_set_dst_uri(siphost_msg* m, siphost_str uri) {
    m->dst_uri.assign(view(uri));
    return 0;
}

siphost_msg* msg_clone(const siphost_msg* m) {
    auto copy = std::make_unique<siphost_msg>();
    copy->sip = m->sip.clone();
    copy->source = m->source;
    copy->socket = m->socket;
    copy->proto = m->proto;
    copy->conn_id = m->conn_id;
    copy->id = m->id;
    copy->flags = m->flags;
    copy->ruri_branch_flags = m->ruri_branch_flags;
    copy->ruri_branch = m->ruri_branch;
    copy->dst_uri = m->dst_uri;
    copy->rport_forced = m->rport_forced;
    copy->send_socket = m->send_socket;
    copy->send_lines = m->send_lines;
    copy->forward_send_flags = m->forward_send_flags;
    copy->reply_send_flags = m->reply_send_flags;
    return copy.release(); // the caller owns it until msg_free
}

siphost_msg* msg_parse(siphost_str bytes, const siphost_dest* src) {
    auto parsed = std::make_unique<siphost_msg>();
    if (!parsed->sip.parse_copy(view(bytes)).ok())
        return nullptr;
    parsed->id = siphost_msg::next_id();
    if (src != nullptr && src->struct_size >= sizeof(siphost_dest)) {
        parsed->source = net::to_endpoint(*src);
        parsed->socket = from_handle(src->socket);
        parsed->proto =
            src->proto != SIPHOST_PROTO_NONE ? src->proto : static_cast<uint8_t>(SIPHOST_PROTO_UDP);
        parsed->conn_id = src->conn_id;
    }
    return parsed.release();
}

void msg_free(siphost_msg* m) {
    std::unique_ptr<siphost_msg> owned(m);
}

} // namespace

void fill_message_functions(siphost_host_api& api) {
    api.msg_is_request = msg_is_request;
    api.msg_method = msg_method;
    api.msg_status = msg_status;
    api.msg_reason = msg_reason;
    api.msg_ruri = msg_ruri;
    api.msg_original_ruri = msg_original_ruri;
    api.msg_dst_uri = msg_dst_uri;
    api.msg_header = msg_header;
    api.msg_header_at = msg_header_at;
    api.msg_body = msg_body;
    api.msg_call_id = msg_call_id;
    api.msg_cseq = msg_cseq;
    api.msg_from_uri = msg_from_uri;
    api.msg_from_tag = msg_from_tag;
    api.msg_to_uri = msg_to_uri;
    api.msg_to_tag = msg_to_tag;
    api.msg_via_branch = msg_via_branch;
    api.msg_via_sent_by = msg_via_sent_by;
    api.msg_via_count = msg_via_count;
    api.msg_source = msg_source;
    api.msg_destination = msg_destination;
    api.msg_socket = msg_socket;
    api.msg_send_socket = msg_send_socket;         // [1.4]
    api.msg_set_send_socket = msg_set_send_socket; // [1.6]
    api.msg_raw = msg_raw;
    api.msg_flags = msg_flags;
    api.msg_set_flags = msg_set_flags;
    api.msg_add_header = msg_add_header;
    api.msg_remove_header = msg_remove_header;
    api.msg_replace = msg_replace;
    api.msg_set_ruri = msg_set_ruri;
    api.msg_set_dst_uri = msg_set_dst_uri;
    api.msg_set_max_forwards = msg_set_max_forwards;
    api.msg_clone = msg_clone;
    api.msg_parse = msg_parse;
    api.msg_free = msg_free;
}

} // namespace siphost::abi
