#pragma once
// Counters and gauges that modules (and later the core) register, readable while siphost runs: what
// statistics RPCs and the Prometheus endpoint report, and what the shutdown line prints. A metric is named
// "group:name" as Kamailio names statistics (the group is the module). A labelled metric is a family of
// series, one per set of label values.

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::core {

enum class metric_kind : uint8_t { counter = 1, gauge = 2 };

struct metric_family;

/// One series: what the ABI's siphost_metric handle points at.
struct metric_series {
    metric_family* family = nullptr;
    std::vector<std::string> label_values; ///< empty for an unlabelled metric
    std::atomic<int64_t> value{0};
};

struct metric_family {
    std::string group; ///< the module
    std::string name;
    metric_kind kind = metric_kind::counter;
    std::string help;
    std::vector<std::string> labels;
    int64_t (*read)(void*) = nullptr; ///< a callback gauge
    void* read_data = nullptr;
    metric_series root;              ///< the series of an unlabelled metric
    mutable std::mutex series_mutex; ///< guards labelled
    std::deque<metric_series> labelled;

    std::string full_name() const { return group + ":" + name; }
    int64_t value_of(const metric_series& s) const {
        return read != nullptr ? read(read_data) : s.value.load(std::memory_order_relaxed);
    }
};

/// One value as read at one moment.
struct metric_sample {
    const metric_family* family;
    std::vector<std::string> label_values;
    int64_t value;
};

class metric_registry {
public:
    static metric_registry& instance();

    /// A new metric; nullptr with a reason when the name is taken or not a name.
    metric_family* add(std::string group, std::string name, metric_kind kind, std::string help,
                       std::vector<std::string> labels, int64_t (*read)(void*), void* read_data,
                       std::string& error);
    /// The series of a labelled family for these values (made on first use); nullptr when the count is wrong.
    metric_series* series(metric_family& family, const std::vector<std::string_view>& values);
    /// The family called "group:name", or nullptr.
    const metric_family* find(std::string_view full_name) const;
    /// Every series of every metric, in registration order.
    std::vector<metric_sample> snapshot() const;
    /// Forgets every metric (between tests, and after the modules that registered them are gone).
    void reset();

private:
    mutable std::mutex mutex_;
    std::deque<metric_family> families_; ///< deque: handles given to modules stay valid
};

} // namespace siphost::core
