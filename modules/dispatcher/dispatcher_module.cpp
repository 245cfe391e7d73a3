// dispatcher: load balancing and failover over sets of destinations (Kamailio's dispatcher module).
//
//   ds_select_dst(set, alg[, limit]), ds_select_domain(set, alg[, limit])   pick a destination ($du or the
//       Request-URI's host); with flags bit 2 the others go into the failover list for
//   ds_next_dst(), ds_next_domain()                                       the next one, in failure_route
//   ds_mark_dst([state])                                                  the state of the last one used
//   ds_load_update(), ds_load_unset()                                     algorithm 10's call load
//   ds_is_from_list([set[, mode[, uri]]]), ds_list_exists(set)
//   RPC: dispatcher.list, dispatcher.reload, dispatcher.set_state
//   Probing: OPTIONS through tm's t_uac every ds_ping_interval s; event_route[dispatcher:dst-down|dst-up].
//
// The failover list is an AVP named after xavp_dst (the host has AVPs, not XAVPs): one value per destination,
// "setid uri", the current one on top, so that tm carries it into failure_route with the transaction.
#include "call_load.hpp"
#include "db_source.hpp"
#include "destination_list.hpp"

#include <siphost/api/tm.h>
#include <siphost/module.hpp>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace siphost::modules::dispatcher {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
const siphost_tm_api_v1* tm_ = nullptr;

// ---- parameters ----
const char* list_file_ = nullptr;
const char* db_url_ = nullptr;
const char* table_name_ = "dispatcher";
table_columns columns_;
int32_t flags_ = 0;
const char* xavp_dst_ = "_dsdst_";
const char* setid_pvname_ = nullptr;
const char* ping_method_ = "OPTIONS";
const char* ping_from_ = "sip:dispatcher@localhost";
const char* ping_reply_codes_ = nullptr;
int32_t ping_interval_ = 0;
int32_t probing_threshold_ = 1;
int32_t inactive_threshold_ = 1;
int32_t probing_mode_ = 0;
int32_t hash_size_ = 0;            ///< ds_hash_size: > 0 turns algorithm 10 on
int32_t hash_expire_ = 7200;       ///< ds_hash_expire: s an answered call keeps its load
int32_t hash_initexpire_ = 7200;   ///< ds_hash_initexpire: s an unanswered call keeps its load
int32_t hash_check_interval_ = 30; ///< ds_hash_check_interval: s between scans for expired calls
call_load calls_;

siphost_pv_spec* setid_pv_ = nullptr;
std::vector<int> reply_codes_;   ///< ds_ping_reply_codes "code=N"
std::vector<int> reply_classes_; ///< ds_ping_reply_codes "class=N"

std::mutex sets_mutex_;
std::shared_ptr<destination_sets> sets_;

std::shared_ptr<destination_sets> current_sets() {
    std::lock_guard lock(sets_mutex_);
    return sets_;
}

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

uint64_t hash_of(std::string_view text) {
    uint64_t hash = 14695981039346656037ull;
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    return hash;
}

/// The first usable destination from index start on (wrapping), or -1.
int first_usable(const destination_set& set, size_t start) {
    size_t n = set.items.size();
    for (size_t i = 0; i < n; ++i)
        if (set.items[(start + i) % n]->usable())
            return static_cast<int>((start + i) % n);
    return -1;
}

/// Index of the destination alg picks, or -1 (none usable, or nothing to hash).
int pick(siphost_msg* msg, destination_set& set, int alg) {
    size_t n = set.items.size();
    if (n == 0)
        return -1;
    switch (alg) {
    case 0:
        return first_usable(set, hash_of(sdk::view(host_->msg_call_id(msg))) % n);
    case 1:
        return first_usable(set, hash_of(sdk::view(host_->msg_from_uri(msg))) % n);
    case 2:
        return first_usable(set, hash_of(sdk::view(host_->msg_to_uri(msg))) % n);
    case 4:
        return first_usable(set, set.next.fetch_add(1) % n);
    case 8:
        return first_usable(set, 0);
    case 9: {
        // 100 slots shared out by weight; a destination without weight gets none unless all lack it.
        int32_t total = 0;
        for (const auto& d : set.items)
            total += d->weight;
        if (total == 0)
            return first_usable(set, set.next.fetch_add(1) % n);
        uint32_t slot = set.next.fetch_add(1) % 100;
        uint32_t at = 0;
        for (size_t i = 0; i < n; ++i) {
            at += static_cast<uint32_t>(set.items[i]->weight);
            if (slot < at || i + 1 == n)
                return first_usable(set, i);
        }
        return -1;
    }
    case 10: {
        // The least loaded destination with a duid and room under its maxload; ties go to the first.
        int best = -1;
        int32_t best_load = 0;
        for (size_t i = 0; i < n; ++i) {
            const destination& d = *set.items[i];
            if (!d.usable() || d.duid.empty())
                continue;
            int32_t load = calls_.load(set.id, d.duid);
            if (d.maxload > 0 && load >= d.maxload)
                continue;
            if (best < 0 || load < best_load) {
                best = static_cast<int>(i);
                best_load = load;
            }
        }
        return best;
    }
    case 11: {
        // Shares among the usable destinations only, so that a destination going down spreads its load.
        uint32_t total = 0;
        for (const auto& d : set.items)
            if (d->usable())
                total += static_cast<uint32_t>(d->rweight);
        if (total == 0)
            return first_usable(set, set.next.fetch_add(1) % n);
        uint32_t slot = set.next.fetch_add(1) % total;
        uint32_t at = 0;
        for (size_t i = 0; i < n; ++i) {
            if (!set.items[i]->usable())
                continue;
            at += static_cast<uint32_t>(set.items[i]->rweight);
            if (slot < at)
                return static_cast<int>(i);
        }
        return -1;
    }
    default:
        return -1;
    }
}

