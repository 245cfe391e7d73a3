// The RPC commands, as Kamailio 5.6 names them and shapes their replies (kamcmd htable.dump ipban).
#include "module_state.hpp"

#include <siphost/module.hpp>

#include <algorithm>
#include <ctime>
#include <limits>
#include <string>

namespace siphost::modules::htable {
namespace {

const siphost_rpc_api* rpc() {
    return state().host->rpc;
}

void fault(siphost_rpc_call* call, int code, const std::string& text) {
    rpc()->fault(call, code, sdk::str(text));
}

/// The index-th parameter as text (kamcmd sends "123" as an integer).
bool text_param(siphost_rpc_call* call, size_t index, std::string& out) {
    siphost_value v;
    if (rpc()->param(call, index, &v) != 0)
        return false;
    if (v.kind == SIPHOST_VALUE_INT)
        out = std::to_string(v.num);
    else if (v.kind == SIPHOST_VALUE_STR)
        out.assign(sdk::view(v.str));
    else
        return false;
    return true;
}

bool int_param(siphost_rpc_call* call, size_t index, int64_t& out) {
    siphost_value v;
    return rpc()->param(call, index, &v) == 0 && sdk::arg_int(v, out);
}

/// The table named by the first parameter; a fault when it is missing or unknown.
hash_table* table_param(siphost_rpc_call* call, const char* missing = "No htable name given") {
    std::string name;
    if (!text_param(call, 0, name)) {
        fault(call, 500, missing);
        return nullptr;
    }
    hash_table* table = state().find(name);
    if (table == nullptr)
        fault(call, 500, "No such htable");
    return table;
}

/// The table and the key (the first two parameters); missing names the parameters in the fault.
hash_table* table_key_params(siphost_rpc_call* call, std::string& key, const char* missing) {
    std::string ignored;
    if (!text_param(call, 0, ignored) || !text_param(call, 1, key)) {
        fault(call, 500, missing);
        return nullptr;
    }
    return table_param(call, missing);
}

/// A one-line reply, as Kamailio's "Ok. Key set to new value.".
void ok(siphost_rpc_call* call, const char* text) {
    rpc()->add_str(rpc()->result(call), nullptr, sdk::str(text));
}

/// An expiry as Kamailio prints it: NEVER, or the local date and time.
std::string expire_text(int64_t expire) {
    if (expire == 0)
        return "NEVER";
    std::time_t t = static_cast<std::time_t>(expire);
    std::tm local{};
    localtime_r(&t, &local);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &local);
    return buf;
}

void rpc_get(siphost_rpc_call* call) {
    std::string key;
    hash_table* table = table_key_params(call, key, "Not enough parameters (htable name and key name)");
    if (table == nullptr)
        return;
    auto found = table->find_item(key, now_seconds());
    if (!found) {
        fault(call, 500, "Key name doesn't exist in htable.");
        return;
    }
    siphost_rpc_node* top = rpc()->add_struct(rpc()->result(call), nullptr);
    siphost_rpc_node* node = top != nullptr ? rpc()->add_struct(top, "item") : nullptr;
    if (node == nullptr)
        return;
    rpc()->add_str(node, "name", sdk::str(found->name));
    if (found->value.is_int)
        rpc()->add_int(node, "value", found->value.num);
    else
        rpc()->add_str(node, "value", sdk::str(found->value.str));
    rpc()->add_int(node, "flags", found->value.is_int ? 0 : 2); // Kamailio's AVP_VAL_STR
    rpc()->add_str(node, "expire", sdk::str(expire_text(found->expire)));
}

void rpc_delete(siphost_rpc_call* call) {
    std::string key;
    // Kamailio's text, unbalanced parenthesis included.
    hash_table* table = table_key_params(call, key, "Not enough parameters (htable name & key name");
    if (table == nullptr)
        return;
    if (!table->remove(key)) {
        fault(call, 404, "Key not found in htable.");
        return;
    }
    ok(call, "Ok. Key deleted.");
}

/// htable.sets, htable.seti (0, 1); htable.setxs, htable.setxi (2, 3) with the expiry last.
template <int Kind> void rpc_set(siphost_rpc_call* call) {
    constexpr bool is_int = Kind == 1 || Kind == 3;
    const char* missing = Kind >= 2 ? "Not enough parameters (htable name, key name, value and expire)"
                                    : "Not enough parameters (htable name, key name and value)";
    std::string key, text;
    int64_t n = 0, expire = 0;
    bool ok_params = text_param(call, 0, text) && text_param(call, 1, key) &&
                     (is_int ? int_param(call, 2, n) : text_param(call, 2, text)) &&
                     (Kind < 2 || int_param(call, 3, expire));
    if (!ok_params) {
        fault(call, 500, missing);
        return;
    }
    hash_table* table = table_param(call, missing);
    if (table == nullptr)
        return;
    item_value v = is_int ? item_value::of_int(n) : item_value::of_str(text);
    bool stored = Kind >= 2 ? table->set_with_expire(key, std::move(v), expire, now_seconds())
                            : table->set(key, std::move(v), now_seconds());
    if (!stored) {
        fault(call, 500, "Failed to set the item (the table is full)");
        return;
    }
    ok(call, "Ok. Key set to new value.");
}

void rpc_setex(siphost_rpc_call* call) {
    const char* missing = "Not enough parameters (htable name, item name and expire)";
    std::string key;
    int64_t expire = 0;
    if (!text_param(call, 1, key) || !int_param(call, 2, expire)) {
        fault(call, 500, missing);
        return;
    }
    hash_table* table = table_param(call, missing);
    if (table == nullptr)
        return;
    // Kamailio answers Ok whether or not the key is there.
    table->set_expire(key, expire, now_seconds());
    ok(call, "Ok");
}

void rpc_dump(siphost_rpc_call* call) {
    hash_table* table = table_param(call);
    if (table == nullptr)
        return;
    siphost_rpc_node* top = rpc()->result(call);
    table->for_each_slot([&](size_t slot, const std::vector<item>& items) {
        if (items.empty())
            return;
        siphost_rpc_node* entry = rpc()->add_struct(top, nullptr);
        if (entry == nullptr)
            return;
        rpc()->add_int(entry, "entry", static_cast<int64_t>(slot));
        rpc()->add_int(entry, "size", static_cast<int64_t>(items.size()));
        siphost_rpc_node* slot_node = rpc()->add_array(entry, "slot");
        if (slot_node == nullptr)
            return;
        for (const auto& it : items) {
            siphost_rpc_node* node = rpc()->add_struct(slot_node, nullptr);
            if (node == nullptr)
                return;
            rpc()->add_str(node, "name", sdk::str(it.name));
            if (it.value.is_int)
                rpc()->add_int(node, "value", it.value.num);
            else
                rpc()->add_str(node, "value", sdk::str(it.value.str));
            rpc()->add_str(node, "type", sdk::str(it.value.is_int ? "int" : "str"));
        }
    });
}

void rpc_flush(siphost_rpc_call* call) {
    hash_table* table = table_param(call);
    if (table == nullptr)
        return;
    table->clear();
    ok(call, "Ok. Htable flushed.");
}

/// htable.reload and htable.store need the table's database.
hash_table* db_table_param(siphost_rpc_call* call) {
    hash_table* table = table_param(call);
    if (table == nullptr)
        return nullptr;
    if (state().db.url.empty()) {
        fault(call, 500, "No htable db_url");
        return nullptr;
    }
    if (table->spec().dbtable.empty() || state().db_api == nullptr) {
        fault(call, 500, "No database htable");
        return nullptr;
    }
    return table;
}

void rpc_reload(siphost_rpc_call* call) {
    hash_table* table = db_table_param(call);
    if (table == nullptr)
        return;
    try {
        table_db(state().db_api, state().db).load(*table, now_seconds(), true);
    } catch (const std::exception& e) {
        fault(call, 500, std::string("Htable reload failed: ") + e.what());
        return;
    }
    ok(call, "Ok. Htable reloaded.");
}

void rpc_store(siphost_rpc_call* call) {
    hash_table* table = db_table_param(call);
    if (table == nullptr)
        return;
    try {
        table_db(state().db_api, state().db).store(*table, now_seconds());
    } catch (const std::exception& e) {
        fault(call, 500, std::string("Htable store failed: ") + e.what());
        return;
    }
    ok(call, "Ok. Htable successfully stored to DB.");
}

void rpc_list_tables(siphost_rpc_call* call) {
    siphost_rpc_node* top = rpc()->result(call);
    // Kamailio lists the table defined last first.
    for (auto at = state().tables.rbegin(); at != state().tables.rend(); ++at) {
        const auto& table = *at;
        const table_spec& spec = table->spec();
        siphost_rpc_node* node = rpc()->add_struct(top, nullptr);
        if (node == nullptr)
            return;
        rpc()->add_str(node, "name", sdk::str(spec.name));
        rpc()->add_str(node, "dbtable", sdk::str(spec.dbtable));
        rpc()->add_int(node, "dbmode", spec.dbmode);
        rpc()->add_int(node, "expire", spec.autoexpire);
        rpc()->add_int(node, "updateexpire", spec.updateexpire ? 1 : 0);
        rpc()->add_int(node, "size", static_cast<int64_t>(table->slot_count()));
        rpc()->add_int(node, "dmqreplicate", 0);
    }
}

void rpc_stats(siphost_rpc_call* call) {
    siphost_rpc_node* top = rpc()->result(call);
    for (auto at = state().tables.rbegin(); at != state().tables.rend(); ++at) {
        const auto& table = *at;
        size_t all = 0, min = std::numeric_limits<size_t>::max(), max = 0;
        table->for_each_slot([&](size_t, const std::vector<item>& items) {
            all += items.size();
            min = std::min(min, items.size());
            max = std::max(max, items.size());
        });
        siphost_rpc_node* node = rpc()->add_struct(top, nullptr);
        if (node == nullptr)
            return;
        rpc()->add_str(node, "name", sdk::str(table->name()));
        rpc()->add_int(node, "slots", static_cast<int64_t>(table->slot_count()));
        rpc()->add_int(node, "all", static_cast<int64_t>(all));
        rpc()->add_int(node, "min", static_cast<int64_t>(min));
        rpc()->add_int(node, "max", static_cast<int64_t>(max));
    }
}

} // namespace

