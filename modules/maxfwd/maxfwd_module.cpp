// maxfwd: the Max-Forwards header (Kamailio's maxfwd module).
//
//   mf_process_maxfwd_header(N)  2: no header, "Max-Forwards: N" added; 1: header > 0; -1: header is 0 (the
//                                script answers 483); -2: the header is malformed
//   is_maxfwd_lt(N)              1: header < N; -1: header >= N; -2: no header; -3: malformed
//   modparam max_limit (70)      a received value above it is relayed as max_limit - 1
//
// Kamailio decrements the header in mf_process_maxfwd_header(); siphost's host decrements Max-Forwards when
// it builds the request it relays (build_request), so this module only checks the value. Where the relayed
// value must be something else (the header was missing, or above max_limit) it says so with
// host->msg_set_max_forwards, which the host writes as it is.
#include <siphost/module.hpp>

#include <memory>
#include <string_view>

namespace siphost::modules::maxfwd {
namespace {

const char module_name[] = "maxfwd";

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
int32_t max_limit_ = 70;

constexpr int max_forwards_cap = 255; // RFC 3261 20.22 suggests 70; larger values are clamped

enum class reading { absent, malformed, present };

/// The received Max-Forwards value, where it lies in msg_raw, and whether it is there at all.
reading read_max_forwards(const siphost_msg* msg, int& value, std::string_view& text) {
    siphost_str raw_value{nullptr, 0};
    if (host_->msg_header(msg, sdk::str("Max-Forwards"), 0, &raw_value) != 1)
        return reading::absent;
    text = sdk::trim(sdk::view(raw_value));
    uint64_t number = 0;
    if (!sdk::parse_uint(text, number, 1u << 31))
        return reading::malformed;
    value = number > static_cast<uint64_t>(max_forwards_cap) ? max_forwards_cap : static_cast<int>(number);
    return reading::present;
}

/// Makes the request go out with this Max-Forwards value (not the received one decremented).
bool relay_with(siphost_msg* msg, uint32_t value) {
    return host_->msg_set_max_forwards(msg, value) == 0;
}

std::unique_ptr<int> fix_limit(const siphost_value* args, const int* constant) {
    if (constant[0]) {
        int64_t limit = 0;
        if (!sdk::arg_int(args[0], limit) || limit < 1 || limit > 256)
            throw sdk::config_error("the Max-Forwards value must be a number from 1 to 256");
    }
    return nullptr;
}

int cmd_process_maxfwd(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t initial = 0;
    if (!sdk::arg_int(args[0], initial) || initial < 1 || initial > 256)
        return -2;
    int value = 0;
    std::string_view text;
    switch (read_max_forwards(msg, value, text)) {
    case reading::absent:
        return relay_with(msg, static_cast<uint32_t>(initial)) ? 2 : -2;
    case reading::malformed:
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "malformed Max-Forwards header");
        return -2;
    case reading::present:
        break;
    }
    if (value == 0)
        return -1;
    if (value > max_limit_ && !relay_with(msg, static_cast<uint32_t>(max_limit_ - 1)))
        return -2;
    return 1;
}

int cmd_is_maxfwd_lt(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t limit = 0;
    if (!sdk::arg_int(args[0], limit))
        return -3;
    int value = 0;
    std::string_view text;
    switch (read_max_forwards(msg, value, text)) {
    case reading::absent:
        return -2;
    case reading::malformed:
        return -3;
    case reading::present:
        break;
    }
    return value < limit ? 1 : -1;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    if (max_limit_ < 1 || max_limit_ > 256) {
        sdk::write_error(err, err_size, "max_limit must be from 1 to 256");
        return -1;
    }
    return 0;
}

const siphost_command commands[] = {
    sdk::command("mf_process_maxfwd_header", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_process_maxfwd, -2>,
                 {SIPHOST_ARG_INT}, sdk::fixup<&fix_limit>, nullptr,
                 "adds Max-Forwards when missing; false when it is 0"),
    sdk::command("is_maxfwd_lt", SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_BRANCH,
                 sdk::guarded<&cmd_is_maxfwd_lt, -3>, {SIPHOST_ARG_INT}, sdk::fixup<&fix_limit>, nullptr,
                 "Max-Forwards is below the given value"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("max_limit", &max_limit_, "upper limit of the forwarded Max-Forwards (default 70)"),
    sdk::end_of_params(),
};

const siphost_module descriptor = sdk::module(module_name, "1.0", commands, params, nullptr, init);

} // namespace
} // namespace siphost::modules::maxfwd

SIPHOST_MODULE(siphost::modules::maxfwd::descriptor)
