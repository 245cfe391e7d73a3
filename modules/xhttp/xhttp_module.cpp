// xhttp: a small HTTP/1.x server on the SIP TCP listeners (Kamailio's xhttp module).
//
//   event_route[xhttp:request]   runs for each HTTP request whose URL ($hu) passes url_skip and url_match
//   xhttp_reply(code, reason, ctype, body)   answers it on its connection
//   $hu                          the request target ("/RPC?x=1")
//
// The host frames HTTP requests on TCP (no Content-Length means no body), parses them with the SIP parser
// (see http_request.hpp) and offers them to the pre-script request hooks only, never to request_route: this
// module's hook takes them. A request the route leaves unanswered gets 500, one no route takes gets the
// host's 404. The "xhttp" API (include/siphost/api/xhttp.h) lets other modules reply (jsonrpc_dispatch).
#include "http_request.hpp"

#include <siphost/api/xhttp.h>
#include <siphost/module.hpp>

#include <regex.h>

#include <optional>
#include <string>
#include <string_view>

namespace siphost::modules::xhttp {
namespace {

const char module_name[] = "xhttp";

// modparams
const char* url_skip_ = nullptr;
const char* url_match_ = nullptr;
const char* event_callback_ = nullptr;

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
int route_id_ = -1;

/// A compiled POSIX extended regular expression (as Kamailio's url_skip and url_match).
class url_filter {
public:
    url_filter() = default;
    url_filter(const url_filter&) = delete;
    url_filter& operator=(const url_filter&) = delete;
    ~url_filter() { reset(); }

