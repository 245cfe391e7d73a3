#pragma once
// A fake host table over synthetic messages, for the interpreter's tests and benchmark. The interpreter sees
// only siphost_msg* and the siphost_host_api table, exactly as it does in the real host.

#include <siphost/module.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace siphost::test {

/// One AVP value with its own copy of a string.
struct fake_avp {
    std::string name;
    siphost_value value{};
    std::string text;
};

struct fake_avp_list {
    std::vector<fake_avp> items; ///< front is the most recently added
};

/// A synthetic SIP message.
struct fake_message {
    bool request = true;
    std::string method = "INVITE";
    std::string ruri = "sip:bob@example.com:5080;transport=udp";
    std::string original_ruri = "sip:bob@example.com:5080;transport=udp";
    std::string dst_uri;
    std::vector<std::pair<std::string, std::string>> branches; ///< the destination set: uri, dst_uri
    int status = 0;
    std::string reason;
    std::string call_id = "call-1@host";
    std::string from_uri = "sip:alice@atlanta.example.com";
    std::string from_tag = "ftag1";
    std::string to_uri = "sip:bob@biloxi.example.com";
    std::string to_tag;
    std::uint32_t cseq = 1;
    std::string cseq_method = "INVITE";
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1"},
        {"Via", "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2"},
        {"From", "<sip:alice@atlanta.example.com>;tag=ftag1"},
        {"To", "<sip:bob@biloxi.example.com>"},
        {"Call-ID", "call-1@host"},
        {"CSeq", "1 INVITE"},
        {"Max-Forwards", "70"}};
    std::string body;
    std::string raw = "INVITE sip:bob@example.com SIP/2.0\r\n\r\n";
    siphost_dest source = make_source(4, 5062, {127, 0, 0, 1});
    std::uint64_t flags = 0;
    std::unique_ptr<fake_avp_list> avps = std::make_unique<fake_avp_list>();
    std::vector<std::string> added_headers;

    static siphost_dest make_source(uint8_t family, uint16_t port, std::initializer_list<uint8_t> ip) {
        siphost_dest d{};
        d.struct_size = sizeof d;
        d.proto = SIPHOST_PROTO_UDP;
        d.family = family;
        d.port = port;
        std::copy(ip.begin(), ip.end(), d.ip);
        return d;
    }

    siphost_msg* handle() { return reinterpret_cast<siphost_msg*>(this); }
    static fake_message& of(const siphost_msg* m) {
        return *reinterpret_cast<fake_message*>(const_cast<siphost_msg*>(m));
    }

    /// Makes this a reply with the given status to a request of method.
    void make_reply(int code, std::string text, std::string for_method) {
        request = false;
        status = code;
        reason = std::move(text);
        method = for_method;
        cseq_method = std::move(for_method);
        ruri.clear();
    }
};

/// Lines the fake host's log() received, as "level|module|text".
inline std::vector<std::string>& fake_log() {
    static std::vector<std::string> lines;
    return lines;
}

namespace fake_detail {
inline siphost_str s(const std::string& t) {
    return {t.data(), t.size()};
}
inline bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}
inline std::string_view compact(std::string_view n) {
    if (n.size() == 1) {
        switch (std::tolower(static_cast<unsigned char>(n[0]))) {
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
        default:
            break;
        }
    }
    return n;
}
} // namespace fake_detail

/// What a fake module passes as its siphost_module_handle: its name (the fake's log prints it).
struct fake_module_handle {
    const char* name;
    siphost_module_handle* handle() { return reinterpret_cast<siphost_module_handle*>(this); }
};

