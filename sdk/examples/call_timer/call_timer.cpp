// call_timer: how long each INVITE relayed through tm waits for its first provisional reply (post-dial delay:
// what the caller hears as silence) and for its final reply, as metrics and as one log line per call.
//
//   modparam("call_timer", "log_level", "info")  the per-call line's level: a Kamailio number (-5 .. 3) or a
//                                                name (L_NOTICE, notice, ...); default info
//   modparam("call_timer", "slow_ms", 3000)      a call that waited longer for its first provisional reply (or
//                                                for its final one, without any) is counted as slow and its
//                                                line is logged at warning at least; 0, the default: off
//
//   metrics   call_timer.calls{class=2xx..6xx}  INVITEs completed, by their final reply's class
//             call_timer.in_progress            INVITEs waiting for their final reply
//             call_timer.slow                   calls over slow_ms
//   RPC       call_timer.stats                  the same, with average times
//
// Written in C++17 against the SDK headers only (siphost/module.hpp, siphost/api/tm.h), as a third party
// writes a module; docs/sdk.md explains each part.
#include <siphost/api/tm.h>
#include <siphost/module.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace {

namespace sdk = siphost::sdk;

const siphost_host_api* host = nullptr;
siphost_module_handle* self = nullptr;
const siphost_tm_api_v1* tm = nullptr;

// Module parameters: written before init, only read afterwards.
int32_t log_level = SIPHOST_LOG_INFO;
int32_t slow_ms = 0;

constexpr std::array<const char*, 7> class_names = {nullptr, nullptr, "2xx", "3xx", "4xx", "5xx", "6xx"};
std::array<siphost_metric*, 7> calls_by_class{}; // indexed by code / 100
siphost_metric* in_progress = nullptr;
siphost_metric* slow_calls = nullptr;

// Sums behind the RPC's averages; any worker or the timer thread adds to them.
std::atomic<int64_t> provisional_ms_sum{0};
std::atomic<int64_t> provisional_count{0};
std::atomic<int64_t> final_ms_sum{0};
std::atomic<int64_t> final_count{0};

struct call {
    uint64_t start_ms = 0;
    uint64_t provisional_ms = 0;
    int provisional_code = 0; // 0: no provisional reply yet
    bool completed = false;
    std::string call_id;
};

// Every call being timed. tm reports no DESTROY for transactions still there at shutdown, so destroy() frees
// what is left here. A call's own fields need no lock: only its transaction's callbacks touch them, and tm
// runs those under the transaction's lock.
std::mutex calls_lock;
std::unordered_map<const call*, std::unique_ptr<call>> calls;

void forget(const call* c) {
    std::lock_guard<std::mutex> lock(calls_lock);
    calls.erase(c);
}

void finish(call& c, int code) {
    if (c.completed)
        return;
    c.completed = true;
    uint64_t final_ms = host->now_ms() - c.start_ms;
    host->metrics->metric_add(in_progress, -1);
    int cls = code / 100;
    if (cls >= 2 && cls <= 6)
        host->metrics->metric_add(calls_by_class[static_cast<size_t>(cls)], 1);
    final_ms_sum += static_cast<int64_t>(final_ms);
    ++final_count;

    uint64_t waited = c.provisional_code != 0 ? c.provisional_ms : final_ms;
    bool slow = slow_ms > 0 && waited > static_cast<uint64_t>(slow_ms);
    int level = log_level;
    if (slow) {
        host->metrics->metric_add(slow_calls, 1);
        if (level > SIPHOST_LOG_WARN) // lower numbers are more severe
            level = SIPHOST_LOG_WARN;
    }
    if (!host->log_enabled(level))
        return;
    std::string line = "INVITE " + c.call_id + ": " + std::to_string(code) + " after " + std::to_string(final_ms) +
                       " ms, ";
    if (c.provisional_code != 0)
        line += "first provisional " + std::to_string(c.provisional_code) + " after " +
                std::to_string(c.provisional_ms) + " ms";
    else
        line += "no provisional reply";
    if (slow)
        line += " (slow)";
    sdk::log(host, self, level, line);
}

