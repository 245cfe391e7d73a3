#pragma once
// sl's counters, named as Kamailio's sl statistics: a reply counts once, in its own code's counter when it
// has one (200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500), else in its class counter
// ("4xx_replies" is every 4xx without a counter of its own); sent_replies counts all, sent_err_replies the
// codes >= 300.

#include <siphost/module.h>

#include <cstdint>

namespace siphost::modules::sl {

class reply_counters {
public:
    /// Registers every counter with the host; false when the host refuses one.
    bool register_all(const siphost_host_api* host);

    /// Counts one sent reply.
    void count_reply(int code);
    /// Counts a reply that could not be built or sent.
    void count_failure();
    /// Counts an ACK to one of sl's replies that was absorbed.
    void count_absorbed_ack();

private:
    int64_t* counter_for_code(int code) const;

    const siphost_host_api* host_ = nullptr;
    int64_t* class_[6] = {};      ///< 1xx .. 6xx without a counter of their own
    int64_t* single_[13] = {};    ///< single codes, in the order of single_codes
    int64_t* sent_ = nullptr;     ///< every sent reply
    int64_t* sent_err_ = nullptr; ///< sent replies >= 300
    int64_t* failures_ = nullptr; ///< replies that could not be sent
    int64_t* acks_ = nullptr;     ///< absorbed ACKs
};

} // namespace siphost::modules::sl
