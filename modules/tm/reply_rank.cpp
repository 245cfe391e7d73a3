#include "reply_rank.hpp"

namespace siphost::modules::tm {

int reply_rank(int code, bool local) noexcept {
    int rank;
    if (code >= 200 && code < 300)
        rank = 0;
    else if (code >= 600 && code < 700)
        rank = 1000;
    else if (code >= 300 && code < 400)
        rank = 2000;
    else if (code == 401 || code == 407 || code == 415 || code == 420 || code == 484)
        rank = 3000;
    else if (code >= 400 && code < 500)
        rank = 4000;
    else if (code >= 500 && code < 600)
        rank = 5000;
    else
        return 100000;
    // Within a class the lower code wins; a local reply only wins when nothing was received.
    return rank + code % 100 + (local ? 10000 : 0);
}

int pick_best_reply(std::span<const branch_outcome> outcomes) noexcept {
    int best = -1;
    int best_rank = 0;
    for (size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i].code < 200)
            continue;
        int rank = reply_rank(outcomes[i].code, outcomes[i].local);
        if (best < 0 || rank < best_rank) {
            best = static_cast<int>(i);
            best_rank = rank;
        }
    }
    return best;
}

} // namespace siphost::modules::tm
