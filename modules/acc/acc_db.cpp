#include "acc_db.hpp"

#include <siphost/module.hpp>

#include <atomic>

namespace siphost::modules::acc {
namespace {

/// This thread's connection and the acc_db it belongs to (a later acc_db, after a restart in one process,
/// must not reuse a closed one).
struct thread_connection {
    uint64_t owner = 0;
    siphost_db_conn* conn = nullptr;
};
thread_local thread_connection this_thread;
std::atomic<uint64_t> next_id{1};

} // namespace

acc_db::acc_db(const siphost_db_api_v1* api, std::string url)
    : api_(api), url_(std::move(url)), id_(next_id.fetch_add(1)) {}

acc_db::~acc_db() {
    std::lock_guard guard(mutex_);
    for (siphost_db_conn* conn : conns_)
        api_->close(conn);
    if (this_thread.owner == id_)
        this_thread = thread_connection{};
}

siphost_db_conn* acc_db::connection(std::string& error) {
    if (this_thread.owner == id_ && this_thread.conn != nullptr)
        return this_thread.conn;
    siphost_db_conn* conn = nullptr;
    char err[256] = "";
    if (api_->open(sdk::str(url_), &conn, err, sizeof err) != SIPHOST_DB_OK || conn == nullptr) {
        error = err[0] != '\0' ? err : "cannot connect to the database";
        return nullptr;
    }
    std::lock_guard guard(mutex_);
    conns_.push_back(conn);
    this_thread = thread_connection{id_, conn};
    return conn;
}

bool acc_db::check(std::string& error) {
    return connection(error) != nullptr;
}

bool acc_db::insert(std::string_view table, const std::vector<siphost_str>& columns,
                    const std::vector<siphost_db_value>& values, std::string& error) {
    siphost_db_conn* conn = connection(error);
    if (conn == nullptr)
        return false;
    if (api_->insert(conn, sdk::str(table), columns.data(), values.data(), columns.size()) != SIPHOST_DB_OK) {
        error = api_->last_error(conn);
        return false;
    }
    return true;
}

} // namespace siphost::modules::acc
