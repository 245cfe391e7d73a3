#pragma once
// Fake module descriptors (sl, tm, rr, textops, xlog, maxfwd, pv, and "testmod") with siphost_command
// tables like the real modules declare, and a module catalog that "loads" them by name. The handlers record
// each call ("name(arg, arg)") and do the little the interpreter tests need (is_method compares the method,
// xlog logs its text into script_log(), append_hf adds a header), on the host's own message.

#include <siphost/module.h>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cfg/descriptor_catalog.hpp"
#include "script/test_message.hpp"

namespace siphost::test {

/// Every call the fake handlers received, in order.
inline std::vector<std::string>& recorded_calls() {
    static std::vector<std::string> calls;
    return calls;
}

/// What a recorded command returns (default 1); set per name by a test.
inline std::map<std::string, int>& command_results() {
    static std::map<std::string, int> results;
    return results;
}

/// Values delivered by modparam to testmod.
inline std::int32_t& testmod_int_param() {
    static std::int32_t v = 0;
    return v;
}
inline const char*& testmod_str_param() {
    static const char* v = nullptr;
    return v;
}
inline std::vector<std::string>& testmod_multi_values() {
    static std::vector<std::string> v;
    return v;
}

namespace module_detail {

inline std::string arg_text(const siphost_value& v) {
    switch (v.kind) {
    case SIPHOST_VALUE_INT:
        return std::to_string(v.num);
    case SIPHOST_VALUE_STR:
        return std::string(v.str.s ? v.str.s : "", v.str.len);
    default:
        return "<null>";
    }
}

inline int record(const char* name, std::uint32_t argc, const siphost_value* args) {
    std::string line = std::string(name) + "(";
    for (std::uint32_t i = 0; i < argc; ++i)
        line += (i ? ", " : "") + arg_text(args[i]);
    line += ")";
    recorded_calls().push_back(line);
    auto it = command_results().find(name);
    return it == command_results().end() ? 1 : it->second;
}

inline bool method_in(siphost_msg* msg, std::string_view list) {
    std::string_view method = msg->sip.method();
    while (!list.empty()) {
        auto bar = list.find('|');
        std::string_view one = list.substr(0, bar);
        if (one.size() == method.size() &&
            std::equal(one.begin(), one.end(), method.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            }))
            return true;
        if (bar == std::string_view::npos)
            break;
        list.remove_prefix(bar + 1);
    }
    return false;
}

// One handler per (name, argc), generated from a table index so that each records its own name.
struct entry {
    const char* name;
    std::uint32_t argc;
};
inline constexpr entry names[] = {
    {"sl_send_reply", 2},
    {"sl_reply", 2},
    {"sl_reply_error", 0},
    {"send_reply", 2}, // 0-3
    {"t_relay", 0},
    {"t_relay", 2},
    {"t_relay_to_udp", 0},
    {"t_relay_to_udp", 2}, // 4-7
    {"t_on_reply", 1},
    {"t_on_failure", 1},
    {"t_on_branch", 1},
    {"t_reply", 2}, // 8-11
    {"t_check_trans", 0},
    {"t_newtran", 0},
    {"t_check_status", 1}, // 12-14
    {"record_route", 0},
    {"record_route", 1},
    {"loose_route", 0}, // 15-17
    {"is_method", 1},
    {"append_hf", 1},
    {"append_hf", 2},
    {"remove_hf", 1},
    {"is_present_hf", 1}, // 18-22
    {"search", 1},
    {"subst", 1}, // 23-24
    {"xlog", 1},
    {"xlog", 2},
    {"xdbg", 1},
    {"xinfo", 1},
    {"xnotice", 1},
    {"xwarn", 1},
    {"xerr", 1}, // 25-31
    {"mf_process_maxfwd_header", 1},
    {"is_maxfwd_lt", 1}, // 32-33
    {"pv_isset", 1},
    {"pv_unset", 1}, // 34-35
    {"test_ret", 1},
    {"test_record", 1},
    {"test_record", 2},
    {"test_fixup", 1}, // 36-39
};

template <int N> int handler(siphost_msg* msg, const siphost_value* args, void*) {
    constexpr entry e = names[N];
    int result = record(e.name, e.argc, args);
    std::string_view name = e.name;
    if (name == "is_method")
        return method_in(msg, std::string_view(args[0].str.s, args[0].str.len)) ? 1 : -1;
    if (name == "append_hf") {
        msg->sip.add_header(std::string_view(args[0].str.s, args[0].str.len), sip::header_position::bottom);
        return result;
    }
    if (name.substr(0, 1) == "x") {
        const siphost_value& text = args[e.argc - 1];
        script_log().push_back(std::to_string(SIPHOST_LOG_ERR) + "|<script>|" +
                               std::string(text.str.s ? text.str.s : "", text.str.len));
        return result;
    }
    if (name == "test_ret")
        return static_cast<int>(args[0].num);
    return result;
}

// test_fixup refuses the constant "bad", and keeps a number computed at load time for the handler.
inline int fixup_refusing_bad(const siphost_value* args, const int* constant, void** call_data, char* err,
                              size_t err_size) {
    if (constant[0] && args[0].kind == SIPHOST_VALUE_STR &&
        std::string_view(args[0].str.s, args[0].str.len) == "bad") {
        std::snprintf(err, err_size, "the argument must not be 'bad'");
        return -1;
    }
    static int answer = 42;
    *call_data = &answer;
    return 0;
}
/// How many call sites' data were released (the script calls fixup_free when it is destroyed).
inline int& fixup_frees() {
    static int frees = 0;
    return frees;
}
inline void fixup_free(void*) {
    ++fixup_frees();
}
inline int fixup_handler(siphost_msg*, const siphost_value* args, void* call_data) {
    recorded_calls().push_back("test_fixup(" + arg_text(args[0]) +
                               ") data=" + std::to_string(call_data ? *static_cast<int*>(call_data) : -1));
    return 1;
}

constexpr std::uint32_t REQ = SIPHOST_ROUTE_REQUEST, FAIL = SIPHOST_ROUTE_FAILURE, BR = SIPHOST_ROUTE_BRANCH,
                        TMR = SIPHOST_ROUTE_TM_ONREPLY, CORER = SIPHOST_ROUTE_CORE_ONREPLY,
                        ANY = SIPHOST_ROUTE_ANY;
constexpr std::uint8_t S = SIPHOST_ARG_STRING, I = SIPHOST_ARG_INT, R = SIPHOST_ARG_ROUTE,
                       P = SIPHOST_ARG_PVAR;

template <int N>
constexpr siphost_command command(std::uint32_t routes, std::uint8_t k0 = 0, std::uint8_t k1 = 0,
                                  std::uint32_t route_arg_type = 0) {
    siphost_command c{};
    c.struct_size = sizeof(siphost_command);
    c.name = names[N].name;
    c.arg_count = names[N].argc;
    c.route_types = routes;
    c.arg_kinds[0] = k0;
    c.arg_kinds[1] = k1;
    c.arg_route_types[0] = route_arg_type;
    c.handler = handler<N>;
    return c;
}

inline const siphost_command end_of_table{
    sizeof(siphost_command), nullptr, 0, 0, {}, {}, {}, nullptr, nullptr, nullptr, nullptr, {}};

inline const siphost_command sl_commands[] = {command<0>(REQ | FAIL | BR, I, S),
                                              command<1>(REQ | FAIL | BR, I, S), command<2>(REQ),
                                              command<3>(REQ | FAIL, I, S), end_of_table};
inline const siphost_command tm_commands[] = {
    command<4>(REQ | FAIL),
    command<5>(REQ | FAIL, S, I),
    command<6>(REQ | FAIL),
    command<7>(REQ | FAIL, S, S),
    command<8>(REQ | FAIL | BR | TMR, R, 0, SIPHOST_ROUTE_TM_ONREPLY),
    command<9>(REQ | FAIL | BR | TMR, R, 0, SIPHOST_ROUTE_FAILURE),
    command<10>(REQ | FAIL, R, 0, SIPHOST_ROUTE_BRANCH),
    command<11>(REQ | FAIL, I, S),
    command<12>(REQ | FAIL | BR),
    command<13>(REQ),
    command<14>(FAIL | TMR, S),
    end_of_table};
inline const siphost_command rr_commands[] = {command<15>(REQ), command<16>(REQ, S), command<17>(REQ),
                                              end_of_table};
inline const siphost_command textops_commands[] = {
    command<18>(ANY, S), command<19>(ANY, S), command<20>(ANY, S, S), command<21>(ANY, S),
    command<22>(ANY, S), command<23>(ANY, S), command<24>(ANY, S),    end_of_table};
inline const siphost_command xlog_commands[] = {
    command<25>(ANY, S), command<26>(ANY, S, S), command<27>(ANY, S), command<28>(ANY, S),
    command<29>(ANY, S), command<30>(ANY, S),    command<31>(ANY, S), end_of_table};
inline const siphost_command maxfwd_commands[] = {command<32>(REQ, I), command<33>(ANY, I), end_of_table};
inline const siphost_command pv_commands[] = {command<34>(ANY, P), command<35>(ANY, P), end_of_table};
inline const siphost_command testmod_commands[] = {command<36>(ANY, I), command<37>(ANY, S),
                                                   command<38>(ANY, S, I),
                                                   [] {
                                                       siphost_command c = command<39>(ANY, S);
                                                       c.fixup = fixup_refusing_bad;
                                                       c.fixup_free = fixup_free;
                                                       c.handler = fixup_handler;
                                                       return c;
                                                   }(),
                                                   end_of_table};

inline int multi_setter(const char*, const siphost_value* value, char* err, size_t err_size) {
    std::string text = arg_text(*value);
    if (text == "refuse") {
        std::snprintf(err, err_size, "'refuse' is refused");
        return -1;
    }
    testmod_multi_values().push_back(text);
    return 0;
}

inline const siphost_param testmod_params[] = {
    {sizeof(siphost_param), "int_param", SIPHOST_PARAM_INT, 0, &testmod_int_param(), nullptr, nullptr, {}},
    {sizeof(siphost_param), "str_param", SIPHOST_PARAM_STRING, 0, &testmod_str_param(), nullptr, nullptr, {}},
    {sizeof(siphost_param),
     "multi",
     SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING,
     0,
     nullptr,
     multi_setter,
     nullptr,
     {}},
    {sizeof(siphost_param), nullptr, 0, 0, nullptr, nullptr, nullptr, {}}};

inline const siphost_param tm_params[] = {
    {sizeof(siphost_param),
     "fr_timer",
     SIPHOST_PARAM_INT,
     0,
     nullptr,
     [](const char*, const siphost_value*, char*, size_t) { return 0; },
     nullptr,
     {}},
    {sizeof(siphost_param), nullptr, 0, 0, nullptr, nullptr, nullptr, {}}};

// $test_pv: reads "module-value" (or what was last set); $test_named(x) reads "named:x".
inline std::string& test_pv_value() {
    static std::string v = "module-value";
    return v;
}
inline int test_pv_get(siphost_msg*, void* data, int32_t, siphost_value* out) {
    thread_local std::string buffer;
    buffer = data ? "named:" + *static_cast<std::string*>(data) : test_pv_value();
    out->kind = SIPHOST_VALUE_STR;
    out->str = {buffer.data(), buffer.size()};
    return 0;
}
inline int test_pv_set(siphost_msg*, void*, int32_t, const siphost_value* v) {
    test_pv_value() = arg_text(*v);
    return 0;
}
inline int test_pv_parse(siphost_str inner, void** data, char* err, size_t err_size) {
    std::string name(inner.s ? inner.s : "", inner.len);
    if (name == "bad") {
        std::snprintf(err, err_size, "'bad' is not a valid name");
        return -1;
    }
    static std::deque<std::string> names; // parsed when a config is loaded, on one thread
    names.push_back(name);
    *data = &names.back();
    return 0;
}
inline void test_pv_free(void*) {}

inline const siphost_pv testmod_pvs[] = {
    {sizeof(siphost_pv),
     "test_pv",
     SIPHOST_PV_NAME_NONE,
     0,
     nullptr,
     test_pv_get,
     test_pv_set,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_pv),
     "test_named",
     SIPHOST_PV_NAME_REQUIRED,
     0,
     test_pv_parse,
     test_pv_get,
     nullptr,
     test_pv_free,
     nullptr,
     {}},
    {sizeof(siphost_pv), nullptr, 0, 0, nullptr, nullptr, nullptr, nullptr, nullptr, {}}};

