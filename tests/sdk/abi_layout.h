/* The layout of ABI v1 on LP64 (x86_64, aarch64): an accidental change to a field's place or a struct's size
 * breaks the build here, in C and in C++. Appending a field changes the size check only; update it with the
 * minor version. C99 has no static assertions, hence the array-size trick. */
#ifndef SIPHOST_ABI_LAYOUT_H
#define SIPHOST_ABI_LAYOUT_H
#include <siphost/module.h>

#define ABI_CHECK(name, condition) typedef char abi_check_##name[(condition) ? 1 : -1]

#if UINTPTR_MAX == 0xffffffffffffffffu
ABI_CHECK(str_size, sizeof(siphost_str) == 16);
ABI_CHECK(value_size, sizeof(siphost_value) == 32);
ABI_CHECK(value_num, offsetof(siphost_value, num) == 8);
ABI_CHECK(value_str, offsetof(siphost_value, str) == 16);
ABI_CHECK(addr_size, sizeof(siphost_addr) == 20);
ABI_CHECK(addr_ip, offsetof(siphost_addr, ip) == 4);

ABI_CHECK(command_name, offsetof(siphost_command, name) == 8);
ABI_CHECK(command_arg_count, offsetof(siphost_command, arg_count) == 16);
ABI_CHECK(command_route_types, offsetof(siphost_command, route_types) == 20);
ABI_CHECK(command_arg_kinds, offsetof(siphost_command, arg_kinds) == 24);
ABI_CHECK(command_arg_route_types, offsetof(siphost_command, arg_route_types) == 32);
ABI_CHECK(command_handler, offsetof(siphost_command, handler) == 56);
ABI_CHECK(command_fixup, offsetof(siphost_command, fixup) == 64);
ABI_CHECK(command_doc, offsetof(siphost_command, doc) == 80);
ABI_CHECK(command_size, sizeof(siphost_command) == 120);

ABI_CHECK(param_kinds, offsetof(siphost_param, kinds) == 16);
ABI_CHECK(param_target, offsetof(siphost_param, target) == 24);
ABI_CHECK(param_setter, offsetof(siphost_param, setter) == 32);
ABI_CHECK(param_size, sizeof(siphost_param) == 64);

ABI_CHECK(pv_flags, offsetof(siphost_pv, flags) == 16);
ABI_CHECK(pv_get, offsetof(siphost_pv, get) == 32);
ABI_CHECK(pv_set, offsetof(siphost_pv, set) == 40);
ABI_CHECK(pv_size, sizeof(siphost_pv) == 80);

ABI_CHECK(module_abi_major, offsetof(siphost_module, abi_major) == 8);
ABI_CHECK(module_abi_minor, offsetof(siphost_module, abi_minor) == 12);
ABI_CHECK(module_name, offsetof(siphost_module, name) == 16);
ABI_CHECK(module_commands, offsetof(siphost_module, commands) == 32);
ABI_CHECK(module_init, offsetof(siphost_module, init) == 56);
ABI_CHECK(module_destroy, offsetof(siphost_module, destroy) == 72);
ABI_CHECK(module_size, sizeof(siphost_module) == 144);

/* The host table: the first fields of each group, and its whole size (the same since minor 0: additions
 * take reserved slots). */
ABI_CHECK(host_log, offsetof(siphost_host_api, log) == 16);
ABI_CHECK(host_msg_is_request, offsetof(siphost_host_api, msg_is_request) == 32);
ABI_CHECK(host_msg_add_header, offsetof(siphost_host_api, msg_add_header) == 232);
ABI_CHECK(host_msg_clone, offsetof(siphost_host_api, msg_clone) == 272);
ABI_CHECK(host_resolve, offsetof(siphost_host_api, resolve) == 296);
ABI_CHECK(host_timer_every, offsetof(siphost_host_api, timer_every) == 376);
ABI_CHECK(host_route_lookup, offsetof(siphost_host_api, route_lookup) == 392);
ABI_CHECK(host_avp_list_new, offsetof(siphost_host_api, avp_list_new) == 440);
ABI_CHECK(host_register_request_hook, offsetof(siphost_host_api, register_request_hook) == 496);
ABI_CHECK(host_api_export, offsetof(siphost_host_api, api_export) == 512);
ABI_CHECK(host_counter_register, offsetof(siphost_host_api, counter_register) == 528);
ABI_CHECK(host_worker_count, offsetof(siphost_host_api, worker_count) == 544);
ABI_CHECK(host_msg_set_max_forwards, offsetof(siphost_host_api, msg_set_max_forwards) == 560);
ABI_CHECK(host_msg_append_branch, offsetof(siphost_host_api, msg_append_branch) == 568);
ABI_CHECK(host_msg_branch, offsetof(siphost_host_api, msg_branch) == 576);
ABI_CHECK(host_msg_clear_branches, offsetof(siphost_host_api, msg_clear_branches) == 584);
ABI_CHECK(host_avp_set, offsetof(siphost_host_api, avp_set) == 592);
ABI_CHECK(host_size, sizeof(siphost_host_api) == 688);
#endif

#endif