const siphost_rpc_command htable_rpcs[] = {
    sdk::rpc("htable.get", rpc_get, "Get one key from a hash table.", "ss"),
    sdk::rpc("htable.delete", rpc_delete, "Delete one key from a hash table.", "ss"),
    sdk::rpc("htable.sets", rpc_set<0>, "Set one key in a hash table to a string value.", "sss"),
    sdk::rpc("htable.seti", rpc_set<1>, "Set one key in a hash table to an integer value.", "ssd"),
    sdk::rpc("htable.setex", rpc_setex, "Set the expire of one key in a hash table.", "ssd"),
    sdk::rpc("htable.setxs", rpc_set<2>, "Set one key to a string value with an expire.", "sssd"),
    sdk::rpc("htable.setxi", rpc_set<3>, "Set one key to an integer value with an expire.", "ssdd"),
    sdk::rpc("htable.dump", rpc_dump, "Dump the items of a hash table.", "s"),
    sdk::rpc("htable.reload", rpc_reload, "Reload a hash table from its database table.", "s"),
    sdk::rpc("htable.store", rpc_store, "Write a hash table to its database table.", "s"),
    sdk::rpc("htable.flush", rpc_flush, "Empty a hash table.", "s"),
    sdk::rpc("htable.listTables", rpc_list_tables, "List the hash tables."),
    sdk::rpc("htable.stats", rpc_stats, "Statistics of the hash tables: slots, items, min and max per slot."),
    sdk::end_of_rpcs(),
};

} // namespace siphost::modules::htable
