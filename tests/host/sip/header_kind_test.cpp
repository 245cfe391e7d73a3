#include "sip/header_kind.hpp"

#include <gtest/gtest.h>

namespace siphost::sip {
namespace {

TEST(sip_header_kind, CompactForms) {
    struct {
        char compact;
        header_kind kind;
    } cases[] = {
        {'v', header_kind::via},
        {'f', header_kind::from},
        {'t', header_kind::to},
        {'i', header_kind::call_id},
        {'m', header_kind::contact},
        {'l', header_kind::content_length},
        {'c', header_kind::content_type},
        {'k', header_kind::supported},
        {'s', header_kind::subject},
        {'e', header_kind::content_encoding},
        {'o', header_kind::event},
        {'u', header_kind::allow_events},
        {'r', header_kind::refer_to},
        {'b', header_kind::referred_by},
        {'x', header_kind::session_expires},
        {'y', header_kind::identity},
    };
    for (auto c : cases) {
        char lower[1] = {c.compact};
        char upper[1] = {static_cast<char>(c.compact - 32)};
        EXPECT_EQ(lookup_header_kind(std::string_view(lower, 1)), c.kind) << c.compact;
        EXPECT_EQ(lookup_header_kind(std::string_view(upper, 1)), c.kind) << c.compact;
    }
    EXPECT_EQ(lookup_header_kind("z"), header_kind::other);
    EXPECT_EQ(lookup_header_kind("1"), header_kind::other);
}

TEST(sip_header_kind, FullNamesInAnyCase) {
    EXPECT_EQ(lookup_header_kind("ViA"), header_kind::via);
    EXPECT_EQ(lookup_header_kind("call-id"), header_kind::call_id);
    EXPECT_EQ(lookup_header_kind("MAX-FORWARDS"), header_kind::max_forwards);
    EXPECT_EQ(lookup_header_kind("Record-Route"), header_kind::record_route);
    EXPECT_EQ(lookup_header_kind("proxy-require"), header_kind::proxy_require);
    EXPECT_EQ(lookup_header_kind("C%6Fntact"), header_kind::other); // esc02.dat: not Contact
    EXPECT_EQ(lookup_header_kind("NewFangledHeader"), header_kind::other);
    EXPECT_EQ(canonical_name(header_kind::call_id), "Call-ID");
    EXPECT_EQ(canonical_name(header_kind::other), "");
}

TEST(sip_header_kind, NearMissesAreUnknown) {
    // The lookup folds case a word at a time; characters that fold onto letters or '-' must not match.
    EXPECT_EQ(lookup_header_kind("MAX_FORWARDS"), header_kind::other);
    EXPECT_EQ(lookup_header_kind("Max-Forward"), header_kind::other);
    EXPECT_EQ(lookup_header_kind("Max-Forwardss"), header_kind::other);
    EXPECT_EQ(lookup_header_kind("Call\rID"), header_kind::other);
    EXPECT_EQ(lookup_header_kind("T@"), header_kind::other);
    EXPECT_EQ(lookup_header_kind("tO"), header_kind::to);
    EXPECT_EQ(lookup_header_kind("CONTENT-LENGTH"), header_kind::content_length);
    EXPECT_EQ(lookup_header_kind("proxy-authorization"), header_kind::proxy_authorization);
    EXPECT_EQ(lookup_header_kind("Request-Dispositio_"), header_kind::other);
    EXPECT_EQ(lookup_header_kind("A-Very-Long-Unknown-Header-Name"), header_kind::other);
    EXPECT_EQ(lookup_header_kind(""), header_kind::other);
    for (int k = 1; k < static_cast<int>(header_kind::count_); ++k) {
        auto kind = static_cast<header_kind>(k);
        EXPECT_EQ(lookup_header_kind(canonical_name(kind)), kind) << canonical_name(kind);
    }
}

TEST(sip_header_kind, ListAndSingleHeaders) {
    EXPECT_TRUE(is_list_header(header_kind::via));
    EXPECT_TRUE(is_list_header(header_kind::route));
    EXPECT_FALSE(is_list_header(header_kind::authorization));
    EXPECT_FALSE(is_list_header(header_kind::other));
    EXPECT_TRUE(is_single_header(header_kind::cseq));
    EXPECT_FALSE(is_single_header(header_kind::via));
}

} // namespace
} // namespace siphost::sip
