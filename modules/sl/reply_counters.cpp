#include "reply_counters.hpp"

#include <cstdio>

namespace siphost::modules::sl {
namespace {

constexpr int single_codes[13] = {200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500};

} // namespace

bool reply_counters::register_all(const siphost_host_api* host) {
    host_ = host;
    char name[32];
    for (int i = 0; i < 6; ++i) {
        std::snprintf(name, sizeof name, "%dxx_replies", i + 1);
        if ((class_[i] = host->counter_register("sl", name)) == nullptr)
            return false;
    }
    for (size_t i = 0; i < sizeof single_codes / sizeof single_codes[0]; ++i) {
        std::snprintf(name, sizeof name, "%d_replies", single_codes[i]);
        if ((single_[i] = host->counter_register("sl", name)) == nullptr)
            return false;
    }
    sent_ = host->counter_register("sl", "sent_replies");
    sent_err_ = host->counter_register("sl", "sent_err_replies");
    failures_ = host->counter_register("sl", "failures");
    acks_ = host->counter_register("sl", "received_ACKs");
    return sent_ != nullptr && sent_err_ != nullptr && failures_ != nullptr && acks_ != nullptr;
}

int64_t* reply_counters::counter_for_code(int code) const {
    for (size_t i = 0; i < sizeof single_codes / sizeof single_codes[0]; ++i)
        if (single_codes[i] == code)
            return single_[i];
    int reply_class = code / 100;
    return reply_class >= 1 && reply_class <= 6 ? class_[reply_class - 1] : nullptr;
}

void reply_counters::count_reply(int code) {
    if (host_ == nullptr)
        return;
    if (int64_t* counter = counter_for_code(code))
        host_->counter_add(counter, 1);
    host_->counter_add(sent_, 1);
    if (code >= 300)
        host_->counter_add(sent_err_, 1);
}

void reply_counters::count_failure() {
    if (host_ != nullptr)
        host_->counter_add(failures_, 1);
}

void reply_counters::count_absorbed_ack() {
    if (host_ != nullptr)
        host_->counter_add(acks_, 1);
}

} // namespace siphost::modules::sl
