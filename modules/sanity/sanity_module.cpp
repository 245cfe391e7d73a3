// sanity: syntax checks of requests (Kamailio's sanity module).
//
//   sanity_check()                          the checks of modparam default_checks
//   sanity_check(msg_checks)                the checks whose bits are set (request_checker.hpp)
//   sanity_check(msg_checks, uri_checks)    and the URIs that the "parse uris" check (1024) covers
//   sanity_reply()                          sends the reply a failed check held back (modparam noreply)
//
// A failed check is answered through sl (the "sl" API) with Kamailio's code and reason, unless the request
// lacks what a reply needs or noreply is set; then sanity_check returns -1, or 0 with autodrop (the script
// ends). Parameters: default_checks (3047), uri_checks (7), proxy_require (""), autodrop (1), noreply (0).
#include "request_checker.hpp"

#include <siphost/api/sl.h>
#include <siphost/module.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::modules::sanity {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
const siphost_sl_api_v1* sl_ = nullptr;
int reply_slot_ = -1;
std::optional<request_checker> checker_;

int32_t default_checks_ = 3047;
int32_t uri_checks_ = 7;
const char* proxy_require_ = nullptr;
int32_t autodrop_ = 1;
int32_t noreply_ = 0;

/// The reply a failed check held back for sanity_reply() (modparam noreply).
struct held_reply {
    int code = 0;
    std::string reason;
    std::string extra_headers;
};

void destroy_held_reply(void* value) {
    std::unique_ptr<held_reply> owned(static_cast<held_reply*>(value));
}

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

/// The last space-separated word of the request line: its SIP version.
std::string_view request_line_version(std::string_view raw) {
    std::string_view line = raw.substr(0, raw.find('\n'));
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    line = sdk::trim(line);
    size_t space = line.find_last_of(" \t");
    return space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
}

/// What follows the empty line that ends the header block.
std::string_view received_body(std::string_view raw) {
    size_t end = raw.find("\r\n\r\n");
    if (end != std::string_view::npos)
        return raw.substr(end + 4);
    end = raw.find("\n\n");
    return end == std::string_view::npos ? std::string_view() : raw.substr(end + 2);
}

void fill_view(const siphost_msg* msg, request_view& view) {
    std::string_view raw = sdk::view(host_->msg_raw(msg));
    view.is_request = host_->msg_is_request(msg) != 0;
    view.method = sdk::view(host_->msg_method(msg));
    view.version = view.is_request ? request_line_version(raw) : std::string_view();
    view.ruri = sdk::view(host_->msg_ruri(msg));
    view.headers.clear();
    siphost_str name{nullptr, 0}, value{nullptr, 0};
    for (size_t i = 0; host_->msg_header_at(msg, i, &name, &value) == 1; ++i)
        view.headers.push_back({sdk::view(name), sdk::trim(sdk::view(value))});
    view.body = received_body(raw);
    siphost_str via_host{nullptr, 0};
    uint16_t via_port = 0;
    view.via1_parsed = host_->msg_via_sent_by(msg, 0, &via_host, &via_port) == 0;
    view.via1_host = sdk::view(via_host);
}

int send_reply(siphost_msg* msg, int code, std::string_view reason, std::string_view extra_headers) {
    if (sl_ == nullptr)
        return -1;
    return sl_->reply_with(msg, code, sdk::str(reason), sdk::str(extra_headers), siphost_str{nullptr, 0});
}

/// Keeps the reply for sanity_reply(); a later failed check on the same message replaces it.
void hold_reply(siphost_msg* msg, const check_outcome& outcome) {
    auto held = std::make_unique<held_reply>();
    held->code = outcome.code;
    held->reason = outcome.reason;
    held->extra_headers = outcome.extra_headers;
    if (host_->msgctx->slot_set(msg, reply_slot_, held.get()) == 0)
        held.release(); // the message owns it now
}

int run_checks(siphost_msg* msg, uint32_t msg_checks, uint32_t uri_checks) {
    thread_local request_view view;
    fill_view(msg, view);
    check_outcome outcome = checker_->check(view, msg_checks, uri_checks);
    if (outcome.failed == 0)
        return 1;
    if (host_->log_enabled(SIPHOST_LOG_WARN)) {
        std::string line = "check \"";
        line.append(check_name(outcome.failed)).append("\" failed: ").append(outcome.detail);
        if (outcome.code != 0)
            line.append(" (")
                .append(std::to_string(outcome.code))
                .append(" ")
                .append(outcome.reason)
                .append(")");
        log(SIPHOST_LOG_WARN, line);
    }
    // Replies only answer requests other than ACK, and a request without what a reply is built from gets
    // none.
    if (outcome.code != 0 && view.is_request && view.method != "ACK") {
        if (noreply_ != 0)
            hold_reply(msg, outcome);
        else if (send_reply(msg, outcome.code, outcome.reason, outcome.extra_headers) < 0)
            log(SIPHOST_LOG_ERR, "failed to send the " + std::to_string(outcome.code) + " reply");
    }
    return autodrop_ != 0 ? 0 : -1;
}

// ---- arguments ----
//
// Strings, not SIPHOST_ARG_INT: Kamailio's scripts pass the bits as "$var(checks)" as well as "17895", and
// the host's integer arguments take no pseudo-variables inside quotes. A constant is checked when the config
// is read; a variable when the call runs.

bool valid_msg_checks(int64_t v) {
    return v >= 1 && v <= static_cast<int64_t>(all_checks);
}
bool valid_uri_checks(int64_t v) {
    return v >= 1 && v <= static_cast<int64_t>(all_uris);
}

