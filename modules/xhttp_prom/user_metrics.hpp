#pragma once
// The metrics a script declares with the prom_counter, prom_gauge and prom_histogram modparams and changes
// with the prom_* functions and the xhttp_prom.* RPCs. As in Kamailio, a declaration makes no series: a
// series (one per set of label values) exists from its first use, and one not used for `timeout` minutes is
// deleted (listing it is not a use). Thread-safe: workers and RPC threads share it.

#include "exposition.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::xhttp_prom {

enum class user_kind { counter, gauge, histogram };

/// One declaration, as prom_counter/prom_gauge/prom_histogram give it.
struct user_declaration {
    user_kind kind = user_kind::counter;
    std::string name;
    std::vector<std::string> labels; ///< at most three
    std::vector<double> buckets;     ///< a histogram's upper bounds, increasing, without +Inf
};

/// Parses "name=cnt01; label=method:IP; buckets=1:2.5" (buckets for a histogram only). False with the reason.
bool parse_declaration(user_kind kind, std::string_view text, user_declaration& out, std::string& error);

/// Kamailio's default buckets.
const std::vector<double>& default_buckets();

class user_metrics {
public:
    /// Adds a declaration; false with the reason when the name is taken.
    bool declare(user_declaration declaration, std::string& error);
    /// Minutes a series may go unused before it is deleted (0: never).
    void set_timeout_minutes(int64_t minutes) { timeout_ms_ = minutes * 60000; }

    /// Each is false with the reason (an undeclared name, the wrong number of label values, a bad number).
    bool counter_reset(std::string_view name, const std::vector<std::string_view>& values, uint64_t now_ms,
                       std::string& error);
    bool counter_inc(std::string_view name, int64_t number, const std::vector<std::string_view>& values,
                     uint64_t now_ms, std::string& error);
    bool gauge_reset(std::string_view name, const std::vector<std::string_view>& values, uint64_t now_ms,
                     std::string& error);
    bool gauge_set(std::string_view name, double number, const std::vector<std::string_view>& values,
                   uint64_t now_ms, std::string& error);
    bool histogram_observe(std::string_view name, double number, const std::vector<std::string_view>& values,
                           uint64_t now_ms, std::string& error);

    /// Writes every series in use, in declaration order, with prefix before each name; deletes the expired.
    void write(exposition_writer& out, std::string_view prefix, uint64_t now_ms);

    /// Forgets every declaration and series (module destroy, between tests).
    void clear();

private:
    struct series {
        std::vector<std::string> values;
        int64_t count = 0;             ///< a counter's value, a histogram's count
        double number = 0;             ///< a gauge's value, a histogram's sum
        std::vector<uint64_t> buckets; ///< a histogram's per-bucket counts (not cumulative)
        uint64_t last_used_ms = 0;
    };
    struct metric {
        user_declaration declaration;
        std::vector<series> series_list;
    };

    /// The series of name for values (made on first use); nullptr with the reason.
    series* use(user_kind kind, std::string_view name, const std::vector<std::string_view>& values,
                uint64_t now_ms, std::string& error);
    void expire(uint64_t now_ms);

    std::mutex mutex_;
    std::vector<metric> metrics_;
    int64_t timeout_ms_ = 60 * 60000;
};

} // namespace siphost::modules::xhttp_prom
