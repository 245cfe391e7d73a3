#include "sip/parser.hpp"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sip/chars.hpp"

namespace siphost::sip {

using namespace chars;

namespace {

parse_result failure(const message& m, parse_error error, int request_code = 400,
                     header_kind header = header_kind::other) {
    parse_result r;
    r.error = error;
    r.reply_code = m.is_request() ? request_code : 0;
    r.header = header;
    return r;
}

/// The position of the first CR or LF at or after pos, or size.
std::size_t find_line_end(const char* s, std::size_t pos, std::size_t size) {
#if defined(__SSE2__)
    // Sixteen bytes at a time while a whole block lies inside the buffer; the tail byte by byte.
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    while (pos + 16 <= size) {
        __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + pos));
        int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(block, cr), _mm_cmpeq_epi8(block, lf)));
        if (mask != 0)
            return pos + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        pos += 16;
    }
#endif
    while (pos < size && s[pos] != '\n' && s[pos] != '\r')
        ++pos;
    return pos;
}

/// Finds the line ends of the header section: the CR and LF bytes of 64 bytes at a time are marked in a bit
/// mask that the following lines share (a header line is 20 to 80 bytes), so the section is loaded once.
/// Positions asked for only move forward.
class line_end_finder {
public:
    line_end_finder(const char* s, std::size_t size, std::size_t start) : s_(s), size_(size), base_(start) {
        load();
    }

    /// The position of the first CR or LF at or after pos, or size.
    [[gnu::always_inline]] std::size_t next(std::size_t pos) {
#if defined(__SSE2__)
        while (!tail_) {
            if (pos < base_)
                pos = base_;
            if (pos - base_ < 64) {
                uint64_t ahead = mask_ >> (pos - base_);
                if (ahead != 0)
                    return pos + static_cast<std::size_t>(__builtin_ctzll(ahead));
            }
            base_ += 64;
            load();
        }
#endif
        return find_line_end(s_, pos < base_ ? base_ : pos, size_);
    }

private:
    /// Marks the 64 bytes at base_, or switches to the byte-wise tail when fewer are left.
    void load() {
#if defined(__SSE2__)
        if (base_ + 64 > size_) {
            tail_ = true;
            return;
        }
        const __m128i cr = _mm_set1_epi8('\r');
        const __m128i lf = _mm_set1_epi8('\n');
        auto breaks = [&](int i) {
            __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_ + base_ + 16 * i));
            return static_cast<uint64_t>(static_cast<unsigned>(
                _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(block, cr), _mm_cmpeq_epi8(block, lf)))));
        };
        mask_ = breaks(0) | breaks(1) << 16 | breaks(2) << 32 | breaks(3) << 48;
#else
        tail_ = true;
#endif
    }

    const char* s_;
    std::size_t size_;
    std::size_t base_; ///< where the bytes that mask_ marks start
    uint64_t mask_ = 0;
    bool tail_ = false; ///< fewer than 64 bytes were left: find_line_end does the rest
};

/// Finds the end of the line starting at pos: sets content_end (before CR LF or LF) and next (after it).
/// Returns false on a CR that is not followed by LF. Without a line end, content_end = next = size.
[[gnu::always_inline]] inline bool find_line(line_end_finder& finder, std::string_view s, std::size_t pos,
                                             std::size_t& content_end, std::size_t& next, bool& bare_lf) {
    const std::size_t size = s.size();
    std::size_t i = finder.next(pos);
    if (i == size) {
        content_end = next = size;
        return true;
    }
    content_end = i;
    if (s[i] == '\r') {
        if (i + 1 >= size || s[i + 1] != '\n')
            return false; // a CR that does not end a line
        next = i + 2;
        return true;
    }
    bare_lf = true;
    next = i + 1;
    return true;
}

bool find_line(std::string_view s, std::size_t pos, std::size_t& content_end, std::size_t& next,
               bool& bare_lf) {
    line_end_finder finder(s.data(), s.size(), pos);
    return find_line(finder, s, pos, content_end, next, bare_lf);
}

std::pair<uint32_t, uint32_t> span(std::size_t begin, std::size_t end) {
    return {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
}

} // namespace

