// NAT keepalives over usrloc's table, walked with usrloc's for_each_contact (api/usrloc.h, 1.1).
#include "nat_pinger.hpp"

#include "nathelper.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <random>

namespace siphost::modules::nathelper {
namespace {

/// Collects the contacts of one walk (a ping may call usrloc, which the walk's callback must not).
struct walk {
    const siphost_usrloc_api_v1* ul = nullptr;
    std::vector<nat_pinger::target> targets;
};

std::string copy(siphost_str s) {
    return std::string(sdk::view(s));
}

int collect(siphost_udomain* domain, siphost_str aor, const siphost_ucontact* c, void* data) {
    auto* w = static_cast<walk*>(data);
    nat_pinger::target t;
    t.domain = copy(w->ul->domain_name(domain));
    t.aor = copy(aor);
    t.address = copy(c->contact);
    t.received = copy(c->received);
    t.path = copy(c->path);
    t.ruid = copy(c->ruid);
    t.cflags = c->cflags;
    if (!t.address.empty())
        w->targets.push_back(std::move(t));
    return 0;
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
    if (ul_ == nullptr || !SIPHOST_HAS(siphost_usrloc_api_v1, ul_, for_each_contact))
        throw sdk::config_error("natping_interval needs usrloc's table (with for_each_contact): load usrloc "
                                "before nathelper");
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
    walk w;
    w.ul = ul_;
    if (ul_->for_each_contact(nullptr, collect, &w) < 0) {
        if (!walk_failed_logged_)
            log(SIPHOST_LOG_ERR, "NAT pings: cannot read usrloc's contacts");
        walk_failed_logged_ = true;
        return;
    }
    walk_failed_logged_ = false;
    uint64_t now = host_->now_ms();
    std::unordered_set<std::string> seen;
    for (const target& t : w.targets)
        ping(t, now, seen);
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
