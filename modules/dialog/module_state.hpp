#pragma once
// What the dialog module's files share: the host, tm's API, the parameters, the table and the metrics.

#include "dialog.hpp"
#include "dialog_table.hpp"
#include "profile_set.hpp"

#include <siphost/api/dialog.h>
#include <siphost/api/rr.h>
#include <siphost/api/tm.h>
#include <siphost/module.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::dialog {

/// The modparams, with Kamailio's defaults (-1: not given).
struct settings {
    int32_t enable_stats = 1;
    int32_t hash_size = 4096;
    int32_t dlg_flag = -1;
    int32_t default_timeout = 43200;
    int32_t early_timeout = 300;
    int32_t noack_timeout = 60;
    int32_t end_timeout = -1;
    int32_t dlg_match_mode = 0;
    int32_t detect_spirals = 1;
    int32_t db_mode = 0;
    int32_t send_bye = 0;
    const char* timeout_avp = nullptr;
    const char* dlg_extra_hdrs = nullptr;
    const char* db_url = nullptr;
    const char* rr_param = nullptr;
};

struct dialog_metrics {
    siphost_metric* active = nullptr;
    siphost_metric* early = nullptr;
    siphost_metric* processed = nullptr;
    siphost_metric* expired = nullptr;
    siphost_metric* failed = nullptr;
};

struct module_state {
    const siphost_host_api* host = nullptr;
    siphost_module_handle* self = nullptr;
    const siphost_tm_api_v1* tm = nullptr;
    const siphost_rr_api_v1* rr = nullptr; ///< NULL when rr is not loaded before dialog
    settings params;
    profile_set profiles;
    std::unique_ptr<dialog_table> table;
    dialog_metrics metrics;
    int slot = -1;                          ///< the message's current dialog
    siphost_pv_spec* timeout_avp = nullptr; ///< parsed at the first thread_init
};

module_state& state();
void log(int level, std::string_view text);
/// Adds delta to a metric when enable_stats is on.
void count(siphost_metric* metric, int64_t delta);
/// The dialogs of a profile (lock held): with a value, only those added with it (a profile without values
/// ignores the value, as Kamailio does).
std::vector<std::shared_ptr<dialog>> profile_members(std::string_view profile, const std::string_view* value);

// ---- tracking (dialog_tracking.cpp) ----

/// The dialog the message belongs to: the one dlg_manage(), dlg_get() or the in-dialog match set on it, else
/// one matched on its Call-ID and tags (replies, tm's copies in failure_route). NULL when none.
std::shared_ptr<dialog> current(siphost_msg* msg);
/// Reserves the per-message slot of the current dialog (init). Returns it, or -1.
int register_slot();
/// Makes d the message's current dialog.
void set_current(siphost_msg* msg, std::shared_ptr<dialog> d);
/// tm's REQUEST_IN for every transaction: follows the INVITE of a dialog (dlg_manage or dlg_flag).
void on_request_in(const siphost_tm_callback_params* p);
/// Pre-script hook, without rr: matches in-dialog requests to their dialog on Call-ID and tags (the ACK
/// confirms, a BYE ends, others push the timeout back).
int on_request(siphost_msg* msg, void* data);
/// rr's loose_route() callback: the same, by the did cookie of this proxy's Route (dlg_match_mode).
void on_loose_route(siphost_msg* msg, siphost_str route_params, void* data);
/// Once a second: ends dialogs whose time is up.
void on_tick(uint64_t now_ms, void* data);
/// Ends d (lock held): deleted, out of the table, gauges updated. expired counts it as timed out.
void end_dialog(dialog& d, bool expired);
/// Sets d's lifetime and, when it is confirmed, its expiry (lock held).
void set_lifetime(dialog& d, uint32_t seconds);
int cmd_dlg_manage(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_is_known_dlg(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_dlg_isflagset(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_dlg_setflag(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_dlg_resetflag(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_dlg_set_timeout(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_dlg_set_timeout_id(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_dlg_get(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_dlg_set_property(siphost_msg* msg, const siphost_value* args, void* data);
int cmd_dlg_reset_property(siphost_msg* msg, const siphost_value* args, void* data);

// ---- events and the API (dialog_events.cpp) ----

enum class dialog_event { created, confirmed, terminated, failed, expired };
/// Runs the API's callbacks, then the event route (dialog:start, end or failed), on msg with d as its dialog.
/// On the thread handling msg, with no route running on it and without the table's lock.
void notify_now(dialog_event e, const std::shared_ptr<dialog>& d, siphost_msg* msg);
/// The same on a worker: copy (owned from now on; NULL: a local request carrying the dialog's Call-ID, From
/// and To). From any thread, without the table's lock.
void notify_later(dialog_event e, std::shared_ptr<dialog> d, siphost_msg* copy);
/// Frees the events notify_later posted that no worker ran (the server stopped first). At destroy.
void drop_pending_events();
/// The table published as the "dialog" API.
const siphost_dialog_api_v1* api();

// ---- BYE (dialog_bye.cpp) ----

enum bye_side : unsigned { bye_caller = 1u, bye_callee = 2u, bye_both = 3u };
/// Sends BYE to the sides of a confirmed dialog with tm's t_uac and ends it. Call without the lock. Returns
/// the number of BYEs sent, -1 when the dialog is not confirmed (nothing sent).
/// why: what the API's callbacks are told (terminated, or expired for a timeout with send_bye).
int send_byes(const std::shared_ptr<dialog>& d, unsigned sides, std::string_view extra_headers,
              dialog_event why = dialog_event::terminated);
int cmd_dlg_bye(siphost_msg* msg, const siphost_value* args, void* data);

// ---- tables (dialog_pvs.cpp, dialog_rpc.cpp) ----

extern const siphost_pv pvs[];
extern const siphost_rpc_command rpcs[];

} // namespace siphost::modules::dialog
