// auth's pure parts, compiled from the module's sources: the digest computations against the RFC test
// vectors, the sealed nonces and the replay tracker.
#include "digest.hpp"
#include "nonce_authority.hpp"
#include "nonce_tracker.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <thread>
#include <vector>

namespace siphost::modules::auth {
namespace {

// RFC 7616 3.9.1: the same request answered with MD5 and with SHA-256.
constexpr std::string_view rfc7616_nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view rfc7616_cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

digest_input rfc7616_input() {
    return digest_input{"GET", "/dir/index.html", rfc7616_nonce, "00000001", rfc7616_cnonce, "auth", ""};
}

TEST(auth_digest, rfc2617_section_3_5) {
    std::string ha1 = compute_ha1(digest_algorithm::md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
    EXPECT_EQ(ha1, "939e7578ed9e3c518a452acee763bce9");
    digest_input in{
        "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", ""};
    EXPECT_EQ(compute_response(digest_algorithm::md5, ha1, in), "6629fae49393a05397450978507c4ef1");
}

TEST(auth_digest, rfc7616_section_3_9_1_md5) {
    std::string ha1 = compute_ha1(digest_algorithm::md5, "Mufasa", "http-auth@example.org", "Circle of Life");
    EXPECT_EQ(compute_response(digest_algorithm::md5, ha1, rfc7616_input()),
              "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(auth_digest, rfc7616_section_3_9_1_sha256) {
    std::string ha1 =
        compute_ha1(digest_algorithm::sha256, "Mufasa", "http-auth@example.org", "Circle of Life");
    EXPECT_EQ(ha1.size(), 64u);
    EXPECT_EQ(compute_response(digest_algorithm::sha256, ha1, rfc7616_input()),
              "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

// The -sess, auth-int and no-qop forms, with values computed by Python's hashlib from RFC 7616's formulas.
TEST(auth_digest, session_auth_int_and_no_qop_forms) {
    for (auto [algorithm, sess, auth_int, no_qop] :
         {std::tuple{digest_algorithm::md5, "e783283f46242139c486a698fec7211d",
                     "3dbb0971468cf612bdccd7dff696c5e6", "7b2cc3b30e75b4777ea31027084363fd"},
          std::tuple{digest_algorithm::sha256,
                     "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7",
                     "21468b02aafd4fe0a3d84bfddaf3618cc087adff4bb3c92d0a5f99c3035fcb9a",
                     "a1306b0595a6c7fe96c448631fb5cfbd5107bd1fe1da729d978dd7446b812363"}}) {
        std::string ha1 = compute_ha1(algorithm, "Mufasa", "http-auth@example.org", "Circle of Life");
        auto session =
            algorithm == digest_algorithm::md5 ? digest_algorithm::md5_sess : digest_algorithm::sha256_sess;
        EXPECT_EQ(compute_response(session, ha1, rfc7616_input()), sess);
        digest_input in{"INVITE",   "sip:bob@example.org", rfc7616_nonce,
                        "00000002", rfc7616_cnonce,        "auth-int",
                        "v=0\r\n"};
        EXPECT_EQ(compute_response(algorithm, ha1, in), auth_int);
        digest_input plain{"GET", "/dir/index.html", rfc7616_nonce, "", "", "", ""};
        EXPECT_EQ(compute_response(algorithm, ha1, plain), no_qop);
    }
}

TEST(auth_digest, algorithm_names) {
    EXPECT_EQ(parse_algorithm(""), digest_algorithm::md5);
    EXPECT_EQ(parse_algorithm("md5"), digest_algorithm::md5);
    EXPECT_EQ(parse_algorithm("SHA-256"), digest_algorithm::sha256);
    EXPECT_EQ(parse_algorithm("sha-256-SESS"), digest_algorithm::sha256_sess);
    EXPECT_EQ(parse_algorithm("MD5-sess"), digest_algorithm::md5_sess);
    EXPECT_FALSE(parse_algorithm("SHA-512-256"));
    EXPECT_FALSE(parse_algorithm("MD5 "));
    EXPECT_EQ(algorithm_name(digest_algorithm::sha256_sess), "SHA-256-sess");
    EXPECT_EQ(hash_hex_length(digest_algorithm::md5_sess), 32u);
    EXPECT_EQ(hash_hex_length(digest_algorithm::sha256), 64u);
}

TEST(auth_nonce, round_trip_carries_times_and_id) {
    nonce_authority authority("secret");
    std::string nonce = authority.make({1000, 1300, 42, true});
    EXPECT_EQ(nonce.size(), nonce_authority::length);
    nonce_authority::contents c;
    ASSERT_EQ(authority.check(nonce, 1100, 3, c), nonce_authority::verdict::valid);
    EXPECT_EQ(c.created, 1000u);
    EXPECT_EQ(c.expires, 1300u);
    EXPECT_EQ(c.id, 42u);
    EXPECT_TRUE(c.tracked);
}

// The seal is computed by hand over a reused digest context; it must stay the HMAC-SHA-256 (OpenSSL's own)
// under the key SHA-256(secret), so that nonces keep their form.
TEST(auth_nonce, the_seal_is_hmac_sha256_under_the_hashed_secret) {
    nonce_authority authority("secret");
    std::string nonce = authority.make({1000, 1300, 42, true});
    unsigned char key[32];
    unsigned int key_len = 0;
    ASSERT_EQ(EVP_Digest("secret", 6, key, &key_len, EVP_sha256(), nullptr), 1);
    const unsigned char body[13] = {0, 0, 0x03, 0xe8, 0, 0, 0x05, 0x14, 0, 0, 0, 42, 1};
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    ASSERT_NE(HMAC(EVP_sha256(), key, static_cast<int>(key_len), body, sizeof body, mac, &mac_len), nullptr);
    std::string expected;
    static constexpr char digits[] = "0123456789abcdef";
    for (unsigned char b : body)
        expected += {digits[b >> 4], digits[b & 0x0f]};
    for (size_t i = 0; i < 16; ++i)
        expected += {digits[mac[i] >> 4], digits[mac[i] & 0x0f]};
    EXPECT_EQ(nonce, expected);

    // Each thread hashes on its own context: threads sealing at once agree with each other.
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                if (authority.make({1000, 1300, 42, true}) != expected)
                    ++wrong;
                if (compute_ha1(digest_algorithm::md5, "Mufasa", "testrealm@host.com", "Circle Of Life") !=
                    "939e7578ed9e3c518a452acee763bce9")
                    ++wrong;
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(wrong.load(), 0);
}

TEST(auth_nonce, expired_and_future_nonces_are_stale) {
    nonce_authority authority("secret");
    nonce_authority::contents c;
    EXPECT_EQ(authority.check(authority.make({1000, 1300, 1, false}), 1300, 3, c),
              nonce_authority::verdict::stale);
    EXPECT_EQ(authority.check(authority.make({1010, 1300, 1, false}), 1006, 3, c),
              nonce_authority::verdict::stale)
        << "made 4 s in the future, beyond the drift of 3";
    EXPECT_EQ(authority.check(authority.make({1009, 1300, 1, false}), 1006, 3, c),
              nonce_authority::verdict::valid);
}

TEST(auth_nonce, another_secret_or_a_change_is_refused) {
    nonce_authority ours("secret");
    nonce_authority theirs("other secret");
    nonce_authority random_one("");
    nonce_authority::contents c;
    std::string nonce = theirs.make({1000, 1300, 1, false});
    EXPECT_EQ(ours.check(nonce, 1100, 3, c), nonce_authority::verdict::invalid);
    EXPECT_EQ(ours.check(random_one.make({1000, 1300, 1, false}), 1100, 3, c),
              nonce_authority::verdict::invalid);
    std::string mine = ours.make({1000, 1300, 1, false});
    for (size_t i : {size_t{0}, size_t{9}, mine.size() - 1}) {
        std::string changed = mine;
        changed[i] = changed[i] == '0' ? '1' : '0';
        EXPECT_EQ(ours.check(changed, 1100, 3, c), nonce_authority::verdict::invalid) << "byte " << i;
    }
    EXPECT_EQ(ours.check(mine.substr(1), 1100, 3, c), nonce_authority::verdict::invalid);
    EXPECT_EQ(ours.check(std::string(mine.size(), 'z'), 1100, 3, c), nonce_authority::verdict::invalid);
    EXPECT_EQ(ours.check("", 1100, 3, c), nonce_authority::verdict::invalid);
}

TEST(auth_nonce, a_binding_is_sealed_with_the_rest) {
    nonce_authority authority("secret");
    nonce_authority::contents bound{1000, 1300, 7, true, 3, {1, 2, 3, 4, 5, 6, 7, 8}};
    std::string nonce = authority.make(bound);
    EXPECT_EQ(nonce.size(), nonce_authority::bound_length);
    nonce_authority::contents c;
    ASSERT_EQ(authority.check(nonce, 1100, 3, c), nonce_authority::verdict::valid);
    EXPECT_EQ(c.checks, 3);
    EXPECT_EQ(c.binding, bound.binding);
    EXPECT_TRUE(c.tracked);
    std::string changed = nonce;
    changed[2 * 14] = changed[2 * 14] == '0' ? '1' : '0'; // the binding's first byte
    EXPECT_EQ(authority.check(changed, 1100, 3, c), nonce_authority::verdict::invalid);
    EXPECT_EQ(authority.check(nonce.substr(0, nonce_authority::length), 1100, 3, c),
              nonce_authority::verdict::invalid)
        << "cut to the unbound length";
    EXPECT_EQ(authority.make({1000, 1300, 7, false, 0, {1, 2, 3, 4, 5, 6, 7, 8}}).size(),
              nonce_authority::length)
        << "no checks, no binding";
}

TEST(auth_tracker, nc_must_increase) {
    nonce_tracker tracker(4);
    uint32_t id = tracker.issue();
    EXPECT_EQ(tracker.check_nc(id, 1), nonce_tracker::verdict::fresh);
    EXPECT_EQ(tracker.commit_nc(id, 1), nonce_tracker::verdict::fresh);
    EXPECT_EQ(tracker.check_nc(id, 1), nonce_tracker::verdict::replayed);
    EXPECT_EQ(tracker.commit_nc(id, 1), nonce_tracker::verdict::replayed);
    EXPECT_EQ(tracker.commit_nc(id, 3), nonce_tracker::verdict::fresh);
    EXPECT_EQ(tracker.check_nc(id, 2), nonce_tracker::verdict::replayed) << "lower than the last accepted";
    EXPECT_EQ(tracker.check_nc(id, 256), nonce_tracker::verdict::forgotten) << "past Kamailio's nc limit";
    EXPECT_EQ(tracker.commit_nc(id, 255), nonce_tracker::verdict::fresh);
}

TEST(auth_tracker, an_overwritten_entry_is_forgotten_not_accepted) {
    nonce_tracker tracker(1); // two entries
    uint32_t first = tracker.issue();
    tracker.issue();
    tracker.issue(); // takes the first one's entry
    EXPECT_EQ(tracker.check_nc(first, 1), nonce_tracker::verdict::forgotten);
    EXPECT_EQ(tracker.check_once(first), nonce_tracker::verdict::forgotten);
    EXPECT_EQ(tracker.size(), 2u);
}

TEST(auth_tracker, one_time_nonces_are_used_once) {
    nonce_tracker tracker(4);
    uint32_t id = tracker.issue();
    EXPECT_EQ(tracker.check_once(id), nonce_tracker::verdict::fresh);
    EXPECT_EQ(tracker.commit_once(id), nonce_tracker::verdict::fresh);
    EXPECT_EQ(tracker.check_once(id), nonce_tracker::verdict::replayed);
    EXPECT_EQ(tracker.commit_once(id), nonce_tracker::verdict::replayed);
}

} // namespace
} // namespace siphost::modules::auth
