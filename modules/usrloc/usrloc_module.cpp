// usrloc: the location table (Kamailio's usrloc module).
//
//   modparam: db_url, db_mode (0 memory, 1 write-through, 2 write-back, 3 database only), timer_interval,
//             use_domain, hash_size, matching_mode, cseq_delay, desc_time_order, nat_bflag, preload
//   RPC:      ul.dump, ul.lookup, ul.rm, ul.rm_contact, ul.flush
//   API:      "usrloc" major 1 (<siphost/api/usrloc.h>), what registrar uses
//
// Each location table (domain) is a hash table of AORs with one mutex per slot (location_domain); the timer
// removes expired contacts and, in db_mode 2, writes what changed. docs/usrloc.md is the long form.
#include "location_db.hpp"
#include "location_domain.hpp"

#include <siphost/api/db.h>
#include <siphost/api/usrloc.h>
#include <siphost/module.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

/// The opaque domain handle of the API is the in-memory table.
struct siphost_udomain {
    explicit siphost_udomain(std::string name, unsigned hash_power, bool time_order)
        : table(std::move(name), hash_power, time_order) {}
    siphost::modules::usrloc::location_domain table;
};

namespace siphost::modules::usrloc {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;

// ---- parameters ----
const char* db_url_ = nullptr;
int32_t db_mode_ = 0;
int32_t timer_interval_ = 60;
int32_t timer_procs_ = 0; ///< Kamailio's dedicated timer processes; siphost's slow timer thread serves all
int32_t use_domain_ = 0;
int32_t hash_size_ = 10;
int32_t matching_mode_ = 0;
int32_t cseq_delay_ = 20;
int32_t desc_time_order_ = 0;
int32_t nat_bflag_ = -1;
std::vector<std::string> preload_;

std::mutex domains_mutex_; ///< guards domains_ (get_domain, at fixups; never on the message path)
std::map<std::string, std::unique_ptr<siphost_udomain>, std::less<>> domains_;
std::unique_ptr<location_db> db_;
std::atomic<uint32_t> ruid_counter_{0};
int64_t ruid_epoch_ = 0;
siphost_metric* expired_counter_ = nullptr;

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

int64_t now_seconds() {
    return static_cast<int64_t>(std::time(nullptr));
}

match_rules rules() {
    return match_rules{matching_mode_, cseq_delay_};
}

/// The process id for ruids, read once (getpid() is a system call, on every REGISTER otherwise). Read before
/// a daemonizing fork, it is the parent's: the ruids stay unique all the same, by their epoch and counter.
unsigned ruid_pid() {
    static const unsigned pid = static_cast<unsigned>(getpid());
    return pid;
}

void append_number(std::string& out, unsigned long long value, int base) {
    char digits[24]; // 2^64 in decimal has 20
    out.append(digits, std::to_chars(digits, digits + sizeof digits, value, base).ptr);
}

/// "uloc-<epoch hex>-<pid hex>-<counter>", Kamailio's shape; to_chars, as snprintf cost more than the rest of
/// an insert (perf, bench/registrar).
std::string make_ruid() {
    std::string ruid;
    ruid.reserve(SIPHOST_USRLOC_RUID_MAX);
    ruid.append("uloc-");
    append_number(ruid, static_cast<unsigned long long>(ruid_epoch_), 16);
    ruid.push_back('-');
    append_number(ruid, ruid_pid(), 16);
    ruid.push_back('-');
    append_number(ruid, ruid_counter_.fetch_add(1) + 1, 10);
    return ruid;
}

bool valid_table_name(std::string_view name) {
    if (name.empty() || name.size() > 64)
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

void write_ruid(std::string_view ruid, char* buf, size_t cap, size_t* len) {
    if (buf == nullptr || cap == 0)
        return;
    size_t n = std::min(ruid.size(), cap);
    std::memcpy(buf, ruid.data(), n);
    if (len != nullptr)
        *len = n;
}

/// Loads a table's rows into memory (db_mode 1 and 2). False with a logged reason.
bool load_domain(siphost_udomain& domain) {
    std::vector<removed_contact> rows;
    if (!db_->load(domain.table.name(), rows)) {
        log(SIPHOST_LOG_ERR, "cannot load table '" + domain.table.name() + "': " + db_->last_error());
        return false;
    }
    for (removed_contact& row : rows)
        domain.table.insert(row.aor, std::move(row.contact));
    log(SIPHOST_LOG_INFO,
        "loaded " + std::to_string(rows.size()) + " contacts from table '" + domain.table.name() + "'");
    return true;
}

// ---- the API ----

siphost_udomain* api_get_domain(siphost_str name) {
    std::string_view wanted = sdk::view(name);
    if (!valid_table_name(wanted))
        return nullptr;
    std::lock_guard guard(domains_mutex_);
    auto found = domains_.find(wanted);
    if (found != domains_.end())
        return found->second.get();
    auto domain = std::make_unique<siphost_udomain>(std::string(wanted), static_cast<unsigned>(hash_size_),
                                                    desc_time_order_ != 0);
    if ((db_mode_ == 1 || db_mode_ == 2) && !load_domain(*domain))
        return nullptr;
    siphost_udomain* made = domain.get();
    domains_.emplace(std::string(wanted), std::move(domain));
    return made;
}

siphost_str api_domain_name(const siphost_udomain* domain) {
    return domain == nullptr ? siphost_str{nullptr, 0} : sdk::str(domain->table.name());
}

void api_lock_aor(siphost_udomain* domain, siphost_str aor) {
    if (domain != nullptr)
        domain->table.lock(sdk::view(aor));
}

void api_unlock_aor(siphost_udomain* domain, siphost_str aor) {
    if (domain != nullptr)
        domain->table.unlock(sdk::view(aor));
}

/// db_mode 3: the AOR's contacts as the database has them, in the table's order. False on an error.
bool db_contacts(siphost_udomain* domain, std::string_view aor, std::vector<ucontact>& out) {
    if (!db_->contacts_of(domain->table.name(), aor, out)) {
        log(SIPHOST_LOG_ERR, "cannot read the contacts of '" + std::string(aor) + "': " + db_->last_error());
        return false;
    }
    domain->table.order(out);
    return true;
}

int api_get_contacts(siphost_udomain* domain, siphost_str aor, int with_expired, siphost_ucontact_fn fn,
                     void* data) {
    return sdk::guard(-1, [&] {
        if (domain == nullptr || fn == nullptr)
            return -1;
        int64_t now = now_seconds();
        if (db_mode_ == 3) {
            domain->table.lock(sdk::view(aor));
            std::vector<ucontact> list;
            bool ok = db_contacts(domain, sdk::view(aor), list);
            int visited = 0;
            for (const ucontact& c : list) {
                if (!ok || (!with_expired && !c.valid(now)))
                    continue;
                ++visited;
                siphost_ucontact v = c.view();
                if (fn(&v, data) != 0)
                    break;
            }
            domain->table.unlock(sdk::view(aor));
            return ok ? visited : -1;
        }
        return domain->table.visit(sdk::view(aor), with_expired != 0, now, [&](const ucontact& c) {
            siphost_ucontact v = c.view();
            return fn(&v, data) == 0;
        });
    });
}

std::vector<siphost_udomain*> all_domains();

/// One table's contacts for for_each_contact; false when fn asked to stop.
bool visit_table(siphost_udomain* domain, int64_t now, siphost_utable_contact_fn fn, void* data, int& visited,
                 bool& failed) {
    if (db_mode_ == 3) {
        std::vector<removed_contact> rows;
        if (!db_->load(domain->table.name(), rows)) {
            failed = true;
            return true;
        }
        for (const removed_contact& row : rows) {
            if (!row.contact.valid(now))
                continue;
            ++visited;
            siphost_ucontact v = row.contact.view();
            if (fn(domain, sdk::str(row.aor), &v, data) != 0)
                return false;
        }
        return true;
    }
    bool go_on = true;
    domain->table.for_each_record([&](std::string_view aor, uint32_t, const std::vector<ucontact>& list) {
        for (const ucontact& c : list) {
            if (!go_on || !c.valid(now))
                continue;
            ++visited;
            siphost_ucontact v = c.view();
            go_on = fn(domain, sdk::str(aor), &v, data) == 0;
        }
    });
    return go_on;
}

int api_for_each_contact(siphost_udomain* domain, siphost_utable_contact_fn fn, void* data) {
    return sdk::guard(-1, [&] {
        if (fn == nullptr)
            return -1;
        int64_t now = now_seconds();
        int visited = 0;
        bool failed = false;
        std::vector<siphost_udomain*> tables =
            domain != nullptr ? std::vector<siphost_udomain*>{domain} : all_domains();
        for (siphost_udomain* table : tables)
            if (!visit_table(table, now, fn, data, visited, failed))
                break;
        return failed ? -1 : visited;
    });
}

int api_match_contact(siphost_udomain* domain, siphost_str aor, const siphost_ucontact* contact, char* ruid,
                      size_t cap, size_t* ruid_len) {
    return sdk::guard(-3, [&] {
        if (domain == nullptr || contact == nullptr)
            return -3;
        std::string found;
        int rc = 0;
        if (db_mode_ == 3) {
            std::vector<ucontact> list;
            if (!db_contacts(domain, sdk::view(aor), list))
                return -3;
            rc = location_domain::match_list(list, *contact, now_seconds(), rules(), found);
        } else {
            rc = domain->table.match(sdk::view(aor), *contact, now_seconds(), rules(), found);
        }
        if (rc == SIPHOST_UL_FOUND)
            write_ruid(found, ruid, cap, ruid_len);
        return rc;
    });
}

int api_insert_contact(siphost_udomain* domain, siphost_str aor, const siphost_ucontact* contact, char* ruid,
                       size_t cap, size_t* ruid_len) {
    return sdk::guard(-1, [&] {
        if (domain == nullptr || contact == nullptr || contact->contact.len == 0 || aor.len == 0)
            return -1;
        ucontact c;
        c.assign(*contact, make_ruid());
        c.last_modified = now_seconds();
        std::string_view key = sdk::view(aor);
        if (db_mode_ == 1 || db_mode_ == 3) {
            if (!db_->insert(domain->table.name(), key, c)) {
                log(SIPHOST_LOG_ERR,
                    "cannot insert a contact of '" + std::string(key) + "': " + db_->last_error());
                return -1;
            }
        }
        write_ruid(c.ruid(), ruid, cap, ruid_len);
        if (db_mode_ == 3)
            return 0;
        if (db_mode_ == 2)
            c.state = db_state::inserted;
        domain->table.insert(key, std::move(c));
        return 0;
    });
}

int api_update_contact(siphost_udomain* domain, siphost_str aor, siphost_str ruid,
                       const siphost_ucontact* contact) {
    return sdk::guard(-1, [&] {
        if (domain == nullptr || contact == nullptr || contact->contact.len == 0)
            return -1;
        std::string_view key = sdk::view(aor);
        int64_t now = now_seconds();
        if (db_mode_ == 3) {
            std::vector<ucontact> list;
            if (!db_contacts(domain, key, list))
                return -1;
            for (ucontact& c : list)
                if (c.ruid() == sdk::view(ruid)) {
                    c.assign(*contact);
                    c.last_modified = now;
                    return db_->update(domain->table.name(), key, c) ? 0 : -1;
                }
            return -1;
        }
        ucontact updated;
        if (!domain->table.update(key, sdk::view(ruid), *contact, now,
                                  db_mode_ == 2 ? db_state::updated : db_state::clean, &updated))
            return -1;
        if (db_mode_ == 1 && !db_->update(domain->table.name(), key, updated)) {
            log(SIPHOST_LOG_ERR,
                "cannot update a contact of '" + std::string(key) + "': " + db_->last_error());
            return -1;
        }
        return 0;
    });
}

int api_delete_contact(siphost_udomain* domain, siphost_str aor, siphost_str ruid) {
    return sdk::guard(-1, [&] {
        if (domain == nullptr || ruid.len == 0)
            return -1;
        if (db_mode_ == 3) {
            if (!db_->remove(domain->table.name(), sdk::view(ruid)))
                return -1;
            return 1;
        }
        removed_contact removed;
        int rc = domain->table.remove(sdk::view(aor), sdk::view(ruid), &removed);
        if (rc == 1 && (db_mode_ == 1 || db_mode_ == 2) && removed.contact.state != db_state::inserted &&
            !db_->remove(domain->table.name(), sdk::view(ruid)))
            log(SIPHOST_LOG_ERR, "cannot delete a contact of '" + removed.aor + "': " + db_->last_error());
        return rc;
    });
}

int api_delete_record(siphost_udomain* domain, siphost_str aor) {
    return sdk::guard(-1, [&] {
        if (domain == nullptr || aor.len == 0)
            return -1;
        std::string_view key = sdk::view(aor);
        if (db_mode_ == 3) {
            std::vector<ucontact> list;
            if (!db_contacts(domain, key, list) || !db_->remove_aor(domain->table.name(), key))
                return -1;
            return static_cast<int>(list.size());
        }
        int count = domain->table.remove_record(key, nullptr);
        if (count > 0 && (db_mode_ == 1 || db_mode_ == 2) && !db_->remove_aor(domain->table.name(), key))
            log(SIPHOST_LOG_ERR,
                "cannot delete the contacts of '" + std::string(key) + "': " + db_->last_error());
        return count;
    });
}

int api_use_domain() {
    return use_domain_;
}
int api_db_mode() {
    return db_mode_;
}
int api_nat_bflag() {
    return nat_bflag_;
}

const siphost_usrloc_api_v1 usrloc_api = {
    sizeof(siphost_usrloc_api_v1),
    api_get_domain,
    api_domain_name,
    api_lock_aor,
    api_unlock_aor,
    api_get_contacts,
    api_match_contact,
    api_insert_contact,
    api_update_contact,
    api_delete_contact,
    api_delete_record,
    api_use_domain,
    api_db_mode,
    api_nat_bflag,
    api_for_each_contact,
};

// ---- the timer ----

std::vector<siphost_udomain*> all_domains() {
    std::lock_guard guard(domains_mutex_);
    std::vector<siphost_udomain*> out;
    for (auto& [name, domain] : domains_)
        out.push_back(domain.get());
    return out;
}

/// Expires contacts and writes back what changed: the timer's work, and ul.flush's.
void synchronize() {
    int64_t now = now_seconds();
    for (siphost_udomain* domain : all_domains()) {
        const std::string& table = domain->table.name();
        if (db_mode_ == 3) {
            if (db_->remove_expired(table, now) < 0)
                log(SIPHOST_LOG_ERR,
                    "cannot delete the expired contacts of '" + table + "': " + db_->last_error());
            continue;
        }
        std::vector<removed_contact> gone = domain->table.expire(now);
        if (expired_counter_ != nullptr && !gone.empty())
            host_->metrics->metric_add(expired_counter_, static_cast<int64_t>(gone.size()));
        if (db_mode_ == 1 || db_mode_ == 2)
            for (const removed_contact& rc : gone)
                if (rc.contact.state != db_state::inserted && !db_->remove(table, rc.contact.ruid()))
                    log(SIPHOST_LOG_ERR,
                        "cannot delete an expired contact of '" + rc.aor + "': " + db_->last_error());
        if (db_mode_ == 2)
            for (const removed_contact& rc : domain->table.take_dirty())
                if (!db_->replace(table, rc.aor, rc.contact)) {
                    log(SIPHOST_LOG_ERR, "cannot write a contact of '" + rc.aor + "': " + db_->last_error());
                    domain->table.mark_dirty(rc.aor, rc.contact.ruid()); // the next run tries again
                }
    }
}

void on_timer(uint64_t, void*) {
    sdk::guard(0, [] {
        synchronize();
        return 0;
    });
}

// ---- RPC ----

/// The AOR hash Kamailio's ul.dump prints as HashID (its core string hash: four bytes at a time, big-endian,
/// each word folded with itself shifted right by 3; then the sum folded by 11, 13 and 23 bits), so that a
/// dump reads the same on both. The table's own slots use another hash.
uint32_t kamailio_aor_hash(std::string_view aor) {
    auto byte = [&](size_t i) {
        return static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(aor[i])));
    };
    uint32_t h = 0;
    size_t i = 0;
    for (; i + 4 <= aor.size(); i += 4) {
        uint32_t v = (byte(i) << 24) + (byte(i + 1) << 16) + (byte(i + 2) << 8) + byte(i + 3);
        h += v ^ (v >> 3);
    }
    if (i < aor.size()) {
        uint32_t v = 0;
        for (; i < aor.size(); ++i)
            v = (v << 8) + byte(i);
        h += v ^ (v >> 3);
    }
    return h + (h >> 11) + (h >> 13) + (h >> 23);
}

