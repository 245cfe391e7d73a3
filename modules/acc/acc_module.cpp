// acc: transaction accounting (Kamailio 5.6's acc module) to the log and to a database.
//
//   acc_log_request(comment)          a "request accounted" line about the current message
//   acc_db_request(comment, table)    the same as a row of table
//
// A transaction is accounted without any command, by flags set before t_relay(): log_flag / db_flag for
// answered transactions, log_missed_flag / db_missed_flag for missed calls, failed_transaction_flag for
// negative final replies (transaction_events.cpp). docs/acc.md is the long form.
#include "acc.hpp"

#include <siphost/api/db.h>

#include <array>
#include <cctype>

namespace siphost::modules::acc {

context& ctx() {
    static context instance;
    return instance;
}

void log(int level, std::string_view text) {
    sdk::log(ctx().host, ctx().self, level, text);
}

bool resolve_pseudo_variables(std::string& error, bool* first_failure) {
    context& c = ctx();
    std::lock_guard guard(c.resolve_mutex);
    if (c.resolved)
        return true;
    if (!c.resolve_error.empty()) { // tried once after the script was compiled: it will not get better
        error = c.resolve_error;
        return false;
    }
    std::string reason;
    bool ok = c.log_extra.resolve(c.host, reason) && c.db_extra.resolve(c.host, reason) &&
              c.cdr_extra.resolve(c.host, reason) && c.table_acc.resolve(c.host, reason) &&
              c.table_missed.resolve(c.host, reason);
    if (!ok) {
        error = reason;
        c.resolve_error = reason;
        if (first_failure != nullptr)
            *first_failure = true;
        return false;
    }
    c.resolved = true;
    return true;
}

namespace {

// ---- parameters ----

/// A flag modparam: -1 (none) or one of siphost's 64 script flags.
void check_flag(const char* name, int32_t value) {
    if (value < -1 || value > 63)
        throw sdk::config_error(std::string(name) + " " + std::to_string(value) +
                                " is not a flag: give a flag number from 0 to 63 (setflag), or -1 for none");
}

/// The syslog facility names Kamailio accepts for log_facility.
bool known_facility(std::string_view name) {
    static constexpr std::array<std::string_view, 20> names = {
        "LOG_AUTH",   "LOG_AUTHPRIV", "LOG_CRON",   "LOG_DAEMON", "LOG_FTP",    "LOG_KERN",   "LOG_LOCAL0",
        "LOG_LOCAL1", "LOG_LOCAL2",   "LOG_LOCAL3", "LOG_LOCAL4", "LOG_LOCAL5", "LOG_LOCAL6", "LOG_LOCAL7",
        "LOG_LPR",    "LOG_MAIL",     "LOG_NEWS",   "LOG_SYSLOG", "LOG_USER",   "LOG_UUCP"};
    for (std::string_view known : names)
        if (sdk::iequals(known, name))
            return true;
    return false;
}

/// failed_filter: "404,407", codes from 300 to 999.
std::vector<int> read_failed_filter(std::string_view text) {
    std::vector<int> codes;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view item = sdk::trim(text.substr(start, end - start));
        start = end + 1;
        if (item.empty())
            continue;
        uint64_t code = 0;
        if (!sdk::parse_uint(item, code, 999) || code < 300)
            throw sdk::config_error("failed_filter: '" + std::string(item) +
                                    "' is not a reply code from 300 to 999 (write them separated by commas)");
        codes.push_back(static_cast<int>(code));
    }
    return codes;
}

bool is_set(const char* text) {
    return text != nullptr && *text != '\0';
}

/// cdr_facility: a syslog facility name (as log_facility), or Kamailio's number for one.
int set_cdr_facility(const char*, const siphost_value* value, char* err, size_t err_size) {
    static std::string name;
    if (value->kind == SIPHOST_VALUE_INT) {
        name = "facility " + std::to_string(value->num);
        ctx().params.cdr_facility = name.c_str();
        return 0;
    }
    std::string_view text = sdk::arg_view(*value);
    if (!known_facility(text)) {
        sdk::write_error(err, err_size,
                         "cdr_facility '" + std::string(text) +
                             "' is not a syslog facility (LOG_DAEMON, LOG_LOCAL0 .. LOG_LOCAL7, ...)");
        return -1;
    }
    name = std::string(text);
    ctx().params.cdr_facility = name.c_str();
    return 0;
}

void init_checks() {
    context& c = ctx();
    settings& p = c.params;
    const std::array<std::pair<const char*, int32_t>, 6> flags = {
        {{"log_flag", p.log_flag},
         {"log_missed_flag", p.log_missed_flag},
         {"db_flag", p.db_flag},
         {"db_missed_flag", p.db_missed_flag},
         {"failed_transaction_flag", p.failed_transaction_flag},
         {"acc_prepare_flag", p.acc_prepare_flag}}};
    for (const auto& [name, value] : flags)
        check_flag(name, value);
    if (p.log_level < SIPHOST_LOG_ALERT || p.log_level > SIPHOST_LOG_DBG)
        throw sdk::config_error("log_level " + std::to_string(p.log_level) +
                                " is not a log level: from -5 (L_ALERT) to 3 (L_DBG); 1 is L_NOTICE");
    if (is_set(p.log_facility) && !known_facility(p.log_facility))
        throw sdk::config_error(std::string("log_facility '") + p.log_facility +
                                "' is not a syslog facility (LOG_DAEMON, LOG_LOCAL0 .. LOG_LOCAL7, ...)");
    if (is_set(p.log_facility) && !sdk::iequals(p.log_facility, "LOG_DAEMON"))
        log(SIPHOST_LOG_WARN,
            std::string("log_facility ") + p.log_facility +
                ": accounting lines go to siphost's log with its own facility (log_facility "
                "of the core), not to a facility of their own");
    if (p.time_mode < 0 || p.time_mode > 4)
        throw sdk::config_error("time_mode " + std::to_string(p.time_mode) +
                                " is not one of 0 (timestamp), 1 (seconds and microseconds), 2 "
                                "(seconds.milliseconds), 3 (local time_format), 4 (UTC time_format)");
    if ((p.time_mode == 1 || p.time_mode == 2) && !is_set(p.time_attr))
        throw sdk::config_error("time_mode " + std::to_string(p.time_mode) + " needs a time_attr name");
    if (p.time_mode == 1 && !is_set(p.time_exten))
        throw sdk::config_error("time_mode 1 needs a time_exten name");
    if ((p.time_mode == 3 || p.time_mode == 4) && (!is_set(p.time_attr) || !is_set(p.time_format)))
        throw sdk::config_error("time_mode " + std::to_string(p.time_mode) +
                                " needs a time_attr name and a time_format");
    if (p.db_insert_mode < 0 || p.db_insert_mode > 2)
        throw sdk::config_error("db_insert_mode is 0 (INSERT), 1 (INSERT DELAYED) or 2 (async insert)");
    if (p.db_insert_mode != 0)
        log(SIPHOST_LOG_WARN, "db_insert_mode " + std::to_string(p.db_insert_mode) +
                                  ": the database drivers have no delayed or asynchronous insert, a plain "
                                  "INSERT is used (as Kamailio does when its driver has none)");
    if (p.acc_extra_size <= 0)
        throw sdk::config_error("acc_extra_size must be at least 1");
    if (p.report_ack != 0)
        log(SIPHOST_LOG_WARN,
            "report_ack is accepted but has no effect: end-to-end ACKs are not accounted (tm has no "
            "callback for them)");
    if (p.detect_direction != 0)
        log(SIPHOST_LOG_WARN,
            "detect_direction is accepted but has no effect: From and To are never swapped for "
            "requests going upstream");
    if (is_set(p.multi_leg_info))
        log(SIPHOST_LOG_WARN, "multi_leg_info is accepted but has no effect: call legs are not accounted");
    if (p.clone_msg != 0 && p.clone_msg != 1)
        throw sdk::config_error("clone_msg is 0 or 1");
    c.failed_filter = is_set(p.failed_filter) ? read_failed_filter(p.failed_filter) : std::vector<int>();
    auto max_extras = static_cast<size_t>(p.acc_extra_size);
    if (is_set(p.log_extra))
        c.log_extra.read("log_extra", p.log_extra, max_extras);
    if (is_set(p.db_extra))
        c.db_extra.read("db_extra", p.db_extra, max_extras);
}

void init_database() {
    context& c = ctx();
    settings& p = c.params;
    if (!is_set(p.db_url)) {
        if (p.db_flag >= 0 || p.db_missed_flag >= 0)
            log(SIPHOST_LOG_WARN, "db_flag and db_missed_flag have no effect without db_url");
        return;
    }
    const siphost_db_api_v1* api = siphost_db_find_api(c.host, sdk::str(p.db_url));
    if (api == nullptr) {
        std::string_view url = p.db_url;
        std::string scheme(url.substr(0, url.find(':')));
        throw sdk::config_error("db_url: no database driver for '" + scheme +
                                ":' is loaded; load db_sqlite, db_mysql or db_postgres before acc");
    }
    for (auto [name, value] : {std::pair<const char*, const char*>{"db_table_acc", p.db_table_acc},
                               {"db_table_missed_calls", p.db_table_missed_calls}}) {
        if (!is_set(value))
            throw sdk::config_error(std::string(name) + " is empty: name the table to write to");
    }
    c.table_acc.read("db_table_acc", p.db_table_acc);
    c.table_missed.read("db_table_missed_calls", p.db_table_missed_calls);
    for (const char* column : {p.method_column, p.from_tag_column, p.to_tag_column, p.callid_column,
                               p.sip_code_column, p.sip_reason_column, p.time_column})
        if (!is_set(column))
            throw sdk::config_error("the acc_*_column parameters cannot be empty");
    c.db = std::make_unique<acc_db>(api, p.db_url);
    std::string error;
    if (!c.db->check(error))
        throw sdk::config_error("cannot open the accounting database: " + error);
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        context& c = ctx();
        c.host = host;
        c.self = self;
        c.resolved = false;
        c.resolve_error.clear();
        c.tm = static_cast<const siphost_tm_api_v1*>(
            host->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR));
        if (c.tm == nullptr || !SIPHOST_HAS(siphost_tm_api_v1, c.tm, register_callback))
            throw sdk::config_error("acc needs tm's API: load tm before acc");
        init_checks();
        init_database();
        init_cdrs();
        if (c.tm->register_callback(nullptr, SIPHOST_TM_CB_REQUEST_IN, on_request_in, nullptr) != 0)
            throw sdk::config_error("tm refused acc's transaction callback");
        return 0;
    });
}

