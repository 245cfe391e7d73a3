#pragma once
// One tracked dialog (Kamailio's dlg_cell): what the INVITE, its replies and the in-dialog requests taught.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace siphost::modules::dialog {

/// Kamailio's numbers, as dlg.list and $dlg(state) show them.
enum class dialog_state : int {
    unconfirmed = 1,  ///< the INVITE went out, no reply with a tag yet
    early = 2,        ///< a provisional reply came
    confirmed_na = 3, ///< a 2xx went upstream, the ACK has not come
    confirmed = 4,    ///< the ACK came: the call is up
    deleted = 5       ///< ended (BYE, timeout, failure, dlg.end_dlg)
};

/// One side of the dialog as this proxy sees it.
struct dialog_leg {
    std::string tag;
    std::string contact;                ///< the URI of its Contact
    std::vector<std::string> route_set; ///< Route values towards it, nearest first
    std::string socket;                 ///< the local socket it talks to, "udp:127.0.0.1:5060"
    uint32_t cseq = 0;                  ///< the last CSeq number it sent
};

struct dialog {
    uint32_t h_entry = 0;
    uint32_t h_id = 0;
    std::string call_id;
    std::string from_uri;
    std::string to_uri;
    dialog_state state = dialog_state::unconfirmed;
    int64_t init_ts = 0;          ///< unix seconds: created
    int64_t start_ts = 0;         ///< unix seconds: confirmed by a 2xx
    int64_t end_ts = 0;           ///< unix seconds: ended
    uint32_t lifetime = 0;        ///< seconds a confirmed dialog lives without traffic
    uint64_t expires_ms = 0;      ///< host->now_ms() when it times out; 0 while unconfirmed
    uint64_t created_ms = 0;      ///< host->now_ms() at creation
    uint64_t confirmed_ms = 0;    ///< host->now_ms() at the 2xx
    uint32_t sflags = 0;          ///< script flags: dlg_setflag()
    uint32_t dflags = 0;          ///< dialog_dflag bits
    bool has_transaction = false; ///< the INVITE's transaction follows it (tm callbacks registered)
    bool timeout_noreset = false; ///< in-dialog requests do not push the timeout back
    bool has_did = false;         ///< rr carries its cookie: in dlg_match_mode 0 its requests must show it
    dialog_leg caller;
    dialog_leg callee;
    /// Profile memberships: (profile, value); the value is empty for a profile without values.
    std::vector<std::pair<std::string, std::string>> profiles;
    std::vector<std::pair<std::string, std::string>> variables; ///< $dlg_var(name)
};

/// What siphost records in dflags (Kamailio's own bits are internal to it).
enum dialog_dflag : uint32_t {
    dflag_bye_to_caller = 1u << 0, ///< this proxy sent a BYE to the caller
    dflag_bye_to_callee = 1u << 1, ///< this proxy sent a BYE to the callee
    dflag_spiraled = 1u << 2       ///< the INVITE came back through this proxy (a spiral)
};

} // namespace siphost::modules::dialog