void add_contact(const siphost_rpc_api* rpc, siphost_rpc_node* list, const ucontact& c, int64_t now) {
    siphost_rpc_node* wrap = rpc->add_struct(list, nullptr);
    siphost_rpc_node* node = wrap != nullptr ? rpc->add_struct(wrap, "Contact") : nullptr;
    if (node == nullptr)
        return;
    auto text = [&](const char* key, std::string_view value) {
        rpc->add_str(node, key,
                     sdk::str(value.empty() ? std::string_view("[not set]") : std::string_view(value)));
    };
    rpc->add_str(node, "Address", sdk::str(c.contact()));
    if (c.expires == 0)
        rpc->add_str(node, "Expires", sdk::str("permanent"));
    else if (c.expires <= now)
        rpc->add_str(node, "Expires", sdk::str("expired"));
    else
        rpc->add_int(node, "Expires", c.expires - now);
    rpc->add_double(node, "Q", c.q < 0 ? -1.0 : c.q / 1000.0);
    rpc->add_str(node, "Call-ID", sdk::str(c.callid()));
    rpc->add_int(node, "CSeq", c.cseq);
    text("User-Agent", c.user_agent());
    text("Received", c.received());
    text("Path", c.path());
    // Without a database Kamailio never syncs a contact: it stays CS_NEW (measured, 5.6.3).
    rpc->add_str(node, "State",
                 sdk::str(db_mode_ == 0 || c.state == db_state::inserted ? "CS_NEW"
                          : c.state == db_state::clean                   ? "CS_SYNC"
                                                                         : "CS_DIRTY"));
    rpc->add_int(node, "Flags", c.flags);
    rpc->add_int(node, "CFlags", c.cflags);
    text("Socket", c.socket_name());
    rpc->add_int(node, "Methods", static_cast<int32_t>(c.methods)); // Kamailio's int: all methods are -1
    text("Ruid", c.ruid());
    text("Instance", c.instance());
    rpc->add_int(node, "Reg-Id", c.reg_id);
    // Kamailio 5.6.3's other fields (measured): siphost has no server_id nor keepalives of its own, so
    // these are what Kamailio shows without them; the last keepalive is the registration.
    rpc->add_int(node, "Server-Id", 0);
    rpc->add_int(node, "Tcpconn-Id",
                 c.conn_id == 0 || c.conn_id > INT32_MAX ? -1 : static_cast<int64_t>(c.conn_id));
    rpc->add_int(node, "Keepalive", 0);
    rpc->add_int(node, "Last-Keepalive", c.last_modified);
    rpc->add_int(node, "KA-Roundtrip", 0);
    rpc->add_int(node, "Last-Modified", c.last_modified);
}

