#include "script/interpreter.hpp"

#include <arpa/inet.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <set>
#include <utility>

#include "cfg/global_params.hpp"
#include "cfg/ip_network.hpp"
#include "core/log.hpp"
#include "message/message_context.hpp"
#include "plugin/avp_list.hpp"
#include "script/transform.hpp"
#include "sip/chars.hpp"
#include "sip/credentials.hpp"
#include "sip/name_addr.hpp"
#include "sip/uri.hpp"

namespace siphost::script {

/// The state of one run of the script on one message.
struct run_context {
    siphost_msg* msg = nullptr;
    core_actions* actions = nullptr;
    const compiled_script* script = nullptr;
    worker_state* worker = nullptr;
    std::int64_t rc = 1;
    enum class stop { none, exit, drop } stopped = stop::none;
    int route_depth = 0;
    std::uint32_t max_loops = 100;
    /// Set by eval_bool when the condition it evaluated failed rather than was false (Kamailio's -1 of a
    /// comparison that cannot be made: snd_port outside onsend_route). '!' turns a failure into false, not
    /// true; '&&' and '||' pass it on when nothing was true.
    bool condition_failed = false;
};

namespace {

/// The send information of the onsend_route running on this thread, or null.
thread_local const send_info* current_send = nullptr;

} // namespace

sending_scope::sending_scope(const send_info& info) : outer_(current_send) {
    current_send = &info;
}
sending_scope::~sending_scope() {
    current_send = outer_;
}

namespace {

enum class flow { next, break_loop, return_route };

// Script arithmetic wraps around on overflow (values come from messages; signed overflow must not be UB).
std::int64_t wrap_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrap_sub(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrap_mul(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}
std::int64_t wrap_neg(std::int64_t a) {
    return wrap_sub(0, a);
}

std::string_view view(siphost_str s) {
    return {s.s ? s.s : "", s.s ? s.len : 0};
}
siphost_str abi_str(std::string_view s) {
    return {s.data(), s.size()};
}

void log_error(const std::string& text) {
    core::log_host(SIPHOST_LOG_ERR, {}, text);
}

value string_or_null(std::string_view s) {
    return s.empty() ? value() : value::borrow(s);
}

/// The run context of the script currently running on this thread (for $rc through pv_get).
thread_local run_context* current_context = nullptr;

struct context_scope {
    run_context* saved;
    explicit context_scope(run_context* ctx) : saved(current_context) { current_context = ctx; }
    ~context_scope() { current_context = saved; }
};

// ---- pseudo-variables ----

value get_header(const pv_spec& pv, run_context& ctx) {
    const sip::message& sip = ctx.msg->sip;
    std::string_view found;
    if (pv.index == SIPHOST_PV_ALL_INDEX) {
        std::string all;
        for (std::uint32_t i = 0; i < 10000 && sip.header_value(pv.name, i, found); ++i) {
            if (i > 0)
                all += ',';
            all += found;
        }
        return all.empty() ? value() : value::own(std::move(all));
    }
    std::int64_t index = pv.index == SIPHOST_PV_NO_INDEX ? 0 : pv.index;
    if (index < 0) {
        std::uint32_t count = 0;
        while (count < 10000 && sip.header_value(pv.name, count, found))
            ++count;
        index += count;
        if (index < 0)
            return {};
    }
    if (!sip.header_value(pv.name, static_cast<std::uint32_t>(index), found))
        return {};
    return value::borrow(found);
}

value get_avp(const pv_spec& pv, run_context& ctx) {
    siphost_value out{};
    if (pv.index == SIPHOST_PV_ALL_INDEX) {
        // As Kamailio 5.6.3: every value as text, the newest first, joined by ", ".
        std::string all, buffer;
        for (std::uint32_t i = 0; ctx.msg->avps && plugin::avp_get(*ctx.msg->avps, pv.name, i, out); ++i) {
            if (i > 0)
                all += ", ";
            all += value::from_abi(out, false).as_text(buffer);
        }
        return all.empty() && !(ctx.msg->avps && plugin::avp_get(*ctx.msg->avps, pv.name, 0, out))
                   ? value()
                   : value::own(std::move(all));
    }
    if (pv.index < 0 && pv.index != SIPHOST_PV_NO_INDEX)
        return {}; // Kamailio counts an AVP's values from the newest only
    std::uint32_t index = pv.index == SIPHOST_PV_NO_INDEX ? 0 : static_cast<std::uint32_t>(pv.index);
    if (!ctx.msg->avps || !plugin::avp_get(*ctx.msg->avps, pv.name, index, out))
        return {};
    return value::from_abi(out, false);
}

plugin::xavp_family family_of(cfg::core_pv pv) {
    return pv == cfg::core_pv::xavu   ? plugin::xavp_family::xavu
           : pv == cfg::core_pv::xavi ? plugin::xavp_family::xavi
                                      : plugin::xavp_family::xavp;
}

plugin::xavp_path xavp_path_of(const pv_spec& pv) {
    return {pv.name, pv.index, pv.has_field, pv.field, pv.field_index};
}

value get_xavp(const pv_spec& pv, run_context& ctx) {
    if (!ctx.msg->avps)
        return {};
    siphost_value out{};
    std::string text;
    if (!plugin::xavp_get(*ctx.msg->avps, family_of(pv.core), xavp_path_of(pv), out, text))
        return {};
    // A joined [*] or a list's name is made in text: the value must own its copy.
    bool made = out.kind == SIPHOST_VALUE_STR && out.str.s == text.data();
    return value::from_abi(out, made);
}

int set_xavp(const pv_spec& pv, const value& v, run_context& ctx) {
    siphost_value abi = v.to_abi();
    return plugin::xavp_set(ctx.msg->avp_list(), family_of(pv.core), xavp_path_of(pv), abi);
}

/// A URI's part as the pv module's $rP, $oP, $dP, $op, $dp give it.
value uri_transport_or_default(const sip::uri& uri) {
    auto transport = uri.param("transport");
    if (transport && !transport->empty())
        return value::own(std::string(*transport));
    return value::own(uri.scheme_text() == "sips" || uri.scheme_text() == "SIPS" ? "TLS" : "UDP");
}

value uri_port_or_default(const sip::uri& uri) {
    if (uri.has_port())
        return value::make_int(uri.port());
    return value::make_int(uri.scheme_text() == "sips" || uri.scheme_text() == "SIPS" ? 5061 : 5060);
}

/// The URI of a header holding one name-addr (P-Asserted-Identity, Diversion, Refer-To, ...), parsed.
bool header_name_addr(const sip::message& sip, std::string_view name, sip::name_addr& out) {
    std::string_view found;
    return sip.header_value(name, 0, found) && sip::parse_single_name_addr(found, out, true);
}

/// When the process started: $Tb and $TS.
const std::time_t process_started = std::time(nullptr);

/// The digest credentials a request carries, as Kamailio's $au and friends read them: Proxy-Authorization
/// when there is one, else Authorization. False when there is none or it does not parse.
bool request_credentials(const sip::message& sip, sip::digest_credentials& out) {
    std::string_view value;
    if (!sip.header_value("Proxy-Authorization", 0, value) && !sip.header_value("Authorization", 0, value))
        return false;
    return sip::parse_digest_credentials(value, out);
}

/// Kamailio's method ids ($rmid): one bit per method it knows, the last bit for any other.
std::int64_t method_id(std::string_view method) {
    static constexpr std::pair<std::string_view, std::int64_t> ids[] = {
        {"INVITE", 1},      {"CANCEL", 2},    {"ACK", 4},          {"BYE", 8},        {"INFO", 16},
        {"REGISTER", 32},   {"SUBSCRIBE", 64}, {"NOTIFY", 128},    {"MESSAGE", 256},  {"OPTIONS", 512},
        {"PRACK", 1024},    {"UPDATE", 2048}, {"REFER", 4096},     {"PUBLISH", 8192}, {"KDMQ", 16384},
        {"GET", 32768},     {"POST", 65536},  {"PUT", 131072},     {"DELETE", 262144}};
    for (const auto& [name, id] : ids)
        if (method == name)
            return id;
    return 524288;
}

/// A q value (0 .. 1000) as Kamailio prints it: "1", "0.5", "0.25".
std::string q_text(std::int32_t q) {
    if (q >= 1000)
        return "1";
    if (q <= 0)
        return "0";
    char digits[8];
    std::snprintf(digits, sizeof digits, "%03d", static_cast<int>(q));
    std::string text = std::string("0.") + digits;
    while (text.back() == '0')
        text.pop_back();
    return text;
}

/// The current time as ctime() writes it, without its newline.
value ctime_now() {
    std::time_t now = std::time(nullptr);
    char buffer[32];
    if (ctime_r(&now, buffer) == nullptr)
        return {};
    std::string text(buffer);
    while (!text.empty() && text.back() == '\n')
        text.pop_back();
    return value::own(std::move(text));
}

std::string hex8(std::uint64_t n) {
    char text[20];
    std::snprintf(text, sizeof text, "%08X", static_cast<unsigned>(n & 0xffffffffu));
    return text;
}

/// The value of parameter name (any case) in ";a=1;b" (header or URI parameters, as written); null when
/// absent or without a value, as Kamailio's params.NAME selects give it.
value select_param(std::string_view params, std::string_view name) {
    for (std::size_t at = 0; at < params.size();) {
        std::size_t next = params.find(';', at + 1);
        std::string_view param =
            params.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at);
        if (!param.empty() && param.front() == ';')
            param.remove_prefix(1);
        std::size_t equals = param.find('=');
        std::string_view param_name = sip::chars::trim(param.substr(0, equals));
        if (sip::chars::iequals(param_name, name))
            return equals == std::string_view::npos
                       ? value()
                       : string_or_null(sip::chars::trim(param.substr(equals + 1)));
        at = next == std::string_view::npos ? params.size() : next;
    }
    return {};
}

/// A telephone number without RFC 3966's visual separators (- . ( )); null when nothing is left.
value without_visual_separators(std::string_view user) {
    std::string digits;
    for (char c : user)
        if (c != '-' && c != '.' && c != '(' && c != ')')
            digits += c;
    return digits.empty() ? value() : value::own(std::move(digits));
}

/// A part of a URI as Kamailio's selects give it: null for what the URI lacks. param names the parameter of
/// select_part::param.
value select_uri_part(std::string_view text, cfg::select_part part, std::string_view param = {}) {
    using cfg::select_part;
    if (part == select_part::whole)
        return string_or_null(text);
    sip::uri uri;
    if (!uri.parse(text))
        return {};
    switch (part) {
    case select_part::param:
        return select_param(uri.params(), param);
    case select_part::hostport: {
        if (uri.host().empty())
            return {};
        std::uint16_t port = uri.has_port()                          ? uri.port()
                             : uri.scheme() == sip::uri_scheme::sips ? 5061
                                                                     : 5060;
        return value::own(std::string(uri.host()) + ":" + std::to_string(port));
    }
    case select_part::rn_user:
        return without_visual_separators(uri.user());
    case select_part::password:
        return uri.has_password() ? string_or_null(uri.password()) : value();
    case select_part::user: {
        if (!uri.has_user())
            return {};
        // As Kamailio: the user of a user=phone URI comes without RFC 3966's visual separators.
        auto user_param = uri.param("user");
        if (!user_param || !sip::chars::iequals(*user_param, "phone"))
            return string_or_null(uri.user());
        return without_visual_separators(uri.user());
    }
    case select_part::host:
        return string_or_null(uri.host());
    case select_part::port:
        return uri.has_port() ? value::own(std::to_string(uri.port())) : value();
    case select_part::params: {
        std::string_view params = uri.params();
        if (!params.empty() && params.front() == ';')
            params.remove_prefix(1);
        return string_or_null(params);
    }
    case select_part::type:
        return string_or_null(uri.scheme_text());
    case select_part::transport: {
        // Without a transport parameter, the scheme's own: sips goes over TLS.
        auto transport = uri.param("transport");
        if (transport && !transport->empty()) {
            std::string lower(*transport);
            for (char& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return value::own(std::move(lower));
        }
        return value::own(uri.scheme_text() == "sips" ? "tls" : "udp");
    }
    default:
        return {};
    }
}

/// @msg.header.NAME[N]: the value of the N-th header line of that name (a line with commas is one), from 1;
/// 0 and negative count from the last, as Kamailio's select does.
value select_header_line(const sip::message& sip, std::string_view name, std::int32_t index) {
    sip::header_kind kind = sip::lookup_header_kind(name);
    auto same_name = [&](std::string_view other) {
        return other.size() == name.size() &&
               std::equal(other.begin(), other.end(), name.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) ==
                          std::tolower(static_cast<unsigned char>(b));
               });
    };
    std::vector<std::size_t> lines;
    for (std::size_t i = 0; i < sip.header_count(); ++i) {
        const sip::header_field& h = sip.header(i);
        if (kind != sip::header_kind::other ? h.kind == kind : same_name(sip.name(h)))
            lines.push_back(i);
    }
    std::int64_t at = index > 0 ? index - 1 : static_cast<std::int64_t>(lines.size()) - 1 + index;
    if (at < 0 || at >= static_cast<std::int64_t>(lines.size()))
        return {};
    return value::borrow(sip.value(sip.header(lines[static_cast<std::size_t>(at)])));
}

std::string source_address(const siphost_msg& msg);

/// The credentials' directives the auth selects read by name.
constexpr std::pair<cfg::select_part, std::string_view sip::digest_credentials::*> credentials_directives[] =
    {{cfg::select_part::realm, &sip::digest_credentials::realm},
     {cfg::select_part::nonce, &sip::digest_credentials::nonce},
     {cfg::select_part::uri, &sip::digest_credentials::uri},
     {cfg::select_part::response, &sip::digest_credentials::response},
     {cfg::select_part::algorithm, &sip::digest_credentials::algorithm},
     {cfg::select_part::cnonce, &sip::digest_credentials::cnonce},
     {cfg::select_part::opaque, &sip::digest_credentials::opaque},
     {cfg::select_part::qop, &sip::digest_credentials::qop},
     {cfg::select_part::nc, &sip::digest_credentials::nc}};

/// @authorization[REALM] and @proxy_authorization[REALM]: the first header of the kind whose digest
/// credentials name REALM (in any case), as Kamailio 5.6.3 reads it without the auth module; null without
/// one. A directive the credentials lack is empty, not null, as there.
value select_credentials(const sip::message& sip, const cfg::select_spec& s) {
    using cfg::select_part;
    const char* name = s.root == cfg::select_root::authorization ? "Authorization" : "Proxy-Authorization";
    std::string_view text;
    sip::digest_credentials c;
    for (std::uint32_t i = 0; sip.header_value(name, i, text); ++i) {
        if (!sip::parse_digest_credentials(text, c) || !sip::chars::iequals(c.realm, s.realm))
            continue;
        if (s.part == select_part::username) {
            auto at = c.username.find('@'); // .user and .domain split at the first '@', as Kamailio does
            if (s.uri_part == select_part::user)
                return value::borrow(c.username.substr(0, at));
            if (s.uri_part == select_part::host)
                return value::borrow(at == std::string_view::npos ? std::string_view()
                                                                  : c.username.substr(at + 1));
            return value::borrow(c.username);
        }
        for (const auto& [part, directive] : credentials_directives)
            if (part == s.part)
                return value::borrow(c.*directive);
        return value::borrow(text);
    }
    return {};
}

/// Kamailio's selects; every value is a string, as there.
value read_select(const pv_spec& pv, run_context& ctx) {
    using cfg::select_part;
    using cfg::select_root;
    const cfg::select_spec& s = *pv.select;
    const sip::message& sip = ctx.msg->sip;
    switch (s.root) {
    case select_root::ruri:
        if (!sip.is_request())
            return {};
        return select_uri_part(sip.current_request_uri(), s.part, s.param);
    case select_root::from:
    case select_root::to:
    case select_root::contact: {
        const char* header = s.root == select_root::from ? "From"
                             : s.root == select_root::to ? "To"
                                                         : "Contact";
        std::string_view found;
        if (s.part == select_part::whole)
            return sip.header_value(header, 0, found) ? value::borrow(found) : value();
        const sip::name_addr* na = nullptr;
        if (s.root == select_root::contact) {
            auto contacts = sip.contacts();
            if (!contacts || contacts->empty())
                return {};
            na = &contacts->front();
        } else {
            na = s.root == select_root::from ? &sip.from() : &sip.to();
        }
        switch (s.part) {
        case select_part::uri:
            return select_uri_part(na->uri_text, s.uri_part, s.param);
        case select_part::tag:
            return string_or_null(na->tag);
        case select_part::name:
            // Kamailio gives a Contact without a display name an empty one, a From or To none.
            if (s.root == select_root::contact)
                return value::borrow(na->display_name);
            return string_or_null(na->display_name);
        case select_part::param:
            return select_param(na->params, s.param);
        case select_part::expires:
            return select_param(na->params, "expires");
        case select_part::q:
            return select_param(na->params, "q");
        default:
            return {};
        }
    }
    case select_root::src: {
        if (ctx.msg->socket == nullptr)
            return {};
        if (s.part == select_part::ip)
            return string_or_null(source_address(*ctx.msg));
        return value::own(std::to_string(ctx.msg->source.port()));
    }
    case select_root::dst: {
        if (ctx.msg->socket == nullptr)
            return {};
        if (s.part == select_part::ip)
            return value::own(ctx.msg->socket->host);
        return value::own(std::to_string(ctx.msg->socket->port));
    }
    case select_root::header:
        return select_header_line(sip, s.header, 1);
    case select_root::via: {
        if (s.index < 1)
            return {};
        const sip::via* via = sip.via_at(static_cast<std::size_t>(s.index - 1));
        if (via == nullptr)
            return {};
        switch (s.part) {
        case select_part::whole:
            return string_or_null(via->value);
        case select_part::branch:
            return string_or_null(via->branch);
        case select_part::host:
            return string_or_null(via->host);
        case select_part::port:
            return via->has_port ? value::own(std::to_string(via->port)) : value();
        case select_part::transport:
            return string_or_null(via->transport);
        case select_part::received:
            return string_or_null(via->received);
        case select_part::protocol_name:
            return string_or_null(via->protocol_name);
        case select_part::protocol_version:
            return string_or_null(via->protocol_version);
        case select_part::param:
            return select_param(via->params, s.param);
        default:
            return {};
        }
    }
    case select_root::cseq: {
        const auto& cseq = sip.cseq();
        if (cseq.method.empty())
            return {};
        if (s.part == select_part::method)
            return value::borrow(cseq.method);
        if (s.part == select_part::num)
            return value::own(std::to_string(cseq.number));
        std::string_view found;
        return sip.header_value("CSeq", 0, found) ? value::borrow(found) : value();
    }
    case select_root::call_id:
        return string_or_null(sip.call_id());
    case select_root::msg:
        switch (s.part) {
        case select_part::whole:
            return value::borrow(sip.raw());
        case select_part::first_line:
            return string_or_null(sip.start_line());
        case select_part::body:
            return string_or_null(sip.body());
        case select_part::len:
            return value::own(std::to_string(sip.raw().size()));
        case select_part::header:
            return select_header_line(sip, s.header, s.index);
        case select_part::message_type:
            return value::own(sip.is_request() ? "1" : "2");
        case select_part::flags:
            return value::own(std::to_string(ctx.msg->flags));
        default:
            return {};
        }
    case select_root::authorization:
    case select_root::proxy_authorization:
        return select_credentials(sip, s);
    case select_root::cfg_get:
        if (s.group == "core")
            return value::own(std::to_string(core::log_threshold())); // debug, the one the resolver lets by
        return value::borrow(pv.name);
    }
    return {};
}

value get_select(const pv_spec& pv, run_context& ctx) {
    value v = read_select(pv, ctx);
    return v.is_null() && pv.select->absent_is_empty ? value::borrow("") : v;
}

/// The address text of a received message's source; empty for a message the host made.
std::string source_address(const siphost_msg& msg) {
    if (msg.socket == nullptr)
        return {};
    return msg.source.address().to_string();
}

const char* proto_name(std::uint8_t proto) {
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

/// A name of $snd/$sndto (to) or $sndfrom (from) as Kamailio 5.6.3 gives it (measured): proto the
/// transport's number (1 udp: SIPHOST_PROTO_* are Kamailio's), sproto its lower-case name, af the address
/// family's number (2 or 10); buf and len the bytes being sent, the same for both.
value send_field(const send_info& info, bool from, std::string_view name) {
    if (name == "ip")
        return value::own(from ? info.from_address : info.to_address);
    if (name == "port")
        return value::make_int(from ? info.from_port : info.to_port);
    if (name == "proto")
        return value::make_int(info.proto);
    if (name == "sproto")
        return value::own(proto_name(info.proto));
    if (name == "af")
        return value::make_int((from ? info.from_v6 : info.to_v6) ? 10 : 2);
    if (name == "buf")
        return value::borrow(info.buffer);
    return value::make_int(static_cast<std::int64_t>(info.buffer.size())); // len
}

value get_raw_pv(const pv_spec& pv, run_context& ctx) {
    if (pv.module_pv != nullptr) {
        siphost_value out{};
        if (pv.module_pv->get == nullptr || pv.module_pv->get(ctx.msg, pv.module_data, pv.index, &out) != 0)
            return {};
        return value::from_abi(out, true); // the module may reuse its buffer on the next call
    }
    const siphost_msg& msg = *ctx.msg;
    const sip::message& sip = msg.sip;
    using cfg::core_pv;
    switch (pv.core) {
    case core_pv::avp:
        return get_avp(pv, ctx);
    case core_pv::xavp:
    case core_pv::xavu:
    case core_pv::xavi:
        return get_xavp(pv, ctx);
    case core_pv::sel:
        return pv.select ? get_select(pv, ctx) : value();
    case core_pv::var:
    case core_pv::vn: {
        auto& w = *ctx.worker;
        if (pv.slot < w.variables.size() && w.assigned[pv.slot])
            return w.variables[pv.slot];
        return pv.core == core_pv::var ? value::make_int(0) : value();
    }
    case core_pv::null_value:
        return {};
    case core_pv::rm:
        return string_or_null(sip.method());
    case core_pv::rs:
        if (sip.is_request())
            return {};
        return value::make_int(sip.status_code());
    case core_pv::rr:
        if (sip.is_request())
            return {};
        return value::borrow(sip.reason_phrase());
    case core_pv::ru:
        return sip.is_request() ? string_or_null(sip.current_request_uri()) : value();
    case core_pv::ou:
        return string_or_null(sip.request_uri());
    case core_pv::rU:
    case core_pv::rd:
    case core_pv::rp: {
        std::string_view ruri = sip.is_request() ? sip.current_request_uri() : std::string_view();
        if (ruri.empty())
            return {};
        sip::uri uri;
        if (!uri.parse(ruri))
            return {};
        if (pv.core == core_pv::rU)
            return uri.has_user() ? value::borrow(uri.user()) : value();
        if (pv.core == core_pv::rd)
            return value::borrow(uri.host());
        return value::make_int(uri.has_port() ? uri.port() : 5060);
    }
    case core_pv::du:
        return string_or_null(msg.dst_uri);
    case core_pv::si: {
        std::string address = source_address(msg);
        return address.empty() ? value() : value::own(std::move(address));
    }
    case core_pv::sp:
        if (msg.socket == nullptr)
            return {};
        return value::make_int(msg.source.port());
    case core_pv::af:
        if (msg.socket == nullptr)
            return {};
        return value::own(msg.source.address().is_v6() ? "INET6" : "INET");
    case core_pv::Ri:
        return msg.socket == nullptr ? value() : value::own(msg.socket->host);
    case core_pv::Rp:
        return msg.socket == nullptr ? value() : value::make_int(msg.socket->port);
    case core_pv::pr:
        return msg.socket == nullptr ? value() : value::own(proto_name(msg.proto));
    case core_pv::ci:
        return string_or_null(sip.call_id());
    case core_pv::fu:
    case core_pv::fU:
    case core_pv::fd:
    case core_pv::tu:
    case core_pv::tU:
    case core_pv::td: {
        bool from = pv.core == core_pv::fu || pv.core == core_pv::fU || pv.core == core_pv::fd;
        std::string_view u = from ? sip.from().uri_text : sip.to().uri_text;
        if (u.empty())
            return {};
        if (pv.core == core_pv::fu || pv.core == core_pv::tu)
            return value::borrow(u);
        sip::uri uri;
        if (!uri.parse(u))
            return {};
        if (pv.core == core_pv::fU || pv.core == core_pv::tU)
            return uri.has_user() ? value::borrow(uri.user()) : value();
        return value::borrow(uri.host());
    }
    case core_pv::ft:
        return string_or_null(sip.from().tag);
    case core_pv::tt:
        return string_or_null(sip.to().tag);
    case core_pv::hdr:
        return get_header(pv, ctx);
    case core_pv::mb:
        return value::borrow(sip.raw());
    case core_pv::ml:
        return value::make_int(static_cast<std::int64_t>(sip.raw().size()));
    case core_pv::ua: {
        std::string_view found;
        return sip.header_value("User-Agent", 0, found) ? value::borrow(found) : value();
    }
    case core_pv::mt:
        return value::make_int(sip.is_request() ? 1 : 2);
    case core_pv::fn:
        return string_or_null(sip.from().display_name);
    case core_pv::tn:
        return string_or_null(sip.to().display_name);
    case core_pv::ct:
    case core_pv::cT: {
        std::string_view found;
        return sip.header_value(pv.core == core_pv::ct ? "Contact" : "Content-Type", 0, found) ? value::borrow(found)
                                                                                            : value();
    }
    case core_pv::cl: {
        std::string_view found;
        if (!sip.header_value("Content-Length", 0, found))
            return {};
        std::int64_t length = 0;
        auto [end, ec] = std::from_chars(found.data(), found.data() + found.size(), length);
        return ec == std::errc() ? value::make_int(length) : value();
    }
    case core_pv::rb:
        return value::borrow(sip.body());
    case core_pv::rv:
        return value::own("SIP/2.0");
    case core_pv::rz:
    case core_pv::rP:
    case core_pv::od:
    case core_pv::op:
    case core_pv::oU:
    case core_pv::oP: {
        if (!sip.is_request())
            return {};
        bool original = pv.core == core_pv::od || pv.core == core_pv::op || pv.core == core_pv::oU ||
                        pv.core == core_pv::oP;
        sip::uri uri;
        if (!uri.parse(original ? sip.request_uri() : sip.current_request_uri()))
            return {};
        switch (pv.core) {
        case core_pv::rz: {
            std::string scheme(uri.scheme_text());
            for (char& c : scheme)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto user = uri.param("user");
            if ((scheme == "sip" || scheme == "sips") && user && sip::chars::iequals(*user, "phone"))
                scheme = scheme == "sip" ? "tel" : "tels";
            return value::own(std::move(scheme));
        }
        case core_pv::od:
            return value::borrow(uri.host());
        case core_pv::op:
            return uri_port_or_default(uri);
        case core_pv::oU:
            return uri.has_user() ? value::borrow(uri.user()) : value();
        default: // rP, oP
            return uri_transport_or_default(uri);
        }
    }
    case core_pv::dd:
    case core_pv::dp:
    case core_pv::dP: {
        sip::uri uri;
        if (msg.dst_uri.empty() || !uri.parse(msg.dst_uri))
            return {};
        if (pv.core == core_pv::dd)
            return value::own(std::string(uri.host()));
        return pv.core == core_pv::dp ? uri_port_or_default(uri) : uri_transport_or_default(uri);
    }
    case core_pv::mf:
        return value::make_int(static_cast<std::int64_t>(msg.flags & 0xffffffffu));
    case core_pv::mF:
        return value::own(hex8(msg.flags));
    case core_pv::bf:
        return value::make_int(static_cast<std::int64_t>(msg.ruri_branch_flags & 0xffffffffu));
    case core_pv::bF:
        return value::own(hex8(msg.ruri_branch_flags));
    case core_pv::su:
    case core_pv::sut: {
        std::string address = source_address(msg);
        if (address.empty())
            return {};
        if (address.find(':') != std::string::npos)
            address = "[" + address + "]";
        std::string uri = "sip:" + address + ":" + std::to_string(msg.source.port());
        if (pv.core == core_pv::sut)
            uri += std::string(";transport=") + proto_name(msg.proto);
        return value::own(std::move(uri));
    }
    case core_pv::mi:
        return value::make_int(static_cast<std::int64_t>(msg.id));
    case core_pv::ai:
    case core_pv::di:
    case core_pv::re:
    case core_pv::rt: {
        sip::name_addr na;
        std::string_view name = pv.core == core_pv::ai   ? "P-Asserted-Identity"
                                : pv.core == core_pv::di ? "Diversion"
                                : pv.core == core_pv::re ? "Remote-Party-ID"
                                                         : "Refer-To";
        return header_name_addr(sip, name, na) ? value::own(std::string(na.uri_text)) : value();
    }
    case core_pv::pu:
    case core_pv::pU:
    case core_pv::pd:
    case core_pv::pn: {
        sip::name_addr na;
        if (!header_name_addr(sip, "P-Preferred-Identity", na))
            return {};
        if (pv.core == core_pv::pu)
            return value::own(std::string(na.uri_text));
        if (pv.core == core_pv::pn)
            return na.display_name.empty() ? value() : value::own(std::string(na.display_name));
        if (pv.core == core_pv::pd)
            return value::own(std::string(na.uri.host()));
        return na.uri.has_user() ? value::own(std::string(na.uri.user())) : value();
    }
    case core_pv::pp:
        return value::make_int(static_cast<std::int64_t>(getpid()));
    case core_pv::rc:
        return value::make_int(ctx.rc);
    case core_pv::Ts:
        return value::make_int(static_cast<std::int64_t>(std::time(nullptr)));
    case core_pv::cs:
        if (sip.cseq().method.empty())
            return {};
        return value::make_int(sip.cseq().number);
    case core_pv::ar:
    case core_pv::au:
    case core_pv::ad:
    case core_pv::aU:
    case core_pv::adu:
    case core_pv::aa: {
        sip::digest_credentials c;
        if (!sip.is_request() || !request_credentials(sip, c))
            return {};
        std::size_t at = c.username.find('@');
        switch (pv.core) {
        case core_pv::ar:
            return value::own(std::string(c.realm));
        case core_pv::au:
            return value::own(std::string(c.username.substr(0, at)));
        case core_pv::ad: // empty, not null, for a username without a domain (as Kamailio)
            return value::own(at == std::string_view::npos ? std::string() : std::string(c.username.substr(at + 1)));
        case core_pv::aU:
            return value::own(std::string(c.username));
        case core_pv::adu:
            return value::own(std::string(c.uri));
        default:
            return value::own(std::string(c.algorithm));
        }
    }
    case core_pv::Au:
    case core_pv::AU: {
        sip::uri uri;
        if (sip.from().uri_text.empty() || !uri.parse(sip.from().uri_text))
            return {};
        std::string user(uri.has_user() ? uri.user() : std::string_view());
        return value::own(pv.core == core_pv::AU ? user : user + "@" + std::string(uri.host()));
    }
    case core_pv::bs:
        return value::make_int(static_cast<std::int64_t>(sip.body().size()));
    case core_pv::ds: {
        // As Kamailio prints its destination set: a Request-URI the script rewrote comes first (measured: an
        // unchanged one does not appear), then the targets.
        bool rewritten = sip.is_request() && sip.current_request_uri() != sip.request_uri();
        if (msg.branches.empty() && !rewritten)
            return {};
        std::string text = "Contact: ";
        if (rewritten)
            text.append("<").append(sip.current_request_uri()).append(">");
        for (const auto& target : msg.branches) {
            text += (text.size() > 9 ? ", <" : "<") + target.uri + ">";
            if (target.info & SIPHOST_BRANCH_Q_SET)
                text += ";q=" + q_text(target.q);
        }
        return value::own(std::move(text));
    }
    case core_pv::fs:
        return msg.send_socket == nullptr ? value() : value::own(msg.send_socket->name);
    case core_pv::branch: {
        // Kamailio 5.6.3's values (measured): count is null for an empty set; an unset q, an empty dst_uri,
        // path or ruid, no socket, and an index past the end are null; q is an integer (500 for 0.5).
        if (pv.name == "count")
            return msg.branches.empty() ? value()
                                        : value::make_int(static_cast<std::int64_t>(msg.branches.size()));
        std::size_t index = pv.index == SIPHOST_PV_NO_INDEX ? 0 : static_cast<std::size_t>(pv.index);
        if (index >= msg.branches.size())
            return {};
        const auto& target = msg.branches[index];
        auto text_or_null = [](const std::string& text) { return text.empty() ? value() : value::own(text); };
        if (pv.name == "uri")
            return text_or_null(target.uri);
        if (pv.name == "dst_uri")
            return text_or_null(target.dst_uri);
        if (pv.name == "path")
            return text_or_null(target.path);
        if (pv.name == "ruid")
            return text_or_null(target.ruid);
        if (pv.name == "q")
            return (target.info & SIPHOST_BRANCH_Q_SET) != 0 ? value::make_int(target.q) : value();
        if (pv.name == "flags")
            return value::make_int(static_cast<std::int64_t>(target.flags));
        return target.socket == nullptr ? value() : value::own(target.socket->name); // send_socket
    }
    case core_pv::rmid:
        return sip.is_request() ? value::make_int(method_id(sip.method())) : value();
    case core_pv::RAi: // siphost advertises each socket's own address: the advertised one is it
        return msg.socket == nullptr ? value() : value::own(msg.socket->host);
    case core_pv::RAp:
        return msg.socket == nullptr ? value() : value::make_int(msg.socket->port);
    case core_pv::Tb:
    case core_pv::TS:
        return value::make_int(static_cast<std::int64_t>(process_started));
    case core_pv::Tf:
    case core_pv::TF:
        return ctime_now();
    case core_pv::snd:
    case core_pv::sndfrom:
        return current_send == nullptr ? value()
                                       : send_field(*current_send, pv.core == core_pv::sndfrom, pv.name);
    case core_pv::TV: {
        timeval now{};
        gettimeofday(&now, nullptr);
        if (pv.name == "s" || pv.name == "sn")
            return value::make_int(static_cast<std::int64_t>(now.tv_sec));
        if (pv.name == "u" || pv.name == "un")
            return value::make_int(static_cast<std::int64_t>(now.tv_usec));
        char text[48];
        std::snprintf(text, sizeof text, "%lld.%06ld", static_cast<long long>(now.tv_sec),
                      static_cast<long>(now.tv_usec));
        return value::own(text);
    }
    }
    return {};
}

value get_pv(const pv_spec& pv, run_context& ctx) {
    if (pv.transforms.empty())
        return get_raw_pv(pv, ctx);
    if (pv.transform_parameters.empty())
        return apply_transformations(pv.transforms, get_raw_pv(pv, ctx));
    return apply_transformations(pv.transforms, get_raw_pv(pv, ctx), [&](std::size_t index, int slot) {
        return get_pv(*pv.transform_parameters[2 * index + static_cast<std::size_t>(slot)], ctx);
    });
}

int set_avp(const pv_spec& pv, const value& v, run_context& ctx) {
    // As Kamailio 5.6.3 (measured): an index other than [*] is ignored when assigning, so $(avp(x)[n]) = v
    // adds v on top and $(avp(x)[n]) = $null removes the newest value, as without the index.
    siphost_avp_list& list = ctx.msg->avp_list();
    bool all = pv.index == SIPHOST_PV_ALL_INDEX;
    if (v.is_null()) {
        plugin::avp_delete(list, pv.name, all ? -1 : 0);
        return 0;
    }
    if (all)
        plugin::avp_delete(list, pv.name, -1); // [*] = v replaces every value
    return plugin::avp_add(list, pv.name, v.to_abi()) ? 0 : -1;
}

int set_uri_part(const pv_spec& pv, const value& v, run_context& ctx) {
    using cfg::core_pv;
    std::string buffer;
    std::string_view text = v.as_text(buffer);
    if (!ctx.msg->sip.is_request())
        return -1;
    sip::uri uri;
    if (!uri.parse(ctx.msg->sip.current_request_uri()))
        return -1;
    sip::uri_replacement replace;
    if (pv.core == core_pv::rU) {
        replace.user = v.is_null() ? std::string_view() : text;
    } else if (pv.core == core_pv::rd) {
        if (v.is_null() || text.empty())
            return -1;
        replace.host = text;
    } else {
        replace.port = v.is_null() ? std::string_view() : text;
    }
    std::string updated = sip::rebuild_uri(uri, replace);
    return ctx.msg->set_request_uri(updated) ? 0 : -1;
}

int set_pv(const pv_spec& pv, const value& v, run_context& ctx) {
    if (!pv.transforms.empty())
        return -1; // the config check refuses it; a module's pv_parse may still hand one in
    if (pv.module_pv != nullptr) {
        if (pv.module_pv->set == nullptr)
            return -1;
        siphost_value abi = v.to_abi();
        return pv.module_pv->set(ctx.msg, pv.module_data, pv.index, &abi) < 0 ? -1 : 0;
    }
    using cfg::core_pv;
    std::string buffer;
    switch (pv.core) {
    case core_pv::avp:
        return set_avp(pv, v, ctx);
    case core_pv::xavp:
    case core_pv::xavu:
    case core_pv::xavi:
        return set_xavp(pv, v, ctx);
    case core_pv::var:
    case core_pv::vn: {
        auto& w = *ctx.worker;
        w.ensure(pv.slot);
        if (pv.core == core_pv::var && v.is_null())
            w.variables[pv.slot] = value::make_int(0);
        else {
            w.variables[pv.slot] = v;
            w.variables[pv.slot].make_owned(); // outlives the message
        }
        w.assigned[pv.slot] = true;
        return 0;
    }
    case core_pv::ru:
        if (v.is_null())
            return -1;
        return ctx.msg->set_request_uri(v.as_text(buffer)) ? 0 : -1;
    case core_pv::du:
        ctx.msg->dst_uri.assign(v.is_null() ? std::string_view() : v.as_text(buffer));
        return 0;
    case core_pv::rU:
    case core_pv::rd:
    case core_pv::rp:
        return set_uri_part(pv, v, ctx);
    default:
        return -1;
    }
}

// ---- expressions ----

value eval(const node& n, run_context& ctx);
bool eval_bool(const node& n, run_context& ctx);
std::int64_t run_call(const call_site& call, run_context& ctx);
std::int64_t run_sub_route(int route_id, run_context& ctx);

bool regex_match(const compiled_regex* constant, std::string_view subject, const value& pattern) {
    std::string text(subject); // regexec needs a NUL-terminated subject
    if (constant != nullptr)
        return constant->ok && regexec(&constant->re, text.c_str(), 0, nullptr, 0) == 0;
    // A pattern computed at run time has to be compiled now.
    std::string buffer;
    std::string pattern_text(pattern.as_text(buffer));
    regex_t re;
    if (regcomp(&re, pattern_text.c_str(), REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
        log_error("invalid regular expression '" + pattern_text + "'");
        return false;
    }
    bool matched = regexec(&re, text.c_str(), 0, nullptr, 0) == 0;
    regfree(&re);
    return matched;
}

/// A binary operator on two values (regex: the compiled constant pattern of =~, or null).
value apply_binary(cfg::op_kind op, const value& a, const value& b, const compiled_regex* regex) {
    using cfg::op_kind;
    std::string buffer_a, buffer_b;
    auto as_bool = [](bool v) { return value::make_int(v ? 1 : 0); };
    switch (op) {
    case op_kind::plus:
        // The left operand's type decides: a string concatenates, a number adds.
        if (a.is_string() || (a.is_null() && b.is_string())) {
            std::string out(a.as_text(buffer_a));
            out += b.as_text(buffer_b);
            return value::own(std::move(out));
        }
        return value::make_int(wrap_add(a.to_int(), b.to_int()));
    case op_kind::minus:
        return value::make_int(wrap_sub(a.to_int(), b.to_int()));
    case op_kind::multiply:
        return value::make_int(wrap_mul(a.to_int(), b.to_int()));
    case op_kind::divide:
    case op_kind::modulo: {
        std::int64_t divisor = b.to_int();
        if (divisor == 0) {
            log_error("division by zero in the script");
            return {};
        }
        if (divisor == -1)
            return value::make_int(op == op_kind::divide ? wrap_neg(a.to_int()) : 0);
        return value::make_int(op == op_kind::divide ? a.to_int() / divisor : a.to_int() % divisor);
    }
    case op_kind::bit_or:
        return value::make_int(a.to_int() | b.to_int());
    case op_kind::bit_and:
        return value::make_int(a.to_int() & b.to_int());
    case op_kind::bit_xor:
        return value::make_int(a.to_int() ^ b.to_int());
    case op_kind::shift_left: {
        std::int64_t s = b.to_int();
        return value::make_int(
            s < 0 || s > 63 ? 0 : static_cast<std::int64_t>(static_cast<std::uint64_t>(a.to_int()) << s));
    }
    case op_kind::shift_right: {
        std::int64_t s = b.to_int();
        return value::make_int(s < 0 || s > 63 ? 0 : a.to_int() >> s);
    }
    case op_kind::equal:
    case op_kind::not_equal: {
        bool equal;
        if (a.is_null() && b.is_null()) {
            equal = true;
        } else if (a.is_null()) {
            // As Kamailio 5.6 (tests/compat): a $null on the left takes the right's type, as its empty value
            // ("" or 0); a value on the left never equals a $null on the right.
            equal = b.is_int() ? b.number() == 0 : b.as_text(buffer_b).empty();
        } else if (b.is_null()) {
            equal = false;
        } else if (a.is_int())
            equal = a.number() == b.to_int();
        else
            equal = a.text() == b.as_text(buffer_b);
        return as_bool(op == op_kind::equal ? equal : !equal);
    }
    case op_kind::str_equal:
    case op_kind::str_not_equal: {
        bool equal = a.as_text(buffer_a) == b.as_text(buffer_b);
        return as_bool(op == op_kind::str_equal ? equal : !equal);
    }
    case op_kind::int_equal:
        return as_bool(a.to_int() == b.to_int());
    case op_kind::int_not_equal:
        return as_bool(a.to_int() != b.to_int());
    case op_kind::less:
    case op_kind::greater:
    case op_kind::less_equal:
    case op_kind::greater_equal: {
        int cmp;
        if (a.is_string() && b.is_string()) {
            int c = a.text().compare(b.text());
            cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
        } else {
            std::int64_t x = a.to_int(), y = b.to_int();
            cmp = x < y ? -1 : (x > y ? 1 : 0);
        }
        switch (op) {
        case op_kind::less:
            return as_bool(cmp < 0);
        case op_kind::greater:
            return as_bool(cmp > 0);
        case op_kind::less_equal:
            return as_bool(cmp <= 0);
        default:
            return as_bool(cmp >= 0);
        }
    }
    case op_kind::in_network: {
        // The network was checked when the config was loaded.
        auto network = cfg::parse_ip_network(b.as_text(buffer_b));
        return as_bool(!a.is_null() && network && cfg::in_network(a.as_text(buffer_a), *network));
    }
    case op_kind::match:
    case op_kind::not_match: {
        if (a.is_null())
            return as_bool(op == op_kind::not_match);
        bool m = regex_match(regex, a.as_text(buffer_a), b);
        return as_bool(op == op_kind::match ? m : !m);
    }
    default:
        return {};
    }
}

value eval_binary(const node& n, run_context& ctx) {
    using cfg::op_kind;
    if (n.op == op_kind::log_and || n.op == op_kind::log_or)
        return value::make_int(eval_bool(n, ctx) ? 1 : 0);
    value a = eval(*n.left, ctx);
    if (ctx.stopped != run_context::stop::none)
        return {};
    value b = eval(*n.right, ctx);
    if (ctx.stopped != run_context::stop::none)
        return {};
    return apply_binary(n.op, a, b, n.regex);
}

value eval_unary(const node& n, run_context& ctx) {
    using cfg::op_kind;
    if (n.op == op_kind::log_not)
        return value::make_int(eval_bool(*n.left, ctx) ? 0 : 1);
    if (n.op == op_kind::needs_send_info) // Kamailio's failed comparison is -1
        return current_send == nullptr ? value::make_int(-1) : eval(*n.left, ctx);
    value a = eval(*n.left, ctx);
    std::string buffer;
    switch (n.op) {
    case op_kind::negate:
        return value::make_int(wrap_neg(a.to_int()));
    case op_kind::bit_not:
        return value::make_int(~a.to_int());
    case op_kind::strlen_op:
        return value::make_int(a.is_null() ? 0 : static_cast<std::int64_t>(a.as_text(buffer).size()));
    case op_kind::strempty_op:
        return value::make_int(a.is_null() || a.as_text(buffer).empty() ? 1 : 0);
    case op_kind::defined_op:
        return value::make_int(a.is_null() ? 0 : 1);
    case op_kind::int_cast:
        return value::make_int(a.to_int());
    case op_kind::str_cast:
        if (a.is_string())
            return a;
        return value::own(std::string(a.as_text(buffer)));
    default:
        return {};
    }
}

value eval(const node& n, run_context& ctx) {
    switch (n.kind) {
    case node_kind::constant:
        return n.constant;
    case node_kind::pv:
        return get_pv(*n.pv, ctx);
    case node_kind::unary:
        return eval_unary(n, ctx);
    case node_kind::binary:
        return eval_binary(n, ctx);
    case node_kind::call:
        return value::make_int(run_call(*n.call, ctx));
    case node_kind::route_call:
        return value::make_int(run_sub_route(n.route_id, ctx));
    }
    return {};
}

/// A condition: commands and routes are true when they return > 0 (Kamailio's rule); values by truthiness.
/// ctx.condition_failed tells whether a false result is a failure (see run_context); as measured on Kamailio
/// 5.6.3: !F is false, !!F true, F && x and x && F fail when x is true, F || x is x when x is true and a
/// failure otherwise.
bool eval_bool(const node& n, run_context& ctx) {
    using cfg::op_kind;
    bool result = false;
    switch (n.kind) {
    case node_kind::constant:
        result = n.constant.truthy();
        break;
    case node_kind::call:
        result = run_call(*n.call, ctx) > 0;
        break;
    case node_kind::route_call:
        result = run_sub_route(n.route_id, ctx) > 0;
        break;
    case node_kind::unary:
        if (n.op == op_kind::log_not) {
            bool operand = eval_bool(*n.left, ctx);
            bool failed = ctx.condition_failed;
            ctx.condition_failed = false;
            return !failed && !operand;
        }
        if (n.op == op_kind::needs_send_info) [[unlikely]] {
            if (current_send == nullptr) {
                ctx.condition_failed = true;
                return false;
            }
            return eval_bool(*n.left, ctx);
        }
        result = eval(n, ctx).truthy();
        break;
    case node_kind::binary:
        if (n.op == op_kind::log_and) {
            if (!eval_bool(*n.left, ctx) || ctx.stopped != run_context::stop::none)
                return false; // a failure of the left operand stays
            return eval_bool(*n.right, ctx);
        }
        if (n.op == op_kind::log_or) {
            if (eval_bool(*n.left, ctx))
                return true;
            bool left_failed = ctx.condition_failed;
            if (ctx.stopped != run_context::stop::none)
                return false;
            if (eval_bool(*n.right, ctx))
                return true;
            ctx.condition_failed = ctx.condition_failed || left_failed;
            return false;
        }
        result = eval(n, ctx).truthy();
        break;
    default:
        result = eval(n, ctx).truthy();
        break;
    }
    ctx.condition_failed = false;
    return result;
}

void render_template(const compiled_template& t, run_context& ctx, std::string& out) {
    out.clear();
    for (const auto& piece : t.pieces) {
        if (piece.pv == nullptr) {
            out += piece.literal;
        } else if (piece.pv->transforms.empty()) {
            get_pv(*piece.pv, ctx).append_to(out);
        } else {
            // A transformation fails in Kamailio where siphost's gives null (of a null value, a substr out of
            // range, ...), and a formatted string (xlog's, log_prefix, append_hf's) prints the failed item as
            // nothing, not as "<null>" (tests/compat/scenarios/transformations.cfg measures it). Read
            // elsewhere, the value stays null.
            value v = get_pv(*piece.pv, ctx);
            if (!v.is_null())
                v.append_to(out);
        }
    }
}

// ---- calls ----

/// The URI functions (strip, prefix, rewrite*): the current Request-URI with one part replaced. Returns 1, or
/// -1 (a reply, a URI that does not parse, a bad port) leaving the URI as it was.
std::int64_t rewrite_ruri(cfg::core_op op, const siphost_value& arg, siphost_msg& msg) {
    using cfg::core_op;
    if (!msg.sip.is_request())
        return -1;
    sip::uri uri;
    if (!uri.parse(msg.sip.current_request_uri()))
        return -1;
    std::string_view text = view(arg.str);
    std::string user(uri.user());
    sip::uri_replacement replace;
    switch (op) {
    case core_op::strip:
    case core_op::strip_tail: {
        if (arg.num < 0)
            return -1;
        auto n = static_cast<std::size_t>(arg.num);
        if (n > user.size()) {
            // Kamailio deletes the whole user then, with a warning, and goes on.
            core::log_host(SIPHOST_LOG_WARN, {},
                           std::string(op == core_op::strip ? "strip" : "strip_tail") + "(" +
                               std::to_string(n) + ") is longer than the user '" + user + "': user deleted");
            n = user.size();
        }
        user = op == core_op::strip ? user.substr(n) : user.substr(0, user.size() - n);
        break;
    }
    case core_op::prefix:
        user.insert(0, text);
        break;
    case core_op::rewriteuser:
        user.assign(text);
        break;
    case core_op::rewriteuserpass:
        user.assign(text); // "user[:password]" as written
        break;
    case core_op::rewritehost:
        if (text.empty())
            return -1;
        replace.host = text;
        break;
    case core_op::rewriteport:
        if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return -1;
        replace.port = text;
        break;
    case core_op::rewritehostport: {
        // host, host:port, [v6] or [v6]:port
        std::size_t colon = text.rfind(':');
        if (!text.empty() && text.front() == '[') {
            std::size_t close = text.find(']');
            if (close == std::string_view::npos)
                return -1;
            colon = close + 1 < text.size() && text[close + 1] == ':' ? close + 1 : std::string_view::npos;
        }
        std::string_view host = colon == std::string_view::npos ? text : text.substr(0, colon);
        std::string_view port = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
        if (host.empty() ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return -1;
        replace.host = host;
        replace.port = port;
        break;
    }
    default:
        return -1;
    }
    bool user_changed = op == core_op::strip || op == core_op::strip_tail || op == core_op::prefix ||
                        op == core_op::rewriteuser || op == core_op::rewriteuserpass;
    if (user_changed)
        replace.user = std::string_view(user); // rebuild_uri keeps the password
    if (op == core_op::rewriteuserpass && uri.has_password()) {
        // The old password goes: rebuild without user and password first, then add "user[:password]".
        sip::uri_replacement no_user;
        no_user.user = std::string_view();
        std::string bare = sip::rebuild_uri(uri, no_user);
        sip::uri without;
        if (!without.parse(bare))
            return -1;
        return msg.set_request_uri(sip::rebuild_uri(without, replace)) ? 1 : -1;
    }
    return msg.set_request_uri(sip::rebuild_uri(uri, replace)) ? 1 : -1;
}

/// userphone(): ";user=phone" added to the Request-URI's parameters (before its headers) unless a user
/// parameter already says "phone" (its name in any case, the value as written: Kamailio adds another to
/// ";User=Phone"). A tel URI stays as it is.
std::int64_t add_user_phone(siphost_msg& msg) {
    if (!msg.sip.is_request())
        return -1;
    sip::uri uri;
    if (!uri.parse(msg.sip.current_request_uri()))
        return -1;
    if (uri.scheme() != sip::uri_scheme::sip && uri.scheme() != sip::uri_scheme::sips)
        return 1;
    if (uri.param("user") == std::optional<std::string_view>("phone"))
        return 1;
    std::string_view text = uri.text();
    std::size_t end = uri.headers().empty() ? text.size() : text.size() - uri.headers().size() - 1;
    std::string changed(text.substr(0, end));
    changed += ";user=phone";
    changed += text.substr(end);
    return msg.set_request_uri(changed) ? 1 : -1;
}

/// rewritehostporttrans(host[:port][;transport=x]): host and port as rewritehostport sets them, the
/// Request-URI's transport parameter dropped, and what follows host[:port] in the argument (its transport)
/// put first among the parameters, as Kamailio does.
std::int64_t rewrite_host_port_transport(const siphost_value& arg, siphost_msg& msg) {
    if (!msg.sip.is_request())
        return -1;
    std::string_view text = view(arg.str);
    std::size_t semicolon = text.find(';');
    std::string_view hostport = text.substr(0, semicolon);
    std::string_view added =
        semicolon == std::string_view::npos ? std::string_view() : text.substr(semicolon);
    sip::uri uri;
    if (!uri.parse(msg.sip.current_request_uri()))
        return -1;
    std::string kept = std::string(added);
    std::string_view params = uri.params();
    for (std::size_t at = 0; at < params.size();) {
        std::size_t next = params.find(';', at + 1);
        std::string_view param =
            params.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at);
        std::string_view name = param.substr(
            1, param.find('=') == std::string_view::npos ? std::string_view::npos : param.find('=') - 1);
        if (!sip::chars::iequals(name, "transport"))
            kept += param;
        at = next == std::string_view::npos ? params.size() : next;
    }
    const std::string whole(uri.text()); // the URI's views go when the Request-URI changes
    std::size_t params_at = uri.headers().empty() ? whole.size() : whole.size() - uri.headers().size() - 1;
    if (!params.empty())
        params_at = static_cast<std::size_t>(params.data() - uri.text().data());
    std::string without_params(whole.substr(0, params_at));
    if (!uri.headers().empty())
        without_params.append("?").append(uri.headers());
    sip::uri bare;
    if (!bare.parse(without_params))
        return -1;
    siphost_value hostport_value = arg;
    hostport_value.str = {hostport.data(), hostport.size()};
    if (!msg.set_request_uri(without_params) ||
        rewrite_ruri(cfg::core_op::rewritehostport, hostport_value, msg) < 0) {
        msg.set_request_uri(whole);
        return -1;
    }
    std::string rebuilt(msg.sip.current_request_uri());
    std::size_t insert_at =
        bare.headers().empty() ? rebuilt.size() : rebuilt.size() - bare.headers().size() - 1;
    rebuilt.insert(insert_at, kept);
    return msg.set_request_uri(rebuilt) ? 1 : -1;
}

std::int64_t run_core(const call_site& call, const siphost_value* args, run_context& ctx) {
    siphost_msg& msg = *ctx.msg;
    using cfg::core_op;
    auto text = [&](std::size_t i) { return view(args[i].str); };
    switch (call.core->op) {
    case core_op::forward:
    case core_op::forward_udp:
    case core_op::forward_tcp:
    case core_op::forward_tls: {
        if (ctx.actions == nullptr) {
            log_error("forward() is not available here");
            return -1;
        }
        std::string_view target = call.args.size() > 0 ? text(0) : std::string_view();
        std::int64_t port = call.args.size() > 1 ? args[1].num : 0;
        if (port < 0 || port > 65535)
            return -1;
        int proto = call.core->op == core_op::forward_udp   ? SIPHOST_PROTO_UDP
                    : call.core->op == core_op::forward_tcp ? SIPHOST_PROTO_TCP
                    : call.core->op == core_op::forward_tls ? SIPHOST_PROTO_TLS
                                                            : 0;
        int forwarded = ctx.actions->forward(ctx.msg, target, static_cast<std::uint16_t>(port), proto);
        return forwarded > 0 ? 1 : forwarded == 0 ? 0 : -1; // 0: onsend_route dropped it
    }
    case core_op::setflag:
    case core_op::resetflag:
    case core_op::isflagset: {
        std::int64_t flag = args[0].num;
        if (flag < 0 || flag > 63) {
            log_error("flag " + std::to_string(flag) + " is out of range (0-63)");
            return -1;
        }
        std::uint64_t bit = std::uint64_t{1} << flag;
        if (call.core->op == core_op::isflagset)
            return (msg.flags & bit) ? 1 : -1;
        msg.flags = call.core->op == core_op::setflag ? (msg.flags | bit) : (msg.flags & ~bit);
        return 1;
    }
    case core_op::log: {
        int level = SIPHOST_LOG_ERR;
        std::string_view message = text(0);
        if (call.args.size() == 2) {
            level = static_cast<int>(args[0].num);
            message = text(1);
        }
        core::log_host(level, {}, message);
        return 1;
    }
    case core_op::rewriteuri:
        return msg.set_request_uri(text(0)) ? 1 : -1;
    case core_op::revert_uri:
        return msg.set_request_uri(std::string(msg.sip.request_uri())) ? 1 : -1;
    case core_op::setdsturi:
        msg.dst_uri.assign(text(0));
        return 1;
    case core_op::resetdsturi:
        msg.dst_uri.clear();
        return 1;
    case core_op::force_rport:
        return ctx.actions && ctx.actions->force_rport(ctx.msg) > 0 ? 1 : -1;
    case core_op::append_branch: {
        // As Kamailio's: the new target takes the message's $du, branch flags and forced socket, with the
        // given URI or, without one, the current Request-URI; that form moves them into the target (they are
        // cleared on the message).
        siphost_msg::target branch;
        if (call.args.empty()) {
            if (msg.sip.is_request())
                branch.uri.assign(msg.sip.current_request_uri());
        } else {
            branch.uri.assign(text(0));
        }
        branch.dst_uri = msg.dst_uri;
        branch.flags = msg.ruri_branch_flags;
        branch.socket = msg.send_socket;
        if (msg.append_branch(std::move(branch)) < 0)
            return -1;
        if (call.args.empty()) {
            msg.dst_uri.clear();
            msg.ruri_branch_flags = 0;
            msg.send_socket = nullptr;
        }
        return 1;
    }
    case core_op::is_myself: {
        std::string_view target = text(0);
        std::uint16_t port = 0;
        std::string_view host_part = target;
        if (target.find(':') != std::string_view::npos && target.find("sip") == 0) {
            sip::uri uri;
            if (!uri.parse(target))
                return -1;
            host_part = uri.host_address();
            port = uri.port();
        }
        return ctx.actions != nullptr && ctx.actions->is_myself(host_part, port) ? 1 : -1;
    }
    case core_op::strip:
    case core_op::strip_tail:
    case core_op::prefix:
    case core_op::rewriteuser:
    case core_op::rewriteuserpass:
    case core_op::rewritehost:
    case core_op::rewriteport:
    case core_op::rewritehostport:
        return rewrite_ruri(call.core->op, args[0], msg);
    case core_op::add_local_rport:
        return 1; // reported at check time: siphost's Via has no rport to add yet
    case core_op::exec_command: {
        // As Kamailio 5.6.3's core exec(): the worker waits for the shell; true whatever the command returns
        // (measured: exec("exit 3") is true), a status other than 0 logged as Kamailio logs it.
        std::string command(text(0));
        int status = std::system(command.c_str());
        if (status != 0)
            core::log_host(SIPHOST_LOG_NOTICE, {}, "exec() returned " + std::to_string(status));
        return 1;
    }
    case core_op::userphone:
        return add_user_phone(msg);
    case core_op::rewritehostporttrans:
        return rewrite_host_port_transport(args[0], msg);
    case core_op::remove_branch: {
        // As Kamailio's: the first target without an index; an index past the end changes nothing and is
        // still true.
        std::int64_t index = call.args.empty() ? 0 : args[0].num;
        if (index >= 0 && static_cast<std::uint64_t>(index) < msg.branches.size())
            msg.branches.erase(msg.branches.begin() + index);
        return 1;
    }
    case core_op::clear_branches:
        msg.branches.clear();
        return 1;
    case core_op::set_advertised:
    case core_op::udp_mtu_try_proto:
    case core_op::error:
        return 1; // reported at check time: siphost has no such feature (error(): Kamailio has none either)
    case core_op::forward_sctp:
        log_error("forward_sctp(): siphost has no SCTP transport");
        return -1;
    case core_op::cfg_select:
        core::log_host(SIPHOST_LOG_ERR, "core",
                       "cfg_select(): group instance '" + std::string(text(0)) + "[" +
                           std::to_string(args[1].num) + "]' does not exist");
        return -1;
    case core_op::cfg_reset:
        return 1; // the default instance is the only one siphost has
    case core_op::setavpflag:
    case core_op::resetavpflag:
    case core_op::isavpflagset: {
        // As Kamailio's: the flag of the AVP's newest value; false when the AVP has none.
        if (args[1].num < 0 || args[1].num >= static_cast<std::int64_t>(cfg::max_avp_flags))
            return -1;
        const std::uint32_t bit = std::uint32_t{1} << args[1].num;
        auto& entries = msg.avp_list().entries;
        auto newest = std::find_if(entries.rbegin(), entries.rend(),
                                   [&](const siphost_avp_list::entry& e) { return e.name == text(0); });
        if (newest == entries.rend())
            return -1;
        if (call.core->op == core_op::isavpflagset)
            return (newest->script_flags & bit) ? 1 : -1;
        newest->script_flags = call.core->op == core_op::setavpflag ? (newest->script_flags | bit)
                                                                    : (newest->script_flags & ~bit);
        return 1;
    }
    // Over UDP there is no connection: the flags change nothing there.
    case core_op::set_forward_no_connect:
        msg.forward_send_flags |= SIPHOST_DEST_NO_CONNECT;
        return 1;
    case core_op::set_reply_no_connect:
        msg.reply_send_flags |= SIPHOST_DEST_NO_CONNECT;
        return 1;
    case core_op::set_forward_close:
        msg.forward_send_flags |= SIPHOST_DEST_CLOSE;
        return 1;
    case core_op::set_reply_close:
        msg.reply_send_flags |= SIPHOST_DEST_CLOSE;
        return 1;
    case core_op::force_tcp_alias: {
        std::int64_t port = call.args.size() > 0 ? args[0].num : 0;
        if (port < 0 || port > 65535) {
            log_error("force_tcp_alias(" + std::to_string(port) + "): not a port");
            return -1;
        }
        if (ctx.actions == nullptr)
            return 1;
        return ctx.actions->force_tcp_alias(ctx.msg, static_cast<std::uint16_t>(port)) > 0 ? 1 : -1;
    }
    case core_op::force_send_socket: {
        cfg::listen_address wanted;
        std::string error;
        if (!cfg::parse_listen(std::string(text(0)), wanted, error))
            return -1;
        int proto = wanted.proto == "udp"   ? SIPHOST_PROTO_UDP
                    : wanted.proto == "tcp" ? SIPHOST_PROTO_TCP
                    : wanted.proto == "tls" ? SIPHOST_PROTO_TLS
                    : wanted.proto.empty()  ? 0
                                            : -1;
        const net::listening_socket* socket =
            proto >= 0 && ctx.actions != nullptr ? ctx.actions->find_socket(proto, wanted.host, wanted.port)
                                                 : nullptr;
        if (socket == nullptr) {
            core::log_host(SIPHOST_LOG_ERR, "core",
                           "force_send_socket: siphost does not listen on " + std::string(text(0)));
            return -1;
        }
        msg.send_socket = socket;
        return 1;
    }
    }
    return -1;
}

bool is_forward(cfg::core_op op) {
    return op == cfg::core_op::forward || op == cfg::core_op::forward_udp ||
           op == cfg::core_op::forward_tcp || op == cfg::core_op::forward_tls;
}

std::int64_t run_call(const call_site& call, run_context& ctx) {
    // Every call of the script passes here: nothing in this frame is zeroed or constructed beyond the
    // arguments the call has (an array initialiser or a std::string array here cost a tenth of a message).
    siphost_value args[SIPHOST_MAX_ARGS];
    for (std::size_t i = call.args.size(); i < SIPHOST_MAX_ARGS; ++i)
        args[i] = siphost_value{};
    // Argument text is rendered into per-thread buffers that keep their capacity, so that a warmed-up worker
    // does not allocate for templates; a call nested in an argument takes the next set.
    constexpr int pooled_depths = 8;
    thread_local std::string pool[pooled_depths][SIPHOST_MAX_ARGS];
    thread_local int depth = 0;
    std::unique_ptr<std::string[]> deep_buffers;
    std::string* buffers = pool[0];
    if (depth < pooled_depths) {
        buffers = pool[depth];
    } else {
        deep_buffers = std::make_unique<std::string[]>(SIPHOST_MAX_ARGS);
        buffers = deep_buffers.get();
    }
    struct depth_scope {
        int& d;
        explicit depth_scope(int& level) : d(level) { ++d; }
        ~depth_scope() { --d; }
    } scope(depth);
    for (std::size_t i = 0; i < call.args.size(); ++i) {
        const call_argument& a = call.args[i];
        args[i] = siphost_value{};
        switch (a.kind) {
        case SIPHOST_ARG_INT:
            if (a.constant) {
                args[i] = a.constant_value.to_abi();
            } else {
                value number;
                if (a.expression) {
                    number = eval(*a.expression, ctx);
                    if (ctx.stopped != run_context::stop::none)
                        return 0;
                } else {
                    render_template(a.text, ctx, buffers[i]);
                    number = value::borrow(buffers[i]);
                }
                // A value that is not a number makes the call false instead of guessing (Kamailio: -1).
                if (!number.is_numeric()) {
                    std::string shown;
                    log_error("argument " + std::to_string(i + 1) + " of '" + call.name + "' (line " +
                              std::to_string(call.where.line) + ") must be an integer, not '" +
                              std::string(number.as_text(shown)) + "'");
                    return ctx.rc = -1;
                }
                args[i].kind = SIPHOST_VALUE_INT;
                args[i].num = number.to_int();
            }
            break;
        case SIPHOST_ARG_ROUTE:
            args[i] = a.constant_value.to_abi();
            args[i].num = a.route_id;
            break;
        case SIPHOST_ARG_PVAR:
            args[i] = a.constant_value.to_abi();
            break;
        default:
            if (a.constant) {
                args[i] = a.constant_value.to_abi();
            } else if (a.expression) {
                value result = eval(*a.expression, ctx);
                if (ctx.stopped != run_context::stop::none)
                    return 0;
                // The text must outlive `result`: a string value's own text is copied into the buffer.
                std::string_view t = result.as_text(buffers[i]);
                if (t.data() != buffers[i].data())
                    buffers[i].assign(t);
                args[i].kind = SIPHOST_VALUE_STR;
                args[i].str = abi_str(buffers[i]);
            } else {
                render_template(a.text, ctx, buffers[i]);
                args[i].kind = SIPHOST_VALUE_STR;
                args[i].str = abi_str(buffers[i]);
            }
            break;
        }
    }
    std::int64_t result;
    if (call.core != nullptr)
        result = run_core(call, args, ctx);
    else if (call.command != nullptr && call.command->handler != nullptr)
        result = call.command->handler(ctx.msg, args, call.call_data);
    else
        result = -1;
    ctx.rc = result;
    // Kamailio: 0 ends the script, except the 0 of a forward() that onsend_route dropped (measured on 5.6.3:
    // $rc is 0 and the script goes on).
    if (result == 0) [[unlikely]] {
        if (call.core == nullptr || !is_forward(call.core->op))
            ctx.stopped = run_context::stop::exit;
    }
    return result;
}

flow exec(const std::vector<action>& body, std::size_t from, run_context& ctx);

std::int64_t run_sub_route(int route_id, run_context& ctx) {
    if (route_id < 0 || static_cast<std::size_t>(route_id) >= ctx.script->route_count())
        return ctx.rc = -1;
    if (ctx.route_depth >= interpreter::max_route_depth) {
        log_error("route() nests deeper than " + std::to_string(interpreter::max_route_depth) +
                  " levels (a route calling itself?)");
        ctx.stopped = run_context::stop::exit;
        return ctx.rc = -1;
    }
    ++ctx.route_depth;
    ctx.rc = 1;
    flow f = exec(ctx.script->route(route_id).body, 0, ctx);
    (void)f;
    --ctx.route_depth;
    return ctx.rc;
}

bool case_matches(const compiled_case& c, bool int_switch, const value& v, std::int64_t number,
                  std::string_view text) {
    if (c.is_default)
        return false;
    if (int_switch)
        return c.number == number;
    if (v.is_null())
        return false;
    if (c.is_regex) {
        std::string subject(text);
        return c.regex && c.regex->ok && regexec(&c.regex->re, subject.c_str(), 0, nullptr, 0) == 0;
    }
    return c.text == text;
}

flow exec(const std::vector<action>& body, std::size_t from, run_context& ctx) {
    for (std::size_t i = from; i < body.size(); ++i) {
        const action& a = body[i];
        switch (a.kind) {
        case action_kind::expression:
            if (a.value->kind == node_kind::call)
                run_call(*a.value->call, ctx);
            else
                eval(*a.value, ctx);
            break;
        case action_kind::assign: {
            value v = eval(*a.value, ctx);
            if (ctx.stopped != run_context::stop::none)
                break;
            if (a.assign_op != cfg::op_kind::none) {
                // x op= v is x = x op v, computed like the binary operator.
                value current = get_pv(*a.target, ctx);
                v = apply_binary(a.assign_op, current, v, nullptr);
            }
            if (set_pv(*a.target, v, ctx) < 0)
                log_error("cannot assign to " + a.target->text);
            break;
        }
        case action_kind::if_else: {
            bool condition = eval_bool(*a.value, ctx);
            if (ctx.stopped != run_context::stop::none)
                break;
            flow f = exec(condition ? a.body : a.else_body, 0, ctx);
            if (f != flow::next)
                return f;
            break;
        }
        case action_kind::while_loop: {
            std::uint32_t rounds = 0;
            while (ctx.stopped == run_context::stop::none && eval_bool(*a.value, ctx) &&
                   ctx.stopped == run_context::stop::none) {
                if (++rounds > ctx.max_loops) {
                    log_error("a while loop ran " + std::to_string(ctx.max_loops) +
                              " times and was stopped (max_while_loops)");
                    break;
                }
                flow f = exec(a.body, 0, ctx);
                if (f == flow::break_loop)
                    break;
                if (f == flow::return_route)
                    return f;
            }
            break;
        }
        case action_kind::switch_case: {
            value v = eval(*a.value, ctx);
            if (ctx.stopped != run_context::stop::none)
                break;
            std::string buffer;
            std::int64_t number = v.to_int();
            std::string_view text = v.as_text(buffer);
            const compiled_case* chosen = nullptr;
            for (const auto& c : a.cases)
                if (case_matches(c, a.int_switch, v, number, text)) {
                    chosen = &c;
                    break;
                }
            if (chosen == nullptr)
                for (const auto& c : a.cases)
                    if (c.is_default)
                        chosen = &c;
            if (chosen == nullptr)
                break;
            flow f = exec(a.body, chosen->body_start, ctx); // falls through the following cases until break
            if (f == flow::return_route)
                return f;
            break;
        }
        case action_kind::break_loop:
            return flow::break_loop;
        case action_kind::return_route: {
            std::int64_t code = 1;
            if (a.value) {
                code = eval(*a.value, ctx).to_int();
                if (ctx.stopped != run_context::stop::none)
                    break;
            }
            ctx.rc = code;
            if (code == 0)
                ctx.stopped = run_context::stop::exit; // return 0 ends the script
            return flow::return_route;
        }
        case action_kind::exit_script:
            if (a.value) {
                std::int64_t code = eval(*a.value, ctx).to_int();
                if (ctx.stopped == run_context::stop::none)
                    ctx.rc = code;
            }
            if (ctx.stopped == run_context::stop::none)
                ctx.stopped = run_context::stop::exit;
            break;
        case action_kind::drop_message:
            ctx.stopped = run_context::stop::drop;
            break;
        }
        if (ctx.stopped != run_context::stop::none)
            return flow::return_route;
    }
    return flow::next;
}

} // namespace

interpreter::interpreter(std::shared_ptr<const compiled_script> script, core_actions* actions)
    : script_(std::move(script)), actions_(actions) {}

namespace {
/// The innermost message_scope of this thread (scopes of several interpreters may nest, in tests).
thread_local interpreter::message_scope* innermost_scope = nullptr;
/// What script() returned last on a thread outside a scope, kept alive for the caller. Every thread's holder
/// is known, so that shutdown can drop them all before the modules go: a thread that is not the server's (a
/// test's, an RPC client's) would otherwise free its script at its exit, after the modules' code is unloaded.
struct unpinned_holder {
    std::shared_ptr<const compiled_script> script;
    unpinned_holder();
    ~unpinned_holder();
};
// Never destroyed: threads may end after static destruction has begun.
std::mutex& holders_mutex() {
    static auto* mutex = new std::mutex;
    return *mutex;
}
std::set<unpinned_holder*>& holders() {
    static auto* all = new std::set<unpinned_holder*>;
    return *all;
}
unpinned_holder::unpinned_holder() {
    std::lock_guard lock(holders_mutex());
    holders().insert(this);
}
unpinned_holder::~unpinned_holder() {
    std::shared_ptr<const compiled_script> last;
    {
        std::lock_guard lock(holders_mutex());
        holders().erase(this);
        last = std::move(script);
    }
}
thread_local unpinned_holder unpinned;
} // namespace

interpreter::message_scope::message_scope(const interpreter& owner, bool between_messages) : owner_(&owner) {
    // Only this thread writes its holder while it runs (shutdown's sweep comes after every thread stopped), so
    // the test needs no lock: a worker takes none per message.
    if (between_messages && unpinned.script)
        interpreter::release_thread_script();
    for (auto* scope = innermost_scope; scope != nullptr; scope = scope->outer_)
        if (scope->owner_ == &owner)
            return; // an outer scope pinned this interpreter's script already
    script_ = owner.script_.load();
    outer_ = innermost_scope;
    innermost_scope = this;
    active_ = true;
}

interpreter::message_scope::~message_scope() {
    if (active_)
        innermost_scope = outer_;
}

const compiled_script& interpreter::script() const {
    for (auto* scope = innermost_scope; scope != nullptr; scope = scope->outer_)
        if (scope->owner_ == this && scope->active_)
            return *scope->script_;
    // Outside a message (an RPC, a slow timer): the published script, held by this thread so that the
    // reference stays valid while the caller uses it.
    // The holder is made (and registers itself, under the lock) before the lock is taken here; the script it
    // held is freed after the lock is let go (its fixup_free may come back here).
    auto& holder = unpinned;
    auto next = script_.load();
    std::shared_ptr<const compiled_script> previous;
    {
        std::lock_guard lock(holders_mutex());
        previous = std::exchange(holder.script, std::move(next));
    }
    return *holder.script;
}

void interpreter::release_thread_script() {
    auto& holder = unpinned;
    std::shared_ptr<const compiled_script> last;
    std::lock_guard lock(holders_mutex());
    last = std::move(holder.script);
}

void interpreter::release_every_thread_script() {
    std::vector<std::shared_ptr<const compiled_script>> last;
    std::lock_guard lock(holders_mutex());
    for (auto* holder : holders())
        last.push_back(std::move(holder->script));
}

std::shared_ptr<const compiled_script> interpreter::publish(std::shared_ptr<const compiled_script> next) {
    return script_.exchange(std::move(next));
}

worker_state& interpreter::worker(const compiled_script& s) const {
    thread_local worker_state state;
    if (state.owner != s.generation()) {
        state = worker_state{};
        state.owner = s.generation();
    }
    // Slots are made on first assignment (reads check the size), so no lock is taken per message.
    return state;
}

int interpreter::run(const compiled_script& s, int route_index, siphost_msg* msg, std::int64_t* rc) const {
    run_context ctx;
    ctx.msg = msg;
    ctx.actions = actions_;
    ctx.script = &s;
    ctx.worker = &worker(s);
    ctx.max_loops = s.params().max_while_loops;
    if (route_index < 0 || static_cast<std::size_t>(route_index) >= s.route_count()) {
        log_error("route id " + std::to_string(route_index) + " does not exist");
        return SIPHOST_ROUTE_EXITED;
    }
    context_scope scope(&ctx);
    exec(s.route(route_index).body, 0, ctx);
    if (rc)
        *rc = ctx.rc;
    switch (ctx.stopped) {
    case run_context::stop::drop:
        return SIPHOST_ROUTE_DROPPED;
    case run_context::stop::exit:
        return SIPHOST_ROUTE_EXITED;
    default:
        return SIPHOST_ROUTE_RAN;
    }
}

// Each entry point pins the script for its run, so that a run started outside a message_scope (a timer's
// failure_route) still runs wholly on one script.
int interpreter::run_request_route(siphost_msg* msg, std::int64_t* rc) const {
    message_scope pin(*this);
    const compiled_script& s = script();
    if (s.request_route() < 0)
        return SIPHOST_ROUTE_RAN;
    return run(s, s.request_route(), msg, rc);
}

int interpreter::run_core_onreply(siphost_msg* msg, std::int64_t* rc) const {
    message_scope pin(*this);
    const compiled_script& s = script();
    if (s.core_onreply_route() < 0)
        return SIPHOST_ROUTE_RAN;
    return run(s, s.core_onreply_route(), msg, rc);
}

int interpreter::run_onsend_route(siphost_msg* msg, const send_info& info) const {
    message_scope pin(*this);
    const compiled_script& s = script();
    if (s.onsend_route() < 0)
        return SIPHOST_ROUTE_NOT_FOUND;
    sending_scope sending(info);
    return run(s, s.onsend_route(), msg, nullptr);
}

int interpreter::run_route(int route_id, siphost_msg* msg, std::int64_t* rc) const {
    message_scope pin(*this);
    const compiled_script& s = script();
    int index = s.route_index_of_id(route_id);
    if (index < 0)
        return SIPHOST_ROUTE_NOT_FOUND;
    return run(s, index, msg, rc);
}

void interpreter::render(const compiled_template& t, siphost_msg* msg, std::string& out) const {
    run_context ctx;
    ctx.msg = msg;
    ctx.script = &script();
    ctx.worker = &worker(*ctx.script);
    if (current_context && current_context->msg == msg)
        ctx.rc = current_context->rc;
    render_template(t, ctx, out);
}

std::string interpreter::render_log_prefix(siphost_msg* msg) const {
    std::string out;
    const compiled_script& s = script();
    if (!s.log_prefix().pieces.empty())
        render(s.log_prefix(), msg, out);
    return out;
}

int interpreter::pv_get(const pv_spec& pv, siphost_msg* msg, siphost_value* out) const {
    thread_local value result;
    run_context ctx;
    ctx.msg = msg;
    ctx.script = &script();
    ctx.worker = &worker(*ctx.script);
    if (current_context && current_context->msg == msg)
        ctx.rc = current_context->rc;
    result = get_pv(pv, ctx);
    result.make_owned();
    *out = result.to_abi();
    return 0;
}

int interpreter::pv_set(const pv_spec& pv, siphost_msg* msg, const siphost_value& v) const {
    run_context ctx;
    ctx.msg = msg;
    ctx.script = &script();
    ctx.worker = &worker(*ctx.script);
    return set_pv(pv, value::from_abi(v, true), ctx);
}

} // namespace siphost::script
