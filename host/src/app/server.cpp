#include "app/server.hpp"

#include "abi/host_table.hpp"
#include "app/core_rpc.hpp"
#include "app/process_identity.hpp"
#include "app/registry_catalog.hpp"
#include "app/script_reloader.hpp"
#include "app/timer_thread.hpp"
#include "cfg/config_reader.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "flow/runtime.hpp"
#include "net/async_loop.hpp"
#include "net/tcp_transport.hpp"
#include "net/tls_bridge.hpp"
#include "net/udp_transport.hpp"
#include "plugin/host_services.hpp"
#include "plugin/module_registry.hpp"
#include "script/interpreter.hpp"
#include "script/reload.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <optional>
#include <pthread.h>
#include <unistd.h>

namespace siphost::app {
namespace {

cfg::read_options read_options_from(const core::command_line& options) {
    cfg::read_options read;
    for (const auto& [name, value] : options.defines)
        read.defines.push_back(value.empty() ? name : name + "=" + value);
    read.prelude = options.config_prelude;
    read.postlude = options.config_postlude;
    return read;
}

/// Options accepted without effect: one warning each, where the user looks (stderr at start, then the log).
void warn_ignored_options(const core::command_line& options) {
    for (const auto& sentence : options.ignored)
        core::log_host(SIPHOST_LOG_WARN, "core", "command line " + sentence);
}

struct loaded_config {
    plugin::module_registry registry;
    std::unique_ptr<registry_catalog> catalog;
    /// What the read loaded and applied, for a reload to compare with; the script's catalog.
    std::unique_ptr<script::recording_catalog> recorder;
    cfg::diagnostics diagnostics;
    std::shared_ptr<const script::compiled_script> script;
    std::string init_error; ///< a module's init, or the load order, refused
};

std::vector<net::listen_spec> listen_specs(const cfg::global_params& params, const std::string& proto) {
    std::vector<net::listen_spec> specs;
    if (proto == "tcp" && params.disable_tcp)
        return specs;
    if (proto == "tls") {
        // Only where TLS is enabled; a listen address without a protocol gets TLS on tls_port_no.
        if (!params.enable_tls)
            return specs;
        for (const auto& listen : params.listen)
            if (listen.proto == "tls" || listen.proto.empty())
                specs.push_back(
                    {proto, listen.host,
                     listen.proto == "tls" && listen.port != 0 ? listen.port : params.tls_port_no});
        if (params.listen.empty())
            specs.push_back({proto, "0.0.0.0", params.tls_port_no});
        return specs;
    }
    for (const auto& listen : params.listen)
        if (listen.proto == proto || listen.proto.empty())
            specs.push_back({proto, listen.host, listen.port != 0 ? listen.port : params.port});
    if (params.listen
            .empty()) // Kamailio listens on every address; siphost needs one to be named or takes them all
        specs.push_back({proto, "0.0.0.0", params.port});
    return specs;
}

// The TCP and TLS addresses siphost listens on.
std::vector<net::listen_spec> stream_listen_specs(const cfg::global_params& params) {
    auto specs = listen_specs(params, "tcp");
    if (!params.disable_tcp)
        for (auto& spec : listen_specs(params, "tls"))
            specs.push_back(std::move(spec));
    return specs;
}

// Kamailio's tcp_children, the workers that read TCP, TLS and WebSocket connections and run the script for
// their messages: as many as the UDP workers unless the config says, none without a TCP listen address.
int tcp_reader_count(const cfg::global_params& params, int children) {
    if (stream_listen_specs(params).empty())
        return 0;
    return params.tcp_children > 0 ? params.tcp_children : children;
}

// The phases in Kamailio's order, the same for `siphost -c` and start-up: read the config (loadmodule and
// modparam take effect as it is read, recorded for reloads to compare with), run every module's init in load
// order, then compile the script, which runs the fixups. The host table works from init on: route_lookup
// answers from the blocks that were read until the script is compiled.
void load(const core::command_line& options, loaded_config& out) {
    out.catalog =
        std::make_unique<registry_catalog>(out.registry, options.module_path, default_module_dirs());
    out.recorder = std::make_unique<script::recording_catalog>(*out.catalog);
    cfg::config config;
    if (!cfg::read_config_file(options.config_file, read_options_from(options), out.recorder.get(),
                               out.diagnostics, config))
        return;
    auto& parts = abi::parts();
    parts.registry = &out.registry;
    int children = options.children.value_or(config.params.children);
    plugin::host_services::instance().set_worker_count(children + tcp_reader_count(config.params, children));
    plugin::host_services::instance().set_children(children);
    parts.routes_read.clear();
    for (const auto& route : config.routes)
        parts.routes_read.emplace_back(route.type, route.name);
    try {
        out.registry.init_all(abi::host_table());
    } catch (const plugin::load_error& e) {
        out.init_error = e.what();
        return;
    }
    out.script = script::compiled_script::compile(std::move(config), out.recorder.get(), out.diagnostics);
    if (!out.script)
        out.registry.destroy_all();
}

void print_diagnostics(const loaded_config& loaded) {
    for (const auto& warning : loaded.catalog->warnings())
        std::cerr << "siphost: warning: " << warning << "\n";
    auto text = loaded.diagnostics.format_all();
    if (!text.empty())
        std::cerr << text;
    if (!loaded.init_error.empty())
        std::cerr << "siphost: error: " << loaded.init_error << "\n";
}

/// Every metric as the shutdown line shows it: " module.name=value" (labelled series with their labels).
std::string metrics_line() {
    std::string line;
    for (const auto& sample : core::metric_registry::instance().snapshot()) {
        line += " " + sample.family->group + "." + sample.family->name;
        if (!sample.label_values.empty()) {
            line += "{";
            for (size_t i = 0; i < sample.label_values.size(); ++i)
                line += (i ? "," : "") + sample.family->labels[i] + "=" + sample.label_values[i];
            line += "}";
        }
        line += "=" + std::to_string(sample.value);
    }
    return line;
}

/// The listen addresses of one protocol. Kamailio's rule: listen=IP:PORT without a protocol listens on UDP
/// and, unless disable_tcp, on TCP too; so does the default of listening on every address.
net::tcp_options tcp_options_from(const cfg::global_params& params) {
    net::tcp_options options;
    options.lifetime = std::chrono::seconds(params.tcp_connection_lifetime);
    options.max_connections = params.tcp_max_connections;
    options.connect_timeout = std::chrono::seconds(params.tcp_connect_timeout);
    options.send_timeout = std::chrono::seconds(params.tcp_send_timeout);
    options.accept_no_cl = params.tcp_accept_no_cl;
    options.accept_aliases = params.tcp_accept_aliases;
    options.keepalive = params.tcp_keepalive;
    if (params.tcp_children > 0)
        options.io_threads = params.tcp_children;
    return options;
}

// Blocks SIGINT/SIGTERM (stop) and SIGHUP (reload) in every thread started after this, so that the main
// thread alone waits for them. SIGPIPE is ignored, as Kamailio does: a peer that closes a pipe, FIFO or
// socket a module writes to must cost that write an EPIPE, not the whole server.
sigset_t block_stop_signals() {
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

/// Each line of text as one log line (a log line is one line).
void log_lines(int level, const std::string& text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        if (end > start)
            core::log_host(level, "core", text.substr(start, end - start));
        start = end + 1;
    }
}

// One reload on the main thread: read the config again without side effects, check it (all of -c's phases
// but init, which ran once), compile it (the fixups), publish it to every worker, then the modules'
// on_reload. Any error leaves the running script in place.
reload_answer reload_script(const core::command_line& options, loaded_config& loaded,
                            script::interpreter& interpreter, retired_scripts& retired,
                            const std::string& why) {
    core::log_host(SIPHOST_LOG_NOTICE, "core",
                   "reloading the routing script from " + options.config_file + " (" + why + ")");
    cfg::diagnostics diags;
    auto running = interpreter.published();
    auto next = script::read_for_reload(options.config_file, read_options_from(options), *loaded.recorder,
                                        loaded.recorder->applied(), *running, diags);
    std::string text = diags.format_all();
    if (!next) {
        std::string head = options.config_file + ": " + std::to_string(diags.error_count()) + " error(s), " +
                           std::to_string(diags.warning_count()) + " warning(s)";
        core::log_host(SIPHOST_LOG_ERR, "core", "reload refused, the running script stays: " + head);
        log_lines(SIPHOST_LOG_ERR, text);
        return {false, text + head};
    }
    running.reset();
    retired.add(interpreter.publish(next));
    loaded.script = next;
    loaded.registry.notify_reload();
    // What on_reload looked up (route_lookup, pv_parse) left the script held for this thread; let it go, or
    // the next reload's old script would wait for the main thread.
    script::interpreter::release_thread_script();
    retired.reap();
    log_lines(SIPHOST_LOG_WARN, text);
    core::log_host(SIPHOST_LOG_NOTICE, "core", "reloaded the routing script: " + next->summary());
    return {true, next->summary() + (text.empty() ? "" : "\n" + text)};
}

} // namespace

int print_config(const core::command_line& options) {
    cfg::diagnostics diagnostics;
    std::string text;
    bool ok = cfg::preprocess_config_file(options.config_file, read_options_from(options), diagnostics, text);
    std::cerr << diagnostics.format_all();
    if (!ok)
        return 1;
    std::cout << text;
    return 0;
}

int check_config(const core::command_line& options) {
    core::configure_logging({SIPHOST_LOG_WARN, core::log_target::stderr_stream});
    warn_ignored_options(options);
    flow::runtime runtime; // modules may register hooks at init
    abi::parts().runtime = &runtime;
    loaded_config loaded;
    load(options, loaded);
    print_diagnostics(loaded);
    if (!loaded.script) {
        std::cerr << "siphost: " << options.config_file << ": "
                  << loaded.diagnostics.error_count() + (loaded.init_error.empty() ? 0 : 1) << " error(s), "
                  << loaded.diagnostics.warning_count() << " warning(s)\n";
        abi::parts() = {};
        return 1;
    }
    std::cout << options.config_file << ": " << loaded.script->summary() << "\n";
    loaded.script.reset();
    loaded.registry.destroy_all();
    abi::parts() = {};
    return 0;
}

int run_server(const core::command_line& options) {
    // Until the config says otherwise, problems go to stderr: the user is looking at the terminal.
    core::configure_logging({SIPHOST_LOG_WARN, core::log_target::stderr_stream});
    warn_ignored_options(options);
    auto& services = plugin::host_services::instance();
    flow::runtime runtime;
    auto& parts = abi::parts();
    parts.runtime = &runtime;
    loaded_config loaded;
    install_core_rpcs();
    load(options, loaded);
    print_diagnostics(loaded);
    if (!loaded.script)
        return 1;
    // A copy: a reload replaces loaded.script (and may change nothing here, see script/reload.hpp).
    const cfg::global_params params = loaded.script->params();
    const int children = services.children();
    const int tcp_readers = services.worker_count() - children;

    core::log_settings logging;
    logging.debug = params.debug + options.debug_delta;
    logging.target = options.log_to_stderr || params.log_stderror ? core::log_target::stderr_stream
                                                                  : core::log_target::syslog;
    logging.syslog_facility = params.log_facility;
    try {
        core::configure_logging(logging);
    } catch (const std::exception& e) {
        std::cerr << "siphost: " << e.what() << "\n";
        loaded.registry.destroy_all();
        return 1;
    }

    if (params.fork && options.foreground == 0 && ::daemon(0, 0) != 0) {
        std::cerr << "siphost: cannot run in the background\n";
        loaded.registry.destroy_all();
        return 1;
    }
    // In the process that stays (a service manager reads the pid file once the parent has gone).
    if (std::string error; !enter_working_dir(options, error) || !write_pid_files(options, error)) {
        core::log_host(SIPHOST_LOG_ERR, "core", error);
        loaded.registry.destroy_all();
        return 1;
    }

    // Held here so that it can go before the modules do: dropping the script runs the fixups' free functions,
    // which may call their module (pv frees the variables it had the host parse).
    std::optional<script::interpreter> interpreter(std::in_place, loaded.script, &runtime);
    auto release_script = [&] {
        parts.interpreter = nullptr;
        interpreter.reset();
        loaded.script.reset();
        script::interpreter::release_every_thread_script();
    };
    runtime.attach(nullptr, &*interpreter, params.alias);
    parts.interpreter = &*interpreter;

    sigset_t stop_signals = block_stop_signals();
    std::unique_ptr<net::udp_transport> transport;
    std::unique_ptr<net::tcp_transport> tcp;
    net::tls_bridge tls(static_cast<const siphost_tls_api_v1*>(
        services.find_api(SIPHOST_TLS_API_NAME, SIPHOST_TLS_API_MAJOR)));
    try {
        for (const auto& listen : params.listen)
            if (listen.proto != "" && listen.proto != "udp" &&
                !(listen.proto == "tcp" && !params.disable_tcp) &&
                !(listen.proto == "tls" && params.enable_tls && !params.disable_tcp))
                throw std::runtime_error("listen=" + listen.proto + ":" + listen.host + ": " +
                                         (listen.proto == "tcp" ? "TCP is disabled (disable_tcp=yes)"
                                          : listen.proto == "tls"
                                              ? (params.disable_tcp ? "TLS needs TCP (disable_tcp=yes)"
                                                                    : "TLS is not enabled (enable_tls=yes)")
                                              : "this transport is not served"));
        if (params.enable_tls && !tls.loaded())
            throw std::runtime_error("enable_tls=yes needs the tls module (loadmodule \"tls.so\")");
        // Each message runs wholly on the script published when it arrived, whatever a reload publishes
        // meanwhile.
        transport = std::make_unique<net::udp_transport>(
            listen_specs(params, "udp"), children,
            [&runtime, &interpreter](net::udp_worker& worker, const net::datagram& d) {
                script::interpreter::message_scope pin(*interpreter, true);
                runtime.on_datagram(worker, d);
            },
            tcp_readers);
        auto tcp_listens = stream_listen_specs(params);
        if (!tcp_listens.empty()) {
            auto options = tcp_options_from(params);
            if (tls.connection_timeout() > 0)
                options.tls_lifetime = std::chrono::seconds(tls.connection_timeout());
            // A connection lives on one TCP reader, which runs the script for each of its messages, in order,
            // as a UDP worker does for a datagram.
            auto* udp = transport.get();
            tcp = std::make_unique<net::tcp_transport>(
                tcp_listens, options,
                [&runtime, &interpreter](net::stream_message&& message) {
                    script::interpreter::message_scope pin(*interpreter, true);
                    runtime.on_stream_message(message);
                },
                params.enable_tls ? tls.provider() : net::tls_provider{},
                net::reader_loops{udp->reader_loops(), [udp] { return udp->current_reader(); }});
        }
        // The sockets are open: from here on siphost needs no privilege it was started with.
        if (std::string error; !drop_privileges(options, error))
            throw std::runtime_error(error);
    } catch (const std::exception& e) {
        core::log_host(SIPHOST_LOG_ERR, "core", e.what());
        runtime.attach(nullptr, nullptr, {});
        release_script();
        loaded.registry.destroy_all();
        remove_pid_files(options);
        return 1;
    }
    runtime.attach(transport.get(), &*interpreter, params.alias);
    runtime.attach_tcp(tcp.get());
    if (params.enable_tls)
        tls.attach(tcp.get());
    if (tcp)
        set_core_rpc_sources(
            {[&tcp] { return tcp->connection_count(); }, params.tcp_max_connections, tcp_readers});

    // Every thread that may call a module runs the modules' thread_init first. A refusal stops the host
    // (module.h's promise): the thread asks the main thread to stop, as a signal would.
    std::atomic<bool> thread_init_failed{false};
    auto thread_init = [&loaded, &thread_init_failed](int kind, int index) {
        std::string error;
        note_thread(kind, index);
        if (!loaded.registry.init_thread(kind, index, error)) {
            core::log_host(SIPHOST_LOG_ERR, "core", error + ": stopping");
            if (!thread_init_failed.exchange(true))
                ::kill(::getpid(), SIGTERM);
        }
    };
    auto& slow_timers = net::async_loop::instance();
    slow_timers.start([&] { thread_init(SIPHOST_THREAD_ASYNC, 0); });
    timer_thread timers(
        services.timers(), [&] { thread_init(SIPHOST_THREAD_TIMER, 0); }, &*interpreter);
    services.set_idle_listener(
        [&timers](const siphost_module_handle* owner, bool idle) { timers.set_idle(owner, idle); });
    struct idle_listener_reset { // before timers goes, whichever way this function leaves
        plugin::host_services& services;
        ~idle_listener_reset() { services.set_idle_listener(nullptr); }
    } forget_timers{services};
    transport->start([&](int worker) {
        plugin::host_services::set_worker_index(worker);
        thread_init(SIPHOST_THREAD_WORKER, worker);
    });
    if (tcp)
        tcp->start();
    for (const auto& listen : transport->listens())
        core::log_host(SIPHOST_LOG_NOTICE, "core",
                       "listening on udp:" + listen->host + ":" + std::to_string(listen->port) + " with " +
                           std::to_string(children) + " workers");
    if (tcp)
        for (const auto& listen : tcp->listens())
            core::log_host(SIPHOST_LOG_NOTICE, "core",
                           "listening on " + listen->name + " with " + std::to_string(tcp_readers) +
                               " readers");

    // The main thread waits for a stop or a reload (SIGHUP, or siphost.reload, which queues its request and
    // wakes it with SIGHUP). While replaced scripts wait for their last messages, it looks each second.
    reload_requests reloads;
    retired_scripts retired;
    set_reload_handler([&reloads] { return reloads.ask(); });
    int signal = 0;
    while (signal == 0) {
        const timespec second{1, 0};
        int got = retired.empty() ? sigwaitinfo(&stop_signals, nullptr)
                                  : sigtimedwait(&stop_signals, nullptr, &second);
        if (got == SIGHUP) {
            reloads.serve([&](bool requested) {
                return reload_script(options, loaded, *interpreter, retired,
                                     requested ? "siphost.reload" : "SIGHUP");
            });
        } else if (got == SIGINT || got == SIGTERM) {
            signal = got;
        } else {
            retired.reap(); // the second passed (EAGAIN) or a signal interrupted the wait (EINTR)
        }
    }
    set_reload_handler({});
    reloads.close();
    if (!thread_init_failed)
        core::log_host(SIPHOST_LOG_NOTICE, "core",
                       std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));

    set_core_rpc_sources({});
    if (tcp)
        tcp->stop(); // first: no message comes in for the workers to handle after they stop
    tls.detach();
    transport->stop();
    timers.stop();
    slow_timers.stop();
    std::string counters = metrics_line();
    if (!counters.empty())
        core::log_host(SIPHOST_LOG_NOTICE, "core", "counters:" + counters);
    runtime.attach(nullptr, nullptr, {});
    runtime.attach_tcp(nullptr);
    parts = {};
    retired.clear(); // every thread has stopped: the replaced scripts' fixup_free run here, before destroy
    release_script();
    loaded.registry.destroy_all();
    core::metric_registry::instance().reset();
    services.reset();
    remove_pid_files(options);
    return thread_init_failed ? 1 : 0;
}

} // namespace siphost::app
