// The ABI's capabilities in process, through the real host table (abi::host_table) and the real module
// registry: RPC commands a module declares, called as a control transport would; metrics read back through
// the ABI and the host's registry; the message context on messages the host parsed; the SIP toolkit.
#include "abi/host_table.hpp"
#include "core/metrics.hpp"
#include "core/rpc.hpp"
#include "plugin/module_registry.hpp"

#include <gtest/gtest.h>

#include <string>

using siphost::core::metric_registry;
using siphost::core::rpc_registry;
using siphost::core::to_text;
using siphost::plugin::module_registry;

namespace {

constexpr std::string_view invite = "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
                                    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
                                    "From: <sip:alice@127.0.0.1>;tag=1\r\n"
                                    "To: <sip:bob@127.0.0.1>\r\n"
                                    "Call-ID: c1\r\n"
                                    "CSeq: 1 INVITE\r\n"
                                    "Content-Length: 0\r\n\r\n";

class RealHost : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        registry_ = new module_registry;
        registry_->set_search_dirs({CAPTEST_DIR});
        for (const char* name : {"captest_rpc", "captest_metrics", "captest_msgctx"})
            registry_->load(name);
        siphost::abi::parts().registry = registry_;
        registry_->init_all(siphost::abi::host_table());
    }
    static void TearDownTestSuite() {
        registry_->destroy_all();
        delete registry_;
        siphost::abi::parts() = {};
        metric_registry::instance().reset();
    }

    static siphost_msg* parse(std::string_view text) {
        return host()->msg_parse(siphost_str{text.data(), text.size()}, nullptr);
    }
    static const siphost_host_api* host() { return siphost::abi::host_table(); }
    static int call(std::string_view command, siphost_msg* msg, const siphost_value* args = nullptr) {
        const auto& found = registry_->find_commands(command);
        EXPECT_FALSE(found.empty()) << command;
        return found.empty() ? 0 : found[0].command->handler(msg, args, nullptr);
    }
    static int64_t metric(std::string_view name, std::vector<std::string> labels = {}) {
        for (const auto& sample : metric_registry::instance().snapshot())
            if (sample.family->full_name() == name && sample.label_values == labels)
                return sample.value;
        ADD_FAILURE() << "no metric " << name;
        return -1;
    }

    static module_registry* registry_;
};
module_registry* RealHost::registry_ = nullptr;

siphost_value str_arg(std::string_view text) {
    siphost_value v{};
    v.kind = SIPHOST_VALUE_STR;
    v.str = {text.data(), text.size()};
    return v;
}

} // namespace

TEST_F(RealHost, AnRpcCommandIsCalledInProcessWithItsParameters) {
    auto reply = rpc_registry::instance().call("captest.echo", {int64_t{7}, std::string("seven")});
    EXPECT_EQ(to_text(*reply), R"([7, "seven", {"count": 2, "ratio": 0.5, "items": ["a", "b"]}])");
    EXPECT_EQ(rpc_registry::instance().find("captest.echo")->module, "captest_rpc");
}

TEST_F(RealHost, AnRpcFaultDropsWhatWasAdded) {
    EXPECT_EQ(to_text(*rpc_registry::instance().call("captest.fail", {})), "fault 400: always fails");
    EXPECT_EQ(to_text(*rpc_registry::instance().call("captest.nope", {})), "fault 500: command captest.nope not found");
}

TEST_F(RealHost, MetricsAreReadBackWhileRunning) {
    siphost_msg* a = parse(invite);
    siphost_msg* b = parse(invite);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(call("count_request", a), 1);
    EXPECT_EQ(call("count_request", b), 1);
    EXPECT_EQ(metric("captest_metrics:requests", {"INVITE"}), 2);
    EXPECT_EQ(metric("captest_metrics:calls"), 2);
    EXPECT_EQ(metric("captest_metrics:last_size"), static_cast<int64_t>(invite.size()));
    EXPECT_EQ(metric("captest_metrics:answer"), 42);
    const auto* family = metric_registry::instance().find("captest_metrics:requests");
    ASSERT_NE(family, nullptr);
    EXPECT_EQ(family->help, "requests counted, by method");
    EXPECT_EQ(family->labels, std::vector<std::string>{"method"});
    host()->msg_free(a);
    host()->msg_free(b);
}

TEST_F(RealHost, SlotsLiveWithTheirMessageAndIdsAreUnique) {
    siphost_msg* a = parse(invite);
    siphost_msg* b = parse(invite);
    siphost_value note = str_arg("kept");
    EXPECT_EQ(call("slot_check", a), -1) << "a new message has its slot empty";
    EXPECT_EQ(call("slot_note", a, &note), 1);
    EXPECT_EQ(call("slot_check", a), 1);
    EXPECT_EQ(call("slot_check", b), -1) << "slots are per message";
    EXPECT_NE(host()->msgctx->msg_id(a), host()->msgctx->msg_id(b));
    siphost_msg* clone = host()->msg_clone(a);
    EXPECT_EQ(host()->msgctx->msg_id(clone), host()->msgctx->msg_id(a)) << "a clone keeps its original's id";
    EXPECT_EQ(call("slot_check", clone), -1) << "a clone carries no slots";
    host()->msg_free(clone);
    host()->msg_free(a);
    host()->msg_free(b);
}