/// The pseudo-variables are parsed here at the latest (the script is compiled by now), so that a wrong one
/// stops siphost before it takes traffic.
int thread_init(int, int) {
    std::string error;
    bool first_failure = false;
    if (resolve_pseudo_variables(error, &first_failure))
        return 0;
    if (first_failure)
        log(SIPHOST_LOG_ERR, error + " (nothing is accounted)");
    return -1;
}

void destroy() {
    context& c = ctx();
    release_transactions();
    c.log_extra.release(c.host);
    c.db_extra.release(c.host);
    c.table_acc.release(c.host);
    c.table_missed.release(c.host);
    c.db.reset();
    c.cdr_extra.release(c.host);
    c.resolved = false;
    c.resolve_error.clear();
}

// ---- script commands ----

/// A comment "CODE TEXT" gives the record's code and reason ("404 Not here"); without three leading digits
/// the code is empty and the whole comment is the reason.
void set_comment(acc_record& r, std::string_view comment) {
    if (comment.size() >= 3 && std::isdigit(static_cast<unsigned char>(comment[0])) &&
        std::isdigit(static_cast<unsigned char>(comment[1])) &&
        std::isdigit(static_cast<unsigned char>(comment[2]))) {
        r.code = comment.substr(0, 3);
        comment.remove_prefix(3);
        while (!comment.empty() && std::isspace(static_cast<unsigned char>(comment.front())))
            comment.remove_prefix(1);
    }
    r.reason = comment;
}

