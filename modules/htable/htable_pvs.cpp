// The pseudo-variables: $sht(t=>key) and its companions. Names are "table=>key", each part possibly holding
// pseudo-variables ($sht(ipban=>$si)); both are parsed once when the config is read.
#include "key_template.hpp"
#include "matcher.hpp"
#include "module_state.hpp"
#include "thread_locks.hpp"

#include <siphost/module.hpp>

#include <memory>
#include <stdexcept>

namespace siphost::modules::htable {
namespace {

/// A parsed "table=>key".
struct table_key {
    key_template table;
    hash_table* fixed = nullptr; ///< the table when its name is constant
    key_template key;
    std::unique_ptr<matcher> fixed_matcher; ///< $shtcn/$shtcv with a constant expression
};

std::unique_ptr<table_key> parse_table_key(std::string_view inner) {
    std::string_view table, key;
    if (!split_ref(inner, table, key))
        throw std::invalid_argument("write the name as table=>key, not \"" + std::string(inner) + "\"");
    auto ref = std::make_unique<table_key>();
    ref->table = key_template(state().host, sdk::trim(table));
    ref->key = key_template(state().host, key);
    if (ref->table.is_constant()) {
        ref->fixed = state().find(ref->table.constant());
        if (ref->fixed == nullptr)
            throw std::invalid_argument("no hash table \"" + ref->table.constant() +
                                        "\": define it with modparam(\"htable\", \"htable\", \"" +
                                        ref->table.constant() + "=>size=8\")");
    }
    return ref;
}

int parse_sht(siphost_str inner, void** data, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        *data = parse_table_key(sdk::view(inner)).release();
        return 0;
    });
}

int parse_sht_match(siphost_str inner, void** data, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        auto ref = parse_table_key(sdk::view(inner));
        if (ref->key.is_constant()) {
            ref->fixed_matcher = std::make_unique<matcher>();
            std::string error;
            if (!ref->fixed_matcher->assign_expression(ref->key.constant(), error))
                throw std::invalid_argument(error);
        }
        *data = ref.release();
        return 0;
    });
}

void free_table_key(void* data) {
    std::unique_ptr<table_key> owned(static_cast<table_key*>(data));
}

/// The table and key for msg; nullptr (logged) when the table does not exist.
hash_table* resolve(siphost_msg* msg, const table_key& ref, std::string& key) {
    hash_table* table = ref.fixed;
    if (table == nullptr) {
        std::string name;
        if (!ref.table.expand(msg, name))
            return nullptr;
        table = state().find(name);
        if (table == nullptr) {
            log(SIPHOST_LOG_ERR, "no hash table \"" + name + "\"");
            return nullptr;
        }
    }
    return ref.key.expand(msg, key) ? table : nullptr;
}

/// Writes a value out; strings are copied to this thread's buffer for the getter.
void put(const item_value& v, std::string& buffer, siphost_value* out) {
    if (v.is_int) {
        *out = sdk::int_value(v.num);
    } else {
        buffer = v.str;
        *out = sdk::str_value(buffer);
    }
}

int get_sht(siphost_msg* msg, void* data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        std::string key;
        thread_local std::string buffer;
        hash_table* table = resolve(msg, *static_cast<table_key*>(data), key);
        if (table == nullptr)
            return -1;
        auto value = table->get(key, now_seconds());
        if (value)
            put(*value, buffer, out);
        else if (table->spec().has_initval)
            *out = sdk::int_value(table->spec().initval);
        else
            *out = sdk::null_value();
        return 0;
    });
}

int set_sht(siphost_msg* msg, void* data, int32_t, const siphost_value* value) {
    return sdk::guard(-1, [&] {
        std::string key;
        hash_table* table = resolve(msg, *static_cast<table_key*>(data), key);
        if (table == nullptr)
            return -1;
        if (value == nullptr || value->kind == SIPHOST_VALUE_NULL) {
            table->remove(key);
            return 0;
        }
        item_value v = value->kind == SIPHOST_VALUE_INT ? item_value::of_int(value->num)
                                                        : item_value::of_str(sdk::view(value->str));
        if (!table->set(key, std::move(v), now_seconds())) {
            log(SIPHOST_LOG_ERR,
                "hash table \"" + table->name() + "\" is full (max_items): \"" + key + "\" not stored");
            return -1;
        }
        return 0;
    });
}

int get_shtex(siphost_msg* msg, void* data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        std::string key;
        hash_table* table = resolve(msg, *static_cast<table_key*>(data), key);
        if (table == nullptr)
            return -1;
        *out = sdk::int_value(table->remaining(key, now_seconds()).value_or(0));
        return 0;
    });
}

int set_shtex(siphost_msg* msg, void* data, int32_t, const siphost_value* value) {
    return sdk::guard(-1, [&] {
        std::string key;
        hash_table* table = resolve(msg, *static_cast<table_key*>(data), key);
        int64_t seconds = 0;
        if (table == nullptr || value == nullptr || !sdk::arg_int(*value, seconds))
            return -1;
        table->set_expire(key, seconds, now_seconds());
        return 0;
    });
}