namespace fake_detail {
inline void log(siphost_module_handle* self, int level, siphost_str text) {
    const char* module = self == nullptr ? "" : reinterpret_cast<fake_module_handle*>(self)->name;
    fake_log().push_back(std::to_string(level) + "|" + module + "|" + std::string(text.s ? text.s : "", text.len));
}
inline int log_enabled(int) {
    return 1;
}
inline int is_request(const siphost_msg* m) {
    return fake_message::of(m).request;
}
inline siphost_str method(const siphost_msg* m) {
    return s(fake_message::of(m).method);
}
inline int status(const siphost_msg* m) {
    return fake_message::of(m).status;
}
inline siphost_str reason(const siphost_msg* m) {
    return s(fake_message::of(m).reason);
}
inline siphost_str ruri(const siphost_msg* m) {
    return s(fake_message::of(m).ruri);
}
inline siphost_str original_ruri(const siphost_msg* m) {
    return s(fake_message::of(m).original_ruri);
}
inline siphost_str dst_uri(const siphost_msg* m) {
    return s(fake_message::of(m).dst_uri);
}
inline int header(const siphost_msg* m, siphost_str name, uint32_t index, siphost_str* value) {
    std::string_view wanted = compact(std::string_view(name.s ? name.s : "", name.len));
    for (const auto& [n, v] : fake_message::of(m).headers)
        if (same_name(n, wanted) && index-- == 0) {
            *value = s(v);
            return 1;
        }
    return 0;
}
inline siphost_str body(const siphost_msg* m) {
    return s(fake_message::of(m).body);
}
inline siphost_str call_id(const siphost_msg* m) {
    return s(fake_message::of(m).call_id);
}
inline int cseq(const siphost_msg* m, uint32_t* number, siphost_str* meth) {
    *number = fake_message::of(m).cseq;
    *meth = s(fake_message::of(m).cseq_method);
    return 0;
}
inline siphost_str from_uri(const siphost_msg* m) {
    return s(fake_message::of(m).from_uri);
}
inline siphost_str from_tag(const siphost_msg* m) {
    return s(fake_message::of(m).from_tag);
}
inline siphost_str to_uri(const siphost_msg* m) {
    return s(fake_message::of(m).to_uri);
}
inline siphost_str to_tag(const siphost_msg* m) {
    return s(fake_message::of(m).to_tag);
}
inline int source(const siphost_msg* m, siphost_dest* out) {
    *out = fake_message::of(m).source;
    return 0;
}
/// Every fake message arrived at one socket, udp:127.0.0.1:5060.
inline siphost_socket* fake_socket() {
    static char arrival = 0;
    return reinterpret_cast<siphost_socket*>(&arrival);
}
inline siphost_socket* socket_of(const siphost_msg*) {
    return fake_socket();
}
inline int socket_info(const siphost_socket* socket, siphost_socket_info* out) {
    if (socket != fake_socket())
        return -1;
    static const std::string address = "127.0.0.1";
    static const std::string name = "udp:127.0.0.1:5060";
    out->host = s(address);
    out->port = 5060;
    out->proto = SIPHOST_PROTO_UDP;
    out->family = 4;
    out->index = 0;
    out->name = s(name);
    return 0;
}
inline siphost_str raw(const siphost_msg* m) {
    return s(fake_message::of(m).raw);
}
inline uint64_t flags(const siphost_msg* m) {
    return fake_message::of(m).flags;
}
inline void set_flags(siphost_msg* m, uint64_t f) {
    fake_message::of(m).flags = f;
}
inline int add_header(siphost_msg* m, siphost_str text, int, siphost_str) {
    fake_message::of(m).added_headers.emplace_back(text.s ? text.s : "", text.len);
    return 0;
}
inline int set_ruri(siphost_msg* m, siphost_str uri) {
    fake_message::of(m).ruri.assign(uri.s ? uri.s : "", uri.len);
    return 0;
}
inline int set_dst_uri(siphost_msg* m, siphost_str uri) {
    fake_message::of(m).dst_uri.assign(uri.s ? uri.s : "", uri.len);
    return 0;
}
inline int append_branch(siphost_msg* m, const siphost_branch* b) {
    auto& branches = fake_message::of(m).branches;
    branches.emplace_back(std::string(b->uri.s ? b->uri.s : "", b->uri.len),
                          std::string(b->dst_uri.s ? b->dst_uri.s : "", b->dst_uri.len));
    return static_cast<int>(branches.size() - 1);
}
inline int is_myself(siphost_str host, uint16_t port) {
    std::string_view h(host.s ? host.s : "", host.len);
    return (h == "127.0.0.1" || h == "proxy.local") && (port == 0 || port == 5060);
}
inline siphost_avp_list* msg_avps(siphost_msg* m) {
    return reinterpret_cast<siphost_avp_list*>(fake_message::of(m).avps.get());
}
inline fake_avp_list& list_of(const siphost_avp_list* l) {
    return *reinterpret_cast<fake_avp_list*>(const_cast<siphost_avp_list*>(l));
}
inline int avp_get(const siphost_avp_list* l, siphost_str name, uint32_t index, siphost_value* out) {
    std::string_view n(name.s ? name.s : "", name.len);
    for (const auto& avp : list_of(l).items)
        if (avp.name == n && index-- == 0) {
            *out = avp.value;
            if (out->kind == SIPHOST_VALUE_STR)
                out->str = s(avp.text);
            return 1;
        }
    return 0;
}
inline int avp_add(siphost_avp_list* l, siphost_str name, const siphost_value* v) {
    fake_avp avp;
    avp.name.assign(name.s ? name.s : "", name.len);
    avp.value = *v;
    if (v->kind == SIPHOST_VALUE_STR)
        avp.text.assign(v->str.s ? v->str.s : "", v->str.len);
    auto& items = list_of(l).items;
    items.insert(items.begin(), std::move(avp));
    return 0;
}
inline int avp_set(siphost_avp_list* l, siphost_str name, uint32_t index, const siphost_value* v) {
    std::string_view n(name.s ? name.s : "", name.len);
    for (auto& avp : list_of(l).items)
        if (avp.name == n && index-- == 0) {
            std::string text(v->kind == SIPHOST_VALUE_STR && v->str.s ? v->str.s : "", v->str.len);
            avp.value = *v;
            avp.text = std::move(text);
            return 0;
        }
    return -1;
}
inline int avp_delete(siphost_avp_list* l, siphost_str name, int32_t index) {
    std::string_view n(name.s ? name.s : "", name.len);
    auto& items = list_of(l).items;
    int removed = 0;
    int32_t seen = 0;
    for (auto it = items.begin(); it != items.end();) {
        if (it->name == n && (index < 0 || seen++ == index)) {
            it = items.erase(it);
            ++removed;
            if (index >= 0)
                break;
        } else {
            ++it;
        }
    }
    return removed;
}
} // namespace fake_detail

