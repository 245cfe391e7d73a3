// permissions: address and peer based access control (Kamailio's permissions module, its address and
// trusted parts).
//
//   allow_source_address([group])      1 when the request's source address and port are in group (1)
//   allow_address(group, ip, port)     1 when ip and port (script values) are in group
//   allow_source_address_group()       the lowest group holding the source address and port, else -1
//   allow_address_group(ip, port)      the same for ip and port
//   allow_trusted([src_ip, proto[, uri]])  1 when a row of the trusted table trusts the request
//   allow_routing([basename | allow_file, deny_file])  1 when the allow/deny files allow the From URI
//                                      with the Request-URI of every branch
//   allow_register(basename | allow_file, deny_file)   the same for the To URI with every Contact
//   allow_uri(basename, uri)           the same for the From URI with the given URI
//   RPC permissions.addressReload, addressDump, subnetDump, domainDump, trustedReload, trustedDump,
//   allowUri (and its older name testUri)
//
// The address table comes from address_file when set, else from db_url; the trusted table from db_url,
// cached when db_mode is 1, read at each call when 0. Both are built apart and then swapped in whole, so a
// reload that fails leaves the running tables as they were, and workers never see half a table.
#include "address_table.hpp"
#include "db_reader.hpp"
#include "rule_file.hpp"
#include "trusted_table.hpp"

#include <siphost/module.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::modules::permissions {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;

const char* db_url_ = nullptr;
const char* address_file_ = nullptr;
const char* address_table_ = nullptr;
const char* grp_col_ = nullptr;
const char* ip_addr_col_ = nullptr;
const char* mask_col_ = nullptr;
const char* port_col_ = nullptr;
const char* trusted_table_ = nullptr;
const char* source_col_ = nullptr;
const char* proto_col_ = nullptr;
const char* from_col_ = nullptr;
const char* ruri_col_ = nullptr;
const char* tag_col_ = nullptr;
const char* priority_col_ = nullptr;
const char* peer_tag_avp_ = nullptr;
int32_t db_mode_ = 0;
int32_t peer_tag_mode_ = 0;
int32_t max_subnets_ = 512;
int32_t load_backends_ = 0xffff;
int32_t reload_delta_ = 5;
int32_t trusted_cleanup_interval_ = 60;
const char* default_allow_file_ = nullptr;
const char* default_deny_file_ = nullptr;
const char* allow_suffix_ = nullptr;
const char* deny_suffix_ = nullptr;
int32_t check_all_branches_ = 1;

constexpr int32_t backend_address = 1;
constexpr int32_t backend_trusted = 2;
constexpr int32_t backend_allow_file = 4;
constexpr int32_t backend_deny_file = 8;

/// The default allow and deny files (allow_routing() without arguments).
std::shared_ptr<const rule_pair> default_rules_;
/// The files loaded by basename at start, for permissions.allowUri (written on the main thread only).
std::map<std::string, std::shared_ptr<const rule_pair>> rules_by_basename_;
std::mutex rules_mutex_; ///< guards rules_by_basename_: a script reload runs fixups while RPCs read it

address_columns address_columns_;
trusted_columns trusted_columns_;
std::optional<db_reader> db_;
std::string peer_tag_name_; ///< the AVP name of peer_tag_avp ("" when not set)

std::atomic<std::shared_ptr<const address_table>> addresses_;
std::atomic<std::shared_ptr<const trusted_table>> trusted_;
std::mutex reload_mutex_;             ///< one reload at a time
uint64_t last_address_reload_ms_ = 0; ///< guarded by reload_mutex_
uint64_t last_trusted_reload_ms_ = 0; ///< guarded by reload_mutex_

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

std::string param(const char* value, const char* fallback) {
    return value != nullptr ? value : fallback;
}

/// The AVP name of "$avp(name)", "$avp(s:name)" or "$avp(i:7)" as the host names AVPs.
std::string avp_name(std::string_view spec) {
    std::string_view text = sdk::trim(spec);
    if (text.size() < 7 || text.substr(0, 5) != "$avp(" || text.back() != ')')
        throw sdk::config_error("peer_tag_avp must be an AVP: $avp(name), $avp(s:name) or $avp(i:number)");
    std::string_view inner = text.substr(5, text.size() - 6);
    if (inner.substr(0, 2) == "s:")
        inner.remove_prefix(2);
    if (inner.empty() || inner == "i:")
        throw sdk::config_error("peer_tag_avp has an empty AVP name: " + std::string(text));
    return std::string(inner);
}

