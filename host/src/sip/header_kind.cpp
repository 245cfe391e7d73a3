#include "sip/header_kind.hpp"

#include "sip/chars.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace siphost::sip {
namespace {

struct known_header {
    std::string_view name;
    header_kind kind;
    char compact; ///< 0 when the header has no compact form
};

constexpr known_header known_headers[] = {
    {"Via", header_kind::via, 'v'},
    {"From", header_kind::from, 'f'},
    {"To", header_kind::to, 't'},
    {"Call-ID", header_kind::call_id, 'i'},
    {"CSeq", header_kind::cseq, 0},
    {"Max-Forwards", header_kind::max_forwards, 0},
    {"Contact", header_kind::contact, 'm'},
    {"Route", header_kind::route, 0},
    {"Record-Route", header_kind::record_route, 0},
    {"Content-Length", header_kind::content_length, 'l'},
    {"Content-Type", header_kind::content_type, 'c'},
    {"Content-Encoding", header_kind::content_encoding, 'e'},
    {"Expires", header_kind::expires, 0},
    {"Require", header_kind::require, 0},
    {"Proxy-Require", header_kind::proxy_require, 0},
    {"Supported", header_kind::supported, 'k'},
    {"Unsupported", header_kind::unsupported, 0},
    {"Allow", header_kind::allow, 0},
    {"Subject", header_kind::subject, 's'},
    {"Event", header_kind::event, 'o'},
    {"Allow-Events", header_kind::allow_events, 'u'},
    {"Refer-To", header_kind::refer_to, 'r'},
    {"Referred-By", header_kind::referred_by, 'b'},
    {"Session-Expires", header_kind::session_expires, 'x'},
    {"Identity", header_kind::identity, 'y'},
    {"Identity-Info", header_kind::identity_info, 'n'},
    {"Accept-Contact", header_kind::accept_contact, 'a'},
    {"Reject-Contact", header_kind::reject_contact, 'j'},
    {"Request-Disposition", header_kind::request_disposition, 'd'},
    {"Accept", header_kind::accept, 0},
    {"Accept-Encoding", header_kind::accept_encoding, 0},
    {"Accept-Language", header_kind::accept_language, 0},
    {"Authorization", header_kind::authorization, 0},
    {"Proxy-Authorization", header_kind::proxy_authorization, 0},
    {"WWW-Authenticate", header_kind::www_authenticate, 0},
    {"Proxy-Authenticate", header_kind::proxy_authenticate, 0},
};

constexpr header_kind compact_kinds[26] = {
    header_kind::accept_contact,      // a
    header_kind::referred_by,         // b
    header_kind::content_type,        // c
    header_kind::request_disposition, // d
    header_kind::content_encoding,    // e
    header_kind::from,                // f
    header_kind::other,               // g
    header_kind::other,               // h
    header_kind::call_id,             // i
    header_kind::reject_contact,      // j
    header_kind::supported,           // k
    header_kind::content_length,      // l
    header_kind::contact,             // m
    header_kind::identity_info,       // n
    header_kind::event,               // o
    header_kind::other,               // p
    header_kind::other,               // q
    header_kind::refer_to,            // r
    header_kind::subject,             // s
    header_kind::to,                  // t
    header_kind::allow_events,        // u
    header_kind::via,                 // v
    header_kind::other,               // w
    header_kind::session_expires,     // x
    header_kind::identity,            // y
    header_kind::other,               // z
};

constexpr std::size_t k_max_name = 20;
constexpr std::size_t k_per_bucket = 2;

/// The known headers by name length and first letter, so that a lookup compares one or two names at most.
struct name_index {
    uint8_t count[k_max_name][26] = {};
    uint8_t entries[k_max_name][26][k_per_bucket] = {};
};

constexpr name_index make_name_index() {
    name_index index;
    for (std::size_t i = 0; i < std::size(known_headers); ++i) {
        std::size_t n = known_headers[i].name.size();
        std::size_t letter = static_cast<std::size_t>((known_headers[i].name[0] | 0x20) - 'a');
        // A third name of one length and first letter stops the build here (a throw is not a constant).
        uint8_t& count = index.count[n][letter];
        if (count >= k_per_bucket)
            throw "name_index: raise k_per_bucket";
        index.entries[n][letter][count++] = static_cast<uint8_t>(i);
    }
    return index;
}

constexpr name_index by_length_and_letter = make_name_index();
static_assert(std::size(known_headers) < 256);

/// The known names in lower case, so that the lookup compares words.
constexpr auto lower_names = [] {
    std::array<std::array<char, k_max_name>, std::size(known_headers)> out{};
    for (std::size_t i = 0; i < std::size(known_headers); ++i)
        for (std::size_t j = 0; j < known_headers[i].name.size(); ++j)
            out[i][j] = static_cast<char>(known_headers[i].name[j] | 0x20);
    return out;
}();

/// What is OR-ed into each byte of an input name before comparing it with the lower-case name: 0x20 under a
/// letter, nothing under a '-'. For a letter, c | 0x20 equals its lower case only for the two cases of that
/// letter; a '-' must match exactly (CR | 0x20 would equal it).
constexpr auto fold_masks = [] {
    std::array<std::array<char, k_max_name>, std::size(known_headers)> out{};
    for (std::size_t i = 0; i < std::size(known_headers); ++i)
        for (std::size_t j = 0; j < known_headers[i].name.size(); ++j)
            out[i][j] = known_headers[i].name[j] == '-' ? 0 : 0x20;
    return out;
}();

template <class T> T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// (in[i] | fold[i]) == lower[i] for i in [0, n), n >= 2, a word at a time; overlapping loads cover the tail.
bool folded_equal(const char* in, const char* fold, const char* lower, std::size_t n) {
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 <= n; i += 8)
            if ((load<uint64_t>(in + i) | load<uint64_t>(fold + i)) != load<uint64_t>(lower + i))
                return false;
        return (load<uint64_t>(in + n - 8) | load<uint64_t>(fold + n - 8)) == load<uint64_t>(lower + n - 8);
    }
    if (n >= 4)
        return (load<uint32_t>(in) | load<uint32_t>(fold)) == load<uint32_t>(lower) &&
               (load<uint32_t>(in + n - 4) | load<uint32_t>(fold + n - 4)) == load<uint32_t>(lower + n - 4);
    return static_cast<uint16_t>(load<uint16_t>(in) | load<uint16_t>(fold)) == load<uint16_t>(lower) &&
           static_cast<uint16_t>(load<uint16_t>(in + n - 2) | load<uint16_t>(fold + n - 2)) ==
               load<uint16_t>(lower + n - 2);
}

} // namespace

