// Hot reload of the routing script: the side-effect-free read (reload_catalog), what a reload refuses, and
// the interpreter's switch between two messages (publish, message_scope), also under threads.

#include <atomic>
#include <thread>

#include "script/reload.hpp"
#include "script/script_harness.hpp"

namespace siphost::test {
namespace {

const std::string base_config = R"cfg(
debug=2
listen=udp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "tm"
loadmodule "testmod"
modparam("tm", "fr_timer", 5000)
modparam("testmod", "str_param", "one")
modparam("testmod", "multi", "a")
modparam("testmod", "multi", "b")
request_route { return 1; }
)cfg";

/// The running side: the base config read as start-up reads it (through a recording catalog).
struct running_config {
    cfg::descriptor_catalog modules = make_test_catalog();
    script::recording_catalog recorder{modules};
    cfg::diagnostics diags;
    std::shared_ptr<const script::compiled_script> script;

    explicit running_config(const std::string& text = base_config) {
        script = script::load_script_text("running.cfg", text, {}, &recorder, diags);
        EXPECT_NE(script, nullptr) << diags.format_all();
    }

    /// Reads text as a reload would; nullptr and the diagnostics in out when refused.
    std::shared_ptr<const script::compiled_script> reload(const std::string& text, std::string& out) {
        cfg::diagnostics reload_diags;
        auto next = script::read_text_for_reload("new.cfg", text, {}, recorder, recorder.applied(),
                                                 *script, reload_diags);
        out = reload_diags.format_all();
        return next;
    }
};

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
        text.replace(at, from.size(), to);
    return text;
}

TEST(reload_read, records_what_start_up_applied) {
    running_config running;
    const auto& applied = running.recorder.applied();
    ASSERT_EQ(applied.modules.size(), 3u);
    EXPECT_EQ(applied.modules[0].written, "sl.so");
    EXPECT_EQ(applied.modules[0].name, "sl");
    ASSERT_EQ(applied.params.size(), 4u);
    EXPECT_EQ(applied.params[0].value_text(), "5000");
    EXPECT_EQ(applied.params[1].value_text(), "\"one\"");
}

TEST(reload_read, the_same_config_and_a_changed_script_are_accepted) {
    running_config running;
    std::string out;
    EXPECT_NE(running.reload(base_config, out), nullptr) << out;
    auto next = running.reload(
        replaced(base_config, "request_route { return 1; }",
                 "request_route { sl_send_reply(\"200\", \"new\"); return 2; }\nroute[EXTRA] { exit; }"),
        out);
    ASSERT_NE(next, nullptr) << out;
    EXPECT_EQ(next->route_count(), 2u);
    EXPECT_NE(next->generation(), running.script->generation());
}

TEST(reload_read, modules_may_be_named_otherwise_and_log_prefix_changes_live) {
    running_config running;
    std::string out;
    auto text = replaced(base_config, "loadmodule \"tm\"", "loadmodule \"/elsewhere/tm.so\"");
    text = replaced(text, "debug=2", "debug=2\nlog_prefix=\"{$rm} \"\nmax_while_loops=7");
    auto next = running.reload(text, out);
    ASSERT_NE(next, nullptr) << out;
    EXPECT_EQ(next->params().max_while_loops, 7u);
    EXPECT_FALSE(next->log_prefix().pieces.empty());
}

TEST(reload_read, custom_cfg_variables_take_the_new_values) {
    const std::string with_variable =
        replaced(base_config, "debug=2", "debug=2\nreload.limit = 5 desc \"a limit\"");
    running_config running(with_variable);
    std::string out;
    auto next = running.reload(replaced(with_variable, "reload.limit = 5", "reload.limit = 6"), out);
    ASSERT_NE(next, nullptr) << out;
    ASSERT_EQ(next->custom_variables().size(), 1u);
    EXPECT_EQ(next->custom_variables()[0].number, 6);
}

TEST(reload_read, a_new_module_is_refused_at_its_line) {
    running_config running;
    std::string out;
    auto next = running.reload(
        replaced(base_config, "loadmodule \"testmod\"", "loadmodule \"testmod\"\nloadmodule \"rr.so\""), out);
    EXPECT_EQ(next, nullptr);
    EXPECT_NE(out.find("new.cfg:7:12: error: loadmodule \"rr.so\": a reload cannot load a module siphost is "
                       "not running (running: sl, tm, testmod); restart siphost to load it"),
              std::string::npos)
        << out;
}

