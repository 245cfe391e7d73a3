#include "sip/message.hpp"

#include <cstring>

#include "sip/chars.hpp"
#include "sip/header_params.hpp"
#include "sip/parser.hpp"

namespace siphost::sip {

using namespace chars;

namespace {

constexpr std::size_t k_typical_header_lines = 32;

/// Splits a list header value into comma elements, ignoring commas inside quotes and angle brackets.
template <class F> void for_each_element(std::string_view v, F&& f) {
    std::size_t start = 0;
    bool in_quotes = false, in_angle = false;
    for (std::size_t i = 0; i <= v.size(); ++i) {
        if (i < v.size()) {
            char c = v[i];
            if (in_quotes) {
                if (c == '\\')
                    ++i;
                else if (c == '"')
                    in_quotes = false;
                continue;
            }
            if (c == '"')
                in_quotes = true;
            else if (c == '<')
                in_angle = true;
            else if (c == '>')
                in_angle = false;
            if (c != ',' || in_angle)
                continue;
        }
        std::string_view element = trim(v.substr(start, std::min(i, v.size()) - start));
        if (!element.empty() && !f(element))
            return;
        start = i + 1;
    }
}

} // namespace

void message::reset() {
    data_ = {};
    result_ = {};
    indexed_ = is_request_ = bare_lf_ = content_length_repaired_ = has_empty_line_ = last_line_unterminated_ =
        false;
    method_id_ = method_kind::other;
    start_line_ = method_ = request_uri_ = version_ = reason_ = {};
    status_code_ = 0;
    headers_end_ = body_begin_ = body_end_ = 0;
    headers_.clear();
    if (headers_.capacity() == 0)
        headers_.reserve(k_typical_header_lines); // one allocation rather than a growth per doubling
    ruri_ = uri{};
    vias_.clear();
    from_ = name_addr{};
    to_ = name_addr{};
    from_uri_parsed_ = to_uri_parsed_ = false;
    call_id_ = {};
    cseq_ = {};
    max_forwards_.reset();
    content_length_.reset();
    contacts_state_ = routes_state_ = record_routes_state_ = lazy::unparsed;
    contacts_.clear();
    routes_.clear();
    record_routes_.clear();
    for (int i = 0; i < 3; ++i) {
        tags_state_[i] = lazy::unparsed;
        tags_[i].clear();
    }
    edits_.clear();
}

parse_result message::parse(std::string_view bytes, const parse_limits& limits) {
    reset();
    owned_.reset();
    data_ = bytes;
    limits_ = limits;
    result_ = parser::run(*this);
    return result_;
}

parse_result message::parse_copy(std::string_view bytes, const parse_limits& limits) {
    auto copy = std::make_unique<char[]>(bytes.size() + 1);
    if (!bytes.empty())
        std::memcpy(copy.get(), bytes.data(), bytes.size());
    std::string_view view(copy.get(), bytes.size());
    reset();
    owned_ = std::move(copy);
    data_ = view;
    limits_ = limits;
    result_ = parser::run(*this);
    return result_;
}

message message::clone() const {
    message copy;
    copy.parse_copy(data_, limits_);
    for (std::size_t i = 0; i < headers_.size() && i < copy.headers_.size(); ++i)
        copy.headers_[i].removed = headers_[i].removed;
    copy.edits_ = edits_;
    copy.shrink_to_fit();
    return copy;
}

void message::shrink_to_fit() {
    headers_.shrink_to_fit();
    vias_.shrink_to_fit();
    edits_.shrink_to_fit();
}

std::string_view message::method() const {
    return is_request_ ? slice(method_) : cseq_.method;
}

method_kind message::method_id() const {
    return is_request_ ? method_id_ : lookup_method(cseq_.method);
}

std::string_view message::current_request_uri() const {
    if (auto changed = edits_.request_uri())
        return *changed;
    return request_uri();
}

const header_field* message::find_header(header_kind kind) const {
    for (const header_field& h : headers_)
        if (h.kind == kind && !h.removed)
            return &h;
    return nullptr;
}

const header_field* message::find_header(std::string_view name) const {
    header_kind kind = lookup_header_kind(name);
    if (kind != header_kind::other)
        return find_header(kind);
    for (const header_field& h : headers_)
        if (h.kind == header_kind::other && !h.removed && iequals(this->name(h), name))
            return &h;
    return nullptr;
}

template <class F>
void message::for_each_header(header_kind kind, std::string_view name, F&& f, bool with_removed) const {
    for (std::size_t i = 0; i < headers_.size(); ++i) {
        const header_field& h = headers_[i];
        if ((h.removed && !with_removed) || h.kind != kind)
            continue;
        if (kind == header_kind::other && !iequals(this->name(h), name))
            continue;
        if (!f(i, h))
            return;
    }
}

bool message::header_value(std::string_view name, uint32_t index, std::string_view& out) const {
    header_kind kind = lookup_header_kind(name);
    bool list = is_list_header(kind);
    bool found = false;
    for_each_header(kind, name, [&](std::size_t, const header_field& h) {
        if (!list) {
            if (index == 0) {
                out = value(h);
                found = true;
                return false;
            }
            --index;
            return true;
        }
        for_each_element(value(h), [&](std::string_view element) {
            if (index == 0) {
                out = element;
                found = true;
                return false;
            }
            --index;
            return true;
        });
        return !found;
    }, true);
    return found;
}

bool message::parse_name_addr_list(header_kind kind, std::vector<name_addr>& out) const {
    bool ok = true;
    for_each_header(kind, {}, [&](std::size_t i, const header_field& h) {
        ok = parse_name_addr_values(value(h), kind == header_kind::contact, [&](name_addr& a) {
            a.header_index = static_cast<uint16_t>(i);
            out.push_back(a);
        });
        return ok;
    });
    return ok;
}

namespace {

template <class V>
std::optional<std::span<const name_addr>> cached_list(V& cache, auto& state, auto parse_fn) {
    using lazy_t = std::remove_reference_t<decltype(state)>;
    if (state == lazy_t::unparsed)
        state = parse_fn(cache) ? lazy_t::ok : lazy_t::invalid;
    if (state == lazy_t::invalid)
        return std::nullopt;
    return std::span<const name_addr>(cache.data(), cache.size());
}

} // namespace

std::optional<std::span<const name_addr>> message::contacts() const {
    return cached_list(contacts_, contacts_state_,
                       [this](auto& c) { return parse_name_addr_list(header_kind::contact, c); });
}

std::optional<std::span<const name_addr>> message::routes() const {
    return cached_list(routes_, routes_state_,
                       [this](auto& c) { return parse_name_addr_list(header_kind::route, c); });
}

std::optional<std::span<const name_addr>> message::record_routes() const {
    return cached_list(record_routes_, record_routes_state_,
                       [this](auto& c) { return parse_name_addr_list(header_kind::record_route, c); });
}

std::optional<std::span<const std::string_view>> message::option_tags(header_kind kind) const {
    int slot = kind == header_kind::require         ? 0
               : kind == header_kind::proxy_require ? 1
               : kind == header_kind::supported     ? 2
                                                    : -1;
    if (slot < 0)
        return std::nullopt;
    if (tags_state_[slot] == lazy::unparsed) {
        bool ok = true;
        for_each_header(kind, {}, [&](std::size_t, const header_field& h) {
            std::string_view v = value(h);
            std::size_t pos = 0;
            // Supported may be empty (RFC 3261 20.37); the others need at least one tag.
            if (trim(v).empty()) {
                ok = kind == header_kind::supported;
                return ok;
            }
            while (pos < v.size()) {
                std::string_view tag;
                if (!next_list_token(v, pos, tag)) {
                    ok = false;
                    return false;
                }
                tags_[slot].push_back(tag);
            }
            return true;
        });
        tags_state_[slot] = ok ? lazy::ok : lazy::invalid;
    }
    if (tags_state_[slot] == lazy::invalid)
        return std::nullopt;
    return std::span<const std::string_view>(tags_[slot].data(), tags_[slot].size());
}

header_status message::expires(uint32_t& out) const {
    const header_field* h = find_header(header_kind::expires);
    if (!h)
        return header_status::absent;
    return parse_delta_seconds(value(*h), out) ? header_status::ok : header_status::invalid;
}

header_status message::content_type(media_type& out) const {
    const header_field* h = find_header(header_kind::content_type);
    if (!h)
        return header_status::absent;
    return parse_media_type(value(*h), out) ? header_status::ok : header_status::invalid;
}

bool message::add_header(std::string_view line, header_position position, std::string_view anchor) {
    if (!indexed_)
        return false;
    std::string_view terminator = "\r\n";
    if (line.ends_with("\r\n"))
        terminator = {};
    else if (line.ends_with('\n'))
        line.remove_suffix(1);
    const header_field* first = headers_.empty() ? nullptr : &headers_[0];
    uint32_t top = first ? first->line_begin : headers_end_;
    uint32_t offset = headers_end_;
    switch (position) {
    case header_position::bottom:
        break;
    case header_position::top:
        offset = top;
        break;
    case header_position::after:
        if (const header_field* h = find_header(anchor))
            offset = h->line_end;
        break;
    case header_position::before:
        offset = top;
        if (const header_field* h = find_header(anchor))
            offset = h->line_begin;
        break;
    }
    return edits_.insert(offset, {line, terminator});
}

int message::remove_header(std::string_view name, int32_t index) {
    if (!indexed_)
        return 0;
    header_kind kind = lookup_header_kind(name);
    int removed = 0;
    int32_t seen = 0;
    for (std::size_t i = 0; i < headers_.size(); ++i) {
        header_field& h = headers_[i];
        if (h.kind != kind || (kind == header_kind::other && !iequals(this->name(h), name)))
            continue;
        if (index < 0 || seen == index) {
            // Lines count as received, as lookups see them: one removed already counts again without a
            // second change (Kamailio's remove_hf() finds and removes it again, and says so).
            if (h.removed) {
                ++removed;
            } else if (edits_.replace(h.line_begin, h.line_end - h.line_begin, {})) {
                h.removed = true;
                ++removed;
            }
            if (index >= 0)
                break;
        }
        ++seen;
    }
    return removed;
}

bool message::replace(std::size_t offset, std::size_t len, std::string_view text) {
    if (!indexed_ || offset > body_end_ || len > body_end_ - offset)
        return false;
    return edits_.replace(static_cast<uint32_t>(offset), static_cast<uint32_t>(len), text);
}

bool message::add_record_route(std::string_view value) {
    if (!indexed_)
        return false;
    uint32_t offset = headers_.empty() ? headers_end_ : headers_[0].line_begin;
    if (const header_field* rr = find_header(header_kind::record_route))
        offset = rr->line_begin;
    return edits_.insert(offset, {"Record-Route: ", value, "\r\n"});
}

} // namespace siphost::sip
