#include "abi/sip_table.hpp"
#include "fake_host.hpp"

#include "sip/contact.hpp"
#include "sip/credentials.hpp"
#include "sip/name_addr.hpp"
#include "sip/reason_phrase.hpp"
#include "sip/uri.hpp"

#include <siphost/module.hpp>

#include <arpa/inet.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

// An RPC reply being built: members keep their printed form, nested nodes their own members.
struct siphost_rpc_node {
    enum class kind { list, object, array };
    struct member {
        std::string key; ///< empty outside an object
        std::string text;
        std::unique_ptr<siphost_rpc_node> child;
    };
    kind which = kind::list;
    std::vector<member> members;
};

struct siphost_rpc_call {
    std::vector<siphost::tests::stored_value> params;
    siphost_rpc_node root;
    int fault_code = 0;
    std::string fault_message;
};

namespace siphost::tests {
namespace {

fake_host* current_host = nullptr;

std::string_view view(siphost_str s) {
    return sdk::view(s);
}
siphost_str str(std::string_view v) {
    return sdk::str(v);
}

/// The full name of a compact header form.
std::string_view canonical_name(std::string_view name) {
    name = sdk::trim(name);
    if (name.size() != 1)
        return name;
    switch (sdk::ascii_lower(name[0])) {
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
    default:
        return name;
    }
}

bool same_header(std::string_view a, std::string_view b) {
    return sdk::iequals(canonical_name(a), canonical_name(b));
}

bool is_list_header(std::string_view name) {
    std::string_view full = canonical_name(name);
    return sdk::iequals(full, "Via") || sdk::iequals(full, "Route") || sdk::iequals(full, "Record-Route") ||
           sdk::iequals(full, "Contact");
}

/// Splits a list header value at top-level commas.
std::vector<std::string_view> split_list(std::string_view value) {
    std::vector<std::string_view> out;
    size_t start = 0;
    bool quoted = false;
    bool angle = false;
    for (size_t i = 0; i <= value.size(); ++i) {
        if (i < value.size()) {
            char c = value[i];
            if (quoted) {
                if (c == '"')
                    quoted = false;
                continue;
            }
            if (c == '"')
                quoted = true;
            else if (c == '<')
                angle = true;
            else if (c == '>')
                angle = false;
            if (c != ',' || angle)
                continue;
        }
        std::string_view element = value.substr(start, i - start);
        size_t lead = element.find_first_not_of(" \t");
        if (lead != std::string_view::npos) {
            element.remove_prefix(lead);
            element = element.substr(0, element.find_last_not_of(" \t") + 1);
            out.push_back(element);
        }
        start = i + 1;
    }
    return out;
}

int msg_header_impl(const siphost_msg* msg, siphost_str name, uint32_t index, siphost_str* value) {
    std::string_view wanted = view(name);
    uint32_t seen = 0;
    for (size_t i = 0; i < msg->headers.size(); ++i) {
        const header_line& line = msg->headers[i];
        if (msg->removed_lines[i] || !same_header(line.name, wanted))
            continue;
        if (is_list_header(wanted)) {
            for (std::string_view element : split_list(line.value)) {
                if (seen++ == index) {
                    *value = str(element);
                    return 1;
                }
            }
        } else if (seen++ == index) {
            *value = str(line.value);
            return 1;
        }
    }
    return 0;
}

std::string_view header_value(const siphost_msg* msg, std::string_view name, uint32_t index = 0) {
    siphost_str value{nullptr, 0};
    return msg_header_impl(msg, str(name), index, &value) == 1 ? view(value) : std::string_view();
}

/// Parameter `name` (any case) of ';'-separated params without the leading ';'; what the sip sub-table's
/// param() answers.
bool find_param(std::string_view params, std::string_view name, std::string_view* value = nullptr) {
    while (!params.empty()) {
        size_t end = params.find(';');
        std::string_view param = sdk::trim(params.substr(0, end));
        size_t equals = param.find('=');
        if (sdk::iequals(sdk::trim(param.substr(0, equals)), name)) {
            if (value != nullptr)
                *value = equals == std::string_view::npos ? std::string_view()
                                                          : sdk::trim(param.substr(equals + 1));
            return true;
        }
        if (end == std::string_view::npos)
            break;
        params.remove_prefix(end + 1);
    }
    return false;
}

/// A From or To value taken apart without parsing its URI (as the host does for those two headers).
bool header_name_addr(std::string_view value, sip::name_addr& out) {
    return sip::parse_single_name_addr(value, out, false);
}

std::string_view uri_in(std::string_view value) {
    sip::name_addr parsed;
    return header_name_addr(value, parsed) ? parsed.uri_text : std::string_view();
}

std::string_view tag_of(std::string_view value) {
    sip::name_addr parsed;
    return header_name_addr(value, parsed) ? parsed.tag : std::string_view();
}

/// Via value "SIP/2.0/UDP host:port;params": sent-by (IPv6 without brackets) and params.
bool split_via(std::string_view via, std::string_view& host, uint16_t& port, std::string_view& params) {
    size_t space = via.find_first_of(" \t");
    if (space == std::string_view::npos)
        return false;
    std::string_view rest = sdk::trim(via.substr(space));
    size_t semicolon = rest.find(';');
    std::string_view sent_by = sdk::trim(rest.substr(0, semicolon));
    params = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
    sip::host_type kind = sip::host_type::none;
    bool has_port = false;
    if (!sip::parse_hostport(sent_by, host, kind, port, has_port))
        return false;
    if (kind == sip::host_type::ipv6 && host.size() >= 2 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    return !host.empty();
}

// ---- the C table ----

fake_host& self() {
    return fake_host::current();
}

void h_log(siphost_module_handle* module, int level, siphost_str text) {
    self().logs.push_back(log_line{level, module != nullptr ? module->name : "", std::string(view(text))});
}
int h_log_enabled(int level) {
    return level <= self().log_threshold;
}

int h_is_request(const siphost_msg* m) {
    return m->request ? 1 : 0;
}
siphost_str h_method(const siphost_msg* m) {
    return str(m->method);
}
int h_status(const siphost_msg* m) {
    return m->status;
}
siphost_str h_reason(const siphost_msg* m) {
    return str(m->reason);
}
siphost_str h_ruri(const siphost_msg* m) {
    return m->request ? str(m->ruri) : siphost_str{nullptr, 0};
}
siphost_str h_original_ruri(const siphost_msg* m) {
    return str(m->original_ruri);
}
siphost_str h_dst_uri(const siphost_msg* m) {
    return str(m->dst_uri);
}
int h_header(const siphost_msg* m, siphost_str name, uint32_t index, siphost_str* value) {
    return msg_header_impl(m, name, index, value);
}
int h_header_at(const siphost_msg* m, size_t i, siphost_str* name, siphost_str* value) {
    if (i >= m->headers.size())
        return 0;
    *name = str(m->headers[i].name);
    *value = str(m->headers[i].value);
    return 1;
}
siphost_str h_body(const siphost_msg* m) {
    return str(m->body);
}
siphost_str h_call_id(const siphost_msg* m) {
    return str(header_value(m, "Call-ID"));
}
int h_cseq(const siphost_msg* m, uint32_t* number, siphost_str* method) {
    std::string_view cseq = header_value(m, "CSeq");
    size_t space = cseq.find(' ');
    uint64_t n = 0;
    if (space == std::string_view::npos || !sdk::parse_uint(cseq.substr(0, space), n, UINT32_MAX))
        return -1;
    *number = static_cast<uint32_t>(n);
    *method = str(sdk::trim(cseq.substr(space + 1)));
    return 0;
}
siphost_str h_from_uri(const siphost_msg* m) {
    return str(uri_in(header_value(m, "From")));
}
siphost_str h_from_tag(const siphost_msg* m) {
    return str(tag_of(header_value(m, "From")));
}
siphost_str h_to_uri(const siphost_msg* m) {
    return str(uri_in(header_value(m, "To")));
}
siphost_str h_to_tag(const siphost_msg* m) {
    return str(tag_of(header_value(m, "To")));
}
siphost_str h_via_branch(const siphost_msg* m, uint32_t index) {
    std::string_view host, params, branch;
    uint16_t port = 0;
    if (!split_via(header_value(m, "Via", index), host, port, params) ||
        !find_param(params, "branch", &branch))
        return {nullptr, 0};
    return str(branch);
}
int h_via_sent_by(const siphost_msg* m, uint32_t index, siphost_str* host, uint16_t* port) {
    std::string_view h, params;
    if (!split_via(header_value(m, "Via", index), h, *port, params))
        return -1;
    *host = str(h);
    return 0;
}
uint32_t h_via_count(const siphost_msg* m) {
    uint32_t n = 0;
    siphost_str value{nullptr, 0};
    while (msg_header_impl(m, str("Via"), n, &value) == 1)
        ++n;
    return n;
}
/// Copies a destination into one the caller sized (the fake is built with the same header as the modules).
void copy_dest(const siphost_dest& from, siphost_dest* out) {
    *out = from;
    out->struct_size = sizeof(siphost_dest);
}
int h_source(const siphost_msg* m, siphost_dest* out) {
    copy_dest(m->source, out);
    return 0;
}
int h_destination(const siphost_msg* m, siphost_dest* out) {
    if (m->socket == nullptr)
        return -1;
    siphost_dest local = ipv4(m->socket->host.c_str(), m->socket->port);
    local.proto = m->socket->proto;
    local.socket = m->socket;
    copy_dest(local, out);
    return 0;
}
siphost_socket* h_socket(const siphost_msg* m) {
    return m->socket;
}
siphost_str h_raw(const siphost_msg* m) {
    return str(m->raw);
}
uint64_t h_flags(const siphost_msg* m) {
    return m->flags;
}
void h_set_flags(siphost_msg* m, uint64_t flags) {
    m->flags = flags;
}

int h_add_header(siphost_msg* m, siphost_str text, int position, siphost_str anchor) {
    if (text.len == 0 || position < SIPHOST_HDR_BOTTOM || position > SIPHOST_HDR_BEFORE)
        return -1;
    std::string line(view(text));
    if (line.size() < 2 || line.compare(line.size() - 2, 2, "\r\n") != 0)
        line.append("\r\n");
    m->added.push_back(header_add{line, position, std::string(view(anchor))});
    return 0;
}
int h_remove_header(siphost_msg* m, siphost_str name, int32_t index) {
    m->removals.push_back(header_removal{std::string(view(name)), index});
    int removed = 0;
    int32_t seen = 0;
    for (size_t i = 0; i < m->headers.size(); ++i) {
        if (!same_header(m->headers[i].name, view(name)))
            continue;
        if ((index < 0 || seen == index) && !m->removed_lines[i]) {
            m->removed_lines[i] = true;
            ++removed;
        }
        ++seen;
    }
    return removed;
}
int h_replace(siphost_msg* m, size_t offset, size_t len, siphost_str text) {
    if (offset > m->raw.size() || len > m->raw.size() - offset)
        return -1;
    for (const replacement& r : m->replacements) {
        bool overlap = offset < r.offset + r.length && r.offset < offset + len;
        if (overlap)
            return -1;
    }
    m->replacements.push_back(replacement{offset, len, std::string(view(text))});
    return 0;
}
int h_set_ruri(siphost_msg* m, siphost_str uri) {
    if (!m->request || uri.len == 0)
        return -1;
    m->ruri.assign(view(uri));
    return 0;
}
int h_set_dst_uri(siphost_msg* m, siphost_str uri) {
    m->dst_uri.assign(view(uri));
    return 0;
}

int h_set_max_forwards(siphost_msg* m, uint32_t value) {
    if (!m->request)
        return -1;
    m->relayed_max_forwards = value;
    return 0;
}

siphost_msg* h_clone(const siphost_msg* m) {
    auto copy = self().parse(m->raw);
    copy->id = m->id;
    copy->ruri = m->ruri;
    copy->dst_uri = m->dst_uri;
    copy->flags = m->flags;
    copy->removed_lines = m->removed_lines;
    copy->added = m->added;
    copy->removals = m->removals;
    copy->replacements = m->replacements;
    copy->source = m->source;
    copy->socket = m->socket;
    copy->relayed_max_forwards = m->relayed_max_forwards;
    copy->route_type = m->route_type;
    return copy.release();
}
siphost_msg* h_parse(siphost_str bytes, const siphost_dest* src) {
    try {
        auto msg = self().parse(view(bytes));
        msg->socket = nullptr;
        if (src != nullptr) {
            copy_dest(*src, &msg->source);
            msg->socket = src->socket;
        }
        return msg.release();
    } catch (const std::exception&) {
        return nullptr;
    }
}
void h_free(siphost_msg* m) {
    std::unique_ptr<siphost_msg> owned(m);
}

uint8_t proto_of_transport(std::string_view transport) {
    if (sdk::iequals(transport, "tcp"))
        return SIPHOST_PROTO_TCP;
    if (sdk::iequals(transport, "tls"))
        return SIPHOST_PROTO_TLS;
    if (sdk::iequals(transport, "sctp"))
        return SIPHOST_PROTO_SCTP;
    if (sdk::iequals(transport, "ws"))
        return SIPHOST_PROTO_WS;
    if (sdk::iequals(transport, "wss"))
        return SIPHOST_PROTO_WSS;
    return SIPHOST_PROTO_UDP;
}
int h_resolve(siphost_str uri_or_host, uint16_t port, siphost_dest* out) {
    std::string_view text = view(uri_or_host);
    sip::uri uri;
    std::string host;
    uint8_t proto = out->proto != SIPHOST_PROTO_NONE ? out->proto : static_cast<uint8_t>(SIPHOST_PROTO_UDP);
    if (text.find(':') != std::string_view::npos && uri.parse(text) && !uri.host().empty()) {
        host.assign(uri.host_address());
        if (port == 0)
            port = uri.port();
        if (auto transport = uri.param("transport"))
            proto = proto_of_transport(*transport);
    } else {
        host.assign(text);
    }
    in_addr address{};
    if (inet_pton(AF_INET, host.c_str(), &address) != 1)
        return -1;
    siphost_dest resolved = ipv4(host.c_str(), port == 0 ? 5060 : port);
    resolved.proto = proto;
    resolved.flags = out->flags;
    resolved.socket = &self().socket();
    copy_dest(resolved, out);
    return 0;
}
int h_next_hop(const siphost_msg* m, siphost_str* hop) {
    if (!m->dst_uri.empty()) {
        *hop = str(m->dst_uri);
        return 0;
    }
    std::string_view route = header_value(m, "Route");
    sip::name_addr first;
    if (!route.empty() && sip::parse_single_name_addr(route, first) && first.uri.param("lr")) {
        *hop = str(first.uri_text);
        return 0;
    }
    *hop = str(m->ruri);
    return m->ruri.empty() ? -1 : 0;
}
int copy_out(const std::string& text, char* buf, size_t cap, size_t* len) {
    *len = text.size();
    if (text.size() > cap)
        return -1;
    std::memcpy(buf, text.data(), text.size());
    return 0;
}
int h_build_request(const siphost_msg* m, const siphost_socket* from, siphost_str branch, char* buf,
                    size_t cap, size_t* len) {
    if (!m->request || from == nullptr)
        return -1;
    std::string rendered = self().render(*m);
    size_t first_line_end = rendered.find("\r\n") + 2;
    std::string via = "Via: SIP/2.0/UDP " + from->host + ":" + std::to_string(from->port) +
                      ";branch=" + std::string(view(branch)) + "\r\n";
    rendered.insert(first_line_end, via);
    return copy_out(rendered, buf, cap, len);
}
int h_build_relayed_reply(const siphost_msg* m, char* buf, size_t cap, size_t* len) {
    if (m->request)
        return -1;
    std::string rendered = self().render(*m);
    size_t via = rendered.find("\r\nVia:");
    if (via != std::string::npos) {
        size_t end = rendered.find("\r\n", via + 2);
        rendered.erase(via, end - via);
    }
    return copy_out(rendered, buf, cap, len);
}
int h_build_reply(const siphost_msg* request, int code, siphost_str reason, siphost_str to_tag,
                  siphost_str extra_headers, siphost_str body, char* buf, size_t cap, size_t* len) {
    if (!request->request)
        return -1;
    // As the host: an empty reason gets the code's standard phrase.
    std::string_view phrase = reason.len != 0 ? view(reason) : siphost::sip::standard_reason(code);
    std::string out = "SIP/2.0 " + std::to_string(code) + " " + std::string(phrase) + "\r\n";
    siphost_str value{nullptr, 0};
    for (uint32_t i = 0; msg_header_impl(request, str("Via"), i, &value) == 1; ++i)
        out.append("Via: ").append(view(value)).append("\r\n");
    out.append("From: ").append(header_value(request, "From")).append("\r\n");
    out.append("To: ").append(header_value(request, "To"));
    if (to_tag.len != 0 && tag_of(header_value(request, "To")).empty())
        out.append(";tag=").append(view(to_tag));
    out.append("\r\n");
    out.append("Call-ID: ").append(header_value(request, "Call-ID")).append("\r\n");
    out.append("CSeq: ").append(header_value(request, "CSeq")).append("\r\n");
    out.append(request->reply_headers);
    out.append(view(extra_headers));
    out.append("Content-Length: ").append(std::to_string(body.len)).append("\r\n\r\n");
    out.append(view(body));
    return copy_out(out, buf, cap, len);
}
int h_reply_destination(const siphost_msg* request, siphost_dest* out) {
    copy_dest(request->source, out);
    out->socket = request->socket;
    return 0;
}
int h_send(const siphost_dest* dst, siphost_str bytes) {
    if (self().send_result != 0)
        return self().send_result;
    sent_datagram sent;
    copy_dest(*dst, &sent.to);
    sent.bytes.assign(view(bytes));
    self().datagrams.push_back(std::move(sent));
    return 0;
}
int h_send_stateless_reply(siphost_msg* request, int code, siphost_str reason, siphost_str to_tag,
                           siphost_str extra_headers) {
    if (!request->request || self().send_result != 0)
        return -1;
    // The reason the host writes: an empty one becomes the code's standard phrase.
    std::string_view phrase = reason.len != 0 ? view(reason) : siphost::sip::standard_reason(code);
    self().replies.push_back(
        sent_reply{code, std::string(phrase), std::string(view(to_tag)), std::string(view(extra_headers))});
    return 0;
}
std::string_view proto_name(uint8_t proto) {
    switch (proto) {
    case SIPHOST_PROTO_TCP:
        return "tcp";
    case SIPHOST_PROTO_TLS:
        return "tls";
    case SIPHOST_PROTO_SCTP:
        return "sctp";
    case SIPHOST_PROTO_WS:
        return "ws";
    case SIPHOST_PROTO_WSS:
        return "wss";
    default:
        return "udp";
    }
}
int h_socket_info(const siphost_socket* sock, siphost_socket_info* out) {
    if (sock == nullptr)
        return -1;
    // The name lives in the socket, as long as the host runs; the socket is the fake's, so it may change.
    auto* socket = const_cast<siphost_socket*>(sock);
    bool ipv6 = socket->host.find(':') != std::string::npos;
    socket->name.assign(proto_name(socket->proto)).append(":");
    socket->name.append(ipv6 ? "[" + socket->host + "]" : socket->host);
    socket->name.append(":").append(std::to_string(socket->port));
    *out = sdk::sized<siphost_socket_info>();
    out->host = str(socket->host);
    out->port = socket->port;
    out->proto = socket->proto;
    out->family = ipv6 ? 6 : 4;
    out->index = 0;
    out->name = str(socket->name);
    return 0;
}
int h_is_myself(siphost_str host, uint16_t port) {
    for (const auto& [name, p] : self().myself_)
        if (sdk::iequals(name, view(host)) && (port == 0 || p == 0 || p == port))
            return 1;
    return 0;
}
uint64_t h_now_ms() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
}
int h_route_lookup(uint32_t type, siphost_str name) {
    const auto& routes = self().routes;
    for (size_t i = 0; i < routes.size(); ++i)
        if (routes[i].first == type && routes[i].second == view(name))
            return static_cast<int>(i);
    return -1;
}
int h_route_run(int id, siphost_msg* msg) {
    if (id < 0 || static_cast<size_t>(id) >= self().routes.size() || !self().on_route_run)
        return SIPHOST_ROUTE_DROPPED;
    return self().on_route_run(id, msg);
}

siphost_pv_spec* h_pv_parse(siphost_str text, char* err, size_t err_size) {
    std::string_view t = view(text);
    auto spec = std::make_unique<siphost_pv_spec>();
    auto inner = [&](std::string_view prefix) -> bool {
        if (t.size() <= prefix.size() + 1 || t.substr(0, prefix.size()) != prefix || t.back() != ')')
            return false;
        spec->name.assign(t.substr(prefix.size(), t.size() - prefix.size() - 1));
        return !spec->name.empty();
    };
    if (inner("$avp(")) {
        spec->which = siphost_pv_spec::kind::avp;
    } else if (inner("$var(")) {
        spec->which = siphost_pv_spec::kind::var;
    } else if (inner("$hdr(")) {
        spec->which = siphost_pv_spec::kind::header;
    } else if (t == "$ru") {
        spec->which = siphost_pv_spec::kind::ruri;
    } else if (t == "$rm") {
        spec->which = siphost_pv_spec::kind::method;
    } else if (t == "$du") {
        spec->which = siphost_pv_spec::kind::dst_uri;
    } else if (t == "$rs") {
        spec->which = siphost_pv_spec::kind::status;
    } else {
        sdk::write_error(err, err_size, "unknown pseudo-variable");
        return nullptr;
    }
    return spec.release();
}
int h_pv_get(const siphost_pv_spec* pv, siphost_msg* msg, siphost_value* out) {
    *out = sdk::null_value();
    switch (pv->which) {
    case siphost_pv_spec::kind::avp:
        for (const auto& e : msg->avps->entries)
            if (e.name == pv->name) {
                *out = e.value.as_value();
                break;
            }
        return 0;
    case siphost_pv_spec::kind::var: {
        auto found = self().vars.find(pv->name);
        *out = found == self().vars.end() ? sdk::int_value(0) : found->second.as_value();
        return 0;
    }
    case siphost_pv_spec::kind::header: {
        siphost_str value{nullptr, 0};
        if (msg_header_impl(msg, str(pv->name), 0, &value) == 1)
            *out = siphost_value{SIPHOST_VALUE_STR, 0, 0, value};
        return 0;
    }
    case siphost_pv_spec::kind::ruri:
        if (msg->request)
            *out = sdk::str_value(msg->ruri);
        return 0;
    case siphost_pv_spec::kind::method:
        *out = sdk::str_value(msg->method);
        return 0;
    case siphost_pv_spec::kind::dst_uri:
        if (!msg->dst_uri.empty())
            *out = sdk::str_value(msg->dst_uri);
        return 0;
    case siphost_pv_spec::kind::status:
        if (!msg->request)
            *out = sdk::int_value(msg->status);
        return 0;
    }
    return -1;
}
int h_avp_delete(siphost_avp_list* list, siphost_str name, int32_t index);
int h_avp_add(siphost_avp_list* list, siphost_str name, const siphost_value* value);
int h_pv_set(const siphost_pv_spec* pv, siphost_msg* msg, const siphost_value* value) {
    switch (pv->which) {
    case siphost_pv_spec::kind::avp:
        if (value->kind == SIPHOST_VALUE_NULL) {
            h_avp_delete(msg->avps, str(pv->name), -1);
            return 0;
        }
        return h_avp_add(msg->avps, str(pv->name), value);
    case siphost_pv_spec::kind::var:
        self().vars[pv->name] = stored_value::from(*value);
        return 0;
    case siphost_pv_spec::kind::ruri:
        return value->kind == SIPHOST_VALUE_STR ? h_set_ruri(msg, value->str) : -1;
    case siphost_pv_spec::kind::dst_uri:
        if (value->kind == SIPHOST_VALUE_NULL) {
            msg->dst_uri.clear();
            return 0;
        }
        return value->kind == SIPHOST_VALUE_STR ? h_set_dst_uri(msg, value->str) : -1;
    default:
        return -1;
    }
}
void h_pv_free(siphost_pv_spec* pv) {
    std::unique_ptr<siphost_pv_spec> owned(pv);
}

siphost_avp_list* h_avp_list_new() {
    return std::make_unique<siphost_avp_list>().release();
}
void h_avp_list_free(siphost_avp_list* list) {
    std::unique_ptr<siphost_avp_list> owned(list);
}
siphost_avp_list* h_swap_avps(siphost_msg* msg, siphost_avp_list* list) {
    siphost_avp_list* previous = msg->owned_avps.release();
    msg->owned_avps.reset(list);
    msg->avps = list;
    return previous;
}
int h_avp_get(const siphost_avp_list* list, siphost_str name, uint32_t index, siphost_value* out) {
    uint32_t seen = 0;
    for (const auto& e : list->entries)
        if (e.name == view(name) && seen++ == index) {
            *out = e.value.as_value();
            return 1;
        }
    return 0;
}
int h_avp_add(siphost_avp_list* list, siphost_str name, const siphost_value* value) {
    list->entries.push_front(siphost_avp_list::entry{std::string(view(name)), stored_value::from(*value)});
    return 0;
}
int h_avp_set(siphost_avp_list* list, siphost_str name, uint32_t index, const siphost_value* value) {
    if (value == nullptr)
        return -1;
    uint32_t seen = 0;
    for (auto& e : list->entries)
        if (e.name == view(name) && seen++ == index) {
            e.value = stored_value::from(*value);
            return 0;
        }
    return -1;
}
int h_avp_delete(siphost_avp_list* list, siphost_str name, int32_t index) {
    int deleted = 0;
    int32_t seen = 0;
    for (auto it = list->entries.begin(); it != list->entries.end();) {
        if (it->name == view(name) && (index < 0 || seen++ == index)) {
            it = list->entries.erase(it);
            ++deleted;
        } else {
            ++it;
        }
    }
    return deleted;
}
siphost_avp_list* h_msg_avps(siphost_msg* msg) {
    return msg->avps;
}

int h_register_request_hook(int when, siphost_message_hook_fn fn, void* data) {
    self().request_hooks.push_back(fake_host::hook{when, fn, data});
    return 0;
}
int h_register_reply_hook(int when, siphost_message_hook_fn fn, void* data) {
    self().reply_hooks.push_back(fake_host::hook{when, fn, data});
    return 0;
}
int h_api_export(siphost_module_handle*, const char* name, uint32_t major, const void* api) {
    std::string key = std::string(name) + "/" + std::to_string(major);
    if (self().apis.count(key) != 0)
        return -1;
    self().apis[key] = api;
    return 0;
}
const void* h_api_lookup(const char* name, uint32_t major) {
    auto found = self().apis.find(std::string(name) + "/" + std::to_string(major));
    return found == self().apis.end() ? nullptr : found->second;
}
int h_worker_count() {
    return 1;
}
int h_worker_index() {
    return 0;
}
int64_t h_limit(uint32_t which) {
    switch (which) {
    case SIPHOST_LIMIT_BRANCHES:
        return self().branch_limit;
    case SIPHOST_LIMIT_MESSAGE_SIZE:
        return 65535;
    default:
        return -1;
    }
}

std::string module_name_of(const siphost_module_handle* module) {
    return module != nullptr ? module->name : std::string();
}

// ---- msgctx ----

uint64_t c_msg_id(const siphost_msg* m) {
    return m->id;
}
int c_slot_register(siphost_module_handle*, void (*destroy)(void*)) {
    self().slot_destroys_.push_back(destroy);
    return static_cast<int>(self().slot_destroys_.size() - 1);
}
void* c_slot_get(const siphost_msg* m, int slot) {
    auto found = m->slots.find(slot);
    return found == m->slots.end() ? nullptr : found->second.first;
}
int c_slot_set(siphost_msg* m, int slot, void* value) {
    auto& destroys = self().slot_destroys_;
    if (slot < 0 || static_cast<size_t>(slot) >= destroys.size())
        return -1;
    auto found = m->slots.find(slot);
    if (found != m->slots.end() && found->second.first != nullptr && found->second.second != nullptr)
        found->second.second(found->second.first);
    m->slots[slot] = {value, destroys[static_cast<size_t>(slot)]};
    return 0;
}
uint32_t c_route_type(const siphost_msg* m) {
    return m->route_type;
}
void c_set_error(siphost_msg* m, int code, siphost_str reason) {
    m->error_code = code;
    m->error_reason.assign(code == 0 ? std::string_view() : view(reason));
}
int c_last_error(const siphost_msg* m, siphost_str* reason) {
    if (reason != nullptr)
        *reason = m->error_code == 0 ? siphost_str{nullptr, 0} : str(m->error_reason);
    return m->error_code;
}
int c_add_reply_header(siphost_msg* m, siphost_str line) {
    if (line.len == 0)
        return -1;
    m->reply_headers.append(view(line));
    if (m->reply_headers.size() < 2 || m->reply_headers.compare(m->reply_headers.size() - 2, 2, "\r\n") != 0)
        m->reply_headers.append("\r\n");
    return 0;
}
siphost_str c_reply_headers(const siphost_msg* m) {
    return str(m->reply_headers);
}
int c_append_branch(siphost_msg* m, const siphost_branch* b) {
    if (!m->request || b == nullptr || b->uri.len == 0)
        return -1;
    if (static_cast<int64_t>(m->branches.size()) >= self().branch_limit - 1)
        return -1;
    stored_branch stored;
    stored.uri.assign(view(b->uri));
    stored.dst_uri.assign(view(b->dst_uri));
    stored.path.assign(view(b->path));
    stored.instance.assign(view(b->instance));
    stored.ruid.assign(view(b->ruid));
    stored.q = b->q;
    stored.info = b->info;
    stored.flags = b->flags;
    stored.socket = b->socket;
    stored.reg_id = b->reg_id;
    m->branches.push_back(std::move(stored));
    return static_cast<int>(m->branches.size() - 1);
}
int c_branch_at(const siphost_msg* m, uint32_t index, siphost_branch* out) {
    if (index >= m->branches.size())
        return -1;
    const stored_branch& b = m->branches[index];
    *out = sdk::sized<siphost_branch>();
    out->uri = str(b.uri);
    out->dst_uri = str(b.dst_uri);
    out->path = str(b.path);
    out->instance = str(b.instance);
    out->ruid = str(b.ruid);
    out->q = b.q;
    out->info = b.info;
    out->flags = b.flags;
    out->socket = b.socket;
    out->reg_id = b.reg_id;
    return 0;
}
uint32_t c_branch_count(const siphost_msg* m) {
    return static_cast<uint32_t>(m->branches.size());
}
void c_clear_branches(siphost_msg* m) {
    m->branches.clear();
}

// ---- async: recorded, run by the tests ----

int a_every(siphost_module_handle* module, uint32_t interval_ms, uint32_t flags, siphost_timer_fn fn,
            void* data) {
    if (fn == nullptr || interval_ms == 0)
        return -1;
    self().timers.push_back(periodic_timer{module_name_of(module), interval_ms, flags, fn, data});
    return 0;
}
siphost_timer* a_timer_start(siphost_module_handle* module, uint32_t delay_ms, siphost_timer_fn fn,
                             void* data) {
    if (fn == nullptr)
        return nullptr;
    auto timer = std::make_unique<siphost_timer>();
    timer->module = module_name_of(module);
    timer->delay_ms = delay_ms;
    timer->fn = fn;
    timer->data = data;
    self().one_shot_timers.push_back(std::move(timer));
    return self().one_shot_timers.back().get();
}
int a_timer_cancel(siphost_timer* timer) {
    if (timer == nullptr || timer->cancelled)
        return 0;
    timer->cancelled = true;
    return 1;
}
int a_post(siphost_module_handle* module, int worker, siphost_task_fn fn, void* data) {
    if (fn == nullptr || worker < -1 || worker >= h_worker_count())
        return -1;
    self().tasks.push_back(posted_task{module_name_of(module), worker, fn, data});
    return 0;
}
siphost_fd_watch* a_fd_watch(siphost_module_handle* module, int fd, uint32_t events, siphost_fd_fn fn,
                             void* data) {
    if (fn == nullptr || fd < 0)
        return nullptr;
    auto watch = std::make_unique<siphost_fd_watch>();
    watch->module = module_name_of(module);
    watch->fd = fd;
    watch->events = events;
    watch->fn = fn;
    watch->data = data;
    self().fd_watches.push_back(std::move(watch));
    return self().fd_watches.back().get();
}
void a_fd_unwatch(siphost_fd_watch* watch) {
    auto& watches = self().fd_watches;
    watches.erase(
        std::remove_if(watches.begin(), watches.end(), [&](const auto& w) { return w.get() == watch; }),
        watches.end());
}

// ---- metrics: "<module>.<name>" ----

siphost_metric* m_register(siphost_module_handle* module, const siphost_metric_desc* desc) {
    if (desc == nullptr || desc->name == nullptr ||
        (desc->kind != SIPHOST_METRIC_COUNTER && desc->kind != SIPHOST_METRIC_GAUGE) ||
        (desc->read != nullptr && desc->kind != SIPHOST_METRIC_GAUGE))
        return nullptr;
    std::string full_name = module_name_of(module) + "." + desc->name;
    auto& slot = self().metrics_[full_name];
    if (slot)
        return nullptr;
    slot = std::make_unique<siphost_metric>();
    slot->full_name = full_name;
    slot->kind = desc->kind;
    for (const char* const* label = desc->labels; label != nullptr && *label != nullptr; ++label)
        ++slot->label_count;
    slot->read = desc->read;
    slot->read_data = desc->read_data;
    return slot.get();
}
siphost_metric* m_labels(siphost_metric* family, const siphost_str* values, size_t count) {
    if (family == nullptr || family->label_count == 0 || count != family->label_count)
        return nullptr;
    std::string full_name = family->full_name + "{";
    for (size_t i = 0; i < count; ++i)
        full_name.append(i == 0 ? "" : ",").append(view(values[i]));
    full_name.append("}");
    auto& slot = self().metrics_[full_name];
    if (!slot) {
        slot = std::make_unique<siphost_metric>();
        slot->full_name = full_name;
        slot->kind = family->kind;
    }
    return slot.get();
}
void m_add(siphost_metric* metric, int64_t delta) {
    if (metric != nullptr)
        metric->value += delta;
}
void m_set(siphost_metric* metric, int64_t value) {
    if (metric != nullptr && metric->kind == SIPHOST_METRIC_GAUGE)
        metric->value = value;
}
int64_t m_value(const siphost_metric* metric) {
    if (metric == nullptr)
        return 0;
    return metric->read != nullptr ? metric->read(metric->read_data) : metric->value;
}

// ---- rpc ----

size_t r_param_count(const siphost_rpc_call* call) {
    return call->params.size();
}
int r_param(const siphost_rpc_call* call, size_t index, siphost_value* out) {
    if (index >= call->params.size())
        return -1;
    *out = call->params[index].as_value();
    return 0;
}
siphost_rpc_node* r_result(siphost_rpc_call* call) {
    return &call->root;
}
std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out.append("\"");
}
siphost_rpc_node::member* r_add(siphost_rpc_node* node, const char* key) {
    if (node == nullptr || (node->which == siphost_rpc_node::kind::object) != (key != nullptr))
        return nullptr;
    node->members.push_back(siphost_rpc_node::member{key != nullptr ? key : "", {}, nullptr});
    return &node->members.back();
}
int r_add_int(siphost_rpc_node* node, const char* key, int64_t value) {
    auto* m = r_add(node, key);
    if (m == nullptr)
        return -1;
    m->text = std::to_string(value);
    return 0;
}
int r_add_str(siphost_rpc_node* node, const char* key, siphost_str value) {
    auto* m = r_add(node, key);
    if (m == nullptr)
        return -1;
    m->text = quoted(view(value));
    return 0;
}
int r_add_double(siphost_rpc_node* node, const char* key, double value) {
    auto* m = r_add(node, key);
    if (m == nullptr)
        return -1;
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    m->text = text;
    return 0;
}
siphost_rpc_node* r_add_node(siphost_rpc_node* node, const char* key, siphost_rpc_node::kind which) {
    auto* m = r_add(node, key);
    if (m == nullptr)
        return nullptr;
    m->child = std::make_unique<siphost_rpc_node>();
    m->child->which = which;
    return m->child.get();
}
siphost_rpc_node* r_add_struct(siphost_rpc_node* node, const char* key) {
    return r_add_node(node, key, siphost_rpc_node::kind::object);
}
siphost_rpc_node* r_add_array(siphost_rpc_node* node, const char* key) {
    return r_add_node(node, key, siphost_rpc_node::kind::array);
}
void r_fault(siphost_rpc_call* call, int code, siphost_str message) {
    call->fault_code = code;
    call->fault_message.assign(view(message));
    call->root.members.clear();
}

std::string print_node(const siphost_rpc_node& node) {
    bool object = node.which == siphost_rpc_node::kind::object;
    std::string out = object ? "{" : "[";
    for (size_t i = 0; i < node.members.size(); ++i) {
        const auto& m = node.members[i];
        if (i != 0)
            out.append(", ");
        if (object)
            out.append(quoted(m.key)).append(": ");
        out.append(m.child ? print_node(*m.child) : m.text);
    }
    return out.append(object ? "}" : "]");
}

// ---- events: event_route[name] blocks are entries of the route table ----

int e_lookup(siphost_module_handle*, siphost_str name) {
    int id = h_route_lookup(SIPHOST_ROUTE_EVENT, name);
    return id >= 0 ? id : h_route_lookup(SIPHOST_ROUTE_BRANCH_FAILURE, name);
}
int e_run(int route_id, siphost_msg* msg) {
    return h_route_run(route_id, msg);
}

} // namespace

