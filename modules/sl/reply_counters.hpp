#pragma once
// sl's statistics, named as Kamailio's: a reply counts once, in its own code's counter when it has one
// (200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500), else in its class counter
// ("4xx_replies" is every 4xx without a counter of its own; "1xx_replies" is what sl.stats calls xxx);
// sent_replies counts all, sent_err_replies the codes >= 300. The host keeps the values (metrics).

#include <siphost/module.h>

#include <cstdint>

namespace siphost::modules::sl {

class reply_counters {
public:
    /// Registers every counter with the host; false when the host refuses one.
    bool register_all(const siphost_host_api* host, siphost_module_handle* self);

    /// Counts one sent reply.
    void count_reply(int code);
    /// Counts a reply that could not be built or sent.
    void count_failure();
    /// Counts an ACK to one of sl's replies that was absorbed.
    void count_absorbed_ack();

    /// The number of replies sent with exactly this code (one of the single codes above), or -1 when sl has
    /// no counter of its own for it.
    int64_t code_count(int code) const;
    /// The number of replies of class 1..6 sent without a counter of their own.
    int64_t class_count(int reply_class) const;

private:
    siphost_metric* counter_for_code(int code) const;
    void add(siphost_metric* metric) const;
    int64_t value(const siphost_metric* metric) const;

    const siphost_host_api* host_ = nullptr;
    siphost_metric* class_[6] = {};      ///< 1xx .. 6xx without a counter of their own
    siphost_metric* single_[13] = {};    ///< single codes, in the order of single_codes
    siphost_metric* sent_ = nullptr;     ///< every sent reply
    siphost_metric* sent_err_ = nullptr; ///< sent replies >= 300
    siphost_metric* failures_ = nullptr; ///< replies that could not be sent
    siphost_metric* acks_ = nullptr;     ///< absorbed ACKs
};

} // namespace siphost::modules::sl
