// Ending a dialog from the proxy: a BYE to each side in a local transaction of tm's (t_uac).
#include "module_state.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::dialog {
namespace sdk = siphost::sdk;

namespace {

/// One BYE, with the strings siphost_tm_uac_request points into.
struct bye_request {
    std::string ruri, from, to, call_id, headers, next_hop;
    uint32_t cseq = 0;
};

std::string with_crlf(std::string_view lines) {
    std::string out(lines);
    if (!out.empty() && out.back() != '\n')
        out += "\r\n";
    return out;
}

/// A BYE from the side `from` to the side `to` (lock held); bumps the CSeq the sender's side uses.
bye_request make_bye(const dialog& d, bool to_callee, dialog_leg& sender, const dialog_leg& target,
                     std::string_view extra_headers) {
    bye_request r;
    r.ruri = target.contact;
    std::string caller = "<" + d.from_uri + ">;tag=" + d.caller.tag;
    std::string callee = "<" + d.to_uri + ">;tag=" + d.callee.tag;
    r.from = to_callee ? caller : callee;
    r.to = to_callee ? callee : caller;
    r.call_id = d.call_id;
    r.cseq = ++sender.cseq;
    if (!target.route_set.empty()) {
        std::string routes;
        for (const std::string& route : target.route_set)
            routes += (routes.empty() ? "" : ", ") + route;
        r.headers = "Route: " + routes + "\r\n";
        r.next_hop = std::string(sdk::uri_of(state().host, target.route_set.front()));
    }
    const char* configured = state().params.dlg_extra_hdrs;
    r.headers += with_crlf(configured != nullptr ? configured : "");
    r.headers += with_crlf(extra_headers);
    return r;
}

bool send(const bye_request& r) {
    siphost_tm_uac_request request = sdk::sized<siphost_tm_uac_request>();
    request.method = sdk::str("BYE");
    request.ruri = sdk::str(r.ruri);
    request.from = sdk::str(r.from);
    request.to = sdk::str(r.to);
    request.call_id = sdk::str(r.call_id);
    request.cseq = r.cseq;
    request.headers = sdk::str(r.headers);
    request.next_hop = sdk::str(r.next_hop);
    if (state().tm->t_uac(&request, nullptr, nullptr) == 1)
        return true;
    log(SIPHOST_LOG_ERR, "cannot send a BYE to " + r.ruri + " for dialog " + r.call_id);
    return false;
}

} // namespace

int send_byes(const std::shared_ptr<dialog>& d, unsigned sides, std::string_view extra_headers,
              dialog_event why) {
    module_state& s = state();
    std::vector<bye_request> byes;
    {
        std::lock_guard lock(s.table->mutex());
        if (d->state != dialog_state::confirmed && d->state != dialog_state::confirmed_na)
            return -1;
        if ((sides & bye_callee) != 0 && !d->callee.contact.empty()) {
            byes.push_back(make_bye(*d, true, d->caller, d->callee, extra_headers));
            d->dflags |= dflag_bye_to_callee;
        }
        if ((sides & bye_caller) != 0 && !d->caller.contact.empty()) {
            byes.push_back(make_bye(*d, false, d->callee, d->caller, extra_headers));
            d->dflags |= dflag_bye_to_caller;
        }
        end_dialog(*d, false);
    }
    notify_later(why, d, nullptr);
    int sent = 0;
    for (const bye_request& r : byes)
        sent += send(r) ? 1 : 0;
    return sent;
}

int cmd_dlg_bye(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view side = sdk::arg_view(args[0]);
    unsigned sides = 0;
    if (side == "caller")
        sides = bye_caller;
    else if (side == "callee")
        sides = bye_callee;
    else if (side == "all")
        sides = bye_both;
    if (sides == 0) {
        log(SIPHOST_LOG_ERR,
            "dlg_bye: the side is \"caller\", \"callee\" or \"all\", not \"" + std::string(side) + "\"");
        return -1;
    }
    auto d = current(msg);
    if (!d)
        return -1;
    return send_byes(d, sides, "") > 0 ? 1 : -1;
}

} // namespace siphost::modules::dialog
