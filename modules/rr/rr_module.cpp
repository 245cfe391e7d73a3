// rr: record routing and loose routing (Kamailio's rr module).
//
//   record_route(), record_route(params)  adds "Record-Route: <sip:ADDR:PORT;lr[;ftag=..][params]>" on top,
//                                         ADDR:PORT being what the arrival socket advertises; with
//                                         enable_double_rr (the default) and a request that leaves from
//                                         another socket, two: the outgoing socket's, then the arrival one's,
//                                         each with ;r2=on (written when the request is sent:
//                                         siphost/api/send_lines.h)
//   loose_route()                         RFC 3261 16.4 and 16.12 (see loose_route below for the steps)
//   add_rr_param(param)                   ";name=value" for the Record-Route URI record_route() adds
//   $route_uri                            the URI of the first Route value
//
// Next hop: loose_route() writes the next hop into $du itself (as Kamailio does), so forward() and t_relay()
// follow it without relying on how the host picks a next hop from Route headers; the Route values it
// removes are recorded as changes (msg_remove_header / msg_replace), which the host applies when sending.
#include "route_set.hpp"

#include <siphost/api/rr.h>
#include <siphost/api/send_lines.h>
#include <siphost/module.hpp>

#include <regex.h>

#include <cstdio>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::modules::rr {
namespace {

const char module_name[] = "rr";

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
int32_t append_fromtag_ = 1;
int32_t enable_full_lr_ = 0;
int32_t enable_double_rr_ = 1;
int rr_slot_ = -1;

/// The loose_route() callbacks of the API, registered at init (Kamailio's register_rrcb).
struct rr_callback {
    siphost_rr_callback_fn fn = nullptr;
    void* param = nullptr;
};
std::array<rr_callback, 16> callbacks_{};
size_t callback_count_ = 0;

/// What add_rr_param() and record_route() leave on a message: the parameters still to add, and whether
/// the Record-Route is already written.
struct rr_state {
    std::string params;
    bool added = false;
    /// The parameters of this proxy's Route as loose_route() found them before removing it, so that
    /// check_route_param() and is_direction() still see them afterwards, as in Kamailio.
    std::optional<std::string> own_route_params;
};

void destroy_rr_state(void* value) {
    std::unique_ptr<rr_state> owned(static_cast<rr_state*>(value));
}

/// The message's rr_state, created on first use; nullptr when the host has no slot for it.
rr_state* state_of(siphost_msg* msg, bool create) {
    if (rr_slot_ < 0)
        return nullptr;
    auto* state = static_cast<rr_state*>(host_->msgctx->slot_get(msg, rr_slot_));
    if (state == nullptr && create) {
        auto fresh = std::make_unique<rr_state>();
        if (host_->msgctx->slot_set(msg, rr_slot_, fresh.get()) != 0)
            return nullptr;
        state = fresh.release();
    }
    return state;
}

// Kamailio's return codes of loose_route().
constexpr int rr_driven = 1;      // the next hop comes from the route set (or the R-URI after it)
constexpr int not_rr_driven = -1; // no Route header
constexpr int rr_preloaded = -3;  // an initial request whose only Route named this proxy

/// A URI whose host and port name this proxy; a URI without a host (tel:) never does.
bool is_myself(const siphost_uri& uri) {
    return uri.host.len != 0 && host_->is_myself(uri.host, uri.port) != 0;
}

bool is_myself_uri(std::string_view text) {
    siphost_uri uri;
    return sdk::parse_uri(host_, text, uri) && is_myself(uri);
}

bool is_loose(std::string_view text) {
    siphost_uri uri;
    return sdk::parse_uri(host_, text, uri) && sdk::param(host_, sdk::view(uri.params), "lr");
}

/// "sip:ADDR:PORT[;transport=x]" for a socket, as a Route to it must read.
void append_socket_uri(std::string& out, const siphost_socket_info& socket) {
    out.append("sip:");
    std::string_view host = sdk::view(socket.host);
    bool ipv6 = host.find(':') != std::string_view::npos && host.front() != '[';
    if (ipv6)
        out.push_back('[');
    out.append(host);
    if (ipv6)
        out.push_back(']');
    if (socket.port != 0)
        out.append(":").append(std::to_string(socket.port));
    switch (socket.proto) {
    case SIPHOST_PROTO_TCP:
        out.append(";transport=tcp");
        break;
    case SIPHOST_PROTO_TLS:
        out.append(";transport=tls");
        break;
    case SIPHOST_PROTO_SCTP:
        out.append(";transport=sctp");
        break;
    case SIPHOST_PROTO_WS:
        out.append(";transport=ws");
        break;
    case SIPHOST_PROTO_WSS:
        out.append(";transport=wss");
        break;
    default:
        break;
    }
}

/// The host's send-time lines (siphost/api/send_lines.h); null when it has none.
const siphost_send_lines_v1* send_lines() {
    static std::atomic<const siphost_send_lines_v1*> found{nullptr};
    const siphost_send_lines_v1* api = found.load(std::memory_order_acquire);
    if (api == nullptr) {
        api = static_cast<const siphost_send_lines_v1*>(
            host_->api_lookup(SIPHOST_SEND_LINES_API_NAME, SIPHOST_SEND_LINES_API_MAJOR));
        if (api == nullptr || api->struct_size < sizeof(siphost_send_lines_v1))
            return nullptr;
        found.store(api, std::memory_order_release);
    }
    return api;
}

/// What record_route() leaves for the send-time lines: one record per call, each the arrival socket's URI, a
/// newline, then what follows the address in each Record-Route (";lr;ftag=..." and the parameters); records
/// are separated by a NUL, which no script string holds.
constexpr char double_rr_field_separator = '\n';
constexpr char double_rr_record_separator = '\0';

void append_record_route(std::string& out, std::string_view uri, std::string_view r2, std::string_view tail) {
    out.append("Record-Route: <").append(uri).append(r2).append(tail).append(">\r\n");
}

/// The send-time lines of double record-routing, for each record_route() in order: from the arrival socket,
/// one Record-Route as record_route() writes it; from another socket, the outgoing socket's Record-Route on
/// top of the arrival socket's, each with ;r2=on so that loose_route() takes both Routes at once (as Kamailio
/// writes them).
int write_record_routes(const siphost_msg* msg, const siphost_socket* from, siphost_str data, char* buf,
                        size_t cap, size_t* len) {
    return sdk::guard(-1, [&] {
        *len = 0;
        thread_local std::string lines;
        thread_local std::string out_uri;
        lines.clear();
        out_uri.clear();
        bool same_socket = from == nullptr || from == host_->msg_socket(msg);
        if (!same_socket) {
            siphost_socket_info out_socket;
            if (!sdk::socket_info(host_, from, out_socket))
                return -1;
            append_socket_uri(out_uri, out_socket);
        }
        std::string_view records = sdk::view(data);
        while (!records.empty()) {
            size_t end = records.find(double_rr_record_separator);
            std::string_view record = records.substr(0, end);
            records = end == std::string_view::npos ? std::string_view() : records.substr(end + 1);
            size_t cut = record.find(double_rr_field_separator);
            if (cut == std::string_view::npos)
                return -1;
            std::string_view in_uri = record.substr(0, cut);
            std::string_view tail = record.substr(cut + 1);
            if (same_socket) {
                append_record_route(lines, in_uri, {}, tail);
            } else {
                append_record_route(lines, out_uri, ";r2=on", tail);
                append_record_route(lines, in_uri, ";r2=on", tail);
            }
        }
        *len = lines.size();
        if (lines.size() > cap)
            return -1;
        lines.copy(buf, lines.size());
        return 0;
    });
}

int record_route(siphost_msg* msg, std::string_view params) {
    siphost_socket_info socket;
    if (!sdk::socket_info(host_, host_->msg_socket(msg), socket)) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "record_route: the request has no arrival socket");
        return -1;
    }
    thread_local std::string uri;
    uri.clear();
    append_socket_uri(uri, socket);
    thread_local std::string tail;
    tail.assign(enable_full_lr_ ? ";lr=on" : ";lr");
    if (append_fromtag_) {
        std::string_view from_tag = sdk::view(host_->msg_from_tag(msg));
        if (!from_tag.empty())
            tail.append(";ftag=").append(from_tag);
    }
    params = sdk::trim(params);
    if (!params.empty()) {
        if (params.front() != ';')
            tail.push_back(';');
        tail.append(params);
    }
    rr_state* state = state_of(msg, true);
    if (state != nullptr)
        tail.append(state->params);

    const siphost_send_lines_v1* later = enable_double_rr_ ? send_lines() : nullptr;
    if (enable_double_rr_ && later == nullptr) {
        static std::once_flag warned;
        std::call_once(warned, [] {
            sdk::log(
                host_, self_, SIPHOST_LOG_WARN,
                "record_route: the host has no core.send_lines API: one Record-Route, as enable_double_rr=0");
        });
    }
    if (later != nullptr) {
        // The outgoing socket is chosen when the request is sent: the host asks write_record_routes then.
        // A second record_route() adds a record of its own.
        thread_local std::string data;
        siphost_str earlier{nullptr, 0};
        data.clear();
        if (later->get(msg, write_record_routes, &earlier) == 1)
            data.assign(sdk::view(earlier)).push_back(double_rr_record_separator);
        data.append(uri).push_back(double_rr_field_separator);
        data.append(tail);
        if (later->set(msg, write_record_routes, sdk::str(data)) != 0) {
            sdk::log(host_, self_, SIPHOST_LOG_ERR, "record_route: the host refused the Record-Route");
            return -1;
        }
    } else {
        thread_local std::string line;
        line.clear();
        append_record_route(line, uri, {}, tail);
        if (host_->msg_add_header(msg, sdk::str(line), SIPHOST_HDR_TOP, siphost_str{nullptr, 0}) != 0) {
            sdk::log(host_, self_, SIPHOST_LOG_ERR, "record_route: the host refused the header");
            return -1;
        }
    }
    if (state != nullptr) {
        state->params.clear();
        state->added = true;
    }
    return 1;
}

