// htable: shared hash tables for the script (Kamailio 5.6's htable module).
//
//   modparam("htable", "htable", "ipban=>size=8;autoexpire=300;")
//   if ($sht(ipban=>$si) != $null) { ... }   $sht(ipban=>$si) = 1;
//
// Tables are defined by the htable parameter (table_spec.cpp), made at init and never added or removed
// afterwards, so finding one needs no lock; each table locks per slot (hash_table.hpp). A periodic timer on
// the slow timer thread removes expired items and runs event_route[htable:expired:<table>] for each. The
// first thread the host starts runs event_route[htable:mod-init] before any worker takes a message. Tables
// with a dbtable are loaded at init through the db API of a driver module loaded before htable, and written
// back at shutdown with dbmode=1.
//
// The pseudo-variables are in htable_pvs.cpp, the script functions in htable_commands.cpp, the RPC commands
// in htable_rpc.cpp.
#include "key_template.hpp"
#include "module_state.hpp"
#include "thread_locks.hpp"

#include <siphost/module.hpp>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace siphost::modules::htable {
namespace {

const char* db_url_ = nullptr;
const char* key_name_column_ = nullptr;
const char* key_type_column_ = nullptr;
const char* value_type_column_ = nullptr;
const char* key_value_column_ = nullptr;
const char* expires_column_ = nullptr;
const char* array_size_suffix_ = nullptr;
int32_t fetch_rows_ = 100;
int32_t db_expires_ = 0;
int32_t timer_procs_ = 0;
int32_t event_callback_mode_ = 0;
std::once_flag mod_init_once_;
/// True once a thread started: siphost -c runs init and destroy only, and must not write tables back.
std::atomic<bool> served_{false};

int set_htable(const char*, const siphost_value* value, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        table_spec spec = parse_table_spec(sdk::arg_view(*value));
        for (const auto& other : state().specs)
            if (other.name == spec.name)
                throw std::invalid_argument("hash table \"" + spec.name + "\" is defined twice");
        state().specs.push_back(std::move(spec));
        return 0;
    });
}

/// enable_dmq and dmq_init_sync: 0 only, since siphost has no dmq module.
int set_dmq(const char* name, const siphost_value* value, char* err, size_t err_size) {
    int64_t n = 0;
    if (sdk::arg_int(*value, n) && n == 0)
        return 0;
    sdk::write_error(err, err_size,
                     std::string(name) +
                         " must be 0: siphost has no dmq module, so hash tables are not replicated");
    return -1;
}

/// event_callback names a KEMI function; siphost runs only the native config language.
int set_event_callback(const char*, const siphost_value* value, char* err, size_t err_size) {
    if (sdk::trim(sdk::arg_view(*value)).empty())
        return 0;
    sdk::write_error(err, err_size,
                     "event_callback names a KEMI function, and siphost runs no KEMI scripts: use "
                     "event_route[htable:mod-init] and event_route[htable:expired:<table>] instead");
    return -1;
}

std::string param(const char* value, const char* fallback) {
    return value != nullptr ? value : fallback;
}

void run_expired_events(const hash_table& table, const item& it) {
    const siphost_host_api* host = state().host;
    int route = host->events->lookup(state().self, sdk::str("htable:expired:" + table.name()));
    if (route < 0)
        return;
    set_expired_record(&it);
    host->events->run(route, nullptr);
    set_expired_record(nullptr);
}

void sweep(uint64_t, void*) {
    int64_t now = now_seconds();
    for (const auto& table : state().tables)
        if (table->spec().autoexpire > 0) // items of the other tables never expire
            table->sweep(now, [&](const item& it) { run_expired_events(*table, it); });
    // The event routes run on this thread: nothing they lock may stay locked.
    release_thread_locks("event_route[htable:expired]");
}

void run_mod_init() {
    const siphost_host_api* host = state().host;
    int route = host->events->lookup(state().self, sdk::str("htable:mod-init"));
    if (route >= 0) {
        host->events->run(route, nullptr);
        release_thread_locks("event_route[htable:mod-init]");
    }
}