siphost_value stored_value::as_value() const {
    switch (kind) {
    case SIPHOST_VALUE_INT:
        return sdk::int_value(num);
    case SIPHOST_VALUE_STR:
        return sdk::str_value(text);
    default:
        return sdk::null_value();
    }
}

stored_value stored_value::from(const siphost_value& v) {
    stored_value out;
    out.kind = v.kind;
    out.num = v.num;
    if (v.kind == SIPHOST_VALUE_STR)
        out.text.assign(sdk::view(v.str));
    return out;
}

siphost_dest ipv4(const char* dotted, uint16_t port) {
    siphost_dest dest = sdk::sized<siphost_dest>();
    dest.family = 4;
    dest.proto = SIPHOST_PROTO_UDP;
    dest.port = port;
    inet_pton(AF_INET, dotted, dest.ip);
    return dest;
}

fake_host::fake_host() {
    current_host = this;

    msgctx_.struct_size = sizeof msgctx_;
    msgctx_.msg_id = c_msg_id;
    msgctx_.slot_register = c_slot_register;
    msgctx_.slot_get = c_slot_get;
    msgctx_.slot_set = c_slot_set;
    msgctx_.route_type = c_route_type;
    msgctx_.set_error = c_set_error;
    msgctx_.last_error = c_last_error;
    msgctx_.add_reply_header = c_add_reply_header;
    msgctx_.reply_headers = c_reply_headers;
    msgctx_.append_branch = c_append_branch;
    msgctx_.branch_at = c_branch_at;
    msgctx_.branch_count = c_branch_count;
    msgctx_.clear_branches = c_clear_branches;

    sip_ = *abi::sip_table(); // the host's own SIP toolkit, not a copy of it

    async_.struct_size = sizeof async_;
    async_.every = a_every;
    async_.timer_start = a_timer_start;
    async_.timer_cancel = a_timer_cancel;
    async_.post = a_post;
    async_.fd_watch = a_fd_watch;
    async_.fd_unwatch = a_fd_unwatch;

    metrics_api_.struct_size = sizeof metrics_api_;
    metrics_api_.metric_register = m_register;
    metrics_api_.metric_labels = m_labels;
    metrics_api_.metric_add = m_add;
    metrics_api_.metric_set = m_set;
    metrics_api_.metric_value = m_value;

    rpc_.struct_size = sizeof rpc_;
    rpc_.param_count = r_param_count;
    rpc_.param = r_param;
    rpc_.result = r_result;
    rpc_.add_int = r_add_int;
    rpc_.add_str = r_add_str;
    rpc_.add_double = r_add_double;
    rpc_.add_struct = r_add_struct;
    rpc_.add_array = r_add_array;
    rpc_.fault = r_fault;

    events_.struct_size = sizeof events_;
    events_.lookup = e_lookup;
    events_.run = e_run;

    siphost_host_api& a = api_;
    a.struct_size = sizeof(siphost_host_api);
    a.abi_major = SIPHOST_ABI_MAJOR;
    a.abi_minor = SIPHOST_ABI_MINOR;
    a.log = h_log;
    a.log_enabled = h_log_enabled;
    a.msg_is_request = h_is_request;
    a.msg_method = h_method;
    a.msg_status = h_status;
    a.msg_reason = h_reason;
    a.msg_ruri = h_ruri;
    a.msg_original_ruri = h_original_ruri;
    a.msg_dst_uri = h_dst_uri;
    a.msg_header = h_header;
    a.msg_header_at = h_header_at;
    a.msg_body = h_body;
    a.msg_call_id = h_call_id;
    a.msg_cseq = h_cseq;
    a.msg_from_uri = h_from_uri;
    a.msg_from_tag = h_from_tag;
    a.msg_to_uri = h_to_uri;
    a.msg_to_tag = h_to_tag;
    a.msg_via_branch = h_via_branch;
    a.msg_via_sent_by = h_via_sent_by;
    a.msg_via_count = h_via_count;
    a.msg_source = h_source;
    a.msg_destination = h_destination;
    a.msg_socket = h_socket;
    a.msg_raw = h_raw;
    a.msg_flags = h_flags;
    a.msg_set_flags = h_set_flags;
    a.msg_add_header = h_add_header;
    a.msg_remove_header = h_remove_header;
    a.msg_replace = h_replace;
    a.msg_set_ruri = h_set_ruri;
    a.msg_set_dst_uri = h_set_dst_uri;
    a.msg_set_max_forwards = h_set_max_forwards;
    a.msg_clone = h_clone;
    a.msg_parse = h_parse;
    a.msg_free = h_free;
    a.resolve = h_resolve;
    a.msg_next_hop = h_next_hop;
    a.build_request = h_build_request;
    a.build_relayed_reply = h_build_relayed_reply;
    a.build_reply = h_build_reply;
    a.reply_destination = h_reply_destination;
    a.send = h_send;
    a.send_stateless_reply = h_send_stateless_reply;
    a.socket_info = h_socket_info;
    a.is_myself = h_is_myself;
    a.route_lookup = h_route_lookup;
    a.route_run = h_route_run;
    a.pv_parse = h_pv_parse;
    a.pv_get = h_pv_get;
    a.pv_set = h_pv_set;
    a.pv_free = h_pv_free;
    a.avp_list_new = h_avp_list_new;
    a.avp_list_free = h_avp_list_free;
    a.msg_swap_avps = h_swap_avps;
    a.avp_get = h_avp_get;
    a.avp_add = h_avp_add;
    a.avp_set = h_avp_set;
    a.avp_delete = h_avp_delete;
    a.msg_avps = h_msg_avps;
    a.register_request_hook = h_register_request_hook;
    a.register_reply_hook = h_register_reply_hook;
    a.api_export = h_api_export;
    a.api_lookup = h_api_lookup;
    a.worker_count = h_worker_count;
    a.worker_index = h_worker_index;
    a.limit = h_limit;
    a.now_ms = h_now_ms;
    a.msgctx = &msgctx_;
    a.sip = &sip_;
    a.async = &async_;
    a.metrics = &metrics_api_;
    a.rpc = &rpc_;
    a.events = &events_;
}