/// Puts params into the double Record-Route record_route() left for sending (in the request, or in tm's copy
/// of it for a branch or failure route): into the latest record. False when there is none.
bool append_to_send_lines(siphost_msg* msg, std::string_view params, bool& failed) {
    const siphost_send_lines_v1* later = send_lines();
    siphost_str data{nullptr, 0};
    if (later == nullptr || later->get(msg, write_record_routes, &data) != 1)
        return false;
    std::string updated(sdk::view(data));
    updated.append(params);
    if (later->set(msg, write_record_routes, sdk::str(updated)) != 0) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "add_rr_param: the host refused the change");
        failed = true;
        return false;
    }
    return true;
}

/// Puts params into the Record-Route this proxy already added: the recorded changes are applied first (the
/// host cannot edit an added line), then the parameters go in before the '>' of the top Record-Route when it
/// names this proxy. False when there is no such Record-Route.
bool append_to_own_record_route(siphost_msg* msg, std::string_view params, bool& failed) {
    char err[200] = "";
    if (host_->msgctx->apply_changes(msg, err, sizeof err) != 0) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, std::string("add_rr_param: ") + err);
        failed = true;
        return false;
    }
    siphost_str value{nullptr, 0};
    if (host_->msg_header(msg, sdk::str("Record-Route"), 0, &value) != 1)
        return false;
    std::string_view text = sdk::view(value);
    size_t close = text.find('>');
    if (close == std::string_view::npos || !is_myself_uri(sdk::uri_of(host_, text)))
        return false;
    std::string_view raw = sdk::view(host_->msg_raw(msg));
    size_t offset = static_cast<size_t>(text.data() + close - raw.data());
    if (host_->msg_replace(msg, offset, 0, sdk::str(params)) != 0) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "add_rr_param: the host refused the change");
        failed = true;
        return false;
    }
    return true;
}

