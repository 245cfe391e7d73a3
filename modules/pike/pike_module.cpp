// pike: flood detection per source address (Kamailio's pike module).
//
//   pike_check_req()      counts the request against its source address: 1 allowed, -1 a flood source
//                         already reported, -2 a flood source seen for the first time (logged, and
//                         event_route[pike:blocked] runs)
//   pike_check_ip(addr)   the same for an address given as text ("$si", "192.0.2.1", "2001:db8::1")
//   RPC pike.top [ALL|HOT|WARM], pike.list (its alias): the addresses kept, hottest first
//   metric pike:blocked_ips: the flood sources not forgotten yet
//
// An address is hot when it sent more than reqs_density_per_unit requests in the current sampling_time_unit,
// or on average over the current and the previous one. It is forgotten (and logged as unblocked when it was
// a flood source) remove_latency seconds after its last request. Counting is per address in a table every
// worker shares (ip_table.hpp), not Kamailio's tree of address bytes.
#include "ip_table.hpp"

#include <siphost/module.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

namespace siphost::modules::pike {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
std::unique_ptr<ip_table> table_;
uint64_t seconds_ = 0; ///< timer ticks so far (timer thread only)
std::atomic<bool> full_reported_{false};

int32_t sampling_time_unit_ = 2;
int32_t reqs_density_per_unit_ = 30;
int32_t remove_latency_ = 120;
int32_t pike_log_level_ = SIPHOST_LOG_WARN;

/// The most addresses kept at once: about 100 bytes each, so some 25 MB at most.
constexpr size_t max_addresses = 1u << 18;

const char blocked_event[] = "pike:blocked";

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

/// Runs event_route[pike:blocked] on a copy of the request, since the script is running on the request
/// itself.
void raise_blocked_event(siphost_msg* msg) {
    int route = host_->events->lookup(self_, sdk::str(blocked_event));
    if (route < 0 || msg == nullptr)
        return;
    siphost_msg* copy = host_->msg_clone(msg);
    if (copy == nullptr) {
        log(SIPHOST_LOG_ERR, "no memory to run event_route[pike:blocked]");
        return;
    }
    host_->events->run(route, copy);
    host_->msg_free(copy);
}

int check_address(siphost_msg* msg, const ip_address& address) {
    switch (table_->hit(address, host_->now_ms())) {
    case verdict::allowed:
        return 1;
    case verdict::blocked:
        return -1;
    case verdict::newly_blocked:
        log(pike_log_level_, "PIKE - BLOCKing ip " + address.to_string());
        raise_blocked_event(msg);
        return -2;
    case verdict::table_full:
        // As Kamailio does when it has no memory for a node: the request passes rather than being blamed.
        if (!full_reported_.exchange(true))
            log(SIPHOST_LOG_ERR, "the address table is full (" + std::to_string(max_addresses) +
                                     " addresses): new addresses pass unchecked until old ones expire");
        return 1;
    }
    return 1;
}

// ---- script commands ----

int cmd_pike_check_req(siphost_msg* msg, const siphost_value*, void*) {
    siphost_dest source = sdk::sized<siphost_dest>();
    ip_address address;
    if (host_->msg_source(msg, &source) != 0 || !ip_address::from_bytes(source.family, source.ip, address))
        return 1; // an internal error never blames the sender (Kamailio's rule)
    return check_address(msg, address);
}

int cmd_pike_check_ip(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view text = sdk::trim(sdk::arg_view(args[0]));
    ip_address address;
    if (!ip_address::parse(text, address)) {
        log(SIPHOST_LOG_ERR, "failed to parse ip address: " + std::string(text));
        return -1;
    }
    return check_address(msg, address);
}

// ---- RPC ----

void rpc_top(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    std::string_view filter = "HOT";
    if (rpc->param_count(call) > 0) {
        siphost_value value{};
        if (rpc->param(call, 0, &value) != 0 || value.kind != SIPHOST_VALUE_STR) {
            rpc->fault(call, 500, sdk::str("Bad argument. Select: ALL, HOT or WARM"));
            return;
        }
        filter = sdk::view(value.str);
        if (!sdk::iequals(filter, "ALL") && !sdk::iequals(filter, "HOT") && !sdk::iequals(filter, "WARM")) {
            rpc->fault(call, 500, sdk::str("Bad argument. Select: ALL, HOT or WARM"));
            return;
        }
    }
    siphost_rpc_node* top = rpc->add_struct(rpc->result(call), nullptr);
    if (top == nullptr)
        return;
    rpc->add_int(top, "max_hits", table_->density());
    siphost_rpc_node* list = rpc->add_array(top, "list");
    int64_t shown = 0;
    for (const ip_row& row : table_->rows(host_->now_ms())) {
        if (!sdk::iequals(filter, "ALL") && !sdk::iequals(filter, row.status))
            continue;
        siphost_rpc_node* node = list != nullptr ? rpc->add_struct(list, nullptr) : nullptr;
        if (node == nullptr)
            break;
        std::string address = row.address.to_string();
        rpc->add_str(node, "ip_addr", sdk::str(address));
        rpc->add_int(node, "leaf_hits_prev", row.hits_prev);
        rpc->add_int(node, "leaf_hits_curr", row.hits_curr);
        rpc->add_int(node, "expires", row.expires_s);
        rpc->add_str(node, "status", sdk::str(row.status));
        ++shown;
    }
    rpc->add_int(top, "number_of_rows", shown);
}

// ---- timer and metric ----

void on_second(uint64_t, void*) {
    ++seconds_;
    if (seconds_ % static_cast<uint64_t>(sampling_time_unit_) == 0) {
        table_->next_unit();
        full_reported_.store(false);
    }
    for (const ip_address& address : table_->expire(host_->now_ms()))
        log(pike_log_level_, "PIKE - UNBLOCKing ip " + address.to_string());
}

int64_t read_blocked(void*) {
    return table_ != nullptr ? static_cast<int64_t>(table_->blocked_count()) : 0;
}

// ---- lifecycle ----

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        self_ = self;
        if (sampling_time_unit_ < 1 || sampling_time_unit_ > 86400)
            throw sdk::config_error("sampling_time_unit must be from 1 to 86400 seconds");
        if (reqs_density_per_unit_ < 1)
            throw sdk::config_error("reqs_density_per_unit must be at least 1");
        if (remove_latency_ < 1 || remove_latency_ > 86400)
            throw sdk::config_error("remove_latency must be from 1 to 86400 seconds");
        if (pike_log_level_ < SIPHOST_LOG_ALERT || pike_log_level_ > SIPHOST_LOG_DBG)
            throw sdk::config_error("pike_log_level must be a log level from -5 (L_ALERT) to 3 (L_DBG)");
        table_ = std::make_unique<ip_table>(static_cast<uint32_t>(reqs_density_per_unit_),
                                            static_cast<uint64_t>(remove_latency_) * 1000, max_addresses);
        seconds_ = 0;
        // Ages the table on the slow timer thread: it takes every shard's lock in turn.
        if (host->async->every(self, 1000, SIPHOST_TIMER_SLOW, on_second, nullptr) != 0)
            throw sdk::config_error("cannot start the pike timer");
        siphost_metric_desc blocked = sdk::sized<siphost_metric_desc>();
        blocked.name = "blocked_ips";
        blocked.kind = SIPHOST_METRIC_GAUGE;
        blocked.help = "Flood sources reported and not forgotten yet";
        blocked.read = read_blocked;
        if (host->metrics->metric_register(self, &blocked) == nullptr)
            throw sdk::config_error("cannot register the blocked_ips metric");
        return 0;
    });
}

