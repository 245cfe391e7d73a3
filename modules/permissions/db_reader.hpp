#pragma once
// Reads the address and trusted tables through the db API (sdk/include/siphost/api/db.h). A whole-table load
// (start, RPC reload) opens a connection of its own and closes it; the per-call reads of allow_trusted in
// db_mode 0 borrow one from a small pool, each used by one thread at a time as the API asks.

#include "address_table.hpp"
#include "trusted_table.hpp"

#include <siphost/api/db.h>

#include <mutex>
#include <string>
#include <vector>

namespace siphost::modules::permissions {

struct address_columns {
    std::string table = "address", grp = "grp", ip_addr = "ip_addr", mask = "mask", port = "port",
                tag = "tag";
};

struct trusted_columns {
    std::string table = "trusted", source = "src_ip", proto = "proto", from = "from_pattern",
                ruri = "ruri_pattern", tag = "tag", priority = "priority";
};

class db_reader {
public:
    db_reader(const siphost_db_api_v1* db, std::string url) : db_(db), url_(std::move(url)) {}
    ~db_reader();
    db_reader(const db_reader&) = delete;
    db_reader& operator=(const db_reader&) = delete;

    /// Every row of the address table; throws std::runtime_error naming the row that is bad.
    address_table load_addresses(const address_columns& columns, size_t max_subnets) const;
    /// Every row of the trusted table (src_ip given: only its rows, on a pooled connection); throws
    /// std::runtime_error as above.
    trusted_table load_trusted(const trusted_columns& columns, const std::string* src_ip = nullptr) const;

    /// A connection from the pool (or a new one); throws std::runtime_error when none can be opened.
    siphost_db_conn* acquire() const;
    /// Gives a connection back to the pool; a failed one (healthy false) is closed instead.
    void release(siphost_db_conn* conn, bool healthy) const;

private:
    const siphost_db_api_v1* db_;
    std::string url_;
    mutable std::mutex pool_mutex_;
    mutable std::vector<siphost_db_conn*> idle_; ///< guarded by pool_mutex_
};

} // namespace siphost::modules::permissions
