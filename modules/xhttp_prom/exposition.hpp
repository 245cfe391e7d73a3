#pragma once
// Prometheus' text exposition format, version 0.0.4: what GET /metrics answers. One family is a "# HELP"
// line, a "# TYPE" line and its samples; label values and help text are escaped as the format asks, and every
// metric name is made of the characters the format allows.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace siphost::modules::xhttp_prom {

/// One label of a sample.
using label = std::pair<std::string_view, std::string_view>;

/// A metric name as the format allows it ([a-zA-Z_:][a-zA-Z0-9_:]*): every other character (Kamailio's "-",
/// siphost's "." in counters' names) becomes '_', and a leading digit gets a '_' before it.
std::string metric_name(std::string_view text);

/// A label value escaped for inside the quotes: backslash, double quote and line feed.
std::string escape_label_value(std::string_view text);

/// Help text escaped for a "# HELP" line: backslash and line feed.
std::string escape_help(std::string_view text);

/// A float as Kamailio's xhttp_prom prints gauges, sums and bucket bounds ("%f": 5.200000); +Inf, -Inf and
/// NaN as the format spells them.
std::string format_double(double value);

/// Writes a text exposition into one string.
class exposition_writer {
public:
    /// timestamp_ms: appended to every sample as Kamailio does (0: none).
    explicit exposition_writer(int64_t timestamp_ms = 0) : timestamp_ms_(timestamp_ms) {}

    /// A "# text" comment line (Kamailio's "# User defined metrics").
    void comment(std::string_view text);
    /// "# HELP" (when help is not empty) and "# TYPE" for the family name (type: counter, gauge, histogram).
    void family(std::string_view name, std::string_view type, std::string_view help);
    /// One sample: name{labels} value [timestamp].
    void sample(std::string_view name, const std::vector<label>& labels, std::string_view value);
    void sample(std::string_view name, const std::vector<label>& labels, int64_t value);
    /// A histogram's series: name_bucket for each bound (cumulative counts, +Inf last), name_sum, name_count.
    void histogram(std::string_view name, const std::vector<label>& labels, const std::vector<double>& bounds,
                   const std::vector<uint64_t>& cumulative, double sum, uint64_t count);
    /// A blank line between sections (the format ignores it).
    void blank_line() { text_ += '\n'; }

    const std::string& text() const { return text_; }
    std::string release() { return std::move(text_); }

private:
    std::string text_;
    int64_t timestamp_ms_;
};

} // namespace siphost::modules::xhttp_prom
