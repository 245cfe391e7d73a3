// corex: Kamailio's corex module, the parts this host can do honestly.
//
//   append_branch(uri, q)          a target with a q value ("0.5"); append_branch() and append_branch(uri)
//                                  are the host's core functions
//   send_udp([host[:port]]), send_tcp([host[:port]])
//                                  sends the message as received (no Via added, no change applied) to
//                                  host:port, by default to $du, else to the Request-URI
//   send_data(uri, data)           sends data to the URI's address over its transport
//   file_read(path, var)           var = the file's content
//   file_write(path, content)      writes content into the file (replacing it)
//   is_faked_msg()                 the message is the host's stand-in request of an event route
//   has_ruri_user()                the Request-URI has a user part
//   has_user_agent()               the message has a User-Agent header
//
// Left out, since they need host support the ABI does not give a module: sendx, set_send_socket(_name),
// set_recv_socket(_name), set_source_address and is_socket_name (no way to find a listening socket by
// name or address), setxflag/resetxflag/isxflagset and msg_iflag_* (no per-message flag storage that a
// transaction keeps), via_add_srvid/via_add_xavp_params/via_use_xavp_fields (the host builds the Via),
// forward_reply, is_incoming and event_route[network:msg] (no network I/O interception), the modparams
// alias_subdomains and dns_cache, and the RPCs corex.list_sockets, corex.list_aliases and the memory dumps.
//
//   RPC: corex.debug [level]       the global log level ("debug"), set first when a level is given; needs the
//                                  host's core settings (ABI 1.2); the module itself requires 1.1
#define SIPHOST_REQUIRE_MINOR 1
#include <siphost/module.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace siphost::modules::corex {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

// ---- append_branch(uri, q) ----

/// A q value as SIP writes it ("1", "0.5", "0.125", "1.0") in thousandths; false when it is not one.
bool parse_q(std::string_view text, int32_t& q) {
    text = sdk::trim(text);
    if (text.empty() || (text[0] != '0' && text[0] != '1'))
        return false;
    int32_t whole = text[0] - '0';
    int32_t thousandths = 0;
    if (text.size() > 1) {
        if (text[1] != '.' || text.size() > 5)
            return false;
        int32_t scale = 100;
        for (char c : text.substr(2)) {
            if (c < '0' || c > '9')
                return false;
            thousandths += (c - '0') * scale;
            scale /= 10;
        }
    }
    q = whole * 1000 + thousandths;
    return q <= 1000;
}

int fix_append_branch(const siphost_value* args, const int* constant, void**, char* err, size_t err_size) {
    int32_t q = 0;
    if (constant[1] && !parse_q(sdk::arg_view(args[1]), q)) {
        sdk::write_error(err, err_size,
                         "'" + std::string(sdk::arg_view(args[1])) +
                             "' is not a q value (0 to 1, e.g. \"0.5\")");
        return -1;
    }
    return 0;
}

int cmd_append_branch(siphost_msg* msg, const siphost_value* args, void*) {
    siphost_branch branch = sdk::sized<siphost_branch>();
    branch.uri = args[0].str;
    if (!parse_q(sdk::arg_view(args[1]), branch.q)) {
        log(SIPHOST_LOG_ERR, "append_branch: '" + std::string(sdk::arg_view(args[1])) + "' is not a q value");
        return -1;
    }
    branch.info = SIPHOST_BRANCH_Q_SET;
    // As Kamailio's: the target also takes the message's $du, branch flags and forced socket. With a URI they
    // stay on the message; an empty one makes a target of the current Request-URI and moves them into it.
    bool moves = branch.uri.len == 0;
    if (moves && !SIPHOST_HAS(siphost_host_api, host_, msg_set_send_socket)) {
        log(SIPHOST_LOG_ERR, "append_branch: an empty URI needs a siphost host of ABI 1.6 or later");
        return -1;
    }
    if (moves)
        branch.uri = host_->msg_ruri(msg);
    if (branch.uri.len == 0)
        return -1;
    branch.dst_uri = host_->msg_dst_uri(msg);
    uint64_t flags = 0;
    bool has_flags = SIPHOST_HAS(siphost_msgctx_api, host_->msgctx, branch_flags);
    if (has_flags && host_->msgctx->branch_flags(msg, 0, &flags) == 0)
        branch.flags = flags;
    if (SIPHOST_HAS(siphost_host_api, host_, msg_send_socket))
        branch.socket = host_->msg_send_socket(msg);
    if (host_->msgctx->append_branch(msg, &branch) < 0)
        return -1;
    // The strings were copied into the target, so the message's own may change now.
    if (moves && (host_->msg_set_dst_uri(msg, siphost_str{nullptr, 0}) != 0 ||
                  (has_flags && host_->msgctx->set_branch_flags(msg, 0, 0) != 0) ||
                  host_->msg_set_send_socket(msg, nullptr) != 0))
        return -1;
    return 1;
}

// ---- send_udp, send_tcp, send_data ----