void rpc_dump(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_node* top = rpc->add_struct(rpc->result(call), nullptr);
    siphost_rpc_node* domains = top != nullptr ? rpc->add_array(top, "Domains") : nullptr;
    if (domains == nullptr)
        return;
    int64_t now = now_seconds();
    for (siphost_udomain* domain : all_domains()) {
        siphost_rpc_node* wrap = rpc->add_struct(domains, nullptr);
        siphost_rpc_node* node = wrap != nullptr ? rpc->add_struct(wrap, "Domain") : nullptr;
        if (node == nullptr)
            return;
        rpc->add_str(node, "Domain", sdk::str(domain->table.name()));
        rpc->add_int(node, "Size", static_cast<int64_t>(domain->table.slot_count()));
        siphost_rpc_node* aors = rpc->add_array(node, "AoRs");
        int64_t records = 0;
        std::map<uint32_t, int64_t> per_slot; // Kamailio's Max-Slots: the most records of one slot
        domain->table.for_each_record([&](std::string_view aor, uint32_t, const std::vector<ucontact>& list) {
            ++records;
            uint32_t hash = kamailio_aor_hash(aor);
            ++per_slot[hash & static_cast<uint32_t>(domain->table.slot_count() - 1)];
            siphost_rpc_node* info_wrap = rpc->add_struct(aors, nullptr);
            siphost_rpc_node* info = info_wrap != nullptr ? rpc->add_struct(info_wrap, "Info") : nullptr;
            if (info == nullptr)
                return;
            rpc->add_str(info, "AoR", sdk::str(aor));
            rpc->add_int(info, "HashID", hash);
            siphost_rpc_node* contacts = rpc->add_array(info, "Contacts");
            for (const ucontact& c : list)
                add_contact(rpc, contacts, c, now);
        });
        siphost_rpc_node* stats = rpc->add_struct(node, "Stats");
        if (stats != nullptr) {
            rpc->add_int(stats, "Records", records);
            int64_t most = 0;
            for (const auto& [slot, count] : per_slot)
                most = std::max(most, count);
            rpc->add_int(stats, "Max-Slots", most);
        }
    }
}

