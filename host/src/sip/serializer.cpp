#include "sip/serializer.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>

#include "sip/chars.hpp"
#include "sip/reason_phrase.hpp"
#include "sip/small_vector.hpp"

namespace siphost::sip {

namespace {

/// Appends to a caller's buffer and keeps counting past its end, so that a too-small buffer learns the size
/// it needs from the same pass.
class bounded_writer {
public:
    explicit bounded_writer(std::span<char> out) : out_(out) {}

    void put(std::string_view s) {
        if (!overflow_ && s.size() <= out_.size() - size_) {
            if (!s.empty())
                std::memcpy(out_.data() + size_, s.data(), s.size());
        } else {
            overflow_ = true;
        }
        size_ += s.size();
    }

    void put_number(uint64_t v) {
        char digits[24];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
        put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
    }

    /// Writes a header value with its folds (line end plus white space) turned into one space.
    void put_unfolded(std::string_view v) {
        std::size_t i = 0;
        while (i < v.size()) {
            std::size_t j = i;
            while (j < v.size() && v[j] != '\r' && v[j] != '\n')
                ++j;
            if (j == v.size()) {
                put(v.substr(i));
                return;
            }
            std::size_t k = j;
            while (k < v.size() && chars::is_lws(v[k]))
                ++k;
            std::size_t keep = j;
            while (keep > i && chars::is_ws(v[keep - 1]))
                --keep;
            put(v.substr(i, keep - i));
            put(" ");
            i = k;
        }
    }

