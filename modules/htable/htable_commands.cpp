// The script functions: sht_rm*, sht_set*, sht_reset, sht_lock/sht_unlock, sht_match_*, sht_iterator_*,
// sht_print. Arguments are strings that may hold pseudo-variables (the host expands them); integers given
// as strings ("10", "$var(x)") are read when the function runs, as Kamailio reads them.
#include "matcher.hpp"
#include "module_state.hpp"
#include "thread_locks.hpp"

#include <siphost/module.hpp>

#include <string>

namespace siphost::modules::htable {
namespace {

/// The table named by a function's argument; logs when there is none.
hash_table* table_arg(std::string_view function, const siphost_value& arg) {
    std::string_view name = sdk::arg_view(arg);
    hash_table* table = state().find(name);
    if (table == nullptr)
        log(SIPHOST_LOG_ERR, std::string(function) + ": no hash table \"" + std::string(name) + "\"");
    return table;
}

/// "table=>rest" of sht_lock, sht_rm_name_re, ...
hash_table* table_ref_arg(std::string_view function, const siphost_value& arg, std::string& rest) {
    std::string_view table_name, tail;
    if (!split_ref(sdk::arg_view(arg), table_name, tail)) {
        log(SIPHOST_LOG_ERR,
            std::string(function) + ": \"" + std::string(sdk::arg_view(arg)) + "\" is not table=>value");
        return nullptr;
    }
    rest.assign(tail);
    siphost_value name = sdk::str_value(sdk::trim(table_name));
    return table_arg(function, name);
}

bool int_arg(std::string_view function, const siphost_value& arg, int64_t& out) {
    if (sdk::arg_int(arg, out))
        return true;
    log(SIPHOST_LOG_ERR,
        std::string(function) + ": \"" + std::string(sdk::arg_view(arg)) + "\" is not a number");
    return false;
}

int cmd_sht_print(siphost_msg*, const siphost_value*, void*) {
    int64_t now = now_seconds();
    for (const auto& table : state().tables) {
        log(SIPHOST_LOG_ERR, "sht_print: table " + table->name() + ", " +
                                 std::to_string(table->item_count()) + " items in " +
                                 std::to_string(table->slot_count()) + " slots");
        table->for_each_slot([&](size_t slot, const std::vector<item>& items) {
            for (const auto& it : items) {
                std::string line = "sht_print: " + table->name() + "[" + std::to_string(slot) + "] " +
                                   it.name + " = " +
                                   (it.value.is_int ? it.value.text() : "\"" + it.value.str + "\"");
                if (it.expire != 0)
                    line += " (expires in " + std::to_string(it.expire - now) + " s)";
                log(SIPHOST_LOG_ERR, line);
            }
        });
    }
    return 1;
}

int cmd_sht_rm(siphost_msg*, const siphost_value* args, void*) {
    hash_table* table = table_arg("sht_rm", args[0]);
    if (table == nullptr)
        return -1;
    table->remove(sdk::arg_view(args[1]));
    return 1;
}

/// Removes the items whose name (or string value) matches; op is "re" or "sw".
int remove_matching(std::string_view function, hash_table& table, std::string_view op,
                    const std::string& value, bool values) {
    matcher m;
    std::string error;
    if (!m.assign(op, "re, sw", value, error)) {
        log(SIPHOST_LOG_ERR, std::string(function) + ": " + error);
        return -1;
    }
    table.remove_if([&](const item& it) {
        return values ? !it.value.is_int && m.matches(it.value.str) : m.matches(it.name);
    });
    return 1;
}

template <bool Values> int cmd_sht_rm_re(siphost_msg*, const siphost_value* args, void*) {
    const char* function = Values ? "sht_rm_value_re" : "sht_rm_name_re";
    std::string pattern;
    hash_table* table = table_ref_arg(function, args[0], pattern);
    return table == nullptr ? -1 : remove_matching(function, *table, "re", pattern, Values);
}

template <bool Values> int cmd_sht_rm_op(siphost_msg*, const siphost_value* args, void*) {
    const char* function = Values ? "sht_rm_value" : "sht_rm_name";
    hash_table* table = table_arg(function, args[0]);
    return table == nullptr ? -1
                            : remove_matching(function, *table, sdk::arg_view(args[1]),
                                              std::string(sdk::arg_view(args[2])), Values);
}

template <bool Int> int cmd_sht_setx(siphost_msg*, const siphost_value* args, void*) {
    const char* function = Int ? "sht_setxi" : "sht_setxs";
    hash_table* table = table_arg(function, args[0]);
    int64_t expire = 0, n = 0;
    if (table == nullptr || !int_arg(function, args[3], expire) || (Int && !int_arg(function, args[2], n)))
        return -1;
    item_value v = Int ? item_value::of_int(n) : item_value::of_str(sdk::arg_view(args[2]));
    if (!table->set_with_expire(sdk::arg_view(args[1]), std::move(v), expire, now_seconds())) {
        log(SIPHOST_LOG_ERR, std::string(function) + ": hash table \"" + table->name() + "\" is full");
        return -1;
    }
    // Kamailio 5.6's sht_setxi returns 0, which ends the script (sht_setxs returns 1): configs written for it
    // expect that, so siphost does the same.
    return Int ? 0 : 1;
}

int cmd_sht_reset(siphost_msg*, const siphost_value* args, void*) {
    hash_table* table = table_arg("sht_reset", args[0]);
    if (table == nullptr)
        return -1;
    table->clear();
    return 1;
}

int cmd_sht_lock(siphost_msg*, const siphost_value* args, void*) {
    std::string key;
    hash_table* table = table_ref_arg("sht_lock", args[0], key);
    if (table == nullptr)
        return -1;
    lock_key(*table, key);
    return 1;
}

int cmd_sht_unlock(siphost_msg*, const siphost_value* args, void*) {
    std::string key;
    hash_table* table = table_ref_arg("sht_unlock", args[0], key);
    if (table == nullptr)
        return -1;
    if (!unlock_key(*table, key)) {
        log(SIPHOST_LOG_ERR,
            "sht_unlock: \"" + std::string(sdk::arg_view(args[0])) + "\" is not locked by this worker");
        return -1;
    }
    return 1;
}

/// sht_match_name, sht_has_name, sht_match_str_value, sht_has_str_value.
template <bool Values> int cmd_sht_match(siphost_msg*, const siphost_value* args, void*) {
    const char* function = Values ? "sht_match_str_value" : "sht_match_name";
    hash_table* table = table_arg(function, args[0]);
    if (table == nullptr)
        return -1;
    matcher m;
    std::string error;
    if (!m.assign(sdk::arg_view(args[1]), "eq, ne, re, sw", std::string(sdk::arg_view(args[2])), error)) {
        log(SIPHOST_LOG_ERR, std::string(function) + ": " + error);
        return -1;
    }
    size_t n = table->count_if(
        [&](const item& it) {
            return Values ? !it.value.is_int && m.matches(it.value.str) : m.matches(it.name);
        },
        now_seconds());
    return n > 0 ? 1 : -1;
}

table_iterator* iterator_arg(std::string_view function, const siphost_value& arg) {
    table_iterator* it = find_iterator(sdk::arg_view(arg));
    if (it == nullptr)
        log(SIPHOST_LOG_ERR, std::string(function) + ": no iterator \"" + std::string(sdk::arg_view(arg)) +
                                 "\" (start it with sht_iterator_start)");
    return it;
}

int cmd_iterator_start(siphost_msg*, const siphost_value* args, void*) {
    hash_table* table = table_arg("sht_iterator_start", args[1]);
    if (table == nullptr)
        return -1;
    if (start_iterator(sdk::arg_view(args[0]), *table) == nullptr) {
        log(SIPHOST_LOG_ERR, "sht_iterator_start: this worker has 4 iterators open already");
        return -1;
    }
    return 1;
}

int cmd_iterator_end(siphost_msg*, const siphost_value* args, void*) {
    table_iterator* it = iterator_arg("sht_iterator_end", args[0]);
    if (it == nullptr)
        return -1;
    end_iterator(*it);
    return 1;
}

int cmd_iterator_next(siphost_msg*, const siphost_value* args, void*) {
    table_iterator* it = iterator_arg("sht_iterator_next", args[0]);
    return it != nullptr && iterator_next(*it) ? 1 : -1;
}

int cmd_iterator_rm(siphost_msg*, const siphost_value* args, void*) {
    table_iterator* it = iterator_arg("sht_iterator_rm", args[0]);
    return it == nullptr ? -1 : iterator_remove(*it);
}

/// sht_iterator_sets, sht_iterator_seti, sht_iterator_setex: 0, 1, 2.
template <int What> int cmd_iterator_set(siphost_msg*, const siphost_value* args, void*) {
    const char* function = What == 0   ? "sht_iterator_sets"
                           : What == 1 ? "sht_iterator_seti"
                                       : "sht_iterator_setex";
    table_iterator* it = iterator_arg(function, args[0]);
    item* current = it != nullptr ? iterator_item(*it) : nullptr;
    if (current == nullptr)
        return -1;
    int64_t n = 0;
    if (What == 0) {
        current->value = item_value::of_str(sdk::arg_view(args[1]));
        return 1;
    }
    if (!int_arg(function, args[1], n))
        return -1;
    if (What == 1)
        current->value = item_value::of_int(n);
    else if (it->table->spec().autoexpire > 0) // as in Kamailio, a table without autoexpire keeps its items
        current->expire = n > 0 ? now_seconds() + n : 0;
    return 1;
}

/// Where Kamailio allows sht_print and the *_re functions: the message routes.
constexpr uint32_t message_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_TM_ONREPLY |
                                    SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_BRANCH;
constexpr uint32_t any = SIPHOST_ROUTE_ANY;
constexpr siphost_arg_kind S = SIPHOST_ARG_STRING;
using sdk::command;
using sdk::guarded;

} // namespace

const siphost_command htable_commands[] = {
    command("sht_print", message_routes, guarded<&cmd_sht_print>, {}, nullptr, nullptr,
            "logs every hash table at the error level (for debugging)"),
    command("sht_rm", any, guarded<&cmd_sht_rm>, {S, S}, nullptr, nullptr,
            "sht_rm(table, key): deletes an item"),
    command("sht_rm_name_re", message_routes, guarded<&cmd_sht_rm_re<false>>, {S}, nullptr, nullptr,
            "sht_rm_name_re(\"table=>regex\"): deletes the items whose name matches"),
    command("sht_rm_value_re", message_routes, guarded<&cmd_sht_rm_re<true>>, {S}, nullptr, nullptr,
            "sht_rm_value_re(\"table=>regex\"): deletes the items whose string value matches"),
    command("sht_rm_name", any, guarded<&cmd_sht_rm_op<false>>, {S, S, S}, nullptr, nullptr,
            "sht_rm_name(table, re|sw, value): deletes the items whose name matches"),
    command("sht_rm_value", any, guarded<&cmd_sht_rm_op<true>>, {S, S, S}, nullptr, nullptr,
            "sht_rm_value(table, re|sw, value): deletes the items whose string value matches"),
    command("sht_setxs", any, guarded<&cmd_sht_setx<false>>, {S, S, S, S}, nullptr, nullptr,
            "sht_setxs(table, key, string, expire): sets a string item that expires in expire seconds"),
    command("sht_setxi", any, guarded<&cmd_sht_setx<true>>, {S, S, S, S}, nullptr, nullptr,
            "sht_setxi(table, key, integer, expire): sets an integer item that expires in expire seconds"),
    command("sht_reset", any, guarded<&cmd_sht_reset>, {S}, nullptr, nullptr, "sht_reset(table): empties it"),
    command("sht_lock", any, guarded<&cmd_sht_lock>, {S}, nullptr, nullptr,
            "sht_lock(\"table=>key\"): locks the key's slot for this worker (re-entrant)"),
    command("sht_unlock", any, guarded<&cmd_sht_unlock>, {S}, nullptr, nullptr,
            "sht_unlock(\"table=>key\"): unlocks what sht_lock locked"),
    command("sht_match_name", any, guarded<&cmd_sht_match<false>>, {S, S, S}, nullptr, nullptr,
            "sht_match_name(table, eq|ne|re|sw, value): true when a name matches"),
    command("sht_has_name", any, guarded<&cmd_sht_match<false>>, {S, S, S}, nullptr, nullptr,
            "alias of sht_match_name"),
    command("sht_match_str_value", any, guarded<&cmd_sht_match<true>>, {S, S, S}, nullptr, nullptr,
            "sht_match_str_value(table, eq|ne|re|sw, value): true when a string value matches"),
    command("sht_has_str_value", any, guarded<&cmd_sht_match<true>>, {S, S, S}, nullptr, nullptr,
            "alias of sht_match_str_value"),
    command("sht_iterator_start", any, guarded<&cmd_iterator_start>, {S, S}, nullptr, nullptr,
            "sht_iterator_start(iterator, table): starts walking a table"),
    command("sht_iterator_end", any, guarded<&cmd_iterator_end>, {S}, nullptr, nullptr,
            "sht_iterator_end(iterator): ends the walk and unlocks its slot"),
    command("sht_iterator_next", any, guarded<&cmd_iterator_next>, {S}, nullptr, nullptr,
            "sht_iterator_next(iterator): moves to the next item; false at the end"),
    command("sht_iterator_rm", any, guarded<&cmd_iterator_rm>, {S}, nullptr, nullptr,
            "sht_iterator_rm(iterator): deletes the current item and moves on (-2 at the end)"),
    command("sht_iterator_sets", any, guarded<&cmd_iterator_set<0>>, {S, S}, nullptr, nullptr,
            "sht_iterator_sets(iterator, string): sets the current item"),
    command("sht_iterator_seti", any, guarded<&cmd_iterator_set<1>>, {S, S}, nullptr, nullptr,
            "sht_iterator_seti(iterator, integer): sets the current item"),
    command("sht_iterator_setex", any, guarded<&cmd_iterator_set<2>>, {S, S}, nullptr, nullptr,
            "sht_iterator_setex(iterator, seconds): sets the current item's expiry"),
    sdk::end_of_commands(),
};

} // namespace siphost::modules::htable
