#include "db_reader.hpp"

#include <charconv>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace siphost::modules::permissions {
namespace {

siphost_str str(std::string_view s) {
    return siphost_str{s.data(), s.size()};
}

/// One connection and one result, released on every path: a pooled connection goes back to its pool.
class query_result {
public:
    query_result(const siphost_db_api_v1* db, const std::string& url, const std::string& table,
                 const std::vector<std::string>& columns, const std::string* key,
                 const std::string* key_value, const db_reader* pool = nullptr)
        : db_(db), pool_(pool) {
        if (pool_ != nullptr) {
            conn_ = pool_->acquire();
        } else {
            char err[256] = {};
            if (db_->open(str(url), &conn_, err, sizeof err) != 0)
                throw std::runtime_error("cannot connect to the database: " + std::string(err));
        }
        std::vector<siphost_str> names;
        for (const std::string& c : columns)
            names.push_back(str(c));
        siphost_str key_name{};
        siphost_db_value key_val{};
        if (key != nullptr) {
            key_name = str(*key);
            key_val.type = SIPHOST_DB_STRING;
            key_val.s = str(*key_value);
        }
        if (db_->query(conn_, str(table), key != nullptr ? &key_name : nullptr, nullptr,
                       key != nullptr ? &key_val : nullptr, key != nullptr ? 1 : 0, names.data(),
                       names.size(), siphost_str{nullptr, 0}, &result_) != 0) {
            // The destructor does not run when the constructor throws: let the connection go here.
            std::string why = db_->last_error(conn_);
            if (pool_ != nullptr)
                pool_->release(conn_, false);
            else
                db_->close(conn_);
            conn_ = nullptr;
            throw std::runtime_error("cannot read table " + table + ": " + why);
        }
    }
    ~query_result() {
        if (result_ != nullptr)
            db_->free_result(conn_, result_);
        if (pool_ != nullptr)
            pool_->release(conn_, true);
        else if (conn_ != nullptr)
            db_->close(conn_);
    }
    query_result(const query_result&) = delete;
    query_result& operator=(const query_result&) = delete;

    const siphost_db_result& rows() const { return *result_; }

private:
    const siphost_db_api_v1* db_;
    const db_reader* pool_;
    siphost_db_conn* conn_ = nullptr;
    siphost_db_result* result_ = nullptr;
};

std::optional<std::string> text_of(const siphost_db_value& v) {
    if (v.null != 0)
        return std::nullopt;
    switch (v.type) {
    case SIPHOST_DB_STRING:
    case SIPHOST_DB_BLOB:
        return std::string(v.s.s != nullptr ? v.s.s : "", v.s.len);
    case SIPHOST_DB_INT:
    case SIPHOST_DB_BIGINT:
        return std::to_string(v.i);
    default:
        return std::nullopt;
    }
}

/// An integer cell; a text cell holding a decimal number counts too. nullopt for NULL or anything else.
std::optional<int64_t> int_of(const siphost_db_value& v) {
    if (v.null != 0)
        return std::nullopt;
    if (v.type == SIPHOST_DB_INT || v.type == SIPHOST_DB_BIGINT)
        return v.i;
    if (v.type == SIPHOST_DB_STRING) {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(v.s.s, v.s.s + v.s.len, n);
        if (ec == std::errc() && end == v.s.s + v.s.len)
            return n;
    }
    return std::nullopt;
}

} // namespace

db_reader::~db_reader() {
    for (siphost_db_conn* conn : idle_)
        db_->close(conn);
}

siphost_db_conn* db_reader::acquire() const {
    {
        std::lock_guard lock(pool_mutex_);
        if (!idle_.empty()) {
            siphost_db_conn* conn = idle_.back();
            idle_.pop_back();
            return conn;
        }
    }
    siphost_db_conn* conn = nullptr;
    char err[256] = {};
    if (db_->open(str(url_), &conn, err, sizeof err) != 0)
        throw std::runtime_error("cannot connect to the database: " + std::string(err));
    return conn;
}

void db_reader::release(siphost_db_conn* conn, bool healthy) const {
    if (conn == nullptr)
        return;
    if (healthy) {
        std::lock_guard lock(pool_mutex_);
        idle_.push_back(conn);
        return;
    }
    db_->close(conn);
}

address_table db_reader::load_addresses(const address_columns& c, size_t max_subnets) const {
    query_result q(db_, url_, c.table, {c.grp, c.ip_addr, c.mask, c.port, c.tag}, nullptr, nullptr);
    const siphost_db_result& rows = q.rows();
    address_table table;
    for (size_t r = 0; r < rows.row_count; ++r) {
        auto cell = [&](size_t col) -> const siphost_db_value& { return *siphost_db_cell(&rows, r, col); };
        std::optional<std::string> ip = text_of(cell(1));
        std::string where = "table " + c.table + " row " + std::to_string(r + 1) +
                            (ip ? " (" + c.ip_addr + " \"" + *ip + "\")" : "");
        auto fail = [&](const std::string& why) { throw std::runtime_error(where + ": " + why); };
        std::optional<int64_t> group = int_of(cell(0));
        std::optional<int64_t> mask = int_of(cell(2));
        std::optional<int64_t> port = int_of(cell(3));
        if (!group || *group < 1 || *group > UINT32_MAX)
            fail("bad " + c.grp + " (a positive integer)");
        if (!ip || ip->empty())
            fail("empty " + c.ip_addr);
        if (!mask)
            fail("bad " + c.mask + " (an integer)");
        if (!port)
            fail("bad " + c.port + " (an integer)");
        try {
            table.add(static_cast<uint32_t>(*group), *ip, *mask, *port, text_of(cell(4)).value_or(""));
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
        if (table.subnets().size() > max_subnets)
            fail("more subnets than max_subnets (" + std::to_string(max_subnets) + ")");
    }
    table.finish();
    return table;
}

trusted_table db_reader::load_trusted(const trusted_columns& c, const std::string* src_ip) const {
    query_result q(db_, url_, c.table, {c.source, c.proto, c.from, c.ruri, c.tag, c.priority},
                   src_ip != nullptr ? &c.source : nullptr, src_ip, src_ip != nullptr ? this : nullptr);
    const siphost_db_result& rows = q.rows();
    trusted_table table;
    for (size_t r = 0; r < rows.row_count; ++r) {
        auto cell = [&](size_t col) -> const siphost_db_value& { return *siphost_db_cell(&rows, r, col); };
        std::optional<std::string> source = text_of(cell(0));
        std::string where = "table " + c.table + " row " + std::to_string(r + 1) +
                            (source ? " (" + c.source + " \"" + *source + "\")" : "");
        std::optional<std::string> proto = text_of(cell(1));
        if (!source || !proto)
            throw std::runtime_error(where + ": " + c.source + " and " + c.proto + " must not be NULL");
        try {
            table.add(*source, *proto, text_of(cell(2)), text_of(cell(3)), text_of(cell(4)).value_or(""),
                      int_of(cell(5)).value_or(0));
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(where + ": " + e.what());
        }
    }
    table.finish();
    return table;
}

} // namespace siphost::modules::permissions
