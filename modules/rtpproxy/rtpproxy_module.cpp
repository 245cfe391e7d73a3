// rtpproxy: relays a call's media through an RTP proxy (Kamailio 5.6's rtpproxy module), speaking the
// rtpproxy control protocol to the proxies of rtpproxy_sock (proxy_set.cpp).
//
//   rtpproxy_offer([flags[, ip]])    "U" (create or update a session) for each m= line; the SDP then names
//                                    the proxy's address and ports
//   rtpproxy_answer([flags[, ip]])   "L" (look up the session the offer made), same rewrite
//   rtpproxy_destroy([flags]), unforce_rtp_proxy()  "D" (end the session)
//   rtpproxy_manage([flags[, ip]])   offer, answer or destroy, picked from the method and the SDP
//   set_rtp_proxy_set(id)            the set the next commands on this message use (default: the first)
//
// When no proxy answers, the functions log an error, leave the message untouched and return -1, as
// Kamailio does. The worker waits for a proxy's reply (rtpproxy_tout seconds, rtpproxy_retr more tries).
#include "proxy_set.hpp"

#include <siphost/module.hpp>

#include <arpa/inet.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace siphost::modules::rtpproxy {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
proxy_set proxies_;
int32_t disable_tout_ = 60;
int32_t tout_ = 1;
int32_t retr_ = 5;
const char* nortpproxy_str_ = "a=nortpproxy:yes\r\n";
const char* timeout_socket_ = nullptr;
const char* ice_candidate_priority_avp_ = nullptr;
const char* extra_id_pv_ = nullptr;
const char* db_url_ = nullptr;
const char* table_name_ = nullptr;
const char* rtp_inst_pvar_ = nullptr;

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

// ---- flags ----

struct options {
    bool force = false;       ///< f: also when the SDP carries nortpproxy_str
    bool trust_sdp = false;   ///< r (and a): the SDP's address goes to the proxy, not the source's
    bool origin = false;      ///< o: the o= line names the proxy too
    bool lookup = false;      ///< l: only an existing session (L instead of U)
    bool bridge_auto = false; ///< x: I/E from the address family (IPv4 inside, IPv6 outside)
    std::string modifiers;    ///< what goes after U/L: A (asymmetric), I/E (bridge), S (symmetric), Z<ms>
};

/// Parses Kamailio's flags; false (with why) for a letter Kamailio does not know. 1, 2, 3 and b (Via branch
/// or extra id in the Call-ID, for rtpengine) and c (rewrite the session c= too, which this module always
/// does) are accepted without effect.
bool parse_flags(std::string_view flags, options& out, std::string& why) {
    for (size_t i = 0; i < flags.size(); ++i) {
        char l = static_cast<char>(std::tolower(static_cast<unsigned char>(flags[i])));
        switch (l) {
        case 'f':
            out.force = true;
            break;
        case 'r':
            out.trust_sdp = true;
            break;
        case 'o':
            out.origin = true;
            break;
        case 'l':
            out.lookup = true;
            break;
        case 'x':
            out.bridge_auto = true;
            break;
        case 'a':
            out.trust_sdp = true;
            out.modifiers.push_back('A');
            break;
        case 'i':
            out.modifiers.push_back('I');
            break;
        case 'e':
            out.modifiers.push_back('E');
            break;
        case 'w':
            out.modifiers.push_back('S');
            break;
        case 'z': {
            size_t end = i + 1;
            while (end < flags.size() && flags[end] >= '0' && flags[end] <= '9')
                ++end;
            if (end == i + 1) {
                why = "flag 'z' needs a packet size in ms (z20)";
                return false;
            }
            out.modifiers.append("Z").append(flags.substr(i + 1, end - i - 1));
            i = end - 1;
            break;
        }
        case '1':
        case '2':
        case '3':
        case 'b':
        case 'c':
            break;
        default:
            why = std::string("unknown flag '") + flags[i] + "'";
            return false;
        }
    }
    return true;
}

// ---- per-message set choice ----

struct chosen_set {
    uint64_t msg_id = 0;
    int set = -1;
};
thread_local chosen_set chosen_;

