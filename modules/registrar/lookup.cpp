// lookup(), lookup_branches(), registered(), unregister(): reading the location table for routing.
#include "registrar.hpp"

#include <algorithm>
#include <cstddef>
#include <ctime>
#include <vector>

namespace siphost::modules::registrar {
namespace {

/// A copy of a contact for routing.
struct target {
    std::string uri;
    std::string received;
    std::string path;
    std::string instance;
    std::string ruid;
    std::string callid;
    siphost_socket* socket = nullptr;
    int64_t expires = 0; ///< absolute; 0: permanent
    int32_t q = -1;
    uint32_t reg_id = 0;
    uint32_t cflags = 0;
    uint32_t methods = SIPHOST_METHODS_ALL;
    uint64_t conn_id = 0; ///< the connection the REGISTER came over, 0: none
};

int copy_target(const siphost_ucontact* c, void* data) {
    auto* out = static_cast<std::vector<target>*>(data);
    target t;
    t.uri.assign(sdk::view(c->contact));
    t.received.assign(sdk::view(c->received));
    t.path.assign(sdk::view(c->path));
    t.instance.assign(sdk::view(c->instance));
    t.ruid.assign(sdk::view(c->ruid));
    t.callid.assign(sdk::view(c->callid));
    t.socket = c->socket;
    t.expires = c->expires;
    t.q = c->q;
    t.reg_id = c->reg_id;
    t.cflags = c->cflags;
    t.methods = c->methods;
    if (c->struct_size >= offsetof(siphost_ucontact, conn_id) + sizeof c->conn_id)
        t.conn_id = c->conn_id;
    out->push_back(std::move(t));
    return 0;
}

/// xavp_rcd for a contact: its details, with the seconds it has left.
void store_target_rcd(siphost_msg* msg, const target& t) {
    if (!xavp_rcd_enabled())
        return;
    record_details r;
    r.ruid = t.ruid;
    r.contact = t.uri;
    r.expires =
        t.expires == 0 ? 0 : std::max<int64_t>(t.expires - static_cast<int64_t>(std::time(nullptr)), 0);
    r.received = t.received;
    r.path = t.path;
    store_rcd(msg, r);
}

/// The first URI of a Path value ("<sip:edge;lr>,<sip:core;lr>" -> "sip:edge;lr").
std::string first_path_uri(std::string_view path) {
    siphost_contact first[1];
    size_t count = 0;
    if (sdk::parse_contacts(ctx().host, path, first, 1, count) != SIPHOST_CONTACTS_LIST || count == 0)
        return {};
    return std::string(sdk::view(first[0].uri));
}

/// Where a contact is sent: the first Path hop, else the address it registered from, else its URI.
std::string next_hop(const target& t) {
    if (!t.path.empty())
        return first_path_uri(t.path);
    return t.received;
}

/// The contacts of the AOR of uri that may take this request. Returns 1, -1 none, -2 none for the method,
/// -3 an error.
int find_targets(siphost_msg* msg, siphost_udomain* domain, std::string_view uri, std::vector<target>& out) {
    const context& c = ctx();
    std::string aor;
    bool no_user = false;
    if (!extract_aor(uri, aor, no_user))
        return -1;
    if (c.ul->get_contacts(domain, sdk::str(aor), 0, copy_target, &out) < 0)
        return -3;
    if (out.empty())
        return -1;
    // lookup_filter_mode 1: only contacts saved with one of the branch flags in $xavp(<xavp_cfg>=>rlf_bflags)
    // (none given, or 0: no filter; Kamailio 5.6.3, measured).
    if ((c.params.lookup_filter_mode & 1) != 0) {
        std::optional<int64_t> wanted = cfg_int(msg, cfg_rlf_bflags);
        if (wanted && *wanted != 0) {
            std::erase_if(out,
                          [&](const target& t) { return (t.cflags & static_cast<uint32_t>(*wanted)) == 0; });
            if (out.empty())
                return -1;
        }
    }
    // lookup_filter_mode 2: not the contacts of a REGISTER whose connection has closed since (whatever their
    // own transport; Kamailio 5.6.3, measured). A connection still connecting is not closed.
    if ((c.params.lookup_filter_mode & 2) != 0 && SIPHOST_HAS(siphost_host_api, c.host, conn_state)) {
        std::erase_if(out, [&](const target& t) {
            return t.conn_id != 0 && c.host->conn_state(t.conn_id) == SIPHOST_CONN_NONE;
        });
        if (out.empty())
            return -1;
    }
    if (c.params.method_filtering != 0 && c.host->msg_is_request(msg) &&
        sdk::view(c.host->msg_to_tag(msg)).empty()) {
        uint32_t bit = method_bit(sdk::view(c.host->msg_method(msg)), false);
        std::vector<target> allowed;
        for (target& t : out)
            if (t.methods == SIPHOST_METHODS_ALL || (bit != 0 && (t.methods & bit) != 0))
                allowed.push_back(std::move(t));
        out = std::move(allowed);
        if (out.empty())
            return -2;
    }
    return 1;
}

/// A contact as a branch (views into t): its URI, Path, instance, ruid, q, cflags, socket and reg-id.
siphost_branch branch_of(const target& t) {
    siphost_branch b = sdk::sized<siphost_branch>();
    b.uri = sdk::str(t.uri);
    b.path = sdk::str(t.path);
    b.instance = sdk::str(t.instance);
    b.ruid = sdk::str(t.ruid);
    if (t.q >= 0) {
        b.q = t.q;
        b.info = SIPHOST_BRANCH_Q_SET;
    }
    b.flags = t.cflags;
    b.socket = t.socket;
    b.reg_id = t.reg_id;
    return b;
}

bool append_target(siphost_msg* msg, const target& t) {
    siphost_branch b = branch_of(t);
    std::string hop = next_hop(t);
    b.dst_uri = sdk::str(hop);
    return ctx().host->msgctx->append_branch(msg, &b) >= 0;
}

/// The first contact goes into the Request-URI (with $du, and its Path as the Request-URI branch's path
/// vector), the rest into the destination set when append_branches says so.
int route_to(siphost_msg* msg, const std::vector<target>& targets, bool first_into_ruri) {
    const context& c = ctx();
    const siphost_host_api* host = c.host;
    size_t start = 0;
    if (first_into_ruri) {
        const target& t = targets.front();
        if (host->msg_set_ruri(msg, sdk::str(t.uri)) != 0)
            return -3;
        // The Request-URI's branch keeps the contact's Path beside the message (Kamailio's path vector): the
        // host writes it as a Route header when this branch is sent, and only then, so a fork's other
        // branches go their own way. $ruid reads the ruid from there too.
        siphost_branch own = branch_of(t);
        if (host->msgctx->set_ruri_branch(msg, &own) != 0)
            return -3;
        store_target_rcd(msg, t);
        std::string hop = next_hop(t);
        if (!hop.empty() && host->msg_set_dst_uri(msg, sdk::str(hop)) != 0)
            return -3;
        host->msgctx->set_branch_flags(msg, 0, t.cflags);
        start = 1;
        if (c.params.append_branches == 0)
            return 1;
    }
    for (size_t i = start; i < targets.size(); ++i)
        if (!append_target(msg, targets[i]))
            log(SIPHOST_LOG_WARN, "the destination set is full: contact " + targets[i].uri + " left out");
    return 1;
}

} // namespace

int lookup(siphost_msg* msg, siphost_udomain* domain, std::string_view uri) {
    const siphost_host_api* host = ctx().host;
    std::string target_uri(uri.empty() ? sdk::view(host->msg_ruri(msg)) : uri);
    std::vector<target> targets;
    int rc = find_targets(msg, domain, target_uri, targets);
    if (rc < 0)
        return rc;
    return route_to(msg, targets, true);
}

int lookup_branches(siphost_msg* msg, siphost_udomain* domain) {
    const siphost_host_api* host = ctx().host;
    // The branches to look up: copies, since the set is rebuilt.
    struct saved {
        std::string uri;
        bool plain = false;
        siphost_branch copy;
        std::string dst_uri, path, instance, ruid;
    };
    std::vector<saved> branches;
    uint32_t n = host->msgctx->branch_count(msg);
    for (uint32_t i = 0; i < n; ++i) {
        siphost_branch b = sdk::sized<siphost_branch>();
        if (host->msgctx->branch_at(msg, i, &b) != 0)
            continue;
        saved s;
        s.uri.assign(sdk::view(b.uri));
        s.dst_uri.assign(sdk::view(b.dst_uri));
        s.path.assign(sdk::view(b.path));
        s.instance.assign(sdk::view(b.instance));
        s.ruid.assign(sdk::view(b.ruid));
        s.copy = b;
        // Only a branch with nothing but a URI is looked up (Kamailio's rule).
        s.plain = s.dst_uri.empty() && s.path.empty() && s.instance.empty() && s.ruid.empty() &&
                  b.socket == nullptr && b.flags == 0;
        branches.push_back(std::move(s));
    }
    host->msgctx->clear_branches(msg);
    int rc = lookup(msg, domain, {});
    for (saved& s : branches) {
        if (!s.plain) {
            s.copy.uri = sdk::str(s.uri);
            s.copy.dst_uri = sdk::str(s.dst_uri);
            s.copy.path = sdk::str(s.path);
            s.copy.instance = sdk::str(s.instance);
            s.copy.ruid = sdk::str(s.ruid);
            host->msgctx->append_branch(msg, &s.copy);
            continue;
        }
        std::vector<target> targets;
        int found = find_targets(msg, domain, s.uri, targets);
        if (found > 0) {
            route_to(msg, targets, false);
            rc = 1;
        } else {
            // Not registered here: the branch goes on as it was.
            siphost_branch b = sdk::sized<siphost_branch>();
            b.uri = sdk::str(s.uri);
            host->msgctx->append_branch(msg, &b);
        }
    }
    return rc;
}

int registered(siphost_msg* msg, siphost_udomain* domain, std::string_view uri, uint32_t match_option,
               uint32_t match_action) {
    const context& c = ctx();
    std::string target_uri(uri);
    if (target_uri.empty())
        target_uri.assign(c.host->msg_is_request(msg) ? sdk::view(c.host->msg_ruri(msg))
                                                      : sdk::view(c.host->msg_to_uri(msg)));
    std::string aor;
    bool no_user = false;
    if (!extract_aor(target_uri, aor, no_user))
        return -1;
    std::vector<target> targets;
    if (c.ul->get_contacts(domain, sdk::str(aor), 0, copy_target, &targets) <= 0)
        return -1;
    // Each selected match_* value that $xavp(<xavp_cfg>) holds must equal the contact's; one not given is not
    // compared (Kamailio's rule).
    std::optional<std::string> callid, received, contact;
    if ((match_option & 1) != 0)
        callid = cfg_string(msg, cfg_match_callid);
    if ((match_option & 2) != 0)
        received = cfg_string(msg, cfg_match_received);
    if ((match_option & 4) != 0)
        contact = cfg_string(msg, cfg_match_contact);
    for (const target& t : targets) {
        if ((callid && *callid != t.callid) || (received && *received != t.received) ||
            (contact && *contact != t.uri))
            continue;
        // match_action 1 would restore the xavps usrloc's xavp_contact saved with the contact: siphost's
        // usrloc keeps none (it has no xavp_contact), so there is nothing to restore.
        if ((match_action & 2) == 0)
            store_target_rcd(msg, t);
        return 1;
    }
    return -1;
}

int unregister(siphost_msg*, siphost_udomain* domain, std::string_view uri, std::string_view ruid) {
    const context& c = ctx();
    std::string aor;
    bool no_user = false;
    if (!uri.empty() && !extract_aor(uri, aor, no_user))
        return -1;
    if (aor.empty() && ruid.empty())
        return -1;
    if (!ruid.empty()) {
        int rc = c.ul->delete_contact(domain, sdk::str(aor), sdk::str(ruid));
        return rc < 0 ? -2 : rc == 0 ? -3 : 1;
    }
    int rc = c.ul->delete_record(domain, sdk::str(aor));
    return rc < 0 ? -2 : rc == 0 ? -3 : 1;
}

} // namespace siphost::modules::registrar
