#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <siphost/module.h>

namespace siphost::script {

/// A script value: null, an integer or a string. A string either borrows bytes that outlive the value
/// (the message, the compiled script) or owns a copy; copying a value keeps that right.
class value {
public:
    enum class kind : std::uint8_t { null, integer, string };

    value() = default;
    static value make_int(std::int64_t n) {
        value v;
        v.kind_ = kind::integer;
        v.number_ = n;
        return v;
    }
    /// A string value that points at text (which must outlive the value).
    static value borrow(std::string_view text) {
        value v;
        v.kind_ = kind::string;
        v.text_ = text;
        return v;
    }
    static value own(std::string text) {
        value v;
        v.kind_ = kind::string;
        v.storage_ = std::move(text);
        v.owned_ = true;
        v.text_ = v.storage_;
        return v;
    }
    /// From an ABI value; strings are copied when copy is true.
    static value from_abi(const siphost_value& in, bool copy);

    value(const value& other) { *this = other; }
    value(value&& other) noexcept { *this = std::move(other); }
    value& operator=(const value& other);
    value& operator=(value&& other) noexcept;

    kind type() const { return kind_; }
    bool is_null() const { return kind_ == kind::null; }
    bool is_int() const { return kind_ == kind::integer; }
    bool is_string() const { return kind_ == kind::string; }
    std::int64_t number() const { return number_; }
    std::string_view text() const { return text_; }

    /// Makes a borrowed string an owned copy (before the borrowed bytes go away).
    void make_owned();

    /// Integer view: null is 0, a string is its leading decimal number (0 when there is none).
    std::int64_t to_int() const;
    /// True when the value is a string holding exactly a (signed) decimal number, or an integer.
    bool is_numeric() const;
    /// Appends the printed form: null prints "<null>", an integer in decimal.
    void append_to(std::string& out) const;
    /// The string view used by string operators: null is "", an integer in decimal (in buffer).
    std::string_view as_text(std::string& buffer) const;
    /// The truth of a value in a condition: null false, integer nonzero, numeric string nonzero, else
    /// non-empty.
    bool truthy() const;
    /// The value as the ABI sees it; strings point into this value.
    siphost_value to_abi() const;

private:
    kind kind_ = kind::null;
    bool owned_ = false;
    std::int64_t number_ = 0;
    std::string_view text_;
    std::string storage_;
};

} // namespace siphost::script