proxy_group* current_group(const siphost_msg* msg) {
    if (proxies_.empty())
        return nullptr;
    if (chosen_.msg_id == host_->msgctx->msg_id(msg) && chosen_.set >= 0)
        return proxies_.group(chosen_.set);
    return &proxies_.groups().front();
}

// ---- SDP ----

std::string_view body_of(const siphost_msg* msg) {
    std::string_view body = sdk::view(host_->msg_body(msg));
    if (body.empty())
        return {};
    bool found = false;
    std::string_view type = sdk::trim(sdk::header(host_, msg, "Content-Type", 0, &found));
    if (found && !(type.size() >= 15 && sdk::iequals(type.substr(0, 15), "application/sdp")))
        return {};
    return body;
}

size_t offset_of(const siphost_msg* msg, const char* at) {
    return static_cast<size_t>(at - sdk::view(host_->msg_raw(msg)).data());
}

struct line_ref {
    std::string_view text; ///< without the line end
};

std::vector<line_ref> lines_of(std::string_view body) {
    std::vector<line_ref> lines;
    size_t at = 0;
    while (at < body.size()) {
        size_t nl = body.find('\n', at);
        size_t end = nl == std::string_view::npos ? body.size() : nl;
        size_t text_end = end > at && body[end - 1] == '\r' ? end - 1 : end;
        lines.push_back({body.substr(at, text_end - at)});
        at = nl == std::string_view::npos ? body.size() : nl + 1;
    }
    return lines;
}

/// Where "IP4 addr" (type and address) of a "c=IN IP4 addr[/ttl]" line sits in the line.
bool connection_address(std::string_view line, size_t& at, size_t& len) {
    if (!line.starts_with("c=IN IP4 ") && !line.starts_with("c=IN IP6 "))
        return false;
    at = 5;
    len = line.find_first_of("/ ", at + 4);
    len = (len == std::string_view::npos ? line.size() : len) - at;
    return len > 4;
}

/// Where "IP4 addr" of "o=user id version IN IP4 addr" sits.
bool origin_address(std::string_view line, size_t& at, size_t& len) {
    size_t in = line.find(" IN IP");
    if (!line.starts_with("o=") || in == std::string_view::npos || in + 8 >= line.size())
        return false;
    at = in + 4; // past " IN "
    len = line.find(' ', at + 4);
    len = (len == std::string_view::npos ? line.size() : len) - at;
    return len > 4;
}

/// The port of "m=audio 49170 RTP/AVP 0" and where it sits.
bool media_port(std::string_view line, size_t& at, size_t& len) {
    if (!line.starts_with("m="))
        return false;
    size_t space = line.find(' ');
    if (space == std::string_view::npos)
        return false;
    at = space + 1;
    len = line.find_first_of(" /", at);
    len = (len == std::string_view::npos ? line.size() : len) - at;
    return len > 0 && line.substr(at, len).find_first_not_of("0123456789") == std::string_view::npos;
}

std::string source_ip(const siphost_msg* msg) {
    siphost_dest src{};
    src.struct_size = sizeof src;
    char text[INET6_ADDRSTRLEN] = "";
    if (host_->msg_source(msg, &src) == 0)
        inet_ntop(src.family == 6 ? AF_INET6 : AF_INET, src.ip, text, sizeof text);
    return text;
}