// The callback of one INVITE transaction; param is its call.
void on_call_event(const siphost_tm_callback_params* p) noexcept {
    sdk::guard(0, [p] {
        auto* c = static_cast<call*>(p->param);
        switch (p->type) {
        case SIPHOST_TM_CB_RESPONSE_IN:
            // A 100 only says that the next hop got the INVITE; a 18x is what reaches the caller.
            if (p->code > 100 && p->code < 200 && c->provisional_code == 0) {
                c->provisional_code = p->code;
                c->provisional_ms = host->now_ms() - c->start_ms;
                provisional_ms_sum += static_cast<int64_t>(c->provisional_ms);
                ++provisional_count;
            }
            break;
        case SIPHOST_TM_CB_COMPLETED:
            finish(*c, p->code);
            break;
        case SIPHOST_TM_CB_DESTROY:
            if (!c->completed) // freed without a final reply upstream: no longer in progress all the same
                host->metrics->metric_add(in_progress, -1);
            forget(c);
            break;
        default:
            break;
        }
        return 0;
    });
}

// Every new transaction passes here (registered at init); only INVITEs are timed.
void on_request_in(const siphost_tm_callback_params* p) noexcept {
    sdk::guard(0, [p] {
        auto info = sdk::sized<siphost_tm_transaction_info>();
        if (tm->transaction_info(p->t, &info) != 0 || sdk::view(info.method) != "INVITE")
            return 0;
        auto owned = std::make_unique<call>();
        call* c = owned.get();
        c->start_ms = info.created_ms;
        c->call_id = sdk::view(info.call_id);
        {
            std::lock_guard<std::mutex> lock(calls_lock);
            calls.emplace(c, std::move(owned));
        }
        uint32_t types = SIPHOST_TM_CB_RESPONSE_IN | SIPHOST_TM_CB_COMPLETED | SIPHOST_TM_CB_DESTROY;
        if (tm->register_callback(p->t, types, on_call_event, c) != 0) {
            forget(c);
            return 0;
        }
        host->metrics->metric_add(in_progress, 1);
        return 0;
    });
}

// log_level takes Kamailio's numbers or the names xlog's L_ constants use.
int set_log_level(const char* /*name*/, const siphost_value* value, char* err, size_t err_size) noexcept {
    return sdk::guard_with_error(err, err_size, [value] {
        static constexpr std::pair<std::string_view, int> levels[] = {
            {"alert", SIPHOST_LOG_ALERT}, {"bug", SIPHOST_LOG_BUG},       {"crit", SIPHOST_LOG_CRIT},
            {"err", SIPHOST_LOG_ERR},     {"warn", SIPHOST_LOG_WARN},     {"notice", SIPHOST_LOG_NOTICE},
            {"info", SIPHOST_LOG_INFO},   {"dbg", SIPHOST_LOG_DBG}};
        int64_t number = 0;
        if (sdk::arg_int(*value, number)) {
            if (number < SIPHOST_LOG_ALERT || number > SIPHOST_LOG_DBG)
                throw sdk::config_error("log_level must be from -5 (alert) to 3 (dbg), not " +
                                        std::to_string(number));
            log_level = static_cast<int32_t>(number);
            return 0;
        }
        std::string_view name = sdk::trim(sdk::arg_view(*value));
        if (name.size() > 2 && sdk::iequals(name.substr(0, 2), "L_"))
            name.remove_prefix(2);
        for (const auto& [level_name, level] : levels) {
            if (sdk::iequals(name, level_name)) {
                log_level = level;
                return 0;
            }
        }
        throw sdk::config_error("log_level '" + std::string(sdk::arg_view(*value)) +
                                "' is not a level (alert, bug, crit, err, warn, notice, info, dbg)");
    });
}