void check_comment(const siphost_value* args, const int* constant) {
    if (constant[0] && sdk::arg_view(args[0]).empty())
        throw sdk::config_error("the comment (first parameter) is empty");
    std::string error;
    if (!resolve_pseudo_variables(error))
        throw sdk::config_error(error);
}

std::unique_ptr<int> fix_log_request(const siphost_value* args, const int* constant) {
    check_comment(args, constant);
    return nullptr;
}

std::unique_ptr<int> fix_db_request(const siphost_value* args, const int* constant) {
    check_comment(args, constant);
    if (constant[1] && sdk::arg_view(args[1]).empty())
        throw sdk::config_error("the table (second parameter) is empty");
    if (ctx().db == nullptr)
        log(SIPHOST_LOG_WARN, "acc_db_request() is used without db_url: it will fail");
    return nullptr;
}

int cmd_acc_log_request(siphost_msg* msg, const siphost_value* args, void*) {
    std::string error;
    if (!resolve_pseudo_variables(error)) {
        log(SIPHOST_LOG_ERR, error);
        return -1;
    }
    acc_record r = make_record(text_request, msg, true, false);
    r.to_tag = sdk::view(ctx().host->msg_to_tag(msg));
    set_comment(r, sdk::arg_view(args[0]));
    return write_log(r);
}

