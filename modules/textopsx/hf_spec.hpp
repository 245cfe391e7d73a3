#pragma once
// The header argument of the *_hf_value functions: HFNAME [ [IDX] ] [ .PARAM ], parsed when the config is
// read. IDX counts from 1 (the first value), from -1 backwards (the last value), or is * (every value).

#include <cstdint>
#include <string>
#include <string_view>

namespace siphost::modules::textopsx {

class hf_spec {
public:
    enum class index_kind : uint8_t { none, number, all };

    /// What a call site allows besides the name; a spec that uses more is a config error.
    struct allowed {
        bool index = true;
        bool all = true;
        bool param = true;
    };

    /// Parses text; throws sdk::config_error with a sentence on a malformed spec or one that uses what the
    /// function does not allow.
    hf_spec(std::string_view text, allowed what);

    const std::string& name() const { return name_; }
    index_kind kind() const { return kind_; }
    /// 1-based, negative from the end; meaningful for index_kind::number.
    int32_t index() const { return index_; }
    /// Empty when no parameter was named.
    const std::string& param() const { return param_; }

private:
    std::string name_;
    index_kind kind_ = index_kind::none;
    int32_t index_ = 0;
    std::string param_;
};

/// True for the characters of a header name (RFC 3261 token).
bool is_token_char(char c);

} // namespace siphost::modules::textopsx
