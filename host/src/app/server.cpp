#include "app/server.hpp"

#include "app/registry_catalog.hpp"
#include "app/timer_thread.hpp"
#include "core/log.hpp"
#include "flow/runtime.hpp"
#include "net/udp_transport.hpp"
#include "plugin/host_services.hpp"
#include "plugin/module_registry.hpp"
#include "script/interpreter.hpp"
#include "script/script_loader.hpp"

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
};

// Reads and compiles the config; modules are loaded (not initialised) on the way.
void load(const core::command_line& options, loaded_config& out) {
    out.catalog = std::make_unique<registry_catalog>(out.registry, options.module_path, default_module_dirs());
    out.script = script::load_script(options.config_file, read_options_from(options), out.catalog.get(),
                                     out.diagnostics);
}

void print_diagnostics(const loaded_config& loaded) {
    for (const auto& warning : loaded.catalog->warnings())
        std::cerr << "siphost: warning: " << warning << "\n";
    auto text = loaded.diagnostics.format_all();
    if (!text.empty())
        std::cerr << text;
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
    loaded_config loaded;
    load(options, loaded);
    print_diagnostics(loaded);
    if (!loaded.script) {
        std::cerr << "siphost: " << options.config_file << ": " << loaded.diagnostics.error_count()
                  << " error(s), " << loaded.diagnostics.warning_count() << " warning(s)\n";
        return 1;
    }
    std::cout << options.config_file << ": " << loaded.script->summary() << "\n";
    return 0;
}

int run_server(const core::command_line& options) {
    // Until the config says otherwise, problems go to stderr: the user is looking at the terminal.
    core::configure_logging({SIPHOST_LOG_WARN, core::log_target::stderr_stream});
    loaded_config loaded;
    load(options, loaded);
    print_diagnostics(loaded);
    if (!loaded.script)
        return 1;
    const auto& params = loaded.script->params();

    core::log_settings logging;
    logging.debug = params.debug + options.debug_delta;
    logging.target = options.log_to_stderr || params.log_stderror ? core::log_target::stderr_stream
                                                                  : core::log_target::syslog;
    logging.syslog_facility = params.log_facility;
    try {
        core::configure_logging(logging);
    } catch (const std::exception& e) {
        std::cerr << "siphost: " << e.what() << "\n";
        return 1;
    }

    if (params.fork && options.foreground == 0 && ::daemon(0, 0) != 0) {
        std::cerr << "siphost: cannot run in the background\n";
        return 1;
    }

    int children = options.children.value_or(params.children);
    auto& services = plugin::host_services::instance();
    services.set_worker_count(children);
    flow::runtime runtime;
    script::interpreter interpreter(loaded.script, runtime.host_table(), &runtime);
    // The script is there before modules initialise, so that init may look up routes and parse pseudo-variables.
    runtime.attach(nullptr, &interpreter, params.alias);
    try {
        loaded.registry.init_all(runtime.host_table());
    } catch (const plugin::load_error& e) {
        core::log_host(SIPHOST_LOG_ERR, "core", e.what());
        return 1;
    }

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

    timer_thread timers(services.timers());
    transport->start([&loaded](int worker) {
        plugin::host_services::set_worker_index(worker);
        std::string error;
        if (!loaded.registry.init_worker(worker, error))
            core::log_host(SIPHOST_LOG_ERR, "core", error);
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
    runtime.attach(nullptr, nullptr, {});
    loaded.registry.destroy_all();
    std::string counters;
    for (const auto& [name, value] : services.counter_values())
        counters += " " + name + "=" + std::to_string(value);
    if (!counters.empty())
        core::log_host(SIPHOST_LOG_NOTICE, "core", "counters:" + counters);
    return 0;
}

} // namespace siphost::app