const char* unsupported_algorithm(int64_t alg) {
    switch (alg) {
    case 0:
    case 1:
    case 2:
    case 4:
    case 8:
    case 9:
    case 11:
        return nullptr;
    case 10:
        return hash_size_ > 0 ? nullptr : "algorithm 10 (call load) needs ds_hash_size greater than 0";
    default:
        return "algorithm not supported (0, 1, 2, 4, 8, 9, 10 and 11 are)";
    }
}

/// Writes uri's host and port over the Request-URI's.
int set_ruri_host(siphost_msg* msg, const destination& dst) {
    std::string ruri(sdk::view(host_->msg_ruri(msg)));
    siphost_uri parsed;
    if (!sdk::parse_uri(host_, ruri, parsed) || parsed.host.len == 0)
        return -1;
    size_t begin = static_cast<size_t>(parsed.host.s - ruri.data());
    size_t end = begin + parsed.host.len;
    if (begin > 0 && ruri[begin - 1] == '[') {
        --begin;
        ++end;
    }
    if (parsed.port_text.len != 0)
        end = static_cast<size_t>(parsed.port_text.s - ruri.data()) + parsed.port_text.len;
    ruri.replace(begin, end - begin, dst.host);
    return host_->msg_set_ruri(msg, sdk::str(ruri)) == 0 ? 1 : -1;
}

int apply(siphost_msg* msg, const destination& dst, bool domain) {
    if (domain)
        return set_ruri_host(msg, dst);
    return host_->msg_set_dst_uri(msg, sdk::str(dst.uri)) == 0 ? 1 : -1;
}

int select(siphost_msg* msg, const siphost_value* args, bool domain, int64_t limit) {
    int64_t setid = 0, alg = 0;
    if (!sdk::arg_int(args[0], setid) || !sdk::arg_int(args[1], alg))
        return -1;
    if (const char* why = unsupported_algorithm(alg)) {
        log(SIPHOST_LOG_ERR, "ds_select: " + std::string(why));
        return -1;
    }
    std::string_view call_id = sdk::view(host_->msg_call_id(msg));
    if (alg == 10 && (sdk::view(host_->msg_method(msg)) != "INVITE" || call_id.empty())) {
        log(SIPHOST_LOG_ERR, "ds_select: algorithm 10 (call load) dispatches INVITEs only");
        return -1;
    }
    auto sets = current_sets();
    auto* set = sets ? const_cast<destination_set*>(sets->find(static_cast<int32_t>(setid))) : nullptr;
    if (set == nullptr) {
        log(SIPHOST_LOG_ERR, "ds_select: no destination set " + std::to_string(setid));
        return -1;
    }
    int chosen = pick(msg, *set, static_cast<int>(alg));
    if (chosen < 0)
        return -1;
    if (alg == 10)
        calls_.add(call_id, set->id, set->items[static_cast<size_t>(chosen)]->duid,
                   host_->now_ms() + uint64_t(hash_initexpire_) * 1000);
    if ((flags_ & 2) != 0) {
        siphost_avp_list* avps = host_->msg_avps(msg);
        siphost_str name = sdk::str(xavp_dst_);
        host_->avp_delete(avps, name, -1);
        std::vector<const destination*> order;
        size_t n = set->items.size();
        for (size_t i = 0; i < n && (limit <= 0 || static_cast<int64_t>(order.size()) < limit); ++i) {
            const destination* d = set->items[(static_cast<size_t>(chosen) + i) % n].get();
            if (i == 0 || d->usable())
                order.push_back(d);
        }
        // Added last first, so that value 0 (the top) is the current destination.
        for (auto it = order.rbegin(); it != order.rend(); ++it) {
            std::string value = std::to_string(setid) + " " + (*it)->uri;
            siphost_value v = sdk::str_value(value);
            host_->avp_add(avps, name, &v);
        }
    }
    return apply(msg, *set->items[static_cast<size_t>(chosen)], domain);
}

int cmd_select_dst(siphost_msg* msg, const siphost_value* args, void*) {
    return select(msg, args, false, 0);
}
int cmd_select_dst_limit(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t limit = 0;
    return sdk::arg_int(args[2], limit) ? select(msg, args, false, limit) : -1;
}
int cmd_select_domain(siphost_msg* msg, const siphost_value* args, void*) {
    return select(msg, args, true, 0);
}
int cmd_select_domain_limit(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t limit = 0;
    return sdk::arg_int(args[2], limit) ? select(msg, args, true, limit) : -1;
}