fake_host::~fake_host() {
    if (current_host == this)
        current_host = nullptr;
}

fake_host& fake_host::current() {
    if (current_host == nullptr)
        throw std::logic_error("no fake_host exists");
    return *current_host;
}

std::unique_ptr<siphost_msg> fake_host::parse(std::string_view text) {
    auto msg = std::make_unique<siphost_msg>();
    // Normalise line ends to CRLF so that tests can be written with "\n".
    std::string raw;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            raw.push_back('\r');
        raw.push_back(text[i]);
    }
    msg->raw = std::move(raw);
    std::string_view r = msg->raw;
    size_t first_end = r.find("\r\n");
    if (first_end == std::string_view::npos)
        throw std::invalid_argument("no line end after the first line");
    std::string_view first = r.substr(0, first_end);
    size_t sp1 = first.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : first.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos)
        throw std::invalid_argument("malformed first line");
    if (first.substr(0, 8) == "SIP/2.0 ") {
        msg->request = false;
        uint64_t code = 0;
        if (!sdk::parse_uint(first.substr(sp1 + 1, sp2 - sp1 - 1), code, 699) || code < 100)
            throw std::invalid_argument("bad status code");
        msg->status = static_cast<int>(code);
        msg->reason = first.substr(sp2 + 1);
    } else {
        if (first.substr(sp2 + 1) != "SIP/2.0")
            throw std::invalid_argument("bad SIP version");
        msg->method = first.substr(0, sp1);
        msg->original_ruri = first.substr(sp1 + 1, sp2 - sp1 - 1);
        msg->ruri.assign(msg->original_ruri);
    }
    size_t at = first_end + 2;
    while (true) {
        size_t end = r.find("\r\n", at);
        if (end == std::string_view::npos)
            throw std::invalid_argument("headers do not end with an empty line");
        if (end == at) {
            at = end + 2;
            break;
        }
        std::string_view line = r.substr(at, end - at);
        size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            throw std::invalid_argument("header line without ':'");
        header_line h;
        h.name = sdk::trim(line.substr(0, colon));
        h.value = sdk::trim(line.substr(colon + 1));
        h.line_start = at;
        h.line_end = end + 2;
        msg->headers.push_back(h);
        at = end + 2;
    }
    msg->body = r.substr(at);
    msg->removed_lines.assign(msg->headers.size(), false);
    if (!msg->request) {
        std::string_view cseq = header_value(msg.get(), "CSeq");
        size_t space = cseq.find(' ');
        if (space != std::string_view::npos)
            msg->method = sdk::trim(cseq.substr(space + 1));
    }
    msg->id = next_msg_id_++;
    msg->route_type = msg->request ? SIPHOST_ROUTE_REQUEST : SIPHOST_ROUTE_CORE_ONREPLY;
    msg->socket = &socket_;
    msg->source = ipv4("198.51.100.7", 5060);
    msg->source.socket = &socket_;
    msg->owned_avps = std::make_unique<siphost_avp_list>();
    msg->avps = msg->owned_avps.get();
    return msg;
}