/// Whatever a script left locked when its message is done is released, so a forgotten sht_unlock or
/// sht_iterator_end cannot stall other workers forever.
int after_script(siphost_msg*, void*) {
    release_thread_locks("the script");
    return SIPHOST_HOOK_CONTINUE;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    module_state& s = state();
    s.host = host;
    s.self = self;
    set_host_alive(true);
    return sdk::guard_with_error(err, err_size, [&] {
        if (s.timer_interval <= 0)
            throw std::invalid_argument("timer_interval must be at least 1 (seconds)");
        if (s.max_items < 0)
            throw std::invalid_argument("max_items must not be negative");
        if (fetch_rows_ <= 0)
            throw std::invalid_argument("fetch_rows must be positive");
        if (event_callback_mode_ != 0 && event_callback_mode_ != 1)
            throw std::invalid_argument("event_callback_mode is 0 or 1");
        if (timer_procs_ < 0)
            throw std::invalid_argument("timer_procs must not be negative");
        s.db.url = param(db_url_, "");
        s.db.key_name_column = param(key_name_column_, "key_name");
        s.db.key_type_column = param(key_type_column_, "key_type");
        s.db.value_type_column = param(value_type_column_, "value_type");
        s.db.key_value_column = param(key_value_column_, "key_value");
        s.db.expires_column = param(expires_column_, "expires");
        s.db.array_size_suffix = param(array_size_suffix_, "::size");
        s.db.db_expires = db_expires_ != 0;
        bool needs_db = false;
        for (auto& spec : s.specs) {
            for (const auto& warning : spec.warnings)
                log(SIPHOST_LOG_WARN, warning);
            needs_db = needs_db || !spec.dbtable.empty();
            s.tables.push_back(std::make_unique<hash_table>(spec, static_cast<size_t>(s.max_items)));
        }
        if (needs_db) {
            if (s.db.url.empty())
                throw std::invalid_argument("a hash table has a dbtable but db_url is not set");
            s.db_api = siphost_db_find_api(host, sdk::str(s.db.url));
            if (s.db_api == nullptr)
                throw std::invalid_argument(
                    "no database driver for db_url \"" + s.db.url.substr(0, s.db.url.find(':')) +
                    "\": load its module (db_sqlite, db_mysql, db_postgres) before htable");
            table_db loader(s.db_api, s.db);
            for (auto& table : s.tables) {
                if (table->spec().dbtable.empty())
                    continue;
                try {
                    size_t n = loader.load(*table, now_seconds(), false);
                    log(SIPHOST_LOG_INFO, "hash table \"" + table->name() + "\": " + std::to_string(n) +
                                              " items loaded from \"" + table->spec().dbtable + "\"");
                } catch (const std::exception& e) {
                    throw std::runtime_error("hash table \"" + table->name() + "\": " + e.what());
                }
            }
        }
        if (host->async->every(self, static_cast<uint32_t>(s.timer_interval) * 1000u, SIPHOST_TIMER_SLOW,
                               sweep, nullptr) != 0)
            throw std::runtime_error("cannot start the expiry timer");
        if (host->register_request_hook(SIPHOST_HOOK_POST_SCRIPT, after_script, nullptr) != 0 ||
            host->register_reply_hook(SIPHOST_HOOK_POST_SCRIPT, after_script, nullptr) != 0)
            throw std::runtime_error("cannot register the end-of-script hooks");
        return 0;
    });
}

int thread_init(int, int) {
    // Kamailio runs htable:mod-init once, before its children fork; here the first thread the host starts
    // runs it, and every other thread's thread_init waits in call_once until it is done, so no worker takes a
    // message before the tables are initialised.
    return sdk::guard(-1, [] {
        served_.store(true);
        std::call_once(mod_init_once_, run_mod_init);
        return 0;
    });
}