std::unique_ptr<int> fix_checks(const siphost_value* args, const int* constant, size_t count) {
    int64_t value = 0;
    if (count >= 1 && constant[0] && (!sdk::arg_int(args[0], value) || !valid_msg_checks(value)))
        throw sdk::config_error("msg_checks must be a sum of check bits from 1 to 32767");
    if (count >= 2 && constant[1] && (!sdk::arg_int(args[1], value) || !valid_uri_checks(value)))
        throw sdk::config_error("uri_checks must be a sum of URI bits from 1 to 15");
    return nullptr;
}
std::unique_ptr<int> fix_checks_1(const siphost_value* args, const int* constant) {
    return fix_checks(args, constant, 1);
}
std::unique_ptr<int> fix_checks_2(const siphost_value* args, const int* constant) {
    return fix_checks(args, constant, 2);
}

/// A variable argument out of range is the script's error: false, as Kamailio answers it.
bool runtime_checks(const siphost_value& arg, bool (*valid)(int64_t), uint32_t& out) {
    int64_t value = 0;
    if (!sdk::arg_int(arg, value) || !valid(value)) {
        log(SIPHOST_LOG_ERR, "sanity_check(): argument out of range");
        return false;
    }
    out = static_cast<uint32_t>(value);
    return true;
}

// ---- script commands ----

int cmd_sanity_check_0(siphost_msg* msg, const siphost_value*, void*) {
    return run_checks(msg, static_cast<uint32_t>(default_checks_), static_cast<uint32_t>(uri_checks_));
}

int cmd_sanity_check_1(siphost_msg* msg, const siphost_value* args, void*) {
    uint32_t checks = 0;
    if (!runtime_checks(args[0], valid_msg_checks, checks))
        return -1;
    return run_checks(msg, checks, static_cast<uint32_t>(uri_checks_));
}

int cmd_sanity_check_2(siphost_msg* msg, const siphost_value* args, void*) {
    uint32_t checks = 0, uris = 0;
    if (!runtime_checks(args[0], valid_msg_checks, checks) ||
        !runtime_checks(args[1], valid_uri_checks, uris))
        return -1;
    return run_checks(msg, checks, uris);
}

int cmd_sanity_reply(siphost_msg* msg, const siphost_value*, void*) {
    const auto* held = static_cast<const held_reply*>(host_->msgctx->slot_get(msg, reply_slot_));
    if (held == nullptr) {
        log(SIPHOST_LOG_WARN, "sanity_reply(): no failed check to answer; sending 500");
        return send_reply(msg, 500, "Server Sanity Failure", {}) > 0 ? 1 : -1;
    }
    return send_reply(msg, held->code, held->reason, held->extra_headers) > 0 ? 1 : -1;
}

// ---- lifecycle ----

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        self_ = self;
        if (!valid_msg_checks(default_checks_))
            throw sdk::config_error("default_checks must be a sum of check bits from 1 to 32767");
        if (!valid_uri_checks(uri_checks_))
            throw sdk::config_error("uri_checks must be a sum of URI bits from 1 to 15");
        if (autodrop_ != 0 && autodrop_ != 1)
            throw sdk::config_error("autodrop must be 0 or 1");
        if (noreply_ != 0 && noreply_ != 1)
            throw sdk::config_error("noreply must be 0 or 1");
        sl_ = static_cast<const siphost_sl_api_v1*>(
            host->api_lookup(SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR));
        if (sl_ == nullptr || !SIPHOST_HAS(siphost_sl_api_v1, sl_, reply_with))
            throw sdk::config_error("the \"sl\" API is not there: load sl before sanity");
        reply_slot_ = host->msgctx->slot_register(self, destroy_held_reply);
        if (reply_slot_ < 0)
            throw sdk::config_error("cannot reserve a per-message slot");
        checker_.emplace(host->sip, request_checker::split_extensions(proxy_require_ ? proxy_require_ : ""));
        return 0;
    });
}

void destroy() {
    checker_.reset();
}

constexpr uint32_t check_routes =
    SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_TM_ONREPLY;

const siphost_command commands[] = {
    sdk::command("sanity_check", check_routes, sdk::guarded<&cmd_sanity_check_0>, {}, nullptr, nullptr,
                 "runs the checks of modparam default_checks"),
    sdk::command("sanity_check", check_routes, sdk::guarded<&cmd_sanity_check_1>, {SIPHOST_ARG_STRING},
                 sdk::fixup<&fix_checks_1>, nullptr, "runs the checks whose bits are given"),
    sdk::command("sanity_check", check_routes, sdk::guarded<&cmd_sanity_check_2>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_checks_2>, nullptr,
                 "runs the checks whose bits are given, with the URIs of the second bits"),
    sdk::command("sanity_reply", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_sanity_reply>, {}, nullptr, nullptr,
                 "sends the reply a failed check held back (modparam noreply)"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("default_checks", &default_checks_, "checks of sanity_check() without arguments (3047)"),
    sdk::int_param("uri_checks", &uri_checks_, "URIs the parse-uris check covers by default (7)"),
    sdk::string_param("proxy_require", &proxy_require_, "supported extensions, comma-separated"),
    sdk::int_param("autodrop", &autodrop_, "1: a failed check ends the script (0 returned)"),
    sdk::int_param("noreply", &noreply_, "1: no reply is sent; sanity_reply() sends it"),
    sdk::end_of_params(),
};

const char* const depends[] = {"sl", nullptr};

const siphost_module descriptor = sdk::module({.name = "sanity",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .depends = depends,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::sanity

SIPHOST_MODULE(siphost::modules::sanity::descriptor)
