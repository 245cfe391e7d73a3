#pragma once
// One SIP message over bytes it does not own (zero copy), or over its own copy after clone(). Parsing builds
// the start line and a header index in one pass and validates what a proxy depends on; other headers are
// parsed on first use and cached. Changes are recorded, never applied to the bytes (see serializer.hpp).
//
// The index and the caches live in vectors that keep their capacity when the message is parsed again, so a
// worker's reused message allocates nothing once warm; a clone (what a transaction keeps for its lifetime)
// holds exactly what its message needs, a fraction of the inline arrays a reused message would carry.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "sip/edit_list.hpp"
#include "sip/header_kind.hpp"
#include "sip/header_values.hpp"
#include "sip/name_addr.hpp"
#include "sip/parse_result.hpp"
#include "sip/uri.hpp"
#include "sip/via.hpp"

namespace siphost::sip {

/// Offsets into the message bytes, so that the index survives a copy of the bytes.
struct header_field {
    uint32_t line_begin = 0;  ///< the first byte of the name
    uint32_t line_end = 0;    ///< after the line end of the last (folded) line
    uint32_t value_begin = 0; ///< the value without leading and trailing LWS
    uint32_t value_end = 0;
    uint16_t name_len = 0;
    header_kind kind = header_kind::other;
    bool removed = false; ///< removed by a recorded change: still read by header_value (as received), not sent
};

enum class method_kind : uint8_t {
    other,
    invite,
    ack,
    bye,
    cancel,
    options,
    register_,
    prack,
    subscribe,
    notify,
    publish,
    info,
    refer,
    message,
    update
};

/// Methods are case-sensitive (RFC 3261 7.1).
method_kind lookup_method(std::string_view method);

struct parse_limits {
    uint32_t max_size = 65535;  ///< the largest UDP payload
    uint32_t max_headers = 256; ///< header lines
    uint32_t max_line = 16384;  ///< bytes of one header, folds included
};

/// Outcome of parsing a header on first use.
enum class header_status : uint8_t { absent, ok, invalid };

/// Where a header is added (the C ABI's SIPHOST_HDR_* values).
enum class header_position : uint8_t { bottom = 0, top = 1, after = 2, before = 3 };

class parser;

class message {
public:
    message() = default;
    message(message&&) noexcept = default;
    message& operator=(message&&) noexcept = default;
    message(const message&) = delete;
    message& operator=(const message&) = delete;

    /// Parses bytes, which must outlive the message (nothing is copied). On failure the result says why and
    /// what to answer; the header index is still usable when the failure came after it was built.
    parse_result parse(std::string_view bytes, const parse_limits& limits = {});
    /// Parses a private copy of bytes.
    parse_result parse_copy(std::string_view bytes, const parse_limits& limits = {});
    /// An owning copy: its own bytes and the recorded changes (for the transaction layer).
    message clone() const;

    const parse_result& status() const { return result_; }
    /// True when the header index was built (the start line and the header lines were well-formed).
    bool indexed() const { return indexed_; }

    // ---- start line ----
    bool is_request() const { return is_request_; }
    std::string_view raw() const { return data_; }
    std::string_view start_line() const { return slice(start_line_); }
    /// The request method; for a reply the CSeq method (as Kamailio's $rm).
    std::string_view method() const;
    method_kind method_id() const;
    /// The Request-URI as received; empty for a reply.
    std::string_view request_uri() const { return slice(request_uri_); }
    const uri& parsed_request_uri() const { return ruri_; }
    /// The Request-URI after recorded changes.
    std::string_view current_request_uri() const;
    std::string_view version() const { return slice(version_); }
    int status_code() const { return status_code_; }
    std::string_view reason_phrase() const { return slice(reason_); }

    // ---- header index ----
    std::size_t header_count() const { return headers_.size(); }
    const header_field& header(std::size_t i) const { return headers_[i]; }
    std::string_view name(const header_field& h) const { return data_.substr(h.line_begin, h.name_len); }
    std::string_view value(const header_field& h) const {
        return data_.substr(h.value_begin, h.value_end - h.value_begin);
    }
    std::string_view line(const header_field& h) const {
        return data_.substr(h.line_begin, h.line_end - h.line_begin);
    }
    /// The first header of a kind (or of a name, any case, compact forms too) that was not removed.
    const header_field* find_header(header_kind kind) const;
    const header_field* find_header(std::string_view name) const;
    /// The index-th value of a header: comma elements count one each for list headers (Via, Route,
    /// Contact, Supported, ...), otherwise one per line. False when there is none. Reads the headers as
    /// received, those a recorded change removed included (the script's lookups, as Kamailio's: removals
    /// show when the message is sent, or after apply_changes).
    bool header_value(std::string_view name, uint32_t index, std::string_view& out) const;
    /// Offset of the empty line that ends the headers (the end of the bytes when it is missing).
    uint32_t headers_end() const { return headers_end_; }
    uint32_t body_offset() const { return body_begin_; }
    /// The body framed by Content-Length (the rest of the datagram without one).
    std::string_view body() const { return data_.substr(body_begin_, body_end_ - body_begin_); }
    /// True when line ends were bare LF rather than CRLF somewhere in the start line or headers.
    bool bare_lf() const { return bare_lf_; }
    /// True when a bare-LF message's Content-Length exceeded the datagram: the body is the rest of the
    /// datagram and the serializer writes the right length (see docs/sip.md).
    bool content_length_repaired() const { return content_length_repaired_; }

