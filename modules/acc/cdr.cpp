// CDRs from dialogs (Kamailio's cdr_enable): one record per dialog through the dialog module's API. The
// start time, end time and duration live in the dialog's variables (cdr_start_id, cdr_end_id,
// cdr_duration_id, as "seconds.microseconds"), as Kamailio keeps them, so the script can read them with
// $dlg_var. The record is written when the dialog ends (its BYE is the message cdr_extra is read from), fails
// (cdr_on_failed; the negative reply), or times out (cdr_expired_dlg_enable; only $dlg_var extras):
//   log:      start_time=1700000000.123456; end_time=1700000005.654321; duration=5.530865; x=v
//   database: cdrs_table (start_time DATETIME, end_time DATETIME, duration REAL, then the cdr_extra columns)
#include "acc.hpp"

#include <sys/time.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

namespace siphost::modules::acc {
namespace {

bool is_set(const char* text) {
    return text != nullptr && *text != '\0';
}

std::string now_text() {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(tv.tv_sec),
                          static_cast<long long>(tv.tv_usec));
    return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

/// "seconds.microseconds" into microseconds; false when it is not that.
bool parse_time(std::string_view text, int64_t& micros) {
    size_t dot = text.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= text.size())
        return false;
    uint64_t seconds = 0, fraction = 0;
    if (!sdk::parse_uint(text.substr(0, dot), seconds, UINT32_MAX) ||
        !sdk::parse_uint(text.substr(dot + 1), fraction, 999999))
        return false;
    micros = static_cast<int64_t>(seconds) * 1000000 + static_cast<int64_t>(fraction);
    return true;
}

std::optional<std::string> get_var(siphost_dialog* d, const char* name) {
    char buf[1024];
    int n = ctx().dialog->get_var(d, sdk::str(name), buf, sizeof buf);
    if (n < 0)
        return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
}

void set_var(siphost_dialog* d, const char* name, std::string_view value) {
    if (ctx().dialog->set_var(d, sdk::str(name), sdk::str(value)) != 0)
        log(SIPHOST_LOG_ERR, std::string("cannot set the dialog variable ") + name);
}

/// The dialog starts now: start = end = now, duration 0.
void set_start(siphost_dialog* d) {
    const settings& p = ctx().params;
    std::string now = now_text();
    set_var(d, p.cdr_start_id, now);
    set_var(d, p.cdr_end_id, now);
    set_var(d, p.cdr_duration_id, "0");
}

/// It ends now: end = now, duration = end - start.
void set_end(siphost_dialog* d) {
    const settings& p = ctx().params;
    std::string now = now_text();
    set_var(d, p.cdr_end_id, now);
    auto start = get_var(d, p.cdr_start_id);
    int64_t from = 0, to = 0;
    if (!start || !parse_time(*start, from) || !parse_time(now, to)) {
        log(SIPHOST_LOG_ERR, "the dialog's start time is missing or not seconds.microseconds: no duration");
        return;
    }
    int64_t span = std::max<int64_t>(to - from, 0);
    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(span / 1000000),
                          static_cast<long long>(span % 1000000));
    set_var(d, p.cdr_duration_id, std::string_view(buf, n > 0 ? static_cast<size_t>(n) : 0));
}

/// cdr_extra for a timed-out dialog (no message): only $dlg_var(name) items have a value.
std::vector<std::optional<std::string>> dialog_only_extras(siphost_dialog* d) {
    const extra_list& extras = ctx().cdr_extra;
    std::vector<std::optional<std::string>> values;
    for (size_t i = 0; i < extras.size(); ++i) {
        std::string_view pv = extras.pv_text(i);
        constexpr std::string_view prefix = "$dlg_var(";
        if (pv.size() > prefix.size() + 1 && pv.substr(0, prefix.size()) == prefix && pv.back() == ')')
            values.push_back(
                get_var(d, std::string(pv.substr(prefix.size(), pv.size() - prefix.size() - 1)).c_str()));
        else
            values.emplace_back();
    }
    return values;
}

siphost_db_value time_value(const std::optional<std::string>& text) {
    siphost_db_value v{};
    int64_t micros = 0;
    if (!text || !parse_time(*text, micros)) {
        v.null = 1;
        return v;
    }
    v.type = SIPHOST_DB_DATETIME;
    v.i = micros / 1000000;
    return v;
}

