#include "script/value.hpp"

#include <charconv>

namespace siphost::script {

value value::from_abi(const siphost_value& in, bool copy) {
    switch (in.kind) {
    case SIPHOST_VALUE_INT:
        return make_int(in.num);
    case SIPHOST_VALUE_STR: {
        std::string_view text(in.str.s ? in.str.s : "", in.str.s ? in.str.len : 0);
        return copy ? own(std::string(text)) : borrow(text);
    }
    default:
        return value();
    }
}

value& value::operator=(const value& other) {
    if (this == &other)
        return *this;
    kind_ = other.kind_;
    number_ = other.number_;
    owned_ = other.owned_;
    if (owned_) {
        storage_ = other.storage_;
        text_ = storage_;
    } else {
        text_ = other.text_;
    }
    return *this;
}

value& value::operator=(value&& other) noexcept {
    if (this == &other)
        return *this;
    kind_ = other.kind_;
    number_ = other.number_;
    owned_ = other.owned_;
    if (owned_) {
        storage_ = std::move(other.storage_);
        text_ = storage_;
    } else {
        text_ = other.text_;
    }
    other.kind_ = kind::null;
    other.text_ = {};
    other.owned_ = false;
    return *this;
}

void value::make_owned() {
    if (kind_ != kind::string || owned_)
        return;
    storage_.assign(text_.data(), text_.size());
    owned_ = true;
    text_ = storage_;
}

std::int64_t value::to_int() const {
    switch (kind_) {
    case kind::integer:
        return number_;
    case kind::string: {
        std::string_view t = text_;
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
            t.remove_prefix(1);
        if (!t.empty() && t.front() == '+')
            t.remove_prefix(1);
        std::int64_t n = 0;
        std::from_chars(t.data(), t.data() + t.size(), n);
        return n;
    }
    default:
        return 0;
    }
}

bool value::is_numeric() const {
    if (kind_ == kind::integer)
        return true;
    if (kind_ != kind::string || text_.empty())
        return false;
    std::string_view t = text_;
    if (t.front() == '-' || t.front() == '+')
        t.remove_prefix(1);
    if (t.empty())
        return false;
    for (char c : t)
        if (c < '0' || c > '9')
            return false;
    return true;
}

void value::append_to(std::string& out) const {
    switch (kind_) {
    case kind::null:
        out += "<null>";
        break;
    case kind::integer: {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, number_);
        out.append(buf, end);
        break;
    }
    case kind::string:
        out.append(text_.data(), text_.size());
        break;
    }
}

std::string_view value::as_text(std::string& buffer) const {
    if (kind_ == kind::string)
        return text_;
    buffer.clear();
    if (kind_ == kind::integer)
        append_to(buffer);
    return buffer;
}

bool value::truthy() const {
    switch (kind_) {
    case kind::integer:
        return number_ != 0;
    case kind::string:
        return is_numeric() ? to_int() != 0 : !text_.empty();
    default:
        return false;
    }
}

siphost_value value::to_abi() const {
    siphost_value out{};
    switch (kind_) {
    case kind::integer:
        out.kind = SIPHOST_VALUE_INT;
        out.num = number_;
        break;
    case kind::string:
        out.kind = SIPHOST_VALUE_STR;
        out.str = {text_.data(), text_.size()};
        break;
    default:
        out.kind = SIPHOST_VALUE_NULL;
        break;
    }
    return out;
}

} // namespace siphost::script
