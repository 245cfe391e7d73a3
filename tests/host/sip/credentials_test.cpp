// Digest credentials (RFC 7616 3.4).
#include "sip/credentials.hpp"

#include <gtest/gtest.h>

namespace siphost::sip {
namespace {

TEST(sip_credentials, ReadsEveryDirective) {
    digest_credentials c;
    ASSERT_TRUE(parse_digest_credentials(
        "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
        "uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
        "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", "
        "algorithm=SHA-256",
        c));
    EXPECT_EQ("Digest", c.scheme);
    EXPECT_EQ("bob", c.username);
    EXPECT_EQ("biloxi.com", c.realm);
    EXPECT_EQ("dcd98b7102dd2f0e8b11d0f600bfb0c093", c.nonce);
    EXPECT_EQ("sip:bob@biloxi.com", c.uri);
    EXPECT_EQ("auth", c.qop);
    EXPECT_EQ("00000001", c.nc);
    EXPECT_EQ("0a4f113b", c.cnonce);
    EXPECT_EQ("6629fae49393a05397450978507c4ef1", c.response);
    EXPECT_EQ("5ccc069c403ebaf9f0171e9517f40e41", c.opaque);
    EXPECT_EQ("SHA-256", c.algorithm);
}

TEST(sip_credentials, SkipsUnknownDirectivesAndToleratesSpace) {
    digest_credentials c;
    ASSERT_TRUE(parse_digest_credentials("digest  username = \"a\" ,userhash=false, realm=\"r\"", c));
    EXPECT_EQ("a", c.username);
    EXPECT_EQ("r", c.realm);
    EXPECT_TRUE(c.algorithm.empty());
}

TEST(sip_credentials, RefusesOtherSchemesAndBrokenText) {
    digest_credentials c;
    EXPECT_FALSE(parse_digest_credentials("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", c));
    EXPECT_FALSE(parse_digest_credentials("Digest username=\"unclosed, realm=\"r\"", c));
    EXPECT_FALSE(parse_digest_credentials("Digest username=\"a\" realm=\"r\"", c)); // no comma
    EXPECT_FALSE(parse_digest_credentials("Digest username=\"a\", username=\"b\"", c));
    EXPECT_FALSE(parse_digest_credentials("Digest", c));
    EXPECT_FALSE(parse_digest_credentials("", c));
}

} // namespace
} // namespace siphost::sip
