// Cost per message of running the seed's request_route: the interpreter on a real parsed message and module
// commands that do nothing, so what is measured is the script machinery itself: calls through the command
// table, string templates, AVP and pseudo-variable access.

#include <benchmark/benchmark.h>

#include <cctype>
#include <string_view>

#include "cfg/descriptor_catalog.hpp"
#include "script/interpreter.hpp"
#include "script/script_loader.hpp"
#include "script/test_message.hpp"

namespace {

using siphost::test::test_message;

int do_nothing(siphost_msg*, const siphost_value*, void*) {
    return 1;
}

// is_method has to look at the message, or the seed's REGISTER branch would be taken for every request.
int is_method(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view method = msg->sip.method(), wanted(args[0].str.s, args[0].str.len);
    if (method.size() != wanted.size())
        return -1;
    for (std::size_t i = 0; i < method.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(method[i])) !=
            std::toupper(static_cast<unsigned char>(wanted[i])))
            return -1;
    return 1;
}

constexpr std::uint8_t S = SIPHOST_ARG_STRING, I = SIPHOST_ARG_INT, R = SIPHOST_ARG_ROUTE;
const siphost_command commands[] = {
    {sizeof(siphost_command),
     "record_route",
     0,
     SIPHOST_ROUTE_REQUEST,
     {},
     {},
     {},
     do_nothing,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "is_method",
     1,
     SIPHOST_ROUTE_ANY,
     {S},
     {},
     {},
     is_method,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "sl_reply",
     2,
     SIPHOST_ROUTE_REQUEST,
     {I, S},
     {},
     {},
     do_nothing,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "append_hf",
     1,
     SIPHOST_ROUTE_ANY,
     {S},
     {},
     {},
     do_nothing,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "xlog",
     1,
     SIPHOST_ROUTE_ANY,
     {S},
     {},
     {},
     do_nothing,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "t_on_reply",
     1,
     SIPHOST_ROUTE_REQUEST,
     {R},
     {},
     {SIPHOST_ROUTE_TM_ONREPLY},
     do_nothing,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "t_relay_to_udp",
     2,
     SIPHOST_ROUTE_REQUEST,
     {S, S},
     {},
     {},
     do_nothing,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command), nullptr, 0, 0, {}, {}, {}, nullptr, nullptr, nullptr, nullptr, {}}};
// struct_size, abi_major, abi_minor, name, version, commands, params, pvs, events, rpcs, depends, init,
// thread_init, on_reload, destroy, reserved
const siphost_module seed_modules = {sizeof(siphost_module),
                                     SIPHOST_ABI_MAJOR,
                                     SIPHOST_REQUIRE_MINOR,
                                     "seed",
                                     "1",
                                     commands,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     {}};

class no_network : public siphost::script::core_actions {
public:
    int forward(siphost_msg*, std::string_view, std::uint16_t, int) override { return 1; }
    int force_rport(siphost_msg*) override { return 1; }
    bool is_myself(std::string_view, std::uint16_t) const override { return false; }
    const siphost::net::listening_socket* find_socket(int, std::string_view, std::uint16_t) const override {
        return nullptr;
    }
};

const char* const stateless = R"cfg(
loadmodule "seed"
request_route {
        record_route();
        if(is_method("REGISTER")){
                sl_reply("200", "ok");
                exit;
        }
        append_hf("X-Proxied: You betcha\r\n");
        if(is_method("INVITE")){
                $avp(state_test_var) = "I remember";
        }
        xlog("for $rm the value of AVP \"state_test_var\" is $avp(state_test_var) ");
        forward("127.0.0.1", 5070);
}
onreply_route{
        xlog("for $rs response the value of AVP \"state_test_var\" is $avp(state_test_var) ");
        append_hf("X-Proxied: For the reply\r\n");
}
)cfg";

const char* const stateful = R"cfg(
loadmodule "seed"
request_route {
        record_route();
        if(is_method("REGISTER")){
                sl_reply("200", "ok");
                exit;
        }
        append_hf("X-Proxied: You betcha\r\n");
        if(is_method("INVITE")){
                $avp(state_test_var) = "I remember";
        }
        xlog("for $rm the value of AVP \"state_test_var\" is $avp(state_test_var) ");
        route(RELAY);
}
route[RELAY]{
        t_on_reply("OurReplyRoute");
        t_relay_to_udp("127.0.0.1", "5070");
}
onreply_route[OurReplyRoute] {
        xlog("for $rs response the value of AVP \"state_test_var\" is $avp(state_test_var) ");
        append_hf("X-Proxied: For the reply\r\n");
}
)cfg";

struct loaded {
    siphost::cfg::descriptor_catalog catalog{
        [](std::string_view, std::string_view, std::string_view, std::string&) -> const siphost_module* {
            return &seed_modules;
        }};
    no_network actions;
    std::shared_ptr<const siphost::script::compiled_script> script;
    std::unique_ptr<siphost::script::interpreter> interp;

    explicit loaded(const char* text) {
        siphost::cfg::diagnostics diags;
        script = siphost::script::load_script_text("seed.cfg", text, {}, &catalog, diags);
        if (!script)
            throw std::runtime_error(diags.format_all());
        interp = std::make_unique<siphost::script::interpreter>(script, &actions);
    }
};

void run_requests(benchmark::State& state, const char* config, const char* method) {
    loaded l(config);
    test_message msg;
    msg.method = method;
    for (auto _ : state) {
        if (msg.msg().avps) // AVPs belong to one message
            msg.msg().avps->entries.clear();
        benchmark::DoNotOptimize(l.interp->run_request_route(msg.handle()));
    }
    state.SetItemsProcessed(state.iterations());
}

void seed_stateless_invite(benchmark::State& state) {
    run_requests(state, stateless, "INVITE");
}
void seed_stateless_bye(benchmark::State& state) {
    run_requests(state, stateless, "BYE");
}
void seed_stateful_invite(benchmark::State& state) {
    run_requests(state, stateful, "INVITE");
}

void seed_stateless_reply(benchmark::State& state) {
    loaded l(stateless);
    test_message msg;
    msg.make_reply(180, "Ringing", "INVITE");
    for (auto _ : state)
        benchmark::DoNotOptimize(l.interp->run_core_onreply(msg.handle()));
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(seed_stateless_invite);
BENCHMARK(seed_stateless_bye);
BENCHMARK(seed_stateful_invite);
BENCHMARK(seed_stateless_reply);

} // namespace

BENCHMARK_MAIN();