void set_peer_tag(siphost_msg* msg, const std::string& tag) {
    if (peer_tag_name_.empty() || tag.empty())
        return;
    siphost_value value = sdk::str_value(tag);
    if (host_->avp_add(host_->msg_avps(msg), sdk::str(peer_tag_name_), &value) != 0)
        log(SIPHOST_LOG_ERR, "cannot add the peer tag to " + std::string(peer_tag_avp_));
}

// ---- loading ----

std::shared_ptr<const address_table> load_addresses() {
    if (address_file_ != nullptr && *address_file_ != '\0')
        return std::make_shared<const address_table>(
            load_address_file(address_file_, static_cast<size_t>(max_subnets_)));
    if (!db_)
        throw std::runtime_error("no address source: set address_file or db_url");
    return std::make_shared<const address_table>(
        db_->load_addresses(address_columns_, static_cast<size_t>(max_subnets_)));
}

bool address_enabled() {
    return (load_backends_ & backend_address) != 0 &&
           ((address_file_ != nullptr && *address_file_ != '\0') || db_.has_value());
}

bool trusted_enabled() {
    return (load_backends_ & backend_trusted) != 0 && db_.has_value();
}

// ---- the source of a request ----

struct source {
    std::string ip;
    uint16_t port = 0;
    uint8_t proto = 0;
};

std::optional<source> message_source(siphost_msg* msg) {
    siphost_dest dest = sdk::sized<siphost_dest>();
    if (host_->msg_source(msg, &dest) != 0 || (dest.family != 4 && dest.family != 6))
        return std::nullopt;
    ip_address ip;
    ip.family = dest.family;
    for (size_t i = 0; i < (dest.family == 4 ? 4u : 16u); ++i)
        ip.bytes[i] = dest.ip[i];
    return source{ip.to_string(), dest.port, dest.proto};
}

const char* proto_name(uint8_t proto) {
    switch (proto) {
    case SIPHOST_PROTO_UDP:
        return "udp";
    case SIPHOST_PROTO_TCP:
        return "tcp";
    case SIPHOST_PROTO_TLS:
        return "tls";
    case SIPHOST_PROTO_SCTP:
        return "sctp";
    case SIPHOST_PROTO_WS:
        return "ws";
    case SIPHOST_PROTO_WSS:
        return "wss";
    default:
        return "none";
    }
}

// ---- address commands ----

bool parse_group(const siphost_value& arg, uint32_t& group) {
    int64_t n = 0;
    if (!sdk::arg_int(arg, n) || n < 1 || n > UINT32_MAX) {
        log(SIPHOST_LOG_ERR, "bad group id \"" + std::string(sdk::arg_view(arg)) + "\" (a positive integer)");
        return false;
    }
    group = static_cast<uint32_t>(n);
    return true;
}

bool parse_port(const siphost_value& arg, uint16_t& port) {
    int64_t n = 0;
    if (arg.kind == SIPHOST_VALUE_STR && sdk::trim(sdk::arg_view(arg)).empty()) {
        port = 0;
        return true;
    }
    if (!sdk::arg_int(arg, n) || n < 0 || n > 65535) {
        log(SIPHOST_LOG_ERR, "bad port \"" + std::string(sdk::arg_view(arg)) + "\" (0 to 65535)");
        return false;
    }
    port = static_cast<uint16_t>(n);
    return true;
}

int check_address(siphost_msg* msg, uint32_t group, std::string_view address, uint16_t port) {
    std::shared_ptr<const address_table> table = addresses_.load();
    if (!table)
        return -1;
    std::optional<address_match> found = table->match(group, sdk::trim(address), port);
    if (!found)
        return -1;
    set_peer_tag(msg, *found->tag);
    return 1;
}

int find_group(siphost_msg* msg, std::string_view address, uint16_t port) {
    std::shared_ptr<const address_table> table = addresses_.load();
    if (!table)
        return -1;
    std::optional<address_match> found = table->match_any(sdk::trim(address), port);
    if (!found)
        return -1;
    set_peer_tag(msg, *found->tag);
    return static_cast<int>(found->group);
}