header_kind lookup_header_kind(std::string_view name) {
    if (name.size() == 1) {
        char c = chars::to_lower(name[0]);
        return (c >= 'a' && c <= 'z') ? compact_kinds[c - 'a'] : header_kind::other;
    }
    if (name.empty() || name.size() >= k_max_name)
        return header_kind::other;
    // Known names hold letters and '-' only: see fold_masks.
    const std::size_t n = name.size();
    const auto letter = static_cast<unsigned char>((name[0] | 0x20) - 'a');
    if (letter >= 26)
        return header_kind::other;
    for (std::size_t i = 0; i < by_length_and_letter.count[n][letter]; ++i) {
        const std::size_t entry = by_length_and_letter.entries[n][letter][i];
        if (folded_equal(name.data(), fold_masks[entry].data(), lower_names[entry].data(), n))
            return known_headers[entry].kind;
    }
    return header_kind::other;
}

std::string_view canonical_name(header_kind kind) {
    for (const known_header& h : known_headers)
        if (h.kind == kind)
            return h.name;
    return {};
}

bool is_list_header(header_kind kind) {
    switch (kind) {
    case header_kind::via:
    case header_kind::contact:
    case header_kind::route:
    case header_kind::record_route:
    case header_kind::require:
    case header_kind::proxy_require:
    case header_kind::supported:
    case header_kind::unsupported:
    case header_kind::allow:
    case header_kind::allow_events:
    case header_kind::content_encoding:
    case header_kind::accept_contact:
    case header_kind::reject_contact:
    case header_kind::request_disposition:
    case header_kind::accept:
    case header_kind::accept_encoding:
    case header_kind::accept_language:
        return true;
    default:
        return false;
    }
}

bool is_single_header(header_kind kind) {
    switch (kind) {
    case header_kind::from:
    case header_kind::to:
    case header_kind::call_id:
    case header_kind::cseq:
    case header_kind::max_forwards:
    case header_kind::content_length:
        return true;
    default:
        return false;
    }
}

} // namespace siphost::sip