std::string fake_host::render(const siphost_msg& msg) const {
    // Copies raw[from, to) with the replacements that start inside it applied.
    auto copy_range = [&](size_t from, size_t to, std::string& out) {
        std::vector<const replacement*> inside;
        for (const replacement& r : msg.replacements) {
            bool starts_inside = r.offset >= from && r.offset < to;
            bool appends_at_end = r.length == 0 && r.offset == to && to == msg.raw.size();
            if (starts_inside || appends_at_end)
                inside.push_back(&r);
        }
        std::sort(inside.begin(), inside.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
        size_t at = from;
        for (const replacement* r : inside) {
            out.append(msg.raw, at, r->offset - at);
            out.append(r->text);
            at = r->offset + r->length;
        }
        if (at < to)
            out.append(msg.raw, at, to - at);
    };
    auto added_at = [&](int position, std::string_view anchor_name, std::string& out) {
        for (const header_add& a : msg.added)
            if (a.position == position && (anchor_name.empty() || same_header(a.anchor, anchor_name)))
                out.append(a.text);
    };
    std::string out;
    size_t first_end = msg.raw.find("\r\n");
    if (msg.request && msg.ruri != msg.original_ruri)
        out.append(msg.method).append(" ").append(msg.ruri).append(" SIP/2.0\r\n");
    else
        copy_range(0, first_end + 2, out);

    // Anchored adds whose anchor is missing fall back to the top (BEFORE) or the bottom (AFTER).
    auto anchor_present = [&](std::string_view anchor) {
        for (size_t i = 0; i < msg.headers.size(); ++i)
            if (!msg.removed_lines[i] && same_header(msg.headers[i].name, anchor))
                return true;
        return false;
    };
    for (const header_add& a : msg.added)
        if (a.position == SIPHOST_HDR_TOP || (a.position == SIPHOST_HDR_BEFORE && !anchor_present(a.anchor)))
            out.append(a.text);
    std::vector<std::string> anchors_done;
    for (size_t i = 0; i < msg.headers.size(); ++i) {
        const header_line& h = msg.headers[i];
        bool first_of_name = std::none_of(anchors_done.begin(), anchors_done.end(),
                                          [&](const std::string& n) { return same_header(n, h.name); });
        if (!msg.removed_lines[i] && first_of_name) {
            for (const header_add& a : msg.added)
                if (a.position == SIPHOST_HDR_BEFORE && same_header(a.anchor, h.name))
                    out.append(a.text);
        }
        if (!msg.removed_lines[i])
            copy_range(h.line_start, h.line_end, out);
        if (!msg.removed_lines[i] && first_of_name) {
            anchors_done.emplace_back(h.name);
            for (const header_add& a : msg.added)
                if (a.position == SIPHOST_HDR_AFTER && same_header(a.anchor, h.name))
                    out.append(a.text);
        }
    }
    added_at(SIPHOST_HDR_BOTTOM, {}, out);
    for (const header_add& a : msg.added)
        if (a.position == SIPHOST_HDR_AFTER && !anchor_present(a.anchor))
            out.append(a.text);
    out.append("\r\n");
    size_t body_start = msg.raw.size() - msg.body.size();
    copy_range(body_start, msg.raw.size(), out);
    return out;
}

std::optional<int64_t> fake_host::counter(const std::string& full_name) const {
    auto found = metrics_.find(full_name);
    if (found == metrics_.end())
        return std::nullopt;
    return m_value(found->second.get());
}

bool fake_host::run_request_hooks(siphost_msg* msg, int when) {
    for (const hook& h : request_hooks)
        if (h.when == when && h.fn(msg, h.data) == SIPHOST_HOOK_CONSUMED)
            return true;
    return false;
}

void fake_host::run_timers(uint64_t now_ms) {
    for (const periodic_timer& t : timers)
        t.fn(now_ms, t.data);
}

void fake_host::run_posted_tasks() {
    std::vector<posted_task> due;
    due.swap(tasks);
    for (const posted_task& t : due)
        t.fn(t.data);
}

rpc_reply fake_host::run_rpc(const siphost_rpc_command& command, const std::vector<stored_value>& params) {
    siphost_rpc_call call;
    call.params = params;
    call.root.which = (command.flags & SIPHOST_RPC_RETURNS_ARRAY) != 0 ? siphost_rpc_node::kind::array
                                                                       : siphost_rpc_node::kind::list;
    command.handler(&call);
    rpc_reply reply;
    reply.fault_code = call.fault_code;
    reply.fault_message = call.fault_message;
    if (call.fault_code == 0)
        reply.text = print_node(call.root);
    return reply;
}

// ---- modules ----

} // namespace siphost::tests

