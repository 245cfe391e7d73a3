#pragma once
// What the parts of the htable module share: the host, the tables and the module parameters.

#include "hash_table.hpp"
#include "table_db.hpp"

#include <siphost/module.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::htable {

struct module_state {
    const siphost_host_api* host = nullptr;
    siphost_module_handle* self = nullptr;
    std::vector<table_spec> specs; ///< from the htable parameters, in order
    /// The tables, made at init; their set never changes afterwards, so lookups need no lock.
    std::vector<std::unique_ptr<hash_table>> tables;
    db_settings db;
    const siphost_db_api_v1* db_api = nullptr;
    int32_t timer_interval = 20; ///< seconds between expiry sweeps
    int32_t max_items = 1000000; ///< per table (siphost's bound; 0: none)

    hash_table* find(std::string_view name) const;
};

module_state& state();

void log(int level, std::string_view text);
/// Unix time in seconds (item expiry is kept in it, as Kamailio and its database rows keep it).
int64_t now_seconds();

/// Splits "table=>rest" at the first "=>"; false when there is none.
bool split_ref(std::string_view text, std::string_view& table, std::string_view& rest);

/// The module's tables for the descriptor (htable_pvs.cpp, htable_commands.cpp, htable_rpc.cpp).
extern const siphost_pv htable_pvs[];
extern const siphost_command htable_commands[];
extern const siphost_rpc_command htable_rpcs[];

/// Ends what a script left open on this thread (iterators, sht_lock) so that no slot stays locked.
void release_thread_locks(const char* where);

/// The item an expiry event route is running for on this thread, for $shtrecord (nullptr: none).
void set_expired_record(const item* record);

} // namespace siphost::modules::htable
