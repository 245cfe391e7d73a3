// Replies: from downstream (matched by tm's branch, relayed or held, failure_route, the best one upstream)
// and made by tm itself (100, t_reply, timeouts).
#include "reply_rank.hpp"
#include "tm.hpp"

#include <siphost/module.hpp>

#include <algorithm>
#include <vector>

namespace siphost::modules::tm {

/// The Request-URI a branch was sent with: its request line's.
std::string_view branch_ruri(const branch& b) {
    std::string_view line = std::string_view(b.request).substr(0, b.request.find('\r'));
    size_t start = line.find(' ');
    size_t end = line.rfind(' ');
    return start == std::string_view::npos || end <= start ? std::string_view()
                                                            : line.substr(start + 1, end - start - 1);
}

namespace {

void count_relayed(int code) {
    int cls = code / 100;
    if (cls >= 1 && cls <= 6)
        count(state().metrics.relayed[cls - 1]);
}

/// The reply as it goes upstream (without tm's Via, with the script's changes). False when it cannot be
/// built.
bool build_upstream(siphost_msg* reply, std::string& out) {
    const siphost_host_api* h = host();
    thread_local std::string buffer(65536, '\0');
    size_t len = 0;
    if (h->build_relayed_reply(reply, buffer.data(), buffer.size(), &len) != 0) {
        if (len <= buffer.size())
            return false;
        buffer.resize(len);
        if (h->build_relayed_reply(reply, buffer.data(), buffer.size(), &len) != 0)
            return false;
    }
    out.assign(buffer.data(), len);
    return true;
}

/// Sends a reply upstream and tells the RESPONSE_OUT callbacks (reply: the relayed one, null for tm's own).
bool send_upstream(transaction& t, std::string_view bytes, int code, siphost_msg* reply, int branch) {
    // set_reply_no_connect()/set_reply_close() in an onreply_route add to what the request route set.
    if (reply != nullptr)
        t.upstream.flags |= host()->msgctx->send_flags(reply, 1);
    // A relayed reply passes onsend_route when the config sets onsend_route_reply=yes, as in Kamailio; tm's
    // own replies do not (measured on 5.6.3).
    bool sent = reply != nullptr ? host()->send_request(reply, &t.upstream, sdk::str(bytes)) == 0
                                 : send_to(t.upstream, bytes);
    if (sent) {
        callback_event event;
        event.code = code;
        event.branch = branch;
        event.reply = reply;
        event.bytes = bytes;
        event.dest = &t.upstream;
        run_callbacks(t, SIPHOST_TM_CB_RESPONSE_OUT, event);
    }
    return sent;
}

void count_completed(int code) {
    int cls = code / 100;
    if (cls >= 2 && cls <= 6)
        count(state().metrics.completed[cls - 2]);
}

/// A final reply goes upstream: remember it for retransmissions; an INVITE's negative one is resent until
/// the ACK (timer G), anything else ends the transaction after wt_timer.
void send_final_upstream(transaction& t, std::string bytes, int code, siphost_msg* reply, int branch) {
    tm_state& s = state();
    send_upstream(t, bytes, code, reply, branch);
    t.last_reply = std::move(bytes);
    t.final_sent = true;
    t.status = code;
    t.final_sent_ms = host()->now_ms();
    count_completed(code);
    callback_event completed;
    completed.code = code;
    completed.branch = branch;
    completed.reply = reply;
    run_callbacks(t, SIPHOST_TM_CB_COMPLETED, completed);
    if (t.invite && code >= 300) {
        t.upstream_interval = static_cast<uint32_t>(s.params.retr_timer1);
        schedule(t, timer_kind::upstream_retransmit, t.upstream_interval, 0, ++t.upstream_generation);
    } else {
        schedule_wait(t);
    }
}

/// event_route[tm:branch-failure:X] when the script armed it: a branch ended with a negative reply (received,
/// or tm's 408 after a timeout). As Kamailio's (measured on 5.6.3), it runs on a copy of the transaction's
/// request with the branch's Request-URI, the reply seen through t_check_status() and $T_reply_code, and a
/// t_relay() there adds a branch that competes with the others for the final reply.
void run_branch_failure(transaction& t, size_t index, siphost_msg* reply, int code) {
    if (t.on_branch_failure < 0 || code < 300 || !t.request)
        return;
    const siphost_host_api* h = host();
    owned_msg attempt(h->msg_clone(t.request.get()));
    if (!attempt)
        return;
    std::string_view ruri = branch_ruri(t.branches[index]);
    if (!ruri.empty())
        h->msg_set_ruri(attempt.get(), sdk::str(ruri));
    t.failure_ruri.assign(sdk::view(h->msg_ruri(attempt.get())));
    t.relayed_ruri.clear();
    run_transaction_route(t, t.on_branch_failure, SIPHOST_ROUTE_BRANCH_FAILURE, attempt.get(),
                          static_cast<int>(index), reply, code);
    h->msg_set_flags(t.request.get(), h->msg_flags(attempt.get()));
}

void on_provisional(transaction& t, size_t index, siphost_msg* reply, int code) {
    tm_state& s = state();
    branch& b = t.branches[index];
    bool first = b.status == 0;
    b.status = code;
    if (t.invite) {
        ++b.retransmit_generation; // timer A stops at the first provisional reply
        if (first || s.params.restart_fr_on_each_reply != 0)
            schedule(t, timer_kind::final_response, fr_inv_timer_of(t), static_cast<uint16_t>(index),
                     ++b.final_generation);
    } else {
        b.retransmit_interval = static_cast<uint32_t>(s.params.retr_timer2); // timer E goes on at T2
    }
    if (t.canceled || b.cancel_wanted)
        send_cancel(t, index);
    int rc = SIPHOST_ROUTE_RAN;
    if (t.on_reply >= 0)
        rc = run_transaction_route(t, t.on_reply, SIPHOST_ROUTE_TM_ONREPLY, reply, static_cast<int>(index),
                                   reply, code);
    if (t.local) {
        t.status = code; // nobody upstream: the caller reads it (transaction_info)
        return;
    }
    if (rc == SIPHOST_ROUTE_DROPPED || code == 100 || t.final_sent)
        return; // drop in onreply_route keeps a provisional reply here; a 100 is hop by hop
    std::string bytes;
    if (!build_upstream(reply, bytes)) {
        log(SIPHOST_LOG_ERR, "cannot build a provisional reply to relay");
        return;
    }
    if (send_upstream(t, bytes, code, reply, static_cast<int>(index)))
        count_relayed(code);
    t.last_reply = std::move(bytes);
    t.status = code;
}

/// A final reply to a branch that is already final: a retransmission.
void on_repeated_final(transaction& t, size_t index, siphost_msg* reply, int code) {
    branch& b = t.branches[index];
    if (b.local && !b.late_final) {
        // The branch timed out here; what its UAS says now (the 487 to tm's CANCEL) still runs the branch's
        // onreply_route, as in Kamailio, though it goes no further: the branch's outcome is decided. Its
        // retransmissions do not run it again.
        b.late_final = code >= 200;
        if (t.on_reply >= 0)
            run_transaction_route(t, t.on_reply, SIPHOST_ROUTE_TM_ONREPLY, reply, static_cast<int>(index), reply,
                                  code);
    }
    if (t.invite && code >= 300) {
        // Our ACK was lost, or the branch had timed out and its 487 arrives now: ACK it (again).
        if (b.ack.empty())
            b.ack = build_hop_request("ACK", b, sdk::header(host(), reply, "To", 0));
        if (!b.ack.empty())
            send_to(b.destination, b.ack);
        return;
    }
    if (t.invite && code < 300 && !t.local) {
        // The UAS resends its 2xx until the end-to-end ACK: each copy goes upstream.
        std::string bytes;
        if (build_upstream(reply, bytes) && host()->send_request(reply, &t.upstream, sdk::str(bytes)) == 0)
            count_relayed(code);
    }
}

void on_final(transaction& t, size_t index, siphost_msg* reply, int code) {
    const siphost_host_api* h = host();
    branch& b = t.branches[index];
    b.final = true;
    b.status = code;
    ++b.retransmit_generation;
    ++b.final_generation;
    if (t.invite && code >= 300) {
        // Hop by hop (RFC 3261 17.1.1.3): the To of the reply, with its tag.
        b.ack = build_hop_request("ACK", b, sdk::header(h, reply, "To", 0));
        if (b.ack.empty() || !send_to(b.destination, b.ack))
            log(SIPHOST_LOG_ERR, "cannot ACK a negative reply downstream");
    }
    if (t.on_reply >= 0)
        run_transaction_route(t, t.on_reply, SIPHOST_ROUTE_TM_ONREPLY, reply, static_cast<int>(index), reply,
                              code);
    if (code < 300 && t.local) {
        if (t.invite)
            cancel_branches(t, static_cast<int>(index));
        if (!t.final_sent)
            complete_local(t, code, reply, static_cast<int>(index));
        return;
    }
    if (code < 300) {
        std::string bytes;
        if (!build_upstream(reply, bytes)) {
            log(SIPHOST_LOG_ERR, "cannot build a final reply to relay");
            return;
        }
        count_relayed(code);
        if (t.invite)
            cancel_branches(t, static_cast<int>(index));
        if (t.final_sent) {
            send_upstream(t, bytes, code, reply, static_cast<int>(index)); // a 2xx of another branch
            return;
        }
        send_final_upstream(t, std::move(bytes), code, reply, static_cast<int>(index));
        return;
    }
    if (!t.local && !build_upstream(reply, b.reply))
        log(SIPHOST_LOG_ERR, "cannot build a negative reply to relay");
    b.reply_msg.reset(h->msg_clone(reply));
    run_branch_failure(t, index, reply, code);
    if (code >= 600 && t.invite)
        cancel_branches(t, static_cast<int>(index));
    finish_if_complete(t);
}

void handle_reply(transaction& t, size_t index, siphost_msg* reply, int code) {
    if (code < 100 || code > 699)
        return;
    t.branches[index].replied = true;
    t.branches[index].last_received = code;
    callback_event received;
    received.code = code;
    received.branch = static_cast<int>(index);
    received.reply = reply;
    run_callbacks(t, SIPHOST_TM_CB_RESPONSE_IN, received);
    if (t.branches[index].final) {
        on_repeated_final(t, index, reply, code);
        return;
    }
    if (code < 200)
        on_provisional(t, index, reply, code);
    else
        on_final(t, index, reply, code);
}

} // namespace

int run_transaction_route(transaction& t, int route_id, uint32_t route_type, siphost_msg* msg, int branch,
                          siphost_msg* reply, int reply_code) {
    const siphost_host_api* h = host();
    route_context saved = current_route();
    current_route() = route_context{&t, route_type, branch, reply, reply_code, msg};
    // The transaction's AVPs are the current ones while the route runs; changes stay in the transaction. A
    // route run from another of the transaction's routes (branch_route for a relay from failure_route) takes
    // them from the message of that route, which holds them until it ends, as Kamailio's routes share them.
    siphost_msg* outer = saved.txn == &t && saved.msg != nullptr && saved.msg != msg ? saved.msg : nullptr;
    if (outer != nullptr)
        t.avps.reset(h->msg_swap_avps(outer, h->avp_list_new()));
    siphost_avp_list* previous = h->msg_swap_avps(msg, t.avps.release());
    // A reply or failure route sees the branch flags of its branch, and what it sets stays with the branch
    // (branch_route runs on the branch's own copy, which carries them already).
    bool branch_flags = route_type != SIPHOST_ROUTE_BRANCH && branch >= 0 &&
                        static_cast<size_t>(branch) < t.branches.size();
    if (branch_flags)
        h->msgctx->set_branch_flags(msg, 0, t.branches[static_cast<size_t>(branch)].flags);
    // An event route (branch-failure) is run through the events table that knows the names it declared.
    int rc = route_type == SIPHOST_ROUTE_BRANCH_FAILURE ? h->events->run(route_id, msg)
                                                        : h->route_run(route_id, msg);
    if (branch_flags)
        h->msgctx->branch_flags(msg, 0, &t.branches[static_cast<size_t>(branch)].flags);
    t.avps.reset(h->msg_swap_avps(msg, previous));
    if (outer != nullptr) {
        // Back to the outer route's message; the empty list that stood in for them there is freed.
        owned_avp_list stand_in(h->msg_swap_avps(outer, t.avps.release()));
    }
    current_route() = saved;
    return rc;
}

std::shared_ptr<transaction> reply_transaction(const siphost_msg* reply, reply_match& match) {
    const siphost_host_api* h = host();
    if (!decode_branch(sdk::view(h->msg_via_branch(reply, 0)), match.id))
        return nullptr; // not tm's
    auto t = state().transactions.find(match.id.slot, match.id.label);
    siphost_str cseq_method{nullptr, 0};
    if (!t || h->msg_cseq(reply, &match.cseq, &cseq_method) != 0)
        return nullptr;
    match.method = sdk::view(cseq_method);
    return t;
}

int on_reply_hook(siphost_msg* reply, void*) {
    return sdk::guard(SIPHOST_HOOK_CONTINUE, [&] {
        const siphost_host_api* h = host();
        reply_match match;
        auto t = reply_transaction(reply, match);
        if (!t) // not tm's, or a late reply to a finished transaction: the host relays it statelessly
            return SIPHOST_HOOK_CONTINUE;
        std::lock_guard lock(t->mutex);
        if (!match.answers(*t))
            return SIPHOST_HOOK_CONTINUE;
        if (match.method == "CANCEL" && t->method != "CANCEL") {
            t->branches[match.id.index].cancel_answered = true; // the answer to tm's own CANCEL ends here
            return SIPHOST_HOOK_CONSUMED;
        }
        count(state().metrics.replies_received);
        handle_reply(*t, match.id.index, reply, h->msg_status(reply));
        return SIPHOST_HOOK_CONSUMED;
    });
}

int send_script_reply(transaction& t, siphost_msg* msg, int code, std::string_view reason,
                      std::string_view extra_headers, std::string_view body) {
    if (msg == nullptr || msg == t.request.get())
        return send_local_reply(t, code, reason, extra_headers, body);
    std::string_view queued = sdk::view(host()->msgctx->reply_headers(msg));
    if (queued.empty())
        return send_local_reply(t, code, reason, extra_headers, body);
    std::string lines(queued);
    lines.append(extra_headers);
    return send_local_reply(t, code, reason, lines, body);
}

int send_local_reply(transaction& t, int code, std::string_view reason, std::string_view extra_headers,
                     std::string_view body) {
    const siphost_host_api* h = host();
    if (code < 100 || code > 699)
        return -1;
    if (t.local) {
        // Nobody upstream: a final code (a timeout) ends the local transaction for its caller.
        if (code >= 200 && !t.final_sent) {
            for (auto& b : t.branches) {
                ++b.retransmit_generation;
                ++b.final_generation;
            }
            complete_local(t, code, nullptr, -1);
        }
        return 1;
    }
    if (!t.request)
        return -1;
    if (t.final_sent && code >= 200) {
        log(SIPHOST_LOG_ERR, "the transaction already has a final reply");
        return -1;
    }
    // An empty reason: the host writes the code's standard phrase.
    thread_local std::string buffer(65536, '\0');
    size_t len = 0;
    std::string_view to_tag = code > 100 ? std::string_view(t.to_tag) : std::string_view();
    auto build = [&] {
        return h->build_reply(t.request.get(), code, sdk::str(reason), sdk::str(to_tag),
                              sdk::str(extra_headers), sdk::str(body), buffer.data(), buffer.size(), &len);
    };
    if (build() != 0) {
        bool fits_now = len > buffer.size();
        if (fits_now)
            buffer.resize(len);
        if (!fits_now || build() != 0) {
            log(SIPHOST_LOG_ERR, "cannot build a local reply");
            return -1;
        }
    }
    count(state().metrics.local_replies);
    std::string bytes(buffer.data(), len);
    if (code < 200) {
        send_upstream(t, bytes, code, nullptr, -1);
        if (t.last_reply.empty() || t.status <= code) {
            t.last_reply = std::move(bytes);
            t.status = code;
        }
        return 1;
    }
    // A local final ends what is still going on downstream.
    if (t.invite)
        cancel_branches(t, -1);
    for (auto& b : t.branches) {
        ++b.retransmit_generation;
        ++b.final_generation;
    }
    t.final_local = true;
    send_final_upstream(t, std::move(bytes), code, nullptr, -1);
    return 1;
}

void resend_last_reply(transaction& t) {
    if (t.last_reply.empty())
        return;
    send_to(t.upstream, t.last_reply);
    count(state().metrics.retransmissions);
}

void fail_branch_locally(transaction& t, size_t index, int code) {
    branch& b = t.branches[index];
    if (b.final)
        return;
    bool ringing = t.invite && b.status >= 100;
    b.final = true;
    b.local = true;
    b.status = code;
    ++b.retransmit_generation;
    ++b.final_generation;
    run_branch_failure(t, index, nullptr, code);
    finish_if_complete(t);
    // The UAS rings on: stop it. After failure_route and the reply upstream, as Kamailio does (its 487 then
    // comes after them, and runs onreply_route: on_repeated_final).
    if (ringing)
        send_cancel(t, index, true);
}

namespace {

/// Whether branch i's reply competes for the final one: failure_reply_mode (or t_drop_replies()) decides for
/// the branches of earlier serial legs.
bool competes(const transaction& t, size_t i) {
    const std::vector<size_t>& legs = t.leg_starts;
    if (legs.size() < 2)
        return true;
    int mode = t.drop_replies >= 0 ? t.drop_replies : state().params.failure_reply_mode;
    switch (mode) {
    case 0:
        return true;
    case 2: // all but the leg before the last one
        return i < legs[legs.size() - 2] || i >= legs.back();
    default: // 1 and 3: the last leg alone
        return i >= legs.back();
    }
}

} // namespace

void finish_if_complete(transaction& t) {
    // failure_route may add branches that fail at once; loop instead of recursing.
    for (int round = 0; round < 16; ++round) {
        if (t.final_sent || t.branches.empty())
            return;
        std::vector<branch_outcome> outcomes;
        std::vector<size_t> competing; // the index in t.branches of each outcome
        outcomes.reserve(t.branches.size());
        for (size_t i = 0; i < t.branches.size(); ++i) {
            const branch& b = t.branches[i];
            if (!b.final)
                return;
            if (!competes(t, i))
                continue;
            outcomes.push_back(branch_outcome{b.status, b.local});
            competing.push_back(i);
        }
        int picked = pick_best_reply(outcomes);
        if (picked < 0)
            return;
        int best = static_cast<int>(competing[static_cast<size_t>(picked)]);
        {
            branch& chosen = t.branches[static_cast<size_t>(best)];
            callback_event failed;
            failed.code = chosen.status;
            failed.branch = best;
            failed.reply = chosen.local ? nullptr : chosen.reply_msg.get();
            run_callbacks(t, SIPHOST_TM_CB_ON_FAILURE, failed);
        }
        if (t.on_failure >= 0) {
            int route = t.on_failure;
            t.on_failure = -1; // armed for one failure only, as in Kamailio; the route may arm it again
            size_t before = t.branches.size();
            branch& chosen = t.branches[static_cast<size_t>(best)];
            t.failure_ruri.assign(sdk::view(host()->msg_ruri(t.request.get())));
            t.relayed_ruri.clear();
            // Each failure_route runs on a copy of the transaction's request, as Kamailio's does (measured):
            // what one changes ($ru, $du, headers) is gone for the next, but the message flags it sets stay.
            owned_msg attempt(host()->msg_clone(t.request.get()));
            siphost_msg* on = attempt ? attempt.get() : t.request.get();
            run_transaction_route(t, route, SIPHOST_ROUTE_FAILURE, on, best, chosen.reply_msg.get(),
                                  chosen.status);
            if (attempt)
                host()->msg_set_flags(t.request.get(), host()->msg_flags(attempt.get()));
            if (t.final_sent)
                return; // the route replied (t_reply)
            if (t.branches.size() > before) {
                t.leg_starts.push_back(before); // a new serial leg
                continue; // new branches: wait for them (or pick again if they already failed)
            }
        }
        branch& chosen = t.branches[static_cast<size_t>(best)];
        int code = chosen.status;
        if (t.local) {
            complete_local(t, code, chosen.local ? nullptr : chosen.reply_msg.get(), best);
            return;
        }
        if (chosen.local || chosen.reply.empty()) {
            if (t.canceled && code == 408)
                code = 487;
            send_local_reply(t, code, {});
            return;
        }
        count_relayed(code);
        send_final_upstream(t, chosen.reply, code, chosen.reply_msg.get(), best);
        return;
    }
}

void complete_local(transaction& t, int code, siphost_msg* reply, int branch) {
    if (t.final_sent)
        return;
    t.final_sent = true;
    t.status = code;
    t.final_sent_ms = host()->now_ms();
    count_completed(code);
    callback_event completed;
    completed.code = code;
    completed.branch = branch;
    completed.reply = reply;
    run_callbacks(t, SIPHOST_TM_CB_COMPLETED, completed);
    schedule_wait(t);
}

void cancel_branches(transaction& t, int except) {
    for (size_t i = 0; i < t.branches.size(); ++i) {
        if (static_cast<int>(i) == except || t.branches[i].final)
            continue;
        t.branches[i].cancel_wanted = true;
        if (t.branches[i].status >= 100)
            send_cancel(t, i);
    }
}

} // namespace siphost::modules::tm
