// NAT keepalives over usrloc's table.
//
// usrloc's API (api/usrloc.h, major 1) reads one AOR at a time and has no way to list every contact, so the
// pinger reads the table through usrloc's own ul.dump RPC command (Kamailio's layout: Domains[] -> Domain
// {Domain, AoRs[] -> Info {AoR, Contacts[] -> Contact {Address, Expires, Received, Path, CFlags, Ruid}}}),
// run in process with host->rpc. docs/nathelper.md says what a direct listing function would change.
#include "nat_pinger.hpp"

#include "nathelper.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <random>

namespace siphost::modules::nathelper {
namespace {

constexpr std::string_view not_set = "[not set]"; // how ul.dump shows an empty string

/// The member `key` of a struct node, or nullopt.
std::optional<siphost_rpc_member> member(const siphost_rpc_api* rpc, const siphost_rpc_node* node,
                                         std::string_view key) {
    size_t n = node != nullptr ? rpc->node_size(node) : 0;
    for (size_t i = 0; i < n; ++i) {
        siphost_rpc_member m = sdk::sized<siphost_rpc_member>();
        if (rpc->node_member(node, i, &m) == 0 && sdk::view(m.key) == key)
            return m;
    }
    return std::nullopt;
}

/// The child node of `key` (a struct or an array), or NULL.
const siphost_rpc_node* child(const siphost_rpc_api* rpc, const siphost_rpc_node* node,
                              std::string_view key) {
    std::optional<siphost_rpc_member> m = member(rpc, node, key);
    return m && m->kind == SIPHOST_RPC_MEMBER_NODE ? m->node : nullptr;
}

/// The i-th element of an array node when it is a node, else NULL.
const siphost_rpc_node* element(const siphost_rpc_api* rpc, const siphost_rpc_node* array, size_t i) {
    siphost_rpc_member m = sdk::sized<siphost_rpc_member>();
    if (rpc->node_member(array, i, &m) != 0 || m.kind != SIPHOST_RPC_MEMBER_NODE)
        return nullptr;
    return m.node;
}

std::string text(const siphost_rpc_api* rpc, const siphost_rpc_node* node, std::string_view key) {
    std::optional<siphost_rpc_member> m = member(rpc, node, key);
    if (!m || m->kind != SIPHOST_RPC_MEMBER_STR || sdk::view(m->str) == not_set)
        return {};
    return std::string(sdk::view(m->str));
}

int64_t number(const siphost_rpc_api* rpc, const siphost_rpc_node* node, std::string_view key) {
    std::optional<siphost_rpc_member> m = member(rpc, node, key);
    return m && m->kind == SIPHOST_RPC_MEMBER_INT ? m->num : 0;
}

bool flag_set(uint64_t flags, int32_t bit) {
    return bit >= 0 && bit < 64 && (flags & (uint64_t{1} << bit)) != 0;
}

std::string random_hex() {
    static thread_local std::mt19937_64 generator{std::random_device{}()};
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(generator()));
    return buf;
}

void on_timer(uint64_t, void*) {
    sdk::guard(0, [] {
        pinger().run_cycle();
        return 0;
    });
}

int on_reply(siphost_msg* reply, void*) {
    return sdk::guard(SIPHOST_HOOK_CONTINUE, [&] {
        return pinger().take_reply(reply) ? SIPHOST_HOOK_CONSUMED : SIPHOST_HOOK_CONTINUE;
    });
}

} // namespace

nat_pinger& pinger() {
    static nat_pinger instance;
    return instance;
}

void nat_pinger::start(const siphost_host_api* host, siphost_module_handle* self) {
    host_ = host;
    self_ = self;
    const settings& p = ctx().params;
    ul_ = static_cast<const siphost_usrloc_api_v1*>(
        host->api_lookup(SIPHOST_USRLOC_API_NAME, SIPHOST_USRLOC_API_MAJOR));
    if (ul_ == nullptr || !SIPHOST_HAS(siphost_usrloc_api_v1, ul_, nat_bflag))
        throw sdk::config_error("natping_interval needs usrloc's table: load usrloc before nathelper");
    if (!SIPHOST_HAS(siphost_rpc_api, host->rpc, call_new))
        throw sdk::config_error("natping_interval needs a host that runs RPC commands in process (ABI 1.1)");
    call_id_prefix_ = "nhping." + random_hex() + ".";
    if (host->async->every(self, static_cast<uint32_t>(p.natping_interval) * 1000u, SIPHOST_TIMER_SLOW,
                           on_timer, nullptr) != 0)
        throw sdk::config_error("cannot start the NAT ping timer");
    if (p.sipping_from != nullptr && *p.sipping_from != '\0' &&
        host->register_reply_hook(SIPHOST_HOOK_PRE_SCRIPT, on_reply, nullptr) != 0)
        throw sdk::config_error("cannot register the SIP ping reply filter");
}