/// The message's bytes, unchanged, to host:port (or $du, else the Request-URI) over proto.
int send_raw(siphost_msg* msg, const siphost_value* target, uint8_t proto) {
    std::string_view host;
    uint16_t port = 0;
    if (target != nullptr) {
        if (!sdk::split_host_port(sdk::arg_view(*target), host, port)) {
            log(SIPHOST_LOG_ERR, "'" + std::string(sdk::arg_view(*target)) + "' is not host[:port]");
            return -1;
        }
    } else {
        std::string_view uri = sdk::view(host_->msg_dst_uri(msg));
        if (uri.empty())
            uri = sdk::view(host_->msg_ruri(msg));
        siphost_uri parsed;
        if (uri.empty() || !sdk::parse_uri(host_, uri, parsed) || parsed.host.len == 0) {
            log(SIPHOST_LOG_ERR, "no destination: neither $du nor the Request-URI is a SIP URI");
            return -1;
        }
        host = sdk::view(parsed.host);
        port = parsed.port;
    }
    siphost_dest dest = sdk::sized<siphost_dest>();
    dest.proto = proto;
    if (host_->resolve(sdk::str(host), port, &dest) != 0)
        return -1;
    return host_->send(&dest, host_->msg_raw(msg)) == 0 ? 1 : -1;
}

int cmd_send_udp(siphost_msg* msg, const siphost_value*, void*) {
    return send_raw(msg, nullptr, SIPHOST_PROTO_UDP);
}
int cmd_send_udp_to(siphost_msg* msg, const siphost_value* args, void*) {
    return send_raw(msg, &args[0], SIPHOST_PROTO_UDP);
}
int cmd_send_tcp(siphost_msg* msg, const siphost_value*, void*) {
    return send_raw(msg, nullptr, SIPHOST_PROTO_TCP);
}
int cmd_send_tcp_to(siphost_msg* msg, const siphost_value* args, void*) {
    return send_raw(msg, &args[0], SIPHOST_PROTO_TCP);
}

bool is_sip_uri(std::string_view text) {
    siphost_uri parsed;
    return sdk::parse_uri(host_, text, parsed) &&
           (parsed.scheme == SIPHOST_URI_SIP || parsed.scheme == SIPHOST_URI_SIPS) && parsed.host.len > 0;
}

int fix_send_data(const siphost_value* args, const int* constant, void**, char* err, size_t err_size) {
    if (constant[0] && !is_sip_uri(sdk::arg_view(args[0]))) {
        sdk::write_error(err, err_size, "'" + std::string(sdk::arg_view(args[0])) + "' is not a SIP URI");
        return -1;
    }
    return 0;
}

int cmd_send_data(siphost_msg*, const siphost_value* args, void*) {
    std::string_view uri = sdk::arg_view(args[0]);
    if (!is_sip_uri(uri)) {
        log(SIPHOST_LOG_ERR, "send_data: '" + std::string(uri) + "' is not a SIP URI");
        return -1;
    }
    siphost_dest dest = sdk::sized<siphost_dest>();
    if (host_->resolve(sdk::str(uri), 0, &dest) != 0)
        return -1;
    return host_->send(&dest, args[1].str) == 0 ? 1 : -1;
}

// ---- file_read, file_write ----

/// A file_read call site: the variable written, parsed once.
std::unique_ptr<sdk::parsed_pv> fix_file_read(const siphost_value* args, const int*) {
    return std::make_unique<sdk::parsed_pv>(host_, sdk::arg_view(args[1]));
}

/// Closes a FILE* when it goes out of scope.
struct file_closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

int cmd_file_read(siphost_msg* msg, const siphost_value* args, void* data) {
    std::string path(sdk::arg_view(args[0]));
    file_ptr file(std::fopen(path.c_str(), "rb"));
    if (!file) {
        log(SIPHOST_LOG_ERR, "file_read: cannot open '" + path + "': " + std::strerror(errno));
        return -1;
    }
    std::string content;
    char chunk[4096];
    size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0)
        content.append(chunk, n);
    if (std::ferror(file.get())) {
        log(SIPHOST_LOG_ERR, "file_read: cannot read '" + path + "'");
        return -1;
    }
    siphost_value value = sdk::str_value(content);
    return static_cast<const sdk::parsed_pv*>(data)->set(msg, &value) == 0 ? 1 : -1;
}

int cmd_file_write(siphost_msg*, const siphost_value* args, void*) {
    std::string path(sdk::arg_view(args[0]));
    file_ptr file(std::fopen(path.c_str(), "wb"));
    if (!file) {
        log(SIPHOST_LOG_ERR, "file_write: cannot open '" + path + "': " + std::strerror(errno));
        return -1;
    }
    std::string_view content = sdk::arg_view(args[1]);
    if (std::fwrite(content.data(), 1, content.size(), file.get()) != content.size() ||
        std::fflush(file.get()) != 0) {
        log(SIPHOST_LOG_ERR, "file_write: cannot write '" + path + "': " + std::strerror(errno));
        return -1;
    }
    return 1;
}

