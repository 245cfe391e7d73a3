// Header-only C++ helpers for writing a siphost module against module.h.
//
// Nothing here crosses the ABI: the helpers build the C descriptor tables, read arguments, convert between
// siphost_str and std::string_view, and stop exceptions at the boundary (a handler or fixup that throws is
// turned into an error code and, for fixups, a config error sentence).
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

/// The module descriptor; tables may be NULL.
inline siphost_module module(const char* name, const char* version, const siphost_command* commands,
                             const siphost_param* params, const siphost_pv* pvs,
                             int (*init)(const siphost_host_api*, char*, size_t),
                             int (*worker_init)(int) = nullptr, void (*destroy)() = nullptr) noexcept {
    siphost_module m{};
    m.struct_size = sizeof(siphost_module);
    m.abi_major = SIPHOST_ABI_MAJOR;
    m.abi_minor = SIPHOST_ABI_MINOR;
    m.name = name;
    m.version = version;
    m.commands = commands;
    m.params = params;
    m.pvs = pvs;
    m.init = init;
    m.worker_init = worker_init;
    m.destroy = destroy;
    return m;
}

// ---- SIP URIs --------------------------------------------------------------------------------------------

/// The parts of a SIP URI, as views into the text given to split_uri().
struct uri_parts {
    std::string_view scheme; ///< "sip", "sips", "tel", ...
    std::string_view user;   ///< before '@', without the password
    std::string_view host;   ///< IPv6 without brackets
    uint16_t port = 0;       ///< 0 when absent
    std::string_view params; ///< after the first ';' of the host part, without it, up to '?' ("lr;ftag=x")
};

/// The URI inside a name-addr ("Bob <sip:b@h>;tag=x" -> "sip:b@h"), or the text itself when it has no '<'.
constexpr std::string_view uri_of(std::string_view name_addr) noexcept {
    size_t open = name_addr.find('<');
    if (open == std::string_view::npos)
        return trim(name_addr);
    size_t close = name_addr.find('>', open + 1);
    if (close == std::string_view::npos)
        return std::string_view();
    return name_addr.substr(open + 1, close - open - 1);
}

/// Splits "scheme:[user[:password]@]host[:port][;params][?headers]". False when malformed.
constexpr bool split_uri(std::string_view uri, uri_parts& out) noexcept {
    out = uri_parts{};
    size_t colon = uri.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return false;
    out.scheme = uri.substr(0, colon);
    std::string_view rest = uri.substr(colon + 1);
    size_t question = rest.find('?');
    if (question != std::string_view::npos)
        rest = rest.substr(0, question);
    size_t at = rest.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        out.user = userinfo.substr(0, userinfo.find(':'));
        rest = rest.substr(at + 1);
    }
    size_t semicolon = rest.find(';');
    std::string_view hostport = rest.substr(0, semicolon);
    if (semicolon != std::string_view::npos)
        out.params = rest.substr(semicolon + 1);
    std::string_view port_text;
    if (!hostport.empty() && hostport.front() == '[') {
        size_t close = hostport.find(']');
        if (close == std::string_view::npos)
            return false;
        out.host = hostport.substr(1, close - 1);
        std::string_view after = hostport.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return false;
            port_text = after.substr(1);
        }
    } else {
        size_t port_colon = hostport.find(':');
        out.host = hostport.substr(0, port_colon);
        if (port_colon != std::string_view::npos)
            port_text = hostport.substr(port_colon + 1);
    }
    if (out.host.empty())
        return false;
    if (!port_text.empty()) {
        uint64_t port = 0;
        if (!parse_uint(port_text, port, 65535))
            return false;
        out.port = static_cast<uint16_t>(port);
    }
    return true;
}

/// Finds parameter `name` in ";"-separated params ("lr;ftag=x"): true when present; value is what follows
/// '=' (empty for a flag).
constexpr bool find_param(std::string_view params, std::string_view name,
                          std::string_view* value = nullptr) noexcept {
    while (!params.empty()) {
        size_t end = params.find(';');
        std::string_view param = trim(params.substr(0, end));
        size_t equals = param.find('=');
        if (iequals(trim(param.substr(0, equals)), name)) {
            if (value != nullptr)
                *value =
                    equals == std::string_view::npos ? std::string_view() : trim(param.substr(equals + 1));
            return true;
        }
        if (end == std::string_view::npos)
            break;
        params.remove_prefix(end + 1);
    }
    return false;
}

// ---- the host --------------------------------------------------------------------------------------------

/// Logs one line through the host if the level is enabled.
inline void log(const siphost_host_api* host, int level, const char* module_name,
                std::string_view text) noexcept {
    if (host != nullptr && host->log != nullptr && (host->log_enabled == nullptr || host->log_enabled(level)))
        host->log(level, module_name, str(text));
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

} // namespace siphost::sdk

#endif // SIPHOST_MODULE_HPP