    void compile(const char* name, const char* pattern) {
        reset();
        if (pattern == nullptr || *pattern == '\0')
            return;
        int rc = regcomp(&regex_, pattern, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, &regex_, why, sizeof why);
            throw sdk::config_error(std::string(name) + " '" + pattern + "': " + why);
        }
        set_ = true;
    }
    bool set() const { return set_; }
    bool matches(const std::string& text) const { return regexec(&regex_, text.c_str(), 0, nullptr, 0) == 0; }
    void reset() {
        if (set_)
            regfree(&regex_);
        set_ = false;
    }

private:
    regex_t regex_{};
    bool set_ = false;
};

url_filter skip_;
url_filter match_;

/// The request this worker is running event_route[xhttp:request] for, and whether it was answered.
struct serving {
    siphost_msg* msg = nullptr;
    bool replied = false;
};
thread_local serving serving_;

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

std::optional<std::string> url_of(const siphost_msg* msg) {
    return http_url(sdk::view(host_->msg_original_ruri(msg)));
}

int reply(siphost_msg* msg, int code, siphost_str reason, siphost_str ctype, siphost_str body) {
    return sdk::guard(-1, [&] {
        if (msg == nullptr || code < 100 || code > 599 || !url_of(msg))
            return -1;
        siphost_dest to{};
        to.struct_size = sizeof to;
        if (host_->msg_source(msg, &to) != 0 ||
            (to.proto != SIPHOST_PROTO_TCP && to.proto != SIPHOST_PROTO_TLS) || to.conn_id == 0)
            return -1;
        to.flags |= SIPHOST_DEST_NO_CONNECT;
        std::string bytes = http_reply(code, sdk::view(reason), sdk::view(ctype), sdk::view(body));
        if (host_->send(&to, sdk::str(bytes)) != 0) {
            log(SIPHOST_LOG_ERR, "cannot send the HTTP reply: the connection is gone");
            return -1;
        }
        if (serving_.msg == msg)
            serving_.replied = true;
        return 1;
    });
}

int answered(siphost_msg* msg) {
    if (msg == nullptr || serving_.msg != msg)
        return -1;
    serving_.replied = true;
    return 1;
}

const siphost_xhttp_api_v1 api = {sizeof(siphost_xhttp_api_v1), reply, answered};

int on_request(siphost_msg* msg, void*) {
    return sdk::guard(SIPHOST_HOOK_CONTINUE, [&] {
        std::optional<std::string> url = url_of(msg);
        if (!url)
            return SIPHOST_HOOK_CONTINUE;
        if (skip_.set() && skip_.matches(*url))
            return SIPHOST_HOOK_CONTINUE;
        if (match_.set() && !match_.matches(*url))
            return SIPHOST_HOOK_CONTINUE;
        if (route_id_ < 0)
            return SIPHOST_HOOK_CONTINUE;
        serving outer = serving_;
        serving_ = {msg, false};
        int result = host_->events->run(route_id_, msg);
        bool replied = serving_.replied;
        serving_ = outer;
        if (result == SIPHOST_ROUTE_NOT_FOUND)
            return SIPHOST_HOOK_CONTINUE;
        if (!replied) {
            log(SIPHOST_LOG_WARN, "event_route[xhttp:request] sent no reply to " + *url + ": answering 500");
            reply(msg, 500, sdk::str("Server Error"), sdk::str(""), sdk::str(""));
        }
        return SIPHOST_HOOK_CONSUMED;
    });
}

int cmd_xhttp_reply(siphost_msg* msg, const siphost_value* args, void*) {
    if (!url_of(msg)) {
        log(SIPHOST_LOG_ERR, "xhttp_reply: the message is not an HTTP request");
        return -1;
    }
    return reply(msg, static_cast<int>(args[0].num), sdk::str(sdk::arg_view(args[1])),
                 sdk::str(sdk::arg_view(args[2])), sdk::str(sdk::arg_view(args[3])));
}

thread_local std::string hu_value_;

int get_hu(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    auto url = url_of(msg);
    if (!url) {
        *out = sdk::null_value();
        return 0;
    }
    hu_value_ = std::move(*url);
    *out = sdk::str_value(hu_value_);
    return 0;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        self_ = self;
        if (host->events == nullptr)
            throw sdk::config_error("this host cannot run event routes");
        skip_.compile("url_skip", url_skip_);
        match_.compile("url_match", url_match_);
        if (event_callback_ != nullptr && *event_callback_ != '\0')
            log(SIPHOST_LOG_WARN, "event_callback is for KEMI scripts, which siphost does not run: ignored");
        constexpr std::string_view event = "xhttp:request";
        route_id_ = host->events->lookup(self, sdk::str(event));
        if (route_id_ < 0)
            log(SIPHOST_LOG_WARN, "the config has no event_route[xhttp:request]: HTTP requests get 404");
        if (host->register_request_hook(SIPHOST_HOOK_PRE_SCRIPT, on_request, nullptr) != 0)
            throw sdk::config_error("cannot register the HTTP request hook");
        if (host->api_export(self, SIPHOST_XHTTP_API_NAME, SIPHOST_XHTTP_API_MAJOR, &api) != 0)
            throw sdk::config_error("cannot publish the xhttp API");
        return 0;
    });
}

void destroy() {
    skip_.reset();
    match_.reset();
}

const siphost_command commands[] = {
    sdk::command("xhttp_reply", SIPHOST_ROUTE_EVENT, sdk::guarded<&cmd_xhttp_reply>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr,
                 nullptr, "answers the HTTP request: code, reason, content type, body"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::string_param("url_skip", &url_skip_, "regex: matching URLs do not run the event route"),
    sdk::string_param("url_match", &url_match_, "regex: only matching URLs run the event route"),
    sdk::string_param("event_callback", &event_callback_, "KEMI function (not used by siphost)"),
    sdk::end_of_params(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("hu", 0, get_hu, nullptr, nullptr, nullptr, "the HTTP request's URL"),
    sdk::end_of_pvs(),
};

const siphost_event events[] = {
    sdk::event("xhttp:request", SIPHOST_ROUTE_EVENT, 0, "an HTTP request arrived on a TCP listener"),
    sdk::end_of_events(),
};

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .pvs = pvs,
                                               .events = events,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::xhttp

SIPHOST_MODULE(siphost::modules::xhttp::descriptor)