/// offer (U) or answer (L): one command per m= line, then the SDP is rewritten with the proxy's ports and
/// address and marked with nortpproxy_str. -1 with the message untouched when anything fails.
int offer_or_answer(siphost_msg* msg, bool offer, std::string_view flags, std::string_view given_ip) {
    const char* what = offer ? "rtpproxy_offer" : "rtpproxy_answer";
    options opt;
    std::string why;
    if (!parse_flags(flags, opt, why)) {
        log(SIPHOST_LOG_ERR, std::string(what) + "(): " + why);
        return -1;
    }
    proxy_group* group = current_group(msg);
    if (group == nullptr) {
        log(SIPHOST_LOG_ERR, std::string(what) + "(): no rtpproxy set (rtpproxy_sock) to use");
        return -1;
    }
    std::string_view body = body_of(msg);
    if (body.empty()) {
        log(SIPHOST_LOG_ERR, std::string(what) + "(): the message has no SDP body");
        return -1;
    }
    std::string_view nortpproxy = nortpproxy_str_ != nullptr ? nortpproxy_str_ : "";
    std::string_view marker = nortpproxy;
    while (!marker.empty() && (marker.back() == '\n' || marker.back() == '\r'))
        marker.remove_suffix(1);
    if (!marker.empty() && !opt.force && body.find(marker) != std::string_view::npos) {
        log(SIPHOST_LOG_NOTICE,
            std::string(what) + "(): the SDP is already relayed (" + std::string(marker) + ")");
        return -1;
    }
    std::string call_id(sdk::view(host_->msg_call_id(msg)));
    std::string from_tag(sdk::view(host_->msg_from_tag(msg)));
    std::string to_tag(sdk::view(host_->msg_to_tag(msg)));
    if (call_id.empty() || from_tag.empty()) {
        log(SIPHOST_LOG_ERR, std::string(what) + "(): the message has no Call-ID or From-tag");
        return -1;
    }
    // The session is named by the tag of the side whose media the SDP describes first: a request comes from
    // the caller, a reply from the callee.
    bool reply = host_->msg_is_request(msg) == 0;
    std::string own_tag = reply ? to_tag : from_tag;
    std::string other_tag = reply ? from_tag : to_tag;
    if (!offer && other_tag.empty()) {
        log(SIPHOST_LOG_ERR, std::string(what) + "(): an answer needs both tags");
        return -1;
    }

    std::vector<line_ref> lines = lines_of(body);
    std::string session_ip;
    struct change {
        const char* at;
        size_t len;
        std::string text;
    };
    std::vector<change> changes;
    int media_index = 0;
    const char* pending_media_port = nullptr; // the m= port of the stream being read
    size_t pending_len = 0;
    std::string stream_ip;
    std::vector<std::pair<size_t, size_t>> c_lines; // "IP4 addr" of c= lines (and o= with flag o) in body
    std::string proxy_ip;
    proxy* used = nullptr;

    auto flush_stream = [&]() -> bool {
        if (pending_media_port == nullptr)
            return true;
        ++media_index;
        std::string ip = opt.trust_sdp ? (stream_ip.empty() ? session_ip : stream_ip) : source_ip(msg);
        if (!given_ip.empty())
            ip.assign(given_ip);
        if (ip.empty()) {
            log(SIPHOST_LOG_ERR, std::string(what) + "(): the SDP has no connection address");
            return false;
        }
        std::string modifiers = opt.modifiers;
        if (opt.bridge_auto)
            modifiers += ip.find(':') == std::string::npos ? "IE" : "EI";
        std::string command = std::string(offer && !opt.lookup ? "U" : "L") + modifiers + " " + call_id +
                              " " + ip + " " + std::string(pending_media_port, pending_len) + " " + own_tag +
                              ";" + std::to_string(media_index);
        if (!other_tag.empty())
            command += " " + other_tag + ";" + std::to_string(media_index);
        std::optional<std::string> answer = proxies_.send(*group, call_id, command, host_->now_ms(), &used);
        if (!answer) {
            log(SIPHOST_LOG_ERR, std::string(what) + "(): no rtpproxy answered (set " +
                                     std::to_string(group->id) + "); the message is left as it is");
            return false;
        }
        std::string_view a = sdk::trim(*answer);
        size_t space = a.find(' ');
        std::string port(a.substr(0, space));
        // "PORT [ADDRESS [FAMILY]]": newer proxies add the address family after the address.
        std::string ip_from_proxy;
        if (space != std::string_view::npos) {
            std::string_view rest = sdk::trim(a.substr(space));
            ip_from_proxy.assign(rest.substr(0, rest.find(' ')));
        }
        char* end = nullptr;
        long number = std::strtol(port.c_str(), &end, 10);
        if (a.empty() || a.front() == 'E' || port.empty() || *end != '\0' || number <= 0 || number > 65535) {
            log(SIPHOST_LOG_ERR,
                std::string(what) + "(): the rtpproxy refused '" + command + "': " + std::string(a));
            return false;
        }
        if (ip_from_proxy.empty())
            ip_from_proxy = used != nullptr && !used->unix_socket ? used->host : "127.0.0.1";
        if (proxy_ip.empty())
            proxy_ip = ip_from_proxy;
        changes.push_back({pending_media_port, pending_len, port});
        pending_media_port = nullptr;
        return true;
    };

    for (const line_ref& l : lines) {
        size_t at = 0, len = 0;
        if (media_port(l.text, at, len)) {
            if (!flush_stream())
                return -1;
            pending_media_port = l.text.data() + at;
            pending_len = len;
            stream_ip.clear();
        } else if (connection_address(l.text, at, len)) {
            (pending_media_port == nullptr && media_index == 0 ? session_ip : stream_ip)
                .assign(l.text.substr(at + 4, len - 4));
            c_lines.emplace_back(static_cast<size_t>(l.text.data() + at - body.data()), len);
        } else if (opt.origin && origin_address(l.text, at, len)) {
            c_lines.emplace_back(static_cast<size_t>(l.text.data() + at - body.data()), len);
        }
    }
    if (!flush_stream())
        return -1;
    if (media_index == 0) {
        log(SIPHOST_LOG_ERR, std::string(what) + "(): the SDP has no m= line");
        return -1;
    }
    // The address type follows the proxy's address (an IPv6 offer relayed through an IPv4 proxy says IP4).
    std::string typed = (proxy_ip.find(':') == std::string::npos ? "IP4 " : "IP6 ") + proxy_ip;
    for (auto [at, len] : c_lines)
        changes.push_back({body.data() + at, len, typed});
    for (const change& c : changes)
        if (host_->msg_replace(msg, offset_of(msg, c.at), c.len, sdk::str(c.text)) != 0) {
            log(SIPHOST_LOG_ERR, std::string(what) + "(): the host refused to change the SDP");
            return -1;
        }
    if (!nortpproxy.empty() && body.find(marker) == std::string_view::npos) {
        std::string line(nortpproxy);
        if (!body.ends_with('\n'))
            line.insert(0, "\r\n");
        if (host_->msg_replace(msg, offset_of(msg, body.data() + body.size()), 0, sdk::str(line)) != 0) {
            log(SIPHOST_LOG_ERR, std::string(what) + "(): the host refused to mark the SDP");
            return -1;
        }
    }
    return 1;
}