void nat_pinger::run_cycle() {
    if (!enabled_ || host_ == nullptr)
        return;
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_call* call = rpc->call_new(sdk::str("ul.dump"));
    if (call == nullptr)
        return;
    std::unique_ptr<siphost_rpc_call, void (*)(siphost_rpc_call*)> owned(call, rpc->call_free);
    siphost_str fault{nullptr, 0};
    if (rpc->call_run(call) != 0 || rpc->call_fault(call, &fault) != 0) {
        if (!dump_failed_logged_)
            log(SIPHOST_LOG_ERR,
                "NAT pings: cannot list usrloc's contacts (ul.dump: " + std::string(sdk::view(fault)) + ")");
        dump_failed_logged_ = true;
        return;
    }
    const siphost_rpc_node* top = rpc->call_reply(call);
    const siphost_rpc_node* dump = top != nullptr ? element(rpc, top, 0) : nullptr;
    const siphost_rpc_node* domains = child(rpc, dump, "Domains");
    uint64_t now = host_->now_ms();
    std::unordered_set<std::string> seen;
    for (size_t d = 0; domains != nullptr && d < rpc->node_size(domains); ++d) {
        const siphost_rpc_node* domain = child(rpc, element(rpc, domains, d), "Domain");
        const siphost_rpc_node* aors = child(rpc, domain, "AoRs");
        std::string domain_name = text(rpc, domain, "Domain");
        for (size_t a = 0; aors != nullptr && a < rpc->node_size(aors); ++a) {
            const siphost_rpc_node* info = child(rpc, element(rpc, aors, a), "Info");
            const siphost_rpc_node* contacts = child(rpc, info, "Contacts");
            std::string aor = text(rpc, info, "AoR");
            for (size_t c = 0; contacts != nullptr && c < rpc->node_size(contacts); ++c) {
                const siphost_rpc_node* contact = child(rpc, element(rpc, contacts, c), "Contact");
                std::optional<siphost_rpc_member> expires = member(rpc, contact, "Expires");
                if (contact == nullptr || (expires && expires->kind == SIPHOST_RPC_MEMBER_STR &&
                                           sdk::view(expires->str) == "expired"))
                    continue;
                target t;
                t.domain = domain_name;
                t.aor = aor;
                t.address = text(rpc, contact, "Address");
                t.received = text(rpc, contact, "Received");
                t.path = text(rpc, contact, "Path");
                t.ruid = text(rpc, contact, "Ruid");
                t.cflags = static_cast<uint64_t>(number(rpc, contact, "CFlags"));
                if (!t.address.empty())
                    ping(t, now, seen);
            }
        }
    }
    forget_unseen(seen);
}

