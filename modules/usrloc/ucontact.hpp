#pragma once
// One contact (binding) of an AOR as usrloc keeps it in memory. Its eight strings share one heap block, so a
// contact costs one allocation and about 100 bytes besides its text: the table holds 100,000s of them.

#include <siphost/api/usrloc.h>
#include <siphost/module.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace siphost::modules::usrloc {

/// What happened to a contact since the database last saw it (db_mode 2 flushes on the timer).
enum class db_state : uint8_t { clean, inserted, updated };

class ucontact {
public:
    ucontact() = default;
    ucontact(ucontact&&) noexcept = default;
    ucontact& operator=(ucontact&&) noexcept = default;
    ucontact(const ucontact& other) { *this = other; }
    ucontact& operator=(const ucontact& other) {
        if (this == &other)
            return *this;
        size_t total = other.total();
        text_ = total == 0 ? nullptr : std::make_unique<char[]>(total);
        if (total != 0)
            std::memcpy(text_.get(), other.text_.get(), total);
        len_ = other.len_;
        copy_numbers(other);
        return *this;
    }

    std::string_view contact() const { return field(0); }
    std::string_view received() const { return field(1); }
    std::string_view path() const { return field(2); }
    std::string_view callid() const { return field(3); }
    std::string_view user_agent() const { return field(4); }
    std::string_view instance() const { return field(5); }
    std::string_view ruid() const { return field(6); }
    std::string_view socket_name() const { return field(7); }

    /// Takes the values of an API contact, with this ruid (last_modified and state stay).
    void assign(const siphost_ucontact& in, std::string_view ruid) {
        std::array<std::string_view, fields> text = {sdk::view(in.contact),
                                                     sdk::view(in.received),
                                                     sdk::view(in.path),
                                                     sdk::view(in.callid),
                                                     sdk::view(in.user_agent),
                                                     sdk::view(in.instance),
                                                     ruid,
                                                     sdk::view(in.socket_name)};
        size_t total = 0;
        for (std::string_view t : text)
            total += t.size();
        auto block = total == 0 ? nullptr : std::make_unique<char[]>(total);
        size_t at = 0;
        for (size_t i = 0; i < fields; ++i) {
            if (!text[i].empty())
                std::memcpy(block.get() + at, text[i].data(), text[i].size());
            len_[i] = static_cast<uint32_t>(text[i].size());
            at += text[i].size();
        }
        text_ = std::move(block);
        socket = in.socket;
        expires = in.expires;
        q = in.q;
        cseq = in.cseq;
        reg_id = in.reg_id;
        flags = in.flags;
        cflags = in.cflags;
        methods = in.methods;
        conn_id = in.struct_size >= offsetof(siphost_ucontact, conn_id) + sizeof in.conn_id ? in.conn_id : 0;
    }
    /// Takes new values and keeps the ruid.
    void assign(const siphost_ucontact& in) {
        std::string_view keep = ruid();
        ucontact old = std::move(*this); // keep's bytes live in old's block until assign copied them
        assign(in, keep);
        last_modified = old.last_modified;
        state = old.state;
    }

    /// A view for the API (valid while this contact is unchanged).
    siphost_ucontact view() const {
        siphost_ucontact out = sdk::sized<siphost_ucontact>();
        out.contact = sdk::str(contact());
        out.received = sdk::str(received());
        out.path = sdk::str(path());
        out.callid = sdk::str(callid());
        out.user_agent = sdk::str(user_agent());
        out.instance = sdk::str(instance());
        out.ruid = sdk::str(ruid());
        out.socket_name = sdk::str(socket_name());
        out.socket = socket;
        out.expires = expires;
        out.last_modified = last_modified;
        out.q = q;
        out.cseq = cseq;
        out.reg_id = reg_id;
        out.flags = flags;
        out.cflags = cflags;
        out.methods = methods;
        out.conn_id = conn_id;
        return out;
    }

    /// Valid at `now` (seconds since 1970): permanent, or not expired yet.
    bool valid(int64_t now) const { return expires == 0 || expires > now; }

    siphost_socket* socket = nullptr;
    int64_t expires = 0;
    int64_t last_modified = 0;
    int32_t q = -1;
    int32_t cseq = 0;
    uint32_t reg_id = 0;
    uint32_t flags = 0;
    uint32_t cflags = 0;
    uint32_t methods = SIPHOST_METHODS_ALL;
    uint64_t conn_id = 0; ///< written to connection_id as Kamailio does, never read back (ids restart)
    db_state state = db_state::clean;

private:
    static constexpr size_t fields = 8;

    std::string_view field(size_t i) const {
        size_t at = 0;
        for (size_t k = 0; k < i; ++k)
            at += len_[k];
        return len_[i] == 0 ? std::string_view() : std::string_view(text_.get() + at, len_[i]);
    }
    size_t total() const {
        size_t n = 0;
        for (uint32_t l : len_)
            n += l;
        return n;
    }
    void copy_numbers(const ucontact& o) {
        socket = o.socket;
        expires = o.expires;
        last_modified = o.last_modified;
        q = o.q;
        cseq = o.cseq;
        reg_id = o.reg_id;
        flags = o.flags;
        cflags = o.cflags;
        methods = o.methods;
        conn_id = o.conn_id;
        state = o.state;
    }

    std::unique_ptr<char[]> text_;       ///< the eight strings, one after the other
    std::array<uint32_t, fields> len_{}; ///< their lengths
};

} // namespace siphost::modules::usrloc