std::unique_ptr<int> fix_select(const siphost_value* args, const int* constant) {
    int64_t alg = 0;
    if (constant[0] && !sdk::arg_int(args[0], alg))
        throw sdk::config_error("the set id must be a number");
    if (constant[1]) {
        if (!sdk::arg_int(args[1], alg))
            throw sdk::config_error("the algorithm must be a number");
        if (const char* why = unsupported_algorithm(alg))
            throw sdk::config_error(why);
    }
    return nullptr;
}

/// The destination a failover list value names ("setid uri").
destination* find_named(const destination_sets& sets, std::string_view value) {
    size_t space = value.find(' ');
    int64_t setid = 0;
    if (space == std::string_view::npos || !sdk::arg_int(sdk::str_value(value.substr(0, space)), setid))
        return nullptr;
    const destination_set* set = sets.find(static_cast<int32_t>(setid));
    if (set == nullptr)
        return nullptr;
    for (const auto& d : set->items)
        if (d->uri == value.substr(space + 1))
            return d.get();
    return nullptr;
}

int next(siphost_msg* msg, bool domain) {
    siphost_avp_list* avps = host_->msg_avps(msg);
    siphost_str name = sdk::str(xavp_dst_);
    host_->avp_delete(avps, name, 0);
    auto sets = current_sets();
    siphost_value value{};
    while (host_->avp_get(avps, name, 0, &value) == 1) {
        destination* dst = sets ? find_named(*sets, sdk::arg_view(value)) : nullptr;
        if (dst != nullptr && dst->usable()) {
            // A call dispatched by load moves its load to the destination it goes to now.
            std::string_view call_id = sdk::view(host_->msg_call_id(msg));
            if (!dst->duid.empty() && calls_.has(call_id)) {
                std::string_view named = sdk::arg_view(value);
                int64_t setid = 0;
                sdk::arg_int(sdk::str_value(named.substr(0, named.find(' '))), setid);
                calls_.add(call_id, static_cast<int32_t>(setid), dst->duid,
                           host_->now_ms() + uint64_t(hash_initexpire_) * 1000);
            }
            return apply(msg, *dst, domain);
        }
        host_->avp_delete(avps, name, 0); // gone by a reload, or down since the selection
    }
    return -1;
}

int cmd_next_dst(siphost_msg* msg, const siphost_value*, void*) {
    return next(msg, false);
}
int cmd_next_domain(siphost_msg* msg, const siphost_value*, void*) {
    return next(msg, true);
}

// ---- call load (algorithm 10) ----

/// ds_load_update(): a BYE or CANCEL takes the call's load off; a 2xx to the INVITE confirms the call.
int cmd_load_update(siphost_msg* msg, const siphost_value*, void*) {
    if (hash_size_ <= 0) {
        log(SIPHOST_LOG_ERR, "ds_load_update: call load dispatching is off (ds_hash_size is 0)");
        return -1;
    }
    std::string_view call_id = sdk::view(host_->msg_call_id(msg));
    if (host_->msg_is_request(msg)) {
        std::string_view method = sdk::view(host_->msg_method(msg));
        if (method != "BYE" && method != "CANCEL")
            return 1;
        return calls_.remove(call_id) ? 1 : -1;
    }
    uint32_t cseq = 0;
    siphost_str cseq_method{nullptr, 0};
    host_->msg_cseq(msg, &cseq, &cseq_method);
    int status = host_->msg_status(msg);
    if (sdk::view(cseq_method) != "INVITE" || status < 200 || status >= 300)
        return 1;
    return calls_.confirm(call_id, host_->now_ms() + uint64_t(hash_expire_) * 1000) ? 1 : -1;
}

/// ds_load_unset(): takes the call's load off (a call that failed).
int cmd_load_unset(siphost_msg* msg, const siphost_value*, void*) {
    if (hash_size_ <= 0) {
        log(SIPHOST_LOG_ERR, "ds_load_unset: call load dispatching is off (ds_hash_size is 0)");
        return -1;
    }
    return calls_.remove(sdk::view(host_->msg_call_id(msg))) ? 1 : -1;
}

void load_timer(uint64_t now_ms, void*) {
    size_t dropped = calls_.expire(now_ms);
    if (dropped > 0)
        log(SIPHOST_LOG_DBG, "call load: " + std::to_string(dropped) + " calls expired");
}

// ---- states and events ----

void run_event(const char* event, const std::string& uri) {
    if (host_->events == nullptr)
        return;
    int route = host_->events->lookup(self_, sdk::str(event));
    if (route < 0)
        return;
    // The event's message is a request to the destination, so that $ru names it as in Kamailio.
    std::string text = "OPTIONS " + uri +
                       " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKds\r\n"
                       "From: <" +
                       std::string(ping_from_) + ">;tag=ds\r\nTo: <" + uri +
                       ">\r\nCall-ID: ds-event\r\n"
                       "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    siphost_msg* msg = host_->msg_parse(sdk::str(text), nullptr);
    host_->events->run(route, msg);
    if (msg != nullptr)
        host_->msg_free(msg);
}

