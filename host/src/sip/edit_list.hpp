#pragma once
// The changes recorded against a received message. The received bytes never change; the serializer writes the
// outgoing bytes once from them plus this list.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace siphost::sip {

struct edit {
    uint32_t offset = 0;     ///< where in the received bytes
    uint32_t remove = 0;     ///< how many received bytes are dropped from offset
    uint32_t text_begin = 0; ///< the inserted text, in the list's text store
    uint32_t text_len = 0;
    uint32_t order = 0; ///< recording order: inserts at one offset come out in this order
};

class edit_list {
public:
    /// Inserts the concatenation of parts at offset. Refused (false) when offset lies inside a removed range.
    bool insert(uint32_t offset, std::initializer_list<std::string_view> parts);
    /// Replaces len bytes at offset with text (empty text removes them). Refused (false) when the range
    /// overlaps a range already replaced or removed, or contains an insert point.
    bool replace(uint32_t offset, uint32_t len, std::string_view text);

    std::span<const edit> edits() const { return {edits_.data(), edits_.size()}; }
    std::string_view text(const edit& e) const { return {text_.data() + e.text_begin, e.text_len}; }

    /// A new Request-URI (the last one set wins).
    void set_request_uri(std::string_view uri) { request_uri_ = store(uri); }
    std::optional<std::string_view> request_uri() const { return view(request_uri_); }
    /// A Max-Forwards value to write (replacing the received one, or added when there is none).
    void set_max_forwards(uint32_t value) { max_forwards_ = value; }
    std::optional<uint32_t> max_forwards() const { return max_forwards_; }
    /// A new body; Content-Length follows it.
    void set_body(std::string_view body) { body_ = store(body); }
    std::optional<std::string_view> body() const { return view(body_); }

    bool empty() const { return edits_.empty() && !request_uri_.set && !max_forwards_ && !body_.set; }
    void clear();
    /// Gives back the capacity beyond what the recorded changes use (for a copy that is kept).
    void shrink_to_fit();

private:
    struct stored {
        uint32_t begin = 0, len = 0;
        bool set = false;
    };
    stored store(std::string_view text);
    std::optional<std::string_view> view(const stored& s) const {
        if (!s.set)
            return std::nullopt;
        return std::string_view{text_.data() + s.begin, s.len};
    }
    bool conflicts(uint32_t offset, uint32_t len) const;

    std::vector<edit> edits_;
    std::vector<char> text_;
    stored request_uri_, body_;
    std::optional<uint32_t> max_forwards_;
    uint32_t next_order_ = 0;
};

} // namespace siphost::sip