int cmd_allow_source_address(siphost_msg* msg, const siphost_value*, void*) {
    std::optional<source> from = message_source(msg);
    return from ? check_address(msg, 1, from->ip, from->port) : -1;
}

int cmd_allow_source_address_group_id(siphost_msg* msg, const siphost_value* args, void*) {
    uint32_t group = 0;
    if (!parse_group(args[0], group))
        return -1;
    std::optional<source> from = message_source(msg);
    return from ? check_address(msg, group, from->ip, from->port) : -1;
}

int cmd_allow_address(siphost_msg* msg, const siphost_value* args, void*) {
    uint32_t group = 0;
    uint16_t port = 0;
    if (!parse_group(args[0], group) || !parse_port(args[2], port))
        return -1;
    return check_address(msg, group, sdk::arg_view(args[1]), port);
}

int cmd_allow_source_address_group(siphost_msg* msg, const siphost_value*, void*) {
    std::optional<source> from = message_source(msg);
    return from ? find_group(msg, from->ip, from->port) : -1;
}

int cmd_allow_address_group(siphost_msg* msg, const siphost_value* args, void*) {
    uint16_t port = 0;
    if (!parse_port(args[1], port))
        return -1;
    return find_group(msg, sdk::arg_view(args[0]), port);
}

// ---- allow_trusted ----

int check_trusted(siphost_msg* msg, const std::string& src_ip, std::string_view proto,
                  const std::string& uri) {
    if (!trusted_enabled()) {
        log(SIPHOST_LOG_ERR, "allow_trusted: the trusted table is not loaded (set db_url; load_backends 2)");
        return -1;
    }
    std::shared_ptr<const trusted_table> table;
    if (db_mode_ == 1) {
        table = trusted_.load();
    } else {
        try {
            table = std::make_shared<const trusted_table>(db_->load_trusted(trusted_columns_, &src_ip));
        } catch (const std::exception& e) {
            log(SIPHOST_LOG_ERR, std::string("allow_trusted: ") + e.what());
            return -1;
        }
    }
    if (!table)
        return -1;
    std::string ruri(sdk::view(host_->msg_ruri(msg)));
    std::vector<const trusted_entry*> found = table->match(src_ip, proto, uri, ruri);
    if (found.empty())
        return -1;
    if (peer_tag_mode_ == 0) {
        set_peer_tag(msg, found.front()->tag);
        return 1;
    }
    for (const trusted_entry* e : found)
        set_peer_tag(msg, e->tag);
    return static_cast<int>(found.size());
}

int cmd_allow_trusted(siphost_msg* msg, const siphost_value*, void*) {
    std::optional<source> from = message_source(msg);
    if (!from)
        return -1;
    return check_trusted(msg, from->ip, proto_name(from->proto),
                         std::string(sdk::view(host_->msg_from_uri(msg))));
}

int cmd_allow_trusted_args(siphost_msg* msg, const siphost_value* args, void*) {
    return check_trusted(msg, std::string(sdk::trim(sdk::arg_view(args[0]))),
                         sdk::trim(sdk::arg_view(args[1])), std::string(sdk::view(host_->msg_from_uri(msg))));
}

int cmd_allow_trusted_uri(siphost_msg* msg, const siphost_value* args, void*) {
    return check_trusted(msg, std::string(sdk::trim(sdk::arg_view(args[0]))),
                         sdk::trim(sdk::arg_view(args[1])), std::string(sdk::trim(sdk::arg_view(args[2]))));
}

std::unique_ptr<int> fix_proto(const siphost_value* args, const int* constant) {
    if (constant[1] != 0) {
        std::string_view proto = sdk::trim(sdk::arg_view(args[1]));
        for (const char* p : {"any", "udp", "tcp", "tls", "sctp", "ws", "wss"})
            if (sdk::iequals(proto, p))
                return nullptr;
        throw sdk::config_error("allow_trusted: bad protocol \"" + std::string(proto) +
                                "\" (any, udp, tcp, tls, sctp, ws or wss)");
    }
    return nullptr;
}

// ---- allow and deny files ----

std::shared_ptr<const rule_pair> load_rules(const std::string& allow, const std::string& deny) {
    auto pair = std::make_shared<rule_pair>();
    pair->allow = rule_file::load(allow);
    pair->deny = rule_file::load(deny);
    return pair;
}