struct pending_event {
    const char* event;
    std::string uri;
};

/// Events handed to a worker and not run yet. A task still queued when the workers stop never runs, so the
/// module keeps what it posted and destroy() frees what is left.
std::mutex pending_events_mutex_;
std::vector<std::unique_ptr<pending_event>> pending_events_;

std::unique_ptr<pending_event> take_pending_event(void* data) {
    std::lock_guard lock(pending_events_mutex_);
    auto found = std::find_if(pending_events_.begin(), pending_events_.end(),
                              [data](const auto& p) { return p.get() == data; });
    if (found == pending_events_.end())
        return nullptr;
    std::unique_ptr<pending_event> event = std::move(*found);
    pending_events_.erase(found);
    return event;
}

void run_posted_event(void* data) {
    if (std::unique_ptr<pending_event> event = take_pending_event(data))
        run_event(event->event, event->uri);
}

/// Event routes run on a worker, not under tm's transaction lock or on the timer thread.
void raise_event(const char* event, const std::string& uri) {
    auto pending = std::make_unique<pending_event>(pending_event{event, uri});
    void* task = pending.get();
    {
        std::lock_guard lock(pending_events_mutex_);
        pending_events_.push_back(std::move(pending));
    }
    if (host_->async->post(self_, -1, run_posted_event, task) != 0)
        take_pending_event(task); // stopping: the event is not run
}

/// Applies a state given as Kamailio's letters ("a", "i", "d", "t", each optionally with "p").
bool set_state(destination& dst, std::string_view letters) {
    uint32_t probing = 0;
    char base = 0;
    for (char c : letters) {
        char l = sdk::ascii_lower(c);
        if (l == 'p')
            probing = ds_probing;
        else if (l == 'a' || l == 'i' || l == 'd' || l == 't')
            base = l;
        else
            return false;
    }
    if (base == 0)
        return false;
    uint32_t before = dst.state.load();
    uint32_t after = probing;
    switch (base) {
    case 'a':
        dst.failures.store(0);
        break;
    case 'i':
        after |= ds_inactive;
        break;
    case 'd':
        after = ds_disabled;
        break;
    case 't':
        if (static_cast<int32_t>(dst.failures.fetch_add(1) + 1) >= probing_threshold_)
            after |= ds_inactive;
        else
            after |= ds_trying;
        break;
    }
    dst.state.store(after);
    bool was_up = (before & (ds_inactive | ds_disabled)) == 0;
    bool is_up = (after & (ds_inactive | ds_disabled)) == 0;
    if (was_up && !is_up)
        raise_event("dispatcher:dst-down", dst.uri);
    else if (!was_up && is_up)
        raise_event("dispatcher:dst-up", dst.uri);
    return true;
}

int mark(siphost_msg* msg, std::string_view letters) {
    siphost_avp_list* avps = host_->msg_avps(msg);
    siphost_value value{};
    if (host_->avp_get(avps, sdk::str(xavp_dst_), 0, &value) != 1)
        return -1;
    auto sets = current_sets();
    destination* dst = sets ? find_named(*sets, sdk::arg_view(value)) : nullptr;
    if (dst == nullptr || !set_state(*dst, letters))
        return -1;
    return 1;
}

int cmd_mark_dst(siphost_msg* msg, const siphost_value*, void*) {
    return mark(msg, "i");
}
int cmd_mark_dst_state(siphost_msg* msg, const siphost_value* args, void*) {
    return mark(msg, sdk::arg_view(args[0]));
}

std::unique_ptr<int> fix_mark(const siphost_value* args, const int* constant) {
    if (constant[0]) {
        std::string_view letters = sdk::arg_view(args[0]);
        bool ok = !letters.empty();
        for (char c : letters)
            ok = ok && std::string_view("aAiIdDtTpP").find(c) != std::string_view::npos;
        if (!ok || letters.find_first_not_of("pP") == std::string_view::npos)
            throw sdk::config_error("the state must be a, i, d or t, optionally with p");
    }
    return nullptr;
}

// ---- source checks ----

bool same_address(const siphost_dest& a, const siphost_dest& b, bool port, bool proto) {
    if (a.family == 0 || a.family != b.family)
        return false;
    if (std::memcmp(a.ip, b.ip, a.family == 4 ? 4 : 16) != 0)
        return false;
    if (port && a.port != b.port)
        return false;
    auto norm = [](uint8_t p) {
        return p == SIPHOST_PROTO_NONE ? static_cast<uint8_t>(SIPHOST_PROTO_UDP) : p;
    };
    return !proto || norm(a.proto) == norm(b.proto);
}

