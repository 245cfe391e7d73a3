// The header-only helpers of sdk/include/siphost/module.hpp.
#include <siphost/module.hpp>

#include <gtest/gtest.h>

#include <string>

namespace siphost::tests {
namespace {

// A host table with just enough behind it to see what the wrappers hand to the host and give back.
struct stub_host {
    static inline size_t uri_struct_size = 0;
    static inline std::string last_param_name;
    static inline std::string last_log;
    static inline siphost_module_handle* last_log_self = nullptr;
    static inline std::string registered_metric;

    static int parse_uri(siphost_str text, siphost_uri* out) {
        uri_struct_size = out->struct_size;
        std::string_view t = sdk::view(text);
        if (t.rfind("sip:", 0) != 0)
            return -1;
        out->scheme = SIPHOST_URI_SIP;
        out->host = sdk::str(t.substr(4));
        return 0;
    }
    static int parse_name_addr(siphost_str text, siphost_name_addr* out) {
        std::string_view t = sdk::view(text);
        size_t open = t.find('<');
        size_t close = t.find('>');
        if (open == std::string_view::npos || close == std::string_view::npos || out->struct_size == 0)
            return -1;
        out->uri = sdk::str(t.substr(open + 1, close - open - 1));
        return 0;
    }
    static int param(siphost_str params, siphost_str name, siphost_str* value) {
        last_param_name.assign(sdk::view(name));
        std::string_view p = sdk::view(params);
        if (p != "lr;ftag=abc")
            return 0;
        if (sdk::view(name) == "lr") {
            *value = siphost_str{nullptr, 0};
            return 1;
        }
        if (sdk::view(name) == "ftag") {
            *value = sdk::str(p.substr(8));
            return 1;
        }
        return 0;
    }
    static void log(siphost_module_handle* self, int, siphost_str text) {
        last_log_self = self;
        last_log.assign(sdk::view(text));
    }
    static int log_enabled(int level) { return level <= SIPHOST_LOG_INFO; }
    static int socket_info(const siphost_socket*, siphost_socket_info* out) {
        if (out->struct_size != sizeof(siphost_socket_info))
            return -1;
        out->port = 5060;
        return 0;
    }
    static siphost_metric* metric_register(siphost_module_handle*, const siphost_metric_desc* desc) {
        registered_metric =
            desc->struct_size == sizeof(siphost_metric_desc) && desc->kind == SIPHOST_METRIC_COUNTER
                ? desc->name
                : "";
        return reinterpret_cast<siphost_metric*>(&registered_metric);
    }

    stub_host() {
        sip.struct_size = sizeof sip;
        sip.parse_uri = parse_uri;
        sip.parse_name_addr = parse_name_addr;
        sip.param = param;
        metrics.struct_size = sizeof metrics;
        metrics.metric_register = metric_register;
        api.struct_size = sizeof api;
        api.log = log;
        api.log_enabled = log_enabled;
        api.socket_info = socket_info;
        api.sip = &sip;
        api.metrics = &metrics;
    }

