#pragma once
// The location table in a database (Kamailio's `location` table layout, version 9), over the "db" API
// (<siphost/api/db.h>): what db_mode 1, 2 and 3 read and write. One connection per thread that uses it,
// opened on first use, so that no lock is shared between workers.

#include "location_domain.hpp"

#include <siphost/api/db.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::usrloc {

class location_db {
public:
    location_db(const siphost_db_api_v1* api, std::string url, bool use_domain);
    ~location_db();
    location_db(const location_db&) = delete;
    location_db& operator=(const location_db&) = delete;

    /// Opens the calling thread's connection now (to fail at start-up rather than on the first REGISTER).
    bool check(std::string& error);

    bool insert(std::string_view table, std::string_view aor, const ucontact& c);
    bool update(std::string_view table, std::string_view aor, const ucontact& c);
    /// insert or update by ruid (db_mode 2's flush).
    bool replace(std::string_view table, std::string_view aor, const ucontact& c);
    bool remove(std::string_view table, std::string_view ruid);
    bool remove_aor(std::string_view table, std::string_view aor);
    /// Deletes the rows that expired by now; returns how many, or -1.
    int64_t remove_expired(std::string_view table, int64_t now);
    /// The contacts of one AOR (db_mode 3). False on an error.
    bool contacts_of(std::string_view table, std::string_view aor, std::vector<ucontact>& out);
    /// Every row of the table, for loading at start (db_mode 1 and 2). False on an error.
    bool load(std::string_view table, std::vector<removed_contact>& out);
    /// The last error of the calling thread's connection.
    std::string last_error();

private:
    siphost_db_conn* connection();
    bool split(std::string_view aor, std::string_view& user, std::string_view& domain) const;
    bool read_rows(const siphost_db_result* result, std::vector<removed_contact>& out);

    const siphost_db_api_v1* api_;
    std::string url_;
    bool use_domain_;
    uint64_t id_;      ///< names this object in each thread's table of connections
    std::mutex mutex_; ///< guards conns_ (opening and closing, never a query)
    std::vector<siphost_db_conn*> conns_;
    std::string open_error_;
};

} // namespace siphost::modules::usrloc
