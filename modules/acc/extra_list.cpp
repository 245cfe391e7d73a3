#include "extra_list.hpp"
#include "pv_token.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::acc {

void extra_list::read(std::string_view param, std::string_view text, size_t max) {
    param_ = param;
    items_.clear();
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(';', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view part = sdk::trim(text.substr(start, end - start));
        start = end + 1;
        if (part.empty())
            continue;
        size_t eq = part.find('=');
        if (eq == std::string_view::npos)
            throw sdk::config_error(param_ + ": '" + std::string(part) +
                                    "' is not name=$pseudo_variable (items are separated by ';')");
        std::string_view name = sdk::trim(part.substr(0, eq));
        std::string_view value = sdk::trim(part.substr(eq + 1));
        if (name.empty())
            throw sdk::config_error(param_ + ": '" + std::string(part) + "' has no name before '='");
        if (value.empty() || value[0] != '$')
            throw sdk::config_error(param_ + ": the value of '" + std::string(name) +
                                    "' must be a pseudo-variable such as $fU, not '" + std::string(value) +
                                    "'");
        if (pv_token_length(value) != value.size())
            throw sdk::config_error(param_ + ": the value of '" + std::string(name) + "', '" +
                                    std::string(value) + "', is not one well-formed pseudo-variable");
        if (items_.size() == max)
            throw sdk::config_error(param_ + ": more than " + std::to_string(max) +
                                    " items (acc_extra_size)");
        items_.push_back(item{std::string(name), std::string(value), nullptr});
    }
}

bool extra_list::resolve(const siphost_host_api* host, std::string& error) {
    for (item& it : items_) {
        if (it.spec != nullptr)
            continue;
        char err[256] = "";
        it.spec = host->pv_parse(sdk::str(it.pv_text), err, sizeof err);
        if (it.spec == nullptr) {
            error = param_ + ": " + it.name + "=" + it.pv_text + ": " + err;
            return false;
        }
    }
    return true;
}

void extra_list::release(const siphost_host_api* host) {
    for (item& it : items_) {
        if (it.spec != nullptr && host != nullptr)
            host->pv_free(it.spec);
        it.spec = nullptr;
    }
}

std::vector<std::optional<std::string>> extra_list::evaluate(const siphost_host_api* host,
                                                             siphost_msg* msg) const {
    std::vector<std::optional<std::string>> values;
    values.reserve(items_.size());
    for (const item& it : items_) {
        siphost_value v = sdk::null_value();
        if (it.spec == nullptr || msg == nullptr || host->pv_get(it.spec, msg, &v) != 0) {
            values.emplace_back();
            continue;
        }
        // Copied at once: a string stays valid only until the next pv_get on this thread.
        if (v.kind == SIPHOST_VALUE_INT)
            values.emplace_back(std::to_string(v.num));
        else if (v.kind == SIPHOST_VALUE_STR)
            values.emplace_back(std::string(sdk::view(v.str)));
        else
            values.emplace_back();
    }
    return values;
}

} // namespace siphost::modules::acc