/// The table and AOR parameters of ul.lookup, ul.rm and ul.rm_contact; faults and returns NULL when wrong.
siphost_udomain* rpc_table_and_aor(siphost_rpc_call* call, std::string& aor) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_value table{}, name{};
    if (rpc->param(call, 0, &table) != 0 || rpc->param(call, 1, &name) != 0 ||
        table.kind != SIPHOST_VALUE_STR || name.kind != SIPHOST_VALUE_STR) {
        rpc->fault(call, 500, sdk::str("Not enough parameters (table and AOR to lookup)"));
        return nullptr;
    }
    siphost_udomain* domain = nullptr;
    {
        std::lock_guard guard(domains_mutex_);
        auto found = domains_.find(sdk::view(table.str));
        if (found != domains_.end())
            domain = found->second.get();
    }
    if (domain == nullptr) {
        rpc->fault(call, 500, sdk::str("Domain table not found"));
        return nullptr;
    }
    aor.assign(sdk::view(name.str));
    if (use_domain_ == 0) {
        size_t at = aor.find('@');
        if (at != std::string::npos)
            aor.resize(at);
    }
    return domain;
}

std::vector<ucontact> contacts_for_rpc(siphost_udomain* domain, const std::string& aor) {
    std::vector<ucontact> list;
    if (db_mode_ == 3) {
        db_contacts(domain, aor, list);
        return list;
    }
    domain->table.visit(aor, true, now_seconds(), [&](const ucontact& c) {
        list.push_back(c);
        return true;
    });
    return list;
}

