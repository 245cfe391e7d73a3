// The host table's message functions: thin calls into sip::message and the context around it.
#include "flow/message_context.hpp"

#include "net/socket_address.hpp"

#include <cctype>
#include <charconv>
#include <memory>

namespace siphost::flow {
namespace {

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

int msg_source(const siphost_msg* m, siphost_addr* out) {
    if (m->socket == nullptr)
        return -1;
    *out = net::to_siphost_addr(m->source);
    return 0;
}
int msg_destination(const siphost_msg* m, siphost_addr* out) {
    if (m->socket == nullptr)
        return -1;
    *out = net::to_siphost_addr(m->socket->endpoint);
    return 0;
}
siphost_socket* msg_socket(const siphost_msg* m) {
    return to_handle(m->socket);
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

// A module adding "Max-Forwards: N" means the value to relay with: recorded as such, the serializer neither
// adds its own default nor writes a second header.
bool set_max_forwards_from_line(siphost_msg* m, std::string_view line) {
    constexpr std::string_view name = "max-forwards:";
    if (line.size() <= name.size())
        return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) != name[i])
            return false;
    auto digits = line.substr(name.size());
    while (!digits.empty() && (digits.front() == ' ' || digits.front() == '\t'))
        digits.remove_prefix(1);
    while (!digits.empty() && (digits.back() == '\n' || digits.back() == '\r' || digits.back() == ' '))
        digits.remove_suffix(1);
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty())
        return false;
    m->sip.set_max_forwards(value);
    return true;
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
    if (m->sip.is_request() && set_max_forwards_from_line(m, view(text)))
        return 0;
    return m->sip.add_header(view(text), static_cast<sip::header_position>(position), view(anchor)) ? 0 : -1;
}
int msg_remove_header(siphost_msg* m, siphost_str name, int32_t index) {
    return m->sip.remove_header(view(name), index);
}
int msg_replace(siphost_msg* m, size_t offset, size_t len, siphost_str text) {
    return m->sip.replace(offset, len, view(text)) ? 0 : -1;
}
int msg_set_ruri(siphost_msg* m, siphost_str uri) {
    if (!m->sip.is_request() || uri.len == 0)
        return -1;
    m->sip.set_request_uri(view(uri));
    return 0;
}
int msg_set_dst_uri(siphost_msg* m, siphost_str uri) {
    m->dst_uri.assign(view(uri));
    return 0;
}

int msg_append_branch(siphost_msg* m, siphost_str uri, siphost_str dst_uri) {
    if (!m->sip.is_request() || uri.len == 0 || m->branches.size() + 1 >= SIPHOST_MAX_BRANCHES)
        return -1;
    m->branches.push_back(siphost_msg::target{std::string(view(uri)), std::string(view(dst_uri))});
    return static_cast<int>(m->branches.size() - 1);
}
int msg_branch(const siphost_msg* m, uint32_t index, siphost_str* uri, siphost_str* dst_uri) {
    if (index >= m->branches.size())
        return -1;
    const siphost_msg::target& d = m->branches[index];
    if (uri != nullptr)
        *uri = to_str(d.uri);
    if (dst_uri != nullptr)
        *dst_uri = to_str(d.dst_uri);
    return 0;
}
void msg_clear_branches(siphost_msg* m) {
    m->branches.clear();
}

siphost_msg* msg_clone(const siphost_msg* m) {
    auto copy = std::make_unique<siphost_msg>();
    copy->sip = m->sip.clone();
    copy->source = m->source;
    copy->socket = m->socket;
    copy->flags = m->flags;
    copy->dst_uri = m->dst_uri;
    copy->rport_forced = m->rport_forced;
    return copy.release(); // the caller owns it until msg_free
}

siphost_msg* msg_parse(siphost_str bytes, const siphost_addr* src, siphost_socket* sock) {
    auto parsed = std::make_unique<siphost_msg>();
    if (!parsed->sip.parse_copy(view(bytes)).ok())
        return nullptr;
    if (src != nullptr)
        parsed->source = net::to_endpoint(*src);
    parsed->socket = from_handle(sock);
    return parsed.release();
}

void msg_free(siphost_msg* m) {
    std::unique_ptr<siphost_msg> owned(m);
}

siphost_avp_list* msg_avps(siphost_msg* m) {
    if (!m->avps)
        m->avps = std::make_unique<siphost_avp_list>();
    return m->avps.get();
}

siphost_avp_list* msg_swap_avps(siphost_msg* m, siphost_avp_list* list) {
    if (!m->avps)
        m->avps = std::make_unique<siphost_avp_list>();
    siphost_avp_list* previous = m->avps.release();
    m->avps.reset(list != nullptr ? list : std::make_unique<siphost_avp_list>().release());
    return previous;
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
    api.msg_raw = msg_raw;
    api.msg_flags = msg_flags;
    api.msg_set_flags = msg_set_flags;
    api.msg_add_header = msg_add_header;
    api.msg_remove_header = msg_remove_header;
    api.msg_replace = msg_replace;
    api.msg_set_ruri = msg_set_ruri;
    api.msg_set_dst_uri = msg_set_dst_uri;
    api.msg_set_max_forwards = msg_set_max_forwards;
    api.msg_append_branch = msg_append_branch;
    api.msg_branch = msg_branch;
    api.msg_clear_branches = msg_clear_branches;
    api.msg_clone = msg_clone;
    api.msg_parse = msg_parse;
    api.msg_free = msg_free;
    api.msg_avps = msg_avps;
    api.msg_swap_avps = msg_swap_avps;
    plugin::fill_avp_functions(api);
}

} // namespace siphost::flow