int check_sip_version(std::string_view v) {
    if (v.size() < 7 || !iequals(v.substr(0, 4), "SIP/"))
        return -1;
    std::size_t major = span_of(v, 4, k_digit);
    if (major == 0 || 4 + major >= v.size() || v[4 + major] != '.')
        return -1;
    std::size_t minor = span_of(v, 5 + major, k_digit);
    if (minor == 0 || 5 + major + minor != v.size())
        return -1;
    return v.substr(4) == "2.0" ? 1 : 0;
}

method_kind lookup_method(std::string_view m) {
    switch (m.size()) {
    case 3:
        if (m == "ACK")
            return method_kind::ack;
        if (m == "BYE")
            return method_kind::bye;
        break;
    case 4:
        if (m == "INFO")
            return method_kind::info;
        break;
    case 5:
        if (m == "PRACK")
            return method_kind::prack;
        if (m == "REFER")
            return method_kind::refer;
        break;
    case 6:
        if (m == "INVITE")
            return method_kind::invite;
        if (m == "CANCEL")
            return method_kind::cancel;
        if (m == "NOTIFY")
            return method_kind::notify;
        if (m == "UPDATE")
            return method_kind::update;
        break;
    case 7:
        if (m == "OPTIONS")
            return method_kind::options;
        if (m == "PUBLISH")
            return method_kind::publish;
        if (m == "MESSAGE")
            return method_kind::message;
        break;
    case 8:
        if (m == "REGISTER")
            return method_kind::register_;
        break;
    case 9:
        if (m == "SUBSCRIBE")
            return method_kind::subscribe;
        break;
    default:
        break;
    }
    return method_kind::other;
}

parse_result parser::run(message& m) {
    std::string_view s = m.data_;
    std::size_t pos = 0;
    // RFC 3261 7.5: line ends before the start line are ignored (keep-alives).
    while (pos < s.size() && (s[pos] == '\r' || s[pos] == '\n'))
        ++pos;
    m.is_request_ = !(s.size() - pos >= 4 && iequals(s.substr(pos, 4), "SIP/"));
    if (s.size() > m.limits_.max_size)
        return failure(m, parse_error::too_large, 513);
    if (pos == s.size())
        return failure(m, parse_error::empty, 0);
    const std::size_t start_line_begin = pos;
    parse_result r = parse_start_line(m, pos);
    if (!r.ok()) {
        index_after_broken_request_line(m, start_line_begin, r);
        return r;
    }
    r = index_headers(m, pos);
    if (!r.ok())
        return r;
    m.indexed_ = true;
    r = frame_body(m);
    if (!r.ok())
        return r;
    return validate(m);
}

void parser::index_after_broken_request_line(message& m, std::size_t start_line_begin,
                                             const parse_result& r) {
    // A request whose start line breaks the grammar is still answered (RFC 4475 3.1.2.7 to 3.1.2.11 and
    // 3.1.2.16: 400 or 505), and a reply needs the Vias, From, To, Call-ID and CSeq: index the headers after
    // the broken line. The message stays refused; only the index becomes usable.
    if (!m.is_request_ || r.drop())
        return;
    std::size_t end = 0, next = 0;
    bool bare_lf = false;
    if (!find_line(m.data_, start_line_begin, end, next, bare_lf))
        return;
    std::size_t pos = next;
    if (index_headers(m, pos).ok())
        m.indexed_ = true;
    else
        m.headers_.clear();
}