TEST_F(RealHost, QueuedReplyHeadersGoIntoTheNextLocalReply) {
    siphost_msg* a = parse(invite);
    siphost_value header = str_arg("X-Queued: 1");
    EXPECT_EQ(call("reply_note", a, &header), 1);
    char buf[2048];
    size_t len = 0;
    ASSERT_EQ(host()->build_reply(a, 403, siphost_str{"", 0}, siphost_str{"t1", 2}, siphost_str{"X-Extra: 2\r\n", 12},
                                  siphost_str{nullptr, 0}, buf, sizeof buf, &len),
              0);
    std::string reply(buf, len);
    EXPECT_NE(reply.find("SIP/2.0 403 Forbidden\r\n"), std::string::npos) << reply;
    EXPECT_NE(reply.find("X-Queued: 1\r\nX-Extra: 2\r\n"), std::string::npos) << reply;
    host()->msg_free(a);
}

TEST_F(RealHost, TheSipToolkitIsTheHostsParser) {
    const siphost_sip_api* sip = host()->sip;
    siphost_uri uri{};
    uri.struct_size = sizeof uri;
    std::string_view text = "sips:bob:pw@[2001:db8::1]:5061;transport=tcp;lr?subject=x";
    ASSERT_EQ(sip->parse_uri({text.data(), text.size()}, &uri), 0);
    EXPECT_EQ(uri.scheme, static_cast<uint32_t>(SIPHOST_URI_SIPS));
    EXPECT_EQ(std::string_view(uri.host.s, uri.host.len), "2001:db8::1");
    EXPECT_EQ(uri.port, 5061);
    EXPECT_EQ(std::string_view(uri.port_text.s, uri.port_text.len), "5061");
    EXPECT_EQ(std::string_view(uri.user.s, uri.user.len), "bob");
    EXPECT_EQ(std::string_view(uri.password.s, uri.password.len), "pw");
    EXPECT_EQ(std::string_view(uri.params.s, uri.params.len), "transport=tcp;lr");
    EXPECT_EQ(std::string_view(uri.transport.s, uri.transport.len), "tcp");
    EXPECT_EQ(std::string_view(uri.headers.s, uri.headers.len), "subject=x");
    EXPECT_EQ(sip->parse_uri({"sip:", 4}, &uri), -1);

    siphost_str value{};
    std::string_view params = "lr; ftag = abc ;flag";
    EXPECT_EQ(sip->param({params.data(), params.size()}, {"FTAG", 4}, &value), 1);
    EXPECT_EQ(std::string_view(value.s, value.len), "abc");
    EXPECT_EQ(sip->param({params.data(), params.size()}, {"flag", 4}, &value), 1);
    EXPECT_EQ(value.len, 0u);
    EXPECT_EQ(sip->param({params.data(), params.size()}, {"nope", 4}, nullptr), 0);
    std::string_view quoted = "+sip.instance=\"<urn:a;b>\";reg-id=1";
    EXPECT_EQ(sip->param({quoted.data(), quoted.size()}, {"reg-id", 6}, &value), 1) << "a quoted ';' is not a separator";
    EXPECT_EQ(std::string_view(value.s, value.len), "1");
    EXPECT_EQ(sip->param({quoted.data(), quoted.size()}, {"+sip.instance", 13}, &value), 1);
    EXPECT_EQ(std::string_view(value.s, value.len), "\"<urn:a;b>\"");
    EXPECT_EQ(sip->param({nullptr, 0}, {"lr", 2}, &value), 0);
    EXPECT_EQ(sip->param({";;", 2}, {"", 0}, &value), 0);

    siphost_name_addr na{};
    na.struct_size = sizeof na;
    std::string_view from = "\"Alice A\" <sip:alice@example.com>;tag=9fx";
    ASSERT_EQ(sip->parse_name_addr({from.data(), from.size()}, &na), 0);
    EXPECT_EQ(std::string_view(na.display.s, na.display.len), "Alice A");
    EXPECT_EQ(std::string_view(na.uri.s, na.uri.len), "sip:alice@example.com");
    EXPECT_EQ(std::string_view(na.params.s, na.params.len), "tag=9fx");

    siphost_contact contacts[2]{};
    contacts[0].struct_size = sizeof(siphost_contact);
    size_t count = 0;
    std::string_view contact = "<sip:a@h1>;expires=60;q=0.1, <sip:b@h2>, <sip:c@h3>";
    EXPECT_EQ(sip->parse_contacts({contact.data(), contact.size()}, contacts, 2, &count),
              static_cast<int>(SIPHOST_CONTACTS_LIST));
    EXPECT_EQ(count, 3u) << "the count includes what did not fit";
    EXPECT_EQ(contacts[0].expires, 60);
    EXPECT_EQ(contacts[0].q, 100);
    EXPECT_EQ(std::string_view(contacts[1].uri.s, contacts[1].uri.len), "sip:b@h2");
    EXPECT_EQ(sip->parse_contacts({"*", 1}, contacts, 2, &count), static_cast<int>(SIPHOST_CONTACTS_STAR));

    siphost_credentials creds{};
    creds.struct_size = sizeof creds;
    std::string_view auth = "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"x\"";
    ASSERT_EQ(sip->parse_credentials({auth.data(), auth.size()}, &creds), 0);
    EXPECT_EQ(std::string_view(creds.username.s, creds.username.len), "bob");
    EXPECT_EQ(creds.algorithm.len, 0u);
}

TEST_F(RealHost, LimitsComeFromTheHost) {
    EXPECT_EQ(host()->limit(SIPHOST_LIMIT_BRANCHES), 12);
    EXPECT_GT(host()->limit(SIPHOST_LIMIT_MESSAGE_SIZE), 1000);
    EXPECT_EQ(host()->limit(9999), -1);
    EXPECT_EQ(host()->msgctx->struct_size, sizeof(siphost_msgctx_api));
    EXPECT_EQ(host()->async->struct_size, sizeof(siphost_async_api));
    EXPECT_EQ(host()->events->struct_size, sizeof(siphost_events_api));
}
