// CANCEL (RFC 3261 9.2 and 16.10): answered here with 200, then every branch of the INVITE that rings is
// cancelled; the others are cancelled as soon as they ring (reply.cpp). The INVITE ends upstream with the
// 487 the branches answer, or tm's own 487 when nothing downstream answered.
#include "tm.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::tm {

int handle_cancel(siphost_msg* cancel, const request_key& key) {
    auto invite = match_request(key, match_mode::cancel_target);
    if (!invite)
        return 0;
    if (auto own = new_transaction(cancel, key)) {
        std::unique_lock lock(own->mutex, std::adopt_lock);
        send_local_reply(*own, 200, "canceling");
    }
    std::lock_guard lock(invite->mutex);
    if (invite->final_sent)
        return 1; // too late: the INVITE is answered already
    invite->canceled = true;
    if (invite->branches.empty()) {
        send_local_reply(*invite, 487, "Request Terminated");
        return 1;
    }
    cancel_branches(*invite, -1);
    return 1;
}

} // namespace siphost::modules::tm