void destroy() {
    module_state& s = state();
    if (s.db_api != nullptr && served_.load()) {
        table_db writer(s.db_api, s.db);
        for (const auto& table : s.tables) {
            if (table->spec().dbmode != 1 || !table->spec().cols.empty())
                continue;
            try {
                size_t n = writer.store(*table, now_seconds());
                log(SIPHOST_LOG_INFO, "hash table \"" + table->name() + "\": " + std::to_string(n) +
                                          " items written to \"" + table->spec().dbtable + "\"");
            } catch (const std::exception& e) {
                log(SIPHOST_LOG_ERR, "hash table \"" + table->name() + "\": " + e.what());
            }
        }
    }
    // The host may free the pseudo-variables' data after destroy: it must not call the host then.
    set_host_alive(false);
    s.tables.clear();
    s.specs.clear();
    s.db_api = nullptr;
}

using sdk::int_param;
using sdk::setter_param;
using sdk::string_param;

const siphost_param params[] = {
    setter_param(
        "htable", SIPHOST_PARAM_STRING, set_htable,
        "a table: name=>size=8;autoexpire=300;initval=0;updateexpire=1;dbtable=t;dbmode=1;cols='k,v'"),
    string_param("db_url", &db_url_, "the database the dbtable attributes name (loaded at start)"),
    string_param("key_name_column", &key_name_column_, "the column of key names (key_name)"),
    string_param("key_type_column", &key_type_column_,
                 "the column of key types: 0 simple, 1 array (key_type)"),
    string_param("value_type_column", &value_type_column_, "the column of value types: 0 string, 1 integer"),
    string_param("key_value_column", &key_value_column_, "the column of values (key_value)"),
    string_param("expires_column", &expires_column_, "the column of expiry times (expires)"),
    string_param("array_size_suffix", &array_size_suffix_, "the suffix of an array's size key (::size)"),
    int_param("fetch_rows", &fetch_rows_, "rows fetched at once (the db layer fetches all rows at once)"),
    int_param("timer_interval", &state().timer_interval, "seconds between two sweeps for expired items (20)"),
    int_param("db_expires", &db_expires_, "1: load and store each item's expiry with the database"),
    setter_param("enable_dmq", SIPHOST_PARAM_INT, set_dmq, "0 only: siphost has no dmq module"),
    setter_param("dmq_init_sync", SIPHOST_PARAM_INT, set_dmq, "0 only: siphost has no dmq module"),
    int_param("timer_procs", &timer_procs_, "accepted; expired items are swept on the slow timer thread"),
    setter_param("event_callback", SIPHOST_PARAM_STRING, set_event_callback, "empty only: no KEMI"),
    int_param("event_callback_mode", &event_callback_mode_,
              "0 or 1; either way event_route[htable:mod-init] runs before any worker takes a message"),
    int_param("max_items", &state().max_items,
              "siphost: the most items a table holds (1000000; 0: no limit)"),
    sdk::end_of_params(),
};

const siphost_event events[] = {
    sdk::event("htable:mod-init", SIPHOST_ROUTE_EVENT, 0, "once at start, before traffic: fill the tables"),
    sdk::event("htable:expired", SIPHOST_ROUTE_EVENT, SIPHOST_EVENT_NAMED,
               "event_route[htable:expired:<table>]: an item of the table expired ($shtrecord(key), "
               "$shtrecord(value))"),
    sdk::end_of_events(),
};

const siphost_module descriptor = sdk::module({.name = "htable",
                                               .version = "1.0",
                                               .commands = htable_commands,
                                               .params = params,
                                               .pvs = htable_pvs,
                                               .events = events,
                                               .rpcs = htable_rpcs,
                                               .init = init,
                                               .thread_init = thread_init,
                                               .destroy = destroy});

} // namespace

void release_thread_locks(const char* where) {
    size_t n = release_all();
    if (n > 0)
        log(SIPHOST_LOG_WARN, std::string(where) + " left " + std::to_string(n) +
                                  " hash table lock(s) or iterator(s) open; released");
}

} // namespace siphost::modules::htable

SIPHOST_MODULE(siphost::modules::htable::descriptor)