/// Call data of allow_routing, allow_register and allow_uri: the files of the call site, loaded at start.
struct rules_call {
    std::shared_ptr<const rule_pair> rules;
};

std::string constant_arg(const siphost_value* args, const int* constant, int i, const char* function) {
    std::string value(sdk::trim(sdk::arg_view(args[i])));
    if (constant[i] == 0)
        throw sdk::config_error(std::string(function) + ": the file names must be constant strings");
    if (value.empty())
        throw sdk::config_error(std::string(function) + ": empty file name");
    return value;
}

std::unique_ptr<rules_call> fix_basename(const siphost_value* args, const int* constant) {
    std::string base = constant_arg(args, constant, 0, "permissions");
    auto call = std::make_unique<rules_call>();
    std::lock_guard lock(rules_mutex_);
    auto known = rules_by_basename_.find(base);
    if (known != rules_by_basename_.end()) {
        call->rules = known->second;
        return call;
    }
    try {
        call->rules = load_rules(base + param(allow_suffix_, ".allow"), base + param(deny_suffix_, ".deny"));
    } catch (const std::exception& e) {
        throw sdk::config_error(e.what());
    }
    rules_by_basename_[base] = call->rules;
    return call;
}

std::unique_ptr<rules_call> fix_two_files(const siphost_value* args, const int* constant) {
    std::string allow = constant_arg(args, constant, 0, "permissions");
    std::string deny = constant_arg(args, constant, 1, "permissions");
    auto call = std::make_unique<rules_call>();
    try {
        call->rules = load_rules(allow, deny);
    } catch (const std::exception& e) {
        throw sdk::config_error(e.what());
    }
    return call;
}

/// The Request-URIs of the request's branches: its own, then the destination set's when check_all_branches.
std::vector<std::string> branch_uris(siphost_msg* msg) {
    std::vector<std::string> uris{std::string(sdk::view(host_->msg_ruri(msg)))};
    if (check_all_branches_ == 0)
        return uris;
    uint32_t count = host_->msgctx->branch_count(msg);
    for (uint32_t i = 0; i < count; ++i) {
        siphost_branch branch = sdk::sized<siphost_branch>();
        if (host_->msgctx->branch_at(msg, i, &branch) == 0)
            uris.emplace_back(sdk::view(branch.uri));
    }
    return uris;
}

int check_routing(siphost_msg* msg, const rule_pair* rules) {
    if (rules == nullptr)
        return 1; // no files: nothing denies
    return rules->allows(std::string(sdk::view(host_->msg_from_uri(msg))), branch_uris(msg)) ? 1 : -1;
}

int cmd_allow_routing_default(siphost_msg* msg, const siphost_value*, void*) {
    return check_routing(msg, default_rules_.get());
}

int cmd_allow_routing(siphost_msg* msg, const siphost_value*, void* data) {
    return check_routing(msg, static_cast<rules_call*>(data)->rules.get());
}

int cmd_allow_register(siphost_msg* msg, const siphost_value*, void* data) {
    const rule_pair* rules = static_cast<rules_call*>(data)->rules.get();
    std::vector<std::string> contacts;
    siphost_str value{};
    for (uint32_t i = 0; host_->msg_header(msg, sdk::str("Contact"), i, &value) == 1; ++i) {
        siphost_contact contact = sdk::sized<siphost_contact>();
        size_t count = 0;
        int rc = host_->sip->parse_contacts(value, &contact, 1, &count);
        if (rc == SIPHOST_CONTACTS_STAR)
            return 1; // "Contact: *" removes bindings and registers no address
        if (rc != SIPHOST_CONTACTS_LIST || count != 1) {
            log(SIPHOST_LOG_ERR,
                "allow_register: cannot parse Contact \"" + std::string(sdk::view(value)) + "\"");
            return -1;
        }
        contacts.emplace_back(sdk::view(contact.uri));
    }
    return rules->allows(std::string(sdk::view(host_->msg_to_uri(msg))), contacts) ? 1 : -1;
}

int cmd_allow_uri(siphost_msg* msg, const siphost_value* args, void* data) {
    const rule_pair* rules = static_cast<rules_call*>(data)->rules.get();
    std::string uri(sdk::trim(sdk::arg_view(args[1])));
    return rules->allows(std::string(sdk::view(host_->msg_from_uri(msg))), {uri}) ? 1 : -1;
}

