#include "digest.hpp"

#include <openssl/evp.h>

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

const EVP_MD* digest_of(digest_algorithm algorithm) {
    return algorithm == digest_algorithm::md5 || algorithm == digest_algorithm::md5_sess ? md5_md()
                                                                                         : sha256_md();
}

/// A fetched algorithm, freed when the module is unloaded. A thread's context that still uses it holds a
/// reference of its own (OpenSSL counts them), so the order of the two frees does not matter.
struct fetched_md {
    fetched_md(const char* name, const EVP_MD* fallback)
        : owned(EVP_MD_fetch(nullptr, name, nullptr)), md(owned != nullptr ? owned : fallback) {}
    fetched_md(const fetched_md&) = delete;
    fetched_md& operator=(const fetched_md&) = delete;
    ~fetched_md() { EVP_MD_free(owned); }
    EVP_MD* owned;
    const EVP_MD* md;
};

struct owned_md_ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    owned_md_ctx() = default;
    owned_md_ctx(const owned_md_ctx&) = delete;
    owned_md_ctx& operator=(const owned_md_ctx&) = delete;
    ~owned_md_ctx() { EVP_MD_CTX_free(ctx); }
};

} // namespace

const EVP_MD* sha256_md() {
    static const fetched_md sha256("SHA2-256", EVP_sha256());
    return sha256.md;
}

const EVP_MD* md5_md() {
    static const fetched_md md5("MD5", EVP_md5());
    return md5.md;
}

EVP_MD_CTX* thread_md_ctx() {
    thread_local owned_md_ctx owned;
    return owned.ctx;
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
    EVP_MD_CTX* ctx = thread_md_ctx();
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int md_len = 0;
    bool ok = ctx != nullptr && EVP_DigestInit_ex2(ctx, digest_of(algorithm), nullptr) == 1;
    bool first = true;
    for (std::string_view part : parts) {
        if (!first)
            ok = ok && EVP_DigestUpdate(ctx, ":", 1) == 1;
        first = false;
        ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, md.data(), &md_len) == 1;
    if (!ok)
        return {}; // callers compare against it, and an empty value never matches a response
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(md_len * 2, '0');
    for (unsigned int i = 0; i < md_len; ++i) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 0x0f];
    }
    return hex;
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