    siphost_sip_api sip{};
    siphost_metrics_api metrics{};
    siphost_host_api api{};
};

TEST(modules_sdk_helpers, sip_wrappers_call_the_hosts_parser) {
    stub_host stub;
    siphost_uri uri;
    ASSERT_TRUE(sdk::parse_uri(&stub.api, "sip:example.com", uri));
    EXPECT_EQ(stub_host::uri_struct_size, sizeof(siphost_uri));
    EXPECT_EQ(uri.struct_size, sizeof(siphost_uri));
    EXPECT_EQ(sdk::view(uri.host), "example.com");
    EXPECT_FALSE(sdk::parse_uri(&stub.api, "example.com", uri));

    EXPECT_EQ(sdk::uri_of(&stub.api, "\"Bob\" <sip:b@h;lr>;tag=1"), "sip:b@h;lr");
    EXPECT_EQ(sdk::uri_of(&stub.api, "<sip:b@h"), "");

    std::string_view value = "untouched";
    EXPECT_TRUE(sdk::param(&stub.api, "lr;ftag=abc", "ftag", &value));
    EXPECT_EQ(value, "abc");
    EXPECT_TRUE(sdk::param(&stub.api, "lr;ftag=abc", "lr", &value));
    EXPECT_EQ(value, "");
    EXPECT_TRUE(sdk::param(&stub.api, "lr;ftag=abc", "lr"));
    EXPECT_FALSE(sdk::param(&stub.api, "lr;ftag=abc", "maddr", &value));
    EXPECT_EQ(stub_host::last_param_name, "maddr");

    siphost_host_api no_sip = stub.api;
    no_sip.sip = nullptr;
    EXPECT_FALSE(sdk::parse_uri(&no_sip, "sip:example.com", uri));
    EXPECT_FALSE(sdk::param(&no_sip, "lr", "lr"));
}

TEST(modules_sdk_helpers, host_wrappers) {
    stub_host stub;
    siphost_module_handle* self = reinterpret_cast<siphost_module_handle*>(&stub);
    sdk::log(&stub.api, self, SIPHOST_LOG_INFO, "written");
    EXPECT_EQ(stub_host::last_log, "written");
    EXPECT_EQ(stub_host::last_log_self, self);
    sdk::log(&stub.api, nullptr, SIPHOST_LOG_DBG, "below the threshold");
    EXPECT_EQ(stub_host::last_log, "written");

    siphost_socket_info info;
    auto* socket = reinterpret_cast<const siphost_socket*>(&stub);
    ASSERT_TRUE(sdk::socket_info(&stub.api, socket, info));
    EXPECT_EQ(info.port, 5060);
    EXPECT_FALSE(sdk::socket_info(&stub.api, nullptr, info));

    EXPECT_NE(sdk::register_counter(&stub.api, self, "sent", "replies sent"), nullptr);
    EXPECT_EQ(stub_host::registered_metric, "sent");

    siphost_dest dest = sdk::sized<siphost_dest>();
    EXPECT_EQ(dest.struct_size, sizeof(siphost_dest));
    EXPECT_EQ(dest.socket, nullptr);
}

TEST(modules_sdk_helpers, arguments) {
    int64_t n = 0;
    EXPECT_TRUE(sdk::arg_int(sdk::int_value(-4), n));
    EXPECT_EQ(n, -4);
    EXPECT_TRUE(sdk::arg_int(sdk::str_value(" 483 "), n));
    EXPECT_EQ(n, 483);
    EXPECT_TRUE(sdk::arg_int(sdk::str_value("-2"), n));
    EXPECT_EQ(n, -2);
    EXPECT_FALSE(sdk::arg_int(sdk::str_value("4x"), n));
    EXPECT_FALSE(sdk::arg_int(sdk::str_value("99999999999999999999"), n));
    EXPECT_FALSE(sdk::arg_int(sdk::null_value(), n));
    EXPECT_EQ(sdk::arg_view(sdk::str_value("abc")), "abc");
    EXPECT_EQ(sdk::arg_view(sdk::int_value(1)), "");
}

TEST(modules_sdk_helpers, split_host_port) {
    std::string_view host;
    uint16_t port = 1;
    EXPECT_TRUE(sdk::split_host_port(" 10.0.0.1 ", host, port));
    EXPECT_EQ(host, "10.0.0.1");
    EXPECT_EQ(port, 0);
    EXPECT_TRUE(sdk::split_host_port("example.com:5080", host, port));
    EXPECT_EQ(host, "example.com");
    EXPECT_EQ(port, 5080);
    EXPECT_TRUE(sdk::split_host_port("[::1]:5061", host, port));
    EXPECT_EQ(host, "::1");
    EXPECT_EQ(port, 5061);
    EXPECT_TRUE(sdk::split_host_port("[::1]", host, port));
    EXPECT_EQ(host, "::1");
    EXPECT_EQ(port, 0);
    EXPECT_TRUE(sdk::split_host_port("fe80::1", host, port)) << "a bare IPv6 address has no port";
    EXPECT_EQ(host, "fe80::1");
    EXPECT_EQ(port, 0);
    EXPECT_FALSE(sdk::split_host_port("", host, port));
    EXPECT_FALSE(sdk::split_host_port(":5060", host, port));
    EXPECT_FALSE(sdk::split_host_port("h:0", host, port));
    EXPECT_FALSE(sdk::split_host_port("h:65536", host, port));
    EXPECT_FALSE(sdk::split_host_port("h:50x", host, port));
    EXPECT_FALSE(sdk::split_host_port("[::1", host, port));
    EXPECT_FALSE(sdk::split_host_port("[::1]x", host, port));
}

int throwing_handler(siphost_msg*, const siphost_value*, void*) {
    throw std::runtime_error("boom");
}
int fine_handler(siphost_msg*, const siphost_value*, void*) {
    return 7;
}

std::unique_ptr<int> refusing_fixup(const siphost_value*, const int*) {
    throw sdk::config_error("the first argument must be a number");
}
std::unique_ptr<int> accepting_fixup(const siphost_value*, const int*) {
    return std::make_unique<int>(42);
}

TEST(modules_sdk_helpers, exceptions_stop_at_the_boundary) {
    EXPECT_EQ((sdk::guarded<&throwing_handler>(nullptr, nullptr, nullptr)), -1);
    EXPECT_EQ((sdk::guarded<&throwing_handler, -2>(nullptr, nullptr, nullptr)), -2);
    EXPECT_EQ(sdk::guarded<&fine_handler>(nullptr, nullptr, nullptr), 7);

    char err[16];
    void* data = nullptr;
    EXPECT_EQ(sdk::fixup<&refusing_fixup>(nullptr, nullptr, &data, err, sizeof err), -1);
    EXPECT_STREQ(err, "the first argum"); // truncated to the buffer, NUL-terminated
    EXPECT_EQ(sdk::fixup<&accepting_fixup>(nullptr, nullptr, &data, err, sizeof err), 0);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(*static_cast<int*>(data), 42);
    sdk::free_call_data<int>(data);

    EXPECT_EQ(sdk::guard(-5, []() -> int { throw 1; }), -5);
    EXPECT_EQ(sdk::guard_with_error(err, sizeof err, []() -> int { throw std::runtime_error("bad"); }), -1);
    EXPECT_STREQ(err, "bad");
}

int init_hook(const siphost_host_api*, siphost_module_handle*, char*, size_t) {
    return 0;
}
int thread_hook(int, int) {
    return 0;
}
void rpc_handler(siphost_rpc_call*) {}

TEST(modules_sdk_helpers, table_builders) {
    siphost_command c =
        sdk::command("f", SIPHOST_ROUTE_REQUEST, fine_handler, {SIPHOST_ARG_INT, SIPHOST_ARG_STRING});
    EXPECT_EQ(c.struct_size, sizeof(siphost_command));
    EXPECT_EQ(c.arg_count, 2u);
    EXPECT_EQ(c.arg_kinds[0], SIPHOST_ARG_INT);
    EXPECT_EQ(c.arg_kinds[1], SIPHOST_ARG_STRING);
    EXPECT_EQ(sdk::end_of_commands().name, nullptr);
    int32_t target = 0;
    siphost_param p = sdk::int_param("n", &target);
    EXPECT_EQ(p.kinds, static_cast<uint32_t>(SIPHOST_PARAM_INT));
    EXPECT_EQ(p.target, &target);

    siphost_event e = sdk::event("m:started");
    EXPECT_EQ(e.struct_size, sizeof(siphost_event));
    EXPECT_EQ(e.route_type, static_cast<uint32_t>(SIPHOST_ROUTE_EVENT));
    EXPECT_EQ(sdk::end_of_events().name, nullptr);
    siphost_rpc_command r = sdk::rpc("m.stats", rpc_handler, "statistics", "s", SIPHOST_RPC_RETURNS_ARRAY);
    EXPECT_EQ(r.struct_size, sizeof(siphost_rpc_command));
    EXPECT_EQ(r.handler, &rpc_handler);
    EXPECT_STREQ(r.signature, "s");
    EXPECT_EQ(r.flags, static_cast<uint32_t>(SIPHOST_RPC_RETURNS_ARRAY));
    EXPECT_EQ(sdk::end_of_rpcs().name, nullptr);

    siphost_module m = sdk::module("x", "1", &c, nullptr, nullptr, init_hook, thread_hook);
    EXPECT_EQ(m.abi_major, static_cast<uint32_t>(SIPHOST_ABI_MAJOR));
    EXPECT_EQ(m.abi_minor, static_cast<uint32_t>(SIPHOST_REQUIRE_MINOR));
    EXPECT_EQ(m.struct_size, sizeof(siphost_module));
    EXPECT_EQ(m.init, &init_hook);
    EXPECT_EQ(m.thread_init, &thread_hook);
    EXPECT_EQ(m.events, nullptr);

    const siphost_event events[] = {e, sdk::end_of_events()};
    const siphost_rpc_command rpcs[] = {r, sdk::end_of_rpcs()};
    const char* const depends[] = {"sl", nullptr};
    siphost_module full = sdk::module(
        {.name = "y", .version = "2", .events = events, .rpcs = rpcs, .depends = depends, .init = init_hook});
    EXPECT_STREQ(full.name, "y");
    EXPECT_EQ(full.commands, nullptr);
    EXPECT_EQ(full.events, events);
    EXPECT_EQ(full.rpcs, rpcs);
    EXPECT_EQ(full.depends, depends);
    EXPECT_EQ(full.init, &init_hook);
    EXPECT_EQ(full.destroy, nullptr);
    for (void* reserved : full.reserved)
        EXPECT_EQ(reserved, nullptr);
}

} // namespace
} // namespace siphost::tests