/// The fake message context sub-table: the destination set only.
inline const siphost_msgctx_api* fake_msgctx_api() {
    static const siphost_msgctx_api api = [] {
        siphost_msgctx_api a{};
        a.struct_size = sizeof a;
        a.append_branch = fake_detail::append_branch;
        return a;
    }();
    return &api;
}

/// The fake host table (only what the interpreter and the fake modules use is set).
inline const siphost_host_api* fake_host_api() {
    static const siphost_host_api api = [] {
        siphost_host_api a{};
        a.struct_size = sizeof a;
        a.abi_major = SIPHOST_ABI_MAJOR;
        a.abi_minor = SIPHOST_ABI_MINOR;
        a.log = fake_detail::log;
        a.log_enabled = fake_detail::log_enabled;
        a.msg_is_request = fake_detail::is_request;
        a.msg_method = fake_detail::method;
        a.msg_status = fake_detail::status;
        a.msg_reason = fake_detail::reason;
        a.msg_ruri = fake_detail::ruri;
        a.msg_original_ruri = fake_detail::original_ruri;
        a.msg_dst_uri = fake_detail::dst_uri;
        a.msg_header = fake_detail::header;
        a.msg_body = fake_detail::body;
        a.msg_call_id = fake_detail::call_id;
        a.msg_cseq = fake_detail::cseq;
        a.msg_from_uri = fake_detail::from_uri;
        a.msg_from_tag = fake_detail::from_tag;
        a.msg_to_uri = fake_detail::to_uri;
        a.msg_to_tag = fake_detail::to_tag;
        a.msg_source = fake_detail::source;
        a.msg_socket = fake_detail::socket_of;
        a.socket_info = fake_detail::socket_info;
        a.msg_raw = fake_detail::raw;
        a.msg_flags = fake_detail::flags;
        a.msg_set_flags = fake_detail::set_flags;
        a.msg_add_header = fake_detail::add_header;
        a.msg_set_ruri = fake_detail::set_ruri;
        a.msg_set_dst_uri = fake_detail::set_dst_uri;
        a.msgctx = fake_msgctx_api();
        a.is_myself = fake_detail::is_myself;
        a.msg_avps = fake_detail::msg_avps;
        a.avp_get = fake_detail::avp_get;
        a.avp_add = fake_detail::avp_add;
        a.avp_delete = fake_detail::avp_delete;
        a.avp_set = fake_detail::avp_set;
        return a;
    }();
    return &api;
}

} // namespace siphost::test
