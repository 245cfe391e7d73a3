/*
 * The "dialog" API, major 1: the dialogs the dialog module tracks, for other modules (Kamailio's
 * load_dlg_api / register_dlgcb): callbacks when a dialog is created, confirmed, ends or fails, the dialog of
 * a message, what a dialog is and its variables ($dlg_var).
 *
 * dialog publishes this table with host->api_export(self, SIPHOST_DIALOG_API_NAME, SIPHOST_DIALOG_API_MAJOR,
 * &table) at its init; a module gets it with host->api_lookup(SIPHOST_DIALOG_API_NAME,
 * SIPHOST_DIALOG_API_MAJOR) at its own init when dialog is loaded before it (declare "dialog" in the
 * descriptor's depends), else at first use.
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; the table begins with
 * struct_size (set by dialog), only grows at its end, and each function is tagged with the minor it appeared
 * in. Check a function of a later minor with SIPHOST_HAS(siphost_dialog_api_v1, dlg, field) before calling
 * it.
 *
 * Threads and locks: callbacks run without any lock of the dialog module held, on a worker thread, with the
 * message the event is about (see the types); they may call every function of this table. CREATED and
 * CONFIRMED run while tm handles the INVITE or its reply (with the transaction's lock held: no tm call for
 * another transaction from there); TERMINATED, EXPIRED and FAILED run where event_route[dialog:end] and
 * event_route[dialog:failed] run, just before them.
 */
#ifndef SIPHOST_API_DIALOG_H
#define SIPHOST_API_DIALOG_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_DIALOG_API_NAME "dialog"
#define SIPHOST_DIALOG_API_MAJOR 1

/* A handle on one dialog (opaque), owned by whoever got it from current() or ref() until unref(). The one a
 * callback is given belongs to the dialog module and is valid during the call. One thread at a time per
 * handle. A handle stays valid after its dialog ended (the dialog is then in state 5). */
typedef struct siphost_dialog siphost_dialog;

/* What a callback is called for; register_callback takes a bitwise OR of these. */
enum siphost_dialog_callback_type {
    /* A dialog was made for an initial INVITE (dlg_manage() or dlg_flag). msg: the INVITE. */
    SIPHOST_DIALOG_CB_CREATED = 1u << 0,
    /* The INVITE got a 2xx (Kamailio's DLGCB_CONFIRMED_NA: the 2xx, not the ACK). msg: the 2xx. */
    SIPHOST_DIALOG_CB_CONFIRMED = 1u << 1,
    /* A confirmed dialog ended by a BYE (msg: the BYE), or from the proxy: dlg_bye(), dlg.end_dlg, a timeout
     * with send_bye (msg: a local request carrying the dialog's Call-ID, From and To). */
    SIPHOST_DIALOG_CB_TERMINATED = 1u << 2,
    /* The INVITE got a final reply of 300 or more, or was not answered in early_timeout. msg: the reply as
     * it went upstream (a local request for early_timeout). */
    SIPHOST_DIALOG_CB_FAILED = 1u << 3,
    /* A confirmed dialog timed out without send_bye. msg: a local request carrying the dialog's Call-ID,
     * From and To. */
    SIPHOST_DIALOG_CB_EXPIRED = 1u << 4
};

typedef struct siphost_dialog_callback_params {
    size_t struct_size; /* sizeof(siphost_dialog_callback_params) as compiled by dialog */
    uint32_t type;      /* the one SIPHOST_DIALOG_CB_* bit this call is for */
    uint32_t reserved32;
    siphost_dialog* dialog; /* the dialog module's handle, valid during the call (ref() to keep one) */
    siphost_msg* msg;       /* see the types; never NULL */
    void* param;            /* what was given to register_callback */
    void* reserved[2];
} siphost_dialog_callback_params;

typedef void (*siphost_dialog_callback_fn)(const siphost_dialog_callback_params* params);

/* What a dialog is: filled by info(). The strings are copies held by the handle, valid until the next info()
 * on it or its unref(). */
typedef struct siphost_dialog_info {
    size_t struct_size; /* set by the caller */
    uint32_t h_entry;   /* with h_id: the dialog's identity, as $dlg(h_entry), dlg.list and dlg.end_dlg */
    uint32_t h_id;
    int32_t state;     /* Kamailio's numbers: 1 unconfirmed, 2 early, 3 confirmed (no ACK), 4 confirmed,
                          5 ended */
    uint32_t lifetime; /* seconds a confirmed dialog lives without traffic */
    int64_t init_ts;   /* unix seconds: created */
    int64_t start_ts;  /* unix seconds: confirmed by a 2xx (0 before) */
    int64_t end_ts;    /* unix seconds: ended (0 before) */
    siphost_str call_id;
    siphost_str from_uri;
    siphost_str to_uri;
    siphost_str from_tag; /* the caller's */
    siphost_str to_tag;   /* the callee's (empty before a reply with a tag) */
} siphost_dialog_info;

typedef struct siphost_dialog_api_v1 {
    size_t struct_size; /* sizeof(siphost_dialog_api_v1) as compiled by dialog */

    /* [1.0] Calls fn for the events in types (enum siphost_dialog_callback_type) of every dialog from then
     * on. Register at init. Returns 0, or -1 (no event in types, fn NULL). */
    int (*register_callback)(uint32_t types, siphost_dialog_callback_fn fn, void* param);

    /* [1.0] A new handle on msg's dialog (as $dlg and is_known_dlg() see it: the one dlg_manage(), dlg_get()
     * or the in-dialog match made current, else the one of its Call-ID and tags), or NULL. */
    siphost_dialog* (*current)(siphost_msg* msg);
    /* [1.0] A new handle on the same dialog. */
    siphost_dialog* (*ref)(siphost_dialog* dialog);
    /* [1.0] Releases a handle from current() or ref(). NULL is fine. */
    void (*unref)(siphost_dialog* dialog);

    /* [1.0] Fills out (out->struct_size set by the caller). Returns 0 or -1. */
    int (*info)(siphost_dialog* dialog, siphost_dialog_info* out);

    /* [1.0] The value of the variable name ($dlg_var(name)) copied into buf (size bytes, NUL-terminated).
     * Returns its length, -1 when it is not set, -2 when buf is too small. */
    int (*get_var)(siphost_dialog* dialog, siphost_str name, char* buf, size_t size);
    /* [1.0] Sets the variable name ($dlg_var(name) = value); value.s NULL unsets it. Returns 0 or -1. */
    int (*set_var)(siphost_dialog* dialog, siphost_str name, siphost_str value);
} siphost_dialog_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_DIALOG_H */
