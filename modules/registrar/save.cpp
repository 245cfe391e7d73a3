// save(): a REGISTER updates the AOR's bindings as RFC 3261 10.3 says, and the reply lists them all.
//
// The request is checked whole first, then the AOR is locked, the changes are planned against its current
// bindings (so that an error half-way, a CSeq out of order or too many contacts, stores nothing), applied,
// and answered. Errors are answered with Kamailio's codes and its P-Registrar-Error texts.
#include "registrar.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <vector>

namespace siphost::modules::registrar {
namespace {

/// Kamailio's registrar errors: the reply code and the P-Registrar-Error text.
struct reg_error {
    int code;
    const char* info;
};
constexpr reg_error r_fine{200, ""};
constexpr reg_error r_ul_get{500, "usrloc_record_get failed"};
constexpr reg_error r_inv_cseq{400, "Invalid CSeq number"};
constexpr reg_error r_ul_ins_c{500, "usrloc_contact_insert failed"};
constexpr reg_error r_ul_del_c{500, "usrloc_contact_delete failed"};
constexpr reg_error r_ul_upd_c{500, "usrloc_contact_update failed"};
constexpr reg_error r_ul_del_r{500, "usrloc_record_delete failed"};
constexpr reg_error r_to_user{400, "No username in To URI"};
constexpr reg_error r_aor_parse{400, "Error while parsing AOR"};
constexpr reg_error r_to_miss{400, "To header not found"};
constexpr reg_error r_cid_miss{400, "Call-ID header not found"};
constexpr reg_error r_cs_miss{400, "CSeq header not found"};
constexpr reg_error r_parse_exp{400, "Expires parse error"};
constexpr reg_error r_parse_cont{400, "Contact parse error"};
constexpr reg_error r_star_exp{400, "* used in contact and expires is not zero"};
constexpr reg_error r_star_cont{400, "* used in contact and more than 1 contact"};
constexpr reg_error r_too_many{503, "Too many registered contacts"};
constexpr reg_error r_contact_len{400, "Contact/received too long"};
constexpr reg_error r_callid_len{400, "Callid too long"};
constexpr reg_error r_parse_path{400, "Path parse error"};
constexpr reg_error r_path_unsup{420, "No support for found Path indicated"};
constexpr reg_error r_low_exp{423, "Interval Too Brief"};

/// The most contacts one REGISTER may carry (or max_contacts when that is more): the 200 lists them all in
/// one datagram, and a longer list is an attack rather than a phone.
constexpr size_t contacts_per_request = 128;
constexpr size_t max_callid = 255;
constexpr size_t max_user_agent = 255;

int64_t now_seconds() {
    return static_cast<int64_t>(std::time(nullptr));
}

/// One Contact of the request, checked, with its expires resolved.
struct request_contact {
    std::string_view uri;
    std::string_view instance;
    int64_t expires = 0; ///< seconds from now; 0: remove
    int32_t q = -1;
    uint32_t reg_id = 0;
};

/// What the request says, besides its contacts.
struct request_info {
    std::string_view callid;
    uint32_t cseq = 0;
    std::string path;
    std::string received;
    std::string_view user_agent;
    std::string socket_name;
    siphost_socket* socket = nullptr;
    uint64_t conn_id = 0; ///< the connection it came over, 0: none (UDP)
    uint32_t methods = SIPHOST_METHODS_ALL;
    bool star = false;
    bool path_supported = false;
    bool has_expires = false;
    uint32_t expires_header = 0;
    int32_t max_contacts = 0; ///< the modparam, or $xavp(<xavp_cfg>=>max_contacts)
    std::vector<request_contact> contacts;
};

/// A copy of a binding, for planning and for the reply.
struct binding {
    std::string ruid;
    std::string uri;
    std::string callid;
    std::string received;
    std::string instance;
    std::string path;
    int64_t expires = 0;
    int32_t q = -1;
    uint32_t reg_id = 0;
};

int copy_binding(const siphost_ucontact* c, void* data) {
    auto* out = static_cast<std::vector<binding>*>(data);
    binding b;
    b.ruid.assign(sdk::view(c->ruid));
    b.uri.assign(sdk::view(c->contact));
    b.callid.assign(sdk::view(c->callid));
    b.received.assign(sdk::view(c->received));
    b.instance.assign(sdk::view(c->instance));
    b.path.assign(sdk::view(c->path));
    b.expires = c->expires;
    b.q = c->q;
    b.reg_id = c->reg_id;
    out->push_back(std::move(b));
    return 0;
}

/// With sock_flag set on the REGISTER: the socket to store its contacts with instead of the one it came on,
/// as Kamailio 5.6.3 picks it (measured): with sock_hdr_name, the first such header's value (trimmed; empty:
/// none) and never the xavp; without, $xavp(<xavp_cfg>=>socket). "[proto:]address[:port]", a missing proto or
/// port matching any; one this server does not have is an error and the REGISTER's socket is kept.
void choose_socket(siphost_msg* msg, siphost_socket*& socket) {
    const context& c = ctx();
    const char* header_name = c.params.sock_hdr_name;
    bool from_header = header_name != nullptr && *header_name != '\0';
    std::string name;
    if (from_header) {
        name.assign(sdk::trim(sdk::header(c.host, msg, header_name)));
        if (name.empty())
            return;
    } else if (std::optional<std::string> from_xavp = cfg_string(msg, cfg_socket)) {
        name = std::move(*from_xavp);
    } else {
        return;
    }
    siphost_socket* chosen = c.host->socket_find(sdk::str(name));
    if (chosen != nullptr)
        socket = chosen;
    else
        log(SIPHOST_LOG_ERR,
            std::string(from_header ? "sock_hdr_name " + std::string(header_name) : "xavp_cfg socket") +
                ": non-local socket <" + name + ">");
}

/// Reads and checks everything but the AOR. Returns r_fine or the error to answer.
reg_error read_request(siphost_msg* msg, request_info& info) {
    const context& c = ctx();
    const siphost_host_api* host = c.host;
    bool found = false;
    sdk::header(host, msg, "To", 0, &found);
    if (!found)
        return r_to_miss;
    info.callid = sdk::view(host->msg_call_id(msg));
    if (info.callid.empty())
        return r_cid_miss;
    if (info.callid.size() > max_callid)
        return r_callid_len;
    siphost_str cseq_method{nullptr, 0};
    if (host->msg_cseq(msg, &info.cseq, &cseq_method) != 0)
        return r_cs_miss;

    std::string_view expires = sdk::trim(sdk::header(host, msg, "Expires", 0, &info.has_expires));
    if (info.has_expires) {
        uint64_t value = 0;
        if (!sdk::parse_uint(expires, value, UINT32_MAX))
            return r_parse_exp;
        info.expires_header = static_cast<uint32_t>(value);
    }

    // Every Contact line, each a list (or "*").
    const size_t limit = std::max(contacts_per_request, static_cast<size_t>(std::max(info.max_contacts, 0)));
    // A phone sends one contact or a few: those are parsed on the stack, and only a longer list gets a
    // buffer of its size (a buffer for the limit, 13 KB cleared on every REGISTER, was 2 % of the CPU).
    std::array<siphost_contact, 8> few;
    std::vector<siphost_contact> many;
    siphost_str name{nullptr, 0}, value{nullptr, 0};
    for (size_t i = 0; host->msg_header_at(msg, i, &name, &value) == 1; ++i) {
        std::string_view n = sdk::view(name);
        if (!sdk::iequals(n, "Contact") && !sdk::iequals(n, "m"))
            continue;
        // Removed headers are still listed by msg_header_at; the first lookups skip them.
        size_t count = 0;
        const siphost_contact* parsed = few.data();
        int kind = sdk::parse_contacts(host, sdk::view(value), few.data(), few.size(), count);
        if (kind == SIPHOST_CONTACTS_LIST && count > few.size() && info.contacts.size() + count <= limit) {
            many.resize(count);
            kind = sdk::parse_contacts(host, sdk::view(value), many.data(), many.size(), count);
            if (count > many.size()) // the same text parsed twice cannot grow; refuse rather than overrun
                return r_parse_cont;
            parsed = many.data();
        }
        if (kind == SIPHOST_CONTACTS_MALFORMED)
            return r_parse_cont;
        if (kind == SIPHOST_CONTACTS_STAR) {
            if (info.star || !info.contacts.empty())
                return r_star_cont;
            info.star = true;
            continue;
        }
        if (info.star)
            return r_star_cont;
        if (info.contacts.size() + count > limit)
            return r_too_many;
        for (size_t k = 0; k < count; ++k) {
            const siphost_contact& pc = parsed[k];
            request_contact rc;
            rc.uri = sdk::view(pc.uri);
            if (rc.uri.size() > static_cast<size_t>(c.params.contact_max_size))
                return r_contact_len;
            siphost_uri uri;
            if (!sdk::parse_uri(host, rc.uri, uri) || uri.scheme == SIPHOST_URI_OTHER)
                return r_parse_cont;
            rc.instance = sdk::view(pc.instance);
            rc.reg_id = pc.reg_id;
            rc.q = pc.q >= 0 ? pc.q : c.params.default_q;
            rc.expires = pc.expires >= 0    ? pc.expires
                         : info.has_expires ? static_cast<int64_t>(info.expires_header)
                                            : c.params.default_expires;
            info.contacts.push_back(rc);
        }
    }
    // $xavp(<xavp_cfg>=>expires) and =>q replace what the request says (Kamailio 5.6.3, measured: a
    // Contact's own expires parameter and q too); the expires limits still apply afterwards.
    if (auto expires = cfg_int(msg, cfg_expires); expires && *expires >= 0)
        for (request_contact& rc : info.contacts)
            rc.expires = std::min<int64_t>(*expires, UINT32_MAX);
    if (auto q = cfg_int(msg, cfg_q); q) {
        if (*q >= 0 && *q <= 1000)
            for (request_contact& rc : info.contacts)
                rc.q = static_cast<int32_t>(*q);
        else
            log(SIPHOST_LOG_WARN, "xavp_cfg: q must be 0..1000: ignored");
    }
    if (info.star && (!info.has_expires || info.expires_header != 0))
        return r_star_exp;

    if (c.params.use_path != 0) {
        for (size_t i = 0; host->msg_header_at(msg, i, &name, &value) == 1; ++i) {
            if (!sdk::iequals(sdk::view(name), "Path"))
                continue;
            std::string_view line = sdk::trim(sdk::view(value));
            // Each value must be a name-addr; parse_contacts reads a comma list of them.
            size_t count = 0;
            siphost_contact one[8];
            if (line.empty() || sdk::parse_contacts(host, line, one, 8, count) != SIPHOST_CONTACTS_LIST)
                return r_parse_path;
            if (!info.path.empty())
                info.path.append(",");
            info.path.append(line);
        }
        for (uint32_t i = 0;; ++i) {
            bool present = false;
            std::string_view tag = sdk::trim(sdk::header(host, msg, "Supported", i, &present));
            if (!present)
                break;
            if (sdk::iequals(tag, "path"))
                info.path_supported = true;
        }
        if (!info.path.empty() && c.params.path_mode == 2 && !info.path_supported)
            return r_path_unsup;
    }

    bool has_allow = false;
    for (uint32_t i = 0;; ++i) {
        bool present = false;
        std::string_view m = sdk::trim(sdk::header(host, msg, "Allow", i, &present));
        if (!present)
            break;
        if (!has_allow)
            info.methods = 0;
        has_allow = true;
        info.methods |= method_bit(m, true);
    }

    info.user_agent = sdk::header(host, msg, "User-Agent");
    // Without one, what Kamailio stores (its ul.dump shows it, and the user_agent column holds it).
    if (info.user_agent.empty())
        info.user_agent = "n/a";
    if (info.user_agent.size() > max_user_agent)
        info.user_agent = info.user_agent.substr(0, max_user_agent);

    if (c.received_pv != nullptr) {
        siphost_value v{};
        if (host->pv_get(c.received_pv, msg, &v) == 0 && v.kind == SIPHOST_VALUE_STR)
            info.received.assign(sdk::view(v.str));
        if (info.received.size() > static_cast<size_t>(c.params.contact_max_size))
            return r_contact_len;
    }
    siphost_dest source = sdk::sized<siphost_dest>();
    if (host->msg_source(msg, &source) == 0)
        info.conn_id = source.conn_id;
    info.socket = host->msg_socket(msg);
    if (c.params.sock_flag >= 0 && (host->msg_flags(msg) & (uint64_t{1} << c.params.sock_flag)) != 0)
        choose_socket(msg, info.socket);
    siphost_socket_info si;
    if (sdk::socket_info(host, info.socket, si))
        info.socket_name.assign(sdk::view(si.name));
    return r_fine;
}

/// A q value as SIP writes it: "1", "0.5", "0.25".
void append_q(std::string& out, int32_t q) {
    char buf[8];
    if (q >= 1000) {
        out.append("1");
        return;
    }
    std::snprintf(buf, sizeof buf, "0.%03d", q < 0 ? 0 : q);
    std::string_view text(buf);
    while (text.size() > 3 && text.back() == '0')
        text.remove_suffix(1);
    out.append(text);
}

/// The Contact lines of a 200: every binding with its remaining expires.
std::string contact_lines(const std::vector<binding>& bindings, int64_t now);

/// xavp_rcd: each binding a reply lists, in its order, so the newest value of each field is the last one's
/// (Kamailio 5.6.3, measured).
void store_bindings_rcd(siphost_msg* msg, const std::vector<binding>& bindings, int64_t now) {
    if (!xavp_rcd_enabled())
        return;
    for (const binding& b : bindings)
        store_rcd(msg,
                  record_details{b.ruid, b.uri, b.expires == 0 ? 0 : std::max<int64_t>(b.expires - now, 0),
                                 b.received, b.path});
}

std::string contact_lines(const std::vector<binding>& bindings, int64_t now) {
    const context& c = ctx();
    std::string_view received_param =
        c.params.received_param != nullptr ? std::string_view(c.params.received_param) : "received";
    std::string out;
    for (const binding& b : bindings) {
        int64_t left = b.expires == 0 ? 0 : std::max<int64_t>(b.expires - now, 0);
        out.append("Contact: <").append(b.uri).append(">;expires=").append(std::to_string(left));
        if (b.q >= 0) {
            out.append(";q=");
            append_q(out, b.q);
        }
        if (!b.received.empty() && !received_param.empty())
            out.append(";").append(received_param).append("=\"").append(b.received).append("\"");
        if (!b.instance.empty())
            out.append(";+sip.instance=\"<").append(b.instance).append(">\"");
        if (b.reg_id != 0)
            out.append(";reg-id=").append(std::to_string(b.reg_id));
        out.append("\r\n");
    }
    return out;
}

void count(bool accepted) {
    const context& c = ctx();
    siphost_metric* m = accepted ? c.accepted : c.rejected;
    if (m != nullptr)
        c.host->metrics->metric_add(m, 1);
}

/// Answers an error, unless save_no_reply.
int reply_error(siphost_msg* msg, const reg_error& e, uint32_t flags, int rc = -1,
                std::string_view extra_headers = {}) {
    const context& c = ctx();
    count(false);
    log(SIPHOST_LOG_INFO, std::string("REGISTER refused: ") + std::to_string(e.code) + " " + e.info);
    if ((flags & save_no_reply) != 0)
        return rc;
    std::string headers(extra_headers);
    if (e.code == 423) {
        headers.append("Min-Expires: ").append(std::to_string(c.params.min_expires)).append("\r\n");
    } else {
        headers.append("P-Registrar-Error: ").append(e.info).append("\r\n");
        if (e.code == 420)
            headers.append("Unsupported: path\r\n");
        if (e.code >= 500 && c.params.retry_after > 0)
            headers.append("Retry-After: ").append(std::to_string(c.params.retry_after)).append("\r\n");
    }
    c.sl->reply_with(msg, e.code, sdk::str(""), sdk::str(headers), sdk::str(""));
    return rc;
}

/// One planned change.
struct change {
    enum kind_t { insert, update, remove } kind;
    std::string ruid;
    const request_contact* contact = nullptr;
};

/// Holds an AOR's lock for a scope.
class aor_lock {
public:
    aor_lock(siphost_udomain* domain, std::string_view aor) : domain_(domain), aor_(aor) {
        ctx().ul->lock_aor(domain_, sdk::str(aor_));
    }
    ~aor_lock() { ctx().ul->unlock_aor(domain_, sdk::str(aor_)); }
    aor_lock(const aor_lock&) = delete;
    aor_lock& operator=(const aor_lock&) = delete;

private:
    siphost_udomain* domain_;
    std::string_view aor_;
};

} // namespace

int save(siphost_msg* msg, siphost_udomain* domain, uint32_t flags, std::string_view uri_arg) {
    const context& c = ctx();
    const siphost_host_api* host = c.host;
    if (!host->msg_is_request(msg))
        return -1;
    request_info info;
    info.max_contacts = c.params.max_contacts;
    if (auto max = cfg_int(msg, cfg_max_contacts); max && *max >= 0)
        info.max_contacts = static_cast<int32_t>(std::min<int64_t>(*max, INT32_MAX));
    reg_error e = read_request(msg, info);
    if (e.code != 200)
        return reply_error(msg, e, flags, e.code == 503 ? -2 : -1);

    std::string aor;
    bool no_user = false;
    std::string_view target = uri_arg.empty() ? sdk::view(host->msg_to_uri(msg)) : uri_arg;
    if (!extract_aor(target, aor, no_user))
        return reply_error(msg, no_user ? r_to_user : r_aor_parse, flags);

    int64_t now = now_seconds();
    // Expires limits; a 423 (min_expires_mode 1) refuses the whole request.
    for (request_contact& rc : info.contacts) {
        if (rc.expires == 0)
            continue;
        if (c.params.min_expires > 0 && rc.expires < c.params.min_expires) {
            if (c.params.min_expires_mode == 1)
                return reply_error(msg, r_low_exp, flags);
            rc.expires = c.params.min_expires;
        }
        if (c.params.max_expires > 0 && rc.expires > c.params.max_expires)
            rc.expires = c.params.max_expires;
    }

    aor_lock lock(domain, aor);
    std::vector<binding> current;
    if (c.ul->get_contacts(domain, sdk::str(aor), 0, copy_binding, &current) < 0)
        return reply_error(msg, r_ul_get, flags);

    siphost_ucontact base = sdk::sized<siphost_ucontact>();
    base.callid = sdk::str(info.callid);
    base.cseq = static_cast<int32_t>(info.cseq);
    base.path = sdk::str(info.path);
    base.received = sdk::str(info.received);
    base.user_agent = sdk::str(info.user_agent);
    base.socket_name = sdk::str(info.socket_name);
    base.socket = info.socket;
    base.methods = info.methods;
    base.conn_id = info.conn_id;
    // The REGISTER's own branch flags (setbflag before save) are kept with the contact, as Kamailio keeps
    // them in cflags, so that lookup gives them back (NAT flags of the stock config).
    uint64_t branch_flags = 0;
    if (SIPHOST_HAS(siphost_msgctx_api, host->msgctx, branch_flags) &&
        host->msgctx->branch_flags(msg, 0, &branch_flags) == 0)
        base.cflags = static_cast<uint32_t>(branch_flags);

    auto fill = [&](const request_contact& rc) {
        siphost_ucontact u = base;
        u.contact = sdk::str(rc.uri);
        u.instance = sdk::str(rc.instance);
        u.reg_id = rc.reg_id;
        u.q = rc.q;
        u.expires = now + rc.expires;
        return u;
    };

    int rc_code = 2;
    std::vector<change> plan;
    if (info.star) {
        if (c.ul->delete_record(domain, sdk::str(aor)) < 0)
            return reply_error(msg, r_ul_del_r, flags);
        current.clear();
        rc_code = 3;
    } else if (info.contacts.empty()) {
        rc_code = 4; // a query: the reply lists the bindings
    } else {
        // Plan every change before making any.
        std::vector<std::string> kept; // ruids this request refreshes
        // Bindings once the plan is applied; a matched binding may have expired (not counted in current).
        int64_t bindings = static_cast<int64_t>(current.size());
        std::vector<std::string_view> seen;
        for (const request_contact& rc : info.contacts) {
            if (std::find(seen.begin(), seen.end(), rc.uri) != seen.end())
                continue; // the same URI twice in one request: the first one counts
            seen.push_back(rc.uri);
            siphost_ucontact probe = fill(rc);
            char ruid[SIPHOST_USRLOC_RUID_MAX];
            size_t ruid_len = 0;
            int match = c.ul->match_contact(domain, sdk::str(aor), &probe, ruid, sizeof ruid, &ruid_len);
            if (match == SIPHOST_UL_OUT_OF_ORDER)
                return reply_error(msg, r_inv_cseq, flags);
            if (match == SIPHOST_UL_RETRANSMISSION)
                continue;
            if (match == SIPHOST_UL_FOUND) {
                std::string id(ruid, ruid_len);
                bool counted = std::any_of(current.begin(), current.end(),
                                           [&](const binding& b) { return b.ruid == id; });
                if (rc.expires == 0) {
                    plan.push_back(change{change::remove, id, &rc});
                    bindings -= counted ? 1 : 0;
                } else {
                    plan.push_back(change{change::update, id, &rc});
                    kept.push_back(id);
                    bindings += counted ? 0 : 1;
                }
            } else if (match == SIPHOST_UL_NOT_FOUND) {
                if (rc.expires != 0) {
                    plan.push_back(change{change::insert, {}, &rc});
                    ++bindings;
                }
            } else {
                return reply_error(msg, r_ul_get, flags);
            }
        }
        if ((flags & save_replace) != 0) {
            for (const binding& b : current)
                if (std::find(kept.begin(), kept.end(), b.ruid) == kept.end() &&
                    std::none_of(plan.begin(), plan.end(), [&](const change& ch) {
                        return ch.kind == change::remove && ch.ruid == b.ruid;
                    })) {
                    plan.push_back(change{change::remove, b.ruid, nullptr});
                    --bindings;
                }
        }
        if (info.max_contacts > 0 && bindings > info.max_contacts) {
            // As Kamailio does (measured): the 503 lists the AOR's bindings, which go to xavp_rcd too.
            store_bindings_rcd(msg, current, now);
            return reply_error(msg, r_too_many, flags, -2, contact_lines(current, now));
        }

        bool inserted = false, updated = false, removed = false;
        for (const change& ch : plan) {
            if (ch.kind == change::insert) {
                siphost_ucontact u = fill(*ch.contact);
                if (c.ul->insert_contact(domain, sdk::str(aor), &u, nullptr, 0, nullptr) != 0)
                    return reply_error(msg, r_ul_ins_c, flags);
                inserted = true;
            } else if (ch.kind == change::update) {
                siphost_ucontact u = fill(*ch.contact);
                if (c.ul->update_contact(domain, sdk::str(aor), sdk::str(ch.ruid), &u) != 0)
                    return reply_error(msg, r_ul_upd_c, flags);
                updated = true;
            } else {
                if (c.ul->delete_contact(domain, sdk::str(aor), sdk::str(ch.ruid)) < 0)
                    return reply_error(msg, r_ul_del_c, flags);
                removed = true;
            }
        }
        // Kamailio 5.6.3's codes (measured): 2 when a binding was refreshed, else 1 when one was added (to a
        // new AOR or not), else 3 when one was removed.
        rc_code = updated ? 2 : inserted ? 1 : removed ? 3 : 2;
        current.clear();
        if (c.ul->get_contacts(domain, sdk::str(aor), 0, copy_binding, &current) < 0)
            return reply_error(msg, r_ul_get, flags);
    }
    if (info.star)
        current.clear();

    count(true);
    store_bindings_rcd(msg, current, now); // none after a removal of all
    if ((flags & save_no_reply) == 0) {
        std::string headers = contact_lines(current, now);
        if (!info.path.empty() &&
            (c.params.path_mode == 2 || (c.params.path_mode == 1 && info.path_supported)))
            headers.append("Path: ").append(info.path).append("\r\n");
        if (c.sl->reply_with(msg, 200, sdk::str("OK"), sdk::str(headers), sdk::str("")) < 0)
            log(SIPHOST_LOG_ERR, "cannot send the 200 to a REGISTER");
    }
    return rc_code;
}

uint32_t method_bit(std::string_view m, bool ignore_case) {
    struct entry {
        std::string_view name;
        uint32_t bit;
    };
    static constexpr entry methods[] = {
        {"INVITE", SIPHOST_METHOD_INVITE},
        {"CANCEL", SIPHOST_METHOD_CANCEL},
        {"ACK", SIPHOST_METHOD_ACK},
        {"BYE", SIPHOST_METHOD_BYE},
        {"INFO", SIPHOST_METHOD_INFO},
        {"REGISTER", SIPHOST_METHOD_REGISTER},
        {"SUBSCRIBE", SIPHOST_METHOD_SUBSCRIBE},
        {"NOTIFY", SIPHOST_METHOD_NOTIFY},
        {"MESSAGE", SIPHOST_METHOD_MESSAGE},
        {"OPTIONS", SIPHOST_METHOD_OPTIONS},
        {"PRACK", SIPHOST_METHOD_PRACK},
        {"UPDATE", SIPHOST_METHOD_UPDATE},
        {"REFER", SIPHOST_METHOD_REFER},
        {"PUBLISH", SIPHOST_METHOD_PUBLISH},
    };
    for (const entry& e : methods)
        if (ignore_case ? sdk::iequals(e.name, m) : e.name == m)
            return e.bit;
    return 0;
}

} // namespace siphost::modules::registrar
