#pragma once
// The script counters the config declares (modparam script_counter), each a counter metric of the host.

#include <siphost/module.h>

#include <deque>
#include <map>
#include <string>
#include <string_view>

namespace siphost::modules::counters {

/// One declared counter: Kamailio's group.name, its help line, and the host metric that holds its value.
struct script_counter {
    std::string group; ///< empty until finish(): the default group
    std::string name;
    std::string description;
    siphost_metric* metric = nullptr;

    /// The metric's name under the module: "group.name".
    std::string metric_name() const { return group + "." + name; }
};

/// The declared counters, registered with the host at init and read-only from then on (so any thread may
/// look them up without a lock).
class counter_table {
public:
    /// Adds a declaration "[group.]name[( |:)description]"; false with the reason.
    bool declare(std::string_view text, std::string& error);

    /// Gives undeclared groups default_group and registers every counter as a host metric (during init).
    bool finish(std::string_view default_group, const siphost_host_api* host, siphost_module_handle* self,
                std::string& error);

    /// The counter "group.name", or "name" in the default group; nullptr when none.
    const script_counter* find(std::string_view name) const;
    /// The counter group.name; nullptr when none.
    const script_counter* find(std::string_view group, std::string_view name) const;
    /// The counter whose metric is called metric_name ("group.name"); nullptr when none.
    const script_counter* find_metric(std::string_view metric_name) const;

    const std::deque<script_counter>& all() const { return counters_; }
    /// Forgets every counter (at destroy; modparams of a later start declare them again).
    void clear();

private:
    std::deque<script_counter> counters_; ///< deque: pointers handed out stay valid
    std::map<std::string, const script_counter*, std::less<>> by_name_; ///< "group.name"
    std::string default_group_;
};

/// A group or counter name: letters, digits, '_' and '-'.
bool valid_name(std::string_view name);

} // namespace siphost::modules::counters