/// add_rr_param(): before record_route() the parameter is kept for it; after it (in request_route, or in
/// a branch or failure route whose copy of the request already carries this proxy's Record-Route), it goes
/// into that header.
int add_rr_param(siphost_msg* msg, std::string_view text) {
    std::string_view param = sdk::trim(text);
    if (param.empty())
        return 1;
    std::string params;
    if (param.front() != ';')
        params.push_back(';');
    params.append(param);
    rr_state* state = state_of(msg, true);
    if (state == nullptr) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "add_rr_param: no per-message state");
        return -1;
    }
    // tm's copies for branch and failure routes do not carry the per-message state: look at the header.
    bool maybe_added = state->added || host_->msgctx->route_type(msg) != SIPHOST_ROUTE_REQUEST;
    if (maybe_added) {
        bool failed = false;
        if (append_to_send_lines(msg, params, failed))
            return 1;
        if (failed)
            return -1;
        if (append_to_own_record_route(msg, params, failed))
            return 1;
        if (failed)
            return -1;
        if (state->added) {
            sdk::log(host_, self_, SIPHOST_LOG_ERR, "add_rr_param: this proxy's Record-Route is not on top");
            return -1;
        }
    }
    state->params.append(params);
    return 1;
}

int cmd_add_rr_param(siphost_msg* msg, const siphost_value* args, void*) {
    return add_rr_param(msg, sdk::arg_view(args[0]));
}

