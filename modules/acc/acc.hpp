#pragma once
// acc: transaction accounting (Kamailio 5.6's acc module), to the log and to a database. What the files
// share: the module's parameters and state, and the accounting record with its two writers.
//
//   acc_module.cpp          parameters, init, the script commands (acc_log_request, acc_db_request)
//   transaction_events.cpp  tm's callbacks: which transactions, which replies, missed calls
//   acc_record.cpp          one record: its fields, the log line, the database row
//   extra_list, text_template, pv_token   log_extra/db_extra and table names with pseudo-variables
//   acc_db                  one database connection per thread
//   cdr.cpp                 CDRs from dialogs (cdr_enable), through the dialog module's API

#include "acc_db.hpp"
#include "extra_list.hpp"
#include "text_template.hpp"

#include <siphost/api/dialog.h>
#include <siphost/api/tm.h>
#include <siphost/module.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::acc {

/// The modparams, with Kamailio's names and defaults (-1: no flag).
struct settings {
    int32_t early_media = 0;
    int32_t failed_transaction_flag = -1;
    const char* failed_filter = nullptr;
    int32_t report_ack = 0;
    int32_t report_cancels = 0;
    int32_t detect_direction = 0;
    int32_t acc_prepare_flag = -1;
    int32_t acc_prepare_always = 0;
    int32_t acc_extra_nullable = 0;
    const char* multi_leg_info = nullptr;
    int32_t log_flag = -1;
    int32_t log_missed_flag = -1;
    int32_t log_level = SIPHOST_LOG_NOTICE;
    const char* log_facility = nullptr; ///< LOG_DAEMON when not given
    const char* log_extra = nullptr;
    int32_t db_flag = -1;
    int32_t db_missed_flag = -1;
    const char* db_table_acc = "acc";
    const char* db_table_missed_calls = "missed_calls";
    const char* db_url = nullptr;
    const char* method_column = "method";
    const char* from_tag_column = "from_tag";
    const char* to_tag_column = "to_tag";
    const char* callid_column = "callid";
    const char* sip_code_column = "sip_code";
    const char* sip_reason_column = "sip_reason";
    const char* time_column = "time";
    const char* db_extra = nullptr;
    int32_t db_insert_mode = 0;
    int32_t time_mode = 0;
    const char* time_attr = "time_attr";
    const char* time_exten = "time_exten";
    const char* time_format = "%Y-%m-%d %H:%M:%S";
    int32_t reason_from_hf = 0;
    int32_t clone_msg = 1;
    int32_t acc_extra_size = 64;
    // CDRs from dialogs (cdr.cpp)
    int32_t cdr_enable = 0;
    const char* cdr_skip = nullptr;
    int32_t cdr_expired_dlg_enable = 0;
    int32_t cdr_start_on_confirmed = 0;
    const char* cdr_facility = nullptr; ///< LOG_DAEMON when not given
    const char* cdr_extra = nullptr;
    int32_t cdr_extra_nullable = 0;
    const char* cdr_start_id = "start_time";
    const char* cdr_end_id = "end_time";
    const char* cdr_duration_id = "duration";
    int32_t cdr_log_enable = 1;
    const char* cdrs_table = "";
    int32_t cdr_on_failed = 1;
    int32_t cdr_extra_size = 64;
};

struct context {
    const siphost_host_api* host = nullptr;
    siphost_module_handle* self = nullptr;
    const siphost_tm_api_v1* tm = nullptr;
    settings params;
    extra_list log_extra;
    extra_list db_extra;
    extra_list cdr_extra;
    const siphost_dialog_api_v1* dialog = nullptr; ///< with cdr_enable
    text_template table_acc;
    text_template table_missed;
    std::vector<int> failed_filter; ///< final codes a failed transaction is not accounted with
    std::unique_ptr<acc_db> db;     ///< null without db_url

    std::mutex resolve_mutex; ///< the pseudo-variables are parsed once, by whoever needs them first
    bool resolved = false;
    std::string resolve_error; ///< why they could not be parsed; nothing is accounted then
};

context& ctx();
void log(int level, std::string_view text);

/// Parses every pseudo-variable of the parameters with the host, once (the host can from the script's
/// compilation on: the first acc fixup, else the first thread that starts). False with the reason, and
/// *first_failure set when this call is the one that failed (a failure is kept: later calls fail at once).
bool resolve_pseudo_variables(std::string& error, bool* first_failure = nullptr);

/// True when flag (a modparam, -1 for none) is set in flags.
inline bool flag_set(uint64_t flags, int32_t flag) {
    return flag >= 0 && flag < 64 && ((flags >> flag) & 1u) != 0;
}

/// One accounting record, with every value captured when its event happened.
struct acc_record {
    std::string_view text; ///< "ACC: transaction answered: ", ...
    int64_t seconds = 0;
    int64_t microseconds = 0;
    std::string method;
    std::string from_tag;
    std::string to_tag;
    std::string call_id;
    std::string code; ///< "200", or empty (acc_log_request without a code)
    std::string reason;
    bool to_log = false;
    bool to_db = false;
    std::string table;
    std::vector<std::optional<std::string>> log_values; ///< log_extra's
    std::vector<std::optional<std::string>> db_values;  ///< db_extra's
};

constexpr std::string_view text_request = "ACC: request accounted: ";
constexpr std::string_view text_missed = "ACC: call missed: ";
constexpr std::string_view text_answered = "ACC: transaction answered: ";

/// A record about msg (a request, or tm's copy of one) stamped now: method, From-tag, Call-ID and the
/// extras of the backends asked for; to_tag, code, reason and table are the caller's to fill.
acc_record make_record(std::string_view text, siphost_msg* msg, bool to_log, bool to_db);
/// Writes the log line. Returns 1.
int write_log(const acc_record& record);
/// Inserts the row into record.table. Returns 1, or -1 (logged).
int write_db(const acc_record& record);
/// Both, as the record asks. Returns 1, or -1 when a write failed.
int emit(const acc_record& record);

/// tm's REQUEST_IN callback (registered at init) and what it registers per transaction.
void on_request_in(const siphost_tm_callback_params* params);
/// Frees what is left of the transactions still alive at shutdown.
void release_transactions();

/// cdr_enable: checks the cdr_* parameters and follows the dialogs (init). Throws sdk::config_error.
void init_cdrs();

} // namespace siphost::modules::acc
