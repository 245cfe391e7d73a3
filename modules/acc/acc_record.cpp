// One accounting record: the fields Kamailio's acc writes, as a log line
//   ACC: transaction answered: timestamp=T;method=M;from_tag=F;to_tag=T;call_id=C;code=200;reason=OK;x=v
// and as a row: method, from_tag, to_tag, callid, sip_code, sip_reason, time, then the db_extra columns.
#include "acc.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace siphost::modules::acc {
namespace {

siphost_db_value string_value(std::string_view s) {
    siphost_db_value v{};
    v.type = SIPHOST_DB_STRING;
    v.s = sdk::str(s);
    return v;
}

siphost_db_value int_value(int64_t i, uint32_t type) {
    siphost_db_value v{};
    v.type = type;
    v.i = i;
    return v;
}

/// time_mode 3 and 4: the time formatted with time_format, in local time or UTC.
std::string formatted_time(int64_t seconds, bool utc) {
    auto t = static_cast<std::time_t>(seconds);
    std::tm parts{};
    if ((utc ? gmtime_r(&t, &parts) : localtime_r(&t, &parts)) == nullptr)
        return {};
    char buf[128];
    size_t n = std::strftime(buf, sizeof buf, ctx().params.time_format, &parts);
    return std::string(buf, n);
}

/// time_mode 2: seconds.milliseconds.
std::string seconds_with_millis(int64_t seconds, int64_t microseconds) {
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%.3f",
                          static_cast<double>(seconds) + static_cast<double>(microseconds) / 1e6);
    return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

} // namespace

acc_record make_record(std::string_view text, siphost_msg* msg, bool to_log, bool to_db) {
    const context& c = ctx();
    const siphost_host_api* h = c.host;
    acc_record r;
    r.text = text;
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
    r.seconds = micros / 1000000;
    r.microseconds = micros % 1000000;
    r.method = sdk::view(h->msg_method(msg));
    r.from_tag = sdk::view(h->msg_from_tag(msg));
    r.call_id = sdk::view(h->msg_call_id(msg));
    r.to_log = to_log;
    r.to_db = to_db && c.db != nullptr;
    if (r.to_log)
        r.log_values = c.log_extra.evaluate(h, msg);
    if (r.to_db)
        r.db_values = c.db_extra.evaluate(h, msg);
    return r;
}

int write_log(const acc_record& r) {
    const context& c = ctx();
    if (!c.host->log_enabled(c.params.log_level))
        return 1;
    std::string line;
    line.reserve(256);
    line.append(r.text).append("timestamp=").append(std::to_string(r.seconds));
    switch (c.params.time_mode) {
    case 1:
        line.append(";").append(c.params.time_exten).append("=").append(std::to_string(r.microseconds));
        break;
    case 2:
        line.append(";")
            .append(c.params.time_attr)
            .append("=")
            .append(seconds_with_millis(r.seconds, r.microseconds));
        break;
    case 3:
    case 4:
        line.append(";")
            .append(c.params.time_attr)
            .append("=")
            .append(formatted_time(r.seconds, c.params.time_mode == 4));
        break;
    default:
        break;
    }
    line.append(";method=").append(r.method);
    line.append(";from_tag=").append(r.from_tag);
    line.append(";to_tag=").append(r.to_tag);
    line.append(";call_id=").append(r.call_id);
    line.append(";code=").append(r.code);
    line.append(";reason=").append(r.reason);
    for (size_t i = 0; i < r.log_values.size() && i < c.log_extra.size(); ++i) {
        line.append(";").append(c.log_extra.name(i)).append("=");
        if (r.log_values[i])
            line.append(*r.log_values[i]);
    }
    c.host->log(c.self, c.params.log_level, sdk::str(line));
    return 1;
}

int write_db(const acc_record& r) {
    const context& c = ctx();
    const settings& p = c.params;
    if (c.db == nullptr) {
        log(SIPHOST_LOG_ERR, "no database: db_url is not set");
        return -1;
    }
    if (r.table.empty()) {
        log(SIPHOST_LOG_ERR, "no table to write the accounting record to (the table name is empty)");
        return -1;
    }
    std::vector<siphost_str> columns;
    std::vector<siphost_db_value> values;
    std::string time_text; // time_mode 2..4 keep their text here while the row is written
    auto add = [&](const char* column, const siphost_db_value& value) {
        columns.push_back(sdk::str(column));
        values.push_back(value);
    };
    add(p.method_column, string_value(r.method));
    add(p.from_tag_column, string_value(r.from_tag));
    add(p.to_tag_column, string_value(r.to_tag));
    add(p.callid_column, string_value(r.call_id));
    add(p.sip_code_column, string_value(r.code));
    add(p.sip_reason_column, string_value(r.reason));
    add(p.time_column, int_value(r.seconds, SIPHOST_DB_DATETIME));
    switch (p.time_mode) {
    case 1:
        add(p.time_attr, int_value(r.seconds, SIPHOST_DB_INT));
        add(p.time_exten, int_value(r.microseconds, SIPHOST_DB_INT));
        break;
    case 2: {
        siphost_db_value v{};
        v.type = SIPHOST_DB_DOUBLE;
        v.d = static_cast<double>(r.seconds) + static_cast<double>(r.microseconds / 1000) / 1e3;
        add(p.time_attr, v);
        break;
    }
    case 3:
    case 4:
        time_text = formatted_time(r.seconds, p.time_mode == 4);
        add(p.time_attr, string_value(time_text));
        break;
    default:
        break;
    }
    for (size_t i = 0; i < r.db_values.size() && i < c.db_extra.size(); ++i) {
        siphost_db_value v = string_value(r.db_values[i] ? std::string_view(*r.db_values[i]) : "");
        if (!r.db_values[i] && p.acc_extra_nullable != 0)
            v.null = 1;
        columns.push_back(sdk::str(c.db_extra.name(i)));
        values.push_back(v);
    }
    std::string error;
    if (!c.db->insert(r.table, columns, values, error)) {
        log(SIPHOST_LOG_ERR, "failed to insert into database table '" + r.table + "': " + error);
        return -1;
    }
    return 1;
}

int emit(const acc_record& r) {
    int rc = 1;
    if (r.to_log && write_log(r) < 0)
        rc = -1;
    if (r.to_db && write_db(r) < 0)
        rc = -1;
    return rc;
}

} // namespace siphost::modules::acc