void nat_pinger::ping(const target& t, uint64_t now_ms, std::unordered_set<std::string>& seen) {
    const settings& p = ctx().params;
    if (flag_set(t.cflags, p.natping_disable_bflag))
        return;
    int nat_bflag = ul_->nat_bflag();
    if (p.ping_nated_only != 0 && !flag_set(t.cflags, nat_bflag))
        return;
    bool sip = p.sipping_from != nullptr && *p.sipping_from != '\0' && p.sipping_bflag >= 0 &&
               (flag_set(t.cflags, p.sipping_bflag) || p.ping_nated_only == 0);

    // Where the UA is reached: a SIP ping follows the Path (through the edge proxy that holds the binding);
    // else the address it registered from, else its Contact.
    std::string where;
    if (sip && !t.path.empty()) {
        std::string first(sdk::trim(std::string_view(t.path).substr(0, t.path.find(','))));
        where.assign(sdk::uri_of(host_, first));
    }
    if (where.empty())
        where = !t.received.empty() ? t.received : t.address;
    siphost_dest dest = sdk::sized<siphost_dest>();
    if (host_->resolve(sdk::str(where), 0, &dest) != 0) {
        log(SIPHOST_LOG_DBG, "NAT ping: cannot resolve " + where);
        return;
    }
    // UDP only, as Kamailio: a connection-oriented transport keeps its binding alive with its connection.
    if (dest.proto != SIPHOST_PROTO_UDP)
        return;
    if (!sip) {
        host_->send(&dest, sdk::str("\r\n\r\n"));
        return;
    }
    if (!send_sip_ping(t, dest) || p.keepalive_timeout <= 0 || t.ruid.empty())
        return;
    seen.insert(t.ruid);
    uint64_t last = 0;
    {
        std::lock_guard guard(alive_mutex_);
        last = last_alive_ms_.try_emplace(t.ruid, now_ms).first->second; // the clock starts at the first ping
    }
    if (now_ms - last <= static_cast<uint64_t>(p.keepalive_timeout) * 1000u)
        return;
    siphost_udomain* domain = ul_->get_domain(sdk::str(t.domain));
    if (domain != nullptr && ul_->delete_contact(domain, sdk::str(t.aor), sdk::str(t.ruid)) == 1)
        log(SIPHOST_LOG_INFO, "NAT ping: no reply from " + t.address + " for " +
                                  std::to_string(p.keepalive_timeout) + " s: contact of " + t.aor +
                                  " removed");
    std::lock_guard guard(alive_mutex_);
    last_alive_ms_.erase(t.ruid);
}

bool nat_pinger::send_sip_ping(const target& t, const siphost_dest& dest) {
    const settings& p = ctx().params;
    siphost_socket_info info;
    if (!sdk::socket_info(host_, dest.socket, info)) {
        log(SIPHOST_LOG_DBG, "NAT ping: no local socket towards " + t.address);
        return false;
    }
    std::string via_host(sdk::view(info.host));
    if (info.family == 6)
        via_host = "[" + via_host + "]";
    std::string method = p.sipping_method;
    std::string transport(proto_name(dest.proto));
    for (char& ch : transport)
        ch = static_cast<char>(ch - ('a' - 'A'));
    std::string request;
    request.reserve(512);
    request.append(method).append(" ").append(t.address).append(" SIP/2.0\r\n");
    request.append("Via: SIP/2.0/").append(transport).append(" ").append(via_host).append(":");
    request.append(std::to_string(info.port)).append(";branch=z9hG4bK").append(random_hex()).append("\r\n");
    request.append("Max-Forwards: 70\r\n");
    request.append("From: <").append(p.sipping_from).append(">;tag=").append(random_hex()).append("\r\n");
    request.append("To: <").append(t.address).append(">\r\n");
    request.append("Call-ID: ").append(call_id_prefix_).append(std::to_string(sequence_++)).append(".");
    request.append(t.ruid).append("@").append(via_host).append("\r\n");
    request.append("CSeq: 1 ").append(method).append("\r\n");
    request.append("Content-Length: 0\r\n\r\n");
    return host_->send(&dest, sdk::str(request)) == 0;
}

bool nat_pinger::take_reply(const siphost_msg* reply) {
    std::string_view call_id = sdk::view(host_->msg_call_id(reply));
    if (call_id.substr(0, call_id_prefix_.size()) != call_id_prefix_)
        return false;
    // "<prefix><sequence>.<ruid>@host": the ruid says which contact answered
    std::string_view rest = call_id.substr(call_id_prefix_.size());
    size_t dot = rest.find('.');
    size_t at = rest.rfind('@');
    if (ctx().params.keepalive_timeout > 0 && dot != std::string_view::npos && at != std::string_view::npos &&
        at > dot) {
        std::string ruid(rest.substr(dot + 1, at - dot - 1));
        std::lock_guard guard(alive_mutex_);
        auto it = last_alive_ms_.find(ruid);
        if (it != last_alive_ms_.end())
            it->second = host_->now_ms();
    }
    return true;
}

void nat_pinger::forget_unseen(const std::unordered_set<std::string>& seen) {
    std::lock_guard guard(alive_mutex_);
    for (auto it = last_alive_ms_.begin(); it != last_alive_ms_.end();)
        it = seen.count(it->first) != 0 ? std::next(it) : last_alive_ms_.erase(it);
}

} // namespace siphost::modules::nathelper
