#pragma once
// Logging in Kamailio's shapes, on spdlog.
//
// To stderr:  " 1(5269) ERROR: <script>: text"   (rank, pid, level, then the module's own prefix)
// To syslog:  "siphost[5269]: ERROR: <script>: text"
// Levels and their numbers are Kamailio's (siphost_log_level in module.h); `debug` sets the threshold.

#include <siphost/module.h>

#include <memory>
#include <string>
#include <string_view>

namespace spdlog::sinks {
class sink;
}

namespace siphost::core {

enum class log_target { stderr_stream, syslog };

struct log_settings {
    int debug = SIPHOST_LOG_WARN; ///< lines at levels above this are dropped (Kamailio's `debug`)
    log_target target = log_target::syslog;
    std::string syslog_facility = "LOG_DAEMON";
    std::string syslog_ident = "siphost";
};

/// Configures the process-wide logger; call on the main thread before workers start. Throws on a bad
/// facility.
void configure_logging(const log_settings& settings);

/// Sends every line, in syslog's shape ("ERROR: <script>: text"), to sink instead: for a program that
/// embeds the host's libraries and keeps the lines itself (the interpreter's tests read them back).
void configure_logging(std::shared_ptr<spdlog::sinks::sink> sink, int debug);

/// The level threshold in force (may be changed at run time).
int log_threshold();
void set_log_threshold(int debug);
/// True when lines go to stderr (log_stderror=yes or -E), false for syslog.
bool logging_to_stderr();

inline bool log_enabled(int level) {
    return level <= log_threshold();
}

/// The Kamailio name of a level: "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "CRITICAL", "BUG", "ALERT".
std::string_view level_name(int level);

/// Parses "L_ERR", "ERR", "-1", ... into a level; false when unknown.
bool parse_level(std::string_view text, int& level);

/// The rank shown on stderr: 0 for the main thread, 1.. for workers (set by each worker at start).
void set_thread_rank(int rank);

/// The per-message prefix (Kamailio's log_prefix, evaluated once per received message) for lines logged on
/// this thread until it is cleared; it stands after the level.
void set_message_prefix(std::string_view prefix);
/// True while a message prefix is set on this thread.
bool has_message_prefix();
/// The message prefix set on this thread (empty when none).
std::string_view current_message_prefix();

/// Writes one line; `prefix` is what stands after the level ("<script>: ", "tm: ", or empty).
void log_line(int level, std::string_view prefix, std::string_view text);

/// Convenience for host code: "<prefix>: text" with prefix = a component name.
void log_host(int level, std::string_view component, std::string_view text);

} // namespace siphost::core