void rpc_lookup(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    std::string aor;
    siphost_udomain* domain = rpc_table_and_aor(call, aor);
    if (domain == nullptr)
        return;
    std::vector<ucontact> list = contacts_for_rpc(domain, aor);
    if (list.empty()) {
        rpc->fault(call, 500, sdk::str("AOR not found in location table"));
        return;
    }
    siphost_rpc_node* top = rpc->add_struct(rpc->result(call), nullptr);
    if (top == nullptr)
        return;
    rpc->add_str(top, "AoR", sdk::str(aor));
    siphost_rpc_node* contacts = rpc->add_array(top, "Contacts");
    int64_t now = now_seconds();
    for (const ucontact& c : list)
        add_contact(rpc, contacts, c, now);
}

void rpc_rm(siphost_rpc_call* call) {
    std::string aor;
    siphost_udomain* domain = rpc_table_and_aor(call, aor);
    if (domain == nullptr)
        return;
    // An AOR that is not there is no error (Kamailio 5.6.3, measured).
    if (api_delete_record(domain, sdk::str(aor)) < 0)
        host_->rpc->fault(call, 500, sdk::str("Failed to delete AOR"));
}

void rpc_rm_contact(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    std::string aor;
    siphost_udomain* domain = rpc_table_and_aor(call, aor);
    if (domain == nullptr)
        return;
    siphost_value contact{};
    if (rpc->param(call, 2, &contact) != 0 || contact.kind != SIPHOST_VALUE_STR) {
        rpc->fault(call, 500, sdk::str("Not enough parameters (table, AOR and contact)"));
        return;
    }
    std::string ruid;
    std::vector<ucontact> list = contacts_for_rpc(domain, aor);
    if (list.empty()) {
        rpc->fault(call, 404, sdk::str("AOR not found"));
        return;
    }
    for (const ucontact& c : list)
        if (c.contact() == sdk::view(contact.str))
            ruid = c.ruid();
    if (ruid.empty()) {
        rpc->fault(call, 404, sdk::str("Contact not found"));
        return;
    }
    if (api_delete_contact(domain, sdk::str(aor), sdk::str(ruid)) < 0)
        rpc->fault(call, 500, sdk::str("Failed to delete the contact"));
}

