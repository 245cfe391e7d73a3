// The transaction timers (RFC 3261 17): one timer wheel for all of them, advanced by one periodic host
// timer. A timer is never taken out of the wheel: its transaction keeps a generation per timer and a timer
// whose generation is stale does nothing when it fires.
#include "tm.hpp"

#include <siphost/module.hpp>

#include <algorithm>

namespace siphost::modules::tm {
namespace {

void fire_branch_timer(transaction& t, const timer_entry& e) {
    tm_state& s = state();
    if (e.branch >= t.branches.size())
        return;
    branch& b = t.branches[e.branch];
    if (b.final)
        return;
    if (e.kind == timer_kind::final_response) {
        if (e.generation == b.final_generation)
            fail_branch_locally(t, e.branch, 408); // timer B / F: as if a 408 had come
        return;
    }
    if (e.generation != b.retransmit_generation || (t.invite && b.status >= 100))
        return;
    send_to(b.destination, b.request);
    count(s.metrics.retransmissions);
    // Timer A doubles each time; timer E doubles up to T2.
    uint32_t next = b.retransmit_interval * 2;
    if (!t.invite)
        next = std::min(next, static_cast<uint32_t>(s.params.retr_timer2));
    b.retransmit_interval = next;
    schedule(t, timer_kind::retransmit, next, e.branch, e.generation);
}

void fire(const timer_entry& e, uint64_t now_ms) {
    auto t = e.txn.lock();
    if (!t)
        return;
    tm_state& s = state();
    std::lock_guard lock(t->mutex);
    switch (e.kind) {
    case timer_kind::retransmit:
    case timer_kind::final_response:
        fire_branch_timer(*t, e);
        return;
    case timer_kind::upstream_retransmit: {
        if (e.generation != t->upstream_generation || t->acked)
            return;
        // Timer H: 64*T1 without an ACK ends the transaction.
        if (now_ms - t->final_sent_ms >= 64ull * static_cast<uint64_t>(s.params.retr_timer1)) {
            schedule_wait(*t);
            return;
        }
        resend_last_reply(*t);
        t->upstream_interval = std::min(t->upstream_interval * 2, static_cast<uint32_t>(s.params.retr_timer2));
        schedule(*t, timer_kind::upstream_retransmit, t->upstream_interval, 0, e.generation);
        return;
    }
    case timer_kind::wait:
        if (s.transactions.remove(*t)) {
            count(s.metrics.active, -1);
            count(s.metrics.waiting, -1);
        }
        return;
    case timer_kind::cancel_retransmit: {
        if (e.branch >= t->branches.size())
            return;
        branch& b = t->branches[e.branch];
        // Resent until answered; a final reply on the branch (the 487) ends it as well.
        if (b.cancel_answered || b.cancel.empty() || (b.final && !b.local) || now_ms >= b.cancel_deadline_ms)
            return;
        send_to(b.destination, b.cancel);
        count(s.metrics.retransmissions);
        b.cancel_interval = std::min(b.cancel_interval * 2, static_cast<uint32_t>(s.params.retr_timer2));
        schedule(*t, timer_kind::cancel_retransmit, b.cancel_interval, e.branch, 0);
        return;
    }
    case timer_kind::lifetime:
        if (!t->final_sent) {
            for (size_t i = 0; i < t->branches.size(); ++i)
                fail_branch_locally(*t, i, 408);
            if (!t->final_sent)
                send_local_reply(*t, 408, timeout_reason);
        }
        schedule_wait(*t);
        return;
    }
}

} // namespace

void schedule(transaction& t, timer_kind kind, uint32_t delay_ms, uint16_t branch, uint32_t generation) {
    tm_state& s = state();
    if (!s.wheel)
        return;
    s.wheel->add(host()->now_ms() + delay_ms, timer_entry{t.self, kind, branch, generation});
}

void schedule_wait(transaction& t) {
    if (t.wait_scheduled)
        return;
    t.wait_scheduled = true;
    count(state().metrics.waiting);
    schedule(t, timer_kind::wait, static_cast<uint32_t>(state().params.wt_timer));
}

void on_timer_tick(uint64_t now_ms, void*) {
    tm_state& s = state();
    if (!s.wheel)
        return;
    s.wheel->advance(now_ms, [now_ms](timer_entry&& e) {
        sdk::guard(0, [&] {
            fire(e, now_ms);
            return 0;
        });
    });
}

} // namespace siphost::modules::tm
