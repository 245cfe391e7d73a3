// xhttp_prom: Kamailio 5.6's xhttp_prom for siphost. GET /metrics, handed to event_route[xhttp:request] by
// xhttp, is answered by prom_dispatch() with Prometheus' text exposition format (version 0.0.4): the script's
// own metrics first, then the host's statistics that xhttp_prom_stats selects, all named with the
// xhttp_prom_beginning prefix ("kamailio_").
//
//   modparam xhttp_prom_stats ("" | all | group: | name), xhttp_prom_beginning, xhttp_prom_timeout (minutes),
//            xhttp_prom_buf_size (bytes, 0: no limit), prom_counter, prom_gauge, prom_histogram
//   prom_counter_reset(name[, l0[, l1[, l2]]]), prom_counter_inc(name, number[, l0..l2]),
//   prom_gauge_reset(name[, l0..l2]), prom_gauge_set(name, number[, l0..l2]),
//   prom_histogram_observe(name, number[, l0..l2]), prom_dispatch(), prom_check_uri()
//   RPC: xhttp_prom.counter_reset, counter_inc, gauge_reset, gauge_set, histogram_observe, metric_list_print
//
// Unlike Kamailio's, the statistics come with "# HELP" and "# TYPE" lines and label values are escaped, so
// that Prometheus' parsers read the page whatever the values hold.
#include "exposition.hpp"
#include "statistics_section.hpp"
#include "user_metrics.hpp"

#include <siphost/api/xhttp.h>
#include <siphost/module.hpp>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace siphost::modules::xhttp_prom {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
user_metrics metrics_;
statistics_selector selector_;
const char* stats_param_ = "";
const char* beginning_ = "kamailio_";
int32_t timeout_minutes_ = 60;
int32_t buf_size_ = 0;
const siphost_xhttp_api_v1* xhttp_ = nullptr; ///< found at the first prom_dispatch
std::once_flag hu_once_;
siphost_pv_spec* hu_ = nullptr; ///< xhttp's $hu, parsed at the first prom_check_uri

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

int declare(user_kind kind, const siphost_value* value, char* err, size_t err_size) {
    user_declaration declaration;
    std::string error;
    if (!parse_declaration(kind, sdk::arg_view(*value), declaration, error) ||
        !metrics_.declare(std::move(declaration), error)) {
        sdk::write_error(err, err_size, error);
        return -1;
    }
    return 0;
}

int set_counter(const char*, const siphost_value* v, char* e, size_t n) {
    return declare(user_kind::counter, v, e, n);
}
int set_gauge(const char*, const siphost_value* v, char* e, size_t n) {
    return declare(user_kind::gauge, v, e, n);
}
int set_histogram(const char*, const siphost_value* v, char* e, size_t n) {
    return declare(user_kind::histogram, v, e, n);
}

/// A float as Kamailio reads gauge values and observations ("-12.5", "2.8"); false on anything else.
bool parse_number(std::string_view text, double& out) {
    std::string copy(sdk::trim(text));
    if (copy.empty())
        return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtod(copy.c_str(), &end);
    return errno == 0 && end == copy.c_str() + copy.size() && std::isfinite(out);
}

int64_t wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// The whole page: the script's metrics, then the selected statistics.
std::string page() {
    exposition_writer out(wall_clock_ms());
    out.comment("User defined metrics");
    metrics_.write(out, beginning_, host_->now_ms());
    if (!selector_.none()) {
        out.blank_line();
        write_statistics(host_, selector_, beginning_, out);
    }
    return out.release();
}

std::string user_page() {
    exposition_writer out(wall_clock_ms());
    out.comment("User defined metrics");
    metrics_.write(out, beginning_, host_->now_ms());
    return out.release();
}

// ---- script functions ----

std::vector<std::string_view> label_values(const siphost_value* args, size_t first, size_t count) {
    std::vector<std::string_view> values;
    for (size_t i = first; i < count; ++i)
        values.push_back(sdk::arg_view(args[i]));
    return values;
}

int report(bool ok, const char* function, const std::string& error) {
    if (!ok)
        log(SIPHOST_LOG_ERR, std::string(function) + ": " + error);
    return ok ? 1 : -1;
}

template <size_t Count> int cmd_counter_reset(siphost_msg*, const siphost_value* args, void*) {
    std::string error;
    bool ok =
        metrics_.counter_reset(sdk::arg_view(args[0]), label_values(args, 1, Count), host_->now_ms(), error);
    return report(ok, "prom_counter_reset", error);
}

template <size_t Count> int cmd_gauge_reset(siphost_msg*, const siphost_value* args, void*) {
    std::string error;
    bool ok =
        metrics_.gauge_reset(sdk::arg_view(args[0]), label_values(args, 1, Count), host_->now_ms(), error);
    return report(ok, "prom_gauge_reset", error);
}

