// jsonrpcs: JSON-RPC 2.0 server for the host's RPC commands (Kamailio's jsonrpcs module), so that kamctl's
// RPC engine and other JSON-RPC clients drive siphost.
//
//   transports   FIFO (fifo_name, reply FIFOs in fifo_reply_dir) and unix datagram (dgram_socket), chosen
//                with `transport` (1 HTTP through xhttp, 2 FIFO, 4 datagram, a sum, 0 all)
//   jsonrpc_dispatch()  serves the JSON-RPC request in the body of an HTTP request, in
//                       event_route[xhttp:request], replying through xhttp's API (transport 1 or 0)
//   jsonrpc_exec(cmd)   runs a JSON-RPC document from the script; $jsonrpl(code|text|body) read the reply
//
// Requests are served on the host's slow timer thread (an fd watch per transport, plus a periodic poll that
// also drops requests left incomplete), never on a SIP worker; jsonrpc_exec runs on the worker of its
// message.
#include "dgram_server.hpp"
#include "fifo_server.hpp"
#include "rpc_dispatcher.hpp"

#include <siphost/api/xhttp.h>
#include <siphost/module.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::modules::jsonrpcs {
namespace {

const char module_name[] = "jsonrpcs";

/// Where relative fifo_name and dgram_socket paths go: Kamailio's default run_dir.
const char run_dir[] = "/run/kamailio/";

enum transport_bits : int32_t { transport_http = 1, transport_fifo = 2, transport_dgram = 4 };

// modparams
int32_t pretty_format_ = 1;
int32_t transport_ = transport_fifo | transport_dgram;
const char* fifo_name_ = "kamailio_rpc.fifo";
int32_t fifo_mode_ = 0600;
std::string fifo_user_;
std::string fifo_group_;
const char* fifo_reply_dir_ = "/tmp/";
const char* dgram_socket_ = "kamailio_rpc.sock";
int32_t dgram_workers_ = 1;
int32_t dgram_mode_ = 0600;
std::string dgram_user_;
std::string dgram_group_;
int32_t dgram_timeout_ = 2000;

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
std::unique_ptr<rpc_dispatcher> dispatcher_;
std::unique_ptr<fifo_server> fifo_;
std::unique_ptr<dgram_server> dgram_;
siphost_fd_watch* fifo_watch_ = nullptr;
siphost_fd_watch* dgram_watch_ = nullptr;
const siphost_xhttp_api_v1* xhttp_ = nullptr; ///< found at the first jsonrpc_dispatch

/// The last jsonrpc_exec's reply on this thread, for $jsonrpl (Kamailio keeps it per process).
struct exec_reply {
    bool set = false;
    int64_t code = 0;
    std::string text;
    std::string body;
};
thread_local exec_reply last_exec_;

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

std::string absolute(const char* path) {
    std::string p = path == nullptr ? "" : path;
    if (p.empty() || p.front() == '/')
        return p;
    return run_dir + p;
}

int set_owner_param(const char* name, const siphost_value* value, char* err, size_t err_size) {
    std::string text =
        value->kind == SIPHOST_VALUE_INT ? std::to_string(value->num) : std::string(sdk::arg_view(*value));
    if (text.empty()) {
        sdk::write_error(err, err_size, std::string(name) + " must not be empty");
        return -1;
    }
    std::string_view param(name);
    bool is_user = param.ends_with("_user");
    if (is_user) {
        uid_t uid = 0;
        if (!resolve_user(text, uid)) {
            sdk::write_error(err, err_size, "no such user '" + text + "'");
            return -1;
        }
    } else {
        gid_t gid = 0;
        if (!resolve_group(text, gid)) {
            sdk::write_error(err, err_size, "no such group '" + text + "'");
            return -1;
        }
    }
    if (param == "fifo_user")
        fifo_user_ = text;
    else if (param == "fifo_group")
        fifo_group_ = text;
    else if (param == "dgram_user")
        dgram_user_ = text;
    else
        dgram_group_ = text;
    return 0;
}

void on_fifo_ready(int, uint32_t, void*) {
    try {
        fifo_->poll();
    } catch (...) {
        log(SIPHOST_LOG_ERR, "FIFO request failed: out of memory");
    }
}

void on_dgram_ready(int, uint32_t, void*) {
    try {
        dgram_->poll();
    } catch (...) {
        log(SIPHOST_LOG_ERR, "datagram request failed: out of memory");
    }
}

/// Catches what a lost wake-up would leave waiting, and drops FIFO requests left incomplete.
void on_tick(uint64_t, void*) {
    if (fifo_)
        on_fifo_ready(0, 0, nullptr);
    if (dgram_)
        on_dgram_ready(0, 0, nullptr);
}

json_limits limits() {
    return json_limits{};
}

bool start_fifo(std::string& error) {
    fifo_server::options opts;
    opts.path = absolute(fifo_name_);
    if (!socket_owner::valid_mode(fifo_mode_)) {
        error = "fifo_mode " + std::to_string(fifo_mode_) + " is not a file mode (write it in octal, e.g. 0660)";
        return false;
    }
    opts.owner.mode = fifo_mode_;
    opts.owner.user = fifo_user_;
    opts.owner.group = fifo_group_;
    opts.reply_dir = fifo_reply_dir_ == nullptr ? "/tmp/" : fifo_reply_dir_;
    opts.reply_timeout_ms = dgram_timeout_ > 0 ? static_cast<uint32_t>(dgram_timeout_) : 2000;
    opts.max_size = limits().max_size;
    fifo_ = std::make_unique<fifo_server>(
        opts,
        [](std::string_view document, std::string& reply, std::string& name) {
            dispatch_result result = dispatcher_->dispatch(document, pretty_format_ != 0);
            reply = std::move(result.body);
            name = std::move(result.reply_name);
        },
        [](int level, std::string_view text) { log(level, text); });
    if (!fifo_->open(error))
        return false;
    fifo_watch_ = host_->async->fd_watch(self_, fifo_->fd(), SIPHOST_FD_READ, on_fifo_ready, nullptr);
    if (fifo_watch_ == nullptr) {
        error = "cannot watch the FIFO";
        return false;
    }
    log(SIPHOST_LOG_INFO, "JSON-RPC over FIFO on " + opts.path);
    return true;
}

bool start_dgram(std::string& error) {
    std::string path(dgram_socket_ == nullptr ? "" : dgram_socket_);
    if (path.starts_with("udp:") || path.starts_with("tcp:")) {
        error = "dgram_socket '" + path + "': only unix socket paths are served";
        return false;
    }
    dgram_server::options opts;
    opts.path = absolute(dgram_socket_);
    if (!socket_owner::valid_mode(dgram_mode_)) {
        error = "dgram_mode " + std::to_string(dgram_mode_) + " is not a file mode (write it in octal, e.g. 0660)";
        return false;
    }
    opts.owner.mode = dgram_mode_;
    opts.owner.user = dgram_user_;
    opts.owner.group = dgram_group_;
    opts.timeout_ms = dgram_timeout_ > 0 ? static_cast<uint32_t>(dgram_timeout_) : 2000;
    dgram_ = std::make_unique<dgram_server>(
        opts,
        [](std::string_view document) { return dispatcher_->dispatch(document, pretty_format_ != 0).body; },
        [](size_t size) {
            return rpc_dispatcher::error_document(invalid_request,
                                                  "Request Too Large (" + std::to_string(size) + " bytes)",
                                                  pretty_format_ != 0);
        },
        [](int level, std::string_view text) { log(level, text); });
    if (!dgram_->open(error))
        return false;
    dgram_watch_ = host_->async->fd_watch(self_, dgram_->fd(), SIPHOST_FD_READ, on_dgram_ready, nullptr);
    if (dgram_watch_ == nullptr) {
        error = "cannot watch the datagram socket";
        return false;
    }
    log(SIPHOST_LOG_INFO, "JSON-RPC over datagrams on " + opts.path);
    return true;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        self_ = self;
        if (!SIPHOST_HAS(siphost_rpc_api, host->rpc, command_find) || host->async == nullptr)
            throw sdk::config_error("this host has no RPC calls for transports (ABI 1.1 needed)");
        if (transport_ < 0 || transport_ > 7)
            throw sdk::config_error("transport must be 0..7 (1 http, 2 fifo, 4 datagram, their sum)");
        if (dgram_workers_ < 1)
            throw sdk::config_error("dgram_workers must be at least 1");
        dispatcher_ = std::make_unique<rpc_dispatcher>(host->rpc, limits());
        int wanted = transport_ == 0 ? transport_fifo | transport_dgram : transport_;
        std::string error;
        if ((wanted & transport_fifo) != 0 && fifo_name_ != nullptr && *fifo_name_ != '\0' &&
            !start_fifo(error))
            throw sdk::config_error(error);
        if ((wanted & transport_dgram) != 0 && dgram_socket_ != nullptr && *dgram_socket_ != '\0' &&
            !start_dgram(error))
            throw sdk::config_error(error);
        if ((fifo_ || dgram_) && host->async->every(self, 200, SIPHOST_TIMER_SLOW, on_tick, nullptr) != 0)
            throw sdk::config_error("cannot start the transports' timer");
        return 0;
    });
}