int cmd_record_route(siphost_msg* msg, const siphost_value*, void*) {
    return record_route(msg, {});
}

int cmd_record_route_params(siphost_msg* msg, const siphost_value* args, void*) {
    return record_route(msg, sdk::arg_view(args[0]));
}

/// loose_route():
///  1. no Route: -1.
///  2. the Request-URI names this proxy: the previous hop was a strict router (RFC 3261 16.4), so the last
///     Route value becomes the Request-URI and is removed.
///  3. the first Route value(s) naming this proxy are removed (two with double record-routing).
///  4. a Route value remains: a loose router (;lr) becomes the next hop ($du); a strict one becomes the
///     Request-URI, and the old Request-URI goes to the end of the route set (RFC 3261 16.6 step 6).
///  5. none remains: the Request-URI is the next hop; 1, or -3 for an initial request (no To-tag) whose
///     only Routes named this proxy (a preloaded route to ourselves).
bool own_route_params(siphost_msg* msg, std::string_view& params);

int route(siphost_msg* msg);

/// loose_route() with the API's callbacks, when the request carried this proxy's Route and was routed.
int cmd_loose_route(siphost_msg* msg, const siphost_value*, void*) {
    std::string own_params;
    bool own = false;
    if (std::string_view found; own_route_params(msg, found)) {
        own = true;
        own_params.assign(found);
        if (rr_state* state = state_of(msg, true); state != nullptr)
            state->own_route_params.emplace(found);
    }
    int result = route(msg);
    if (own && (result == rr_driven || result == rr_preloaded))
        for (size_t i = 0; i < callback_count_; ++i)
            callbacks_[i].fn(msg, sdk::str(own_params), callbacks_[i].param);
    return result;
}

int route(siphost_msg* msg) {
    thread_local route_set routes;
    if (!routes.load(host_, msg)) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "loose_route: malformed Route header");
        return -1;
    }
    const auto& values = routes.values();
    if (values.empty())
        return not_rr_driven;

    thread_local std::vector<bool> removed;
    removed.assign(values.size(), false);
    size_t first = 0;
    size_t last = values.size();

    if (is_myself_uri(sdk::view(host_->msg_ruri(msg)))) {
        const route_value& strict_hop = values[last - 1];
        if (host_->msg_set_ruri(msg, sdk::str(strict_hop.uri)) != 0)
            return -1;
        removed[--last] = true;
    }
    for (int own = 0; own < 2 && first < last && is_myself_uri(values[first].uri); ++own)
        removed[first++] = true;

    if (first < last) {
        const route_value& next = values[first];
        if (is_loose(next.uri)) {
            if (host_->msg_set_dst_uri(msg, sdk::str(next.uri)) != 0)
                return -1;
        } else {
            thread_local std::string old_ruri;
            old_ruri.assign("Route: <").append(sdk::view(host_->msg_ruri(msg))).append(">\r\n");
            if (host_->msg_add_header(msg, sdk::str(old_ruri), SIPHOST_HDR_BOTTOM, siphost_str{nullptr, 0}) !=
                    0 ||
                host_->msg_set_ruri(msg, sdk::str(next.uri)) != 0)
                return -1;
            removed[first] = true;
        }
    }
    if (!routes.remove(msg, removed)) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "loose_route: the host refused to remove a Route value");
        return -1;
    }
    bool initial = sdk::view(host_->msg_to_tag(msg)).empty();
    bool strict_previous_hop = last < values.size();
    if (first >= last && initial && !strict_previous_hop)
        return rr_preloaded;
    return rr_driven;
}

/// The URI parameters of this proxy's own Route ("lr;ftag=x;nat=yes"); false when there is none.
/// The parameters of this proxy's Route as loose_route() found them on this message; false before
/// loose_route() ran or when it found none. What check_route_param(), is_direction(), $fti and $tti read, as
/// Kamailio's do (measured: before loose_route() they see no parameters).
bool routed_params(siphost_msg* msg, std::string_view& params) {
    rr_state* state = state_of(msg, false);
    if (state == nullptr || !state->own_route_params)
        return false;
    params = *state->own_route_params;
    return true;
}