int destroy_session(siphost_msg* msg, std::string_view flags) {
    options opt;
    std::string why;
    if (!parse_flags(flags, opt, why)) {
        log(SIPHOST_LOG_ERR, "rtpproxy_destroy(): " + why);
        return -1;
    }
    proxy_group* group = current_group(msg);
    if (group == nullptr) {
        log(SIPHOST_LOG_ERR, "rtpproxy_destroy(): no rtpproxy set (rtpproxy_sock) to use");
        return -1;
    }
    std::string call_id(sdk::view(host_->msg_call_id(msg)));
    std::string from_tag(sdk::view(host_->msg_from_tag(msg)));
    std::string to_tag(sdk::view(host_->msg_to_tag(msg)));
    if (call_id.empty() || from_tag.empty()) {
        log(SIPHOST_LOG_ERR, "rtpproxy_destroy(): the message has no Call-ID or From-tag");
        return -1;
    }
    std::string command = "D " + call_id + " " + from_tag;
    if (!to_tag.empty())
        command += " " + to_tag;
    std::optional<std::string> answer = proxies_.send(*group, call_id, command, host_->now_ms());
    if (!answer) {
        log(SIPHOST_LOG_ERR,
            "rtpproxy_destroy(): no rtpproxy answered (set " + std::to_string(group->id) + ")");
        return -1;
    }
    return 1;
}

/// rtpproxy_manage: INVITE with SDP offers; ACK with SDP, and a reply with SDP to an INVITE, answer (or
/// offer, when the INVITE had none: the reply then carries the offer); CANCEL, BYE and a failure reply to an
/// INVITE destroy.
int manage(siphost_msg* msg, std::string_view flags, std::string_view ip) {
    bool has_sdp = !body_of(msg).empty();
    if (host_->msg_is_request(msg) != 0) {
        std::string_view method = sdk::view(host_->msg_method(msg));
        if (method == "CANCEL" || method == "BYE")
            return destroy_session(msg, flags);
        if (method == "INVITE" && has_sdp)
            return offer_or_answer(msg, true, flags, ip);
        if (method == "ACK" && has_sdp)
            return offer_or_answer(msg, false, flags, ip);
        if (method == "UPDATE" && has_sdp)
            return offer_or_answer(msg, true, flags, ip);
        return -1;
    }
    uint32_t cseq = 0;
    siphost_str cseq_method{nullptr, 0};
    if (host_->msg_cseq(msg, &cseq, &cseq_method) != 0 || sdk::view(cseq_method) != "INVITE")
        return -1;
    int status = host_->msg_status(msg);
    if (status >= 300)
        return destroy_session(msg, flags);
    if (has_sdp && status > 100)
        return offer_or_answer(msg, false, flags, ip);
    return -1;
}