void write_cdr(siphost_dialog* d, siphost_msg* msg) {
    context& c = ctx();
    const settings& p = c.params;
    if (is_set(p.cdr_skip) && get_var(d, p.cdr_skip)) {
        log(SIPHOST_LOG_DBG, std::string("cdr_skip: the dialog has $dlg_var(") + p.cdr_skip + "), no CDR");
        return;
    }
    std::string error;
    if (!resolve_pseudo_variables(error)) {
        log(SIPHOST_LOG_ERR, error + " (no CDR)");
        return;
    }
    const std::array<const char*, 3> core_names = {p.cdr_start_id, p.cdr_end_id, p.cdr_duration_id};
    std::array<std::optional<std::string>, 3> core;
    for (size_t i = 0; i < core.size(); ++i)
        core[i] = get_var(d, core_names[i]);
    std::vector<std::optional<std::string>> extras =
        msg != nullptr ? c.cdr_extra.evaluate(c.host, msg) : dialog_only_extras(d);

    if (p.cdr_log_enable != 0 && c.host->log_enabled(p.log_level)) {
        std::string line;
        auto add = [&](std::string_view name, const std::optional<std::string>& value) {
            if (!line.empty())
                line.append("; ");
            line.append(name).append("=").append(value.value_or(""));
        };
        for (size_t i = 0; i < core.size(); ++i)
            add(core_names[i], core[i]);
        for (size_t i = 0; i < extras.size(); ++i)
            add(c.cdr_extra.name(i), extras[i]);
        c.host->log(c.self, p.log_level, sdk::str(line));
    }

    if (!is_set(p.cdrs_table) || c.db == nullptr)
        return;
    std::vector<siphost_str> columns;
    std::vector<siphost_db_value> values;
    columns.push_back(sdk::str(p.cdr_start_id));
    values.push_back(time_value(core[0]));
    columns.push_back(sdk::str(p.cdr_end_id));
    values.push_back(time_value(core[1]));
    siphost_db_value duration{};
    if (core[2]) {
        duration.type = SIPHOST_DB_DOUBLE;
        duration.d = std::strtod(core[2]->c_str(), nullptr);
    } else {
        duration.null = 1;
    }
    columns.push_back(sdk::str(p.cdr_duration_id));
    values.push_back(duration);
    for (size_t i = 0; i < extras.size(); ++i) {
        siphost_db_value v{};
        v.type = SIPHOST_DB_STRING;
        v.s = extras[i] ? sdk::str(*extras[i]) : sdk::str("");
        if (!extras[i] && p.cdr_extra_nullable != 0)
            v.null = 1;
        columns.push_back(sdk::str(c.cdr_extra.name(i)));
        values.push_back(v);
    }
    if (!c.db->insert(p.cdrs_table, columns, values, error))
        log(SIPHOST_LOG_ERR,
            std::string("failed to insert the CDR into table '") + p.cdrs_table + "': " + error);
}

void on_dialog(const siphost_dialog_callback_params* params) {
    sdk::guard(0, [params] {
        const settings& p = ctx().params;
        siphost_dialog* d = params->dialog;
        switch (params->type) {
        case SIPHOST_DIALOG_CB_CREATED:
            set_start(d);
            break;
        case SIPHOST_DIALOG_CB_CONFIRMED:
            if (p.cdr_start_on_confirmed != 0)
                set_start(d);
            break;
        case SIPHOST_DIALOG_CB_FAILED:
            if (p.cdr_on_failed != 0)
                write_cdr(d, params->msg);
            break;
        case SIPHOST_DIALOG_CB_TERMINATED:
            set_end(d);
            write_cdr(d, params->msg);
            break;
        case SIPHOST_DIALOG_CB_EXPIRED:
            set_end(d);
            if (p.cdr_expired_dlg_enable != 0)
                write_cdr(d, nullptr);
            break;
        default:
            break;
        }
        return 0;
    });
}

} // namespace

void init_cdrs() {
    context& c = ctx();
    settings& p = c.params;
    if (p.cdr_enable != 0 && p.cdr_enable != 1)
        throw sdk::config_error("cdr_enable is 0 (off) or 1 (on)");
    if (p.cdr_extra_size <= 0)
        throw sdk::config_error("cdr_extra_size must be at least 1");
    for (auto [name, value] : {std::pair<const char*, const char*>{"cdr_start_id", p.cdr_start_id},
                               {"cdr_end_id", p.cdr_end_id},
                               {"cdr_duration_id", p.cdr_duration_id}})
        if (!is_set(value))
            throw sdk::config_error(std::string(name) + " cannot be empty");
    if (is_set(p.cdr_extra))
        c.cdr_extra.read("cdr_extra", p.cdr_extra, static_cast<size_t>(p.cdr_extra_size));
    c.dialog = nullptr;
    if (p.cdr_enable == 0)
        return;
    if (is_set(p.cdr_facility) && !sdk::iequals(p.cdr_facility, "LOG_DAEMON"))
        log(SIPHOST_LOG_WARN, std::string("cdr_facility ") + p.cdr_facility +
                                  ": CDR lines go to siphost's log with the core's facility (log_facility of "
                                  "the core), not to a facility of their own");
    if (is_set(p.cdrs_table) && c.db == nullptr)
        throw sdk::config_error(std::string("cdrs_table '") + p.cdrs_table +
                                "' needs a database: set db_url (and load its driver before acc)");
    c.dialog = static_cast<const siphost_dialog_api_v1*>(
        c.host->api_lookup(SIPHOST_DIALOG_API_NAME, SIPHOST_DIALOG_API_MAJOR));
    if (c.dialog == nullptr)
        throw sdk::config_error("cdr_enable needs the dialog module: load dialog before acc");
    constexpr uint32_t types = SIPHOST_DIALOG_CB_CREATED | SIPHOST_DIALOG_CB_CONFIRMED |
                               SIPHOST_DIALOG_CB_TERMINATED | SIPHOST_DIALOG_CB_FAILED |
                               SIPHOST_DIALOG_CB_EXPIRED;
    if (c.dialog->register_callback(types, on_dialog, nullptr) != 0)
        throw sdk::config_error("the dialog module refused acc's callback");
}

} // namespace siphost::modules::acc