siphost_msg::~siphost_msg() {
    for (auto& [slot, value] : slots)
        if (value.first != nullptr && value.second != nullptr)
            value.second(value.first);
}

namespace siphost::tests {

loaded_module::loaded_module(const std::string& name) {
    std::string path = std::string(SIPHOST_MODULE_DIR) + "/" + name + ".so";
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr)
        throw std::runtime_error("cannot load " + path + ": " + dlerror());
    void* entry = dlsym(handle_, SIPHOST_ENTRY_SYMBOL);
    if (entry == nullptr)
        throw std::runtime_error(path + " has no " SIPHOST_ENTRY_SYMBOL);
    auto fn = reinterpret_cast<siphost_module_entry_fn>(entry);
    descriptor_ = fn();
    if (descriptor_ == nullptr || descriptor_->abi_major != SIPHOST_ABI_MAJOR)
        throw std::runtime_error(path + ": not an ABI v1 module");
    self_.name = descriptor_->name != nullptr ? descriptor_->name : name;
}

loaded_module::~loaded_module() {
    if (initialised_ && descriptor_->destroy != nullptr)
        descriptor_->destroy();
    // Not dlclose'd: the module's thread_local buffers must outlive the test's threads.
}

int loaded_module::init(const fake_host& host, std::string* error) {
    char err[256] = "";
    int rc = descriptor_->init != nullptr ? descriptor_->init(host.api(), &self_, err, sizeof err) : 0;
    // The test's thread calls the module as worker 0 does, so it gets the worker's thread_init, once.
    if (rc == 0 && !initialised_ && descriptor_->thread_init != nullptr &&
        descriptor_->thread_init(SIPHOST_THREAD_WORKER, 0) != 0) {
        std::snprintf(err, sizeof err, "thread_init failed on worker 0");
        rc = -1;
    }
    if (error != nullptr)
        *error = err;
    initialised_ = initialised_ || rc == 0;
    return rc;
}

