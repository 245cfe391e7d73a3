// usrloc and registrar in process, through the real host table and module registry: the location table from
// several threads at once (one slot lock per AOR, no lost update), expiry, RFC 3261 10.3's CSeq rules, the
// RPC commands, and save()/lookup()/registered()/unregister() on messages the host parsed.
#include "abi/host_table.hpp"
#include "core/metrics.hpp"
#include "core/rpc.hpp"
#include "flow/runtime.hpp"
#include "plugin/module_registry.hpp"

#include <siphost/api/usrloc.h>

#include <gtest/gtest.h>

#include <algorithm>

#include <memory>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

using siphost::core::metric_registry;
using siphost::core::rpc_registry;
using siphost::core::to_text;
using siphost::plugin::module_registry;

namespace {

siphost_str s(std::string_view v) {
    return siphost_str{v.data(), v.size()};
}

siphost_value str_arg(std::string_view text) {
    siphost_value v{};
    v.kind = SIPHOST_VALUE_STR;
    v.str = s(text);
    return v;
}

int64_t now() {
    return static_cast<int64_t>(std::time(nullptr));
}

class Registrar : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        try {
            start();
        } catch (const std::exception& e) {
            setup_error_ = e.what();
        }
    }
    /// A suite that could not start fails every test with the reason (never skips them).
    void SetUp() override {
        ASSERT_TRUE(setup_error_.empty()) << setup_error_;
        ASSERT_NE(ul_, nullptr) << "usrloc published no API";
        ASSERT_NE(location_, nullptr) << "usrloc made no \"location\" table";
    }
    static void start() {
        runtime_ = std::make_unique<siphost::flow::runtime>(); // for sl's hook; it has no transport
        siphost::abi::parts().runtime = runtime_.get();
        registry_ = new module_registry;
        registry_->set_search_dirs({SIPHOST_MODULE_DIR});
        for (const char* name : {"sl", "usrloc", "registrar"})
            registry_->load(name);
        registry_->set_param("usrloc", "hash_size", int64_t{4}); // 16 slots: threads share slots
        registry_->set_param("usrloc", "cseq_delay", int64_t{20});
        registry_->set_param("registrar", "max_contacts", int64_t{4});
        registry_->set_param("registrar", "min_expires", int64_t{10});
        registry_->set_param("registrar", "method_filtering", int64_t{1});
        siphost::abi::parts().registry = registry_;
        registry_->init_all(siphost::abi::host_table());
        ul_ = static_cast<const siphost_usrloc_api_v1*>(
            host()->api_lookup(SIPHOST_USRLOC_API_NAME, SIPHOST_USRLOC_API_MAJOR));
        if (ul_ != nullptr)
            location_ = ul_->get_domain(s("location"));
    }
    static void TearDownTestSuite() {
        if (registry_ != nullptr) {
            for (void* data : call_data_)
                registry_->find_commands("save")[0].command->fixup_free(data);
            call_data_.clear();
            registry_->destroy_all();
            delete registry_;
        }
        siphost::abi::parts() = {};
        runtime_.reset();
        metric_registry::instance().reset();
    }

    static const siphost_host_api* host() { return siphost::abi::host_table(); }

    /// Calls a registrar command with its fixup run first, as the host does when it reads the config.
    static int call(std::string_view name, siphost_msg* msg, std::vector<siphost_value> args) {
        for (const auto& ref : registry_->find_commands(name)) {
            if (ref.command->arg_count != args.size())
                continue;
            std::vector<int> constant(args.size(), 1);
            void* data = nullptr;
            char err[256] = "";
            if (ref.command->fixup != nullptr &&
                ref.command->fixup(args.data(), constant.data(), &data, err, sizeof err) != 0) {
                ADD_FAILURE() << name << ": " << err;
                return 0;
            }
            if (data != nullptr)
                call_data_.push_back(data);
            return ref.command->handler(msg, args.data(), data);
        }
        ADD_FAILURE() << "no " << name << " with " << args.size() << " arguments";
        return 0;
    }

    static siphost_msg* parse(const std::string& text) {
        siphost_msg* msg = host()->msg_parse(s(text), nullptr);
        EXPECT_NE(msg, nullptr) << text;
        return msg;
    }

    static std::string register_text(std::string_view user, std::string_view callid, int cseq,
                                     std::string_view headers) {
        std::string text =
            "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK" +
            std::to_string(cseq) + std::string(callid) + "\r\n" + "From: <sip:" + std::string(user) +
            "@127.0.0.1>;tag=1\r\nTo: <sip:" + std::string(user) +
            "@127.0.0.1>\r\nCall-ID: " + std::string(callid) + "\r\nCSeq: " + std::to_string(cseq) +
            " REGISTER\r\n" + std::string(headers) + "Content-Length: 0\r\n\r\n";
        return text;
    }

    /// save("location") on a REGISTER; returns save's code.
    static int save(std::string_view user, std::string_view callid, int cseq, std::string_view headers) {
        siphost_msg* msg = parse(register_text(user, callid, cseq, headers));
        if (msg == nullptr)
            return 0;
        int rc = call("save", msg, {str_arg("location")});
        host()->msg_free(msg);
        return rc;
    }

    static int contact_count(std::string_view aor) {
        return ul_->get_contacts(
            location_, s(aor), 0, [](const siphost_ucontact*, void*) { return 0; }, nullptr);
    }

    static std::vector<std::string> contacts_of(std::string_view aor) {
        std::vector<std::string> out;
        ul_->get_contacts(
            location_, s(aor), 0,
            [](const siphost_ucontact* c, void* data) {
                static_cast<std::vector<std::string>*>(data)->emplace_back(c->contact.s, c->contact.len);
                return 0;
            },
            &out);
        return out;
    }

    static siphost_ucontact contact(std::string_view uri, std::string_view callid, int cseq,
                                    int64_t expires) {
        siphost_ucontact c{};
        c.struct_size = sizeof c;
        c.contact = s(uri);
        c.callid = s(callid);
        c.cseq = cseq;
        c.expires = expires;
        c.q = -1;
        c.methods = SIPHOST_METHODS_ALL;
        return c;
    }

    static std::unique_ptr<siphost::flow::runtime> runtime_;
    static std::string setup_error_;
    static module_registry* registry_;
    static const siphost_usrloc_api_v1* ul_;
    static siphost_udomain* location_;
    static std::vector<void*> call_data_;
};
std::unique_ptr<siphost::flow::runtime> Registrar::runtime_;
std::string Registrar::setup_error_;
module_registry* Registrar::registry_ = nullptr;
const siphost_usrloc_api_v1* Registrar::ul_ = nullptr;
siphost_udomain* Registrar::location_ = nullptr;
std::vector<void*> Registrar::call_data_;

} // namespace

