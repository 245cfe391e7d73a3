#include "hf_spec.hpp"

#include <siphost/module.hpp>

#include <cstring>

namespace siphost::modules::textopsx {

bool is_token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && std::strchr("-.!%*_+`'~", c) != nullptr);
}

hf_spec::hf_spec(std::string_view text, allowed what) {
    std::string_view spec = sdk::trim(text);
    const std::string quoted = "\"" + std::string(text) + "\"";
    size_t i = 0;
    // The name stops at '[' or at the '.' of a parameter ('.' is a token character, but names do not use it).
    while (i < spec.size() && is_token_char(spec[i]) && spec[i] != '.')
        ++i;
    name_.assign(spec.substr(0, i));
    if (name_.empty())
        throw sdk::config_error(quoted + " does not start with a header name");
    if (i < spec.size() && spec[i] == '[') {
        size_t close = spec.find(']', i);
        if (close == std::string_view::npos)
            throw sdk::config_error(quoted + " has no ']' after its index");
        std::string_view index = sdk::trim(spec.substr(i + 1, close - i - 1));
        if (index == "*") {
            kind_ = index_kind::all;
        } else {
            int64_t number = 0;
            if (!sdk::arg_int(sdk::str_value(index), number) || number == 0 || number > INT32_MAX ||
                number < -INT32_MAX)
                throw sdk::config_error(quoted +
                                        ": the index must be *, 1, 2, ... or -1, -2, ... (from the end)");
            kind_ = index_kind::number;
            index_ = static_cast<int32_t>(number);
        }
        i = close + 1;
    }
    if (i < spec.size() && spec[i] == '.') {
        std::string_view param = spec.substr(i + 1);
        size_t end = 0;
        while (end < param.size() && is_token_char(param[end]))
            ++end;
        if (end == 0 || end != param.size())
            throw sdk::config_error(quoted + ": expected a parameter name after '.'");
        param_.assign(param);
        i = spec.size();
    }
    if (i != spec.size())
        throw sdk::config_error(quoted + ": unexpected '" + std::string(spec.substr(i)) +
                                "'; expected NAME, NAME[index] or NAME[index].param");
    if (kind_ == index_kind::number && !what.index)
        throw sdk::config_error(quoted + ": this function takes a header name without an index");
    if (kind_ == index_kind::all && !what.all)
        throw sdk::config_error(quoted + ": this function does not take the index *");
    if (!param_.empty() && !what.param)
        throw sdk::config_error(quoted + ": this function does not take a parameter");
}

} // namespace siphost::modules::textopsx
