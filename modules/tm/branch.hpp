#pragma once
// tm's own Via branch: the RFC 3261 cookie, then the table slot, the transaction's label and the branch index,
// so that a reply finds its transaction with one slot lookup and no search by other fields.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siphost::modules::tm {

inline constexpr std::string_view branch_cookie = "z9hG4bK";

/// The longest branch encode_branch() writes.
inline constexpr size_t max_branch_length = 40;

/// What a branch of tm's Via encodes.
struct branch_id {
    uint32_t slot = 0;  ///< the table slot the transaction lives in
    uint32_t label = 0; ///< unique within the slot's lifetime, tells apart transactions of one slot
    uint32_t index = 0; ///< the branch (fork) of the transaction

    friend bool operator==(const branch_id&, const branch_id&) = default;
};

/// Writes "z9hG4bKtm<slot hex>.<label hex>.<index>" into out (max_branch_length bytes); returns the length.
size_t encode_branch(const branch_id& id, char* out) noexcept;

/// Reads a branch written by encode_branch(); false for anything else (another proxy's, or damaged).
bool decode_branch(std::string_view branch, branch_id& out) noexcept;

} // namespace siphost::modules::tm