    write_result result() const { return {overflow_ ? write_status::too_small : write_status::ok, size_}; }

private:
    std::span<char> out_;
    std::size_t size_ = 0;
    bool overflow_ = false;
};

/// One change to apply while copying the received bytes.
struct piece {
    uint32_t offset = 0;
    uint32_t remove = 0;
    std::string_view text;
    int64_t order = 0;
};

/// Changes derived when writing, on top of those recorded in the message.
struct derived_changes {
    std::string_view top_via_line; ///< inserted above the first Via
    bool remove_top_via = false;
    bool decrement_max_forwards = false;
    std::span<const send_time_lines> send_lines; ///< on top, among the recorded changes by their order
    std::string_view path_route; ///< before the first Route that is left, else right below the new Via
};

/// The output must not overlap the bytes the message refers to (a message parsed from the same buffer).
bool overlaps(std::span<const char> out, std::string_view raw) {
    if (out.empty() || raw.empty())
        return false;
    auto a = reinterpret_cast<std::uintptr_t>(out.data()), b = reinterpret_cast<std::uintptr_t>(raw.data());
    return a < b + raw.size() && b < a + out.size();
}

constexpr int64_t k_first = -3;
constexpr int64_t k_late = int64_t{1} << 40;

std::string_view format_number(uint64_t v, char (&buf)[24]) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return {buf, static_cast<std::size_t>(end - buf)};
}

write_result write_with(const message& msg, const derived_changes& derived, std::span<char> out) {
    if (!msg.indexed())
        return {write_status::not_indexed, 0};
    std::string_view raw = msg.raw();
    if (overlaps(out, raw))
        return {write_status::bad_argument, 0};
    const edit_list& edits = msg.edits();
    small_vector<piece, 32> pieces;
    const uint32_t body_begin = msg.body_offset();
    const uint32_t body_end = body_begin + static_cast<uint32_t>(msg.body().size());
    const bool has_body_section = msg.headers_end() != body_begin; // an empty line separates a body
    std::optional<std::string_view> new_body = edits.body();

    // Recorded changes; the body ones also tell the new body length.
    int64_t body_length = static_cast<int64_t>(msg.body().size());
    bool body_changed = msg.content_length_repaired();
    for (const edit& e : edits.edits()) {
        bool in_body = has_body_section && e.offset >= body_begin;
        if (!in_body && has_body_section && e.offset < body_begin && e.offset + e.remove > body_begin)
            return {write_status::conflicting_edits, 0};
        if (in_body) {
            if (new_body)
                continue; // a whole new body replaces edits inside the old one
            body_changed = true;
            body_length += static_cast<int64_t>(e.text_len) - static_cast<int64_t>(e.remove);
        }
        // Doubled, so that a send-time line recorded between two changes (2 * order - 1) sorts between them.
        pieces.push_back({e.offset, e.remove, edits.text(e), 2 * static_cast<int64_t>(e.order)});
    }
    if (!derived.send_lines.empty()) {
        uint32_t top = msg.header_count() > 0 ? msg.header(0).line_begin : msg.headers_end();
        for (const send_time_lines& lines : derived.send_lines)
            if (!lines.text.empty())
                pieces.push_back({top, 0, lines.text, 2 * static_cast<int64_t>(lines.order) - 1});
    }
    if (new_body) {
        body_changed = true;
        body_length = static_cast<int64_t>(new_body->size());
        if (has_body_section)
            pieces.push_back({body_begin, body_end - body_begin, *new_body, k_late + 10});
    }

    if (auto ruri = edits.request_uri(); ruri && msg.is_request()) {
        uint32_t begin = static_cast<uint32_t>(msg.request_uri().data() - raw.data());
        pieces.push_back({begin, static_cast<uint32_t>(msg.request_uri().size()), *ruri, k_first});
    }

    // Headers end: terminate an unterminated last line before anything is added below it.
    bool last_removed = msg.header_count() > 0 && msg.header(msg.header_count() - 1).removed;
    std::string_view raw_tail = raw.substr(0, msg.headers_end());
    bool unterminated = !raw_tail.empty() && !last_removed && !raw_tail.ends_with('\n');
    if (unterminated)
        pieces.push_back({msg.headers_end(), 0, "\r\n", k_first});

    // Max-Forwards.
    char mf_digits[24];
    std::optional<uint32_t> mf_value = edits.max_forwards();
    if (!mf_value && derived.decrement_max_forwards) {
        std::optional<uint32_t> received = msg.max_forwards();
        mf_value = received ? (*received > 0 ? *received - 1 : 0) : 70u;
    }
    if (mf_value) {
        std::string_view digits = format_number(*mf_value, mf_digits);
        if (const header_field* mf = msg.find_header(header_kind::max_forwards)) {
            pieces.push_back({mf->value_begin, mf->value_end - mf->value_begin, digits, k_first});
        } else {
            pieces.push_back({msg.headers_end(), 0, "Max-Forwards: ", k_late});
            pieces.push_back({msg.headers_end(), 0, digits, k_late + 1});
            pieces.push_back({msg.headers_end(), 0, "\r\n", k_late + 2});
        }
    }

    // Content-Length follows a changed body.
    char cl_digits[24];
    if (body_changed) {
        std::string_view digits =
            format_number(static_cast<uint64_t>(std::max<int64_t>(body_length, 0)), cl_digits);
        if (const header_field* cl = msg.find_header(header_kind::content_length)) {
            pieces.push_back({cl->value_begin, cl->value_end - cl->value_begin, digits, k_first});
        } else {
            pieces.push_back({msg.headers_end(), 0, "Content-Length: ", k_late + 3});
            pieces.push_back({msg.headers_end(), 0, digits, k_late + 4});
            pieces.push_back({msg.headers_end(), 0, "\r\n", k_late + 5});
        }
    }

    // Via changes.
    if (!derived.top_via_line.empty()) {
        const header_field* first_via = msg.find_header(header_kind::via);
        uint32_t at = first_via ? first_via->line_begin
                                : (msg.header_count() > 0 ? msg.header(0).line_begin : msg.headers_end());
        pieces.push_back({at, 0, derived.top_via_line, k_first - 1});
    }
    if (!derived.path_route.empty()) {
        const header_field* first_route = msg.find_header(header_kind::route);
        const header_field* first_via = msg.find_header(header_kind::via);
        uint32_t at = first_route ? first_route->line_begin
                      : first_via ? first_via->line_begin
                                  : (msg.header_count() > 0 ? msg.header(0).line_begin : msg.headers_end());
        // k_first sorts it after the new Via (k_first - 1) and before any line a change adds there.
        pieces.push_back({at, 0, derived.path_route, k_first});
    }
    if (derived.remove_top_via) {
        const via* top = msg.via_at(0);
        if (!top)
            return {write_status::no_via, 0};
        const header_field& line = msg.header(top->header_index);
        const via* second = msg.via_at(1);
        if (line.removed) {
            // The script removed that line already.
        } else if (second && second->header_index == top->header_index) {
            uint32_t begin = static_cast<uint32_t>(top->value.data() - raw.data());
            uint32_t end = static_cast<uint32_t>(second->value.data() - raw.data());
            pieces.push_back({begin, end - begin, {}, k_first});
        } else {
            pieces.push_back({line.line_begin, line.line_end - line.line_begin, {}, k_first});
        }
    }

    // The empty line, when the datagram had none.
    if (!has_body_section) {
        // Whatever comes after the headers here is a new body (set_body on a message without one).
        pieces.push_back({msg.headers_end(), 0, "\r\n", k_late + 8});
        if (new_body)
            pieces.push_back({msg.headers_end(), 0, *new_body, k_late + 9});
    }

    std::sort(pieces.begin(), pieces.end(), [](const piece& a, const piece& b) {
        if (a.offset != b.offset)
            return a.offset < b.offset;
        if ((a.remove > 0) != (b.remove > 0))
            return a.remove == 0; // inserts at an offset go before a range removed from there
        return a.order < b.order;
    });

    bounded_writer w(out);
    uint32_t cursor = 0;
    for (const piece& p : pieces) {
        if (p.offset < cursor || p.offset > body_end || p.remove > body_end - p.offset)
            return {write_status::conflicting_edits, 0};
        w.put(raw.substr(cursor, p.offset - cursor));
        w.put(p.text);
        cursor = p.offset + p.remove;
    }
    w.put(raw.substr(cursor, body_end - cursor));
    return w.result();
}

} // namespace

write_result write_message(const message& msg, std::span<char> out) {
    return write_with(msg, {}, out);
}

