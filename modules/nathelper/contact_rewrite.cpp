// What nathelper changes in a Contact or the Request-URI for a sender behind a NAT: fix_nated_contact (the
// source in place of the Contact's host:port), the alias parameter that carries the source in the Contact
// (set_contact_alias, add_contact_alias) and back into $du (handle_ruri_alias, set_alias_to_pv), the
// received parameter (add_rcv_param) and the received AVP for the registrar (fix_nated_register).
//
// Every change is recorded with msg_replace on the received bytes, so the host applies it when the message is
// sent; what the script reads ($ct) stays what was received, as Kamailio's lumps leave it.
#include "nathelper.hpp"

#include <vector>

namespace siphost::modules::nathelper {
namespace {

const siphost_host_api* host() {
    return ctx().host;
}

/// Records a replacement of the bytes [at, at + len) of msg's received text.
bool replace(siphost_msg* msg, const char* at, size_t len, std::string_view text) {
    return host()->msg_replace(msg, raw_offset(msg, at), len, sdk::str(text)) == 0;
}

/// The host and port of a parsed URI in its text, with the brackets of an IPv6 host.
std::string_view host_port_of(std::string_view uri_text, const siphost_uri& uri) {
    const char* begin = uri.host.s;
    const char* end = uri.host.s + uri.host.len;
    const char* text_end = uri_text.data() + uri_text.size();
    if (begin > uri_text.data() && begin[-1] == '[' && end < text_end && *end == ']') {
        --begin;
        ++end;
    }
    if (uri.port_text.len > 0)
        end = uri.port_text.s + uri.port_text.len;
    return std::string_view(begin, static_cast<size_t>(end - begin));
}

/// Where URI parameters are appended: before the URI's headers ('?'), else at its end.
const char* params_end(std::string_view uri_text, const siphost_uri& uri) {
    return uri.headers.len > 0 ? uri.headers.s - 1 : uri_text.data() + uri_text.size();
}

/// The alias value for an address: "ip~port~proto" (the protocol as Kamailio's number, an IPv6 address in
/// brackets).
std::string alias_value(std::string_view ip, uint16_t port, uint8_t proto) {
    std::optional<ip_address> parsed = parse_ip(ip);
    std::string out =
        parsed && parsed->family == 6 && ip.front() != '[' ? "[" + std::string(ip) + "]" : std::string(ip);
    return out.append("~").append(std::to_string(port)).append("~").append(std::to_string(proto));
}

/// The parameter `name=value` of a ';'-list as a range from its ';' to the value's end; empty when absent
/// or a flag.
std::string_view param_range(std::string_view params, std::string_view name) {
    std::string_view value;
    if (params.empty() || !sdk::param(host(), params, name, &value) || value.empty())
        return {};
    const char* at = value.data();
    while (at > params.data() && at[-1] != ';')
        --at;
    const char* begin = at - 1; // the ';' before the name (the first parameter's is just before params)
    return std::string_view(begin, static_cast<size_t>(value.data() + value.size() - begin));
}

/// Where append_alias puts the parameter.
enum class alias_at { uri_end, after_host_port };

/// Adds ";alias=value" to the first Contact's URI (adding < > around a bare addr-spec): at the end of its
/// parameters (set_contact_alias) or right after its host and port (add_contact_alias, as Kamailio places
/// it), optionally dropping an alias it already has. Returns 1, or -1 when the message has no usable
/// Contact.
int append_alias(siphost_msg* msg, std::string_view value, bool trim, alias_at where = alias_at::uri_end) {
    std::optional<contact_ref> c = first_contact(msg);
    siphost_uri uri;
    if (!c || !sdk::parse_uri(host(), sdk::view(c->contact.uri), uri) || uri.host.len == 0) {
        log(SIPHOST_LOG_ERR, "no Contact URI with a host to add an alias to");
        return -1;
    }
    std::string_view uri_text = sdk::view(c->contact.uri);
    std::string_view name = ctx().params.alias_name;
    if (trim) {
        std::string_view old = param_range(sdk::view(uri.params), name);
        if (!old.empty() && !replace(msg, old.data(), old.size(), ""))
            return -1;
    }
    bool bracketed = uri_text.data() > c->value.data() && uri_text.data()[-1] == '<';
    std::string param = ";" + std::string(name) + "=" + std::string(value);
    std::string_view host_port = host_port_of(uri_text, uri);
    const char* at =
        where == alias_at::uri_end ? params_end(uri_text, uri) : host_port.data() + host_port.size();
    const char* uri_end = uri_text.data() + uri_text.size();
    if (!bracketed && !replace(msg, uri_text.data(), 0, "<"))
        return -1;
    if (!bracketed && at == uri_end)
        param.append(">");
    if (!replace(msg, at, 0, param))
        return -1;
    if (!bracketed && at != uri_end && !replace(msg, uri_end, 0, ">"))
        return -1;
    return 1;
}

/// "sip:ip:port;transport=x" from an alias value "ip~port~proto"; nullopt when malformed.
std::optional<std::string> alias_to_uri(std::string_view alias) {
    size_t first = alias.find('~');
    size_t second = first == std::string_view::npos ? first : alias.find('~', first + 1);
    if (second == std::string_view::npos)
        return std::nullopt;
    std::string_view ip = alias.substr(0, first);
    uint64_t port = 0, proto = 0;
    std::optional<ip_address> parsed = parse_ip(ip);
    if (!parsed || !sdk::parse_uint(alias.substr(first + 1, second - first - 1), port, 65535) || port == 0 ||
        !sdk::parse_uint(alias.substr(second + 1), proto, SIPHOST_PROTO_WSS) || proto == 0)
        return std::nullopt;
    std::string out = "sip:";
    out.append(parsed->family == 6 && ip.front() != '[' ? "[" + std::string(ip) + "]" : std::string(ip));
    out.append(":").append(std::to_string(port));
    if (proto != SIPHOST_PROTO_UDP)
        out.append(";transport=").append(proto_name(static_cast<uint8_t>(proto)));
    return out;
}

uint16_t default_port(const siphost_uri& uri) {
    return uri.scheme == SIPHOST_URI_SIPS || sdk::iequals(sdk::view(uri.transport), "tls") ? 5061 : 5060;
}

uint8_t uri_proto(const siphost_uri& uri) {
    if (uri.transport.len > 0)
        return proto_number(sdk::view(uri.transport));
    return uri.scheme == SIPHOST_URI_SIPS ? SIPHOST_PROTO_TLS : SIPHOST_PROTO_UDP;
}

} // namespace

int cmd_fix_nated_contact(siphost_msg* msg, const siphost_value*, void*) {
    std::optional<contact_ref> c = first_contact(msg);
    std::optional<source> src = message_source(msg);
    siphost_uri uri;
    if (!c || !src || !sdk::parse_uri(host(), sdk::view(c->contact.uri), uri) || uri.host.len == 0)
        return -1;
    std::string_view target = host_port_of(sdk::view(c->contact.uri), uri);
    if (!replace(msg, target.data(), target.size(), src->host_port()))
        return -1;
    // maddr would send replies and requests elsewhere than the address just written
    std::string_view maddr = param_range(sdk::view(uri.params), "maddr");
    return maddr.empty() || replace(msg, maddr.data(), maddr.size(), "") ? 1 : -1;
}

int cmd_fix_nated_register(siphost_msg* msg, const siphost_value*, void*) {
    context& c = ctx();
    if (c.received_pv == nullptr)
        return 1; // without received_avp there is nothing to write (Kamailio does the same)
    std::optional<source> src = message_source(msg);
    if (!src)
        return -1;
    std::string uri = src->uri();
    siphost_value value = sdk::str_value(uri);
    return c.host->pv_set(c.received_pv, msg, &value) == 0 ? 1 : -1;
}

namespace {

/// Adds received="source URI" to every contact of every Contact header: to the header's parameters, or
/// (to_uri) to the URI's, quoted in both cases as Kamailio writes it.
int add_rcv_param(siphost_msg* msg, bool to_uri) {
    std::optional<source> src = message_source(msg);
    if (!src)
        return -1;
    std::string param = ";received=\"" + src->uri() + "\"";
    int changed = 0;
    for (uint32_t i = 0;; ++i) {
        bool found = false;
        std::string_view line = sdk::header(host(), msg, "Contact", i, &found);
        if (!found)
            break;
        if (!inside_raw(msg, line))
            return -1;
        size_t count = 0;
        std::vector<siphost_contact> contacts(1);
        if (sdk::parse_contacts(host(), line, contacts.data(), 1, count) != SIPHOST_CONTACTS_LIST)
            continue; // "*" or malformed: nothing to mark
        if (count > 1) {
            contacts.resize(count);
            sdk::parse_contacts(host(), line, contacts.data(), count, count);
        }
        for (const siphost_contact& contact : contacts) {
            std::string_view uri_text = sdk::view(contact.uri);
            bool bracketed = uri_text.data() > line.data() && uri_text.data()[-1] == '<';
            const char* uri_end = uri_text.data() + uri_text.size();
            bool ok = true;
            if (to_uri) {
                siphost_uri uri;
                if (!sdk::parse_uri(host(), uri_text, uri))
                    continue;
                if (!bracketed)
                    ok = replace(msg, uri_text.data(), 0, "<");
                const char* at = params_end(uri_text, uri);
                ok = ok && replace(msg, at, 0, param + (!bracketed && at == uri_end ? ">" : ""));
                if (ok && !bracketed && at != uri_end)
                    ok = replace(msg, uri_end, 0, ">");
            } else {
                const char* at = contact.params.len > 0 ? contact.params.s + contact.params.len
                                 : bracketed && uri_end < line.data() + line.size() && *uri_end == '>'
                                     ? uri_end + 1
                                     : uri_end;
                ok = replace(msg, at, 0, param);
            }
            if (!ok)
                return -1;
            ++changed;
        }
    }
    return changed > 0 ? 1 : -1;
}

} // namespace

int cmd_add_rcv_param0(siphost_msg* msg, const siphost_value*, void*) {
    return add_rcv_param(msg, false);
}

int cmd_add_rcv_param1(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t flag = 0;
    if (!sdk::arg_int(args[0], flag))
        return -1;
    return add_rcv_param(msg, flag != 0);
}

int cmd_set_contact_alias0(siphost_msg* msg, const siphost_value*, void*) {
    std::optional<source> src = message_source(msg);
    return src ? append_alias(msg, alias_value(src->ip, src->port, src->proto), false) : -1;
}

int cmd_set_contact_alias1(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t trim = 0;
    std::optional<source> src = message_source(msg);
    if (!src || !sdk::arg_int(args[0], trim))
        return -1;
    return append_alias(msg, alias_value(src->ip, src->port, src->proto), trim != 0);
}

namespace {

/// True when the message has no Contact header at all (add_contact_alias then has nothing to do: 2).
bool no_contact(const siphost_msg* msg) {
    bool found = false;
    sdk::header(host(), msg, "Contact", 0, &found);
    return !found;
}

} // namespace

int cmd_add_contact_alias0(siphost_msg* msg, const siphost_value*, void*) {
    if (no_contact(msg))
        return 2;
    std::optional<contact_ref> c = first_contact(msg);
    std::optional<source> src = message_source(msg);
    siphost_uri uri;
    if (!c || !src || !sdk::parse_uri(host(), sdk::view(c->contact.uri), uri) || uri.host.len == 0)
        return -1;
    std::optional<ip_address> contact_ip = parse_ip(sdk::view(uri.host));
    bool same = contact_ip && *contact_ip == *parse_ip(src->ip) &&
                (uri.port != 0 ? uri.port : default_port(uri)) == src->port && uri_proto(uri) == src->proto;
    if (same)
        return 2; // the Contact already says where the sender is
    return append_alias(msg, alias_value(src->ip, src->port, src->proto), false, alias_at::after_host_port);
}

int cmd_add_contact_alias3(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view ip = sdk::trim(sdk::arg_view(args[0]));
    int64_t port = 0;
    uint8_t proto = proto_number(sdk::trim(sdk::arg_view(args[2])));
    if (!parse_ip(ip) || !sdk::arg_int(args[1], port) || port <= 0 || port > 65535 || proto == 0) {
        log(SIPHOST_LOG_ERR, "add_contact_alias(): needs an IP address, a port and a transport (udp, tcp, "
                             "tls, sctp, ws, wss)");
        return -1;
    }
    if (no_contact(msg))
        return 2;
    return append_alias(msg, alias_value(ip, static_cast<uint16_t>(port), proto), false,
                        alias_at::after_host_port);
}

int cmd_handle_ruri_alias(siphost_msg* msg, const siphost_value*, void*) {
    if (!host()->msg_is_request(msg))
        return -1;
    std::string ruri(sdk::view(host()->msg_ruri(msg)));
    siphost_uri uri;
    if (!sdk::parse_uri(host(), ruri, uri))
        return -1;
    std::string_view range = param_range(sdk::view(uri.params), ctx().params.alias_name);
    if (range.empty())
        return 2;
    std::string_view value = range.substr(range.find('=') + 1);
    std::optional<std::string> dst = alias_to_uri(value);
    if (!dst) {
        log(SIPHOST_LOG_ERR, "handle_ruri_alias(): malformed alias in the Request-URI");
        return -1;
    }
    size_t at = static_cast<size_t>(range.data() - ruri.data());
    std::string new_ruri = ruri.substr(0, at) + ruri.substr(at + range.size());
    if (host()->msg_set_dst_uri(msg, sdk::str(*dst)) != 0 ||
        host()->msg_set_ruri(msg, sdk::str(new_ruri)) != 0)
        return -1;
    return 1;
}

int cmd_set_alias_to_pv(siphost_msg* msg, const siphost_value*, void* call_data) {
    auto* target = static_cast<siphost_pv_spec*>(call_data);
    std::optional<contact_ref> c = first_contact(msg);
    siphost_uri uri;
    if (target == nullptr || !c || !sdk::parse_uri(host(), sdk::view(c->contact.uri), uri))
        return -1;
    std::string_view range = param_range(sdk::view(uri.params), ctx().params.alias_name);
    if (range.empty())
        return -1;
    std::optional<std::string> dst = alias_to_uri(range.substr(range.find('=') + 1));
    if (!dst)
        return -1;
    siphost_value value = sdk::str_value(*dst);
    return host()->pv_set(target, msg, &value) == 0 ? 1 : -1;
}

} // namespace siphost::modules::nathelper