// ---- commands ----

std::string_view arg(const siphost_value* args, int i) {
    return sdk::trim(sdk::arg_view(args[i]));
}

int cmd_offer0(siphost_msg* msg, const siphost_value*, void*) {
    return offer_or_answer(msg, true, "", "");
}
int cmd_offer1(siphost_msg* msg, const siphost_value* a, void*) {
    return offer_or_answer(msg, true, arg(a, 0), "");
}
int cmd_offer2(siphost_msg* msg, const siphost_value* a, void*) {
    return offer_or_answer(msg, true, arg(a, 0), arg(a, 1));
}
int cmd_answer0(siphost_msg* msg, const siphost_value*, void*) {
    return offer_or_answer(msg, false, "", "");
}
int cmd_answer1(siphost_msg* msg, const siphost_value* a, void*) {
    return offer_or_answer(msg, false, arg(a, 0), "");
}
int cmd_answer2(siphost_msg* msg, const siphost_value* a, void*) {
    return offer_or_answer(msg, false, arg(a, 0), arg(a, 1));
}
int cmd_destroy0(siphost_msg* msg, const siphost_value*, void*) {
    return destroy_session(msg, "");
}
int cmd_destroy1(siphost_msg* msg, const siphost_value* a, void*) {
    return destroy_session(msg, arg(a, 0));
}
int cmd_manage0(siphost_msg* msg, const siphost_value*, void*) {
    return manage(msg, "", "");
}
int cmd_manage1(siphost_msg* msg, const siphost_value* a, void*) {
    return manage(msg, arg(a, 0), "");
}
int cmd_manage2(siphost_msg* msg, const siphost_value* a, void*) {
    return manage(msg, arg(a, 0), arg(a, 1));
}

int cmd_set_proxy_set(siphost_msg* msg, const siphost_value* a, void*) {
    int64_t id = -1;
    if (!sdk::arg_int(a[0], id) || proxies_.group(static_cast<int>(id)) == nullptr) {
        log(SIPHOST_LOG_ERR, "set_rtp_proxy_set(): no rtpproxy set '" + std::to_string(id) + "'");
        return -1;
    }
    chosen_.msg_id = host_->msgctx->msg_id(msg);
    chosen_.set = static_cast<int>(id);
    return 1;
}

// ---- fixups: constant flags, addresses and sets are checked when the config is read ----

std::unique_ptr<int> fix_flags(const siphost_value* args, const int* constant) {
    options opt;
    std::string why;
    if (constant[0] && !parse_flags(arg(args, 0), opt, why))
        throw sdk::config_error("rtpproxy: " + why + " in flags '" + std::string(arg(args, 0)) + "'");
    return nullptr;
}

std::unique_ptr<int> fix_flags_ip(const siphost_value* args, const int* constant) {
    fix_flags(args, constant);
    std::string ip(arg(args, 1));
    unsigned char buf[16];
    if (constant[1] && !ip.empty() && inet_pton(AF_INET, ip.c_str(), buf) != 1 &&
        inet_pton(AF_INET6, ip.c_str(), buf) != 1)
        throw sdk::config_error("rtpproxy: '" + ip + "' is not an IP address");
    return nullptr;
}

std::unique_ptr<int> fix_set(const siphost_value* args, const int* constant) {
    int64_t id = -1;
    if (!constant[0])
        return nullptr;
    if (!sdk::arg_int(args[0], id))
        throw sdk::config_error("set_rtp_proxy_set(): the set must be a number");
    if (proxies_.group(static_cast<int>(id)) == nullptr)
        throw sdk::config_error("set_rtp_proxy_set(): no rtpproxy set '" + std::to_string(id) +
                                "' in rtpproxy_sock");
    return nullptr;
}