// ---- RPC ----

void rpc_allow_uri(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    std::string text[3];
    for (size_t i = 0; i < 3; ++i) {
        siphost_value value{};
        if (rpc->param_count(call) != 3 || rpc->param(call, i, &value) != 0 ||
            value.kind != SIPHOST_VALUE_STR) {
            rpc->fault(call, 500, sdk::str("Parameters: basename, URI, Contact"));
            return;
        }
        text[i] = std::string(sdk::view(value.str));
    }
    std::shared_ptr<const rule_pair> rules;
    {
        std::lock_guard lock(rules_mutex_);
        auto found = rules_by_basename_.find(text[0]);
        if (found != rules_by_basename_.end())
            rules = found->second;
    }
    if (!rules) {
        rpc->fault(call, 500, sdk::str("File not loaded: " + text[0]));
        return;
    }
    bool allowed = rules->allows(text[1], {text[2]});
    rpc->add_str(rpc->result(call), nullptr, sdk::str(allowed ? "Allowed" : "Denied"));
}

/// Applies the reload_delta rate limit; true when a reload may run now (reload_mutex_ held).
bool reload_allowed(siphost_rpc_call* call, uint64_t& last_ms) {
    uint64_t now = host_->now_ms();
    if (reload_delta_ > 0 && last_ms != 0 && now - last_ms < static_cast<uint64_t>(reload_delta_) * 1000) {
        host_->rpc->fault(call, 500, sdk::str("ongoing reload"));
        return false;
    }
    last_ms = now;
    return true;
}

void rpc_address_reload(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    if (!address_enabled()) {
        rpc->fault(call, 500, sdk::str("address table is not in use (no address_file or db_url)"));
        return;
    }
    std::lock_guard lock(reload_mutex_);
    if (!reload_allowed(call, last_address_reload_ms_))
        return;
    try {
        std::shared_ptr<const address_table> fresh = load_addresses();
        addresses_.store(fresh);
        log(SIPHOST_LOG_INFO, "address table reloaded: " + std::to_string(fresh->size()) + " records");
        rpc->add_str(rpc->result(call), nullptr, sdk::str("Reload OK"));
    } catch (const std::exception& e) {
        log(SIPHOST_LOG_ERR, std::string("address table reload failed, the old table stays: ") + e.what());
        rpc->fault(call, 500, sdk::str(std::string("Reload failed: ") + e.what()));
    }
}

void rpc_trusted_reload(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    if (!trusted_enabled() || db_mode_ != 1) {
        rpc->fault(call, 500, sdk::str("trusted table is not cached (needs db_url, db_mode 1)"));
        return;
    }
    std::lock_guard lock(reload_mutex_);
    if (!reload_allowed(call, last_trusted_reload_ms_))
        return;
    try {
        auto fresh = std::make_shared<const trusted_table>(db_->load_trusted(trusted_columns_));
        trusted_.store(fresh);
        log(SIPHOST_LOG_INFO, "trusted table reloaded: " + std::to_string(fresh->entries().size()) + " rows");
        rpc->add_str(rpc->result(call), nullptr, sdk::str("Reload OK"));
    } catch (const std::exception& e) {
        log(SIPHOST_LOG_ERR, std::string("trusted table reload failed, the old table stays: ") + e.what());
        rpc->fault(call, 500, sdk::str(std::string("Reload failed: ") + e.what()));
    }
}

/// Kamailio 5.6's shape less its "table" member (the bucket of its hash table, which has no meaning here):
/// {group, item: {ip, port, tag}}; subnets add "id" in front and "mask"; domains say "domain_name".
void dump_entries(siphost_rpc_call* call, const std::vector<address_entry>& entries, bool subnet,
                  bool domain) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_node* result = rpc->result(call);
    int64_t id = 0;
    for (const address_entry& e : entries) {
        siphost_rpc_node* node = rpc->add_struct(result, nullptr);
        if (node == nullptr)
            return;
        if (subnet)
            rpc->add_int(node, "id", id++);
        rpc->add_int(node, "group", e.group);
        siphost_rpc_node* item = rpc->add_struct(node, "item");
        if (item == nullptr)
            return;
        rpc->add_str(item, domain ? "domain_name" : "ip", sdk::str(e.address));
        if (subnet)
            rpc->add_int(item, "mask", e.mask);
        rpc->add_int(item, "port", e.port);
        rpc->add_str(item, "tag",
                     sdk::str(e.tag.empty() ? std::string_view("NULL") : std::string_view(e.tag)));
    }
}

