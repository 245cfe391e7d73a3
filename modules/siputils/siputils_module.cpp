// siputils: small SIP checks (the parts of Kamailio's siputils module that its stock kamailio.cfg and
// simple configs use).
//
//   has_totag()             the To header has a tag (an in-dialog request)
//   is_request(), is_reply()
//   is_first_hop()          a request with one Via (it comes straight from its UA), or a reply with two (it
//                           goes straight back to the UA)
//   is_uri_host_local()     the Request-URI's host names this server (Kamailio asks the domain module;
//   siphost
//                           has no domain table, so "local" is what the host calls myself: listen addresses
//                           and aliases)
//   uri_param(name), uri_param(name, value)   the Request-URI has the parameter (with that value)
#include <siphost/module.hpp>

namespace siphost::modules::siputils {
namespace {

const siphost_host_api* host_ = nullptr;

int cmd_has_totag(siphost_msg* msg, const siphost_value*, void*) {
    return sdk::view(host_->msg_to_tag(msg)).empty() ? -1 : 1;
}

int cmd_is_request(siphost_msg* msg, const siphost_value*, void*) {
    return host_->msg_is_request(msg) ? 1 : -1;
}

int cmd_is_reply(siphost_msg* msg, const siphost_value*, void*) {
    return host_->msg_is_request(msg) ? -1 : 1;
}

int cmd_is_first_hop(siphost_msg* msg, const siphost_value*, void*) {
    uint32_t vias = host_->msg_via_count(msg);
    return vias == (host_->msg_is_request(msg) ? 1u : 2u) ? 1 : -1;
}

bool parsed_ruri(siphost_msg* msg, siphost_uri& uri) {
    return host_->msg_is_request(msg) && sdk::parse_uri(host_, sdk::view(host_->msg_ruri(msg)), uri);
}

int cmd_is_uri_host_local(siphost_msg* msg, const siphost_value*, void*) {
    siphost_uri uri;
    // A URI without a host (tel:) names no server.
    if (!parsed_ruri(msg, uri) || uri.host.len == 0)
        return -1;
    return host_->is_myself(uri.host, 0) ? 1 : -1;
}

int cmd_uri_param(siphost_msg* msg, const siphost_value* args, void*) {
    siphost_uri uri;
    if (!parsed_ruri(msg, uri) || !sdk::param(host_, sdk::view(uri.params), sdk::arg_view(args[0])))
        return -1;
    return 1;
}

int cmd_uri_param_value(siphost_msg* msg, const siphost_value* args, void*) {
    siphost_uri uri;
    std::string_view value;
    if (!parsed_ruri(msg, uri) || !sdk::param(host_, sdk::view(uri.params), sdk::arg_view(args[0]), &value))
        return -1;
    return value == sdk::arg_view(args[1]) ? 1 : -1;
}

std::unique_ptr<int> fix_not_empty(const siphost_value* args, const int* constant) {
    if (constant[0] && sdk::arg_view(args[0]).empty())
        throw sdk::config_error("the parameter name must not be empty");
    return nullptr;
}

int init(const siphost_host_api* host, siphost_module_handle*, char*, size_t) {
    host_ = host;
    return 0;
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
constexpr uint32_t request_like = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_BRANCH | SIPHOST_ROUTE_FAILURE;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("has_totag", any, guarded<&cmd_has_totag>, {}, nullptr, nullptr, "the To header has a tag"),
    command("is_request", any, guarded<&cmd_is_request>, {}, nullptr, nullptr, "the message is a request"),
    command("is_reply", any, guarded<&cmd_is_reply>, {}, nullptr, nullptr, "the message is a reply"),
    command("is_first_hop", any, guarded<&cmd_is_first_hop>, {}, nullptr, nullptr,
            "the message comes from (or goes to) its UA directly"),
    command("is_uri_host_local", request_like, guarded<&cmd_is_uri_host_local>, {}, nullptr, nullptr,
            "the Request-URI's host is this server"),
    command("uri_param", request_like, guarded<&cmd_uri_param>, {SIPHOST_ARG_STRING},
            sdk::fixup<&fix_not_empty>, nullptr, "the Request-URI has the parameter"),
    command("uri_param", request_like, guarded<&cmd_uri_param_value>,
            {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, sdk::fixup<&fix_not_empty>, nullptr,
            "the Request-URI has the parameter with the value"),
    sdk::end_of_commands(),
};

const siphost_module descriptor = sdk::module("siputils", "1.0", commands, nullptr, nullptr, init);

} // namespace
} // namespace siphost::modules::siputils

SIPHOST_MODULE(siphost::modules::siputils::descriptor)
