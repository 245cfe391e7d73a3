// The JSON-RPC layer of jsonrpcs without a host: requests as Kamailio's jsonrpcs reads them, the FIFO stream
// cut into documents, the reply-path rule and the config's octal modes.
#include "fifo_server.hpp"
#include "frame_reader.hpp"
#include "json_request.hpp"
#include "socket_owner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace siphost::modules::jsonrpcs;

namespace {

json_request parse(std::string_view text) {
    return parse_request(text, json_limits{});
}

TEST(jsonrpcs_request, reads_kamctls_request) {
    auto r = parse(R"({"jsonrpc": "2.0", "method": "stats.get_statistics", "params": ["sl:", 5, 2.5],)"
                   R"( "reply_name": "kamailio_receiver_42", "id": 42})");
    ASSERT_TRUE(r.valid()) << r.error_message;
    EXPECT_EQ(r.method, "stats.get_statistics");
    ASSERT_EQ(r.params.size(), 3u);
    EXPECT_EQ(std::get<std::string>(r.params[0]), "sl:");
    EXPECT_EQ(std::get<int64_t>(r.params[1]), 5);
    EXPECT_DOUBLE_EQ(std::get<double>(r.params[2]), 2.5);
    EXPECT_EQ(r.reply_name, "kamailio_receiver_42");
    EXPECT_TRUE(r.has_id);
    EXPECT_EQ(r.id, 42);
}

TEST(jsonrpcs_request, named_params_keep_their_written_order) {
    auto r = parse(R"({"method": "dispatcher.set_state", "params": {"state": "ip", "grpup": 2, "a": "x"}})");
    ASSERT_TRUE(r.valid()) << r.error_message;
    ASSERT_EQ(r.params.size(), 3u);
    EXPECT_EQ(std::get<std::string>(r.params[0]), "ip");
    EXPECT_EQ(std::get<int64_t>(r.params[1]), 2);
    EXPECT_EQ(std::get<std::string>(r.params[2]), "x");
    EXPECT_FALSE(r.has_id);
}

TEST(jsonrpcs_request, string_and_null_ids) {
    auto s = parse(R"({"method": "a.b", "id": "abc"})");
    ASSERT_TRUE(s.valid());
    EXPECT_EQ(s.id, "abc");
    auto n = parse(R"({"method": "a.b", "id": null})");
    ASSERT_TRUE(n.valid());
    EXPECT_TRUE(n.has_id);
    EXPECT_TRUE(n.id.is_null());
}

TEST(jsonrpcs_request, malformed_and_truncated_are_parse_errors) {
    for (const char* text : {"garbage", "", "{", R"({"method": "core.version", "id": 6)",
                             "{\"method\": \"a\xff\"}", R"({"method": "a"} trailing)", "{\"a\":1,}"}) {
        auto r = parse(text);
        EXPECT_EQ(r.error_code, parse_error) << text;
        EXPECT_EQ(r.error_message, "Parse Error");
    }
}

TEST(jsonrpcs_request, a_broken_request_keeps_the_id_and_reply_name_it_gave) {
    auto r = parse(R"({"id": 7, "reply_name": "rep", "method": "core.version", "params": [)");
    EXPECT_EQ(r.error_code, parse_error);
    EXPECT_EQ(r.reply_name, "rep");
    EXPECT_EQ(r.id, 7);
}

TEST(jsonrpcs_request, invalid_requests) {
    EXPECT_EQ(parse("[1, 2]").error_code, invalid_request);
    EXPECT_EQ(parse("\"x\"").error_code, invalid_request);
    EXPECT_EQ(parse(R"({"jsonrpc": "2.0", "id": 9})").error_code, invalid_request);
    EXPECT_EQ(parse(R"({"method": 5, "id": 9})").error_code, invalid_request);
    EXPECT_EQ(parse(R"({"method": "", "id": 9})").error_code, invalid_request);
    EXPECT_EQ(parse(R"({"method": "a.b", "id": [1]})").error_code, invalid_request);
    EXPECT_EQ(parse(R"({"method": "a.b", "id": 1.5})").error_code, invalid_request);
    EXPECT_EQ(parse(R"({"method": "a.b", "reply_name": 3})").error_code, invalid_request);
}

TEST(jsonrpcs_request, parameters_the_rpc_interface_cannot_carry) {
    for (const char* text :
         {R"({"method": "a.b", "params": [{"a": 1}], "id": 1})",
          R"({"method": "a.b", "params": [[1]], "id": 1})", R"({"method": "a.b", "params": [true], "id": 1})",
          R"({"method": "a.b", "params": [null], "id": 1})", R"({"method": "a.b", "params": "x", "id": 1})",
          R"({"method": "a.b", "params": [18446744073709551615], "id": 1})"}) {
        auto r = parse(text);
        EXPECT_EQ(r.error_code, invalid_params) << text;
        EXPECT_EQ(r.id, 1) << text;
    }
}

TEST(jsonrpcs_request, nesting_ten_thousand_deep_is_refused) {
    std::string deep = R"({"method": "a.b", "id": 3, "params": [)" + std::string(10000, '[') +
                       std::string(10000, ']') + "]}";
    auto r = parse(deep);
    EXPECT_EQ(r.error_code, invalid_request);
    EXPECT_NE(r.error_message.find("Too Deep"), std::string::npos);
    EXPECT_EQ(r.id, 3);
    // Unbalanced and deep: refused as well, before the end is reached.
    EXPECT_EQ(parse(std::string(100000, '[')).error_code, invalid_request);
}

TEST(jsonrpcs_request, a_request_over_the_size_limit_is_refused_unread) {
    json_limits small;
    small.max_size = 64;
    auto r = parse_request(R"({"method": "a.b", "params": [")" + std::string(100, 'x') + "\"]}", small);
    EXPECT_EQ(r.error_code, invalid_request);
    EXPECT_NE(r.error_message.find("Too Large"), std::string::npos);
}

