#pragma once
// One location table in memory ("location"): a hash table of AORs in 2^hash_size slots, one mutex per slot,
// so that workers registering different users never wait for each other and no lock covers the whole table.

#include "ucontact.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace siphost::modules::usrloc {

/// How a REGISTER's contact is matched to a binding (usrloc's matching_mode and cseq_delay).
struct match_rules {
    int matching_mode = 0; ///< 0 contact, 1 contact and Call-ID, 2 contact and Path, 3 Call-ID
    int cseq_delay = 20;   ///< seconds an equal CSeq counts as a retransmission
};

/// A contact removed from the table, with its AOR (for the database and the statistics).
struct removed_contact {
    std::string aor;
    ucontact contact;
};

class location_domain {
public:
    using visitor = std::function<bool(const ucontact&)>; ///< return false to stop
    using record_visitor =
        std::function<void(std::string_view aor, uint32_t hash, const std::vector<ucontact>&)>;

    location_domain(std::string name, unsigned hash_power, bool time_order);

    const std::string& name() const { return name_; }
    size_t slot_count() const { return slots_.size(); }
    size_t records() const { return records_.load(std::memory_order_relaxed); }
    size_t contacts() const { return contacts_.load(std::memory_order_relaxed); }
    static uint32_t hash(std::string_view aor);

    void lock(std::string_view aor);
    void unlock(std::string_view aor);

    /// Visits the contacts of aor in order; returns how many were visited.
    int visit(std::string_view aor, bool with_expired, int64_t now, const visitor& fn);
    /// RFC 3261 10.3 step 7 with usrloc's rules: SIPHOST_UL_FOUND (ruid set), _NOT_FOUND, _OUT_OF_ORDER,
    /// _RETRANSMISSION.
    int match(std::string_view aor, const siphost_ucontact& c, int64_t now, const match_rules& rules,
              std::string& ruid);
    /// The same over a list of contacts (db_mode 3 reads them from the database).
    static int match_list(const std::vector<ucontact>& list, const siphost_ucontact& c, int64_t now,
                          const match_rules& rules, std::string& ruid);
    /// Sorts contacts as the table keeps them (q, or time with desc_time_order).
    void order(std::vector<ucontact>& list) const;
    /// Adds a contact (its ruid and last_modified set by the caller), in q (or time) order.
    void insert(std::string_view aor, ucontact c);
    /// Replaces the values of binding ruid; copies the result to *updated. False when there is none.
    bool update(std::string_view aor, std::string_view ruid, const siphost_ucontact& in, int64_t now,
                db_state state, ucontact* updated);
    /// Removes binding ruid of aor (aor empty: searches every AOR). Returns 1 removed (copied to *removed),
    /// 0.
    int remove(std::string_view aor, std::string_view ruid, removed_contact* removed);
    /// Removes aor; returns how many contacts it had (copied to *removed).
    int remove_record(std::string_view aor, std::vector<removed_contact>* removed);
    /// Removes expired contacts (and AORs left empty); returns them.
    std::vector<removed_contact> expire(int64_t now);
    /// Copies the contacts not yet written to the database and marks them written (db_mode 2).
    std::vector<removed_contact> take_dirty();
    /// Marks binding ruid as changed again (a write-back that failed is retried at the next run).
    void mark_dirty(std::string_view aor, std::string_view ruid);
    /// Visits every AOR, one slot locked at a time.
    void for_each_record(const record_visitor& fn);

private:
    struct record {
        std::vector<ucontact> contacts;
    };
    struct slot {
        std::recursive_mutex mutex;
        std::unordered_map<std::string, record> records;
    };
    slot& slot_of(std::string_view aor) { return *slots_[hash(aor) & mask_]; }
    void place(std::vector<ucontact>& list, ucontact c) const;

    std::string name_;
    std::vector<std::unique_ptr<slot>> slots_;
    uint32_t mask_;
    bool time_order_;
    std::atomic<size_t> records_{0};
    std::atomic<size_t> contacts_{0};
};

} // namespace siphost::modules::usrloc
