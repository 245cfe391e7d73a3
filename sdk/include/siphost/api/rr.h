/*
 * The "rr" API, major 1: record routing for other modules (Kamailio's load_rr_api: add_rr_param and
 * register_rrcb), what the dialog module uses to put its cookie into Record-Route and to see in-dialog
 * requests when loose_route() takes this proxy's Route.
 *
 * rr publishes this table with host->api_export(self, SIPHOST_RR_API_NAME, SIPHOST_RR_API_MAJOR, &table) at
 * its init; a module gets it with host->api_lookup(SIPHOST_RR_API_NAME, SIPHOST_RR_API_MAJOR) at its own
 * init when rr is loaded before it.
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; the table begins with
 * struct_size (set by rr), only grows at its end, and each function is tagged with the minor it appeared in.
 * Check a function of a later minor with SIPHOST_HAS(siphost_rr_api_v1, rr, field) before calling it.
 */
#ifndef SIPHOST_API_RR_H
#define SIPHOST_API_RR_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_RR_API_NAME "rr"
#define SIPHOST_RR_API_MAJOR 1

/* Called by loose_route() on a request that carries a Route naming this proxy, after loose_route() did its
 * work: route_params are that Route URI's parameters without the first ';' ("lr;ftag=x;did=1a.2"), valid
 * during the call; param is what was given to register_callback. Worker thread of msg, in the script. */
typedef void (*siphost_rr_callback_fn)(siphost_msg *msg, siphost_str route_params, void *param);

typedef struct siphost_rr_api_v1 {
    size_t struct_size; /* sizeof(siphost_rr_api_v1) as compiled by rr */

    /* [1.0] As the script's add_rr_param(): params (";name=value", the ';' added when missing) go into the
     * Record-Route that record_route() writes, or into this proxy's Record-Route when record_route() ran
     * already. Returns 1, or -1 (no per-message state, or this proxy's Record-Route is not on top). Worker
     * thread of msg, from request, branch and failure routes. */
    int (*add_rr_param)(siphost_msg *msg, siphost_str params);

    /* [1.0] Calls fn(msg, route_params, param) from every loose_route() that finds this proxy's Route, in the
     * order of registration. Register during init (at most 16). Returns 0 or -1. */
    int (*register_callback)(siphost_rr_callback_fn fn, void *param);
} siphost_rr_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_RR_H */