inline siphost_module make_module(const char* name, const siphost_command* commands,
                                  const siphost_param* params = nullptr, const siphost_pv* pvs = nullptr) {
    siphost_module m{};
    m.struct_size = sizeof m;
    m.abi_major = SIPHOST_ABI_MAJOR;
    m.abi_minor = SIPHOST_ABI_MINOR;
    m.name = name;
    m.version = "test";
    m.commands = commands;
    m.params = params;
    m.pvs = pvs;
    return m;
}

} // namespace module_detail

/// Every fake module by name.
inline const std::map<std::string, siphost_module>& fake_modules() {
    using namespace module_detail;
    static const std::map<std::string, siphost_module> modules = {
        {"sl", make_module("sl", sl_commands)},
        {"tm", make_module("tm", tm_commands, tm_params)},
        {"rr", make_module("rr", rr_commands)},
        {"textops", make_module("textops", textops_commands)},
        {"xlog", make_module("xlog", xlog_commands)},
        {"maxfwd", make_module("maxfwd", maxfwd_commands)},
        {"pv", make_module("pv", pv_commands)},
        {"testmod", make_module("testmod", testmod_commands, testmod_params, testmod_pvs)},
    };
    return modules;
}

/// A catalog that loads the fake modules: "tm", "tm.so", "/any/dir/tm.so" all name tm.
inline cfg::descriptor_catalog make_test_catalog() {
    return cfg::descriptor_catalog([](std::string_view name, std::string_view, std::string_view mpath,
                                      std::string& error) -> const siphost_module* {
        std::string stem = std::filesystem::path(std::string(name)).filename().string();
        if (stem.size() > 3 && stem.substr(stem.size() - 3) == ".so")
            stem.resize(stem.size() - 3);
        auto it = fake_modules().find(stem);
        if (it != fake_modules().end())
            return &it->second;
        std::string file = std::string(name);
        if (file.size() < 3 || file.substr(file.size() - 3) != ".so")
            file += ".so";
        error = "cannot find module '" + std::string(name) + "' (tried " +
                (mpath.empty() ? std::string("./") : std::string(mpath) + "/") + file + ")";
        return nullptr;
    });
}

} // namespace siphost::test