template <size_t Count> int cmd_counter_inc(siphost_msg*, const siphost_value* args, void*) {
    std::string error;
    int64_t number = 0;
    bool ok = sdk::arg_int(args[1], number);
    if (!ok)
        error = "'" + std::string(sdk::arg_view(args[1])) + "' is not an integer";
    else
        ok = metrics_.counter_inc(sdk::arg_view(args[0]), number, label_values(args, 2, Count),
                                  host_->now_ms(), error);
    return report(ok, "prom_counter_inc", error);
}

template <size_t Count> int cmd_gauge_set(siphost_msg*, const siphost_value* args, void*) {
    std::string error;
    double number = 0;
    bool ok = parse_number(sdk::arg_view(args[1]), number);
    if (!ok)
        error = "'" + std::string(sdk::arg_view(args[1])) + "' is not a number";
    else
        ok = metrics_.gauge_set(sdk::arg_view(args[0]), number, label_values(args, 2, Count), host_->now_ms(),
                                error);
    return report(ok, "prom_gauge_set", error);
}

template <size_t Count> int cmd_histogram_observe(siphost_msg*, const siphost_value* args, void*) {
    std::string error;
    double number = 0;
    bool ok = parse_number(sdk::arg_view(args[1]), number);
    if (!ok)
        error = "'" + std::string(sdk::arg_view(args[1])) + "' is not a number";
    else
        ok = metrics_.histogram_observe(sdk::arg_view(args[0]), number, label_values(args, 2, Count),
                                        host_->now_ms(), error);
    return report(ok, "prom_histogram_observe", error);
}

int cmd_dispatch(siphost_msg* msg, const siphost_value*, void*) {
    if (xhttp_ == nullptr) {
        const void* found = host_->api_lookup(SIPHOST_XHTTP_API_NAME, SIPHOST_XHTTP_API_MAJOR);
        xhttp_ = static_cast<const siphost_xhttp_api_v1*>(found);
        if (xhttp_ == nullptr || !SIPHOST_HAS(siphost_xhttp_api_v1, xhttp_, reply)) {
            xhttp_ = nullptr;
            log(SIPHOST_LOG_ERR, "prom_dispatch needs the xhttp module");
            return -1;
        }
    }
    std::string body = page();
    if (buf_size_ > 0 && body.size() > static_cast<size_t>(buf_size_)) {
        log(SIPHOST_LOG_ERR, "the metrics take " + std::to_string(body.size()) +
                                 " bytes, more than xhttp_prom_buf_size " + std::to_string(buf_size_));
        xhttp_->reply(msg, 500, sdk::str("Internal Server Error"), sdk::str("text/plain"),
                      sdk::str("metrics larger than xhttp_prom_buf_size\n"));
        return -1;
    }
    return xhttp_->reply(msg, 200, sdk::str("OK"), sdk::str("text/plain; version=0.0.4"), sdk::str(body)) > 0
               ? 1
               : -1;
}

/// Kamailio's check: the URL's path is /metrics (a query or a trailing slash may follow).
bool is_metrics_path(std::string_view url) {
    if (!url.starts_with("/metrics"))
        return false;
    std::string_view rest = url.substr(8);
    return rest.empty() || rest.front() == '?' || rest == "/" || rest.starts_with("/?");
}

int cmd_check_uri(siphost_msg* msg, const siphost_value*, void*) {
    std::call_once(hu_once_, [] {
        char err[256] = "";
        hu_ = host_->pv_parse(sdk::str("$hu"), err, sizeof err);
        if (hu_ == nullptr)
            log(SIPHOST_LOG_ERR, std::string("prom_check_uri needs xhttp's $hu: ") + err);
    });
    if (hu_ == nullptr)
        return -1;
    siphost_value url = sdk::null_value();
    if (host_->pv_get(hu_, msg, &url) != 0 || url.kind != SIPHOST_VALUE_STR)
        return -1;
    return is_metrics_path(sdk::view(url.str)) ? 1 : -1;
}

// ---- RPC ----

void fault(siphost_rpc_call* call, int code, std::string_view text) {
    host_->rpc->fault(call, code, sdk::str(text));
}

/// The parameters as text (numbers as their decimal text), at most 5.
std::vector<std::string> rpc_params(siphost_rpc_call* call) {
    std::vector<std::string> out;
    size_t count = host_->rpc->param_count(call);
    for (size_t i = 0; i < count && i < 6; ++i) {
        siphost_value v = sdk::null_value();
        host_->rpc->param(call, i, &v);
        out.push_back(v.kind == SIPHOST_VALUE_INT ? std::to_string(v.num) : std::string(sdk::arg_view(v)));
    }
    return out;
}