void rpc_flush(siphost_rpc_call*) {
    synchronize();
}

int64_t read_users(void*) {
    int64_t n = 0;
    for (siphost_udomain* domain : all_domains())
        n += static_cast<int64_t>(domain->table.records());
    return n;
}

int64_t read_contacts(void*) {
    int64_t n = 0;
    for (siphost_udomain* domain : all_domains())
        n += static_cast<int64_t>(domain->table.contacts());
    return n;
}

bool register_gauge(const char* name, const char* help, int64_t (*read)(void*)) {
    siphost_metric_desc desc = sdk::sized<siphost_metric_desc>();
    desc.name = name;
    desc.kind = SIPHOST_METRIC_GAUGE;
    desc.help = help;
    desc.read = read;
    return host_->metrics->metric_register(self_, &desc) != nullptr;
}

// ---- lifecycle ----

int set_preload(const char*, const siphost_value* value, char* err, size_t err_size) {
    std::string_view name = sdk::arg_view(*value);
    if (!valid_table_name(name)) {
        sdk::write_error(err, err_size, "preload: not a table name");
        return -1;
    }
    preload_.emplace_back(name);
    return 0;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        self_ = self;
        ruid_epoch_ = now_seconds();
        if (db_mode_ < 0 || db_mode_ > 3)
            throw sdk::config_error("db_mode must be 0, 1, 2 or 3");
        if (hash_size_ < 1 || hash_size_ > 20)
            throw sdk::config_error("hash_size must be from 1 to 20");
        if (timer_interval_ < 1)
            throw sdk::config_error("timer_interval must be at least 1 second");
        if (timer_procs_ < 0)
            throw sdk::config_error("timer_procs must be 0 or more");
        if (timer_procs_ > 0)
            sdk::log(host, self, SIPHOST_LOG_INFO,
                     "timer_procs " + std::to_string(timer_procs_) +
                         ": expiry and database writes run on the host's slow timer thread, not in dedicated "
                         "processes");
        if (matching_mode_ < 0 || matching_mode_ > 3)
            throw sdk::config_error("matching_mode must be 0, 1, 2 or 3");
        if (db_mode_ != 0) {
            std::string_view url = db_url_ != nullptr ? std::string_view(db_url_) : std::string_view();
            if (url.empty())
                throw sdk::config_error("db_mode " + std::to_string(db_mode_) + " needs db_url");
            const siphost_db_api_v1* api = siphost_db_find_api(host, sdk::str(url));
            if (api == nullptr)
                throw sdk::config_error("no database driver for db_url '" +
                                        std::string(url.substr(0, url.find(':'))) +
                                        "': load it (db_sqlite, db_mysql, db_postgres) before usrloc");
            db_ = std::make_unique<location_db>(api, std::string(url), use_domain_ != 0);
            std::string error;
            if (!db_->check(error))
                throw sdk::config_error("cannot open db_url: " + error);
        }
        for (const std::string& name : preload_)
            if (api_get_domain(sdk::str(name)) == nullptr)
                throw sdk::config_error("cannot preload table '" + name + "'");
        if (!register_gauge("registered_users", "AORs in the location tables", read_users) ||
            !register_gauge("registered_contacts", "contacts in the location tables", read_contacts))
            throw sdk::config_error("cannot register usrloc's statistics");
        expired_counter_ =
            sdk::register_counter(host, self, "expires", "contacts removed because they expired");
        if (host->async->every(self, static_cast<uint32_t>(timer_interval_) * 1000u, SIPHOST_TIMER_SLOW,
                               on_timer, nullptr) != 0)
            throw sdk::config_error("cannot start usrloc's timer");
        if (host->api_export(self, SIPHOST_USRLOC_API_NAME, SIPHOST_USRLOC_API_MAJOR, &usrloc_api) != 0)
            throw sdk::config_error("cannot export the \"usrloc\" API: another module already exports it");
        return 0;
    });
}

