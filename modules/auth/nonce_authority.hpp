#pragma once
// Nonces of this server: they carry their creation and expiry times, an id for replay tracking, flags and,
// with Kamailio's auth_checks_*, a digest of the request parts the nonce is bound to; all sealed with an
// HMAC-SHA-256 under the server secret, so that checking one needs no state and a nonce made under another
// secret (another server, a restart with a random secret) or changed in transit is refused.
//
//   nonce = hex( created:u32 | expires:u32 | id:u32 | flags:u8 [| checks:u8 | binding:8]
//                | HMAC-SHA-256(key, the bytes before)[0..16) )
//   flags: 1 the id is tracked, 2 checks and binding follow

#include <nettle/hmac.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace siphost::modules::auth {

class nonce_authority {
public:
    /// What a nonce carries.
    struct contents {
        uint32_t created = 0; ///< seconds since the epoch
        uint32_t expires = 0;
        uint32_t id = 0;                        ///< the replay tracker's entry
        bool tracked = false;                   ///< id names an entry of the tracker
        uint8_t checks = 0;                     ///< auth_checks_* bits the binding covers; 0: not bound
        std::array<unsigned char, 8> binding{}; ///< a digest of the request parts named by checks
    };

    enum class verdict { valid, stale, invalid };

    /// The key is derived from secret (any length); an empty secret gets 32 random bytes.
    /// Throws std::runtime_error when no random bytes can be had.
    explicit nonce_authority(std::string_view secret);

    std::string make(const contents& c) const;

    /// Checks the seal and the times: stale when expired, or created further than max_drift in the future.
    verdict check(std::string_view nonce, uint32_t now, uint32_t max_drift, contents& out) const;

    /// Hex characters of a nonce, without and with a binding.
    static constexpr size_t length = 2 * (13 + 16);
    static constexpr size_t bound_length = 2 * (13 + 9 + 16);

private:
    std::array<unsigned char, 16> seal(const unsigned char* data, size_t len) const;

    /// HMAC-SHA-256 keyed once (the pads hashed): each seal copies it and hashes only its own bytes.
    hmac_sha256_ctx keyed_{};
};

} // namespace siphost::modules::auth
