#pragma once
// sl's statistics, named and counted as Kamailio 5.6.3's (measured with kamcmd): a reply counts once, in its
// own code's counter when it has one (200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500), else in
// its class counter ("4xx_replies" is every 4xx without a counter of its own), except that a provisional
// reply counts in "xxx_replies" (sl.stats' xxx) and "1xx_replies" stays 0; sent_replies counts all.
// sent_err_replies is registered and stays 0, as Kamailio's does (even after sl_reply_error()). The host
// keeps the values (metrics).

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
    /// The number of replies of class 2..6 sent without a counter of their own; class 1: every 1xx.
    int64_t class_count(int reply_class) const;

private:
    siphost_metric* counter_for_code(int code) const;
    void add(siphost_metric* metric) const;
    int64_t value(const siphost_metric* metric) const;

    const siphost_host_api* host_ = nullptr;
    siphost_metric* class_[6] = {};      ///< 1xx (never counted) .. 6xx without a counter of their own
    siphost_metric* provisional_ = nullptr; ///< xxx_replies: every 1xx
    siphost_metric* single_[13] = {};    ///< single codes, in the order of single_codes
    siphost_metric* sent_ = nullptr;     ///< every sent reply
    siphost_metric* sent_err_ = nullptr; ///< Kamailio's sent_err_replies: never counted
    siphost_metric* failures_ = nullptr; ///< replies that could not be sent
    siphost_metric* acks_ = nullptr;     ///< absorbed ACKs
};

} // namespace siphost::modules::sl