    // ---- headers validated when parsing (valid whenever status().ok()) ----
    std::size_t via_count() const { return vias_.size(); }
    /// The i-th Via value over all Via lines (0 is the top one), or nullptr.
    const via* via_at(std::size_t i) const { return i < vias_.size() ? &vias_[i] : nullptr; }
    /// From and To; their uri member is parsed on first use and stays empty when the URI breaks the grammar
    /// (validation only checks that it is one token with a scheme: a proxy does not route on it).
    const name_addr& from() const { return with_uri(from_, from_uri_parsed_); }
    const name_addr& to() const { return with_uri(to_, to_uri_parsed_); }
    /// The tags alone, without parsing the URIs (empty when absent).
    std::string_view from_tag() const { return from_.tag; }
    std::string_view to_tag() const { return to_.tag; }
    std::string_view call_id() const { return call_id_; }
    const cseq_value& cseq() const { return cseq_; }
    std::optional<uint32_t> max_forwards() const { return max_forwards_; }
    std::optional<uint32_t> content_length() const { return content_length_; }

    // ---- headers parsed on first use (nullopt when a value breaks the grammar; empty when absent) ----
    std::optional<std::span<const name_addr>> contacts() const;
    std::optional<std::span<const name_addr>> routes() const;
    std::optional<std::span<const name_addr>> record_routes() const;
    /// Option tags of Require, Proxy-Require or Supported (any other kind: nullopt).
    std::optional<std::span<const std::string_view>> option_tags(header_kind kind) const;
    header_status expires(uint32_t& out) const;
    header_status content_type(media_type& out) const;

    // ---- changes (recorded; see serializer.hpp for the outgoing bytes) ----
    const edit_list& edits() const { return edits_; }
    edit_list& edits() { return edits_; }
    /// Adds a whole header line (CRLF added when missing). anchor names a header for after/before.
    bool add_header(std::string_view line, header_position position, std::string_view anchor = {});
    /// Removes every line of a header (index < 0) or the index-th line as received. Returns the count removed
    /// (lines removed already count again, without a new change).
    int remove_header(std::string_view name, int32_t index = -1);
    /// Replaces len received bytes at offset with text. False when the range is outside the message
    /// (header section and body) or overlaps another change.
    bool replace(std::size_t offset, std::size_t len, std::string_view text);
    void set_request_uri(std::string_view uri) { edits_.set_request_uri(uri); }
    void set_max_forwards(uint32_t value) { edits_.set_max_forwards(value); }
    void set_body(std::string_view body) { edits_.set_body(body); }
    /// Adds "Record-Route: value" above the received Record-Route headers.
    bool add_record_route(std::string_view value);

private:
    friend class parser;

    std::string_view slice(std::pair<uint32_t, uint32_t> span) const {
        return data_.substr(span.first, span.second - span.first);
    }
    void reset();
    static const name_addr& with_uri(name_addr& a, bool& parsed) {
        if (!parsed) {
            parsed = true;
            a.uri.parse(a.uri_text);
        }
        return a;
    }
    /// Calls f(index, line) for each line of a header, in order, while it returns true; with_removed: lines a
    /// recorded change removed too.
    template <class F>
    void for_each_header(header_kind kind, std::string_view name, F&& f, bool with_removed = false) const;
    bool parse_name_addr_list(header_kind kind, std::vector<name_addr>& out) const;
    void shrink_to_fit();

    std::string_view data_;
    std::unique_ptr<char[]> owned_; ///< the bytes after parse_copy()/clone(); data_ points here then
    parse_limits limits_;
    parse_result result_;
    bool indexed_ = false;
    bool is_request_ = false;
    bool bare_lf_ = false;
    bool content_length_repaired_ = false;
    bool has_empty_line_ = false;         ///< an empty line ended the headers
    bool last_line_unterminated_ = false; ///< the last header line has no line end (datagram ended)
    method_kind method_id_ = method_kind::other;
    std::pair<uint32_t, uint32_t> start_line_{}, method_{}, request_uri_{}, version_{}, reason_{};
    int status_code_ = 0;
    uint32_t headers_end_ = 0, body_begin_ = 0, body_end_ = 0;
    std::vector<header_field> headers_;

    uri ruri_;
    std::vector<via> vias_;
    mutable name_addr from_, to_;
    mutable bool from_uri_parsed_ = false, to_uri_parsed_ = false;
    std::string_view call_id_;
    cseq_value cseq_;
    std::optional<uint32_t> max_forwards_, content_length_;

    // Caches of the headers parsed on first use.
    enum class lazy : uint8_t { unparsed, ok, invalid };
    mutable lazy contacts_state_ = lazy::unparsed, routes_state_ = lazy::unparsed,
                 record_routes_state_ = lazy::unparsed;
    mutable std::vector<name_addr> contacts_, routes_, record_routes_;
    mutable lazy tags_state_[3] = {lazy::unparsed, lazy::unparsed, lazy::unparsed};
    mutable std::vector<std::string_view> tags_[3];

    edit_list edits_;
};

} // namespace siphost::sip
