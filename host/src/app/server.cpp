#include "app/server.hpp"

#include "abi/host_table.hpp"
#include "app/registry_catalog.hpp"
#include "app/timer_thread.hpp"
#include "cfg/config_reader.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "flow/runtime.hpp"
#include "net/async_loop.hpp"
#include "net/udp_transport.hpp"
#include "plugin/host_services.hpp"
#include "plugin/module_registry.hpp"
#include "script/interpreter.hpp"

#include <csignal>
#include <iostream>
#include <pthread.h>
#include <unistd.h>

namespace siphost::app {
namespace {

cfg::read_options read_options_from(const core::command_line& options) {
    cfg::read_options read;
    for (const auto& [name, value] : options.defines)
        read.defines.push_back(value.empty() ? name : name + "=" + value);
    return read;
}

struct loaded_config {
    plugin::module_registry registry;
    std::unique_ptr<registry_catalog> catalog;
    cfg::diagnostics diagnostics;
    std::shared_ptr<const script::compiled_script> script;
    std::string init_error; ///< a module's init, or the load order, refused
};

// The phases in Kamailio's order: read the config (loadmodule and modparam take effect as it is read), run
// every module's init in load order, then compile the script, which runs the fixups. The host table works
// from init on: route_lookup answers from the blocks that were read until the script is compiled.
void load(const core::command_line& options, loaded_config& out) {
    out.catalog = std::make_unique<registry_catalog>(out.registry, options.module_path, default_module_dirs());
    cfg::config config;
    if (!cfg::read_config_file(options.config_file, read_options_from(options), out.catalog.get(), out.diagnostics,
                               config))
        return;
    auto& parts = abi::parts();
    parts.registry = &out.registry;
    plugin::host_services::instance().set_worker_count(options.children.value_or(config.params.children));
    parts.routes_read.clear();
    for (const auto& route : config.routes)
        parts.routes_read.emplace_back(route.type, route.name);
    try {
        out.registry.init_all(abi::host_table());
    } catch (const plugin::load_error& e) {
        out.init_error = e.what();
        return;
    }
    out.script = script::compiled_script::compile(std::move(config), out.catalog.get(), out.diagnostics);
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

std::vector<net::listen_spec> listen_specs(const cfg::global_params& params) {
    std::vector<net::listen_spec> specs;
    for (const auto& listen : params.listen)
        specs.push_back({listen.proto.empty() ? "udp" : listen.proto, listen.host,
                         listen.port != 0 ? listen.port : params.port});
    if (specs.empty()) // Kamailio listens on every address; siphost needs one to be named or takes them all
        specs.push_back({"udp", "0.0.0.0", params.port});
    return specs;
}

// Blocks SIGINT/SIGTERM in every thread started after this, so that the main thread alone waits for them.
sigset_t block_stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

} // namespace

int check_config(const core::command_line& options) {
    core::configure_logging({SIPHOST_LOG_WARN, core::log_target::stderr_stream});
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
    auto& services = plugin::host_services::instance();
    flow::runtime runtime;
    auto& parts = abi::parts();
    parts.runtime = &runtime;
    loaded_config loaded;
    load(options, loaded);
    print_diagnostics(loaded);
    if (!loaded.script)
        return 1;
    const auto& params = loaded.script->params();
    int children = services.worker_count();

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

    script::interpreter interpreter(loaded.script, &runtime);
    runtime.attach(nullptr, &interpreter, params.alias);
    parts.interpreter = &interpreter;

    sigset_t stop_signals = block_stop_signals();
    std::unique_ptr<net::udp_transport> transport;
    try {
        transport = std::make_unique<net::udp_transport>(
            listen_specs(params), children,
            [&runtime](net::udp_worker& worker, const net::datagram& d) { runtime.on_datagram(worker, d); });
    } catch (const std::exception& e) {
        core::log_host(SIPHOST_LOG_ERR, "core", e.what());
        loaded.registry.destroy_all();
        return 1;
    }
    runtime.attach(transport.get(), &interpreter, params.alias);

    // Every thread that may call a module runs the modules' thread_init first.
    auto thread_init = [&loaded](int kind, int index) {
        std::string error;
        if (!loaded.registry.init_thread(kind, index, error))
            core::log_host(SIPHOST_LOG_ERR, "core", error);
    };
    auto& slow_timers = net::async_loop::instance();
    slow_timers.start([&] { thread_init(SIPHOST_THREAD_ASYNC, 0); });
    timer_thread timers(services.timers(), [&] { thread_init(SIPHOST_THREAD_TIMER, 0); });
    transport->start([&](int worker) {
        plugin::host_services::set_worker_index(worker);
        thread_init(SIPHOST_THREAD_WORKER, worker);
    });
    for (const auto& listen : transport->listens())
        core::log_host(SIPHOST_LOG_NOTICE, "core",
                       "listening on udp:" + listen->host + ":" + std::to_string(listen->port) + " with " +
                           std::to_string(children) + " workers");

    int signal = 0;
    sigwait(&stop_signals, &signal);
    core::log_host(SIPHOST_LOG_NOTICE, "core", std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));

    transport->stop();
    timers.stop();
    slow_timers.stop();
    std::string counters = metrics_line();
    if (!counters.empty())
        core::log_host(SIPHOST_LOG_NOTICE, "core", "counters:" + counters);
    runtime.attach(nullptr, nullptr, {});
    parts = {};
    loaded.registry.destroy_all();
    core::metric_registry::instance().reset();
    services.reset();
    return 0;
}

} // namespace siphost::app
