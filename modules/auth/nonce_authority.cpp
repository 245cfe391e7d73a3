#include "nonce_authority.hpp"

#include "digest.hpp"

#include <nettle/memops.h>

#include <sys/random.h>

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
    std::array<unsigned char, 32> key{};
    if (secret.empty()) {
        if (getrandom(key.data(), key.size(), 0) != static_cast<ssize_t>(key.size()))
            throw std::runtime_error("cannot get random bytes for the nonce secret");
    } else {
        key = sha256_of(secret); // a full-size key whatever the secret's length
    }
    hmac_sha256_set_key(&keyed_, key.size(), key.data());
}

std::array<unsigned char, 16> nonce_authority::seal(const unsigned char* data, size_t len) const {
    hmac_sha256_ctx ctx = keyed_; // seal runs on every worker at once: the keyed state is only read
    hmac_sha256_update(&ctx, len, data);
    std::array<unsigned char, seal_size> out{};
    hmac_sha256_digest(&ctx, out.size(), out.data()); // truncated to its first seal_size bytes (RFC 2104 5)
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
    if (memeql_sec(mac.data(), raw.data() + body, seal_size) == 0 ||
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
