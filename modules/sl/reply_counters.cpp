#include "reply_counters.hpp"

#include <cstdio>

namespace siphost::modules::sl {
namespace {

constexpr int single_codes[13] = {200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500};

/// Metric names must outlive registration only (the host copies them), help texts likewise.
siphost_metric* register_counter(const siphost_host_api* host, siphost_module_handle* self, const char* name,
                                 const char* help) {
    siphost_metric_desc desc{};
    desc.struct_size = sizeof desc;
    desc.name = name;
    desc.kind = SIPHOST_METRIC_COUNTER;
    desc.help = help;
    return host->metrics->metric_register(self, &desc);
}

} // namespace

bool reply_counters::register_all(const siphost_host_api* host, siphost_module_handle* self) {
    host_ = host;
    char name[32];
    for (int i = 0; i < 6; ++i) {
        std::snprintf(name, sizeof name, "%dxx_replies", i + 1);
        if ((class_[i] = register_counter(
                 host, self, name, "stateless replies of this class without a counter of their own")) ==
            nullptr)
            return false;
    }
    for (size_t i = 0; i < sizeof single_codes / sizeof single_codes[0]; ++i) {
        std::snprintf(name, sizeof name, "%d_replies", single_codes[i]);
        if ((single_[i] = register_counter(host, self, name, "stateless replies with this code")) == nullptr)
            return false;
    }
    provisional_ = register_counter(host, self, "xxx_replies", "stateless provisional (1xx) replies");
    sent_ = register_counter(host, self, "sent_replies", "stateless replies sent");
    sent_err_ = register_counter(host, self, "sent_err_replies", "always 0, as in Kamailio 5.6");
    failures_ = register_counter(host, self, "failures", "stateless replies that could not be sent");
    acks_ = register_counter(host, self, "received_ACKs", "ACKs to stateless replies absorbed");
    return provisional_ != nullptr && sent_ != nullptr && sent_err_ != nullptr && failures_ != nullptr &&
           acks_ != nullptr;
}

siphost_metric* reply_counters::counter_for_code(int code) const {
    for (size_t i = 0; i < sizeof single_codes / sizeof single_codes[0]; ++i)
        if (single_codes[i] == code)
            return single_[i];
    int reply_class = code / 100;
    if (reply_class == 1)
        return provisional_;
    return reply_class >= 2 && reply_class <= 6 ? class_[reply_class - 1] : nullptr;
}

void reply_counters::add(siphost_metric* metric) const {
    if (host_ != nullptr && metric != nullptr)
        host_->metrics->metric_add(metric, 1);
}

int64_t reply_counters::value(const siphost_metric* metric) const {
    return host_ != nullptr && metric != nullptr ? host_->metrics->metric_value(metric) : 0;
}

void reply_counters::count_reply(int code) {
    add(counter_for_code(code));
    add(sent_);
}

void reply_counters::count_failure() {
    add(failures_);
}

void reply_counters::count_absorbed_ack() {
    add(acks_);
}

int64_t reply_counters::code_count(int code) const {
    for (size_t i = 0; i < sizeof single_codes / sizeof single_codes[0]; ++i)
        if (single_codes[i] == code)
            return value(single_[i]);
    return -1;
}

int64_t reply_counters::class_count(int reply_class) const {
    if (reply_class == 1)
        return value(provisional_);
    return reply_class >= 2 && reply_class <= 6 ? value(class_[reply_class - 1]) : 0;
}

} // namespace siphost::modules::sl