TEST(reload_read, a_dropped_module_is_refused) {
    running_config running;
    std::string out;
    auto text = replaced(base_config, "loadmodule \"sl.so\"\n", "");
    EXPECT_EQ(running.reload(text, out), nullptr);
    EXPECT_NE(
        out.find("error: the new config does not load module \"sl\", which runs: a reload cannot unload a "
                 "module; restart siphost to drop it"),
        std::string::npos)
        << out;
}

TEST(reload_read, modparam_changes_are_refused_precisely) {
    testmod_int_param() = 0;
    running_config running;
    std::string out;
    EXPECT_EQ(running.reload(replaced(base_config, "5000", "3000"), out), nullptr);
    EXPECT_NE(
        out.find("new.cfg:7:10: error: modparam(\"tm\", \"fr_timer\") is 5000 in the running config, 3000 "
                 "here: module parameters take effect at start-up only; restart siphost to change it"),
        std::string::npos)
        << out;

    EXPECT_EQ(running.reload(replaced(base_config, "\"one\"", "\"two\""), out), nullptr);
    EXPECT_NE(out.find("is \"one\" in the running config, \"two\" here"), std::string::npos) << out;

    EXPECT_EQ(running.reload(replaced(base_config, "modparam(\"testmod\", \"multi\", \"b\")\n", ""), out),
              nullptr);
    EXPECT_NE(
        out.find("error: the new config lacks modparam(\"testmod\", \"multi\", \"b\") of the running config"),
        std::string::npos)
        << out;

    EXPECT_EQ(
        running.reload(
            replaced(base_config, "modparam(\"testmod\", \"multi\", \"b\")\n",
                     "modparam(\"testmod\", \"multi\", \"b\")\nmodparam(\"testmod\", \"int_param\", 4)\n"),
            out),
        nullptr);
    EXPECT_NE(out.find("modparam(\"testmod\", \"int_param\") is not in the running config"),
              std::string::npos)
        << out;
    // Nothing of the refused reads reached the module.
    EXPECT_EQ(testmod_str_param(), std::string("one"));
    EXPECT_EQ(testmod_int_param(), 0);
}

TEST(reload_read, listen_and_other_global_parameters_are_refused) {
    running_config running;
    std::string out;
    EXPECT_EQ(running.reload(replaced(base_config, "127.0.0.1:5060", "127.0.0.1:5062"), out), nullptr);
    EXPECT_NE(
        out.find("new.cfg:3:8: error: listen changed (running: udp:127.0.0.1:5060; new config: "
                 "udp:127.0.0.1:5062): sockets are opened at start-up only; restart siphost to change them"),
        std::string::npos)
        << out;
    EXPECT_EQ(running.reload(replaced(base_config, "debug=2", "debug=3\nchildren=4"), out), nullptr);
    EXPECT_NE(
        out.find("error: debug changed from 2 to 3: global parameters take effect at start-up only; restart "
                 "siphost to change it (or change the log level live: kamcmd cfg.seti core debug 3)"),
        std::string::npos)
        << out;
    EXPECT_NE(out.find("error: children changed from not set to 4"), std::string::npos) << out;
}

TEST(reload_read, a_new_event_route_is_refused_and_a_kept_one_is_accepted) {
    // Modules look their event routes up at start-up: one added later would silently never run.
    running_config running(base_config + "event_route[tm:local-request] { exit; }\n");
    std::string out;
    EXPECT_NE(running.reload(base_config + "event_route[tm:local-request] { return 1; }\n", out), nullptr)
        << out;
    EXPECT_EQ(running.reload(base_config + "event_route[tm:local-request] { exit; }\n"
                                           "event_route[xhttp:request] { exit; }\n",
                             out),
              nullptr);
    EXPECT_NE(out.find("new.cfg:13:1: error: event_route[xhttp:request] is new: modules look up their event "
                       "routes at start-up only; restart siphost to add it"),
              std::string::npos)
        << out;
}

TEST(reload_read, a_broken_script_gives_every_diagnostic) {
    running_config running;
    std::string out;
    auto text = replaced(base_config, "request_route { return 1; }",
                         "request_route { no_such_function(); $nope = 1; }");
    EXPECT_EQ(running.reload(text, out), nullptr);
    EXPECT_NE(out.find("new.cfg:11:17: error:"), std::string::npos) << out;
    EXPECT_NE(out.find("no_such_function"), std::string::npos) << out;
    EXPECT_NE(out.find("$nope"), std::string::npos) << out;
}

