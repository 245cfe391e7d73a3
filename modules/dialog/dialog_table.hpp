#pragma once
// Every dialog of the process, by (h_entry, h_id) and by Call-ID. One mutex guards the table and the
// dialogs' fields: each use is short (no I/O, no call into tm while it is held).

#include "dialog.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace siphost::modules::dialog {

class dialog_table {
public:
    /// hash_size: the number of h_entry values (a power of two).
    explicit dialog_table(uint32_t hash_size);

    /// Held by every caller of the functions below.
    std::mutex& mutex() { return mutex_; }

    /// A new dialog for call_id, in the table, with its h_entry and h_id set.
    std::shared_ptr<dialog> create(std::string_view call_id);
    /// Takes d out of the table (it lives on while someone holds it).
    void remove(const dialog& d);
    std::shared_ptr<dialog> find(uint32_t h_entry, uint32_t h_id) const;
    /// The dialog of Call-ID whose tags are (from_tag, to_tag) in either direction; to_tag may be empty, or
    /// the dialog may have no callee tag yet, when early_ok (a reply or a request during setup). *downstream
    /// tells whether from_tag is the caller's.
    std::shared_ptr<dialog> match(std::string_view call_id, std::string_view from_tag,
                                  std::string_view to_tag, bool early_ok, bool* downstream = nullptr) const;
    /// The dialogs, by h_entry then h_id.
    std::vector<std::shared_ptr<dialog>> all() const;
    size_t size() const { return by_id_.size(); }

private:
    static uint64_t key(uint32_t h_entry, uint32_t h_id) { return (uint64_t{h_entry} << 32) | h_id; }

    std::mutex mutex_;
    uint32_t hash_size_;
    std::vector<uint32_t> next_id_; ///< per h_entry
    std::map<uint64_t, std::shared_ptr<dialog>> by_id_;
    std::unordered_multimap<std::string, std::shared_ptr<dialog>> by_call_id_;
};

} // namespace siphost::modules::dialog
