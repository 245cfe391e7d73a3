#pragma once
// Which final reply of a forked request goes upstream (RFC 3261 16.7, with Kamailio's order).

#include <cstddef>
#include <span>

namespace siphost::modules::tm {

/// The final reply one branch ended with.
struct branch_outcome {
    int code = 0;        ///< 0 while the branch has no final reply
    bool local = false;  ///< made by tm (a timeout), not received
};

/// Lower is better: 2xx, then 6xx, 3xx, 4xx (401, 407, 415, 420 and 484 first), 5xx; a reply tm made itself
/// ranks below every received one of its class order. Codes outside 200..699 rank last.
int reply_rank(int code, bool local) noexcept;

/// The index of the best final reply among outcomes, or -1 when none has one.
int pick_best_reply(std::span<const branch_outcome> outcomes) noexcept;

} // namespace siphost::modules::tm