int is_from_list(siphost_msg* msg, int64_t group, int64_t mode, std::string_view uri, bool legacy) {
    siphost_dest source = sdk::sized<siphost_dest>();
    if (uri.empty()) {
        if (host_->msg_source(msg, &source) != 0)
            return -1;
    } else if (host_->resolve(sdk::str(uri), 0, &source) != 0) {
        log(SIPHOST_LOG_ERR, "ds_is_from_list: cannot resolve " + std::string(uri));
        return -1;
    }
    siphost_dest resolved = sdk::sized<siphost_dest>();
    bool match_port = (mode & 1) == 0;
    bool match_proto = !legacy && (mode & 2) == 0;
    bool active_only = (mode & 4) != 0;
    auto sets = current_sets();
    if (!sets)
        return -1;
    for (const auto& set : sets->sets) {
        if (group >= 0 && set->id != group)
            continue;
        for (const auto& d : set->items) {
            if (active_only && !d->usable())
                continue;
            const siphost_dest* address = &d->address;
            if (address->family == 0) {
                // A host name: resolved now, through the host's DNS cache.
                if (host_->resolve(sdk::str(d->uri), 0, &resolved) != 0)
                    continue;
                address = &resolved;
            }
            if (!same_address(*address, source, match_port, match_proto))
                continue;
            if (setid_pv_ != nullptr) {
                siphost_value v = sdk::int_value(set->id);
                host_->pv_set(setid_pv_, msg, &v);
            }
            return 1;
        }
    }
    return -1;
}

int cmd_is_from_list0(siphost_msg* msg, const siphost_value*, void*) {
    return is_from_list(msg, -1, 0, {}, true);
}
int cmd_is_from_list1(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t group = -1;
    return sdk::arg_int(args[0], group) ? is_from_list(msg, group, 0, {}, true) : -1;
}
int cmd_is_from_list2(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t group = -1, mode = 0;
    if (!sdk::arg_int(args[0], group) || !sdk::arg_int(args[1], mode))
        return -1;
    return is_from_list(msg, group, mode, {}, false);
}
int cmd_is_from_list3(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t group = -1, mode = 0;
    if (!sdk::arg_int(args[0], group) || !sdk::arg_int(args[1], mode))
        return -1;
    return is_from_list(msg, group, mode, sdk::arg_view(args[2]), false);
}

int cmd_list_exists(siphost_msg*, const siphost_value* args, void*) {
    int64_t group = 0;
    if (!sdk::arg_int(args[0], group))
        return -2;
    auto sets = current_sets();
    return sets && sets->find(static_cast<int32_t>(group)) != nullptr ? 1 : -1;
}

// ---- probing ----

bool answered(int code) {
    if (code >= 200 && code < 300)
        return true;
    for (int c : reply_codes_)
        if (c == code)
            return true;
    for (int c : reply_classes_)
        if (c == code / 100)
            return true;
    return false;
}

/// What a probe's callback needs: the sets it belongs to stay alive until the probe ends.
struct probe {
    std::shared_ptr<destination_sets> sets;
    destination* dst;
};

void probe_result(destination& dst, int code) {
    uint32_t state = dst.state.load();
    if (answered(code)) {
        dst.failures.store(0);
        if ((state & ds_inactive) == 0) {
            // Mode 0 probes a destination once; modes 1 and 3 keep at it.
            uint32_t keep =
                probing_mode_ == 0 ? ~(ds_trying | ds_probing) : ~static_cast<uint32_t>(ds_trying);
            dst.state.store(state & keep);
            return;
        }
        if (static_cast<int32_t>(dst.successes.fetch_add(1) + 1) < inactive_threshold_)
            return;
        dst.successes.store(0);
        // Back up: probing stays only when the mode probes every destination anyway.
        dst.state.store(probing_mode_ == 1 || probing_mode_ == 3 ? static_cast<uint32_t>(ds_probing) : 0u);
        log(SIPHOST_LOG_INFO,
            "destination " + dst.uri + " is up (probe answered " + std::to_string(code) + ")");
        raise_event("dispatcher:dst-up", dst.uri);
        return;
    }
    dst.successes.store(0);
    if ((state & ds_inactive) != 0)
        return;
    if (static_cast<int32_t>(dst.failures.fetch_add(1) + 1) < probing_threshold_) {
        dst.state.store(state | ds_trying);
        return;
    }
    dst.state.store(ds_inactive | ds_probing);
    log(SIPHOST_LOG_INFO, "destination " + dst.uri + " is down (probe got " + std::to_string(code) + ")");
    raise_event("dispatcher:dst-down", dst.uri);
}

/// Probes tm still holds: freed by their completion, or by destroy() for those tm never completes (tm runs no
/// callback once shutdown has begun).
std::mutex probes_mutex_;
std::unordered_map<probe*, std::unique_ptr<probe>> probes_in_flight_;

void probe_done(const siphost_tm_callback_params* params) {
    std::unique_ptr<probe> owned;
    {
        std::lock_guard lock(probes_mutex_);
        auto found = probes_in_flight_.find(static_cast<probe*>(params->param));
        if (found == probes_in_flight_.end())
            return;
        owned = std::move(found->second);
        probes_in_flight_.erase(found);
    }
    probe_result(*owned->dst, params->code);
}