void rpc_stats(siphost_rpc_call* rpc_call) noexcept {
    sdk::guard(0, [rpc_call] {
        const siphost_rpc_api* rpc = host->rpc;
        siphost_rpc_node* stats = rpc->add_struct(rpc->result(rpc_call), nullptr);
        siphost_rpc_node* completed = stats != nullptr ? rpc->add_struct(stats, "calls") : nullptr;
        if (completed == nullptr)
            return 0;
        for (size_t cls = 2; cls < class_names.size(); ++cls)
            rpc->add_int(completed, class_names[cls], host->metrics->metric_value(calls_by_class[cls]));
        rpc->add_int(stats, "in_progress", host->metrics->metric_value(in_progress));
        rpc->add_int(stats, "slow", host->metrics->metric_value(slow_calls));
        int64_t provisionals = provisional_count.load();
        int64_t finals = final_count.load();
        rpc->add_double(stats, "avg_first_provisional_ms",
                        provisionals > 0 ? static_cast<double>(provisional_ms_sum.load()) / provisionals : 0.0);
        rpc->add_double(stats, "avg_final_ms",
                        finals > 0 ? static_cast<double>(final_ms_sum.load()) / finals : 0.0);
        return 0;
    });
}

siphost_metric* register_metric(const char* name, uint32_t kind, const char* help,
                                const char* const* labels = nullptr) {
    auto desc = sdk::sized<siphost_metric_desc>();
    desc.name = name;
    desc.kind = kind;
    desc.help = help;
    desc.labels = labels;
    siphost_metric* metric = host->metrics->metric_register(self, &desc);
    if (metric == nullptr)
        throw sdk::config_error(std::string("could not register the metric ") + name);
    return metric;
}

int init(const siphost_host_api* api, siphost_module_handle* handle, char* err, size_t err_size) noexcept {
    host = api;
    self = handle;
    return sdk::guard_with_error(err, err_size, [] {
        if (slow_ms < 0)
            throw sdk::config_error("slow_ms must not be negative");
        // depends names tm, so tm is loaded and initialised first and its table is there now.
        tm = static_cast<const siphost_tm_api_v1*>(host->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR));
        if (tm == nullptr)
            throw sdk::config_error("tm's API (major " + std::to_string(SIPHOST_TM_API_MAJOR) + ") is not there");

        static const char* const class_label[] = {"class", nullptr};
        siphost_metric* family = register_metric(
            "calls", SIPHOST_METRIC_COUNTER, "INVITEs completed, by the class of their final reply", class_label);
        // Every class exists from the start, so that a scraper sees 0 rather than nothing.
        for (size_t cls = 2; cls < class_names.size(); ++cls) {
            siphost_str value = sdk::str(class_names[cls]);
            calls_by_class[cls] = host->metrics->metric_labels(family, &value, 1);
            if (calls_by_class[cls] == nullptr)
                throw sdk::config_error("could not create the series of call_timer.calls");
        }
        in_progress = register_metric("in_progress", SIPHOST_METRIC_GAUGE, "INVITEs waiting for a final reply");
        slow_calls = register_metric("slow", SIPHOST_METRIC_COUNTER, "calls that waited longer than slow_ms");

        // One registration sees every transaction from now on; each INVITE then gets callbacks of its own.
        if (tm->register_callback(nullptr, SIPHOST_TM_CB_REQUEST_IN, on_request_in, nullptr) != 0)
            throw sdk::config_error("tm refused the REQUEST_IN callback");
        return 0;
    });
}

void destroy() noexcept {
    std::lock_guard<std::mutex> lock(calls_lock);
    calls.clear();
}

const siphost_param params[] = {
    sdk::setter_param("log_level", SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING, set_log_level,
                      "the per-call line's level: -5 .. 3 or a name (info)"),
    sdk::int_param("slow_ms", &slow_ms, "calls waiting longer for their first reply are slow (0: off)"),
    sdk::end_of_params(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("call_timer.stats", rpc_stats, "INVITEs completed by class, in progress, slow, average times"),
    sdk::end_of_rpcs(),
};

const char* const depends[] = {"tm", nullptr};

sdk::module_spec describe() {
    sdk::module_spec spec;
    spec.name = "call_timer";
    spec.version = "1.0";
    spec.params = params;
    spec.rpcs = rpcs;
    spec.depends = depends;
    spec.init = init;
    spec.destroy = destroy;
    return spec;
}

const siphost_module descriptor = sdk::module(describe());

} // namespace

SIPHOST_MODULE(descriptor)