write_result write_forwarded_request(const message& request, const via_spec& via, std::span<char> out,
                                     std::span<const send_time_lines> lines, std::string_view path_route) {
    if (!request.indexed())
        return {write_status::not_indexed, 0};
    if (!request.is_request())
        return {write_status::wrong_kind, 0};
    if (via.host.empty() || via.transport.empty())
        return {write_status::bad_argument, 0};
    char line[1024];
    bounded_writer w(line);
    w.put("Via: SIP/2.0/");
    w.put(via.transport);
    w.put(" ");
    bool bracket = via.host.find(':') != std::string_view::npos && via.host.front() != '[';
    if (bracket)
        w.put("[");
    w.put(via.host);
    if (bracket)
        w.put("]");
    if (via.port != 0) {
        w.put(":");
        w.put_number(via.port);
    }
    if (!via.branch.empty()) {
        w.put(";branch=");
        w.put(via.branch);
    }
    w.put(via.params);
    w.put("\r\n");
    write_result r = w.result();
    if (!r.ok())
        return {write_status::bad_argument, 0};
    derived_changes derived;
    derived.top_via_line = std::string_view(line, r.size);
    derived.decrement_max_forwards = true;
    derived.send_lines = lines;
    derived.path_route = path_route;
    return write_with(request, derived, out);
}

write_result write_relayed_reply(const message& reply, std::span<char> out) {
    if (!reply.indexed())
        return {write_status::not_indexed, 0};
    if (reply.is_request())
        return {write_status::wrong_kind, 0};
    if (reply.via_count() < 2)
        return {write_status::no_via, 0};
    derived_changes derived;
    derived.remove_top_via = true;
    return write_with(reply, derived, out);
}

/// A header value with the recorded changes that fall inside it (the received and rport parameters the host
/// adds to the top Via belong in the reply's Via too: RFC 3261 18.2.1, RFC 3581), folds removed.
void put_value_with_edits(const message& msg, const header_field& h, bounded_writer& w) {
    std::string_view raw = msg.raw();
    uint32_t cursor = h.value_begin;
    small_vector<edit, 4> inside;
    const edit_list& edits = msg.edits();
    for (const edit& e : edits.edits())
        if (e.offset >= h.value_begin && e.offset + e.remove <= h.value_end)
            inside.push_back(e);
    std::sort(inside.begin(), inside.end(), [](const edit& a, const edit& b) {
        return a.offset != b.offset ? a.offset < b.offset : a.order < b.order;
    });
    for (const edit& e : inside) {
        if (e.offset < cursor)
            continue; // overlapping changes were refused when recorded; never write a byte twice
        w.put_unfolded(raw.substr(cursor, e.offset - cursor));
        w.put(edits.text(e));
        cursor = e.offset + e.remove;
    }
    w.put_unfolded(raw.substr(cursor, h.value_end - cursor));
}

write_result write_local_reply(const message& request, const local_reply& reply, std::span<char> out) {
    if (!request.indexed())
        return {write_status::not_indexed, 0};
    if (!request.is_request())
        return {write_status::wrong_kind, 0};
    if (reply.code < 100 || reply.code > 699 || overlaps(out, request.raw()))
        return {write_status::bad_argument, 0};
    bounded_writer w(out);
    w.put("SIP/2.0 ");
    w.put_number(static_cast<uint64_t>(reply.code));
    w.put(" ");
    w.put(reply.reason.empty() ? standard_reason(reply.code) : reply.reason);
    w.put("\r\n");
    for (std::size_t i = 0; i < request.header_count(); ++i) {
        const header_field& h = request.header(i);
        if (h.kind != header_kind::via)
            continue;
        w.put("Via: ");
        put_value_with_edits(request, h, w);
        w.put("\r\n");
    }
    auto copy = [&](header_kind kind, std::string_view name) -> const header_field* {
        for (std::size_t i = 0; i < request.header_count(); ++i) {
            const header_field& h = request.header(i);
            if (h.kind != kind)
                continue;
            w.put(name);
            w.put(": ");
            w.put_unfolded(request.value(h));
            return &h;
        }
        return nullptr;
    };
    if (copy(header_kind::from, "From"))
        w.put("\r\n");
    if (const header_field* to = copy(header_kind::to, "To")) {
        bool has_tag = false;
        if (request.status().ok()) {
            has_tag = request.to().has_tag;
        } else {
            name_addr parsed;
            // An unparsable To gets no tag rather than a guess at where one would go.
            has_tag = !parse_single_name_addr(request.value(*to), parsed) || parsed.has_tag;
        }
        if (!reply.to_tag.empty() && !has_tag) {
            w.put(";tag=");
            w.put(reply.to_tag);
        }
        w.put("\r\n");
    }
    if (copy(header_kind::call_id, "Call-ID"))
        w.put("\r\n");
    if (copy(header_kind::cseq, "CSeq"))
        w.put("\r\n");
    if (!reply.extra_headers.empty()) {
        w.put(reply.extra_headers);
        if (!reply.extra_headers.ends_with("\r\n"))
            w.put("\r\n");
    }
    w.put("Content-Length: ");
    w.put_number(reply.body.size());
    w.put("\r\n\r\n");
    w.put(reply.body);
    return w.result();
}

} // namespace siphost::sip
