#pragma once
// Digest computations of RFC 2617 and RFC 7616 (MD5, SHA-256 and their -sess forms; qop auth and auth-int),
// over nettle's digests. Pure functions: no module state, so the unit tests use them directly.
//
// nettle rather than OpenSSL: its hash contexts are plain structures on the stack. OpenSSL 3's EVP API frees
// and allocates the provider's state on every digest init, which cost more than hashing a SIP digest's few
// bytes (a third of auth's CPU per REGISTER, measured with perf).

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::modules::auth {

enum class digest_algorithm { md5 = 0, md5_sess = 1, sha256 = 2, sha256_sess = 3 };

/// The algorithm named in a challenge or in credentials (any case); empty means MD5 (RFC 2617 3.2.1).
std::optional<digest_algorithm> parse_algorithm(std::string_view name);

/// The name as written in a challenge: "MD5", "MD5-sess", "SHA-256", "SHA-256-sess".
std::string_view algorithm_name(digest_algorithm algorithm);

/// Hex digits of one hash of this algorithm: 32 (MD5) or 64 (SHA-256).
size_t hash_hex_length(digest_algorithm algorithm);

/// True for the -sess forms, whose HA1 also covers the nonce and the cnonce.
bool is_session(digest_algorithm algorithm);

/// What a response covers besides HA1.
struct digest_input {
    std::string_view method;
    std::string_view uri;
    std::string_view nonce;
    std::string_view nc;     ///< empty without qop
    std::string_view cnonce; ///< empty without qop (and without -sess)
    std::string_view qop;    ///< "", "auth" or "auth-int"
    std::string_view body;   ///< hashed into HA2 for auth-int only
};

/// Lower-case hex of H(part1:part2:...) with the algorithm's hash.
std::string hash_hex(digest_algorithm algorithm, std::initializer_list<std::string_view> parts);

/// HA1 = H(username:realm:password), the value a subscriber table stores (ha1, ha1b).
std::string compute_ha1(digest_algorithm algorithm, std::string_view username, std::string_view realm,
                        std::string_view password);

/// The expected response for HA1 (as stored: the -sess step is applied here).
std::string compute_response(digest_algorithm algorithm, std::string_view ha1, const digest_input& input);

/// SHA-256 of bytes.
std::array<unsigned char, 32> sha256_of(std::string_view bytes);

} // namespace siphost::modules::auth
