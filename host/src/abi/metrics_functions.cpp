// The metrics sub-table over core::metric_registry. The ABI's siphost_metric is a core::metric_series.
#include "abi/host_table.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "plugin/loaded_module.hpp"

#include <algorithm>

namespace siphost::abi {
namespace {

core::metric_series* series(siphost_metric* m) {
    return reinterpret_cast<core::metric_series*>(m);
}
const core::metric_series* series(const siphost_metric* m) {
    return reinterpret_cast<const core::metric_series*>(m);
}
siphost_metric* handle(core::metric_series* s) {
    return reinterpret_cast<siphost_metric*>(s);
}

siphost_metric* metric_register(siphost_module_handle* self, const siphost_metric_desc* desc) {
    if (self == nullptr || desc == nullptr || desc->struct_size < offsetof(siphost_metric_desc, reserved) ||
        desc->name == nullptr || (desc->kind != SIPHOST_METRIC_COUNTER && desc->kind != SIPHOST_METRIC_GAUGE))
        return nullptr;
    std::vector<std::string> labels;
    for (size_t i = 0; desc->labels != nullptr && desc->labels[i] != nullptr && i < 16; ++i)
        labels.emplace_back(desc->labels[i]);
    std::string error;
    auto* family = core::metric_registry::instance().add(
        self->name, desc->name,
        desc->kind == SIPHOST_METRIC_GAUGE ? core::metric_kind::gauge : core::metric_kind::counter,
        desc->help != nullptr ? desc->help : "", std::move(labels), desc->read, desc->read_data, error);
    if (family == nullptr) {
        core::log_host(SIPHOST_LOG_ERR, self->name, error);
        return nullptr;
    }
    return handle(&family->root);
}

siphost_metric* metric_labels(siphost_metric* family, const siphost_str* values, size_t count) {
    if (family == nullptr || (values == nullptr && count != 0))
        return nullptr;
    std::vector<std::string_view> label_values;
    for (size_t i = 0; i < count; ++i)
        label_values.emplace_back(values[i].s == nullptr ? "" : values[i].s, values[i].len);
    return handle(core::metric_registry::instance().series(*series(family)->family, label_values));
}

void metric_add(siphost_metric* metric, int64_t delta) {
    if (metric != nullptr)
        series(metric)->value.fetch_add(delta, std::memory_order_relaxed);
}

void metric_set(siphost_metric* metric, int64_t value) {
    if (metric != nullptr && series(metric)->family->kind == core::metric_kind::gauge)
        series(metric)->value.store(value, std::memory_order_relaxed);
}

int64_t metric_value(const siphost_metric* metric) {
    if (metric == nullptr)
        return 0;
    return series(metric)->family->value_of(*series(metric));
}

siphost_str view(const std::string& s) {
    return {s.data(), s.size()};
}

} // namespace

int metric_walk(int (*fn)(const siphost_metric_info* info, void* visit_data), void* visit_data) {
    if (fn == nullptr)
        return 0;
    // Values are read first and fn runs without the registry's lock, so that fn may read metrics itself.
    auto samples = core::metric_registry::instance().snapshot();
    std::stable_sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) {
        if (a.family->group != b.family->group)
            return a.family->group < b.family->group;
        if (a.family->name != b.family->name)
            return a.family->name < b.family->name;
        return a.label_values < b.label_values;
    });
    int visited = 0;
    std::vector<siphost_str> names;
    std::vector<siphost_str> values;
    for (const auto& sample : samples) {
        const auto& family = *sample.family;
        names.clear();
        values.clear();
        for (size_t i = 0; i < sample.label_values.size() && i < family.labels.size(); ++i) {
            names.push_back(view(family.labels[i]));
            values.push_back(view(sample.label_values[i]));
        }
        siphost_metric_info info{};
        info.struct_size = sizeof info;
        info.group = view(family.group);
        info.name = view(family.name);
        info.kind = family.kind == core::metric_kind::gauge ? SIPHOST_METRIC_GAUGE : SIPHOST_METRIC_COUNTER;
        info.label_count = static_cast<uint32_t>(names.size());
        info.help = view(family.help);
        info.label_names = names.data();
        info.label_values = values.data();
        info.value = sample.value;
        ++visited;
        if (fn(&info, visit_data) != 0)
            break;
    }
    return visited;
}

const siphost_metrics_api* metrics_table() {
    static const siphost_metrics_api table = [] {
        siphost_metrics_api t{};
        t.struct_size = sizeof t;
        t.metric_register = metric_register;
        t.metric_labels = metric_labels;
        t.metric_add = metric_add;
        t.metric_set = metric_set;
        t.metric_value = metric_value;
        return t;
    }();
    return &table;
}

} // namespace siphost::abi