// ---- parameters ----

int set_sock(const char*, const siphost_value* value, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        proxies_.add(sdk::view(value->str));
        return 0;
    });
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        self_ = self;
        if (tout_ < 1)
            throw sdk::config_error("rtpproxy_tout must be at least 1 second");
        if (retr_ < 0)
            throw sdk::config_error("rtpproxy_retr must not be negative");
        if (disable_tout_ < 0)
            throw sdk::config_error("rtpproxy_disable_tout must not be negative");
        if (nortpproxy_str_ != nullptr && *nortpproxy_str_ != '\0' &&
            !std::string_view(nortpproxy_str_).ends_with("\n"))
            throw sdk::config_error("nortpproxy_str must be a whole SDP line, ending with \\r\\n");
        auto ignored = [&](const char* name, const char* value, const char* what) {
            if (value != nullptr && *value != '\0')
                log(SIPHOST_LOG_WARN, std::string(name) + " is accepted but not used: " + what);
        };
        ignored("timeout_socket", timeout_socket_, "siphost does not receive rtpproxy timeout notifications");
        ignored("ice_candidate_priority_avp", ice_candidate_priority_avp_,
                "ICE candidates are not rewritten");
        ignored("extra_id_pv", extra_id_pv_, "no extra id is sent");
        ignored("rtp_inst_pvar", rtp_inst_pvar_, "the proxy used is not stored");
        if (db_url_ != nullptr && *db_url_ != '\0')
            throw sdk::config_error(
                "db_url: rtpproxy sets from a database are not supported; use rtpproxy_sock");
        ignored("table_name", table_name_, "no database");
        proxies_.configure(tout_, retr_, disable_tout_);
        if (proxies_.empty()) {
            log(SIPHOST_LOG_WARN, "no rtpproxy_sock: the rtpproxy functions will fail");
            return 0;
        }
        // An unreachable proxy is not a start-up failure: it is disabled and tried again later.
        proxies_.check_all(host->now_ms());
        for (proxy_group& g : proxies_.groups())
            for (auto& p : g.proxies)
                if (p->disabled)
                    log(SIPHOST_LOG_WARN, "rtpproxy " + p->url + " (set " + std::to_string(g.id) +
                                              ") did not answer the version check; disabled for " +
                                              std::to_string(disable_tout_) + " s");
        return 0;
    });
}

// ---- RPC ----

void rpc_list(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_node* root = rpc->result(call);
    siphost_rpc_node* list = rpc->add_array(root, "proxies");
    for (proxy_group& g : proxies_.groups())
        for (auto& p : g.proxies) {
            siphost_rpc_node* n = rpc->add_struct(list, nullptr);
            rpc->add_int(n, "setid", g.id);
            rpc->add_str(n, "url", sdk::str(p->url));
            rpc->add_int(n, "index", &p - g.proxies.data());
            rpc->add_int(n, "disabled", p->disabled || p->manually_disabled ? 1 : 0);
            rpc->add_int(n, "weight", p->weight);
            rpc->add_int(n, "recheck_ticks", p->disabled ? static_cast<int64_t>(p->recheck_ms) : 0);
        }
}

void rpc_enable(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_value url{}, on{};
    int64_t enable = 0;
    if (rpc->param_count(call) != 2 || rpc->param(call, 0, &url) != 0 || rpc->param(call, 1, &on) != 0 ||
        !sdk::arg_int(on, enable)) {
        rpc->fault(call, 400, sdk::str("rtpproxy.enable URL 0|1"));
        return;
    }
    std::string_view wanted = sdk::arg_view(url);
    bool found = false;
    for (proxy_group& g : proxies_.groups())
        for (auto& p : g.proxies)
            if (p->url == wanted || (wanted == "all")) {
                found = true;
                p->manually_disabled = enable == 0;
                if (enable != 0 && p->disabled)
                    proxies_.check(*p, host_->now_ms());
            }
    if (!found)
        rpc->fault(call, 404, sdk::str("no such rtpproxy"));
}

// ---- the tables ----