template <int Which> void rpc_dump(siphost_rpc_call* call) {
    std::shared_ptr<const address_table> table = addresses_.load();
    if (!table) {
        host_->rpc->fault(call, 500, sdk::str("address table is not in use (no address_file or db_url)"));
        return;
    }
    if constexpr (Which == 0)
        dump_entries(call, table->addresses(), false, false);
    else if constexpr (Which == 1)
        dump_entries(call, table->subnets(), true, false);
    else
        dump_entries(call, table->domains(), false, true);
}

/// Kamailio's protocol numbers, as trustedDump shows them.
int64_t proto_number(const std::string& proto) {
    static const char* const names[] = {"any", "udp", "tcp", "tls", "sctp", "ws", "wss"};
    for (int64_t i = 0; i < 7; ++i)
        if (proto == names[i])
            return i;
    return -1; // "none"
}

/// Kamailio 5.6's shape less "table": {item: {ip, proto, pattern, ruri_pattern, tag, priority}} per row.
void rpc_trusted_dump(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    std::shared_ptr<const trusted_table> table = trusted_.load();
    if (!table) {
        rpc->fault(call, 500, sdk::str("No trusted table"));
        return;
    }
    siphost_rpc_node* result = rpc->result(call);
    auto or_null = [](const std::string& s) { return sdk::str(s.empty() ? std::string_view("NULL") : s); };
    for (const trusted_entry& e : table->entries()) {
        siphost_rpc_node* node = rpc->add_struct(result, nullptr);
        siphost_rpc_node* item = node != nullptr ? rpc->add_struct(node, "item") : nullptr;
        if (item == nullptr)
            return;
        rpc->add_str(item, "ip", sdk::str(e.src_ip));
        rpc->add_int(item, "proto", proto_number(e.proto));
        rpc->add_str(item, "pattern", or_null(e.from_pattern));
        rpc->add_str(item, "ruri_pattern", or_null(e.ruri_pattern));
        rpc->add_str(item, "tag", or_null(e.tag));
        rpc->add_int(item, "priority", e.priority);
    }
}

// ---- lifecycle ----

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        host_ = host;
        self_ = self;
        if (db_mode_ != 0 && db_mode_ != 1)
            throw sdk::config_error("db_mode must be 0 (non-caching) or 1 (caching)");
        if (peer_tag_mode_ != 0 && peer_tag_mode_ != 1)
            throw sdk::config_error("peer_tag_mode must be 0 or 1");
        if (max_subnets_ < 1)
            throw sdk::config_error("max_subnets must be at least 1");
        if (reload_delta_ < 0)
            throw sdk::config_error("reload_delta must not be negative");
        peer_tag_name_ = peer_tag_avp_ != nullptr && *peer_tag_avp_ != '\0' ? avp_name(peer_tag_avp_) : "";
        address_columns_ = {param(address_table_, "address"), param(grp_col_, "grp"),
                            param(ip_addr_col_, "ip_addr"),   param(mask_col_, "mask"),
                            param(port_col_, "port"),         param(tag_col_, "tag")};
        trusted_columns_ = {param(trusted_table_, "trusted"), param(source_col_, "src_ip"),
                            param(proto_col_, "proto"),       param(from_col_, "from_pattern"),
                            param(ruri_col_, "ruri_pattern"), param(tag_col_, "tag"),
                            param(priority_col_, "priority")};
        db_.reset();
        if (db_url_ != nullptr && *db_url_ != '\0') {
            std::string url(db_url_);
            const siphost_db_api_v1* db = siphost_db_find_api(host, sdk::str(url));
            if (db == nullptr)
                throw sdk::config_error(
                    "no database driver for db_url \"" + url.substr(0, url.find(':')) +
                    "\": load its module (db_sqlite, db_mysql, db_postgres) before permissions");
            db_.emplace(db, url);
        }
        // As Kamailio, a table that cannot be loaded stops the start: the error names the line or row.
        if (address_enabled()) {
            std::shared_ptr<const address_table> table;
            try {
                table = load_addresses();
            } catch (const std::exception& e) {
                throw sdk::config_error(std::string("cannot load the address table: ") + e.what());
            }
            addresses_.store(table);
        }
        if (check_all_branches_ != 0 && check_all_branches_ != 1)
            throw sdk::config_error("check_all_branches must be 0 or 1");
        default_rules_.reset();
        rules_by_basename_.clear();
        if ((load_backends_ & (backend_allow_file | backend_deny_file)) != 0) {
            auto rules = std::make_shared<rule_pair>();
            try {
                if ((load_backends_ & backend_allow_file) != 0)
                    rules->allow = rule_file::load(param(default_allow_file_, "permissions.allow"));
                if ((load_backends_ & backend_deny_file) != 0)
                    rules->deny = rule_file::load(param(default_deny_file_, "permissions.deny"));
            } catch (const std::exception& e) {
                throw sdk::config_error(e.what());
            }
            default_rules_ = rules;
        }
        if (trusted_enabled() && db_mode_ == 1) {
            try {
                trusted_.store(std::make_shared<const trusted_table>(db_->load_trusted(trusted_columns_)));
            } catch (const std::exception& e) {
                throw sdk::config_error(std::string("cannot load the trusted table: ") + e.what());
            }
        }
        return 0;
    });
}

