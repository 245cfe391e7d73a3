// Every RFC 4475 torture message, read as bytes, gets the handling its VERDICTS.tsv row asks for.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sip/escape.hpp"
#include "sip/header_params.hpp"
#include "sip/message.hpp"
#include "sip/reply_destination.hpp"
#include "sip/serializer.hpp"
#include "sip/transaction_key.hpp"
#include "test_util.hpp"

namespace siphost::sip {
namespace {

/// What this layer does with a message; the verdict text must allow it.
enum class handling {
    forward,       ///< a valid request: parses, and its forwarded copy parses again
    reply,         ///< refused with a reply code
    drop,          ///< a broken response: refused without a reply
    relay,         ///< a valid response: parses
    script_decides ///< parses; the reply (416, 420, 483) is a script's or module's business
};

struct expectation {
    handling what;
    int code = 0; ///< for handling::reply
    std::function<void(const message&)> check = nullptr;
};

const std::filesystem::path k_dir = test::data_dir() / "rfc4475";

struct verdict_row {
    std::string file, section, verdict, action;
};

std::vector<verdict_row> read_verdicts() {
    std::vector<verdict_row> rows;
    std::istringstream in(test::read_bytes(k_dir / "VERDICTS.tsv"));
    std::string line;
    std::getline(in, line); // header row
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        verdict_row row;
        std::istringstream fields(line);
        std::getline(fields, row.file, '\t');
        std::getline(fields, row.section, '\t');
        std::getline(fields, row.verdict, '\t');
        std::getline(fields, row.action);
        rows.push_back(row);
    }
    return rows;
}

void expect_forwardable(const message& m, std::string_view file) {
    std::vector<char> buf(70000);
    write_result r =
        write_forwarded_request(m, via_spec{"UDP", "192.0.2.254", 5060, "z9hG4bKtorture", {}}, buf);
    ASSERT_TRUE(r.ok()) << file;
    message copy;
    parse_result pr = copy.parse(std::string_view(buf.data(), r.size));
    ASSERT_TRUE(pr.ok()) << file << ": " << pr.reason();
    EXPECT_EQ(copy.via_count(), m.via_count() + 1) << file;
    EXPECT_EQ(copy.call_id(), m.call_id()) << file;
    EXPECT_EQ(copy.body(), m.body()) << file;
    EXPECT_EQ(copy.request_uri(), m.request_uri()) << file;
}

std::map<std::string, expectation> expectations() {
    std::map<std::string, expectation> e;
    e["wsinv.dat"] = {handling::forward, 0, [](const message& m) {
                          EXPECT_EQ(m.to().tag, "1918181833n");
                          EXPECT_EQ(m.from().tag, "98asjd8");
                          EXPECT_EQ(unquote(m.from().display_name), "J Rosenberg \\\"");
                          EXPECT_EQ(m.max_forwards(), 68u);
                          EXPECT_EQ(m.cseq().number, 9u);
                          EXPECT_EQ(m.cseq().method, "INVITE");
                          ASSERT_EQ(m.via_count(), 3u);
                          EXPECT_EQ(m.via_at(0)->host, "192.0.2.2");
                          EXPECT_EQ(m.via_at(0)->branch, "390skdjuw");
                          EXPECT_EQ(m.via_at(1)->transport, "TCP");
                          EXPECT_EQ(m.via_at(1)->host, "spindle.example.com");
                          EXPECT_EQ(m.via_at(2)->host, "192.168.255.111");
                          EXPECT_EQ(m.via_at(2)->branch, "z9hG4bK30239");
                          EXPECT_EQ(m.parsed_request_uri().param("unknownparam"), "");
                          auto contacts = m.contacts();
                          ASSERT_TRUE(contacts.has_value());
                          ASSERT_EQ(contacts->size(), 1u);
                          EXPECT_EQ(unquote((*contacts)[0].display_name), "Quoted string \"\"");
                          EXPECT_EQ(find_header_param((*contacts)[0].params, "newparam"), "newvalue");
                          EXPECT_EQ(find_header_param((*contacts)[0].params, "q"), "0.33");
                          EXPECT_TRUE(find_header_param((*contacts)[0].params, "secondparam").has_value());
                          auto routes = m.routes();
                          ASSERT_TRUE(routes.has_value());
                          ASSERT_EQ(routes->size(), 1u);
                          EXPECT_EQ((*routes)[0].uri.param("unknownwith"), "value");
                          std::string_view v;
                          ASSERT_TRUE(m.header_value("NewFangledHeader", 0, v));
                          EXPECT_EQ(v, "newfangled value\r\n continued newfangled value");
                          ASSERT_TRUE(m.header_value("UnknownHeaderWithUnusualValue", 0, v));
                          EXPECT_EQ(v, ";;,,;;,;");
                          const header_field* subject = m.find_header(header_kind::subject);
                          ASSERT_NE(subject, nullptr);
                          EXPECT_TRUE(m.value(*subject).empty());
                          EXPECT_EQ(m.body().size(), 150u);
                      }};
    e["intmeth.dat"] = {
        handling::forward, 0, [](const message& m) {
            EXPECT_EQ(m.method(), "!interesting-Method0123456789_*+`.%indeed'~");
            EXPECT_EQ(m.method_id(), method_kind::other);
            EXPECT_EQ(m.cseq().method, m.method());
            EXPECT_EQ(m.parsed_request_uri().user(), "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
            EXPECT_EQ(m.parsed_request_uri().password(), "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
            EXPECT_EQ(m.from().tag, "_token~1'+`*%!-.");
            EXPECT_EQ(m.via_at(0)->branch, "z9hG4bK-.!%66*_+`'~");
            EXPECT_EQ(m.to().display_name.substr(0, 7), "\"BEL:\\\x07");
            EXPECT_EQ(m.call_id(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
            EXPECT_EQ(m.max_forwards(), 255u);
        }};
    e["esc01.dat"] = {handling::forward, 0, [](const message& m) {
                          EXPECT_EQ(unescape(m.parsed_request_uri().user()), "sips:user@example.com");
                          EXPECT_EQ(m.parsed_request_uri().host(), "example.net");
                          EXPECT_EQ(unescape(m.to().uri.user()), "user");
                          EXPECT_EQ(unescape(m.from().uri.user()), "I have spaces");
                          auto contacts = m.contacts();
                          ASSERT_TRUE(contacts.has_value());
                          ASSERT_EQ(contacts->size(), 1u);
                          const uri& c = (*contacts)[0].uri;
                          EXPECT_EQ(unescape(c.user()), "caller");
                          EXPECT_EQ(c.param("lr"), "");
                          ASSERT_TRUE(c.param("name").has_value());
                          EXPECT_EQ(unescape(*c.param("name")), "value%41");
                          EXPECT_EQ(m.call_id(), "esc01.239409asdfakjkn23onasd0-3234");
                          media_type type;
                          ASSERT_EQ(m.content_type(type), header_status::ok);
                          EXPECT_EQ(type.subtype, "sdp");
                      }};
    e["escnull.dat"] = {handling::forward, 0, [](const message& m) {
                            EXPECT_EQ(unescape(m.to().uri.user()), std::string("null-\0-null", 11));
                            auto contacts = m.contacts();
                            ASSERT_TRUE(contacts.has_value());
                            ASSERT_EQ(contacts->size(), 2u);
                            EXPECT_EQ(unescape((*contacts)[0].uri.user()), std::string(1, '\0'));
                            EXPECT_EQ(unescape((*contacts)[1].uri.user()), std::string(2, '\0'));
                        }};
    e["esc02.dat"] = {handling::forward, 0, [](const message& m) {
                          EXPECT_EQ(m.method(), "RE%47IST%45R");
                          EXPECT_EQ(m.method_id(), method_kind::other); // not REGISTER
                          EXPECT_EQ(unquote(m.from().display_name), "%Z%45");
                          EXPECT_EQ(m.via_at(0)->branch, "z9hG4bK209%fzsnel234");
                          auto contacts = m.contacts();
                          ASSERT_TRUE(contacts.has_value());
                          ASSERT_EQ(contacts->size(), 2u); // C%6Fntact is an unknown header
                          EXPECT_EQ((*contacts)[1].uri.host(), "host3.example.com");
                          EXPECT_NE(m.find_header("C%6Fntact"), nullptr);
                      }};
    e["lwsdisp.dat"] = {handling::forward, 0,
                        [](const message& m) { EXPECT_EQ(m.from().display_name, "caller"); }};
    e["longreq.dat"] = {handling::forward, 0, [](const message& m) {
                            ASSERT_EQ(m.via_count(), 34u);
                            EXPECT_EQ(m.via_at(0)->host, "sip33.example.com");
                            for (std::size_t i = 0; i < 33; ++i) {
                                EXPECT_EQ(m.via_at(i)->transport, "TCP");
                                EXPECT_EQ(m.via_at(i)->host, "sip" + std::to_string(33 - i) + ".example.com");
                            }
                            EXPECT_EQ(m.via_at(33)->host, "host.example.com");
                            EXPECT_EQ(m.via_at(33)->received, "192.0.2.5");
                            EXPECT_EQ(m.via_at(33)->branch.size(), 215u);
                            EXPECT_EQ(m.to().uri.port(), 6000);
                            EXPECT_EQ(m.from().uri.user().substr(0, 29), "amazinglylongcallernameamazin");
                            EXPECT_EQ(m.from().tag.size(), 155u);
                            EXPECT_EQ(m.cseq().number, 3882340u);
                            EXPECT_EQ(m.body().size(), 150u);
                            EXPECT_EQ(m.contacts()->size(), 1u);
                        }};
    e["dblreq.dat"] = {handling::forward, 0, [](const message& m) {
                           EXPECT_EQ(m.method(), "REGISTER");
                           EXPECT_TRUE(m.body().empty());
                           EXPECT_GT(m.raw().size(), m.body_offset()); // the trailing INVITE is ignored
                           std::vector<char> buf(70000);
                           write_result r = write_message(m, buf);
                           ASSERT_TRUE(r.ok());
                           EXPECT_EQ(std::string(buf.data(), r.size).find("INVITE"), std::string::npos);
                       }};
    e["semiuri.dat"] = {handling::forward, 0, [](const message& m) {
                            EXPECT_EQ(m.parsed_request_uri().user(), "user;par=u%40example.net");
                            EXPECT_EQ(m.parsed_request_uri().host(), "example.com");
                            EXPECT_TRUE(m.parsed_request_uri().params().empty());
                            std::string_view accept;
                            ASSERT_TRUE(m.header_value("Accept", 5, accept));
                            EXPECT_EQ(accept, "message/sipfrag");
                        }};
    e["transports.dat"] = {handling::forward, 0, [](const message& m) {
                               ASSERT_EQ(m.via_count(), 5u);
                               const char* expected[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
                               for (std::size_t i = 0; i < 5; ++i)
                                   EXPECT_EQ(m.via_at(i)->transport, expected[i]);
                               EXPECT_EQ(m.call_id(), "transports.kijh4akdnaqjkwendsasfdj");
                           }};
    e["mpart01.dat"] = {handling::forward, 0, [](const message& m) {
                            EXPECT_EQ(m.body().size(), 553u);
                            EXPECT_NE(m.body().find('\0'), std::string_view::npos);
                            media_type type;
                            ASSERT_EQ(m.content_type(type), header_status::ok);
                            EXPECT_EQ(find_header_param(type.params, "boundary"), "7a9cbec02ceef655");
                            EXPECT_TRUE(m.via_at(0)->has_rport);
                            EXPECT_EQ(m.via_at(0)->port, 5070);
                        }};
    e["unreason.dat"] = {handling::relay, 0, [](const message& m) {
                             EXPECT_EQ(m.status_code(), 200);
                             EXPECT_EQ(m.reason_phrase().substr(0, 17), "= 2**3 * 5**2 \xd0\xbd\xd0");
                             EXPECT_EQ(m.body().size(), 154u);
                             EXPECT_FALSE(relay_destination(m).has_value()); // one Via: no one to relay to
                         }};
    e["noreason.dat"] = {handling::relay, 0, [](const message& m) {
                             EXPECT_EQ(m.status_code(), 100);
                             EXPECT_TRUE(m.reason_phrase().empty());
                         }};
    e["badinv01.dat"] = {handling::reply, 400};
    e["clerr.dat"] = {handling::reply, 400};
    e["ncl.dat"] = {handling::reply, 400};
    e["scalar02.dat"] = {handling::reply, 400};
    e["scalarlg.dat"] = {handling::drop};
    e["quotbal.dat"] = {handling::reply, 400};
    e["ltgtruri.dat"] = {handling::reply, 400};
    e["lwsruri.dat"] = {handling::reply, 400};
    e["lwsstart.dat"] = {handling::reply, 400};
    e["trws.dat"] = {handling::reply, 400};
    e["escruri.dat"] = {handling::reply, 400};
    e["baddate.dat"] = {handling::forward}; // Date is not a proxy's business
    e["regbadct.dat"] = {handling::forward, 0, [](const message& m) {
                             EXPECT_FALSE(m.contacts().has_value()); // refused when a registrar reads it
                         }};
    e["badaspec.dat"] = {handling::reply, 400};
    e["baddn.dat"] = {handling::reply, 400};
    e["badvers.dat"] = {handling::reply, 505};
    e["mismatch01.dat"] = {handling::reply, 400};
    e["mismatch02.dat"] = {handling::reply, 501};
    e["bigcode.dat"] = {handling::drop};
    e["badbranch.dat"] = {handling::forward, 0, [](const message& m) {
                              EXPECT_FALSE(make_rfc3261_key(m).has_value()); // pre-3261 matching
                              EXPECT_EQ(make_rfc2543_key(m).call_id, "badbranch.sadonfo23i420jv0as0derf3j3n");
                          }};
    e["insuf.dat"] = {handling::reply, 400};
    e["unkscm.dat"] = {handling::script_decides, 0, [](const message& m) {
                           EXPECT_EQ(m.parsed_request_uri().scheme(), uri_scheme::other);
                       }};
    e["novelsc.dat"] = {handling::script_decides, 0, [](const message& m) {
                            EXPECT_EQ(m.parsed_request_uri().scheme(), uri_scheme::other);
                            EXPECT_EQ(m.parsed_request_uri().scheme_text(), "soap.beep");
                        }};
    e["unksm2.dat"] = {handling::forward, 0, [](const message& m) {
                           EXPECT_EQ(m.to().uri.scheme_text(), "isbn");
                           EXPECT_EQ(m.from().uri.scheme_text(), "http");
                           EXPECT_EQ((*m.contacts())[0].uri.scheme_text(), "name");
                       }};
    e["bext01.dat"] = {handling::script_decides, 0, [](const message& m) {
                           auto tags = m.option_tags(header_kind::proxy_require);
                           ASSERT_TRUE(tags.has_value());
                           ASSERT_EQ(tags->size(), 2u);
                           EXPECT_EQ((*tags)[0], "noProxiesSupportThis");
                           EXPECT_EQ((*tags)[1], "norDoAnyProxiesSupportThis");
                           EXPECT_EQ(m.option_tags(header_kind::require)->size(), 2u);
                       }};
    e["invut.dat"] = {handling::forward, 0, [](const message& m) {
                          media_type type;
                          ASSERT_EQ(m.content_type(type), header_status::ok);
                          EXPECT_EQ(type.subtype, "unknownformat");
                      }};
    e["regaut01.dat"] = {handling::forward, 0, [](const message& m) {
                             std::string_view auth;
                             ASSERT_TRUE(m.header_value("Authorization", 0, auth));
                             EXPECT_EQ(auth, "NoOneKnowsThisScheme opaque-data=here");
                         }};
    e["multi01.dat"] = {handling::reply, 400};
    e["mcl01.dat"] = {handling::reply, 400};
    e["bcast.dat"] = {handling::drop}; // parses, but its relay destination is a broadcast address
    e["zeromf.dat"] = {handling::script_decides, 0,
                       [](const message& m) { EXPECT_EQ(m.max_forwards(), 0u); }};
    e["cparam01.dat"] = {handling::forward, 0, [](const message& m) {
                             const name_addr& c = (*m.contacts())[0];
                             EXPECT_TRUE(c.uri.params().empty());
                             EXPECT_EQ(c.params, ";unknownparam");
                         }};
    e["cparam02.dat"] = {handling::forward, 0, [](const message& m) {
                             const name_addr& c = (*m.contacts())[0];
                             EXPECT_EQ(c.uri.param("unknownparam"), "");
                             EXPECT_TRUE(c.params.empty());
                         }};
    e["regescrt.dat"] = {handling::forward, 0, [](const message& m) {
                             const name_addr& c = (*m.contacts())[0];
                             EXPECT_EQ(c.uri.headers(), "Route=%3Csip:sip.example.com%3E");
                         }};
    e["sdp01.dat"] = {handling::forward};
    e["inv2543.dat"] = {handling::forward, 0, [](const message& m) {
                            EXPECT_FALSE(make_rfc3261_key(m).has_value());
                            EXPECT_FALSE(m.to().has_tag);
                            EXPECT_FALSE(m.content_length().has_value());
                            EXPECT_FALSE(m.max_forwards().has_value());
                            EXPECT_EQ(m.body().substr(0, 4), "v=0\r");
                            EXPECT_EQ(m.body().size(), m.raw().size() - m.body_offset());
                        }};
    e["test.dat"] = {handling::reply, 400};
    return e;
}

/// The verdict's action column must allow what this layer does.
bool action_allows(const verdict_row& row, const expectation& e) {
    const std::string& a = row.action;
    auto has = [&a](std::string_view text) { return a.find(text) != std::string::npos; };
    switch (e.what) {
    case handling::forward:
        return a.starts_with("forward") || has("or forward");
    case handling::reply:
        return a.starts_with(std::to_string(e.code));
    case handling::drop:
        return has("drop");
    case handling::relay:
        return a.starts_with("response: relay");
    case handling::script_decides:
        return has("must parse") || has("a script decides") || has("a proxy checks") || has("with maxfwd");
    }
    return false;
}

TEST(sip_rfc4475, FilesMatchTheirChecksums) {
    std::istringstream sums(test::read_bytes(k_dir / "SHA256SUMS"));
    std::string line;
    int files = 0;
    while (std::getline(sums, line)) {
        std::string name = line.substr(line.find("  ") + 2);
        EXPECT_TRUE(std::filesystem::exists(k_dir / name)) << name;
        ++files;
    }
    EXPECT_EQ(files, 50);
}

TEST(sip_rfc4475, EveryVerdictRowIsHandled) {
    std::vector<verdict_row> rows = read_verdicts();
    ASSERT_EQ(rows.size(), 50u);
    std::map<std::string, expectation> table = expectations();
    std::set<std::string> seen;
    for (const verdict_row& row : rows) {
        SCOPED_TRACE(row.file + " (" + row.section + ", " + row.verdict + "): " + row.action);
        seen.insert(row.file);
        auto it = table.find(row.file);
        ASSERT_NE(it, table.end()) << "no expectation for this row";
        const expectation& e = it->second;
        EXPECT_TRUE(action_allows(row, e)) << "the expectation does not follow the verdict";

        std::string bytes = test::read_bytes(k_dir / row.file);
        ASSERT_FALSE(bytes.empty());
        message m;
        parse_result r = m.parse(bytes);
        switch (e.what) {
        case handling::forward:
            ASSERT_TRUE(r.ok()) << r.reason();
            ASSERT_TRUE(m.is_request());
            expect_forwardable(m, row.file);
            break;
        case handling::script_decides:
            ASSERT_TRUE(r.ok()) << r.reason();
            break;
        case handling::relay:
            ASSERT_TRUE(r.ok()) << r.reason();
            ASSERT_FALSE(m.is_request());
            break;
        case handling::reply:
            EXPECT_FALSE(r.ok());
            EXPECT_EQ(r.reply_code, e.code) << r.reason();
            EXPECT_TRUE(m.is_request());
            break;
        case handling::drop:
            EXPECT_FALSE(m.is_request());
            if (r.ok()) {
                auto dest = relay_destination(m);
                ASSERT_TRUE(dest.has_value());
                EXPECT_TRUE(is_unsafe_destination(dest->host)) << dest->host;
            } else {
                EXPECT_TRUE(r.drop());
            }
            break;
        }
        if (e.check && r.ok())
            e.check(m);
    }
    for (const auto& [file, e] : table) {
        EXPECT_TRUE(seen.contains(file)) << file << " has an expectation but no verdict row";
    }
    for (const auto& entry : std::filesystem::directory_iterator(k_dir)) {
        if (entry.path().extension() != ".dat")
            continue;
        EXPECT_TRUE(seen.contains(entry.path().filename().string())) << entry.path() << " has no verdict";
    }
}

TEST(sip_rfc4475, SpecificRefusalReasons) {
    struct {
        const char* file;
        parse_error error;
        header_kind header;
    } cases[] = {
        {"badinv01.dat", parse_error::bad_header_value, header_kind::via},
        {"clerr.dat", parse_error::bad_content_length, header_kind::other},
        {"ncl.dat", parse_error::bad_content_length, header_kind::other},
        {"scalar02.dat", parse_error::bad_header_value, header_kind::cseq},
        {"scalarlg.dat", parse_error::bad_header_value, header_kind::cseq},
        {"quotbal.dat", parse_error::bad_header_value, header_kind::to},
        {"ltgtruri.dat", parse_error::bad_request_uri, header_kind::other},
        {"lwsruri.dat", parse_error::bad_request_uri, header_kind::other},
        {"lwsstart.dat", parse_error::bad_request_uri, header_kind::other},
        {"trws.dat", parse_error::bad_version, header_kind::other},
        {"escruri.dat", parse_error::bad_request_uri, header_kind::other},
        {"badaspec.dat", parse_error::bad_header_value, header_kind::to},
        {"baddn.dat", parse_error::bad_header_value, header_kind::from},
        {"badvers.dat", parse_error::unsupported_version, header_kind::other},
        {"mismatch01.dat", parse_error::cseq_method_mismatch, header_kind::cseq},
        {"mismatch02.dat", parse_error::cseq_method_mismatch, header_kind::cseq},
        {"bigcode.dat", parse_error::bad_status, header_kind::other},
        {"insuf.dat", parse_error::missing_header, header_kind::from},
        {"multi01.dat", parse_error::duplicate_header, header_kind::cseq},
        {"mcl01.dat", parse_error::duplicate_header, header_kind::content_length},
        {"test.dat", parse_error::bad_start_line, header_kind::other},
    };
    for (const auto& c : cases) {
        std::string bytes = test::read_bytes(k_dir / c.file);
        message m;
        parse_result r = m.parse(bytes);
        EXPECT_EQ(r.error, c.error) << c.file << ": " << r.reason();
        EXPECT_EQ(r.header, c.header) << c.file;
        EXPECT_FALSE(r.reason().empty());
    }
}

TEST(sip_rfc4475, ClonesOfTheValidMessagesReadTheSame) {
    for (const verdict_row& row : read_verdicts()) {
        std::string bytes = test::read_bytes(k_dir / row.file);
        message m;
        if (!m.parse(bytes).ok())
            continue;
        message copy = m.clone();
        bytes.assign(bytes.size(), '\0');
        ASSERT_TRUE(copy.status().ok()) << row.file;
        EXPECT_EQ(copy.via_count(), m.via_count()) << row.file;
        EXPECT_EQ(copy.header_count(), m.header_count()) << row.file;
    }
}

} // namespace
} // namespace siphost::sip
