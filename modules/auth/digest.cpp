#include "digest.hpp"

#include <nettle/md5.h>
#include <nettle/sha2.h>

#include <array>

namespace siphost::modules::auth {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
        if (x != y)
            return false;
    }
    return true;
}

/// H(part1:part2:...) with one of nettle's hashes (its init, update and digest functions on Context).
template <typename Context, size_t Size>
std::array<unsigned char, Size>
hash_parts(void (*init)(Context*), void (*update)(Context*, size_t, const uint8_t*),
           void (*digest)(Context*, size_t, uint8_t*), std::initializer_list<std::string_view> parts) {
    Context ctx;
    init(&ctx);
    bool first = true;
    for (std::string_view part : parts) {
        if (!first)
            update(&ctx, 1, reinterpret_cast<const uint8_t*>(":"));
        first = false;
        update(&ctx, part.size(), reinterpret_cast<const uint8_t*>(part.data()));
    }
    std::array<unsigned char, Size> out{};
    digest(&ctx, out.size(), out.data());
    return out;
}

template <size_t Size> std::string to_hex(const std::array<unsigned char, Size>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(Size * 2, '0');
    for (size_t i = 0; i < Size; ++i) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
    return hex;
}

} // namespace

std::array<unsigned char, 32> sha256_of(std::string_view bytes) {
    return hash_parts<sha256_ctx, SHA256_DIGEST_SIZE>(sha256_init, sha256_update, sha256_digest, {bytes});
}

std::optional<digest_algorithm> parse_algorithm(std::string_view name) {
    if (name.empty() || iequals(name, "MD5"))
        return digest_algorithm::md5;
    if (iequals(name, "MD5-sess"))
        return digest_algorithm::md5_sess;
    if (iequals(name, "SHA-256"))
        return digest_algorithm::sha256;
    if (iequals(name, "SHA-256-sess"))
        return digest_algorithm::sha256_sess;
    return std::nullopt;
}

std::string_view algorithm_name(digest_algorithm algorithm) {
    switch (algorithm) {
    case digest_algorithm::md5:
        return "MD5";
    case digest_algorithm::md5_sess:
        return "MD5-sess";
    case digest_algorithm::sha256:
        return "SHA-256";
    case digest_algorithm::sha256_sess:
        return "SHA-256-sess";
    }
    return "MD5";
}

size_t hash_hex_length(digest_algorithm algorithm) {
    return algorithm == digest_algorithm::md5 || algorithm == digest_algorithm::md5_sess ? 32 : 64;
}

bool is_session(digest_algorithm algorithm) {
    return algorithm == digest_algorithm::md5_sess || algorithm == digest_algorithm::sha256_sess;
}

std::string hash_hex(digest_algorithm algorithm, std::initializer_list<std::string_view> parts) {
    if (algorithm == digest_algorithm::md5 || algorithm == digest_algorithm::md5_sess)
        return to_hex(hash_parts<md5_ctx, MD5_DIGEST_SIZE>(md5_init, md5_update, md5_digest, parts));
    return to_hex(
        hash_parts<sha256_ctx, SHA256_DIGEST_SIZE>(sha256_init, sha256_update, sha256_digest, parts));
}

std::string compute_ha1(digest_algorithm algorithm, std::string_view username, std::string_view realm,
                        std::string_view password) {
    return hash_hex(algorithm, {username, realm, password});
}

std::string compute_response(digest_algorithm algorithm, std::string_view ha1, const digest_input& input) {
    std::string session_ha1;
    if (is_session(algorithm)) {
        session_ha1 = hash_hex(algorithm, {ha1, input.nonce, input.cnonce});
        ha1 = session_ha1;
    }
    std::string ha2 = iequals(input.qop, "auth-int")
                          ? hash_hex(algorithm, {input.method, input.uri, hash_hex(algorithm, {input.body})})
                          : hash_hex(algorithm, {input.method, input.uri});
    if (input.qop.empty())
        return hash_hex(algorithm, {ha1, input.nonce, ha2});
    return hash_hex(algorithm, {ha1, input.nonce, input.nc, input.cnonce, input.qop, ha2});
}

} // namespace siphost::modules::auth
