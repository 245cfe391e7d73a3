#pragma once
// acc's rows in a database, over the "db" API (<siphost/api/db.h>): one connection per thread that writes
// (the workers, and the timer thread when tm fails a transaction on a timeout), opened on first use, so
// that no lock is shared on the message path.

#include <siphost/api/db.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::acc {

class acc_db {
public:
    acc_db(const siphost_db_api_v1* api, std::string url);
    ~acc_db();
    acc_db(const acc_db&) = delete;
    acc_db& operator=(const acc_db&) = delete;

    /// Opens the calling thread's connection now, to refuse a bad URL or an unreachable server at start-up.
    bool check(std::string& error);
    /// INSERT INTO table (columns) VALUES (values). False with the reason in error.
    bool insert(std::string_view table, const std::vector<siphost_str>& columns,
                const std::vector<siphost_db_value>& values, std::string& error);

private:
    siphost_db_conn* connection(std::string& error);

    const siphost_db_api_v1* api_;
    std::string url_;
    uint64_t id_;      ///< names this object in each thread's connection slot
    std::mutex mutex_; ///< guards conns_ (opening and closing, never a statement)
    std::vector<siphost_db_conn*> conns_;
};

} // namespace siphost::modules::acc
