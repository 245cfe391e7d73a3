#include "text_template.hpp"
#include "pv_token.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::acc {

void text_template::read(std::string_view param, std::string_view text) {
    param_ = param;
    parts_.clear();
    while (!text.empty()) {
        size_t dollar = text.find('$');
        if (dollar != 0) {
            parts_.push_back(part{std::string(text.substr(0, dollar)), false, nullptr});
            if (dollar == std::string_view::npos)
                break;
            text.remove_prefix(dollar);
        }
        size_t len = pv_token_length(text);
        if (len == 0)
            throw sdk::config_error(param_ + ": '" + std::string(text) +
                                    "' does not start with a well-formed pseudo-variable");
        parts_.push_back(part{std::string(text.substr(0, len)), true, nullptr});
        text.remove_prefix(len);
    }
}

bool text_template::resolve(const siphost_host_api* host, std::string& error) {
    for (part& p : parts_) {
        if (!p.is_pv || p.spec != nullptr)
            continue;
        char err[256] = "";
        p.spec = host->pv_parse(sdk::str(p.text), err, sizeof err);
        if (p.spec == nullptr) {
            error = param_ + ": " + p.text + ": " + err;
            return false;
        }
    }
    return true;
}

void text_template::release(const siphost_host_api* host) {
    for (part& p : parts_) {
        if (p.spec != nullptr && host != nullptr)
            host->pv_free(p.spec);
        p.spec = nullptr;
    }
}

std::string text_template::evaluate(const siphost_host_api* host, siphost_msg* msg) const {
    std::string out;
    for (const part& p : parts_) {
        if (!p.is_pv) {
            out.append(p.text);
            continue;
        }
        siphost_value v = sdk::null_value();
        if (p.spec == nullptr || msg == nullptr || host->pv_get(p.spec, msg, &v) != 0)
            continue;
        if (v.kind == SIPHOST_VALUE_INT)
            out.append(std::to_string(v.num));
        else if (v.kind == SIPHOST_VALUE_STR)
            out.append(sdk::view(v.str));
    }
    return out;
}

} // namespace siphost::modules::acc