parse_result parser::parse_start_line(message& m, std::size_t& pos) {
    std::string_view s = m.data_;
    std::size_t end = 0, next = 0;
    if (!find_line(s, pos, end, next, m.bare_lf_))
        return failure(m, parse_error::bare_cr);
    std::string_view line = s.substr(pos, end - pos);
    m.start_line_ = span(pos, end);
    if (!m.is_request_) {
        // SIP-Version SP Status-Code SP Reason-Phrase
        std::size_t sp = line.find(' ');
        if (sp == std::string_view::npos)
            return failure(m, parse_error::bad_start_line);
        int version = check_sip_version(line.substr(0, sp));
        if (version < 0)
            return failure(m, parse_error::bad_version);
        if (version == 0)
            return failure(m, parse_error::unsupported_version);
        std::size_t code_len = span_of(line, sp + 1, k_digit);
        bool separated = sp + 1 + code_len == line.size() || line[sp + 1 + code_len] == ' ';
        uint64_t code = 0;
        if (code_len != 3 || !separated || !parse_uint(line.substr(sp + 1, 3), 699, code) || code < 100)
            return failure(m, parse_error::bad_status);
        m.status_code_ = static_cast<int>(code);
        m.version_ = span(pos, pos + sp);
        std::size_t reason_begin = std::min(sp + 5, line.size());
        m.reason_ = span(pos + reason_begin, end);
        pos = next;
        return {};
    }
    // Method SP Request-URI SP SIP-Version
    std::size_t first_sp = line.find(' ');
    std::size_t last_sp = line.rfind(' ');
    if (first_sp == std::string_view::npos || first_sp == 0)
        return failure(m, parse_error::bad_start_line);
    std::string_view method = line.substr(0, first_sp);
    if (!all_of(method, k_token))
        return failure(m, parse_error::bad_method);
    if (last_sp == first_sp)
        return failure(m, parse_error::bad_start_line);
    int version = check_sip_version(line.substr(last_sp + 1));
    if (version < 0)
        return failure(m, parse_error::bad_version);
    if (version == 0)
        return failure(m, parse_error::unsupported_version, 505);
    std::string_view ruri = line.substr(first_sp + 1, last_sp - first_sp - 1);
    m.method_ = span(pos, pos + first_sp);
    m.method_id_ = lookup_method(method);
    m.request_uri_ = span(pos + first_sp + 1, pos + last_sp);
    m.version_ = span(pos + last_sp + 1, end);
    // The URI parser refuses LWS, so "sip:a@b; lr" and doubled spaces end up here. RFC 3261 19.1.5: a
    // Request-URI never carries headers (escruri.dat).
    if (!m.ruri_.parse(ruri) || !m.ruri_.headers().empty())
        return failure(m, parse_error::bad_request_uri);
    pos = next;
    return {};
}

parse_result parser::index_headers(message& m, std::size_t& pos) {
    std::string_view s = m.data_;
    const parse_limits& limits = m.limits_;
    line_end_finder finder(s.data(), s.size(), pos);
    while (true) {
        if (pos >= s.size()) {
            // The datagram ended without the empty line (RFC 5118 samples): the headers end here.
            m.headers_end_ = m.body_begin_ = static_cast<uint32_t>(s.size());
            m.has_empty_line_ = false;
            return {};
        }
        std::size_t end = 0, next = 0;
        if (!find_line(finder, s, pos, end, next, m.bare_lf_))
            return failure(m, parse_error::bare_cr);
        if (end == pos) {
            m.headers_end_ = static_cast<uint32_t>(pos);
            m.body_begin_ = static_cast<uint32_t>(next);
            m.has_empty_line_ = true;
            return {};
        }
        if (is_ws(s[pos])) {
            // A fold: the line continues the previous header.
            if (m.headers_.empty())
                return failure(m, parse_error::bad_header_line);
            header_field& h = m.headers_.back();
            std::size_t content = pos;
            while (content < end && is_ws(s[content]))
                ++content;
            std::size_t content_end = end;
            while (content_end > content && is_ws(s[content_end - 1]))
                --content_end;
            if (content < content_end) {
                if (h.value_begin == h.value_end)
                    h.value_begin = static_cast<uint32_t>(content);
                h.value_end = static_cast<uint32_t>(content_end);
            }
            h.line_end = static_cast<uint32_t>(next);
            m.last_line_unterminated_ = next == end;
            if (h.line_end - h.line_begin > limits.max_line)
                return failure(m, parse_error::line_too_long);
            pos = next;
            continue;
        }
        std::size_t name_len = span_of(s, pos, k_token);
        std::size_t colon = pos + name_len;
        while (colon < end && is_ws(s[colon]))
            ++colon;
        if (name_len == 0 || colon >= end || s[colon] != ':')
            return failure(m, parse_error::bad_header_line);
        if (m.headers_.size() >= limits.max_headers)
            return failure(m, parse_error::too_many_headers);
        if (name_len > 0xffff || next - pos > limits.max_line)
            return failure(m, parse_error::line_too_long);
        header_field h;
        h.line_begin = static_cast<uint32_t>(pos);
        h.name_len = static_cast<uint16_t>(name_len);
        h.kind = lookup_header_kind(s.substr(pos, name_len));
        std::size_t value = colon + 1;
        while (value < end && is_ws(s[value]))
            ++value;
        std::size_t value_end = end;
        while (value_end > value && is_ws(s[value_end - 1]))
            --value_end;
        h.value_begin = static_cast<uint32_t>(value);
        h.value_end = static_cast<uint32_t>(value_end);
        h.line_end = static_cast<uint32_t>(next);
        m.last_line_unterminated_ = next == end;
        m.headers_.push_back(h);
        pos = next;
    }
}