int cmd_acc_db_request(siphost_msg* msg, const siphost_value* args, void*) {
    if (ctx().db == nullptr) {
        log(SIPHOST_LOG_ERR, "acc_db_request: db support not configured (db_url)");
        return -1;
    }
    std::string error;
    if (!resolve_pseudo_variables(error)) {
        log(SIPHOST_LOG_ERR, error);
        return -1;
    }
    acc_record r = make_record(text_request, msg, false, true);
    r.to_tag = sdk::view(ctx().host->msg_to_tag(msg));
    set_comment(r, sdk::arg_view(args[0]));
    r.table = sdk::arg_view(args[1]);
    return write_db(r);
}

const siphost_command commands[] = {
    sdk::command("acc_log_request", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_acc_log_request>,
                 {SIPHOST_ARG_STRING}, sdk::fixup<&fix_log_request>, sdk::free_call_data<int>,
                 "acc_log_request(comment): logs a 'request accounted' record of the message"),
    sdk::command("acc_db_request", SIPHOST_ROUTE_ANY, sdk::guarded<&cmd_acc_db_request>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_db_request>,
                 sdk::free_call_data<int>, "acc_db_request(comment, table): the record as a row of table"),
    sdk::end_of_commands(),
};

settings& values = ctx().params;

const siphost_param params[] = {
    sdk::int_param("early_media", &values.early_media, "account provisional replies with a body"),
    sdk::int_param("failed_transaction_flag", &values.failed_transaction_flag,
                   "flag: account negative final replies too"),
    sdk::string_param("failed_filter", &values.failed_filter, "negative codes never accounted (\"404,407\")"),
    sdk::int_param("report_ack", &values.report_ack, "account end-to-end ACKs (no effect in siphost)"),
    sdk::int_param("report_cancels", &values.report_cancels, "account CANCEL transactions"),
    sdk::int_param("detect_direction", &values.detect_direction,
                   "swap From/To upstream (no effect in siphost)"),
    sdk::int_param("acc_prepare_flag", &values.acc_prepare_flag,
                   "flag: follow the transaction for flags set later"),
    sdk::int_param("acc_prepare_always", &values.acc_prepare_always, "follow every transaction"),
    sdk::int_param("acc_extra_nullable", &values.acc_extra_nullable, "db_extra: NULL for a missing value"),
    sdk::string_param("multi_leg_info", &values.multi_leg_info, "per-leg values (no effect in siphost)"),
    sdk::int_param("log_flag", &values.log_flag, "flag: log answered transactions"),
    sdk::int_param("log_missed_flag", &values.log_missed_flag, "flag: log missed calls"),
    sdk::int_param("log_level", &values.log_level, "the level of accounting lines (1: NOTICE)"),
    sdk::string_param("log_facility", &values.log_facility, "syslog facility (siphost logs with the core's)"),
    sdk::string_param("log_extra", &values.log_extra, "name=$pv;... added to log lines"),
    sdk::int_param("db_flag", &values.db_flag, "flag: store answered transactions"),
    sdk::int_param("db_missed_flag", &values.db_missed_flag, "flag: store missed calls"),
    sdk::string_param("db_table_acc", &values.db_table_acc, "table of answered transactions (acc)"),
    sdk::string_param("db_table_missed_calls", &values.db_table_missed_calls,
                      "table of missed calls (missed_calls)"),
    sdk::string_param("db_url", &values.db_url, "database URL; empty: no database accounting"),
    sdk::string_param("acc_method_column", &values.method_column, "column of the method"),
    sdk::string_param("acc_from_tag_column", &values.from_tag_column, "column of the From tag"),
    sdk::string_param("acc_to_tag_column", &values.to_tag_column, "column of the To tag"),
    sdk::string_param("acc_callid_column", &values.callid_column, "column of the Call-ID"),
    sdk::string_param("acc_sip_code_column", &values.sip_code_column, "column of the reply code"),
    sdk::string_param("acc_sip_reason_column", &values.sip_reason_column, "column of the reason phrase"),
    sdk::string_param("acc_time_column", &values.time_column, "column of the time"),
    sdk::string_param("db_extra", &values.db_extra, "column=$pv;... added to rows"),
    sdk::int_param("db_insert_mode", &values.db_insert_mode, "0 INSERT; 1 and 2 fall back to INSERT"),
    sdk::int_param("cdr_enable", &values.cdr_enable, "1: one CDR per dialog (needs the dialog module)"),
    sdk::string_param("cdr_skip", &values.cdr_skip, "no CDR for dialogs with this $dlg_var set"),
    sdk::int_param("cdr_expired_dlg_enable", &values.cdr_expired_dlg_enable,
                   "1: a CDR for timed-out dialogs too (extras: $dlg_var only)"),
    sdk::int_param("cdr_start_on_confirmed", &values.cdr_start_on_confirmed,
                   "1: start_time is the 2xx's time, not the INVITE's"),
    sdk::setter_param("cdr_facility", SIPHOST_PARAM_INT | SIPHOST_PARAM_STRING, set_cdr_facility,
                      "syslog facility of CDR lines (siphost logs with the core's)"),
    sdk::string_param("cdr_extra", &values.cdr_extra, "name=$pv;... added to CDRs, read at the dialog's end"),
    sdk::int_param("cdr_extra_nullable", &values.cdr_extra_nullable, "cdr_extra: NULL for a missing value"),
    sdk::string_param("cdr_start_id", &values.cdr_start_id, "name of the start time (start_time)"),
    sdk::string_param("cdr_end_id", &values.cdr_end_id, "name of the end time (end_time)"),
    sdk::string_param("cdr_duration_id", &values.cdr_duration_id, "name of the duration (duration)"),
    sdk::int_param("cdr_log_enable", &values.cdr_log_enable, "1: CDRs go to the log"),
    sdk::string_param("cdrs_table", &values.cdrs_table, "table of CDRs (acc_cdrs); empty: none"),
    sdk::int_param("cdr_on_failed", &values.cdr_on_failed, "1: a CDR for failed dialogs too"),
    sdk::int_param("cdr_extra_size", &values.cdr_extra_size, "the most cdr_extra items (64)"),
    sdk::int_param("time_mode", &values.time_mode, "0 timestamp; 1..4 an extra time attribute"),
    sdk::string_param("time_attr", &values.time_attr, "name of the extra time attribute"),
    sdk::string_param("time_exten", &values.time_exten, "name of the microseconds attribute (time_mode 1)"),
    sdk::string_param("time_format", &values.time_format, "strftime format (time_mode 3, 4)"),
    sdk::int_param("reason_from_hf", &values.reason_from_hf, "reason from the reply's Reason header"),
    sdk::int_param("clone_msg", &values.clone_msg, "accepted: siphost always reads tm's copy of the request"),
    sdk::int_param("acc_extra_size", &values.acc_extra_size, "the most extras per parameter (64)"),
    sdk::end_of_params(),
};

const char* const depends[] = {"tm", nullptr};

sdk::module_spec describe() {
    sdk::module_spec spec;
    spec.name = "acc";
    spec.version = "1.0";
    spec.commands = commands;
    spec.params = params;
    spec.depends = depends;
    spec.init = init;
    spec.thread_init = thread_init;
    spec.destroy = destroy;
    return spec;
}

const siphost_module descriptor = sdk::module(describe());

} // namespace
} // namespace siphost::modules::acc

SIPHOST_MODULE(siphost::modules::acc::descriptor)
