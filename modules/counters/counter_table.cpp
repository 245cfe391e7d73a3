#include "counter_table.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::counters {

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 60)
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return false;
    return true;
}

bool counter_table::declare(std::string_view text, std::string& error) {
    std::string_view declaration = sdk::trim(text);
    size_t split = declaration.find_first_of(" \t:");
    std::string_view head = declaration.substr(0, split);
    std::string_view description;
    if (split != std::string_view::npos) {
        description = declaration.substr(split + 1);
        while (!description.empty() &&
               (description.front() == ' ' || description.front() == '\t' || description.front() == ':'))
            description.remove_prefix(1);
    }
    script_counter counter;
    size_t dot = head.find('.');
    if (dot != std::string_view::npos) {
        counter.group.assign(head.substr(0, dot));
        counter.name.assign(head.substr(dot + 1));
        if (!valid_name(counter.group)) {
            error = "script_counter \"" + std::string(text) + "\": '" + counter.group +
                    "' is not a group name (letters, digits, '_', '-')";
            return false;
        }
    } else {
        counter.name.assign(head);
    }
    if (!valid_name(counter.name)) {
        error = "script_counter \"" + std::string(text) + "\": '" + counter.name +
                "' is not a counter name (letters, digits, '_', '-'; write [group.]name[ description])";
        return false;
    }
    counter.description = description.empty() ? "custom script counter" : std::string(description);
    counters_.push_back(std::move(counter));
    return true;
}

bool counter_table::finish(std::string_view default_group, const siphost_host_api* host,
                           siphost_module_handle* self, std::string& error) {
    if (!valid_name(default_group)) {
        error = "script_cnt_grp_name '" + std::string(default_group) +
                "' is not a group name (letters, digits, '_', '-')";
        return false;
    }
    default_group_.assign(default_group);
    by_name_.clear();
    for (auto& counter : counters_) {
        if (counter.group.empty())
            counter.group = default_group_;
        std::string key = counter.metric_name();
        if (!by_name_.emplace(key, &counter).second) {
            error = "script_counter '" + key + "' is declared twice";
            return false;
        }
        siphost_metric_desc desc = sdk::sized<siphost_metric_desc>();
        desc.name = key.c_str();
        desc.kind = SIPHOST_METRIC_COUNTER;
        desc.help = counter.description.c_str();
        counter.metric = host->metrics->metric_register(self, &desc);
        if (counter.metric == nullptr) {
            error = "cannot register the counter '" + key + "' with the host";
            return false;
        }
    }
    return true;
}

const script_counter* counter_table::find(std::string_view name) const {
    size_t dot = name.find('.');
    if (dot == std::string_view::npos)
        return find(default_group_, name);
    return find(name.substr(0, dot), name.substr(dot + 1));
}

const script_counter* counter_table::find(std::string_view group, std::string_view name) const {
    std::string key;
    key.append(group).append(".").append(name);
    return find_metric(key);
}

const script_counter* counter_table::find_metric(std::string_view metric_name) const {
    auto it = by_name_.find(metric_name);
    return it == by_name_.end() ? nullptr : it->second;
}

void counter_table::clear() {
    by_name_.clear();
    counters_.clear();
    default_group_.clear();
}

} // namespace siphost::modules::counters