void send_probe(const std::shared_ptr<destination_sets>& sets, destination& dst) {
    auto pending = std::make_unique<probe>(probe{sets, &dst});
    siphost_tm_uac_request request = sdk::sized<siphost_tm_uac_request>();
    request.method = sdk::str(ping_method_);
    request.ruri = sdk::str(dst.uri);
    request.to = sdk::str(dst.uri);
    request.from = sdk::str(ping_from_);
    request.callback_types = SIPHOST_TM_CB_COMPLETED;
    request.callback = probe_done;
    probe* key = pending.get();
    request.callback_param = key;
    {
        std::lock_guard lock(probes_mutex_);
        probes_in_flight_.emplace(key, std::move(pending));
    }
    if (tm_->t_uac(&request, nullptr, nullptr) == 1)
        return;
    {
        std::lock_guard lock(probes_mutex_);
        probes_in_flight_.erase(key);
    }
    probe_result(dst, 500);
}

/// tm may be loaded after dispatcher: looked up at the first probe round.
const siphost_tm_api_v1* tm_api() {
    if (tm_ == nullptr) {
        const auto* api = static_cast<const siphost_tm_api_v1*>(
            host_->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR));
        if (api != nullptr && SIPHOST_HAS(siphost_tm_api_v1, api, t_uac))
            tm_ = api;
    }
    return tm_;
}

void ping_timer(uint64_t, void*) {
    auto sets = current_sets();
    if (!sets)
        return;
    if (tm_api() == nullptr) {
        log(SIPHOST_LOG_ERR, "probing needs the tm module, which is not loaded");
        return;
    }
    for (auto& set : sets->sets)
        for (auto& d : set->items) {
            uint32_t state = d->state.load();
            if ((state & ds_disabled) != 0)
                continue;
            bool probing = (state & ds_probing) != 0;
            bool due =
                probing_mode_ == 1 || (probing_mode_ == 2 ? probing && (state & ds_inactive) != 0 : probing);
            if (due)
                send_probe(sets, *d);
        }
}

// ---- RPC ----

std::string flags_text(uint32_t state) {
    std::string out;
    out.push_back((state & ds_disabled)   ? 'D'
                  : (state & ds_inactive) ? 'I'
                  : (state & ds_trying)   ? 'T'
                                          : 'A');
    out.push_back((state & ds_probing) ? 'P' : 'X');
    return out;
}

void rpc_list(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    auto sets = current_sets();
    if (!sets) {
        rpc->fault(call, 500, sdk::str("No Destination Sets"));
        return;
    }
    siphost_rpc_node* top = rpc->add_struct(rpc->result(call), nullptr);
    rpc->add_int(top, "NRSETS", static_cast<int64_t>(sets->sets.size()));
    siphost_rpc_node* records = rpc->add_array(top, "RECORDS");
    for (const auto& set : sets->sets) {
        siphost_rpc_node* entry = rpc->add_struct(records, nullptr);
        siphost_rpc_node* s = rpc->add_struct(entry, "SET");
        rpc->add_int(s, "ID", set->id);
        siphost_rpc_node* targets = rpc->add_array(s, "TARGETS");
        for (const auto& d : set->items) {
            siphost_rpc_node* t = rpc->add_struct(targets, nullptr);
            siphost_rpc_node* dest = rpc->add_struct(t, "DEST");
            rpc->add_str(dest, "URI", sdk::str(d->uri));
            std::string flags = flags_text(d->state.load());
            rpc->add_str(dest, "FLAGS", sdk::str(flags));
            rpc->add_int(dest, "PRIORITY", d->priority);
            siphost_rpc_node* attrs = rpc->add_struct(dest, "ATTRS");
            rpc->add_str(attrs, "BODY", sdk::str(d->attrs));
            rpc->add_str(attrs, "DUID", sdk::str(d->duid));
            rpc->add_int(attrs, "MAXLOAD", d->maxload);
            rpc->add_int(attrs, "WEIGHT", d->weight);
            rpc->add_int(attrs, "RWEIGHT", d->rweight);
        }
    }
}

bool is_set(const char* value) {
    return value != nullptr && *value != '\0';
}

/// The table when db_url is set, else the list file, as Kamailio chooses.
std::unique_ptr<destination_sets> load_destinations() {
    if (is_set(db_url_))
        return load_table(host_, db_url_, is_set(table_name_) ? table_name_ : "dispatcher", columns_);
    if (!is_set(list_file_))
        throw sdk::config_error("neither list_file nor db_url is set");
    return load_list_file(host_, list_file_);
}

void rpc_reload(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    try {
        std::shared_ptr<destination_sets> fresh = load_destinations();
        std::lock_guard lock(sets_mutex_);
        sets_ = std::move(fresh);
    } catch (const std::exception& e) {
        // The sets in use stay.
        log(SIPHOST_LOG_ERR, std::string("reload failed: ") + e.what());
        std::string text = std::string("Dispatcher reload failed: ") + e.what();
        rpc->fault(call, 500, sdk::str(text));
        return;
    }
    rpc->add_str(rpc->result(call), nullptr, sdk::str("Ok. Dispatcher successfully reloaded."));
}

