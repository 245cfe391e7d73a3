#include "nonce_authority.hpp"

#include "digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace siphost::modules::auth {
namespace {

constexpr size_t body_size = 13;       ///< without a binding
constexpr size_t bound_body_size = 22; ///< with checks and binding
constexpr size_t seal_size = 16;
constexpr unsigned char flag_tracked = 1;
constexpr unsigned char flag_bound = 2;

void put32(unsigned char* p, uint32_t v) {
    p[0] = static_cast<unsigned char>(v >> 24);
    p[1] = static_cast<unsigned char>(v >> 16);
    p[2] = static_cast<unsigned char>(v >> 8);
    p[3] = static_cast<unsigned char>(v);
}

uint32_t get32(const unsigned char* p) {
    return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
           static_cast<uint32_t>(p[2]) << 8 | p[3];
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

nonce_authority::nonce_authority(std::string_view secret) {
    if (secret.empty()) {
        if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
            throw std::runtime_error("cannot get random bytes for the nonce secret");
    } else {
        // Hashing the secret gives a full-size key whatever its length.
        unsigned int len = 0;
        if (EVP_Digest(secret.data(), secret.size(), key_.data(), &len, EVP_sha256(), nullptr) != 1 ||
            len != key_.size())
            throw std::runtime_error("cannot derive the nonce key from the secret");
    }
    // The key (32 bytes) is shorter than SHA-256's block, so RFC 2104 pads it with zeros.
    inner_pad_.fill(0x36);
    outer_pad_.fill(0x5c);
    for (size_t i = 0; i < key_.size(); ++i) {
        inner_pad_[i] ^= key_[i];
        outer_pad_[i] ^= key_[i];
    }
}

std::array<unsigned char, 16> nonce_authority::seal(const unsigned char* data, size_t len) const {
    // HMAC-SHA-256 (RFC 2104): H(key ^ opad || H(key ^ ipad || data)), the first seal_size bytes.
    std::array<unsigned char, EVP_MAX_MD_SIZE> inner{};
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int inner_len = 0;
    unsigned int mac_len = 0;
    std::array<unsigned char, seal_size> out{};
    EVP_MD_CTX* ctx = thread_md_ctx();
    const EVP_MD* md = sha256_md();
    bool ok = ctx != nullptr && EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
              EVP_DigestUpdate(ctx, inner_pad_.data(), inner_pad_.size()) == 1 &&
              EVP_DigestUpdate(ctx, data, len) == 1 &&
              EVP_DigestFinal_ex(ctx, inner.data(), &inner_len) == 1 &&
              EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
              EVP_DigestUpdate(ctx, outer_pad_.data(), outer_pad_.size()) == 1 &&
              EVP_DigestUpdate(ctx, inner.data(), inner_len) == 1 &&
              EVP_DigestFinal_ex(ctx, mac.data(), &mac_len) == 1;
    if (!ok || mac_len < seal_size) {
        // A zero seal never verifies: check() compares against a fresh HMAC, which fails the same way.
        return out;
    }
    std::copy(mac.begin(), mac.begin() + seal_size, out.begin());
    return out;
}

std::string nonce_authority::make(const contents& c) const {
    std::array<unsigned char, bound_body_size + seal_size> raw{};
    put32(raw.data(), c.created);
    put32(raw.data() + 4, c.expires);
    put32(raw.data() + 8, c.id);
    raw[12] = static_cast<unsigned char>((c.tracked ? flag_tracked : 0) | (c.checks != 0 ? flag_bound : 0));
    size_t body = body_size;
    if (c.checks != 0) {
        raw[13] = c.checks;
        std::copy(c.binding.begin(), c.binding.end(), raw.begin() + 14);
        body = bound_body_size;
    }
    auto mac = seal(raw.data(), body);
    std::copy(mac.begin(), mac.end(), raw.begin() + static_cast<std::ptrdiff_t>(body));
    static constexpr char digits[] = "0123456789abcdef";
    size_t size = body + seal_size;
    std::string hex(size * 2, '0');
    for (size_t i = 0; i < size; ++i) {
        hex[2 * i] = digits[raw[i] >> 4];
        hex[2 * i + 1] = digits[raw[i] & 0x0f];
    }
    return hex;
}

nonce_authority::verdict nonce_authority::check(std::string_view nonce, uint32_t now, uint32_t max_drift,
                                                contents& out) const {
    if (nonce.size() != length && nonce.size() != bound_length)
        return verdict::invalid;
    std::array<unsigned char, bound_body_size + seal_size> raw{};
    size_t size = nonce.size() / 2;
    for (size_t i = 0; i < size; ++i) {
        int hi = hex_value(nonce[2 * i]);
        int lo = hex_value(nonce[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return verdict::invalid;
        raw[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    size_t body = size - seal_size;
    bool bound = (raw[12] & flag_bound) != 0;
    auto mac = seal(raw.data(), body);
    if (CRYPTO_memcmp(mac.data(), raw.data() + body, seal_size) != 0 ||
        (raw[12] & ~(flag_tracked | flag_bound)) != 0 || bound != (body == bound_body_size) ||
        (bound && raw[13] == 0))
        return verdict::invalid;
    out.created = get32(raw.data());
    out.expires = get32(raw.data() + 4);
    out.id = get32(raw.data() + 8);
    out.tracked = (raw[12] & flag_tracked) != 0;
    out.checks = bound ? raw[13] : 0;
    out.binding = {};
    if (bound)
        std::copy(raw.begin() + 14, raw.begin() + 22, out.binding.begin());
    if (now >= out.expires)
        return verdict::stale;
    if (out.created > now && out.created - now > max_drift)
        return verdict::stale;
    return verdict::valid;
}

} // namespace siphost::modules::auth