void destroy() {
    default_rules_.reset();
    std::lock_guard lock(rules_mutex_);
    rules_by_basename_.clear();
    addresses_.store(nullptr);
    trusted_.store(nullptr);
    db_.reset();
}

constexpr uint32_t request_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE;

const siphost_command commands[] = {
    sdk::command("allow_source_address", request_routes, sdk::guarded<&cmd_allow_source_address>, {}, nullptr,
                 nullptr, "1 when the source address and port are in group 1 of the address table"),
    sdk::command("allow_source_address", request_routes, sdk::guarded<&cmd_allow_source_address_group_id>,
                 {SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "1 when the source address and port are in the group: allow_source_address(group)"),
    sdk::command("allow_address", request_routes, sdk::guarded<&cmd_allow_address>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "1 when address and port are in the group: allow_address(group, ip, port)"),
    sdk::command("allow_source_address_group", request_routes, sdk::guarded<&cmd_allow_source_address_group>,
                 {}, nullptr, nullptr, "the group holding the source address and port, or -1"),
    sdk::command("allow_address_group", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_allow_address_group>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "the group holding address and port, or -1: allow_address_group(ip, port)"),
    sdk::command("allow_trusted", request_routes, sdk::guarded<&cmd_allow_trusted>, {}, nullptr, nullptr,
                 "1 when the trusted table trusts the request's source, protocol and From URI"),
    sdk::command("allow_trusted", request_routes, sdk::guarded<&cmd_allow_trusted_args>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_proto>, sdk::free_call_data<int>,
                 "allow_trusted(src_ip, proto): the given source and protocol with the From URI"),
    sdk::command("allow_trusted", request_routes, sdk::guarded<&cmd_allow_trusted_uri>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_proto>,
                 sdk::free_call_data<int>, "allow_trusted(src_ip, proto, uri): uri in place of the From URI"),
    sdk::command("allow_routing", request_routes, sdk::guarded<&cmd_allow_routing_default>, {}, nullptr,
                 nullptr,
                 "1 when default_allow_file and default_deny_file allow the From URI to every branch"),
    sdk::command("allow_routing", request_routes, sdk::guarded<&cmd_allow_routing>, {SIPHOST_ARG_STRING},
                 sdk::fixup<&fix_basename>, sdk::free_call_data<rules_call>,
                 "allow_routing(basename): the files basename.allow and basename.deny"),
    sdk::command("allow_routing", request_routes, sdk::guarded<&cmd_allow_routing>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_two_files>,
                 sdk::free_call_data<rules_call>, "allow_routing(allow_file, deny_file)"),
    sdk::command("allow_register", request_routes, sdk::guarded<&cmd_allow_register>, {SIPHOST_ARG_STRING},
                 sdk::fixup<&fix_basename>, sdk::free_call_data<rules_call>,
                 "allow_register(basename): the To URI with every Contact against basename.allow/.deny"),
    sdk::command("allow_register", request_routes, sdk::guarded<&cmd_allow_register>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_two_files>,
                 sdk::free_call_data<rules_call>, "allow_register(allow_file, deny_file)"),
    sdk::command("allow_uri", request_routes, sdk::guarded<&cmd_allow_uri>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_basename>,
                 sdk::free_call_data<rules_call>,
                 "allow_uri(basename, uri): the From URI with the given URI"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::string_param("db_url", &db_url_, "the database of the address and trusted tables"),
    sdk::string_param("address_file", &address_file_, "the address records from a file, not the database"),
    sdk::string_param("address_table", &address_table_, "the address table (address)"),
    sdk::string_param("grp_col", &grp_col_, "the group column (grp)"),
    sdk::string_param("ip_addr_col", &ip_addr_col_, "the address column (ip_addr)"),
    sdk::string_param("mask_col", &mask_col_, "the mask column (mask)"),
    sdk::string_param("port_col", &port_col_, "the port column (port)"),
    sdk::int_param("db_mode", &db_mode_, "allow_trusted: 0 reads the table at each call, 1 caches it"),
    sdk::string_param("trusted_table", &trusted_table_, "the trusted table (trusted)"),
    sdk::string_param("source_col", &source_col_, "the trusted source address column (src_ip)"),
    sdk::string_param("proto_col", &proto_col_, "the trusted protocol column (proto)"),
    sdk::string_param("from_col", &from_col_, "the From URI pattern column (from_pattern)"),
    sdk::string_param("ruri_col", &ruri_col_, "the Request-URI pattern column (ruri_pattern)"),
    sdk::string_param("tag_col", &tag_col_, "the tag column of both tables (tag)"),
    sdk::string_param("priority_col", &priority_col_, "the trusted priority column (priority)"),
    sdk::string_param("peer_tag_avp", &peer_tag_avp_, "the AVP that receives the tag of a match"),
    sdk::int_param("peer_tag_mode", &peer_tag_mode_, "allow_trusted: 0 the first match's tag, 1 all tags"),
    sdk::int_param("max_subnets", &max_subnets_, "the most subnet records loaded (512)"),
    sdk::int_param(
        "load_backends", &load_backends_,
        "1 address table, 2 trusted table, 4 default allow file, 8 default deny file (sum; 0xffff)"),
    sdk::int_param("reload_delta", &reload_delta_, "seconds between two RPC reloads of a table (5)"),
    sdk::int_param("trusted_cleanup_interval", &trusted_cleanup_interval_,
                   "accepted for Kamailio configs; replaced tables are freed when their last reader is done"),
    sdk::string_param("default_allow_file", &default_allow_file_,
                      "allow_routing()'s allow file (permissions.allow)"),
    sdk::string_param("default_deny_file", &default_deny_file_,
                      "allow_routing()'s deny file (permissions.deny)"),
    sdk::string_param("allow_suffix", &allow_suffix_, "appended to a basename for the allow file (.allow)"),
    sdk::string_param("deny_suffix", &deny_suffix_, "appended to a basename for the deny file (.deny)"),
    sdk::int_param("check_all_branches", &check_all_branches_, "allow_routing: 1 every branch, 0 the first"),
    sdk::end_of_params(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("permissions.addressReload", rpc_address_reload, "Reload the address table", ""),
    sdk::rpc("permissions.addressDump", rpc_dump<0>, "Dump the exact addresses of the address table", ""),
    sdk::rpc("permissions.subnetDump", rpc_dump<1>, "Dump the subnets of the address table", ""),
    sdk::rpc("permissions.domainDump", rpc_dump<2>, "Dump the domain names of the address table", ""),
    sdk::rpc("permissions.trustedReload", rpc_trusted_reload, "Reload the trusted table", ""),
    sdk::rpc("permissions.trustedDump", rpc_trusted_dump, "Dump the trusted table", ""),
    sdk::rpc("permissions.allowUri", rpc_allow_uri,
             "Tell whether the allow and deny files of a basename allow a (URI, Contact) pair", "sss"),
    sdk::rpc("permissions.testUri", rpc_allow_uri, "Alias of permissions.allowUri", "sss"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = "permissions",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::permissions

SIPHOST_MODULE(siphost::modules::permissions::descriptor)
