#include "script/reload.hpp"

#include <algorithm>

namespace siphost::script {
namespace {

constexpr const char* restart_hint = "restart siphost to change it";

/// "tm" for "tm", "tm.so", "/usr/lib/siphost/modules/tm.so": how loadmodule's argument names a module.
std::string module_key(std::string_view written) {
    auto slash = written.rfind('/');
    if (slash != std::string_view::npos)
        written.remove_prefix(slash + 1);
    if (written.size() > 3 && written.substr(written.size() - 3) == ".so")
        written.remove_suffix(3);
    return std::string(written);
}

std::string param_key(std::string_view regex, std::string_view name) {
    return std::string(regex) + '\0' + std::string(name);
}

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

std::string listen_text(const cfg::listen_address& l) {
    std::string text = l.proto.empty() ? "" : l.proto + ":";
    text += l.ipv6 ? "[" + l.host + "]" : l.host;
    if (l.port != 0)
        text += ":" + std::to_string(l.port);
    if (!l.advertise.empty())
        text += " advertise " + l.advertise;
    return text;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out.empty() ? "none" : out;
}

/// The parameters a reload takes from the new config: the script reads them from its compiled form.
bool live_param(const std::string& name) {
    return name == "log_prefix" || name == "max_while_loops";
}

} // namespace

std::string applied_modules::param::value_text() const {
    return is_int ? std::to_string(number) : quoted(text);
}

cfg::load_result recording_catalog::load_module(std::string_view name, std::string_view options,
                                                std::string_view mpath) {
    cfg::load_result result = inner_.load_module(name, options, mpath);
    if (result.ok && !result.already_loaded)
        applied_.modules.push_back({std::string(name), result.module_name});
    return result;
}

std::string recording_catalog::set_module_param(std::string_view module_regex, std::string_view param,
                                                const siphost_value& value) {
    std::string error = inner_.set_module_param(module_regex, param, value);
    if (error.empty()) {
        bool is_int = value.kind == SIPHOST_VALUE_INT;
        applied_modules::param p{
            std::string(module_regex), std::string(param), is_int, is_int ? value.num : 0, {}};
        if (!p.is_int && value.str.s != nullptr)
            p.text.assign(value.str.s, value.str.len);
        applied_.params.push_back(std::move(p));
    }
    return error;
}

cfg::load_result reload_catalog::load_module(std::string_view name, std::string_view, std::string_view) {
    cfg::load_result result;
    std::string key = module_key(name);
    auto running = std::find_if(applied_.modules.begin(), applied_.modules.end(),
                                [&](const auto& m) { return m.name == key || module_key(m.written) == key; });
    if (running == applied_.modules.end()) {
        std::vector<std::string> names;
        for (const auto& m : applied_.modules)
            names.push_back(m.name);
        result.error = "loadmodule " + quoted(name) +
                       ": a reload cannot load a module siphost is not running (running: " + joined(names) +
                       "); restart siphost to load it";
        return result;
    }
    result.ok = true;
    result.module_name = running->name;
    // A second loadmodule of one module warns, as at start-up.
    result.already_loaded = !loaded_.insert(running->name).second;
    return result;
}

std::string reload_catalog::set_module_param(std::string_view module_regex, std::string_view param,
                                             const siphost_value& value) {
    std::size_t occurrence = seen_params_[param_key(module_regex, param)]++;
    const applied_modules::param* running = nullptr;
    std::size_t count = 0;
    for (const auto& p : applied_.params)
        if (p.module_regex == module_regex && p.name == param && count++ == occurrence) {
            running = &p;
            break;
        }
    std::string what = "modparam(" + quoted(module_regex) + ", " + quoted(param) + ")";
    bool is_int = value.kind == SIPHOST_VALUE_INT;
    applied_modules::param next{{}, {}, is_int, is_int ? value.num : 0, {}};
    if (!next.is_int && value.str.s != nullptr)
        next.text.assign(value.str.s, value.str.len);
    if (running == nullptr)
        return what +
               (occurrence == 0 ? " is not in the running config"
                                : " is given " + std::to_string(occurrence + 1) +
                                      " times here, fewer in the running config") +
               ": module parameters take effect at start-up only; restart siphost to add it";
    if (running->is_int != next.is_int || running->number != next.number || running->text != next.text)
        return what + " is " + running->value_text() + " in the running config, " + next.value_text() +
               " here: module parameters take effect at start-up only; " + restart_hint;
    return {};
}

void reload_catalog::finish(cfg::diagnostics& diags) const {
    for (const auto& m : applied_.modules)
        if (loaded_.count(m.name) == 0)
            diags.error({}, "the new config does not load module " + quoted(m.name) +
                                ", which runs: a reload cannot unload a module; restart siphost to drop it");
    std::map<std::string, std::size_t> running_counts;
    for (const auto& p : applied_.params) {
        std::size_t index = running_counts[param_key(p.module_regex, p.name)]++;
        auto seen = seen_params_.find(param_key(p.module_regex, p.name));
        if (seen == seen_params_.end() || seen->second <= index)
            diags.error({}, "the new config lacks modparam(" + quoted(p.module_regex) + ", " +
                                quoted(p.name) + ", " + p.value_text() +
                                ") of the running config: module parameters take effect at start-up only; " +
                                "restart siphost to take it back");
    }
}

std::vector<std::string> fixed_param_changes(const cfg::global_params& running,
                                             const cfg::global_params& next) {
    std::vector<std::string> changes;
    auto listens = [](const cfg::global_params& p) {
        std::vector<std::string> out;
        for (const auto& l : p.listen)
            out.push_back(listen_text(l));
        return out;
    };
    auto running_listens = listens(running), next_listens = listens(next);
    if (running_listens != next_listens)
        changes.push_back("listen changed (running: " + joined(running_listens) +
                          "; new config: " + joined(next_listens) +
                          "): sockets are opened at start-up only; restart siphost to change them");
    if (running.alias != next.alias)
        changes.push_back("alias changed (running: " + joined(running.alias) +
                          "; new config: " + joined(next.alias) +
                          "): the server's names are set at start-up only; " + restart_hint);
    std::set<std::string> names;
    for (const auto& [name, value] : running.written)
        names.insert(name);
    for (const auto& [name, value] : next.written)
        names.insert(name);
    for (const auto& name : names) {
        if (name == "listen" || name == "alias" || live_param(name))
            continue;
        auto a = running.written.find(name), b = next.written.find(name);
        std::string was = a == running.written.end() ? "not set" : a->second;
        std::string is = b == next.written.end() ? "not set" : b->second;
        if (was == is)
            continue;
        std::string sentence = name + " changed from " + was + " to " + is +
                               ": global parameters take effect at start-up only; " + restart_hint;
        if (name == "debug")
            sentence += " (or change the log level live: kamcmd cfg.seti core debug " + is + ")";
        changes.push_back(std::move(sentence));
    }
    return changes;
}

namespace {

std::shared_ptr<const compiled_script> check_and_compile(bool read_ok, cfg::config config,
                                                         const reload_catalog& catalog,
                                                         const cfg::module_catalog& running,
                                                         const compiled_script& running_script,
                                                         cfg::diagnostics& diags) {
    const cfg::global_params& running_params = running_script.params();
    // A read that stopped early (a file that cannot be opened) would make every running module look dropped.
    if (read_ok || !config.modules.empty())
        catalog.finish(diags);
    if (read_ok)
        for (const auto& change : fixed_param_changes(running_params, config.params)) {
            // A listen line points at itself; other parameters are named in the sentence.
            cfg::source_location where{};
            if (change.rfind("listen", 0) == 0 && !config.params.listen.empty())
                where = config.params.listen.front().where;
            diags.error(where, change);
        }
    // A module looks its event routes up once, at start-up: one the running script lacked would never run.
    for (const auto& route : config.routes)
        if (route.type == SIPHOST_ROUTE_EVENT && running_script.route_lookup(SIPHOST_ROUTE_EVENT, route.name) < 0)
            diags.error(route.where, "event_route[" + route.name +
                                         "] is new: modules look up their event routes at start-up only; "
                                         "restart siphost to add it");
    if (!read_ok || diags.has_errors()) {
        diags.sort();
        return nullptr;
    }
    return compiled_script::compile(std::move(config), &running, diags);
}

} // namespace

std::shared_ptr<const compiled_script>
read_for_reload(const std::string& path, const cfg::read_options& options, const cfg::module_catalog& running,
                const applied_modules& applied, const compiled_script& running_script, cfg::diagnostics& diags) {
    reload_catalog catalog(running, applied);
    cfg::config config;
    bool ok = cfg::read_config_file(path, options, &catalog, diags, config);
    return check_and_compile(ok, std::move(config), catalog, running, running_script, diags);
}

std::shared_ptr<const compiled_script>
read_text_for_reload(const std::string& display_name, std::string text, const cfg::read_options& options,
                     const cfg::module_catalog& running, const applied_modules& applied,
                     const compiled_script& running_script, cfg::diagnostics& diags) {
    reload_catalog catalog(running, applied);
    cfg::config config;
    bool ok = cfg::read_config_text(display_name, std::move(text), options, &catalog, diags, config);
    return check_and_compile(ok, std::move(config), catalog, running, running_script, diags);
}

} // namespace siphost::script
