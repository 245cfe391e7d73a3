#include "user_metrics.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace siphost::modules::xhttp_prom {
namespace {

std::string_view trim(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    return v;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        size_t end = text.find(separator, start);
        parts.push_back(
            text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

bool valid_name(std::string_view name, bool allow_colon) {
    if (name.empty())
        return false;
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
                  (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

bool parse_bound(std::string_view text, double& out) {
    std::string copy(trim(text));
    if (copy.empty())
        return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtod(copy.c_str(), &end);
    return errno == 0 && end == copy.c_str() + copy.size() && std::isfinite(out);
}

const char* kind_name(user_kind kind) {
    switch (kind) {
    case user_kind::counter:
        return "counter";
    case user_kind::gauge:
        return "gauge";
    case user_kind::histogram:
        return "histogram";
    }
    return "metric";
}

} // namespace

const std::vector<double>& default_buckets() {
    static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    return buckets;
}

bool parse_declaration(user_kind kind, std::string_view text, user_declaration& out, std::string& error) {
    out = user_declaration{};
    out.kind = kind;
    bool have_labels = false;
    bool have_buckets = false;
    for (std::string_view part : split(text, ';')) {
        part = trim(part);
        if (part.empty())
            continue;
        size_t equals = part.find('=');
        if (equals == std::string_view::npos) {
            error = "'" + std::string(part) + "' is not attribute=value";
            return false;
        }
        std::string_view attribute = trim(part.substr(0, equals));
        std::string_view value = trim(part.substr(equals + 1));
        if (attribute == "name") {
            if (!out.name.empty()) {
                error = "name given twice";
                return false;
            }
            if (!valid_name(value, true)) {
                error = "'" + std::string(value) + "' is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)";
                return false;
            }
            out.name.assign(value);
        } else if (attribute == "label") {
            if (have_labels) {
                error = "only one label attribute is allowed";
                return false;
            }
            have_labels = true;
            for (std::string_view label : split(value, ':')) {
                if (!valid_name(label, false) || label.starts_with("__") || label == "le") {
                    error =
                        "'" + std::string(label) + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not le)";
                    return false;
                }
                if (std::find(out.labels.begin(), out.labels.end(), label) != out.labels.end()) {
                    error = "label '" + std::string(label) + "' given twice";
                    return false;
                }
                out.labels.emplace_back(label);
            }
            if (out.labels.size() > 3) {
                error = "at most three labels are allowed";
                return false;
            }
        } else if (attribute == "buckets" && kind == user_kind::histogram) {
            if (have_buckets) {
                error = "only one buckets attribute is allowed";
                return false;
            }
            have_buckets = true;
            for (std::string_view bound : split(value, ':')) {
                double number = 0;
                if (!parse_bound(bound, number)) {
                    error = "bucket '" + std::string(bound) + "' is not a number";
                    return false;
                }
                if (!out.buckets.empty() && number <= out.buckets.back()) {
                    error = "buckets must increase ('" + std::string(trim(bound)) + "' does not)";
                    return false;
                }
                out.buckets.push_back(number);
            }
        } else {
            error = "unknown attribute '" + std::string(attribute) + "' for a " + kind_name(kind);
            return false;
        }
    }
    if (out.name.empty()) {
        error = "the name attribute is mandatory";
        return false;
    }
    if (kind == user_kind::histogram && out.buckets.empty())
        out.buckets = default_buckets();
    return true;
}

bool user_metrics::declare(user_declaration declaration, std::string& error) {
    std::lock_guard lock(mutex_);
    for (const auto& m : metrics_)
        if (m.declaration.name == declaration.name) {
            error = "metric '" + declaration.name + "' is declared already";
            return false;
        }
    metrics_.push_back({std::move(declaration), {}});
    return true;
}

user_metrics::series* user_metrics::use(user_kind kind, std::string_view name,
                                        const std::vector<std::string_view>& values, uint64_t now_ms,
                                        std::string& error) {
    for (auto& m : metrics_) {
        if (m.declaration.name != name)
            continue;
        if (m.declaration.kind != kind) {
            error = "'" + std::string(name) + "' is a " + kind_name(m.declaration.kind) + ", not a " +
                    kind_name(kind);
            return nullptr;
        }
        if (values.size() != m.declaration.labels.size()) {
            error = "'" + std::string(name) + "' has " + std::to_string(m.declaration.labels.size()) +
                    " labels, " + std::to_string(values.size()) + " values given";
            return nullptr;
        }
        for (auto& s : m.series_list)
            if (std::equal(s.values.begin(), s.values.end(), values.begin(), values.end())) {
                s.last_used_ms = now_ms;
                return &s;
            }
        auto& s = m.series_list.emplace_back();
        s.values.assign(values.begin(), values.end());
        s.buckets.assign(m.declaration.buckets.size(), 0);
        s.last_used_ms = now_ms;
        return &s;
    }
    error = "no " + std::string(kind_name(kind)) + " '" + std::string(name) + "' (declare it with prom_" +
            kind_name(kind) + ")";
    return nullptr;
}

bool user_metrics::counter_reset(std::string_view name, const std::vector<std::string_view>& values,
                                 uint64_t now_ms, std::string& error) {
    std::lock_guard lock(mutex_);
    series* s = use(user_kind::counter, name, values, now_ms, error);
    if (s != nullptr)
        s->count = 0;
    return s != nullptr;
}

bool user_metrics::counter_inc(std::string_view name, int64_t number,
                               const std::vector<std::string_view>& values, uint64_t now_ms,
                               std::string& error) {
    if (number < 0) {
        error = "a counter only goes up: " + std::to_string(number) + " is negative";
        return false;
    }
    std::lock_guard lock(mutex_);
    series* s = use(user_kind::counter, name, values, now_ms, error);
    if (s != nullptr)
        s->count = number > INT64_MAX - s->count ? INT64_MAX : s->count + number;
    return s != nullptr;
}

bool user_metrics::gauge_reset(std::string_view name, const std::vector<std::string_view>& values,
                               uint64_t now_ms, std::string& error) {
    return gauge_set(name, 0, values, now_ms, error);
}

bool user_metrics::gauge_set(std::string_view name, double number,
                             const std::vector<std::string_view>& values, uint64_t now_ms,
                             std::string& error) {
    std::lock_guard lock(mutex_);
    series* s = use(user_kind::gauge, name, values, now_ms, error);
    if (s != nullptr)
        s->number = number;
    return s != nullptr;
}

bool user_metrics::histogram_observe(std::string_view name, double number,
                                     const std::vector<std::string_view>& values, uint64_t now_ms,
                                     std::string& error) {
    std::lock_guard lock(mutex_);
    series* s = use(user_kind::histogram, name, values, now_ms, error);
    if (s == nullptr)
        return false;
    for (auto& m : metrics_)
        if (m.declaration.name == name) {
            // The first bucket whose upper bound holds the value; above all of them only +Inf (count) has it.
            for (size_t i = 0; i < m.declaration.buckets.size(); ++i)
                if (number <= m.declaration.buckets[i]) {
                    ++s->buckets[i];
                    break;
                }
            break;
        }
    ++s->count;
    s->number += number;
    return true;
}

void user_metrics::expire(uint64_t now_ms) {
    if (timeout_ms_ <= 0)
        return;
    for (auto& m : metrics_)
        std::erase_if(m.series_list, [&](const series& s) {
            return now_ms > s.last_used_ms && now_ms - s.last_used_ms > static_cast<uint64_t>(timeout_ms_);
        });
}

void user_metrics::write(exposition_writer& out, std::string_view prefix, uint64_t now_ms) {
    std::lock_guard lock(mutex_);
    expire(now_ms);
    for (const auto& m : metrics_) {
        if (m.series_list.empty())
            continue;
        std::string name = std::string(prefix) + m.declaration.name;
        out.family(name, kind_name(m.declaration.kind), "");
        for (const auto& s : m.series_list) {
            std::vector<label> labels;
            for (size_t i = 0; i < s.values.size(); ++i)
                labels.push_back({m.declaration.labels[i], s.values[i]});
            switch (m.declaration.kind) {
            case user_kind::counter:
                out.sample(name, labels, s.count);
                break;
            case user_kind::gauge:
                out.sample(name, labels, format_double(s.number));
                break;
            case user_kind::histogram: {
                std::vector<uint64_t> cumulative;
                uint64_t running = 0;
                for (uint64_t n : s.buckets)
                    cumulative.push_back(running += n);
                out.histogram(name, labels, m.declaration.buckets, cumulative, s.number,
                              static_cast<uint64_t>(s.count));
                break;
            }
            }
        }
    }
}

void user_metrics::clear() {
    std::lock_guard lock(mutex_);
    metrics_.clear();
    timeout_ms_ = 60 * 60000;
}

} // namespace siphost::modules::xhttp_prom