const siphost_command* loaded_module::find(std::string_view name, uint32_t arg_count) const {
    if (descriptor_->commands == nullptr)
        return nullptr;
    size_t stride = descriptor_->commands[0].struct_size;
    auto* base = reinterpret_cast<const unsigned char*>(descriptor_->commands);
    for (size_t i = 0;; ++i) {
        auto* c = reinterpret_cast<const siphost_command*>(base + i * stride);
        if (c->name == nullptr)
            return nullptr;
        if (name == c->name && c->arg_count == arg_count)
            return c;
    }
}

const siphost_param* loaded_module::find_param(std::string_view name) const {
    if (descriptor_->params == nullptr)
        return nullptr;
    for (const siphost_param* p = descriptor_->params; p->name != nullptr; ++p)
        if (name == p->name)
            return p;
    return nullptr;
}

const siphost_rpc_command* loaded_module::find_rpc(std::string_view name) const {
    if (descriptor_->rpcs == nullptr)
        return nullptr;
    for (const siphost_rpc_command* r = descriptor_->rpcs; r->name != nullptr; ++r)
        if (name == r->name)
            return r;
    return nullptr;
}

call_site::call_site(const loaded_module& module, std::string_view name, std::vector<test_arg> args)
    : args_(std::move(args)) {
    command_ = module.find(name, static_cast<uint32_t>(args_.size()));
    if (command_ == nullptr)
        throw std::logic_error("no command " + std::string(name) + "/" + std::to_string(args_.size()));
    if (command_->fixup == nullptr)
        return;
    if (!module.initialised())
        throw std::logic_error("fixup of " + std::string(name) + " before the module's init (the host runs " +
                               "fixups after init)");
    std::vector<siphost_value> values;
    std::vector<int> constant;
    for (const test_arg& a : args_) {
        values.push_back(a.constant ? a.value.as_value() : sdk::null_value());
        constant.push_back(a.constant ? 1 : 0);
    }
    char err[256] = "";
    if (command_->fixup(values.data(), constant.data(), &call_data_, err, sizeof err) != 0)
        throw std::runtime_error(std::string("fixup: ") + err);
}

call_site::~call_site() {
    if (call_data_ != nullptr && command_->fixup_free != nullptr)
        command_->fixup_free(call_data_);
}

int call_site::run(siphost_msg* msg) {
    return run(msg, args_);
}

int call_site::run(siphost_msg* msg, const std::vector<test_arg>& args) {
    std::vector<siphost_value> values;
    for (const test_arg& a : args)
        values.push_back(a.value.as_value());
    return command_->handler(msg, values.data(), call_data_);
}

} // namespace siphost::tests