/// Checks the count (first mandatory, up to three labels after them); false after a fault.
bool check_count(siphost_rpc_call* call, const std::vector<std::string>& p, size_t mandatory,
                 const char* what) {
    if (p.size() < mandatory || p.size() > mandatory + 3) {
        fault(call, 400, std::string("Invalid parameters: ") + what);
        return false;
    }
    return true;
}

std::vector<std::string_view> rpc_labels(const std::vector<std::string>& p, size_t first) {
    return {p.begin() + static_cast<std::ptrdiff_t>(first), p.end()};
}

void finish(siphost_rpc_call* call, bool ok, const std::string& error) {
    if (!ok)
        fault(call, 500, error);
}

void rpc_counter_reset(siphost_rpc_call* call) {
    auto p = rpc_params(call);
    if (!check_count(call, p, 1, "name [l0 [l1 [l2]]]"))
        return;
    std::string error;
    finish(call, metrics_.counter_reset(p[0], rpc_labels(p, 1), host_->now_ms(), error), error);
}

void rpc_gauge_reset(siphost_rpc_call* call) {
    auto p = rpc_params(call);
    if (!check_count(call, p, 1, "name [l0 [l1 [l2]]]"))
        return;
    std::string error;
    finish(call, metrics_.gauge_reset(p[0], rpc_labels(p, 1), host_->now_ms(), error), error);
}

void rpc_counter_inc(siphost_rpc_call* call) {
    auto p = rpc_params(call);
    if (!check_count(call, p, 2, "name number [l0 [l1 [l2]]]"))
        return;
    int64_t number = 0;
    if (!sdk::arg_int(sdk::str_value(p[1]), number) || number < 0)
        return fault(call, 400, "Invalid parameters: '" + p[1] + "' is not a non-negative integer");
    std::string error;
    finish(call, metrics_.counter_inc(p[0], number, rpc_labels(p, 2), host_->now_ms(), error), error);
}

/// gauge_set and histogram_observe: "name number [labels]", number any real, applied by Update.
template <auto Update> void rpc_with_real(siphost_rpc_call* call) {
    auto p = rpc_params(call);
    if (!check_count(call, p, 2, "name number [l0 [l1 [l2]]]"))
        return;
    double number = 0;
    if (!parse_number(p[1], number))
        return fault(call, 400, "Invalid parameters: '" + p[1] + "' is not a number");
    std::string error;
    finish(call, (metrics_.*Update)(p[0], number, rpc_labels(p, 2), host_->now_ms(), error), error);
}

void rpc_metric_list_print(siphost_rpc_call* call) {
    std::string text = user_page();
    host_->rpc->add_str(host_->rpc->result(call), nullptr, sdk::str(text));
}

// ---- lifecycle ----