void destroy() {
    if (host_ != nullptr && host_->async != nullptr) {
        host_->async->fd_unwatch(fifo_watch_);
        host_->async->fd_unwatch(dgram_watch_);
    }
    fifo_watch_ = nullptr;
    dgram_watch_ = nullptr;
    fifo_.reset();
    dgram_.reset();
    dispatcher_.reset();
}

// ---- jsonrpc_exec and $jsonrpl
// -----------------------------------------------------------------------------

int cmd_jsonrpc_exec(siphost_msg*, const siphost_value* args, void*) {
    if (!dispatcher_)
        return -1;
    dispatch_result result = dispatcher_->dispatch(sdk::arg_view(args[0]), pretty_format_ != 0);
    while (!result.body.empty() && result.body.back() == '\n')
        result.body.pop_back();
    last_exec_.set = true;
    last_exec_.code = result.code;
    last_exec_.text = std::move(result.text);
    last_exec_.body = std::move(result.body);
    // As Kamailio: a document that could not be read is false; a command's own error is a reply all the same.
    return result.code == parse_error || result.code == invalid_request ? -1 : 1;
}

int cmd_jsonrpc_dispatch(siphost_msg* msg, const siphost_value*, void*) {
    if (!dispatcher_)
        return -1;
    if (transport_ != 0 && (transport_ & transport_http) == 0) {
        log(SIPHOST_LOG_ERR, "jsonrpc_dispatch: the HTTP transport (1) is not enabled in 'transport'");
        return -1;
    }
    if (xhttp_ == nullptr) {
        const void* found = host_->api_lookup(SIPHOST_XHTTP_API_NAME, SIPHOST_XHTTP_API_MAJOR);
        xhttp_ = static_cast<const siphost_xhttp_api_v1*>(found);
        if (xhttp_ == nullptr || !SIPHOST_HAS(siphost_xhttp_api_v1, xhttp_, reply)) {
            xhttp_ = nullptr;
            log(SIPHOST_LOG_ERR, "jsonrpc_dispatch needs the xhttp module");
            return -1;
        }
    }
    dispatch_result result = dispatcher_->dispatch(sdk::view(host_->msg_body(msg)), pretty_format_ != 0);
    // As Kamailio: a command's fault code that is an HTTP status (500 "Method Not Found") is the reply's;
    // JSON-RPC's own negative codes travel in the body of a 200.
    bool http_status = result.code >= 100 && result.code <= 599;
    int code = http_status ? result.code : 200;
    std::string_view reason = http_status ? std::string_view(result.text) : std::string_view("OK");
    int sent =
        xhttp_->reply(msg, code, sdk::str(reason), sdk::str("application/json"), sdk::str(result.body));
    return sent == 1 ? 1 : -1;
}