void rpc_set_state(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_value state{}, group{}, address{};
    int64_t setid = 0;
    if (rpc->param_count(call) < 3 || rpc->param(call, 0, &state) != 0 || rpc->param(call, 1, &group) != 0 ||
        rpc->param(call, 2, &address) != 0 || !sdk::arg_int(group, setid)) {
        rpc->fault(call, 500, sdk::str("Invalid Parameters"));
        return;
    }
    auto sets = current_sets();
    const destination_set* set = sets ? sets->find(static_cast<int32_t>(setid)) : nullptr;
    std::string_view target = sdk::arg_view(address);
    bool found = false;
    if (set != nullptr)
        for (const auto& d : set->items)
            if (target == "all" || d->uri == target) {
                if (!set_state(*d, sdk::arg_view(state))) {
                    rpc->fault(call, 500, sdk::str("Invalid State Parameter"));
                    return;
                }
                found = true;
            }
    if (!found)
        rpc->fault(call, 500, sdk::str("State Update Failed"));
}

// ---- parameters and life cycle ----

void parse_reply_codes(std::string_view text) {
    while (!text.empty()) {
        size_t semi = text.find_first_of(";:"); // the docs say colons, their example semicolons
        std::string_view pair = sdk::trim(text.substr(0, semi));
        text.remove_prefix(semi == std::string_view::npos ? text.size() : semi + 1);
        if (pair.empty())
            continue;
        size_t eq = pair.find('=');
        int64_t n = 0;
        if (eq == std::string_view::npos || !sdk::arg_int(sdk::str_value(pair.substr(eq + 1)), n))
            throw sdk::config_error("ds_ping_reply_codes: expected \"class=N\" or \"code=N\" items, got \"" +
                                    std::string(pair) + "\"");
        std::string_view key = sdk::trim(pair.substr(0, eq));
        if (key == "class" && n >= 1 && n <= 6)
            reply_classes_.push_back(static_cast<int>(n));
        else if (key == "code" && n >= 100 && n <= 699)
            reply_codes_.push_back(static_cast<int>(n));
        else
            throw sdk::config_error("ds_ping_reply_codes: bad item \"" + std::string(pair) + "\"");
    }
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    return sdk::guard_with_error(err, err_size, [&] {
        std::shared_ptr<destination_sets> loaded = load_destinations();
        {
            std::lock_guard lock(sets_mutex_);
            sets_ = std::move(loaded);
        }
        reply_codes_.clear();
        reply_classes_.clear();
        if (ping_reply_codes_ != nullptr)
            parse_reply_codes(ping_reply_codes_);
        if (setid_pvname_ != nullptr && *setid_pvname_ != '\0') {
            char pv_err[256] = "";
            setid_pv_ = host->pv_parse(sdk::str(setid_pvname_), pv_err, sizeof pv_err);
            if (setid_pv_ == nullptr)
                throw sdk::config_error(std::string("setid_pvname: ") + pv_err);
        }
        if (probing_threshold_ < 1 || inactive_threshold_ < 1)
            throw sdk::config_error("ds_probing_threshold and ds_inactive_threshold must be at least 1");
        if (probing_mode_ < 0 || probing_mode_ > 3)
            throw sdk::config_error("ds_probing_mode must be 0, 1, 2 or 3");
        if (hash_size_ < 0 || hash_expire_ <= 0 || hash_initexpire_ <= 0 || hash_check_interval_ <= 0)
            throw sdk::config_error("ds_hash_size must be 0 or more; ds_hash_expire, ds_hash_initexpire and "
                                    "ds_hash_check_interval positive numbers of seconds");
        if (hash_size_ > 0 && host->async->every(self, static_cast<uint32_t>(hash_check_interval_) * 1000u,
                                                 SIPHOST_TIMER_SLOW, load_timer, nullptr) != 0)
            throw sdk::config_error("cannot start the call load timer");
        if (ping_interval_ > 0) {
            if (host->async->every(self, static_cast<uint32_t>(ping_interval_) * 1000u, SIPHOST_TIMER_SLOW,
                                   ping_timer, nullptr) != 0)
                throw sdk::config_error("cannot start the probing timer");
        }
        return 0;
    });
}

void destroy() {
    {
        std::lock_guard lock(probes_mutex_);
        probes_in_flight_.clear();
    }
    {
        std::lock_guard lock(pending_events_mutex_);
        pending_events_.clear();
    }
    if (setid_pv_ != nullptr)
        host_->pv_free(setid_pv_);
    setid_pv_ = nullptr;
    std::lock_guard lock(sets_mutex_);
    sets_.reset();
}

constexpr uint32_t select_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE;
constexpr uint32_t load_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_BRANCH |
                                 SIPHOST_ROUTE_TM_ONREPLY | SIPHOST_ROUTE_CORE_ONREPLY;

