#include "core/metrics.hpp"

#include <cctype>

namespace siphost::core {
namespace {

bool valid_metric_name(std::string_view name) {
    if (name.empty() || name.size() > 128)
        return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
            return false;
    return true;
}

} // namespace

metric_registry& metric_registry::instance() {
    static metric_registry registry;
    return registry;
}

metric_family* metric_registry::add(std::string group, std::string name, metric_kind kind, std::string help,
                                    std::vector<std::string> labels, int64_t (*read)(void*), void* read_data,
                                    std::string& error) {
    if (!valid_metric_name(name)) {
        error = "'" + name + "' is not a metric name (letters, digits, '_', '.', '-')";
        return nullptr;
    }
    if (read != nullptr && (kind != metric_kind::gauge || !labels.empty())) {
        error = "metric '" + name + "': only an unlabelled gauge may have a read callback";
        return nullptr;
    }
    std::lock_guard lock(mutex_);
    for (const auto& f : families_)
        if (f.group == group && f.name == name) {
            error = "metric '" + group + ":" + name + "' is registered already";
            return nullptr;
        }
    auto& f = families_.emplace_back();
    f.group = std::move(group);
    f.name = std::move(name);
    f.kind = kind;
    f.help = std::move(help);
    f.labels = std::move(labels);
    f.read = read;
    f.read_data = read_data;
    f.root.family = &f;
    return &f;
}

metric_series* metric_registry::series(metric_family& family, const std::vector<std::string_view>& values) {
    if (family.labels.empty() || values.size() != family.labels.size())
        return nullptr;
    std::lock_guard lock(family.series_mutex);
    for (auto& s : family.labelled)
        if (std::equal(s.label_values.begin(), s.label_values.end(), values.begin(), values.end()))
            return &s;
    auto& s = family.labelled.emplace_back();
    s.family = &family;
    s.label_values.assign(values.begin(), values.end());
    return &s;
}

const metric_family* metric_registry::find(std::string_view full_name) const {
    std::lock_guard lock(mutex_);
    for (const auto& f : families_)
        if (full_name.size() == f.group.size() + 1 + f.name.size() && full_name.starts_with(f.group) &&
            full_name[f.group.size()] == ':' && full_name.ends_with(f.name))
            return &f;
    return nullptr;
}

std::vector<metric_sample> metric_registry::snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<metric_sample> samples;
    for (const auto& f : families_) {
        if (f.labels.empty()) {
            samples.push_back({&f, {}, f.value_of(f.root)});
            continue;
        }
        std::lock_guard series_lock(f.series_mutex);
        for (const auto& s : f.labelled)
            samples.push_back({&f, s.label_values, f.value_of(s)});
    }
    return samples;
}

void metric_registry::reset() {
    std::lock_guard lock(mutex_);
    families_.clear();
}

} // namespace siphost::core