struct framed {
    std::vector<std::string> documents;
    std::vector<std::string> dropped;
    frame_reader reader;
    explicit framed(size_t max)
        : reader(
              max, [this](std::string_view d) { documents.emplace_back(d); },
              [this](std::string_view why) { dropped.emplace_back(why); }) {}
};

TEST(jsonrpcs_frame_reader, cuts_documents_where_brackets_balance) {
    framed f(1024);
    f.reader.feed("{\"a\": \"}{]\\\"\", \"b\": [1, {\"c\": 2}]}\n{\"x\"");
    f.reader.feed(": 1}  [1]");
    ASSERT_EQ(f.documents.size(), 3u);
    EXPECT_EQ(f.documents[0], "{\"a\": \"}{]\\\"\", \"b\": [1, {\"c\": 2}]}");
    EXPECT_EQ(f.documents[1], "{\"x\": 1}");
    EXPECT_EQ(f.documents[2], "[1]");
    EXPECT_TRUE(f.dropped.empty());
    EXPECT_EQ(f.reader.pending(), 0u);
}

TEST(jsonrpcs_frame_reader, byte_by_byte_gives_the_same_documents) {
    framed f(1024);
    std::string stream = "{\"method\": \"tm.stats\", \"id\": 1}\n{\"method\": \"sl.stats\", \"id\": 2}\n";
    for (char c : stream)
        f.reader.feed(std::string_view(&c, 1));
    ASSERT_EQ(f.documents.size(), 2u);
    EXPECT_EQ(f.documents[1], "{\"method\": \"sl.stats\", \"id\": 2}");
}

TEST(jsonrpcs_frame_reader, truncated_documents_are_dropped_at_end_of_stream) {
    framed f(1024);
    f.reader.feed("{\"method\": \"core.version\"");
    EXPECT_GT(f.reader.pending(), 0u);
    f.reader.end_of_stream();
    ASSERT_EQ(f.dropped.size(), 1u);
    EXPECT_EQ(f.dropped[0], "truncated JSON document");
    f.reader.feed("{\"ok\": 1}");
    ASSERT_EQ(f.documents.size(), 1u);
    EXPECT_EQ(f.documents[0], "{\"ok\": 1}");
}

TEST(jsonrpcs_frame_reader, a_hundred_megabytes_are_skipped_without_being_kept) {
    framed f(1024 * 1024);
    f.reader.feed("{\"method\": \"a.b\", \"params\": [\"");
    std::string chunk(1024 * 1024, 'a');
    for (int i = 0; i < 100; ++i) {
        f.reader.feed(chunk);
        EXPECT_LE(f.reader.pending(), 1024u * 1024u);
    }
    f.reader.feed("\"]}{\"next\": 1}");
    ASSERT_EQ(f.dropped.size(), 1u);
    EXPECT_EQ(f.dropped[0], "request too large");
    ASSERT_EQ(f.documents.size(), 1u);
    EXPECT_EQ(f.documents[0], "{\"next\": 1}");
}

TEST(jsonrpcs_frame_reader, stray_bytes_are_skipped_to_the_end_of_the_line) {
    framed f(1024);
    f.reader.feed("hello {not json}\n{\"a\": 1}");
    ASSERT_EQ(f.dropped.size(), 1u);
    ASSERT_EQ(f.documents.size(), 1u);
    EXPECT_EQ(f.documents[0], "{\"a\": 1}");
}

TEST(jsonrpcs_fifo, reply_names_must_stay_in_the_reply_directory) {
    std::string error;
    EXPECT_EQ(fifo_server::reply_path("/tmp/", "kamailio_receiver_1", error), "/tmp/kamailio_receiver_1");
    EXPECT_EQ(fifo_server::reply_path("/run/x", "r", error), "/run/x/r");
    for (const char* bad : {"", ".", "..", "../etc/passwd", "/etc/passwd", "a/b"}) {
        error.clear();
        EXPECT_EQ(fifo_server::reply_path("/tmp/", bad, error), "") << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
    EXPECT_EQ(fifo_server::reply_path("/tmp/", std::string(256, 'a'), error), "");
}

TEST(jsonrpcs_owner, modes_must_fit_chmods_bits) {
    EXPECT_TRUE(socket_owner::valid_mode(0600));
    EXPECT_TRUE(socket_owner::valid_mode(0));
    EXPECT_TRUE(socket_owner::valid_mode(07777));
    EXPECT_FALSE(socket_owner::valid_mode(010000));
    EXPECT_FALSE(socket_owner::valid_mode(-1));
}

TEST(jsonrpcs_owner, users_and_groups_by_name_or_number) {
    uid_t uid = 1;
    EXPECT_TRUE(resolve_user("root", uid));
    EXPECT_EQ(uid, 0u);
    EXPECT_TRUE(resolve_user("1234", uid));
    EXPECT_EQ(uid, 1234u);
    EXPECT_FALSE(resolve_user("no-such-user-here", uid));
    gid_t gid = 1;
    EXPECT_TRUE(resolve_group("root", gid));
    EXPECT_EQ(gid, 0u);
    EXPECT_FALSE(resolve_group("no-such-group-here", gid));
}

} // namespace