bool own_route_params(siphost_msg* msg, std::string_view& params) {
    siphost_uri uri;
    std::string_view original = sdk::view(host_->msg_original_ruri(msg));
    siphost_str value{nullptr, 0};
    if (sdk::parse_uri(host_, original, uri) && is_myself(uri) &&
        host_->msg_header(msg, sdk::str("Route"), 0, &value) == 1) {
        params = sdk::view(uri.params);
        return true;
    }
    for (uint32_t i = 0; host_->msg_header(msg, sdk::str("Route"), i, &value) == 1; ++i) {
        if (sdk::parse_uri(host_, sdk::uri_of(host_, sdk::view(value)), uri) && is_myself(uri)) {
            params = sdk::view(uri.params);
            return true;
        }
    }
    return false;
}

/// A compiled check_route_param() pattern.
class route_param_regex {
public:
    explicit route_param_regex(const std::string& pattern) {
        int rc = regcomp(&compiled_, pattern.c_str(), REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (rc != 0) {
            char reason[160];
            regerror(rc, &compiled_, reason, sizeof reason);
            throw sdk::config_error("bad regular expression \"" + pattern + "\": " + reason);
        }
    }
    ~route_param_regex() { regfree(&compiled_); }
    route_param_regex(const route_param_regex&) = delete;
    route_param_regex& operator=(const route_param_regex&) = delete;

    bool matches(std::string_view text) const {
        regmatch_t range[1];
        range[0].rm_so = 0;
        range[0].rm_eo = static_cast<regoff_t>(text.size());
        return regexec(&compiled_, text.data() != nullptr ? text.data() : "", 1, range, REG_STARTEND) == 0;
    }

private:
    regex_t compiled_;
};

std::unique_ptr<route_param_regex> fix_check_route_param(const siphost_value* args, const int* constant) {
    if (!constant[0])
        throw sdk::config_error("check_route_param: the regular expression must be a constant string");
    return std::make_unique<route_param_regex>(std::string(sdk::arg_view(args[0])));
}

int cmd_check_route_param(siphost_msg* msg, const siphost_value*, void* call_data) {
    std::string_view params;
    if (!routed_params(msg, params))
        return -1;
    return static_cast<const route_param_regex*>(call_data)->matches(params) ? 1 : -1;
}

std::unique_ptr<int> fix_direction(const siphost_value* args, const int* constant) {
    if (!constant[0])
        throw sdk::config_error(
            "is_direction: the direction must be the constant \"downstream\" or \"upstream\"");
    std::string_view direction = sdk::trim(sdk::arg_view(args[0]));
    if (sdk::iequals(direction, "downstream"))
        return std::make_unique<int>(1);
    if (sdk::iequals(direction, "upstream"))
        return std::make_unique<int>(0);
    throw sdk::config_error("is_direction: unknown direction \"" + std::string(direction) +
                            "\"; use \"downstream\" or \"upstream\"");
}

/// Downstream when the ftag of the own Route is the From-tag (the caller sends), upstream otherwise; a
/// missing ftag counts as downstream, as in Kamailio.
bool is_downstream(siphost_msg* msg) {
    std::string_view params;
    std::string_view ftag;
    if (routed_params(msg, params) && sdk::param(host_, params, "ftag", &ftag) && !ftag.empty())
        return ftag == sdk::view(host_->msg_from_tag(msg));
    return true;
}

int cmd_is_direction(siphost_msg* msg, const siphost_value*, void* call_data) {
    bool want_downstream = *static_cast<const int*>(call_data) == 1;
    return is_downstream(msg) == want_downstream ? 1 : -1;
}

/// $fti and $tti: the From and To tags as the dialog's first request had them, whichever way this one goes.
int get_initial_tag(siphost_msg* msg, bool from_side, siphost_value* out) {
    bool use_from = is_downstream(msg) == from_side;
    std::string_view tag = sdk::view(use_from ? host_->msg_from_tag(msg) : host_->msg_to_tag(msg));
    *out = tag.empty() ? sdk::null_value() : sdk::str_value(tag);
    return 0;
}

int get_fti(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    return get_initial_tag(msg, true, out);
}

int get_tti(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    return get_initial_tag(msg, false, out);
}

int get_route_uri(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    siphost_str first{nullptr, 0};
    if (host_->msg_header(msg, sdk::str("Route"), 0, &first) != 1) {
        *out = sdk::null_value();
        return 0;
    }
    std::string_view uri = sdk::uri_of(host_, sdk::view(first));
    *out = uri.empty() ? sdk::null_value() : sdk::str_value(uri);
    return 0;
}

int api_add_rr_param(siphost_msg* msg, siphost_str params) {
    return sdk::guard(-1, [&] { return add_rr_param(msg, sdk::view(params)); });
}

int api_register_callback(siphost_rr_callback_fn fn, void* param) {
    if (fn == nullptr || callback_count_ == callbacks_.size())
        return -1;
    callbacks_[callback_count_++] = rr_callback{fn, param};
    return 0;
}

const siphost_rr_api_v1 api = {sizeof(siphost_rr_api_v1), api_add_rr_param, api_register_callback};

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    callback_count_ = 0;
    if (enable_double_rr_ != 0 && enable_double_rr_ != 1) {
        std::snprintf(
            err, err_size,
            "enable_double_rr must be 0 or 1 (2, two Record-Routes even from the arrival socket, is not "
            "served)");
        return -1;
    }
    rr_slot_ = host->msgctx->slot_register(self, destroy_rr_state);
    if (rr_slot_ < 0) {
        std::snprintf(err, err_size, "no per-message slot for add_rr_param");
        return -1;
    }
    if (host->api_export(self, SIPHOST_RR_API_NAME, SIPHOST_RR_API_MAJOR, &api) != 0) {
        std::snprintf(err, err_size, "cannot publish the rr API");
        return -1;
    }
    return 0;
}

