#include "core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <memory>
#include <stdexcept>

namespace siphost::core {
namespace {

std::atomic<int> threshold{SIPHOST_LOG_WARN};
std::shared_ptr<spdlog::logger> logger;
log_target current_target = log_target::stderr_stream;
thread_local int thread_rank = 0;
thread_local std::string message_prefix;

spdlog::level::level_enum spdlog_level(int level) {
    if (level <= SIPHOST_LOG_CRIT)
        return spdlog::level::critical;
    switch (level) {
    case SIPHOST_LOG_ERR:
        return spdlog::level::err;
    case SIPHOST_LOG_WARN:
        return spdlog::level::warn;
    case SIPHOST_LOG_NOTICE:
    case SIPHOST_LOG_INFO:
        return spdlog::level::info;
    default:
        return spdlog::level::debug;
    }
}

int syslog_facility(std::string_view name) {
    struct named {
        std::string_view name;
        int value;
    };
    static constexpr std::array<named, 12> facilities{{{"LOG_DAEMON", LOG_DAEMON},
                                                       {"LOG_USER", LOG_USER},
                                                       {"LOG_LOCAL0", LOG_LOCAL0},
                                                       {"LOG_LOCAL1", LOG_LOCAL1},
                                                       {"LOG_LOCAL2", LOG_LOCAL2},
                                                       {"LOG_LOCAL3", LOG_LOCAL3},
                                                       {"LOG_LOCAL4", LOG_LOCAL4},
                                                       {"LOG_LOCAL5", LOG_LOCAL5},
                                                       {"LOG_LOCAL6", LOG_LOCAL6},
                                                       {"LOG_LOCAL7", LOG_LOCAL7},
                                                       {"LOG_SYSLOG", LOG_SYSLOG},
                                                       {"LOG_LOCAL", LOG_LOCAL0}}};
    for (const auto& f : facilities)
        if (f.name == name)
            return f.value;
    throw std::invalid_argument("unknown log_facility '" + std::string(name) + "'");
}

} // namespace

void configure_logging(const log_settings& settings) {
    threshold = settings.debug;
    current_target = settings.target;
    if (settings.target == log_target::stderr_stream) {
        logger =
            std::make_shared<spdlog::logger>("siphost", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else {
        logger = std::make_shared<spdlog::logger>(
            "siphost", std::make_shared<spdlog::sinks::syslog_sink_mt>(
                           settings.syslog_ident, LOG_PID, syslog_facility(settings.syslog_facility), true));
    }
    // The Kamailio shape is written by log_line; spdlog only adds the newline (and syslog its own header).
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::trace);
}

void configure_logging(std::shared_ptr<spdlog::sinks::sink> sink, int debug) {
    threshold = debug;
    current_target = log_target::syslog; // the shape without rank and pid
    logger = std::make_shared<spdlog::logger>("siphost", std::move(sink));
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::trace);
}

int log_threshold() {
    return threshold.load(std::memory_order_relaxed);
}
void set_log_threshold(int debug) {
    threshold = debug;
}
bool logging_to_stderr() {
    return current_target == log_target::stderr_stream;
}
void set_thread_rank(int rank) {
    thread_rank = rank;
}
void set_message_prefix(std::string_view prefix) {
    message_prefix.assign(prefix);
}
bool has_message_prefix() {
    return !message_prefix.empty();
}
std::string_view current_message_prefix() {
    return message_prefix;
}

std::string_view level_name(int level) {
    switch (level) {
    case SIPHOST_LOG_ALERT:
        return "ALERT";
    case SIPHOST_LOG_BUG:
        return "BUG";
    case -3:
    case SIPHOST_LOG_CRIT:
        return "CRITICAL";
    case SIPHOST_LOG_ERR:
        return "ERROR";
    case SIPHOST_LOG_WARN:
        return "WARNING";
    case SIPHOST_LOG_NOTICE:
        return "NOTICE";
    case SIPHOST_LOG_INFO:
        return "INFO";
    default:
        return level < SIPHOST_LOG_ALERT ? "ALERT" : "DEBUG";
    }
}

bool parse_level(std::string_view text, int& level) {
    if (text.starts_with("L_"))
        text.remove_prefix(2);
    struct named {
        std::string_view name;
        int value;
    };
    static constexpr std::array<named, 10> names{{{"ALERT", SIPHOST_LOG_ALERT},
                                                  {"BUG", SIPHOST_LOG_BUG},
                                                  {"CRIT2", -3},
                                                  {"CRIT", SIPHOST_LOG_CRIT},
                                                  {"ERR", SIPHOST_LOG_ERR},
                                                  {"WARN", SIPHOST_LOG_WARN},
                                                  {"NOTICE", SIPHOST_LOG_NOTICE},
                                                  {"INFO", SIPHOST_LOG_INFO},
                                                  {"DBG", SIPHOST_LOG_DBG},
                                                  {"DEBUG", SIPHOST_LOG_DBG}}};
    for (const auto& n : names) {
        if (n.name == text) {
            level = n.value;
            return true;
        }
    }
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return false;
    level = value;
    return true;
}

void log_line(int level, std::string_view prefix, std::string_view text) {
    if (!log_enabled(level))
        return;
    if (!logger)
        configure_logging(log_settings{threshold.load(), log_target::stderr_stream});
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    if (current_target == log_target::stderr_stream)
        logger->log(spdlog_level(level), "{:>2}({}) {}: {}{}{}", thread_rank, ::getpid(), level_name(level),
                    message_prefix, prefix, text);
    else
        logger->log(spdlog_level(level), "{}: {}{}{}", level_name(level), message_prefix, prefix, text);
}

void log_host(int level, std::string_view component, std::string_view text) {
    if (!log_enabled(level))
        return;
    std::string prefix;
    if (!component.empty()) {
        prefix.reserve(component.size() + 2);
        prefix.append(component).append(": ");
    }
    log_line(level, prefix, text);
}

} // namespace siphost::core