template <int64_t Delta> int get_add(siphost_msg* msg, void* data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        std::string key;
        hash_table* table = resolve(msg, *static_cast<table_key*>(data), key);
        if (table == nullptr)
            return -1;
        int64_t result = 0;
        add_result r = table->add(key, Delta, now_seconds(), result);
        if (r == add_result::full)
            log(SIPHOST_LOG_ERR, "hash table \"" + table->name() + "\" is full (max_items)");
        *out = r == add_result::done ? sdk::int_value(result) : sdk::null_value();
        return 0;
    });
}

template <bool Values> int get_count(siphost_msg* msg, void* data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        const auto& ref = *static_cast<table_key*>(data);
        std::string expression;
        hash_table* table = resolve(msg, ref, expression);
        if (table == nullptr)
            return -1;
        const matcher* m = ref.fixed_matcher.get();
        matcher dynamic;
        if (m == nullptr) {
            std::string error;
            if (!dynamic.assign_expression(expression, error)) {
                log(SIPHOST_LOG_ERR, error);
                return -1;
            }
            m = &dynamic;
        }
        size_t n = table->count_if(
            [&](const item& it) {
                if (!Values)
                    return m->matches(it.name);
                return m->matches_all() || (!it.value.is_int && m->matches(it.value.str));
            },
            now_seconds());
        *out = sdk::int_value(static_cast<int64_t>(n));
        return 0;
    });
}

/// $shtitkey(name), $shtitval(name): the iterator's name is taken as written.
int parse_iterator_name(siphost_str inner, void** data, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        std::string_view name = sdk::trim(sdk::view(inner));
        if (name.empty())
            throw std::invalid_argument("the iterator needs a name");
        *data = std::make_unique<std::string>(name).release();
        return 0;
    });
}

void free_string(void* data) {
    std::unique_ptr<std::string> owned(static_cast<std::string*>(data));
}

template <bool Value> int get_iterator(siphost_msg*, void* data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        thread_local std::string buffer;
        table_iterator* it = find_iterator(*static_cast<std::string*>(data));
        item* current = it != nullptr ? iterator_item(*it) : nullptr;
        if (current == nullptr)
            *out = sdk::null_value();
        else if (Value)
            put(current->value, buffer, out);
        else
            put(item_value::of_str(current->name), buffer, out);
        return 0;
    });
}

thread_local const item* expired_record_ = nullptr;

/// $shtrecord(key), $shtrecord(value): 1 and 2 as pv_data.
int parse_record(siphost_str inner, void** data, char* err, size_t err_size) {
    std::string_view name = sdk::trim(sdk::view(inner));
    if (name == "key" || name == "value") {
        *data = reinterpret_cast<void*>(static_cast<intptr_t>(name == "key" ? 1 : 2));
        return 0;
    }
    sdk::write_error(err, err_size, "$shtrecord takes key or value, not \"" + std::string(name) + "\"");
    return -1;
}

int get_record(siphost_msg*, void* data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        thread_local std::string buffer;
        if (expired_record_ == nullptr)
            *out = sdk::null_value();
        else if (reinterpret_cast<intptr_t>(data) == 1)
            put(item_value::of_str(expired_record_->name), buffer, out);
        else
            put(expired_record_->value, buffer, out);
        return 0;
    });
}

constexpr uint32_t named = SIPHOST_PV_NAME_REQUIRED;
using sdk::pseudo_variable;

} // namespace

void set_expired_record(const item* record) {
    expired_record_ = record;
}

const siphost_pv htable_pvs[] = {
    pseudo_variable("sht", named, get_sht, set_sht, parse_sht, free_table_key,
                    "an item of a hash table: $sht(table=>key); assigning $null deletes it"),
    pseudo_variable("shtex", named, get_shtex, set_shtex, parse_sht, free_table_key,
                    "seconds until the item expires (0: never); assigning sets them"),
    pseudo_variable("shtcn", named, get_count<false>, nullptr, parse_sht_match, free_table_key,
                    "how many names match: $shtcn(table=>regex), ~~re, %~prefix, ~%suffix, ==name, **"),
    pseudo_variable("shtcv", named, get_count<true>, nullptr, parse_sht_match, free_table_key,
                    "how many string values match, as $shtcn"),
    pseudo_variable("shtinc", named, get_add<1>, nullptr, parse_sht, free_table_key,
                    "adds 1 to an integer item and gives the result, atomically"),
    pseudo_variable("shtdec", named, get_add<-1>, nullptr, parse_sht, free_table_key,
                    "takes 1 from an integer item and gives the result, atomically"),
    pseudo_variable("shtitkey", named, get_iterator<false>, nullptr, parse_iterator_name, free_string,
                    "the name of the iterator's current item"),
    pseudo_variable("shtitval", named, get_iterator<true>, nullptr, parse_iterator_name, free_string,
                    "the value of the iterator's current item"),
    pseudo_variable("shtrecord", named, get_record, nullptr, parse_record, nullptr,
                    "in event_route[htable:expired:<table>]: the expired item's key or value"),
    sdk::end_of_pvs(),
};

} // namespace siphost::modules::htable