void destroy() {
    // Write-back: what the timer did not write yet goes to the database now, as Kamailio does at shutdown.
    if (db_mode_ == 2 && db_ != nullptr)
        sdk::guard(0, [] {
            for (siphost_udomain* domain : all_domains())
                for (const removed_contact& rc : domain->table.take_dirty())
                    if (!db_->replace(domain->table.name(), rc.aor, rc.contact))
                        log(SIPHOST_LOG_ERR,
                            "cannot write a contact of '" + rc.aor + "': " + db_->last_error());
            return 0;
        });
    {
        std::lock_guard guard(domains_mutex_);
        domains_.clear();
    }
    db_.reset();
    preload_.clear();
    expired_counter_ = nullptr;
}

const siphost_param params[] = {
    sdk::string_param(
        "db_url", &db_url_,
        "database URL (sqlite:////abs/path or sqlite:///relative/path, mysql://..., postgres://...)"),
    sdk::int_param("db_mode", &db_mode_, "0 memory, 1 write-through, 2 write-back, 3 database only"),
    sdk::int_param("timer_interval", &timer_interval_, "seconds between two runs of the expiry timer"),
    sdk::int_param("timer_procs", &timer_procs_,
                   "accepted for Kamailio's configs: the expiry timer runs on the host's slow timer thread"),
    sdk::int_param("use_domain", &use_domain_, "AORs include the domain (user@host)"),
    sdk::int_param("hash_size", &hash_size_, "the table has 2^hash_size slots"),
    sdk::int_param("matching_mode", &matching_mode_,
                   "0 contact, 1 contact+Call-ID, 2 contact+Path, 3 Call-ID"),
    sdk::int_param("cseq_delay", &cseq_delay_, "seconds an equal CSeq is a retransmission"),
    sdk::int_param("desc_time_order", &desc_time_order_, "order contacts newest first instead of by q"),
    sdk::int_param("nat_bflag", &nat_bflag_, "branch flag of contacts behind NAT"),
    sdk::setter_param("preload", SIPHOST_PARAM_STRING, set_preload, "a table to load at start"),
    sdk::end_of_params(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("ul.dump", rpc_dump, "dumps the location tables"),
    sdk::rpc("ul.lookup", rpc_lookup, "the contacts of an AOR: ul.lookup table AOR", "ss"),
    sdk::rpc("ul.rm", rpc_rm, "deletes an AOR: ul.rm table AOR", "ss"),
    sdk::rpc("ul.rm_contact", rpc_rm_contact, "deletes a contact: ul.rm_contact table AOR contact", "sss"),
    sdk::rpc("ul.flush", rpc_flush, "expires contacts and writes the memory cache to the database now"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module(
    {.name = "usrloc", .version = "1.0", .params = params, .rpcs = rpcs, .init = init, .destroy = destroy});

} // namespace
} // namespace siphost::modules::usrloc

SIPHOST_MODULE(siphost::modules::usrloc::descriptor)
