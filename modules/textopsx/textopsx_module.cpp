// textopsx: textops' extensions (Kamailio 5.6's textopsx module).
//
//   msg_apply_changes()                 rebuilds the message from its recorded changes (ABI 1.2)
//   change_reply_status(code, reason)   a new status line for the reply being relayed
//   change_reply_status_code(code)      a new status code, the reason phrase kept
//   remove_body()                       drops the body (Content-Length follows)
//   keep_hf([regexp])                   removes the headers whose names do not match (the routing ones stay)
//   fnmatch(value, expr[, "i"])         shell-style pattern match
//   append_hf_value, insert_hf_value, remove_hf_value, remove_hf_value2, assign_hf_value, assign_hf_value2,
//   include_hf_value, exclude_hf_value, hf_value_exists    header values and their parameters
//   hf_iterator_*, bl_iterator_*, $hfitname, $hfitbody, $blitval    cursors over header and body lines
//
// Header arguments and regular expressions are checked when the config is read: a bad one is a config error.
#include "header_table.hpp"
#include "hf_spec.hpp"
#include "hf_value_editor.hpp"
#include "message_iterators.hpp"
#include "module_context.hpp"
#include "name_pattern.hpp"

#include <siphost/module.hpp>

#include <fnmatch.h>

#include <memory>
#include <string>
#include <string_view>

