#include "reply_tag.hpp"

#include <siphost/module.hpp>

#include <cstdint>
#include <cstring>

namespace siphost::modules::sl {
namespace {

constexpr uint64_t fnv_offset = 14695981039346656037ull;
constexpr uint64_t fnv_prime = 1099511628211ull;

constexpr uint64_t fnv1a(uint64_t hash, std::string_view bytes) {
    for (char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= fnv_prime;
    }
    // A separator so that ("ab","c") and ("a","bc") hash differently.
    hash ^= 0xffu;
    hash *= fnv_prime;
    return hash;
}

/// The fixed part: the same for every worker and every run, so tags survive a restart.
constexpr uint64_t tag_prefix = fnv1a(fnv_offset, "siphost sl stateless reply tag v1");

void write_hex(uint64_t value, char* out) {
    constexpr char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out[i] = digits[value & 0xfu];
        value >>= 4;
    }
}

} // namespace

bool compute_reply_tag(const siphost_host_api* host, const siphost_msg* msg, char (&out)[reply_tag_length]) {
    std::string_view call_id = sdk::view(host->msg_call_id(msg));
    if (call_id.empty())
        return false;
    uint64_t hash = fnv1a(fnv_offset, call_id);
    hash = fnv1a(hash, sdk::view(host->msg_from_tag(msg)));
    uint32_t cseq_number = 0;
    siphost_str cseq_method{nullptr, 0};
    if (host->msg_cseq(msg, &cseq_number, &cseq_method) == 0) {
        char number[12];
        int n = 0;
        do {
            number[n++] = static_cast<char>('0' + cseq_number % 10);
            cseq_number /= 10;
        } while (cseq_number != 0);
        hash = fnv1a(hash, std::string_view(number, static_cast<size_t>(n)));
    }
    std::string_view branch = sdk::view(host->msg_via_branch(msg, 0));
    if (!branch.empty()) {
        hash = fnv1a(hash, branch);
    } else {
        // RFC 2543 peers send no branch: the top Via's sent-by is what the ACK repeats.
        siphost_str via_host{nullptr, 0};
        uint16_t via_port = 0;
        if (host->msg_via_sent_by(msg, 0, &via_host, &via_port) == 0) {
            hash = fnv1a(hash, sdk::view(via_host));
            hash = fnv1a(hash, std::string_view(reinterpret_cast<const char*>(&via_port), sizeof via_port));
        }
    }
    write_hex(tag_prefix, out);
    out[16] = '-';
    write_hex(hash, out + 17);
    return true;
}

bool is_own_reply_tag(const siphost_host_api* host, const siphost_msg* ack, std::string_view tag) {
    if (tag.size() != reply_tag_length)
        return false;
    char expected[reply_tag_length];
    if (!compute_reply_tag(host, ack, expected))
        return false;
    return std::memcmp(expected, tag.data(), reply_tag_length) == 0;
}

} // namespace siphost::modules::sl