TEST_F(Registrar, ManyThreadsInsertAndReadDifferentAorsAtOnce) {
    constexpr int threads = 8, aors = 150;
    std::vector<std::thread> workers;
    std::atomic<int> failures{0};
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; i < aors; ++i) {
                std::string aor = "t" + std::to_string(t) + "u" + std::to_string(i);
                for (int k = 0; k < 2; ++k) {
                    std::string uri = "sip:" + aor + "@10.0.0." + std::to_string(k + 1);
                    std::string callid = "cid-" + aor; // the contact views it: it must outlive the call
                    siphost_ucontact c = contact(uri, callid, 1, now() + 600);
                    if (ul_->insert_contact(location_, s(aor), &c, nullptr, 0, nullptr) != 0)
                        ++failures;
                }
                if (contact_count(aor) != 2)
                    ++failures;
            }
        });
    for (auto& w : workers)
        w.join();
    EXPECT_EQ(failures.load(), 0);
    for (int t = 0; t < threads; ++t)
        for (int i = 0; i < aors; i += 37)
            EXPECT_EQ(contact_count("t" + std::to_string(t) + "u" + std::to_string(i)), 2);
    for (int t = 0; t < threads; ++t)
        for (int i = 0; i < aors; ++i)
            EXPECT_EQ(ul_->delete_record(location_, s("t" + std::to_string(t) + "u" + std::to_string(i))), 2);
}

TEST_F(Registrar, TheAorLockMakesReadDecideWriteAtomic) {
    // Each thread adds a contact only when the AOR has fewer than `limit`; under the AOR's lock no thread can
    // see a stale count, so the AOR ends with exactly `limit` contacts however the threads interleave.
    constexpr int threads = 8, tries = 50, limit = 37;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; i < tries; ++i) {
                ul_->lock_aor(location_, s("shared"));
                if (contact_count("shared") < limit) {
                    std::string uri = "sip:shared@h" + std::to_string(t) + "-" + std::to_string(i);
                    siphost_ucontact c = contact(uri, "cid", 1, now() + 600);
                    ul_->insert_contact(location_, s("shared"), &c, nullptr, 0, nullptr);
                }
                ul_->unlock_aor(location_, s("shared"));
            }
        });
    for (auto& w : workers)
        w.join();
    EXPECT_EQ(contact_count("shared"), limit);
    EXPECT_EQ(ul_->delete_record(location_, s("shared")), limit);
}