constexpr uint32_t record_route_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_BRANCH | SIPHOST_ROUTE_FAILURE;

const siphost_command commands[] = {
    sdk::command("record_route", record_route_routes, sdk::guarded<&cmd_record_route>, {}, nullptr, nullptr,
                 "adds a Record-Route naming this proxy"),
    sdk::command("record_route", record_route_routes, sdk::guarded<&cmd_record_route_params>,
                 {SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "adds a Record-Route naming this proxy, with extra parameters"),
    sdk::command("add_rr_param", record_route_routes, sdk::guarded<&cmd_add_rr_param>, {SIPHOST_ARG_STRING},
                 nullptr, nullptr, "adds a parameter to the Record-Route URI record_route() writes"),
    sdk::command("loose_route", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_loose_route>, {}, nullptr, nullptr,
                 "routes a request by its Route headers (RFC 3261 16.4, 16.12)"),
    sdk::command("check_route_param", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_check_route_param>,
                 {SIPHOST_ARG_STRING}, sdk::fixup<&fix_check_route_param>,
                 sdk::free_call_data<route_param_regex>,
                 "the parameters of this proxy's Route match a regular expression"),
    sdk::command("is_direction", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_is_direction>, {SIPHOST_ARG_STRING},
                 sdk::fixup<&fix_direction>, sdk::free_call_data<int>,
                 "the in-dialog request flows downstream (from the caller) or upstream"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("append_fromtag", &append_fromtag_, "adds ;ftag=<From-tag> to Record-Route (default 1)"),
    sdk::int_param("enable_full_lr", &enable_full_lr_, "writes ;lr=on instead of ;lr (default 0)"),
    sdk::int_param(
        "enable_double_rr", &enable_double_rr_,
        "two Record-Routes when the request leaves from another socket than it came to (default 1)"),
    sdk::end_of_params(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("route_uri", SIPHOST_PV_NAME_NONE, get_route_uri, nullptr, nullptr, nullptr,
                         "the URI of the first Route header"),
    sdk::pseudo_variable("fti", SIPHOST_PV_NAME_NONE, get_fti, nullptr, nullptr, nullptr,
                         "the From tag of the dialog's first request (the To tag of an upstream request)"),
    sdk::pseudo_variable("tti", SIPHOST_PV_NAME_NONE, get_tti, nullptr, nullptr, nullptr,
                         "the To tag of the dialog's first request (the From tag of an upstream request)"),
    sdk::end_of_pvs(),
};

const siphost_module descriptor = sdk::module(module_name, "1.0", commands, params, pvs, init);

} // namespace
} // namespace siphost::modules::rr

SIPHOST_MODULE(siphost::modules::rr::descriptor)