parse_result parser::frame_body(message& m) {
    std::size_t size = m.data_.size();
    const header_field* cl = nullptr;
    for (const header_field& h : m.headers_) {
        if (h.kind != header_kind::content_length)
            continue;
        if (cl)
            return failure(m, parse_error::duplicate_header, 400, header_kind::content_length);
        cl = &h;
    }
    m.body_end_ = static_cast<uint32_t>(size);
    if (!cl)
        return {};
    uint64_t length = 0;
    if (!parse_number(m.value(*cl), 0xffffffffu, length))
        return failure(m, parse_error::bad_content_length);
    m.content_length_ = static_cast<uint32_t>(length);
    if (length > size - m.body_begin_) {
        // RFC 3261 18.3: a datagram shorter than its Content-Length is an error. A bare-LF message has been
        // through a text tool that changed its line ends after the length was computed (RFC 5118's own
        // ipv6-in-sdp sample), so there the datagram frames the body and the length is rewritten on output.
        if (!m.bare_lf_)
            return failure(m, parse_error::bad_content_length);
        m.content_length_repaired_ = true;
        return {};
    }
    m.body_end_ = static_cast<uint32_t>(m.body_begin_ + length);
    return {};
}

parse_result parser::validate(message& m) {
    const header_field* single[static_cast<int>(header_kind::count_)] = {};
    for (std::size_t i = 0; i < m.headers_.size(); ++i) {
        const header_field& h = m.headers_[i];
        if (!is_single_header(h.kind))
            continue;
        const header_field*& first = single[static_cast<int>(h.kind)];
        if (first)
            return failure(m, parse_error::duplicate_header, 400, h.kind);
        first = &h;
    }
    for (header_kind k : {header_kind::from, header_kind::to, header_kind::call_id, header_kind::cseq})
        if (!single[static_cast<int>(k)])
            return failure(m, parse_error::missing_header, 400, k);

    for (std::size_t i = 0; i < m.headers_.size(); ++i) {
        const header_field& h = m.headers_[i];
        if (h.kind != header_kind::via)
            continue;
        bool ok = parse_via_values(m.value(h), [&](via& v) {
            v.header_index = static_cast<uint16_t>(i);
            m.vias_.push_back(v);
        });
        if (!ok)
            return failure(m, parse_error::bad_header_value, 400, header_kind::via);
    }
    if (m.vias_.empty())
        return failure(m, parse_error::missing_header, 400, header_kind::via);

    const header_field* from = single[static_cast<int>(header_kind::from)];
    if (!parse_single_name_addr(m.value(*from), m.from_, false))
        return failure(m, parse_error::bad_header_value, 400, header_kind::from);
    m.from_.header_index = static_cast<uint16_t>(from - m.headers_.data());
    const header_field* to = single[static_cast<int>(header_kind::to)];
    if (!parse_single_name_addr(m.value(*to), m.to_, false))
        return failure(m, parse_error::bad_header_value, 400, header_kind::to);
    m.to_.header_index = static_cast<uint16_t>(to - m.headers_.data());

    std::string_view call_id = m.value(*single[static_cast<int>(header_kind::call_id)]);
    if (!parse_call_id(call_id))
        return failure(m, parse_error::bad_header_value, 400, header_kind::call_id);
    m.call_id_ = call_id;

    if (!parse_cseq(m.value(*single[static_cast<int>(header_kind::cseq)]), m.cseq_))
        return failure(m, parse_error::bad_header_value, 400, header_kind::cseq);
    if (m.is_request_ && m.cseq_.method != m.method()) {
        // RFC 4475 3.1.2.18: an element that does not know the method answers 501.
        int code = m.method_id_ == method_kind::other ? 501 : 400;
        return failure(m, parse_error::cseq_method_mismatch, code, header_kind::cseq);
    }

    if (const header_field* mf = single[static_cast<int>(header_kind::max_forwards)]) {
        uint64_t hops = 0;
        if (!parse_number(m.value(*mf), 255, hops))
            return failure(m, parse_error::bad_header_value, 400, header_kind::max_forwards);
        m.max_forwards_ = static_cast<uint32_t>(hops);
    }
    return {};
}

} // namespace siphost::sip
