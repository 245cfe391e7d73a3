/* The layout of ABI v1.0 on LP64 (x86_64, aarch64), pinned: the offset and size of every field of every struct
 * of module.h, the size of every struct, and the value of every enum constant and macro that crosses the ABI.
 * An accidental change breaks the build here, in C99 (abi_layout.c) and in C++20 (abi_layout_test.cpp).
 *
 * The numbers are literals worked out by hand from the C layout rules (8-byte pointers and size_t, each field
 * at the next multiple of its alignment, each struct padded to a multiple of its largest alignment), never
 * computed with offsetof from the header itself. A later minor only appends: it adds lines here for the new
 * fields and changes the size of the struct that grew (or, for a reserved slot it takes, the reserved
 * array's offset and size), and nothing else. C99 has no static assertions, hence the array-size trick. */
#ifndef SIPHOST_ABI_LAYOUT_H
#define SIPHOST_ABI_LAYOUT_H
#include <siphost/module.h>

#ifdef __cplusplus
#define ABI_CHECK(name, condition) static_assert(condition, #name)
#else
#define ABI_CHECK(name, condition) typedef char abi_check_##name[(condition) ? 1 : -1]
#endif

/* The size of a struct, and the place and size of one of its fields. */
#define ABI_SIZE(type, size) ABI_CHECK(type##_size, sizeof(type) == (size))
#define ABI_FIELD(type, field, offset, size)                                                              \
    ABI_CHECK(type##_##field##_offset, offsetof(type, field) == (offset));                                  \
    ABI_CHECK(type##_##field##_size, sizeof(((type *)0)->field) == (size))
/* The value of an enum constant or macro. */
#define ABI_VALUE(name, value) ABI_CHECK(value_of_##name, (name) == (value))

/* ---- versions and layout constants ---- */

ABI_VALUE(SIPHOST_ABI_MAJOR, 1);
ABI_VALUE(SIPHOST_ABI_MINOR, 8);
ABI_VALUE(SIPHOST_REQUIRE_MINOR, 8);
ABI_VALUE(SIPHOST_MAX_ARGS, 6);
ABI_CHECK(entry_symbol_length, sizeof(SIPHOST_ENTRY_SYMBOL) == sizeof("siphost_module_v1"));

/* ---- enum constants and macros (these hold on every platform) ---- */

ABI_VALUE(SIPHOST_LOG_ALERT, -5);
ABI_VALUE(SIPHOST_LOG_BUG, -4);
ABI_VALUE(SIPHOST_LOG_CRIT, -2);
ABI_VALUE(SIPHOST_LOG_ERR, -1);
ABI_VALUE(SIPHOST_LOG_WARN, 0);
ABI_VALUE(SIPHOST_LOG_NOTICE, 1);
ABI_VALUE(SIPHOST_LOG_INFO, 2);
ABI_VALUE(SIPHOST_LOG_DBG, 3);

ABI_VALUE(SIPHOST_ROUTE_REQUEST, 0x1);
ABI_VALUE(SIPHOST_ROUTE_FAILURE, 0x2);
ABI_VALUE(SIPHOST_ROUTE_TM_ONREPLY, 0x4);
ABI_VALUE(SIPHOST_ROUTE_BRANCH, 0x8);
ABI_VALUE(SIPHOST_ROUTE_ONSEND, 0x10);
ABI_VALUE(SIPHOST_ROUTE_ERROR, 0x20);
ABI_VALUE(SIPHOST_ROUTE_LOCAL, 0x40);
ABI_VALUE(SIPHOST_ROUTE_CORE_ONREPLY, 0x80);
ABI_VALUE(SIPHOST_ROUTE_BRANCH_FAILURE, 0x100);
ABI_VALUE(SIPHOST_ROUTE_EVENT, 0x200);
ABI_VALUE(SIPHOST_ROUTE_ANY, 0xffffffffu);
ABI_CHECK(route_any_is_32_bits, sizeof(SIPHOST_ROUTE_ANY) == 4);

ABI_VALUE(SIPHOST_VALUE_NULL, 0);
ABI_VALUE(SIPHOST_VALUE_INT, 1);
ABI_VALUE(SIPHOST_VALUE_STR, 2);

ABI_VALUE(SIPHOST_PROTO_NONE, 0);
ABI_VALUE(SIPHOST_PROTO_UDP, 1);
ABI_VALUE(SIPHOST_PROTO_TCP, 2);
ABI_VALUE(SIPHOST_PROTO_TLS, 3);
ABI_VALUE(SIPHOST_PROTO_SCTP, 4);
ABI_VALUE(SIPHOST_PROTO_WS, 5);
ABI_VALUE(SIPHOST_PROTO_WSS, 6);

ABI_VALUE(SIPHOST_DEST_NO_CONNECT, 0x1);
ABI_VALUE(SIPHOST_DEST_CLOSE, 0x2);

ABI_VALUE(SIPHOST_CONN_NONE, 0);
ABI_VALUE(SIPHOST_CONN_OPEN, 1);
ABI_VALUE(SIPHOST_CONN_CONNECTING, 2);

ABI_VALUE(SIPHOST_ARG_NONE, 0);
ABI_VALUE(SIPHOST_ARG_STRING, 1);
ABI_VALUE(SIPHOST_ARG_INT, 2);
ABI_VALUE(SIPHOST_ARG_ROUTE, 3);
ABI_VALUE(SIPHOST_ARG_PVAR, 4);

ABI_VALUE(SIPHOST_PARAM_INT, 0x1);
ABI_VALUE(SIPHOST_PARAM_STRING, 0x2);

ABI_VALUE(SIPHOST_PV_NAME_NONE, 0);
ABI_VALUE(SIPHOST_PV_NAME_REQUIRED, 0x1);
ABI_VALUE(SIPHOST_PV_NAME_OPTIONAL, 0x2);
ABI_VALUE(SIPHOST_PV_NO_INDEX, -2147483647 - 1);
ABI_VALUE(SIPHOST_PV_ALL_INDEX, 2147483647);

ABI_VALUE(SIPHOST_EVENT_NAMED, 0x1);
ABI_VALUE(SIPHOST_RPC_RETURNS_ARRAY, 0x1);

ABI_VALUE(SIPHOST_THREAD_WORKER, 1);
ABI_VALUE(SIPHOST_THREAD_TIMER, 2);
ABI_VALUE(SIPHOST_THREAD_ASYNC, 3);
ABI_VALUE(SIPHOST_THREAD_CONTROL, 4);

ABI_VALUE(SIPHOST_HDR_BOTTOM, 0);
ABI_VALUE(SIPHOST_HDR_TOP, 1);
ABI_VALUE(SIPHOST_HDR_AFTER, 2);
ABI_VALUE(SIPHOST_HDR_BEFORE, 3);

ABI_VALUE(SIPHOST_HOOK_PRE_SCRIPT, 1);
ABI_VALUE(SIPHOST_HOOK_POST_SCRIPT, 2);
ABI_VALUE(SIPHOST_HOOK_CONTINUE, 0);
ABI_VALUE(SIPHOST_HOOK_CONSUMED, 1);

ABI_VALUE(SIPHOST_ROUTE_RAN, 1);
ABI_VALUE(SIPHOST_ROUTE_EXITED, 0);
ABI_VALUE(SIPHOST_ROUTE_DROPPED, -1);
ABI_VALUE(SIPHOST_ROUTE_NOT_FOUND, -2);
ABI_VALUE(SIPHOST_SEND_DROPPED, 1);

ABI_VALUE(SIPHOST_LIMIT_BRANCHES, 1);
ABI_VALUE(SIPHOST_LIMIT_MESSAGE_SIZE, 2);

ABI_VALUE(SIPHOST_BRANCH_Q_SET, 0x1);

ABI_VALUE(SIPHOST_URI_OTHER, 0);
ABI_VALUE(SIPHOST_URI_SIP, 1);
ABI_VALUE(SIPHOST_URI_SIPS, 2);
ABI_VALUE(SIPHOST_URI_TEL, 3);

ABI_VALUE(SIPHOST_CONTACTS_MALFORMED, -1);
ABI_VALUE(SIPHOST_CONTACTS_LIST, 0);
ABI_VALUE(SIPHOST_CONTACTS_STAR, 1);

ABI_VALUE(SIPHOST_TIMER_SLOW, 0x1);
ABI_VALUE(SIPHOST_FD_READ, 0x1);
ABI_VALUE(SIPHOST_FD_WRITE, 0x2);

ABI_VALUE(SIPHOST_METRIC_COUNTER, 1);
ABI_VALUE(SIPHOST_METRIC_GAUGE, 2);

/* ---- struct layouts: LP64 only ---- */

#if UINTPTR_MAX == 0xffffffffffffffffu && SIZE_MAX == 0xffffffffffffffffu

/* Basic types */

ABI_FIELD(siphost_str, s, 0, 8);
ABI_FIELD(siphost_str, len, 8, 8);
ABI_SIZE(siphost_str, 16);

ABI_FIELD(siphost_value, kind, 0, 4);
ABI_FIELD(siphost_value, reserved, 4, 4);
ABI_FIELD(siphost_value, num, 8, 8);
ABI_FIELD(siphost_value, str, 16, 16);
ABI_SIZE(siphost_value, 32);

ABI_FIELD(siphost_dest, struct_size, 0, 8);
ABI_FIELD(siphost_dest, proto, 8, 1);
ABI_FIELD(siphost_dest, family, 9, 1);
ABI_FIELD(siphost_dest, port, 10, 2);
ABI_FIELD(siphost_dest, ip, 12, 16);
ABI_FIELD(siphost_dest, flags, 28, 4);
ABI_FIELD(siphost_dest, conn_id, 32, 8);
ABI_FIELD(siphost_dest, socket, 40, 8);
ABI_FIELD(siphost_dest, reserved, 48, 16);
ABI_SIZE(siphost_dest, 64);

ABI_FIELD(siphost_socket_info, struct_size, 0, 8);
ABI_FIELD(siphost_socket_info, host, 8, 16);
ABI_FIELD(siphost_socket_info, port, 24, 2);
ABI_FIELD(siphost_socket_info, proto, 26, 1);
ABI_FIELD(siphost_socket_info, family, 27, 1);
ABI_FIELD(siphost_socket_info, index, 28, 4);
ABI_FIELD(siphost_socket_info, name, 32, 16);
ABI_FIELD(siphost_socket_info, reserved, 48, 16);
ABI_SIZE(siphost_socket_info, 64);

/* What a module declares */

ABI_FIELD(siphost_command, struct_size, 0, 8);
ABI_FIELD(siphost_command, name, 8, 8);
ABI_FIELD(siphost_command, arg_count, 16, 4);
ABI_FIELD(siphost_command, route_types, 20, 4);
ABI_FIELD(siphost_command, arg_kinds, 24, 6);
ABI_FIELD(siphost_command, reserved_kinds, 30, 2);
ABI_FIELD(siphost_command, arg_route_types, 32, 24);
ABI_FIELD(siphost_command, handler, 56, 8);
ABI_FIELD(siphost_command, fixup, 64, 8);
ABI_FIELD(siphost_command, fixup_free, 72, 8);
ABI_FIELD(siphost_command, doc, 80, 8);
ABI_FIELD(siphost_command, reserved, 88, 32);
ABI_SIZE(siphost_command, 120);

ABI_FIELD(siphost_param, struct_size, 0, 8);
ABI_FIELD(siphost_param, name, 8, 8);
ABI_FIELD(siphost_param, kinds, 16, 4);
ABI_FIELD(siphost_param, reserved_flags, 20, 4);
ABI_FIELD(siphost_param, target, 24, 8);
ABI_FIELD(siphost_param, setter, 32, 8);
ABI_FIELD(siphost_param, doc, 40, 8);
ABI_FIELD(siphost_param, reserved, 48, 16);
ABI_SIZE(siphost_param, 64);

ABI_FIELD(siphost_pv, struct_size, 0, 8);
ABI_FIELD(siphost_pv, name, 8, 8);
ABI_FIELD(siphost_pv, flags, 16, 4);
ABI_FIELD(siphost_pv, reserved_flags, 20, 4);
ABI_FIELD(siphost_pv, parse_name, 24, 8);
ABI_FIELD(siphost_pv, get, 32, 8);
ABI_FIELD(siphost_pv, set, 40, 8);
ABI_FIELD(siphost_pv, free_data, 48, 8);
ABI_FIELD(siphost_pv, doc, 56, 8);
ABI_FIELD(siphost_pv, reserved, 64, 16);
ABI_SIZE(siphost_pv, 80);

ABI_FIELD(siphost_event, struct_size, 0, 8);
ABI_FIELD(siphost_event, name, 8, 8);
ABI_FIELD(siphost_event, route_type, 16, 4);
ABI_FIELD(siphost_event, flags, 20, 4);
ABI_FIELD(siphost_event, doc, 24, 8);
ABI_FIELD(siphost_event, reserved, 32, 16);
ABI_SIZE(siphost_event, 48);

ABI_FIELD(siphost_rpc_command, struct_size, 0, 8);
ABI_FIELD(siphost_rpc_command, name, 8, 8);
ABI_FIELD(siphost_rpc_command, handler, 16, 8);
ABI_FIELD(siphost_rpc_command, doc, 24, 8);
ABI_FIELD(siphost_rpc_command, signature, 32, 8);
ABI_FIELD(siphost_rpc_command, flags, 40, 4);
ABI_FIELD(siphost_rpc_command, reserved_flags, 44, 4);
ABI_FIELD(siphost_rpc_command, reserved, 48, 16);
ABI_SIZE(siphost_rpc_command, 64);

ABI_FIELD(siphost_module, struct_size, 0, 8);
ABI_FIELD(siphost_module, abi_major, 8, 4);
ABI_FIELD(siphost_module, abi_minor, 12, 4);
ABI_FIELD(siphost_module, name, 16, 8);
ABI_FIELD(siphost_module, version, 24, 8);
ABI_FIELD(siphost_module, commands, 32, 8);
ABI_FIELD(siphost_module, params, 40, 8);
ABI_FIELD(siphost_module, pvs, 48, 8);
ABI_FIELD(siphost_module, events, 56, 8);
ABI_FIELD(siphost_module, rpcs, 64, 8);
ABI_FIELD(siphost_module, depends, 72, 8);
ABI_FIELD(siphost_module, init, 80, 8);
ABI_FIELD(siphost_module, thread_init, 88, 8);
ABI_FIELD(siphost_module, on_reload, 96, 8);
ABI_FIELD(siphost_module, destroy, 104, 8);
ABI_FIELD(siphost_module, reserved, 112, 48);
ABI_SIZE(siphost_module, 160);

/* What the host provides: every field of the host table */

ABI_FIELD(siphost_host_api, struct_size, 0, 8);
ABI_FIELD(siphost_host_api, abi_major, 8, 4);
ABI_FIELD(siphost_host_api, abi_minor, 12, 4);
/* logging */
ABI_FIELD(siphost_host_api, log, 16, 8);
ABI_FIELD(siphost_host_api, log_enabled, 24, 8);
/* message access */
ABI_FIELD(siphost_host_api, msg_is_request, 32, 8);
ABI_FIELD(siphost_host_api, msg_method, 40, 8);
ABI_FIELD(siphost_host_api, msg_status, 48, 8);
ABI_FIELD(siphost_host_api, msg_reason, 56, 8);
ABI_FIELD(siphost_host_api, msg_ruri, 64, 8);
ABI_FIELD(siphost_host_api, msg_original_ruri, 72, 8);
ABI_FIELD(siphost_host_api, msg_dst_uri, 80, 8);
ABI_FIELD(siphost_host_api, msg_header, 88, 8);
ABI_FIELD(siphost_host_api, msg_header_at, 96, 8);
ABI_FIELD(siphost_host_api, msg_body, 104, 8);
ABI_FIELD(siphost_host_api, msg_call_id, 112, 8);
ABI_FIELD(siphost_host_api, msg_cseq, 120, 8);
ABI_FIELD(siphost_host_api, msg_from_uri, 128, 8);
ABI_FIELD(siphost_host_api, msg_from_tag, 136, 8);
ABI_FIELD(siphost_host_api, msg_to_uri, 144, 8);
ABI_FIELD(siphost_host_api, msg_to_tag, 152, 8);
ABI_FIELD(siphost_host_api, msg_via_branch, 160, 8);
ABI_FIELD(siphost_host_api, msg_via_sent_by, 168, 8);
ABI_FIELD(siphost_host_api, msg_via_count, 176, 8);
ABI_FIELD(siphost_host_api, msg_source, 184, 8);
ABI_FIELD(siphost_host_api, msg_destination, 192, 8);
ABI_FIELD(siphost_host_api, msg_socket, 200, 8);
ABI_FIELD(siphost_host_api, msg_raw, 208, 8);
ABI_FIELD(siphost_host_api, msg_flags, 216, 8);
ABI_FIELD(siphost_host_api, msg_set_flags, 224, 8);
/* message changes */
ABI_FIELD(siphost_host_api, msg_add_header, 232, 8);
ABI_FIELD(siphost_host_api, msg_remove_header, 240, 8);
ABI_FIELD(siphost_host_api, msg_replace, 248, 8);
ABI_FIELD(siphost_host_api, msg_set_ruri, 256, 8);
ABI_FIELD(siphost_host_api, msg_set_dst_uri, 264, 8);
ABI_FIELD(siphost_host_api, msg_set_max_forwards, 272, 8);
/* messages owned by a module */
ABI_FIELD(siphost_host_api, msg_clone, 280, 8);
ABI_FIELD(siphost_host_api, msg_parse, 288, 8);
ABI_FIELD(siphost_host_api, msg_free, 296, 8);
/* building and sending */
ABI_FIELD(siphost_host_api, resolve, 304, 8);
ABI_FIELD(siphost_host_api, msg_next_hop, 312, 8);
ABI_FIELD(siphost_host_api, build_request, 320, 8);
ABI_FIELD(siphost_host_api, build_relayed_reply, 328, 8);
ABI_FIELD(siphost_host_api, build_reply, 336, 8);
ABI_FIELD(siphost_host_api, reply_destination, 344, 8);
ABI_FIELD(siphost_host_api, send, 352, 8);
ABI_FIELD(siphost_host_api, send_stateless_reply, 360, 8);
ABI_FIELD(siphost_host_api, socket_info, 368, 8);
ABI_FIELD(siphost_host_api, is_myself, 376, 8);
/* the script */
ABI_FIELD(siphost_host_api, route_lookup, 384, 8);
ABI_FIELD(siphost_host_api, route_run, 392, 8);
ABI_FIELD(siphost_host_api, pv_parse, 400, 8);
ABI_FIELD(siphost_host_api, pv_get, 408, 8);
ABI_FIELD(siphost_host_api, pv_set, 416, 8);
ABI_FIELD(siphost_host_api, pv_free, 424, 8);
/* AVPs */
ABI_FIELD(siphost_host_api, avp_list_new, 432, 8);
ABI_FIELD(siphost_host_api, avp_list_free, 440, 8);
ABI_FIELD(siphost_host_api, msg_swap_avps, 448, 8);
ABI_FIELD(siphost_host_api, msg_avps, 456, 8);
ABI_FIELD(siphost_host_api, avp_get, 464, 8);
ABI_FIELD(siphost_host_api, avp_add, 472, 8);
ABI_FIELD(siphost_host_api, avp_set, 480, 8);
ABI_FIELD(siphost_host_api, avp_delete, 488, 8);
/* hooks */
ABI_FIELD(siphost_host_api, register_request_hook, 496, 8);
ABI_FIELD(siphost_host_api, register_reply_hook, 504, 8);
/* APIs between modules */
ABI_FIELD(siphost_host_api, api_export, 512, 8);
ABI_FIELD(siphost_host_api, api_lookup, 520, 8);
/* the process */
ABI_FIELD(siphost_host_api, worker_count, 528, 8);
ABI_FIELD(siphost_host_api, worker_index, 536, 8);
ABI_FIELD(siphost_host_api, limit, 544, 8);
ABI_FIELD(siphost_host_api, now_ms, 552, 8);
/* capabilities */
ABI_FIELD(siphost_host_api, msgctx, 560, 8);
ABI_FIELD(siphost_host_api, sip, 568, 8);
ABI_FIELD(siphost_host_api, async, 576, 8);
ABI_FIELD(siphost_host_api, metrics, 584, 8);
ABI_FIELD(siphost_host_api, rpc, 592, 8);
ABI_FIELD(siphost_host_api, events, 600, 8);
ABI_FIELD(siphost_host_api, core_setting_at, 608, 8);
ABI_FIELD(siphost_host_api, core_setting_get, 616, 8);
ABI_FIELD(siphost_host_api, core_setting_set, 624, 8);
ABI_FIELD(siphost_host_api, metric_walk, 632, 8);
ABI_FIELD(siphost_host_api, msg_send_socket, 640, 8);
ABI_FIELD(siphost_host_api, conn_state, 648, 8);
ABI_FIELD(siphost_host_api, conn_find, 656, 8);
ABI_FIELD(siphost_host_api, conn_set_lifetime, 664, 8);
ABI_FIELD(siphost_host_api, conn_set_keepalive, 672, 8);
ABI_FIELD(siphost_host_api, conn_close, 680, 8);
ABI_FIELD(siphost_host_api, socket_find, 688, 8);
ABI_FIELD(siphost_host_api, msg_set_send_socket, 696, 8);
ABI_FIELD(siphost_host_api, send_request, 704, 8);
ABI_FIELD(siphost_host_api, reserved, 712, 24);
ABI_SIZE(siphost_host_api, 736);

/* Message context */

ABI_FIELD(siphost_branch, struct_size, 0, 8);
ABI_FIELD(siphost_branch, uri, 8, 16);
ABI_FIELD(siphost_branch, dst_uri, 24, 16);
ABI_FIELD(siphost_branch, path, 40, 16);
ABI_FIELD(siphost_branch, instance, 56, 16);
ABI_FIELD(siphost_branch, ruid, 72, 16);
ABI_FIELD(siphost_branch, q, 88, 4);
ABI_FIELD(siphost_branch, info, 92, 4);
ABI_FIELD(siphost_branch, flags, 96, 8);
ABI_FIELD(siphost_branch, socket, 104, 8);
ABI_FIELD(siphost_branch, reg_id, 112, 4);
ABI_FIELD(siphost_branch, reserved32, 116, 4);
ABI_FIELD(siphost_branch, reserved, 120, 16);
ABI_SIZE(siphost_branch, 136);

ABI_FIELD(siphost_msgctx_api, struct_size, 0, 8);
ABI_FIELD(siphost_msgctx_api, msg_id, 8, 8);
ABI_FIELD(siphost_msgctx_api, slot_register, 16, 8);
ABI_FIELD(siphost_msgctx_api, slot_get, 24, 8);
ABI_FIELD(siphost_msgctx_api, slot_set, 32, 8);
ABI_FIELD(siphost_msgctx_api, route_type, 40, 8);
ABI_FIELD(siphost_msgctx_api, set_error, 48, 8);
ABI_FIELD(siphost_msgctx_api, last_error, 56, 8);
ABI_FIELD(siphost_msgctx_api, add_reply_header, 64, 8);
ABI_FIELD(siphost_msgctx_api, reply_headers, 72, 8);
ABI_FIELD(siphost_msgctx_api, append_branch, 80, 8);
ABI_FIELD(siphost_msgctx_api, branch_at, 88, 8);
ABI_FIELD(siphost_msgctx_api, branch_count, 96, 8);
ABI_FIELD(siphost_msgctx_api, clear_branches, 104, 8);
ABI_FIELD(siphost_msgctx_api, branch_flags, 112, 8);
ABI_FIELD(siphost_msgctx_api, set_branch_flags, 120, 8);
ABI_FIELD(siphost_msgctx_api, apply_changes, 128, 8);
ABI_FIELD(siphost_msgctx_api, send_flags, 136, 8);
ABI_FIELD(siphost_msgctx_api, set_ruri_branch, 144, 8);
ABI_FIELD(siphost_msgctx_api, ruri_branch, 152, 8);
ABI_SIZE(siphost_msgctx_api, 160);

/* The SIP toolkit */

ABI_FIELD(siphost_uri, struct_size, 0, 8);
ABI_FIELD(siphost_uri, scheme, 8, 4);
ABI_FIELD(siphost_uri, port, 12, 2);
ABI_FIELD(siphost_uri, reserved16, 14, 2);
ABI_FIELD(siphost_uri, scheme_text, 16, 16);
ABI_FIELD(siphost_uri, user, 32, 16);
ABI_FIELD(siphost_uri, password, 48, 16);
ABI_FIELD(siphost_uri, host, 64, 16);
ABI_FIELD(siphost_uri, port_text, 80, 16);
ABI_FIELD(siphost_uri, params, 96, 16);
ABI_FIELD(siphost_uri, headers, 112, 16);
ABI_FIELD(siphost_uri, transport, 128, 16);
ABI_FIELD(siphost_uri, reserved, 144, 16);
ABI_SIZE(siphost_uri, 160);

ABI_FIELD(siphost_name_addr, struct_size, 0, 8);
ABI_FIELD(siphost_name_addr, display, 8, 16);
ABI_FIELD(siphost_name_addr, uri, 24, 16);
ABI_FIELD(siphost_name_addr, params, 40, 16);
ABI_FIELD(siphost_name_addr, reserved, 56, 16);
ABI_SIZE(siphost_name_addr, 72);

ABI_FIELD(siphost_contact, struct_size, 0, 8);
ABI_FIELD(siphost_contact, display, 8, 16);
ABI_FIELD(siphost_contact, uri, 24, 16);
ABI_FIELD(siphost_contact, params, 40, 16);
ABI_FIELD(siphost_contact, expires, 56, 8);
ABI_FIELD(siphost_contact, q, 64, 4);
ABI_FIELD(siphost_contact, reg_id, 68, 4);
ABI_FIELD(siphost_contact, instance, 72, 16);
ABI_FIELD(siphost_contact, reserved, 88, 16);
ABI_SIZE(siphost_contact, 104);

ABI_FIELD(siphost_credentials, struct_size, 0, 8);
ABI_FIELD(siphost_credentials, scheme, 8, 16);
ABI_FIELD(siphost_credentials, username, 24, 16);
ABI_FIELD(siphost_credentials, realm, 40, 16);
ABI_FIELD(siphost_credentials, nonce, 56, 16);
ABI_FIELD(siphost_credentials, uri, 72, 16);
ABI_FIELD(siphost_credentials, response, 88, 16);
ABI_FIELD(siphost_credentials, algorithm, 104, 16);
ABI_FIELD(siphost_credentials, cnonce, 120, 16);
ABI_FIELD(siphost_credentials, opaque, 136, 16);
ABI_FIELD(siphost_credentials, qop, 152, 16);
ABI_FIELD(siphost_credentials, nc, 168, 16);
ABI_FIELD(siphost_credentials, reserved, 184, 16);
ABI_SIZE(siphost_credentials, 200);

ABI_FIELD(siphost_sip_api, struct_size, 0, 8);
ABI_FIELD(siphost_sip_api, parse_uri, 8, 8);
ABI_FIELD(siphost_sip_api, parse_name_addr, 16, 8);
ABI_FIELD(siphost_sip_api, param, 24, 8);
ABI_FIELD(siphost_sip_api, parse_contacts, 32, 8);
ABI_FIELD(siphost_sip_api, parse_credentials, 40, 8);
ABI_SIZE(siphost_sip_api, 48);

/* Async */

ABI_FIELD(siphost_async_api, struct_size, 0, 8);
ABI_FIELD(siphost_async_api, every, 8, 8);
ABI_FIELD(siphost_async_api, timer_start, 16, 8);
ABI_FIELD(siphost_async_api, timer_cancel, 24, 8);
ABI_FIELD(siphost_async_api, post, 32, 8);
ABI_FIELD(siphost_async_api, fd_watch, 40, 8);
ABI_FIELD(siphost_async_api, fd_unwatch, 48, 8);
ABI_FIELD(siphost_async_api, every_idle, 56, 8);
ABI_SIZE(siphost_async_api, 64);

/* Metrics */

ABI_FIELD(siphost_metric_desc, struct_size, 0, 8);
ABI_FIELD(siphost_metric_desc, name, 8, 8);
ABI_FIELD(siphost_metric_desc, kind, 16, 4);
ABI_FIELD(siphost_metric_desc, reserved_flags, 20, 4);
ABI_FIELD(siphost_metric_desc, help, 24, 8);
ABI_FIELD(siphost_metric_desc, labels, 32, 8);
ABI_FIELD(siphost_metric_desc, read, 40, 8);
ABI_FIELD(siphost_metric_desc, read_data, 48, 8);
ABI_FIELD(siphost_metric_desc, reserved, 56, 16);
ABI_SIZE(siphost_metric_desc, 72);

ABI_FIELD(siphost_metrics_api, struct_size, 0, 8);
ABI_FIELD(siphost_metrics_api, metric_register, 8, 8);
ABI_FIELD(siphost_metrics_api, metric_labels, 16, 8);
ABI_FIELD(siphost_metrics_api, metric_add, 24, 8);
ABI_FIELD(siphost_metrics_api, metric_set, 32, 8);
ABI_FIELD(siphost_metrics_api, metric_value, 40, 8);
ABI_SIZE(siphost_metrics_api, 48);

ABI_FIELD(siphost_metric_info, struct_size, 0, 8);
ABI_FIELD(siphost_metric_info, group, 8, 16);
ABI_FIELD(siphost_metric_info, name, 24, 16);
ABI_FIELD(siphost_metric_info, kind, 40, 4);
ABI_FIELD(siphost_metric_info, label_count, 44, 4);
ABI_FIELD(siphost_metric_info, help, 48, 16);
ABI_FIELD(siphost_metric_info, label_names, 64, 8);
ABI_FIELD(siphost_metric_info, label_values, 72, 8);
ABI_FIELD(siphost_metric_info, value, 80, 8);
ABI_FIELD(siphost_metric_info, reserved, 88, 16);
ABI_SIZE(siphost_metric_info, 104);

/* RPC */

ABI_FIELD(siphost_rpc_api, struct_size, 0, 8);
ABI_FIELD(siphost_rpc_api, param_count, 8, 8);
ABI_FIELD(siphost_rpc_api, param, 16, 8);
ABI_FIELD(siphost_rpc_api, result, 24, 8);
ABI_FIELD(siphost_rpc_api, add_int, 32, 8);
ABI_FIELD(siphost_rpc_api, add_str, 40, 8);
ABI_FIELD(siphost_rpc_api, add_double, 48, 8);
ABI_FIELD(siphost_rpc_api, add_struct, 56, 8);
ABI_FIELD(siphost_rpc_api, add_array, 64, 8);
ABI_FIELD(siphost_rpc_api, fault, 72, 8);
ABI_FIELD(siphost_rpc_api, call_new, 80, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, call_add_int, 88, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, call_add_str, 96, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, call_add_double, 104, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, call_run, 112, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, call_fault, 120, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, call_reply, 128, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, call_free, 136, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, node_kind, 144, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, node_size, 152, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, node_member, 160, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, command_at, 168, 8); /* 1.1 */
ABI_FIELD(siphost_rpc_api, command_find, 176, 8); /* 1.1 */
ABI_SIZE(siphost_rpc_api, 184);

/* 1.1: walking a reply */
ABI_VALUE(SIPHOST_RPC_NODE_LIST, 0);
ABI_VALUE(SIPHOST_RPC_NODE_STRUCT, 1);
ABI_VALUE(SIPHOST_RPC_NODE_ARRAY, 2);
ABI_VALUE(SIPHOST_RPC_MEMBER_INT, 1);
ABI_VALUE(SIPHOST_RPC_MEMBER_DOUBLE, 2);
ABI_VALUE(SIPHOST_RPC_MEMBER_STR, 3);
ABI_VALUE(SIPHOST_RPC_MEMBER_NODE, 4);
ABI_FIELD(siphost_rpc_member, struct_size, 0, 8);
ABI_FIELD(siphost_rpc_member, kind, 8, 4);
ABI_FIELD(siphost_rpc_member, reserved, 12, 4);
ABI_FIELD(siphost_rpc_member, key, 16, 16);
ABI_FIELD(siphost_rpc_member, num, 32, 8);
ABI_FIELD(siphost_rpc_member, real, 40, 8);
ABI_FIELD(siphost_rpc_member, str, 48, 16);
ABI_FIELD(siphost_rpc_member, node, 64, 8);
ABI_SIZE(siphost_rpc_member, 72);

/* Events */

ABI_FIELD(siphost_events_api, struct_size, 0, 8);
ABI_FIELD(siphost_events_api, lookup, 8, 8);
ABI_FIELD(siphost_events_api, run, 16, 8);
ABI_SIZE(siphost_events_api, 24);

#endif /* LP64 */

#endif