TEST_F(Registrar, ExpiredContactsAreHiddenAtOnceAndRemovedByTheTimer) {
    siphost_ucontact soon = contact("sip:exp@10.0.0.1", "cid-exp", 1, now() + 1);
    siphost_ucontact later = contact("sip:exp@10.0.0.2", "cid-exp", 1, now() + 600);
    ASSERT_EQ(ul_->insert_contact(location_, s("exp"), &soon, nullptr, 0, nullptr), 0);
    ASSERT_EQ(ul_->insert_contact(location_, s("exp"), &later, nullptr, 0, nullptr), 0);
    EXPECT_EQ(contact_count("exp"), 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    EXPECT_EQ(contact_count("exp"), 1) << "an expired contact is not handed out, even before the timer";
    auto with_expired = [] {
        return ul_->get_contacts(
            location_, s("exp"), 1, [](const siphost_ucontact*, void*) { return 0; }, nullptr);
    };
    EXPECT_EQ(with_expired(), 2) << "the timer has not run yet";
    // ul.flush runs the timer's work now.
    EXPECT_EQ(to_text(*rpc_registry::instance().call("ul.flush", {})), "[]");
    EXPECT_EQ(with_expired(), 1);
    EXPECT_EQ(contacts_of("exp"), std::vector<std::string>{"sip:exp@10.0.0.2"});
    EXPECT_EQ(ul_->delete_record(location_, s("exp")), 1);
}

TEST_F(Registrar, CSeqRulesOfRfc3261) {
    siphost_ucontact first = contact("sip:cs@10.0.0.1", "cid-cs", 5, now() + 600);
    ASSERT_EQ(ul_->insert_contact(location_, s("cs"), &first, nullptr, 0, nullptr), 0);
    char ruid[SIPHOST_USRLOC_RUID_MAX];
    size_t len = 0;
    siphost_ucontact older = contact("sip:cs@10.0.0.1", "cid-cs", 4, now() + 600);
    EXPECT_EQ(ul_->match_contact(location_, s("cs"), &older, ruid, sizeof ruid, &len),
              SIPHOST_UL_OUT_OF_ORDER);
    siphost_ucontact same = contact("sip:cs@10.0.0.1", "cid-cs", 5, now() + 600);
    EXPECT_EQ(ul_->match_contact(location_, s("cs"), &same, ruid, sizeof ruid, &len),
              SIPHOST_UL_RETRANSMISSION)
        << "within cseq_delay an equal CSeq is a retransmission";
    siphost_ucontact newer = contact("sip:cs@10.0.0.1", "cid-cs", 6, now() + 600);
    ASSERT_EQ(ul_->match_contact(location_, s("cs"), &newer, ruid, sizeof ruid, &len), SIPHOST_UL_FOUND);
    EXPECT_EQ(std::string(ruid, len).rfind("uloc-", 0), 0u);
    siphost_ucontact other_call = contact("sip:cs@10.0.0.1", "cid-other", 1, now() + 600);
    EXPECT_EQ(ul_->match_contact(location_, s("cs"), &other_call, ruid, sizeof ruid, &len), SIPHOST_UL_FOUND)
        << "another Call-ID updates the binding whatever its CSeq";
    siphost_ucontact elsewhere = contact("sip:cs@10.0.0.9", "cid-cs", 1, now() + 600);
    EXPECT_EQ(ul_->match_contact(location_, s("cs"), &elsewhere, ruid, sizeof ruid, &len),
              SIPHOST_UL_NOT_FOUND);
    EXPECT_EQ(ul_->update_contact(location_, s("cs"), s(std::string_view(ruid, 0)), &newer), -1);
    EXPECT_EQ(ul_->delete_record(location_, s("cs")), 1);
}

TEST_F(Registrar, RpcLookupAndDumpShowTheBindings) {
    siphost_ucontact c = contact("sip:rpc@10.0.0.1:5060", "cid-rpc", 3, now() + 100);
    c.q = 500;
    c.user_agent = s("phone/1");
    ASSERT_EQ(ul_->insert_contact(location_, s("rpc"), &c, nullptr, 0, nullptr), 0);
    std::string text =
        to_text(*rpc_registry::instance().call("ul.lookup", {std::string("location"), std::string("rpc")}));
    EXPECT_NE(text.find(R"("AoR": "rpc")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("Address": "sip:rpc@10.0.0.1:5060")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("Q": 0.5)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("User-Agent": "phone/1")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("Received": "[not set]")"), std::string::npos) << text;
    EXPECT_EQ(to_text(*rpc_registry::instance().call("ul.lookup",
                                                     {std::string("location"), std::string("nobody")})),
              "fault 500: AOR not found in location table"); // Kamailio 5.6.3's words (ul_kamcmd.sh)
    EXPECT_EQ(
        to_text(*rpc_registry::instance().call("ul.lookup", {std::string("nosuch"), std::string("rpc")})),
        "fault 500: Domain table not found");
    std::string dump = to_text(*rpc_registry::instance().call("ul.dump", {}));
    EXPECT_NE(dump.find(R"("Domain": "location")"), std::string::npos) << dump;
    EXPECT_NE(dump.find(R"("Size": 16)"), std::string::npos) << dump;
    EXPECT_NE(dump.find(R"("AoR": "rpc")"), std::string::npos) << dump;
    EXPECT_EQ(
        to_text(*rpc_registry::instance().call("ul.rm_contact", {std::string("location"), std::string("rpc"),
                                                                 std::string("sip:rpc@10.0.0.1:5060")})),
        "[]");
    EXPECT_EQ(contact_count("rpc"), 0);
}

TEST_F(Registrar, ForEachContactWalksEveryUnexpiredContactWithItsAor) {
    ASSERT_TRUE(SIPHOST_HAS(siphost_usrloc_api_v1, ul_, for_each_contact));
    siphost_ucontact a = contact("sip:walk-a@10.0.0.1:5060", "cid-walk-a", 1, now() + 100);
    a.cflags = 1u << 6;
    siphost_ucontact b = contact("sip:walk-b@10.0.0.2:5060", "cid-walk-b", 1, now() + 100);
    siphost_ucontact gone = contact("sip:walk-gone@10.0.0.3:5060", "cid-walk-gone", 1, now() - 5);
    ASSERT_EQ(ul_->insert_contact(location_, s("walk1"), &a, nullptr, 0, nullptr), 0);
    ASSERT_EQ(ul_->insert_contact(location_, s("walk2"), &b, nullptr, 0, nullptr), 0);
    ASSERT_EQ(ul_->insert_contact(location_, s("walk2"), &gone, nullptr, 0, nullptr), 0);
    struct seen_t {
        std::vector<std::string> lines;
        const siphost_usrloc_api_v1* ul;
    } seen{{}, ul_};
    auto record = [](siphost_udomain* domain, siphost_str aor, const siphost_ucontact* c, void* data) {
        auto* out = static_cast<seen_t*>(data);
        std::string_view table(out->ul->domain_name(domain).s, out->ul->domain_name(domain).len);
        std::string line = std::string(table) + " " + std::string(aor.s, aor.len) + " " +
                           std::string(c->contact.s, c->contact.len) + " " + std::to_string(c->cflags);
        if (line.find("walk") != std::string::npos)
            out->lines.push_back(line);
        return 0;
    };
    int visited = ul_->for_each_contact(nullptr, record, &seen);
    EXPECT_GE(visited, 2);
    std::sort(seen.lines.begin(), seen.lines.end());
    EXPECT_EQ(seen.lines, (std::vector<std::string>{"location walk1 sip:walk-a@10.0.0.1:5060 64",
                                                    "location walk2 sip:walk-b@10.0.0.2:5060 0"}));
    // Stopping early: the first nonzero return ends the walk.
    int calls = 0;
    ul_->for_each_contact(
        location_,
        [](siphost_udomain*, siphost_str, const siphost_ucontact*, void* n) {
            ++*static_cast<int*>(n);
            return 1;
        },
        &calls);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(ul_->delete_record(location_, s("walk1")), 1);
    EXPECT_EQ(ul_->delete_record(location_, s("walk2")), 2);
}

TEST_F(Registrar, SaveAddsRefreshesQueriesAndRemoves) {
    EXPECT_EQ(save("reg", "c1", 1, "Contact: <sip:reg@10.0.0.1>\r\nExpires: 600\r\n"), 1);
    // Kamailio 5.6.3 (measured): 1 when a binding was added and none refreshed, even to an AOR that existed.
    EXPECT_EQ(save("reg", "c1", 2, "Contact: <sip:reg@10.0.0.2>;q=0.7\r\nExpires: 600\r\n"), 1);
    EXPECT_EQ(save("reg", "c1", 3, "Contact: <sip:reg@10.0.0.1>;q=0.9;expires=300\r\n"), 2);
    EXPECT_EQ(save("reg", "c2", 1, ""), 4) << "no Contact: a query";
    EXPECT_EQ(contacts_of("reg"), (std::vector<std::string>{"sip:reg@10.0.0.1", "sip:reg@10.0.0.2"}))
        << "highest q first";
    EXPECT_EQ(save("reg", "c1", 2, "Contact: <sip:reg@10.0.0.1>;expires=0\r\n"), -1)
        << "a lower CSeq of the binding's Call-ID is refused";
    EXPECT_EQ(save("reg", "c1", 3, "Contact: <sip:reg@10.0.0.1>;expires=0\r\n"), 2)
        << "an equal CSeq within cseq_delay is a retransmission: answered, nothing changed";
    EXPECT_EQ(contact_count("reg"), 2);
    EXPECT_EQ(save("reg", "c1", 4, "Contact: <sip:reg@10.0.0.1>;expires=0\r\n"), 3);
    EXPECT_EQ(contacts_of("reg"), std::vector<std::string>{"sip:reg@10.0.0.2"});
    EXPECT_EQ(save("reg", "c1", 5, "Contact: *\r\nExpires: 0\r\n"), 3);
    EXPECT_EQ(contact_count("reg"), 0);
}

TEST_F(Registrar, BadRegistersStoreNothing) {
    EXPECT_EQ(save("bad", "c1", 1, "Contact: <sip:bad@10.0.0.1\r\n"), -1) << "broken Contact";
    EXPECT_EQ(save("bad", "c1", 2, "Contact: <sip:bad@10.0.0.1>\r\nExpires: 4294967296\r\n"), -1)
        << "huge Expires";
    EXPECT_EQ(save("bad", "c1", 3, "Contact: *\r\n"), -1) << "* without Expires: 0";
    EXPECT_EQ(save("bad", "c1", 4, "Contact: *\r\nContact: <sip:bad@10.0.0.1>\r\nExpires: 0\r\n"), -1);
    EXPECT_EQ(save("bad", "c1", 5, "Contact: <sip:bad@10.0.0.1>;expires=5\r\n"), 1)
        << "below min_expires (mode 0): raised to min_expires";
    EXPECT_EQ(
        save("bad", "c1", 6,
             "Contact: <sip:bad@10.0.0.2>, <sip:bad@10.0.0.3>, <sip:bad@10.0.0.4>, <sip:bad@10.0.0.5>\r\n"),
        -2)
        << "max_contacts 4";
    std::string many = "Contact: ";
    for (int i = 0; i < 1000; ++i)
        many += (i % 10 == 0 && i > 0 ? "\r\nContact: " : (i > 0 ? ", " : "")) + std::string("<sip:m") +
                std::to_string(i) + "@10.0.0.1>";
    EXPECT_EQ(save("bad", "c1", 7, many + "\r\n"), -2) << "1000 contacts";
    EXPECT_EQ(contacts_of("bad"), std::vector<std::string>{"sip:bad@10.0.0.1"});
    siphost_msg* msg = parse(register_text("bad", "c1", 8, "Contact: <sip:bad@10.0.0.9>\r\n"));
    EXPECT_EQ(call("save", msg, {str_arg("location"), str_arg("0x0"), str_arg("sip:@10.0.0.1")}), -1)
        << "no user in the AOR";
    host()->msg_free(msg);
    EXPECT_EQ(contacts_of("bad"), std::vector<std::string>{"sip:bad@10.0.0.1"});
    EXPECT_EQ(ul_->delete_record(location_, s("bad")), 1);
}

// More contacts in one header than save() parses on its stack (8): the rest are read too, the last one
// included.
TEST_F(Registrar, AContactListLongerThanTheStackBufferIsReadWhole) {
    std::string line = "Contact: ";
    for (int i = 0; i < 11; ++i)
        line += (i > 0 ? ", " : "") + std::string("<sip:w") + std::to_string(i) + "@10.0.0.1>;expires=0";
    line += ", <sip:w11@10.0.0.1>;expires=600\r\n";
    EXPECT_GT(save("wide", "c1", 1, line), 0);
    EXPECT_EQ(contacts_of("wide"), std::vector<std::string>{"sip:w11@10.0.0.1"});
    EXPECT_EQ(ul_->delete_record(location_, s("wide")), 1);
}

TEST_F(Registrar, SaveFlagFourKeepsOneContact) {
    EXPECT_EQ(save("one", "c1", 1, "Contact: <sip:one@10.0.0.1>, <sip:one@10.0.0.2>\r\nExpires: 600\r\n"), 1);
    siphost_msg* msg =
        parse(register_text("one", "c1", 2, "Contact: <sip:one@10.0.0.3>\r\nExpires: 600\r\n"));
    EXPECT_EQ(call("save", msg, {str_arg("location"), str_arg("0x04")}), 1)
        << "added, none refreshed (Kamailio's 1)";
    host()->msg_free(msg);
    msg = parse(register_text("one", "c1", 3, "Contact: <sip:one@10.0.0.3>\r\nExpires: 600\r\n"));
    EXPECT_EQ(call("save", msg, {str_arg("location"), str_arg("0x04")}), 2) << "refreshed";
    host()->msg_free(msg);
    EXPECT_EQ(contacts_of("one"), std::vector<std::string>{"sip:one@10.0.0.3"});
    EXPECT_EQ(ul_->delete_record(location_, s("one")), 1);
}

TEST_F(Registrar, LookupRoutesByQAndRegisteredAndUnregister) {
    EXPECT_EQ(save("bob", "c1", 1,
                   "Contact: <sip:bob@10.0.0.1>;q=0.1, <sip:bob@10.0.0.2>;q=1.0, <sip:bob@10.0.0.3>;q=0.5\r\n"
                   "Expires: 600\r\n"),
              1);
    std::string invite =
        "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKi1\r\n"
        "From: <sip:alice@127.0.0.1>;tag=a\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: inv1\r\n"
        "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    siphost_msg* msg = parse(invite);
    EXPECT_EQ(call("registered", msg, {str_arg("location")}), 1);
    EXPECT_EQ(call("lookup", msg, {str_arg("location")}), 1);
    EXPECT_EQ(std::string(host()->msg_ruri(msg).s, host()->msg_ruri(msg).len), "sip:bob@10.0.0.2");
    ASSERT_EQ(host()->msgctx->branch_count(msg), 2u);
    siphost_branch b{};
    b.struct_size = sizeof b;
    ASSERT_EQ(host()->msgctx->branch_at(msg, 0, &b), 0);
    EXPECT_EQ(std::string(b.uri.s, b.uri.len), "sip:bob@10.0.0.3");
    EXPECT_EQ(b.q, 500);
    ASSERT_EQ(host()->msgctx->branch_at(msg, 1, &b), 0);
    EXPECT_EQ(std::string(b.uri.s, b.uri.len), "sip:bob@10.0.0.1");
    EXPECT_EQ(call("lookup", msg, {str_arg("location"), str_arg("sip:nobody@127.0.0.1")}), -1);
    host()->msg_free(msg);

    // lookup_branches: the Request-URI and a plain branch (carol's AOR) are both looked up.
    EXPECT_EQ(save("carol", "c1", 1, "Contact: <sip:carol@10.0.0.7>\r\nExpires: 600\r\n"), 1);
    msg = parse(invite);
    siphost_branch plain{};
    plain.struct_size = sizeof plain;
    plain.uri = s("sip:carol@127.0.0.1");
    ASSERT_GE(host()->msgctx->append_branch(msg, &plain), 0);
    EXPECT_EQ(call("lookup_branches", msg, {str_arg("location")}), 1);
    EXPECT_EQ(std::string(host()->msg_ruri(msg).s, host()->msg_ruri(msg).len), "sip:bob@10.0.0.2");
    ASSERT_EQ(host()->msgctx->branch_count(msg), 3u);
    ASSERT_EQ(host()->msgctx->branch_at(msg, 2, &b), 0);
    EXPECT_EQ(std::string(b.uri.s, b.uri.len), "sip:carol@10.0.0.7");
    host()->msg_free(msg);

    msg = parse(invite);
    EXPECT_EQ(call("unregister", msg, {str_arg("location"), str_arg("sip:bob@127.0.0.1")}), 1);
    EXPECT_EQ(call("registered", msg, {str_arg("location")}), -1);
    EXPECT_EQ(call("unregister", msg, {str_arg("location"), str_arg("sip:bob@127.0.0.1")}), -3);
    EXPECT_EQ(call("lookup", msg, {str_arg("location")}), -1);
    host()->msg_free(msg);
    EXPECT_EQ(ul_->delete_record(location_, s("carol")), 1);
}

/// The value of one of the modules' pseudo-variables on msg as text ("<null>" for null), through its getter
/// as the host calls it.
std::string module_pv_text(module_registry& registry, siphost_msg* msg, std::string_view name) {
    auto ref = registry.find_pv(name);
    if (!ref)
        return "no such pseudo-variable";
    siphost_value v{};
    if (ref->pv->get(msg, nullptr, SIPHOST_PV_NO_INDEX, &v) != 0)
        return "<error>";
    return v.kind == SIPHOST_VALUE_STR   ? std::string(v.str.s, v.str.len)
           : v.kind == SIPHOST_VALUE_INT ? std::to_string(v.num)
                                         : "<null>";
}

TEST_F(Registrar, RuidIsTheRecordLookupPutIntoTheRequestUri) {
    EXPECT_EQ(
        save("ru", "c1", 1, "Contact: <sip:ru@10.0.0.1>;q=0.2, <sip:ru@10.0.0.2>;q=0.9\r\nExpires: 600\r\n"),
        1);
    std::vector<std::pair<std::string, std::string>> records; // contact, ruid
    ul_->get_contacts(
        location_, s("ru"), 0,
        [](const siphost_ucontact* c, void* data) {
            static_cast<decltype(records)*>(data)->emplace_back(std::string(c->contact.s, c->contact.len),
                                                                std::string(c->ruid.s, c->ruid.len));
            return 0;
        },
        &records);
    ASSERT_EQ(records.size(), 2u);
    std::string best_ruid, other_ruid;
    for (const auto& [uri, ruid] : records)
        (uri == "sip:ru@10.0.0.2" ? best_ruid : other_ruid) = ruid;
    ASSERT_FALSE(best_ruid.empty());
    ASSERT_NE(best_ruid, other_ruid);

    std::string invite =
        "INVITE sip:ru@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKr1\r\n"
        "From: <sip:a@127.0.0.1>;tag=a\r\nTo: <sip:ru@127.0.0.1>\r\nCall-ID: ruid1\r\n"
        "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    siphost_msg* msg = parse(invite);
    EXPECT_EQ(module_pv_text(*registry_, msg, "ruid"), "<null>") << "no lookup() yet";
    EXPECT_EQ(call("registered", msg, {str_arg("location")}), 1);
    EXPECT_EQ(module_pv_text(*registry_, msg, "ruid"), "<null>") << "registered() does not set it";
    EXPECT_EQ(call("lookup", msg, {str_arg("location")}), 1);
    EXPECT_EQ(module_pv_text(*registry_, msg, "ruid"), best_ruid)
        << "the Request-URI's contact, not a branch's";
    siphost_branch b{};
    b.struct_size = sizeof b;
    ASSERT_EQ(host()->msgctx->branch_at(msg, 0, &b), 0);
    EXPECT_EQ(std::string(b.ruid.s, b.ruid.len), other_ruid);
    // Kamailio 5.6.3 keeps it when the Request-URI changes or a later lookup() finds nothing.
    ASSERT_EQ(host()->msg_set_ruri(msg, s("sip:elsewhere@127.0.0.1")), 0);
    EXPECT_EQ(call("lookup", msg, {str_arg("location"), str_arg("sip:nobody@127.0.0.1")}), -1);
    EXPECT_EQ(module_pv_text(*registry_, msg, "ruid"), best_ruid);
    host()->msg_free(msg);

    msg = parse(invite); // another message starts without one
    EXPECT_EQ(module_pv_text(*registry_, msg, "ruid"), "<null>");
    host()->msg_free(msg);
    EXPECT_EQ(ul_->delete_record(location_, s("ru")), 2);
}

TEST_F(Registrar, MethodFilteringSkipsContactsThatDoNotAllowTheMethod) {
    EXPECT_EQ(save("mf", "c1", 1,
                   "Contact: <sip:mf@10.0.0.1>\r\nAllow: INVITE, ACK, BYE, CANCEL\r\nExpires: 600\r\n"),
              1);
    auto request = [](std::string_view method) {
        return std::string(method) +
               " sip:mf@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKm" +
               std::string(method) +
               "\r\nFrom: <sip:a@127.0.0.1>;tag=a\r\nTo: <sip:mf@127.0.0.1>\r\nCall-ID: m1\r\n" + "CSeq: 1 " +
               std::string(method) + "\r\nContent-Length: 0\r\n\r\n";
    };
    siphost_msg* msg = parse(request("MESSAGE"));
    EXPECT_EQ(call("lookup", msg, {str_arg("location")}), -2) << "found, but MESSAGE is not allowed";
    host()->msg_free(msg);
    msg = parse(request("INVITE"));
    EXPECT_EQ(call("lookup", msg, {str_arg("location")}), 1);
    host()->msg_free(msg);
    EXPECT_EQ(ul_->delete_record(location_, s("mf")), 1);
}

TEST_F(Registrar, AnExpiredBindingNotYetRemovedCountsAsGone) {
    // The timer has not removed it yet: removing it, or registering it again, must not upset max_contacts.
    siphost_ucontact old = contact("sip:late@10.0.0.1", "cid-old", 1, now() - 5);
    ASSERT_EQ(ul_->insert_contact(location_, s("late"), &old, nullptr, 0, nullptr), 0);
    EXPECT_EQ(save("late", "cid-new", 1, "Contact: <sip:late@10.0.0.1>;expires=0\r\n"), 3);
    EXPECT_EQ(save("late", "cid-new", 2,
                   "Contact: <sip:late@10.0.0.2>, <sip:late@10.0.0.3>, <sip:late@10.0.0.4>, "
                   "<sip:late@10.0.0.5>\r\n"),
              1);
    EXPECT_EQ(contact_count("late"), 4);
    EXPECT_EQ(ul_->delete_record(location_, s("late")), 4);
}

// What save() stores from the REGISTER's connection, and lookup_filter_mode 2, run against Kamailio in
// reg_conn.sh; here, usrloc's side of it and the mode this suite runs with (0).
TEST_F(Registrar, UsrlocKeepsAContactsConnectionAndModeZeroDoesNotFilterByIt) {
    siphost_ucontact c = contact("sip:t@10.0.0.9", "conn1", 1, now() + 600);
    c.conn_id = 77; // no such connection is open: lookup_filter_mode 2 would skip the contact
    ASSERT_EQ(ul_->insert_contact(location_, s("tcpuser"), &c, nullptr, 0, nullptr), 0);
    siphost_ucontact older = contact("sip:o@10.0.0.9", "conn2", 1, now() + 600);
    older.struct_size = offsetof(siphost_ucontact, conn_id); // a caller built against usrloc 1.0
    older.conn_id = 99;                                      // beyond its struct_size: not read
    ASSERT_EQ(ul_->insert_contact(location_, s("olduser"), &older, nullptr, 0, nullptr), 0);
    auto conn_of = [](std::string_view aor) {
        uint64_t kept = 12345;
        ul_->get_contacts(
            location_, s(aor), 0,
            [](const siphost_ucontact* found, void* data) {
                *static_cast<uint64_t*>(data) = found->conn_id;
                return 0;
            },
            &kept);
        return kept;
    };
    EXPECT_EQ(conn_of("tcpuser"), 77u) << "usrloc did not keep the contact's connection";
    EXPECT_EQ(conn_of("olduser"), 0u) << "a field beyond struct_size was read";
    siphost_msg* invite =
        parse("INVITE sip:tcpuser@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch="
              "z9hG4bKconn\r\nFrom: <sip:a@127.0.0.1>;tag=a\r\nTo: <sip:tcpuser@127.0.0.1>\r\n"
              "Call-ID: conn1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(call("lookup", invite, {str_arg("location")}), 1)
        << "lookup_filter_mode 0 filtered by connection";
    host()->msg_free(invite);
    EXPECT_EQ(ul_->delete_record(location_, s("tcpuser")), 1);
    EXPECT_EQ(ul_->delete_record(location_, s("olduser")), 1);
}