// ---- tests on the message ----

int cmd_is_faked_msg(siphost_msg* msg, const siphost_value*, void*) {
    // The stand-in request of an event route is the only message a command sees that arrived on no socket.
    return host_->msg_socket(msg) == nullptr ? 1 : -1;
}

int cmd_has_ruri_user(siphost_msg* msg, const siphost_value*, void*) {
    siphost_uri parsed;
    if (!host_->msg_is_request(msg) || !sdk::parse_uri(host_, sdk::view(host_->msg_ruri(msg)), parsed))
        return -1;
    return parsed.user.len > 0 ? 1 : -1;
}

int cmd_has_user_agent(siphost_msg* msg, const siphost_value*, void*) {
    bool found = false;
    sdk::header(host_, msg, "User-Agent", 0, &found);
    return found ? 1 : -1;
}

// ---- RPC ----

/// Kamailio's replies: {debug: N} when read, {old: N, new: N} when set.
void rpc_debug(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    if (!SIPHOST_HAS(siphost_host_api, host_, core_setting_get) ||
        !SIPHOST_HAS(siphost_host_api, host_, core_setting_set)) {
        rpc->fault(call, 500, sdk::str("the log level is not reachable: the host's ABI is older than 1.2"));
        return;
    }
    const siphost_str name = sdk::str("debug");
    siphost_value current = sdk::null_value();
    if (host_->core_setting_get(name, &current) != 0 || current.kind != SIPHOST_VALUE_INT) {
        rpc->fault(call, 500, sdk::str("the host has no log level setting"));
        return;
    }
    int64_t old_level = current.num;
    if (rpc->param_count(call) == 0) {
        siphost_rpc_node* reply = rpc->add_struct(rpc->result(call), nullptr);
        if (reply != nullptr)
            rpc->add_int(reply, "debug", old_level);
        return;
    }
    siphost_value given = sdk::null_value();
    int64_t level = 0;
    if (rpc->param(call, 0, &given) != 0 || !sdk::arg_int(given, level)) {
        rpc->fault(call, 400, sdk::str("the log level must be an integer"));
        return;
    }
    siphost_value value = sdk::int_value(level);
    char err[200] = "";
    if (host_->core_setting_set(name, &value, err, sizeof err) != 0) {
        rpc->fault(call, 400, sdk::str(err));
        return;
    }
    siphost_rpc_node* reply = rpc->add_struct(rpc->result(call), nullptr);
    if (reply != nullptr) {
        rpc->add_int(reply, "old", old_level);
        rpc->add_int(reply, "new", level);
    }
}

int init(const siphost_host_api* host, siphost_module_handle* self, char*, size_t) {
    host_ = host;
    self_ = self;
    return 0;
}

void destroy() {
    host_ = nullptr;
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
constexpr uint32_t request_failure = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE;
constexpr auto S = SIPHOST_ARG_STRING;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("append_branch", request_failure, guarded<&cmd_append_branch>, {S, S}, fix_append_branch, nullptr,
            "adds a target with a q value to the destination set"),
    command("send_udp", request_failure, guarded<&cmd_send_udp>, {}, nullptr, nullptr,
            "sends the message as received over UDP to $du or the Request-URI"),
    command("send_udp", request_failure, guarded<&cmd_send_udp_to>, {S}, nullptr, nullptr,
            "sends the message as received over UDP to host[:port]"),
    command("send_tcp", request_failure, guarded<&cmd_send_tcp>, {}, nullptr, nullptr,
            "sends the message as received over TCP to $du or the Request-URI"),
    command("send_tcp", request_failure, guarded<&cmd_send_tcp_to>, {S}, nullptr, nullptr,
            "sends the message as received over TCP to host[:port]"),
    command("send_data", any, guarded<&cmd_send_data>, {S, S}, fix_send_data, nullptr,
            "sends data to the address of a SIP URI"),
    command("file_read", any, guarded<&cmd_file_read>, {S, SIPHOST_ARG_PVAR}, sdk::fixup<&fix_file_read>,
            sdk::free_call_data<sdk::parsed_pv>, "reads a file into a variable"),
    command("file_write", any, guarded<&cmd_file_write>, {S, S}, nullptr, nullptr, "writes text into a file"),
    command("is_faked_msg", any, guarded<&cmd_is_faked_msg>, {}, nullptr, nullptr,
            "the message is an event route's stand-in request"),
    command("has_ruri_user", any, guarded<&cmd_has_ruri_user>, {}, nullptr, nullptr,
            "the Request-URI has a user part"),
    command("has_user_agent", any, guarded<&cmd_has_user_agent>, {}, nullptr, nullptr,
            "the message has a User-Agent header"),
    sdk::end_of_commands(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("corex.debug", rpc_debug, "Get or set the global log level (the core parameter debug).", "d"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = "corex",
                                               .version = "1.0",
                                               .commands = commands,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::corex

SIPHOST_MODULE(siphost::modules::corex::descriptor)
