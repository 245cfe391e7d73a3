// Header-only C++ helpers for writing a siphost module against module.h.
//
// Nothing here crosses the ABI: the helpers build the C descriptor tables, read arguments, convert between
// siphost_str and std::string_view, stop exceptions at the boundary (a handler or fixup that throws is
// turned into an error code and, for fixups, a config error sentence), and give the host's functions a C++
// face. SIP text is parsed by the host (host->sip), never here, so that a module and the host agree on
// every URI.
//
//   const siphost_command commands[] = {
//       siphost::sdk::command("my_cmd", SIPHOST_ROUTE_REQUEST, siphost::sdk::guarded<&my_cmd>,
//                             {SIPHOST_ARG_STRING}, siphost::sdk::fixup<&fix_my_cmd>,
//                             siphost::sdk::free_call_data<my_call_data>, "does X"),
//       siphost::sdk::end_of_commands(),
//   };
#ifndef SIPHOST_MODULE_HPP
#define SIPHOST_MODULE_HPP

#include <siphost/module.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace siphost::sdk {

// ---- strings ---------------------------------------------------------------------------------------------

/// A view of a siphost_str (empty when s is NULL).
constexpr std::string_view view(siphost_str s) noexcept {
    return s.s == nullptr ? std::string_view() : std::string_view(s.s, s.len);
}

/// A siphost_str over a view; the view's storage must outlive its use.
constexpr siphost_str str(std::string_view v) noexcept {
    return siphost_str{v.data(), v.size()};
}

constexpr char ascii_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// ASCII case-insensitive equality (SIP header names, methods, parameter names).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return true;
}

/// Strips spaces and tabs at both ends.
constexpr std::string_view trim(std::string_view v) noexcept {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    return v;
}