constexpr uint32_t request = SIPHOST_ROUTE_REQUEST;
constexpr uint32_t onreply = SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_TM_ONREPLY;
constexpr uint32_t routes = request | onreply | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_BRANCH;
using sdk::command;
using sdk::fixup;
using sdk::guarded;
constexpr auto S = SIPHOST_ARG_STRING;
constexpr auto I = SIPHOST_ARG_INT;

const siphost_command commands[] = {
    command("rtpproxy_offer", routes, guarded<&cmd_offer0>, {}, nullptr, nullptr, "relays the offer's media"),
    command("rtpproxy_offer", routes, guarded<&cmd_offer1>, {S}, fixup<&fix_flags>, nullptr,
            "rtpproxy_offer(flags)"),
    command("rtpproxy_offer", routes, guarded<&cmd_offer2>, {S, S}, fixup<&fix_flags_ip>, nullptr,
            "rtpproxy_offer(flags, ip)"),
    command("rtpproxy_answer", routes, guarded<&cmd_answer0>, {}, nullptr, nullptr,
            "relays the answer's media"),
    command("rtpproxy_answer", routes, guarded<&cmd_answer1>, {S}, fixup<&fix_flags>, nullptr,
            "rtpproxy_answer(flags)"),
    command("rtpproxy_answer", routes, guarded<&cmd_answer2>, {S, S}, fixup<&fix_flags_ip>, nullptr,
            "rtpproxy_answer(flags, ip)"),
    command("rtpproxy_destroy", routes, guarded<&cmd_destroy0>, {}, nullptr, nullptr,
            "ends the media session"),
    command("rtpproxy_destroy", routes, guarded<&cmd_destroy1>, {S}, fixup<&fix_flags>, nullptr,
            "rtpproxy_destroy(flags)"),
    command("unforce_rtp_proxy", routes, guarded<&cmd_destroy0>, {}, nullptr, nullptr,
            "ends the media session"),
    command("rtpproxy_manage", routes, guarded<&cmd_manage0>, {}, nullptr, nullptr,
            "offer, answer or destroy, from the message"),
    command("rtpproxy_manage", routes, guarded<&cmd_manage1>, {S}, fixup<&fix_flags>, nullptr,
            "rtpproxy_manage(flags)"),
    command("rtpproxy_manage", routes, guarded<&cmd_manage2>, {S, S}, fixup<&fix_flags_ip>, nullptr,
            "rtpproxy_manage(flags, ip)"),
    command("set_rtp_proxy_set", routes, guarded<&cmd_set_proxy_set>, {I}, fixup<&fix_set>, nullptr,
            "the rtpproxy set the next functions use"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::setter_param("rtpproxy_sock", SIPHOST_PARAM_STRING, set_sock,
                      "proxies: \"[set ==] udp:IP:PORT[=weight] unix:PATH ...\", once per set"),
    sdk::int_param("rtpproxy_disable_tout", &disable_tout_,
                   "seconds an unreachable proxy is left alone (60)"),
    sdk::int_param("rtpproxy_tout", &tout_, "seconds to wait for a proxy's reply (1)"),
    sdk::int_param("rtpproxy_retr", &retr_, "more tries after a timeout (5)"),
    sdk::string_param("nortpproxy_str", &nortpproxy_str_, "the SDP line that marks a relayed body"),
    sdk::string_param("timeout_socket", &timeout_socket_, "accepted, not used"),
    sdk::string_param("ice_candidate_priority_avp", &ice_candidate_priority_avp_, "accepted, not used"),
    sdk::string_param("extra_id_pv", &extra_id_pv_, "accepted, not used"),
    sdk::string_param("db_url", &db_url_, "not supported"),
    sdk::string_param("table_name", &table_name_, "accepted, not used"),
    sdk::string_param("rtp_inst_pvar", &rtp_inst_pvar_, "accepted, not used"),
    sdk::end_of_params(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("rtpproxy.list", rpc_list, "the rtpproxies and their state"),
    sdk::rpc("rtpproxy.enable", rpc_enable, "rtpproxy.enable URL 0|1 (or all)", "sd"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = "rtpproxy",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .rpcs = rpcs,
                                               .init = init});

} // namespace
} // namespace siphost::modules::rtpproxy

SIPHOST_MODULE(siphost::modules::rtpproxy::descriptor)