void destroy() {
    table_.reset();
}

constexpr uint32_t check_routes =
    SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_TM_ONREPLY;

const siphost_command commands[] = {
    sdk::command("pike_check_req", check_routes, sdk::guarded<&cmd_pike_check_req, 1>, {}, nullptr, nullptr,
                 "counts the request against its source address: 1 allowed, -1 flooding, -2 newly flooding"),
    sdk::command("pike_check_ip", check_routes, sdk::guarded<&cmd_pike_check_ip, 1>, {SIPHOST_ARG_STRING},
                 nullptr, nullptr, "counts a request against the given address, as pike_check_req"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("sampling_time_unit", &sampling_time_unit_, "the sampling period in seconds (2)"),
    sdk::int_param("reqs_density_per_unit", &reqs_density_per_unit_,
                   "requests allowed from one address per sampling period (30)"),
    sdk::int_param("remove_latency", &remove_latency_, "seconds an idle address is kept (120)"),
    sdk::int_param("pike_log_level", &pike_log_level_,
                   "log level of the block and unblock lines (0, L_WARN)"),
    sdk::end_of_params(),
};

const siphost_event events[] = {
    sdk::event(blocked_event, SIPHOST_ROUTE_EVENT, 0,
               "runs on a copy of the request when its address is first reported as a flood source"),
    sdk::end_of_events(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("pike.top", rpc_top, "Dump parts of the pike table: ALL, HOT (the default) or WARM addresses",
             "s"),
    sdk::rpc("pike.list", rpc_top, "Alias of pike.top", "s"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = "pike",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .events = events,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::pike

SIPHOST_MODULE(siphost::modules::pike::descriptor)