bool valid_prefix(std::string_view prefix) {
    return prefix.empty() || metric_name(prefix) == prefix;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    std::string error;
    if (timeout_minutes_ < 0) {
        sdk::write_error(err, err_size, "xhttp_prom_timeout must not be negative");
        return -1;
    }
    if (buf_size_ < 0) {
        sdk::write_error(err, err_size, "xhttp_prom_buf_size must not be negative");
        return -1;
    }
    const char* beginning = beginning_ != nullptr ? beginning_ : "";
    if (!valid_prefix(beginning)) {
        sdk::write_error(err, err_size,
                         "xhttp_prom_beginning '" + std::string(beginning) +
                             "' cannot begin a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        return -1;
    }
    if (!selector_.parse(stats_param_ != nullptr ? stats_param_ : "", error)) {
        sdk::write_error(err, err_size, error);
        return -1;
    }
    if (!selector_.none() && !SIPHOST_HAS(siphost_host_api, host, metric_walk)) {
        sdk::write_error(err, err_size, "xhttp_prom_stats needs a host of ABI 1.3 (metric_walk)");
        return -1;
    }
    metrics_.set_timeout_minutes(timeout_minutes_);
    return 0;
}

void destroy() {
    metrics_.clear();
    selector_ = statistics_selector{};
    if (hu_ != nullptr && host_ != nullptr)
        host_->pv_free(hu_);
    hu_ = nullptr;
    xhttp_ = nullptr;
    stats_param_ = "";
    beginning_ = "kamailio_";
    timeout_minutes_ = 60;
    buf_size_ = 0;
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
constexpr uint32_t http = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_EVENT;
constexpr auto S = SIPHOST_ARG_STRING;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("prom_counter_reset", any, guarded<&cmd_counter_reset<1>>, {S}),
    command("prom_counter_reset", any, guarded<&cmd_counter_reset<2>>, {S, S}),
    command("prom_counter_reset", any, guarded<&cmd_counter_reset<3>>, {S, S, S}),
    command("prom_counter_reset", any, guarded<&cmd_counter_reset<4>>, {S, S, S, S}, nullptr, nullptr,
            "sets a counter (name, label values) to 0"),
    command("prom_gauge_reset", any, guarded<&cmd_gauge_reset<1>>, {S}),
    command("prom_gauge_reset", any, guarded<&cmd_gauge_reset<2>>, {S, S}),
    command("prom_gauge_reset", any, guarded<&cmd_gauge_reset<3>>, {S, S, S}),
    command("prom_gauge_reset", any, guarded<&cmd_gauge_reset<4>>, {S, S, S, S}, nullptr, nullptr,
            "sets a gauge (name, label values) to 0"),
    command("prom_counter_inc", any, guarded<&cmd_counter_inc<2>>, {S, S}),
    command("prom_counter_inc", any, guarded<&cmd_counter_inc<3>>, {S, S, S}),
    command("prom_counter_inc", any, guarded<&cmd_counter_inc<4>>, {S, S, S, S}),
    command("prom_counter_inc", any, guarded<&cmd_counter_inc<5>>, {S, S, S, S, S}, nullptr, nullptr,
            "adds a non-negative integer to a counter (name, number, label values)"),
    command("prom_gauge_set", any, guarded<&cmd_gauge_set<2>>, {S, S}),
    command("prom_gauge_set", any, guarded<&cmd_gauge_set<3>>, {S, S, S}),
    command("prom_gauge_set", any, guarded<&cmd_gauge_set<4>>, {S, S, S, S}),
    command("prom_gauge_set", any, guarded<&cmd_gauge_set<5>>, {S, S, S, S, S}, nullptr, nullptr,
            "sets a gauge to a number (name, number, label values)"),
    command("prom_histogram_observe", any, guarded<&cmd_histogram_observe<2>>, {S, S}),
    command("prom_histogram_observe", any, guarded<&cmd_histogram_observe<3>>, {S, S, S}),
    command("prom_histogram_observe", any, guarded<&cmd_histogram_observe<4>>, {S, S, S, S}),
    command("prom_histogram_observe", any, guarded<&cmd_histogram_observe<5>>, {S, S, S, S, S}, nullptr,
            nullptr, "observes a number in a histogram (name, number, label values)"),
    command("prom_dispatch", http, guarded<&cmd_dispatch>, {}, nullptr, nullptr,
            "answers the HTTP request with the metrics (event_route[xhttp:request])"),
    command("prom_check_uri", http, guarded<&cmd_check_uri>, {}, nullptr, nullptr,
            "true when the HTTP request's path is /metrics"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("xhttp_prom_buf_size", &buf_size_, "the largest page in bytes (0: no limit)"),
    sdk::int_param("xhttp_prom_timeout", &timeout_minutes_,
                   "minutes after which an unused user metric is deleted (0: never; default 60)"),
    sdk::string_param("xhttp_prom_stats", &stats_param_, "statistics to show: all, group:, a name, or none"),
    sdk::string_param("xhttp_prom_beginning", &beginning_, "what every metric name begins with (kamailio_)"),
    sdk::setter_param("prom_counter", SIPHOST_PARAM_STRING, set_counter,
                      "declares a counter: name=..; label=a:b"),
    sdk::setter_param("prom_gauge", SIPHOST_PARAM_STRING, set_gauge, "declares a gauge: name=..; label=a:b"),
    sdk::setter_param("prom_histogram", SIPHOST_PARAM_STRING, set_histogram,
                      "declares a histogram: name=..; label=a:b; buckets=1:2.5"),
    sdk::end_of_params(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("xhttp_prom.counter_reset", rpc_counter_reset, "Set a counter to zero: name and label values.",
             "s"),
    sdk::rpc("xhttp_prom.counter_inc", rpc_counter_inc,
             "Add a number to a counter: name, number, label values.", "sd"),
    sdk::rpc("xhttp_prom.gauge_reset", rpc_gauge_reset, "Set a gauge to zero: name and label values.", "s"),
    sdk::rpc("xhttp_prom.gauge_set", rpc_with_real<&user_metrics::gauge_set>,
             "Set a gauge to a number: name, number, label values.", "ss"),
    sdk::rpc("xhttp_prom.histogram_observe", rpc_with_real<&user_metrics::histogram_observe>,
             "Observe a number in a histogram: name, number, label values.", "ss"),
    sdk::rpc("xhttp_prom.metric_list_print", rpc_metric_list_print, "List of all user defined metrics.", ""),
    sdk::end_of_rpcs(),
};

const char* const depends[] = {"xhttp", nullptr};

const siphost_module descriptor = sdk::module({.name = "xhttp_prom",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .rpcs = rpcs,
                                               .depends = depends,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::xhttp_prom

SIPHOST_MODULE(siphost::modules::xhttp_prom::descriptor)