enum class jsonrpl_key : uintptr_t { code = 1, text = 2, body = 3 };

int parse_jsonrpl(siphost_str inner, void** pv_data, char* err, size_t err_size) {
    std::string_view name = sdk::view(inner);
    jsonrpl_key key;
    if (name == "code")
        key = jsonrpl_key::code;
    else if (name == "text")
        key = jsonrpl_key::text;
    else if (name == "body")
        key = jsonrpl_key::body;
    else {
        sdk::write_error(err, err_size,
                         "unknown $jsonrpl key '" + std::string(name) + "' (code, text, body)");
        return -1;
    }
    *pv_data = reinterpret_cast<void*>(static_cast<uintptr_t>(key));
    return 0;
}

int get_jsonrpl(siphost_msg*, void* pv_data, int32_t, siphost_value* out) {
    if (!last_exec_.set) {
        *out = sdk::null_value();
        return 0;
    }
    switch (static_cast<jsonrpl_key>(reinterpret_cast<uintptr_t>(pv_data))) {
    case jsonrpl_key::code:
        *out = sdk::int_value(last_exec_.code);
        return 0;
    case jsonrpl_key::text:
        *out = sdk::str_value(last_exec_.text);
        return 0;
    case jsonrpl_key::body:
        *out = sdk::str_value(last_exec_.body);
        return 0;
    }
    return -1;
}

