#include "location_db.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <map>

namespace siphost::modules::usrloc {
namespace {

constexpr std::array<std::string_view, 22> columns = {
    "ruid",     "username", "domain",        "contact",       "received",  "path",       "expires", "q",
    "callid",   "cseq",     "last_modified", "flags",         "cflags",    "user_agent", "socket",  "methods",
    "instance", "reg_id",   "server_id",     "connection_id", "keepalive", "partition"};

siphost_db_value str_value(std::string_view s, bool null_when_empty = false) {
    siphost_db_value v{};
    v.type = SIPHOST_DB_STRING;
    v.s = sdk::str(s);
    v.null = null_when_empty && s.empty() ? 1 : 0;
    return v;
}
siphost_db_value int_value(int64_t i, uint32_t type = SIPHOST_DB_INT) {
    siphost_db_value v{};
    v.type = type;
    v.i = i;
    return v;
}
siphost_db_value double_value(double d) {
    siphost_db_value v{};
    v.type = SIPHOST_DB_DOUBLE;
    v.d = d;
    return v;
}

/// Connections of this thread, per location_db (a process may have one per db_url only, but tests make more).
thread_local std::map<uint64_t, siphost_db_conn*> thread_conns;
std::atomic<uint64_t> next_id{1};

std::string_view cell_str(const siphost_db_value* v) {
    return v == nullptr || v->null ? std::string_view() : sdk::view(v->s);
}
int64_t cell_int(const siphost_db_value* v) {
    if (v == nullptr || v->null)
        return 0;
    return v->type == SIPHOST_DB_DOUBLE ? static_cast<int64_t>(v->d) : v->i;
}
double cell_double(const siphost_db_value* v) {
    if (v == nullptr || v->null)
        return 0;
    return v->type == SIPHOST_DB_DOUBLE ? v->d : static_cast<double>(v->i);
}

} // namespace

location_db::location_db(const siphost_db_api_v1* api, std::string url, bool use_domain)
    : api_(api), url_(std::move(url)), use_domain_(use_domain), id_(next_id.fetch_add(1)) {}

location_db::~location_db() {
    std::lock_guard guard(mutex_);
    for (siphost_db_conn* conn : conns_)
        api_->close(conn);
    thread_conns.erase(id_);
}

siphost_db_conn* location_db::connection() {
    auto found = thread_conns.find(id_);
    if (found != thread_conns.end())
        return found->second;
    siphost_db_conn* conn = nullptr;
    char err[256] = "";
    if (api_->open(sdk::str(url_), &conn, err, sizeof err) != SIPHOST_DB_OK || conn == nullptr) {
        std::lock_guard guard(mutex_);
        open_error_ = err;
        return nullptr;
    }
    std::lock_guard guard(mutex_);
    conns_.push_back(conn);
    thread_conns[id_] = conn;
    return conn;
}

bool location_db::check(std::string& error) {
    if (connection() != nullptr)
        return true;
    error = last_error();
    return false;
}

std::string location_db::last_error() {
    auto found = thread_conns.find(id_);
    if (found != thread_conns.end())
        return api_->last_error(found->second);
    std::lock_guard guard(mutex_);
    return open_error_;
}

bool location_db::split(std::string_view aor, std::string_view& user, std::string_view& domain) const {
    size_t at = use_domain_ ? aor.find('@') : std::string_view::npos;
    user = aor.substr(0, at);
    domain = at == std::string_view::npos ? std::string_view() : aor.substr(at + 1);
    return true;
}

namespace {
/// The 22 values of a row, in the order of `columns`.
std::array<siphost_db_value, 22> row_values(std::string_view user, std::string_view domain,
                                            const ucontact& c) {
    return {str_value(c.ruid()), str_value(user), str_value(domain, true), str_value(c.contact()),
            str_value(c.received(), true), str_value(c.path(), true),
            int_value(c.expires, SIPHOST_DB_DATETIME), double_value(c.q < 0 ? -1.0 : c.q / 1000.0),
            str_value(c.callid()), int_value(c.cseq), int_value(c.last_modified, SIPHOST_DB_DATETIME),
            int_value(c.flags), int_value(c.cflags), str_value(c.user_agent()),
            str_value(c.socket_name(), true), int_value(static_cast<int32_t>(c.methods)),
            str_value(c.instance(), true), int_value(c.reg_id), int_value(0),
            // As Kamailio writes its tcpconn_id: -1 without a connection. Never read back: after a restart
            // the ids start again, and an old one could name a new connection.
            int_value(c.conn_id == 0 || c.conn_id > INT32_MAX ? -1 : static_cast<int64_t>(c.conn_id)),
            int_value(0), int_value(0)};
}

std::array<siphost_str, 22> column_names() {
    std::array<siphost_str, 22> names{};
    for (size_t i = 0; i < columns.size(); ++i)
        names[i] = sdk::str(columns[i]);
    return names;
}
} // namespace

bool location_db::insert(std::string_view table, std::string_view aor, const ucontact& c) {
    siphost_db_conn* conn = connection();
    if (conn == nullptr)
        return false;
    std::string_view user, domain;
    split(aor, user, domain);
    auto values = row_values(user, domain, c);
    auto names = column_names();
    return api_->insert(conn, sdk::str(table), names.data(), values.data(), names.size()) == SIPHOST_DB_OK;
}

bool location_db::update(std::string_view table, std::string_view aor, const ucontact& c) {
    siphost_db_conn* conn = connection();
    if (conn == nullptr)
        return false;
    std::string_view user, domain;
    split(aor, user, domain);
    auto values = row_values(user, domain, c);
    auto names = column_names();
    siphost_str key = sdk::str("ruid");
    siphost_db_value key_value = str_value(c.ruid());
    // Every column but ruid (the key) is set.
    return api_->update(conn, sdk::str(table), &key, nullptr, &key_value, 1, names.data() + 1,
                        values.data() + 1, names.size() - 1) == SIPHOST_DB_OK;
}

bool location_db::replace(std::string_view table, std::string_view aor, const ucontact& c) {
    siphost_db_conn* conn = connection();
    if (conn == nullptr)
        return false;
    std::string_view user, domain;
    split(aor, user, domain);
    auto values = row_values(user, domain, c);
    auto names = column_names();
    return api_->replace(conn, sdk::str(table), names.data(), values.data(), names.size(), 1) ==
           SIPHOST_DB_OK;
}

bool location_db::remove(std::string_view table, std::string_view ruid) {
    siphost_db_conn* conn = connection();
    if (conn == nullptr)
        return false;
    siphost_str key = sdk::str("ruid");
    siphost_db_value value = str_value(ruid);
    return api_->delete_rows(conn, sdk::str(table), &key, nullptr, &value, 1) == SIPHOST_DB_OK;
}

bool location_db::remove_aor(std::string_view table, std::string_view aor) {
    siphost_db_conn* conn = connection();
    if (conn == nullptr)
        return false;
    std::string_view user, domain;
    split(aor, user, domain);
    siphost_str keys[2] = {sdk::str("username"), sdk::str("domain")};
    siphost_db_value values[2] = {str_value(user), str_value(domain, true)};
    return api_->delete_rows(conn, sdk::str(table), keys, nullptr, values, use_domain_ ? 2 : 1) ==
           SIPHOST_DB_OK;
}

int64_t location_db::remove_expired(std::string_view table, int64_t now) {
    siphost_db_conn* conn = connection();
    if (conn == nullptr)
        return -1;
    // A permanent contact has expires 0 (1970): only the rows between then and now have expired.
    siphost_str keys[2] = {sdk::str("expires"), sdk::str("expires")};
    const char* ops[2] = {"<=", ">"}; // as in memory: a contact is valid while expires > now
    siphost_db_value values[2] = {int_value(now, SIPHOST_DB_DATETIME), int_value(86400, SIPHOST_DB_DATETIME)};
    if (api_->delete_rows(conn, sdk::str(table), keys, ops, values, 2) != SIPHOST_DB_OK)
        return -1;
    return api_->affected_rows(conn);
}

bool location_db::read_rows(const siphost_db_result* result, std::vector<removed_contact>& out) {
    std::array<int, columns.size()> index{};
    index.fill(-1);
    for (size_t col = 0; col < result->col_count; ++col)
        for (size_t i = 0; i < columns.size(); ++i)
            if (sdk::iequals(sdk::view(result->col_names[col]), columns[i]))
                index[i] = static_cast<int>(col);
    auto cell = [&](size_t row, size_t i) -> const siphost_db_value* {
        return index[i] < 0 ? nullptr : siphost_db_cell(result, row, static_cast<size_t>(index[i]));
    };
    for (size_t row = 0; row < result->row_count; ++row) {
        removed_contact rc;
        std::string_view user = cell_str(cell(row, 1));
        std::string_view domain = cell_str(cell(row, 2));
        rc.aor.assign(user);
        if (use_domain_ && !domain.empty())
            rc.aor.append("@").append(domain);
        siphost_ucontact v = sdk::sized<siphost_ucontact>();
        v.contact = sdk::str(cell_str(cell(row, 3)));
        v.received = sdk::str(cell_str(cell(row, 4)));
        v.path = sdk::str(cell_str(cell(row, 5)));
        v.expires = cell_int(cell(row, 6));
        if (v.expires <= 86400)
            v.expires = 0; // Kamailio writes a permanent contact as the epoch (in local time)
        double q = cell_double(cell(row, 7));
        v.q = q < 0 ? -1 : static_cast<int32_t>(q * 1000 + 0.5);
        v.callid = sdk::str(cell_str(cell(row, 8)));
        v.cseq = static_cast<int32_t>(cell_int(cell(row, 9)));
        v.flags = static_cast<uint32_t>(cell_int(cell(row, 11)));
        v.cflags = static_cast<uint32_t>(cell_int(cell(row, 12)));
        v.user_agent = sdk::str(cell_str(cell(row, 13)));
        v.socket_name = sdk::str(cell_str(cell(row, 14)));
        const siphost_db_value* methods = cell(row, 15);
        v.methods = methods == nullptr || methods->null ? SIPHOST_METHODS_ALL
                                                        : static_cast<uint32_t>(cell_int(methods));
        v.instance = sdk::str(cell_str(cell(row, 16)));
        v.reg_id = static_cast<uint32_t>(cell_int(cell(row, 17)));
        std::string_view ruid = cell_str(cell(row, 0));
        if (v.contact.len == 0 || ruid.empty())
            continue; // not a row usrloc can use
        rc.contact.assign(v, ruid);
        rc.contact.last_modified = cell_int(cell(row, 10));
        out.push_back(std::move(rc));
    }
    return true;
}

bool location_db::contacts_of(std::string_view table, std::string_view aor, std::vector<ucontact>& out) {
    siphost_db_conn* conn = connection();
    if (conn == nullptr)
        return false;
    std::string_view user, domain;
    split(aor, user, domain);
    siphost_str keys[2] = {sdk::str("username"), sdk::str("domain")};
    siphost_db_value values[2] = {str_value(user), str_value(domain, true)};
    siphost_db_result* result = nullptr;
    if (api_->query(conn, sdk::str(table), keys, nullptr, values, use_domain_ ? 2 : 1, nullptr, 0,
                    sdk::str("id"), &result) != SIPHOST_DB_OK)
        return false;
    std::vector<removed_contact> rows;
    read_rows(result, rows);
    api_->free_result(conn, result);
    for (removed_contact& rc : rows)
        out.push_back(std::move(rc.contact));
    return true;
}

bool location_db::load(std::string_view table, std::vector<removed_contact>& out) {
    siphost_db_conn* conn = connection();
    if (conn == nullptr)
        return false;
    siphost_db_result* result = nullptr;
    if (api_->query(conn, sdk::str(table), nullptr, nullptr, nullptr, 0, nullptr, 0, sdk::str("id"),
                    &result) != SIPHOST_DB_OK)
        return false;
    read_rows(result, out);
    api_->free_result(conn, result);
    return true;
}

} // namespace siphost::modules::usrloc