const siphost_command commands[] = {
    sdk::command("ds_select_dst", select_routes, sdk::guarded<&cmd_select_dst>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_select>, nullptr,
                 "sets $du to a destination of the set"),
    sdk::command("ds_select_dst", select_routes, sdk::guarded<&cmd_select_dst_limit>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_select>,
                 nullptr, "ds_select_dst with at most limit destinations in the failover list"),
    sdk::command("ds_select_domain", select_routes, sdk::guarded<&cmd_select_domain>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_select>, nullptr,
                 "sets the Request-URI's host to a destination of the set"),
    sdk::command("ds_select_domain", select_routes, sdk::guarded<&cmd_select_domain_limit>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_select>,
                 nullptr, "ds_select_domain with at most limit destinations in the failover list"),
    sdk::command("ds_next_dst", select_routes, sdk::guarded<&cmd_next_dst>, {}, nullptr, nullptr,
                 "sets $du to the next destination of the failover list"),
    sdk::command("ds_next_domain", select_routes, sdk::guarded<&cmd_next_domain>, {}, nullptr, nullptr,
                 "sets the Request-URI's host to the next destination of the failover list"),
    sdk::command("ds_load_update", load_routes, sdk::guarded<&cmd_load_update>, {}, nullptr, nullptr,
                 "BYE/CANCEL: the call's load off; 2xx to INVITE: the call answered (algorithm 10)"),
    sdk::command("ds_load_unset", load_routes, sdk::guarded<&cmd_load_unset>, {}, nullptr, nullptr,
                 "takes the call's load off its destination (algorithm 10)"),
    sdk::command("ds_mark_dst", select_routes, sdk::guarded<&cmd_mark_dst>, {}, nullptr, nullptr,
                 "marks the last destination used inactive"),
    sdk::command("ds_mark_dst", select_routes, sdk::guarded<&cmd_mark_dst_state>, {SIPHOST_ARG_STRING},
                 sdk::fixup<&fix_mark>, nullptr, "marks the last destination used: a, i, d or t, with p"),
    sdk::command("ds_is_from_list", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_is_from_list0>, {}, nullptr, nullptr,
                 "true when the source address is a destination of any set"),
    sdk::command("ds_is_from_list", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_is_from_list1>, {SIPHOST_ARG_STRING},
                 nullptr, nullptr, "true when the source address is a destination of the set"),
    sdk::command("ds_is_from_list", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_is_from_list2>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "ds_is_from_list with a match mode"),
    sdk::command("ds_is_from_list", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_is_from_list3>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "ds_is_from_list matching a URI instead of the source"),
    sdk::command("ds_list_exists", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_list_exists>, {SIPHOST_ARG_STRING},
                 nullptr, nullptr, "true when the set exists"),
    sdk::command("ds_list_exist", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_list_exists>, {SIPHOST_ARG_STRING},
                 nullptr, nullptr, "alias of ds_list_exists"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::string_param("list_file", &list_file_, "the destination list file"),
    sdk::string_param("db_url", &db_url_, "the database of the destinations (instead of list_file)"),
    sdk::string_param("table_name", &table_name_, "the table of the destinations"),
    sdk::string_param("setid_col", &columns_.setid, "the set id column"),
    sdk::string_param("destination_col", &columns_.destination, "the destination URI column"),
    sdk::string_param("flags_col", &columns_.flags, "the flags column"),
    sdk::string_param("priority_col", &columns_.priority, "the priority column"),
    sdk::string_param("attrs_col", &columns_.attrs, "the attributes column"),
    sdk::int_param("flags", &flags_, "bit 2: keep a failover list"),
    sdk::string_param("xavp_dst", &xavp_dst_, "the AVP that holds the failover list"),
    sdk::string_param("setid_pvname", &setid_pvname_, "set to the set id ds_is_from_list matched"),
    sdk::string_param("ds_ping_method", &ping_method_, "the probing request's method"),
    sdk::string_param("ds_ping_from", &ping_from_, "the probing request's From"),
    sdk::string_param("ds_ping_reply_codes", &ping_reply_codes_, "more replies that count as answers"),
    sdk::int_param("ds_ping_interval", &ping_interval_, "seconds between probes; 0: none"),
    sdk::int_param("ds_hash_size", &hash_size_, "> 0: call load dispatching (algorithm 10) on"),
    sdk::int_param("ds_hash_expire", &hash_expire_, "seconds an answered call keeps its load"),
    sdk::int_param("ds_hash_initexpire", &hash_initexpire_, "seconds an unanswered call keeps its load"),
    sdk::int_param("ds_hash_check_interval", &hash_check_interval_,
                   "seconds between scans for expired calls"),
    sdk::int_param("ds_probing_threshold", &probing_threshold_, "failed probes before a destination is down"),
    sdk::int_param("ds_inactive_threshold", &inactive_threshold_, "answered probes before it is up again"),
    sdk::int_param("ds_probing_mode", &probing_mode_,
                   "0: probing ones once, 1: all, 2: inactive probing ones, 3: probing ones always"),
    sdk::end_of_params(),
};

const siphost_event events[] = {
    sdk::event("dispatcher:dst-down", SIPHOST_ROUTE_EVENT, 0, "a destination went down"),
    sdk::event("dispatcher:dst-up", SIPHOST_ROUTE_EVENT, 0, "a destination came back"),
    sdk::end_of_events(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("dispatcher.list", rpc_list, "lists the destination sets"),
    sdk::rpc("dispatcher.reload", rpc_reload, "reloads the list file"),
    sdk::rpc("dispatcher.set_state", rpc_set_state, "sets a destination's state", "sds"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = "dispatcher",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .events = events,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::dispatcher

SIPHOST_MODULE(siphost::modules::dispatcher::descriptor)
