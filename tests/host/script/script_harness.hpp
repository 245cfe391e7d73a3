#pragma once
// Loads a config from text with the test modules (cfg/test_modules.hpp) and runs it on real messages
// (test_message.hpp) with the real interpreter.

#include <gtest/gtest.h>

#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cfg/test_modules.hpp"
#include "core/log.hpp"
#include "net/udp_worker.hpp"
#include "script/interpreter.hpp"
#include "script/script_loader.hpp"
#include "script/test_message.hpp"

namespace siphost::test {

/// The host's log lines ("LEVEL: text": the core log() function, the interpreter's errors) into script_log().
class script_log_sink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        script_log().emplace_back(msg.payload.data(), msg.payload.size());
    }
    void flush_() override {}
};

inline void capture_host_log() {
    core::configure_logging(std::make_shared<script_log_sink>(), SIPHOST_LOG_DBG);
}

/// Records forward()/force_rport() calls instead of sending; this server is 127.0.0.1 and proxy.local on
/// 5060.
class fake_core_actions : public script::core_actions {
public:
    int forward(siphost_msg*, std::string_view host, std::uint16_t port, int proto) override {
        forwards.push_back(std::string(host) + ":" + std::to_string(port) + "/" + std::to_string(proto));
        return forward_result;
    }
    int force_rport(siphost_msg*) override {
        ++rport_calls;
        return 1;
    }
    int force_tcp_alias(siphost_msg*, std::uint16_t port) override {
        alias_ports.push_back(port);
        return alias_result;
    }
    bool is_myself(std::string_view host, std::uint16_t port) const override {
        return (host == "127.0.0.1" || host == "proxy.local") && (port == 0 || port == 5060);
    }
    const net::listening_socket* find_socket(int proto, std::string_view address,
                                             std::uint16_t port) const override {
        if (address == "127.0.0.1" && (port == 0 || port == 5060) && (proto == 0 || proto == SIPHOST_PROTO_UDP))
            return &udp_socket;
        return nullptr;
    }
    net::listening_socket udp_socket{{}, "127.0.0.1", 5060, 0, "udp:127.0.0.1:5060", SIPHOST_PROTO_UDP};
    std::vector<std::string> forwards;
    int forward_result = 1;
    int rport_calls = 0;
    std::vector<std::uint16_t> alias_ports;
    int alias_result = 1;
};

/// One loaded script with its interpreter.
struct harness {
    cfg::descriptor_catalog catalog = make_test_catalog();
    cfg::diagnostics diags;
    std::shared_ptr<const script::compiled_script> script;
    fake_core_actions actions;
    std::unique_ptr<script::interpreter> interp;

    /// Loads text (the modules line is added in front); fails the test on any error.
    explicit harness(const std::string& text, std::vector<std::string> defines = {}) {
        recorded_calls().clear();
        command_results().clear();
        script_log().clear();
        capture_host_log();
        cfg::read_options options;
        options.defines = std::move(defines);
        const std::string modules =
            "loadmodule \"sl\" loadmodule \"tm\" loadmodule \"rr\" loadmodule \"textops\" "
            "loadmodule \"xlog\" loadmodule \"maxfwd\" loadmodule \"pv\" loadmodule \"testmod\"\n";
        script = script::load_script_text("test.cfg", modules + text, options, &catalog, diags);
        EXPECT_NE(script, nullptr) << diags.format_all();
        if (script)
            interp = std::make_unique<script::interpreter>(script, &actions);
    }

    int request(test_message& msg, std::int64_t* rc = nullptr) {
        return interp->run_request_route(msg.handle(), rc);
    }

    /// Runs request_route on a fresh INVITE and returns the value of $var(name) as printed.
    std::string var_after_request(const std::string& name, test_message* use = nullptr) {
        test_message fresh;
        test_message& msg = use ? *use : fresh;
        request(msg);
        return print("$var(" + name + ")", msg);
    }

    /// The printed value of a pseudo-variable on msg (through the ABI's pv_parse/pv_get).
    std::string print(const std::string& pv_text, test_message& msg) {
        std::string error;
        auto pv = interp->pv_parse(pv_text, error);
        if (!pv)
            return "parse error: " + error;
        siphost_value v{};
        interp->pv_get(*pv, msg.handle(), &v);
        if (v.kind == SIPHOST_VALUE_NULL)
            return "<null>";
        if (v.kind == SIPHOST_VALUE_INT)
            return std::to_string(v.num);
        return std::string(v.str.s, v.str.len);
    }
};

} // namespace siphost::test