namespace siphost::modules::textopsx {
namespace {

const char module_name[] = "textopsx";

bool host_can_apply_changes() {
    return SIPHOST_HAS(siphost_msgctx_api, host()->msgctx, apply_changes);
}

// ---- msg_apply_changes ----

std::unique_ptr<int> fix_apply_changes(const siphost_value*, const int*) {
    if (!host_can_apply_changes())
        throw sdk::config_error("msg_apply_changes needs a host with ABI 1.2 (msgctx->apply_changes); this "
                                "one has " +
                                std::to_string(host()->abi_major) + "." + std::to_string(host()->abi_minor));
    return nullptr;
}

/// Applies msg's recorded changes; false (logged) when the host cannot or the result does not parse.
bool apply_changes(siphost_msg* msg, std::string_view who) {
    if (!host_can_apply_changes()) {
        log_error(std::string(who) + ": the host cannot apply changes (ABI 1.2 needed)");
        return false;
    }
    const char* bytes_before = raw_of(msg).data();
    char err[256] = {0};
    if (host()->msgctx->apply_changes(msg, err, sizeof err) != 0) {
        err[sizeof err - 1] = '\0';
        log_error(std::string(who) + ": the changed message was not applied: " +
                  (err[0] != '\0' ? std::string(err) : std::string("no reason given")));
        return false;
    }
    // A rebuilt message lives in new bytes (the old ones are still allocated while the new are made).
    message_iterators* iterators = message_iterators::of(msg, false);
    if (iterators != nullptr && raw_of(msg).data() != bytes_before)
        iterators->rebuilt();
    return true;
}

int cmd_msg_apply_changes(siphost_msg* msg, const siphost_value*, void*) {
    return apply_changes(msg, "msg_apply_changes") ? 1 : -1;
}

// ---- reply status ----

/// The checks Kamailio makes: a code of 100..699, and no change of class to or from 1xx and 2xx.
bool status_change_allowed(siphost_msg* msg, int64_t code) {
    if (host()->msg_is_request(msg)) {
        log_error("change_reply_status: the message is a request, not a reply");
        return false;
    }
    if (code < 100 || code > 699) {
        log_error("wrong status code: " + std::to_string(code));
        return false;
    }
    int old = host()->msg_status(msg);
    if ((code < 300 || old < 300) && code / 100 != old / 100) {
        log_error("the class of provisional or positive final replies cannot be changed (" +
                  std::to_string(old) + " to " + std::to_string(code) + ")");
        return false;
    }
    return true;
}

/// Rewrites the status line's code (and its reason phrase, when given) in place.
int change_status(siphost_msg* msg, int64_t code, const std::string_view* reason) {
    if (!status_change_allowed(msg, code))
        return -1;
    if (reason != nullptr && reason->find_first_of("\r\n") != std::string_view::npos) {
        log_error("invalid reason parameter: it holds a line break");
        return -1;
    }
    std::string_view raw = raw_of(msg);
    size_t code_at = raw.find(' ');
    if (code_at == std::string_view::npos || code_at + 4 > raw.size()) {
        log_error("change_reply_status: the reply has no status line");
        return -1;
    }
    ++code_at;
    size_t line_end = raw.find_first_of("\r\n", code_at);
    if (line_end == std::string_view::npos)
        line_end = raw.size();
    std::string text = std::to_string(code);
    size_t replaced = 3;
    if (reason != nullptr) {
        text.append(" ").append(*reason);
        replaced = line_end - code_at;
    }
    if (host()->msg_replace(msg, code_at, replaced, sdk::str(text)) != 0) {
        log_error("change_reply_status: the host refused the new status line (it was changed already)");
        return -1;
    }
    // In the core reply route, tm and the script read the reply after this: rebuilt, it says the new code
    // to them too, as Kamailio's parsed reply does.
    if (host()->msgctx->route_type(msg) == SIPHOST_ROUTE_CORE_ONREPLY && host_can_apply_changes())
        apply_changes(msg, "change_reply_status");
    return 1;
}

std::unique_ptr<int> fix_status(const siphost_value* args, const int* constant) {
    int64_t code = 0;
    if (constant[0] && sdk::arg_int(args[0], code) && (code < 100 || code > 699))
        throw sdk::config_error("the status code must be 100 .. 699, not " + std::to_string(code));
    return nullptr;
}

std::unique_ptr<int> fix_status_and_reason(const siphost_value* args, const int* constant) {
    if (constant[1] && sdk::arg_view(args[1]).find_first_of("\r\n") != std::string_view::npos)
        throw sdk::config_error("the reason phrase must not hold a line break");
    return fix_status(args, constant);
}

int cmd_change_reply_status(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t code = 0;
    if (!sdk::arg_int(args[0], code))
        return -1;
    std::string_view reason = sdk::arg_view(args[1]);
    return change_status(msg, code, &reason);
}

int cmd_change_reply_status_code(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t code = 0;
    if (!sdk::arg_int(args[0], code))
        return -1;
    return change_status(msg, code, nullptr);
}

// ---- body ----

int cmd_remove_body(siphost_msg* msg, const siphost_value*, void*) {
    siphost_str body = host()->msg_body(msg);
    size_t at = 0;
    if (body.len == 0 || !offset_in(raw_of(msg), body, at))
        return -1;
    if (host()->msg_replace(msg, at, body.len, {"", 0}) != 0) {
        log_error("remove_body: the host refused (the body was changed already)");
        return -1;
    }
    return 1;
}

// ---- keep_hf ----

/// The headers keep_hf never removes (full and compact names).
bool always_kept(std::string_view name) {
    static constexpr std::string_view kept[] = {"Via",
                                                "v",
                                                "From",
                                                "f",
                                                "To",
                                                "t",
                                                "Call-ID",
                                                "i",
                                                "CSeq",
                                                "Content-Type",
                                                "c",
                                                "Content-Length",
                                                "l",
                                                "Contact",
                                                "m",
                                                "Route",
                                                "Record-Route",
                                                "Max-Forwards"};
    for (std::string_view k : kept)
        if (sdk::iequals(k, name))
            return true;
    return false;
}

std::unique_ptr<name_pattern> fix_keep_hf(const siphost_value* args, const int* constant) {
    if (!constant[0])
        throw sdk::config_error("the regular expression must be a constant string (no pseudo-variables)");
    return std::make_unique<name_pattern>(std::string(sdk::arg_view(args[0])));
}

int keep_headers(siphost_msg* msg, const name_pattern* pattern) {
    header_table table(host(), msg);
    if (!table.valid())
        return -1;
    for (size_t i = table.size(); i-- > 0;) {
        std::string_view name = table.line(i).name;
        if (always_kept(name) || (pattern != nullptr && pattern->matches(name)) || !table.present(i))
            continue;
        // An empty line that is gone already cannot be told from one that is there (header_table): only a
        // line with a value is worth a word when it cannot be removed.
        if (!table.remove_line(i) && !table.line(i).value.empty())
            log_error("keep_hf: cannot remove a " + std::string(name) + " header");
    }
    return 1;
}

int cmd_keep_hf(siphost_msg* msg, const siphost_value*, void*) {
    return keep_headers(msg, nullptr);
}

int cmd_keep_hf_re(siphost_msg* msg, const siphost_value*, void* call_data) {
    return keep_headers(msg, static_cast<const name_pattern*>(call_data));
}

// ---- fnmatch ----

bool valid_fnmatch_flags(std::string_view flags) {
    return flags.find_first_not_of("iI") == std::string_view::npos;
}

std::unique_ptr<int> fix_fnmatch_flags(const siphost_value* args, const int* constant) {
    if (constant[2] && !valid_fnmatch_flags(sdk::arg_view(args[2])))
        throw sdk::config_error("fnmatch: unknown flags \"" + std::string(sdk::arg_view(args[2])) +
                                "\" (known: i, case-insensitive)");
    return nullptr;
}

int match_pattern(const siphost_value* args, int flags) {
    std::string value(sdk::arg_view(args[0]));
    std::string pattern(sdk::arg_view(args[1]));
    return fnmatch(pattern.c_str(), value.c_str(), flags) == 0 ? 1 : -1;
}

int cmd_fnmatch(siphost_msg*, const siphost_value* args, void*) {
    return match_pattern(args, 0);
}

int cmd_fnmatch_flags(siphost_msg*, const siphost_value* args, void*) {
    std::string_view flags = sdk::arg_view(args[2]);
    if (!valid_fnmatch_flags(flags)) {
        log_error("fnmatch: unknown flags \"" + std::string(flags) + "\"");
        return -1;
    }
    return match_pattern(args, flags.empty() ? 0 : FNM_CASEFOLD);
}

// ---- header values ----

hf_spec parse_spec(const siphost_value* args, const int* constant, hf_spec::allowed what) {
    if (!constant[0])
        throw sdk::config_error(
            "the header must be a constant string such as \"Supported\" or \"Via[1].rport\"");
    return hf_spec(sdk::arg_view(args[0]), what);
}

std::unique_ptr<hf_spec> fix_add_value(const siphost_value* args, const int* constant) {
    return std::make_unique<hf_spec>(
        parse_spec(args, constant, {.index = true, .all = false, .param = false}));
}

std::unique_ptr<hf_spec> fix_edit_value(const siphost_value* args, const int* constant) {
    return std::make_unique<hf_spec>(parse_spec(args, constant, {.index = true, .all = true, .param = true}));
}

std::unique_ptr<hf_spec> fix_set_name(const siphost_value* args, const int* constant) {
    return std::make_unique<hf_spec>(
        parse_spec(args, constant, {.index = false, .all = false, .param = false}));
}

std::unique_ptr<hf_spec> fix_exists_name(const siphost_value* args, const int* constant) {
    if (!constant[0])
        throw sdk::config_error("the header must be a constant string such as \"Supported\"");
    // As Kamailio's, where the name may come from a select (@hf_value_exists.supported): '_' stands for '-'.
    std::string name(sdk::arg_view(args[0]));
    for (char& c : name)
        if (c == '_')
            c = '-';
    return std::make_unique<hf_spec>(name, hf_spec::allowed{.index = false, .all = false, .param = false});
}

const hf_spec& spec_of(void* call_data) {
    return *static_cast<const hf_spec*>(call_data);
}

int cmd_append_hf_value(siphost_msg* msg, const siphost_value* args, void* call_data) {
    return hf_value_editor(msg).append(spec_of(call_data), sdk::arg_view(args[1]));
}
int cmd_insert_hf_value(siphost_msg* msg, const siphost_value* args, void* call_data) {
    return hf_value_editor(msg).insert(spec_of(call_data), sdk::arg_view(args[1]));
}
int cmd_remove_hf_value(siphost_msg* msg, const siphost_value*, void* call_data) {
    return hf_value_editor(msg).remove(spec_of(call_data), value_mode::comma_list);
}
int cmd_remove_hf_value2(siphost_msg* msg, const siphost_value*, void* call_data) {
    return hf_value_editor(msg).remove(spec_of(call_data), value_mode::whole_line);
}
int cmd_assign_hf_value(siphost_msg* msg, const siphost_value* args, void* call_data) {
    return hf_value_editor(msg).assign(spec_of(call_data), sdk::arg_view(args[1]), value_mode::comma_list);
}
int cmd_assign_hf_value2(siphost_msg* msg, const siphost_value* args, void* call_data) {
    return hf_value_editor(msg).assign(spec_of(call_data), sdk::arg_view(args[1]), value_mode::whole_line);
}
int cmd_include_hf_value(siphost_msg* msg, const siphost_value* args, void* call_data) {
    return hf_value_editor(msg).include(spec_of(call_data).name(), sdk::arg_view(args[1]));
}
int cmd_exclude_hf_value(siphost_msg* msg, const siphost_value* args, void* call_data) {
    return hf_value_editor(msg).exclude(spec_of(call_data).name(), sdk::arg_view(args[1]));
}
int cmd_hf_value_exists(siphost_msg* msg, const siphost_value* args, void* call_data) {
    return hf_value_editor(msg).exists(spec_of(call_data).name(), sdk::arg_view(args[1]));
}

// ---- iterators ----

message_iterators* iterators(siphost_msg* msg) {
    message_iterators* found = message_iterators::of(msg, true);
    if (found == nullptr)
        log_error("cannot keep iterator state on the message");
    return found;
}

template <int (message_iterators::*Op)(siphost_msg*, std::string_view)>
int cmd_iterate(siphost_msg* msg, const siphost_value* args, void*) {
    message_iterators* it = iterators(msg);
    return it == nullptr ? -1 : (it->*Op)(msg, sdk::arg_view(args[0]));
}

template <int (message_iterators::*Op)(std::string_view)>
int cmd_iterator_end(siphost_msg* msg, const siphost_value* args, void*) {
    message_iterators* it = message_iterators::of(msg, false);
    return it == nullptr ? -1 : (it->*Op)(sdk::arg_view(args[0]));
}

template <int (message_iterators::*Op)(siphost_msg*, std::string_view, std::string_view, bool), bool After>
int cmd_iterator_add(siphost_msg* msg, const siphost_value* args, void*) {
    message_iterators* it = iterators(msg);
    return it == nullptr ? -1 : (it->*Op)(msg, sdk::arg_view(args[0]), sdk::arg_view(args[1]), After);
}

// $hfitname(name), $hfitbody(name), $blitval(name): the inner name is the iterator's.
int parse_iterator_name(siphost_str inner, void** pv_data, char* err, size_t err_size) {
    std::string_view name = sdk::trim(sdk::view(inner));
    if (name.empty()) {
        sdk::write_error(err, err_size, "expects an iterator name, e.g. $hfitname(i1)");
        return -1;
    }
    *pv_data = std::make_unique<std::string>(name).release();
    return 0;
}

void free_iterator_name(void* pv_data) {
    std::unique_ptr<std::string> owned(static_cast<std::string*>(pv_data));
}

enum class iterator_field { header_name, header_body, body_line };

template <iterator_field Field>
int get_iterator_value(siphost_msg* msg, void* pv_data, int32_t, siphost_value* out) {
    *out = sdk::null_value();
    message_iterators* it = message_iterators::of(msg, false);
    if (it == nullptr || pv_data == nullptr)
        return 0;
    const std::string& name = *static_cast<const std::string*>(pv_data);
    std::string_view header_name, header_body, line;
    if constexpr (Field == iterator_field::body_line) {
        if (it->bl_current(msg, name, line))
            *out = sdk::str_value(line);
    } else if (it->hf_current(msg, name, header_name, header_body)) {
        *out = sdk::str_value(Field == iterator_field::header_name ? header_name : header_body);
    }
    return 0;
}

// ---- descriptor ----

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    set_context(host, self);
    if (!message_iterators::register_slot()) {
        sdk::write_error(err, err_size, "cannot reserve a per-message slot for the iterators");
        return -1;
    }
    return 0;
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
// Kamailio: request_route and the core reply route; configs (IMS) also use it in tm's onreply_route[X].
constexpr uint32_t apply_routes =
    SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_TM_ONREPLY;
constexpr uint32_t reply_routes = SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_TM_ONREPLY;
constexpr auto S = SIPHOST_ARG_STRING;
constexpr auto I = SIPHOST_ARG_INT;
using sdk::command;
using sdk::fixup;
using sdk::free_call_data;
using sdk::guarded;

const siphost_command commands[] = {
    command("msg_apply_changes", apply_routes, guarded<&cmd_msg_apply_changes>, {}, fixup<&fix_apply_changes>,
            nullptr, "rebuilds the message from its recorded changes, so later reads see them"),
    command("change_reply_status", reply_routes, guarded<&cmd_change_reply_status>, {I, S},
            fixup<&fix_status_and_reason>, nullptr, "changes the reply's status code and reason phrase"),
    command("change_reply_status_code", reply_routes, guarded<&cmd_change_reply_status_code>, {I},
            fixup<&fix_status>, nullptr, "changes the reply's status code"),
    command("remove_body", any, guarded<&cmd_remove_body>, {}, nullptr, nullptr, "removes the message body"),
    command("keep_hf", any, guarded<&cmd_keep_hf>, {}, nullptr, nullptr,
            "removes every header but Via, From, To, Call-ID, CSeq, Content-*, Max-Forwards, Contact, Route"),
    command("keep_hf", any, guarded<&cmd_keep_hf_re>, {S}, fixup<&fix_keep_hf>, free_call_data<name_pattern>,
            "also keeps the headers whose names match the regular expression"),
    command("fnmatch", any, guarded<&cmd_fnmatch>, {S, S}, nullptr, nullptr, "shell-style pattern match"),
    command("fnmatch", any, guarded<&cmd_fnmatch_flags>, {S, S, S}, fixup<&fix_fnmatch_flags>, nullptr,
            "shell-style pattern match; flags \"i\": case-insensitive"),
    command("append_hf_value", any, guarded<&cmd_append_hf_value>, {S, S}, fixup<&fix_add_value>,
            free_call_data<hf_spec>, "adds a value after HF[IDX], or a new header at the bottom"),
    command("insert_hf_value", any, guarded<&cmd_insert_hf_value>, {S, S}, fixup<&fix_add_value>,
            free_call_data<hf_spec>, "adds a value before HF[IDX], or a new header at the top"),
    command("remove_hf_value", any, guarded<&cmd_remove_hf_value>, {S}, fixup<&fix_edit_value>,
            free_call_data<hf_spec>, "removes HF[IDX] values or their .PARAM"),
    command("remove_hf_value2", any, guarded<&cmd_remove_hf_value2>, {S}, fixup<&fix_edit_value>,
            free_call_data<hf_spec>, "removes HF[IDX] lines or their .PARAM (Authorization-style)"),
    command("assign_hf_value", any, guarded<&cmd_assign_hf_value>, {S, S}, fixup<&fix_edit_value>,
            free_call_data<hf_spec>, "sets HF[IDX] values or their .PARAM"),
    command("assign_hf_value2", any, guarded<&cmd_assign_hf_value2>, {S, S}, fixup<&fix_edit_value>,
            free_call_data<hf_spec>, "sets HF[IDX] lines or their .PARAM (Authorization-style)"),
    command("include_hf_value", any, guarded<&cmd_include_hf_value>, {S, S}, fixup<&fix_set_name>,
            free_call_data<hf_spec>, "adds a value to the header's set when it is not there"),
    command("exclude_hf_value", any, guarded<&cmd_exclude_hf_value>, {S, S}, fixup<&fix_set_name>,
            free_call_data<hf_spec>, "removes a value from the header's set"),
    command("hf_value_exists", any, guarded<&cmd_hf_value_exists>, {S, S}, fixup<&fix_exists_name>,
            free_call_data<hf_spec>, "the value is in the header's set"),
    command("hf_iterator_start", any, guarded<&cmd_iterate<&message_iterators::hf_start>>, {S}, nullptr,
            nullptr, "starts a cursor over the header lines"),
    command("hf_iterator_next", any, guarded<&cmd_iterate<&message_iterators::hf_next>>, {S}, nullptr,
            nullptr, "moves to the next header line; false after the last"),
    command("hf_iterator_prev", any, guarded<&cmd_iterate<&message_iterators::hf_prev>>, {S}, nullptr,
            nullptr, "moves to the previous header line"),
    command("hf_iterator_end", any, guarded<&cmd_iterator_end<&message_iterators::hf_end>>, {S}, nullptr,
            nullptr, "ends a header cursor"),
    command("hf_iterator_rm", any, guarded<&cmd_iterate<&message_iterators::hf_remove>>, {S}, nullptr,
            nullptr, "removes the current header line"),
    command("hf_iterator_append", any, guarded<&cmd_iterator_add<&message_iterators::hf_add, true>>, {S, S},
            nullptr, nullptr, "adds header lines after the current one"),
    command("hf_iterator_insert", any, guarded<&cmd_iterator_add<&message_iterators::hf_add, false>>, {S, S},
            nullptr, nullptr, "adds header lines before the current one"),
    command("bl_iterator_start", any, guarded<&cmd_iterate<&message_iterators::bl_start>>, {S}, nullptr,
            nullptr, "starts a cursor over the body lines"),
    command("bl_iterator_next", any, guarded<&cmd_iterate<&message_iterators::bl_next>>, {S}, nullptr,
            nullptr, "moves to the next body line; false after the last"),
    command("bl_iterator_end", any, guarded<&cmd_iterator_end<&message_iterators::bl_end>>, {S}, nullptr,
            nullptr, "ends a body cursor"),
    command("bl_iterator_rm", any, guarded<&cmd_iterate<&message_iterators::bl_remove>>, {S}, nullptr,
            nullptr, "removes the current body line"),
    command("bl_iterator_append", any, guarded<&cmd_iterator_add<&message_iterators::bl_add, true>>, {S, S},
            nullptr, nullptr, "adds text after the current body line"),
    command("bl_iterator_insert", any, guarded<&cmd_iterator_add<&message_iterators::bl_add, false>>, {S, S},
            nullptr, nullptr, "adds text before the current body line"),
    sdk::end_of_commands(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("hfitname", SIPHOST_PV_NAME_REQUIRED,
                         get_iterator_value<iterator_field::header_name>, nullptr, parse_iterator_name,
                         free_iterator_name, "the name of the header an hf_iterator is on"),
    sdk::pseudo_variable("hfitbody", SIPHOST_PV_NAME_REQUIRED,
                         get_iterator_value<iterator_field::header_body>, nullptr, parse_iterator_name,
                         free_iterator_name, "the value of the header an hf_iterator is on"),
    sdk::pseudo_variable("blitval", SIPHOST_PV_NAME_REQUIRED, get_iterator_value<iterator_field::body_line>,
                         nullptr, parse_iterator_name, free_iterator_name,
                         "the body line a bl_iterator is on, with its line end"),
    sdk::end_of_pvs(),
};

const siphost_module descriptor = sdk::module(module_name, "1.0", commands, nullptr, pvs, init);

} // namespace
} // namespace siphost::modules::textopsx

SIPHOST_MODULE(siphost::modules::textopsx::descriptor)