TEST(reload_read, a_missing_file_is_one_error_and_not_a_list_of_dropped_modules) {
    running_config running;
    cfg::diagnostics diags;
    auto next = script::read_for_reload("/nonexistent/siphost-reload.cfg", {}, running.recorder,
                                        running.recorder.applied(), *running.script, diags);
    EXPECT_EQ(next, nullptr);
    EXPECT_EQ(diags.error_count(), 1u) << diags.format_all();
}

// ---- the switch between two messages ----

const std::string version_a = "request_route { return 1; }\nroute[ONLY_A] { return 5; }\n";
const std::string version_b = "request_route { return 2; }\n";

std::shared_ptr<const script::compiled_script> compile(const std::string& text) {
    static cfg::descriptor_catalog catalog = make_test_catalog();
    cfg::diagnostics diags;
    auto s = script::load_script_text("v.cfg", text, {}, &catalog, diags);
    EXPECT_NE(s, nullptr) << diags.format_all();
    return s;
}

std::int64_t run(const script::interpreter& interp) {
    test_message msg;
    std::int64_t rc = 0;
    interp.run_request_route(msg.handle(), &rc);
    return rc;
}

TEST(reload_switch, a_message_runs_wholly_on_the_script_it_started_with) {
    auto a = compile(version_a), b = compile(version_b);
    script::interpreter interp(a, nullptr);
    {
        script::interpreter::message_scope pin(interp, true);
        EXPECT_EQ(run(interp), 1);
        auto old = interp.publish(b);
        EXPECT_EQ(old, a);
        EXPECT_EQ(run(interp), 1); // still the message that started on a
        EXPECT_EQ(&interp.script(), a.get());
    }
    EXPECT_EQ(run(interp), 2);
    EXPECT_EQ(&interp.script(), b.get());
}

TEST(reload_switch, route_ids_name_the_new_scripts_block_of_the_same_name) {
    auto a = compile(version_a), b = compile(version_b);
    script::interpreter interp(a, nullptr);
    int only_a = interp.route_lookup(SIPHOST_ROUTE_REQUEST, "ONLY_A");
    ASSERT_GE(only_a, 0);
    test_message msg;
    EXPECT_EQ(interp.run_route(only_a, msg.handle()), SIPHOST_ROUTE_RAN);
    interp.publish(b);
    EXPECT_EQ(interp.run_route(only_a, msg.handle()), SIPHOST_ROUTE_NOT_FOUND);
    EXPECT_EQ(interp.route_lookup(SIPHOST_ROUTE_REQUEST, "ONLY_A"), -1);
    interp.publish(compile(version_a));
    EXPECT_EQ(interp.route_lookup(SIPHOST_ROUTE_REQUEST, "ONLY_A"), only_a); // ids last for the process
}

TEST(reload_switch, the_old_script_goes_when_its_last_message_ends) {
    auto a = compile(version_a);
    std::weak_ptr<const script::compiled_script> watch = a;
    script::interpreter interp(std::move(a), nullptr);
    {
        script::interpreter::message_scope pin(interp, true);
        interp.publish(compile(version_b));
        EXPECT_FALSE(watch.expired()); // the message holds it
    }
    script::interpreter::release_thread_script();
    EXPECT_TRUE(watch.expired());
}

TEST(reload_switch, threads_running_messages_never_mix_two_versions) {
    std::shared_ptr<const script::compiled_script> versions[2] = {compile(version_a), compile(version_b)};
    script::interpreter interp(versions[0], nullptr);
    std::atomic<bool> stop{false};
    std::atomic<int> mixed{0}, messages{0};
    std::atomic<int> seen[3] = {0, 0, 0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 3; ++t)
        workers.emplace_back([&] {
            for (int i = 0; i < 200000 && !stop; ++i) {
                script::interpreter::message_scope pin(interp, true);
                // Two runs within one message (a request_route and a route a module runs from it).
                std::int64_t first = run(interp);
                std::this_thread::yield();
                std::int64_t second = run(interp);
                if (first != second)
                    ++mixed;
                if (first == 1 || first == 2)
                    ++seen[first];
                ++messages;
            }
        });
    for (int i = 0; i < 400; ++i) {
        interp.publish(versions[(i + 1) % 2]);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    stop = true;
    for (auto& w : workers)
        w.join();
    EXPECT_EQ(mixed, 0);
    EXPECT_GT(messages, 0);
    EXPECT_GT(seen[1] + seen[2], 0);
}

} // namespace
} // namespace siphost::test