/// Parses an unsigned decimal number that fills the whole view; false on anything else or overflow.
constexpr bool parse_uint(std::string_view v, uint64_t& out, uint64_t max = UINT64_MAX) noexcept {
    if (v.empty())
        return false;
    uint64_t value = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return false;
        uint64_t digit = static_cast<uint64_t>(c - '0');
        if (value > (max - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    out = value;
    return true;
}

/// Splits "host", "host:port", "[v6]" or "[v6]:port" (a bare IPv6 address has no port) into views of text;
/// port stays 0 when none is written. False when the host is empty or the port is not a number from 1 to 65535.
constexpr bool split_host_port(std::string_view text, std::string_view& host, uint16_t& port) noexcept {
    text = trim(text);
    port = 0;
    std::string_view rest;
    if (!text.empty() && text.front() == '[') {
        size_t close = text.find(']');
        if (close == std::string_view::npos)
            return false;
        host = text.substr(1, close - 1);
        rest = text.substr(close + 1);
    } else if (text.find(':') != text.rfind(':')) {
        host = text;
    } else {
        size_t colon = text.find(':');
        host = text.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
    }
    if (host.empty())
        return false;
    if (rest.empty())
        return true;
    uint64_t number = 0;
    if (rest.front() != ':' || !parse_uint(rest.substr(1), number, 65535) || number == 0)
        return false;
    port = static_cast<uint16_t>(number);
    return true;
}

// ---- arguments and values --------------------------------------------------------------------------------

/// The string of a value, or empty when it is not a string.
constexpr std::string_view arg_view(const siphost_value& v) noexcept {
    return v.kind == SIPHOST_VALUE_STR ? view(v.str) : std::string_view();
}

/// The integer of a value; a string holding a decimal number (optionally signed) also counts.
/// False for anything else.
constexpr bool arg_int(const siphost_value& v, int64_t& out) noexcept {
    if (v.kind == SIPHOST_VALUE_INT) {
        out = v.num;
        return true;
    }
    if (v.kind != SIPHOST_VALUE_STR)
        return false;
    std::string_view text = trim(view(v.str));
    bool negative = !text.empty() && text.front() == '-';
    if (!text.empty() && (text.front() == '-' || text.front() == '+'))
        text.remove_prefix(1);
    uint64_t magnitude = 0;
    if (!parse_uint(text, magnitude, static_cast<uint64_t>(INT64_MAX)))
        return false;
    out = negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
    return true;
}

constexpr siphost_value int_value(int64_t n) noexcept {
    return siphost_value{SIPHOST_VALUE_INT, 0, n, {nullptr, 0}};
}
constexpr siphost_value str_value(std::string_view s) noexcept {
    return siphost_value{SIPHOST_VALUE_STR, 0, 0, str(s)};
}
constexpr siphost_value null_value() noexcept {
    return siphost_value{SIPHOST_VALUE_NULL, 0, 0, {nullptr, 0}};
}

// ---- errors at the boundary ------------------------------------------------------------------------------

/// Writes text into a host error buffer: NUL-terminated, truncated to fit.
inline void write_error(char* err, size_t err_size, std::string_view text) noexcept {
    if (err == nullptr || err_size == 0)
        return;
    size_t n = std::min(text.size(), err_size - 1);
    std::memcpy(err, text.data(), n);
    err[n] = '\0';
}

/// Thrown by fixups, parameter setters and init code: its text becomes the sentence the host reports.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A command handler that may throw: `int fn(siphost_msg*, const siphost_value*, void*)`. guarded<&fn> is a
/// siphost_command_fn that returns on_error (false by default) when fn throws.
template <auto Handler, int OnError = -1>
int guarded(siphost_msg* msg, const siphost_value* args, void* call_data) noexcept {
    try {
        return Handler(msg, args, call_data);
    } catch (...) {
        return OnError;
    }
}

/// A fixup written as `std::unique_ptr<T> fn(const siphost_value* args, const int* constant)` that throws
/// config_error (or any std::exception) with a one-line reason. fixup<&fn> is the siphost_fixup_fn.
template <auto Fixup>
int fixup(const siphost_value* args, const int* constant, void** call_data, char* err,
          size_t err_size) noexcept {
    try {
        *call_data = Fixup(args, constant).release();
        return 0;
    } catch (const std::exception& e) {
        write_error(err, err_size, e.what());
    } catch (...) {
        write_error(err, err_size, "unexpected error while preparing the call");
    }
    return -1;
}

/// The siphost_fixup_free_fn for call data made by fixup<> from a std::unique_ptr<T>.
template <class T> void free_call_data(void* call_data) noexcept {
    std::unique_ptr<T> owned(static_cast<T*>(call_data));
}

/// Runs f() (returning int) and returns on_error if it throws: for hooks, API functions, getters.
template <class F> int guard(int on_error, F&& f) noexcept {
    try {
        return f();
    } catch (...) {
        return on_error;
    }
}

/// Runs f() (returning int) and turns an exception into -1 with its text in err: for init and setters.
template <class F> int guard_with_error(char* err, size_t err_size, F&& f) noexcept {
    try {
        return f();
    } catch (const std::exception& e) {
        write_error(err, err_size, e.what());
    } catch (...) {
        write_error(err, err_size, "unexpected error");
    }
    return -1;
}

/// A pseudo-variable named by a call site's argument ("$var(x)", "$avp(dst)"), parsed once by the fixup and
/// freed with the call data. The constructor throws config_error with the host's reason when the text is not
/// a usable pseudo-variable, so a fixup reports it at start-up with the call's line.
class parsed_pv {
public:
    parsed_pv() noexcept = default;
    parsed_pv(const siphost_host_api* host, std::string_view text) : host_(host), text_(text) {
        if (text_.empty() || text_.front() != '$')
            throw config_error("\"" + text_ + "\" is not a pseudo-variable (write it with '$', e.g. $var(x))");
        if (host_ == nullptr)
            throw config_error("the module was not initialised before its call sites were prepared");
        char reason[200] = "";
        spec_ = host_->pv_parse(siphost_str{text_.data(), text_.size()}, reason, sizeof reason);
        if (spec_ == nullptr)
            throw config_error("cannot use \"" + text_ + "\": " + reason);
    }
    parsed_pv(parsed_pv&& other) noexcept
        : host_(other.host_), text_(std::move(other.text_)), spec_(std::exchange(other.spec_, nullptr)) {}
    parsed_pv& operator=(parsed_pv&& other) noexcept {
        if (this != &other) {
            release();
            host_ = other.host_;
            text_ = std::move(other.text_);
            spec_ = std::exchange(other.spec_, nullptr);
        }
        return *this;
    }
    parsed_pv(const parsed_pv&) = delete;
    parsed_pv& operator=(const parsed_pv&) = delete;
    ~parsed_pv() { release(); }

    siphost_pv_spec* spec() const noexcept { return spec_; }
    const std::string& text() const noexcept { return text_; }
    int get(siphost_msg* msg, siphost_value* out) const noexcept { return host_->pv_get(spec_, msg, out); }
    int set(siphost_msg* msg, const siphost_value* value) const noexcept {
        return host_->pv_set(spec_, msg, value);
    }

private:
    void release() noexcept {
        if (spec_ != nullptr && host_ != nullptr)
            host_->pv_free(spec_);
        spec_ = nullptr;
    }

    const siphost_host_api* host_ = nullptr;
    std::string text_;
    siphost_pv_spec* spec_ = nullptr;
};

// ---- descriptor tables -----------------------------------------------------------------------------------

/// One command entry (one overload: declare another entry with the same name for another arg count).
inline siphost_command command(const char* name, uint32_t route_types, siphost_command_fn handler,
                               std::initializer_list<siphost_arg_kind> args = {},
                               siphost_fixup_fn fixup_fn = nullptr,
                               siphost_fixup_free_fn fixup_free = nullptr,
                               const char* doc = nullptr) noexcept {
    siphost_command c{};
    c.struct_size = sizeof(siphost_command);
    c.name = name;
    c.route_types = route_types;
    c.handler = handler;
    c.fixup = fixup_fn;
    c.fixup_free = fixup_free;
    c.doc = doc;
    uint32_t i = 0;
    for (siphost_arg_kind kind : args) {
        if (i == SIPHOST_MAX_ARGS)
            break;
        c.arg_kinds[i++] = static_cast<uint8_t>(kind);
    }
    c.arg_count = i;
    return c;
}

/// The entry that ends a command table.
inline siphost_command end_of_commands() noexcept {
    siphost_command c{};
    c.struct_size = sizeof(siphost_command);
    return c;
}

/// An integer modparam written to *target.
inline siphost_param int_param(const char* name, int32_t* target, const char* doc = nullptr) noexcept {
    siphost_param p{};
    p.struct_size = sizeof(siphost_param);
    p.name = name;
    p.kinds = SIPHOST_PARAM_INT;
    p.target = target;
    p.doc = doc;
    return p;
}

/// A string modparam: *target points at the host's NUL-terminated copy.
inline siphost_param string_param(const char* name, const char** target, const char* doc = nullptr) noexcept {
    siphost_param p{};
    p.struct_size = sizeof(siphost_param);
    p.name = name;
    p.kinds = SIPHOST_PARAM_STRING;
    p.target = static_cast<void*>(target);
    p.doc = doc;
    return p;
}

/// A modparam delivered to a setter (kinds: SIPHOST_PARAM_* bits accepted).
inline siphost_param setter_param(const char* name, uint32_t kinds, siphost_param_setter_fn setter,
                                  const char* doc = nullptr) noexcept {
    siphost_param p{};
    p.struct_size = sizeof(siphost_param);
    p.name = name;
    p.kinds = kinds;
    p.setter = setter;
    p.doc = doc;
    return p;
}

inline siphost_param end_of_params() noexcept {
    siphost_param p{};
    p.struct_size = sizeof(siphost_param);
    return p;
}

/// A module pseudo-variable ("$name" or "$name(inner)").
inline siphost_pv pseudo_variable(const char* name, uint32_t flags, siphost_pv_get_fn get,
                                  siphost_pv_set_fn set = nullptr, siphost_pv_parse_fn parse_name = nullptr,
                                  void (*free_data)(void*) = nullptr, const char* doc = nullptr) noexcept {
    siphost_pv pv{};
    pv.struct_size = sizeof(siphost_pv);
    pv.name = name;
    pv.flags = flags;
    pv.get = get;
    pv.set = set;
    pv.parse_name = parse_name;
    pv.free_data = free_data;
    pv.doc = doc;
    return pv;
}

inline siphost_pv end_of_pvs() noexcept {
    siphost_pv pv{};
    pv.struct_size = sizeof(siphost_pv);
    return pv;
}

/// An event route the module raises (event_route[name]); route_type is the one SIPHOST_ROUTE_* bit its block
/// runs as, flags SIPHOST_EVENT_* bits.
inline siphost_event event(const char* name, uint32_t route_type = SIPHOST_ROUTE_EVENT, uint32_t flags = 0,
                           const char* doc = nullptr) noexcept {
    siphost_event e{};
    e.struct_size = sizeof(siphost_event);
    e.name = name;
    e.route_type = route_type;
    e.flags = flags;
    e.doc = doc;
    return e;
}

inline siphost_event end_of_events() noexcept {
    siphost_event e{};
    e.struct_size = sizeof(siphost_event);
    return e;
}

/// An RPC command ("module.command"); signature uses Kamailio's letters ("s", "sd") and may be NULL.
inline siphost_rpc_command rpc(const char* name, siphost_rpc_fn handler, const char* doc = nullptr,
                               const char* signature = nullptr, uint32_t flags = 0) noexcept {
    siphost_rpc_command r{};
    r.struct_size = sizeof(siphost_rpc_command);
    r.name = name;
    r.handler = handler;
    r.doc = doc;
    r.signature = signature;
    r.flags = flags;
    return r;
}

inline siphost_rpc_command end_of_rpcs() noexcept {
    siphost_rpc_command r{};
    r.struct_size = sizeof(siphost_rpc_command);
    return r;
}

/// The signature of a module's init hook.
using init_fn = int (*)(const siphost_host_api* host, siphost_module_handle* self, char* err,
                        size_t err_size);
/// The signature of a module's thread_init hook (kind: enum siphost_thread_kind).
using thread_init_fn = int (*)(int kind, int index);

/// Everything a descriptor may declare, for module(const module_spec&); written with designated initialisers
/// in this order, members left out are NULL:
///
///   const siphost_module descriptor = sdk::module({.name = "tm", .version = "1.0", .commands = commands,
///                                                  .rpcs = rpcs, .depends = depends, .init = init});
struct module_spec {
    const char* name = nullptr;
    const char* version = nullptr;
    const siphost_command* commands = nullptr;
    const siphost_param* params = nullptr;
    const siphost_pv* pvs = nullptr;
    const siphost_event* events = nullptr;
    const siphost_rpc_command* rpcs = nullptr;
    const char* const* depends = nullptr; ///< NULL-terminated module names
    init_fn init = nullptr;
    thread_init_fn thread_init = nullptr;
    void (*on_reload)() = nullptr;
    void (*destroy)() = nullptr;
};

/// The module descriptor, requiring SIPHOST_REQUIRE_MINOR; tables may be NULL.
inline siphost_module module(const module_spec& spec) noexcept {
    siphost_module m{};
    m.struct_size = sizeof(siphost_module);
    m.abi_major = SIPHOST_ABI_MAJOR;
    m.abi_minor = SIPHOST_REQUIRE_MINOR;
    m.name = spec.name;
    m.version = spec.version;
    m.commands = spec.commands;
    m.params = spec.params;
    m.pvs = spec.pvs;
    m.events = spec.events;
    m.rpcs = spec.rpcs;
    m.depends = spec.depends;
    m.init = spec.init;
    m.thread_init = spec.thread_init;
    m.on_reload = spec.on_reload;
    m.destroy = spec.destroy;
    return m;
}

/// The short form for a module without events, RPCs or dependencies.
inline siphost_module module(const char* name, const char* version, const siphost_command* commands,
                             const siphost_param* params, const siphost_pv* pvs, init_fn init,
                             thread_init_fn thread_init = nullptr, void (*destroy)() = nullptr) noexcept {
    module_spec spec;
    spec.name = name;
    spec.version = version;
    spec.commands = commands;
    spec.params = params;
    spec.pvs = pvs;
    spec.init = init;
    spec.thread_init = thread_init;
    spec.destroy = destroy;
    return module(spec);
}

// ---- structs the host fills ------------------------------------------------------------------------------

/// A zeroed struct with its struct_size set, ready to hand to the host: sized<siphost_dest>(),
/// sized<siphost_socket_info>(), sized<siphost_branch>().
template <class T> constexpr T sized() noexcept {
    T value{};
    value.struct_size = sizeof(T);
    return value;
}

// ---- SIP parsing: thin wrappers over the host's one parser (host->sip) ------------------------------------
//
// Views written by these point into the text given, so that text must outlive them.

/// Parses a sip, sips or tel URI (another scheme gives SIPHOST_URI_OTHER with only scheme_text). False when
/// it is malformed.
inline bool parse_uri(const siphost_host_api* host, std::string_view text, siphost_uri& out) noexcept {
    out = sized<siphost_uri>();
    return host->sip != nullptr && host->sip->parse_uri(str(text), &out) == 0;
}

/// Parses one name-addr or addr-spec with its header parameters (a From, To, Contact or Route value).
inline bool parse_name_addr(const siphost_host_api* host, std::string_view text,
                            siphost_name_addr& out) noexcept {
    out = sized<siphost_name_addr>();
    return host->sip != nullptr && host->sip->parse_name_addr(str(text), &out) == 0;
}

/// The URI inside a name-addr ("Bob <sip:b@h>;tag=x" -> "sip:b@h"); empty when the value is malformed.
inline std::string_view uri_of(const siphost_host_api* host, std::string_view name_addr) noexcept {
    siphost_name_addr parsed;
    return parse_name_addr(host, name_addr, parsed) ? view(parsed.uri) : std::string_view();
}

/// Finds parameter `name` (any case) in ';'-separated params without the leading ';' ("lr;ftag=x"): true
/// when present, with *value set to what follows '=' (empty for a flag).
inline bool param(const siphost_host_api* host, std::string_view params, std::string_view name,
                  std::string_view* value = nullptr) noexcept {
    siphost_str found{nullptr, 0};
    if (host->sip == nullptr || host->sip->param(str(params), str(name), &found) != 1)
        return false;
    if (value != nullptr)
        *value = view(found);
    return true;
}

/// Parses a Contact header value into at most max entries (their struct_size is set here); count says how
/// many the value holds, even beyond max. Returns enum siphost_contacts_result.
inline int parse_contacts(const siphost_host_api* host, std::string_view value, siphost_contact* out,
                          size_t max, size_t& count) noexcept {
    count = 0;
    for (size_t i = 0; i < max; ++i)
        out[i] = sized<siphost_contact>();
    if (host->sip == nullptr)
        return SIPHOST_CONTACTS_MALFORMED;
    return host->sip->parse_contacts(str(value), out, max, &count);
}

/// Parses Digest credentials (an Authorization or Proxy-Authorization value). False when malformed.
inline bool parse_credentials(const siphost_host_api* host, std::string_view value,
                              siphost_credentials& out) noexcept {
    out = sized<siphost_credentials>();
    return host->sip != nullptr && host->sip->parse_credentials(str(value), &out) == 0;
}

// ---- the host --------------------------------------------------------------------------------------------

/// Logs one line through the host, as "<module>: text" (self NULL: under the core's name), if the level is
/// enabled.
inline void log(const siphost_host_api* host, siphost_module_handle* self, int level,
                std::string_view text) noexcept {
    if (host != nullptr && host->log != nullptr && (host->log_enabled == nullptr || host->log_enabled(level)))
        host->log(self, level, str(text));
}

/// The index-th value of a header as a view (empty when absent); found tells whether it exists.
inline std::string_view header(const siphost_host_api* host, const siphost_msg* msg, std::string_view name,
                               uint32_t index = 0, bool* found = nullptr) noexcept {
    siphost_str value{nullptr, 0};
    int present = host->msg_header(msg, str(name), index, &value);
    if (found != nullptr)
        *found = present == 1;
    return present == 1 ? view(value) : std::string_view();
}

/// What a socket is (the address and port it advertises, its protocol, its printable name). False when the
/// host does not know it.
inline bool socket_info(const siphost_host_api* host, const siphost_socket* socket,
                        siphost_socket_info& out) noexcept {
    out = sized<siphost_socket_info>();
    return socket != nullptr && host->socket_info(socket, &out) == 0;
}

/// Registers a counter of the calling module ("name" shows as "<module>:name"); NULL on error.
inline siphost_metric* register_counter(const siphost_host_api* host, siphost_module_handle* self,
                                        const char* name, const char* help = nullptr) noexcept {
    siphost_metric_desc desc = sized<siphost_metric_desc>();
    desc.name = name;
    desc.kind = SIPHOST_METRIC_COUNTER;
    desc.help = help;
    return host->metrics != nullptr ? host->metrics->metric_register(self, &desc) : nullptr;
}

} // namespace siphost::sdk

#endif // SIPHOST_MODULE_HPP