// ---- descriptor ----------------------------------------------------------------------------------------

const siphost_command commands[] = {
    sdk::command("jsonrpc_exec", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_jsonrpc_exec>, {SIPHOST_ARG_STRING},
                 nullptr, nullptr,
                 "runs a JSON-RPC document; the reply is read with $jsonrpl(code|text|body)"),
    sdk::command("jsonrpc_dispatch", SIPHOST_ROUTE_EVENT, sdk::guarded<&cmd_jsonrpc_dispatch>, {}, nullptr,
                 nullptr,
                 "serves the JSON-RPC request in an HTTP request's body (event_route[xhttp:request])"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("pretty_format", &pretty_format_, "indent replies (1, default) or not (0)"),
    sdk::int_param("transport", &transport_, "1 http (xhttp), 2 fifo, 4 datagram, a sum, 0 all (default 6)"),
    sdk::string_param("fifo_name", &fifo_name_, "the FIFO (relative: under /run/kamailio/); empty: no FIFO"),
    sdk::int_param("fifo_mode", &fifo_mode_, "the FIFO's permissions (default 0600)"),
    sdk::setter_param("fifo_user", SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING, set_owner_param,
                      "the FIFO's owner (name or uid)"),
    sdk::setter_param("fifo_group", SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING, set_owner_param,
                      "the FIFO's group (name or gid)"),
    sdk::string_param("fifo_reply_dir", &fifo_reply_dir_, "where reply FIFOs must be (default /tmp/)"),
    sdk::string_param("dgram_socket", &dgram_socket_,
                      "the unix datagram socket (relative: under /run/kamailio/); empty: none"),
    sdk::int_param("dgram_workers", &dgram_workers_, "accepted; requests are served on one thread"),
    sdk::int_param("dgram_mode", &dgram_mode_, "the socket's permissions (default 0600)"),
    sdk::setter_param("dgram_user", SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING, set_owner_param,
                      "the socket's owner (name or uid)"),
    sdk::setter_param("dgram_group", SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING, set_owner_param,
                      "the socket's group (name or gid)"),
    sdk::int_param("dgram_timeout", &dgram_timeout_, "ms a reply may wait for its reader (default 2000)"),
    sdk::end_of_params(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("jsonrpl", SIPHOST_PV_NAME_REQUIRED, get_jsonrpl, nullptr, parse_jsonrpl, nullptr,
                         "the last jsonrpc_exec reply: code, text, body"),
    sdk::end_of_pvs(),
};

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .pvs = pvs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::jsonrpcs

SIPHOST_MODULE(siphost::modules::jsonrpcs::descriptor)
