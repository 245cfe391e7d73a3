#include "module_context.hpp"

#include <cstdint>

namespace siphost::modules::textopsx {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;

} // namespace

const siphost_host_api* host() {
    return host_;
}

siphost_module_handle* self() {
    return self_;
}

void set_context(const siphost_host_api* host, siphost_module_handle* self) {
    host_ = host;
    self_ = self;
}

void log_error(std::string_view text) {
    sdk::log(host_, self_, SIPHOST_LOG_ERR, text);
}

std::string_view raw_of(const siphost_msg* msg) {
    return sdk::view(host_->msg_raw(msg));
}

bool offset_in(std::string_view raw, siphost_str view, size_t& offset) {
    // Compared as integers: the view may come from anywhere, and relational operators on unrelated pointers
    // are not defined.
    auto begin = reinterpret_cast<std::uintptr_t>(raw.data());
    auto at = reinterpret_cast<std::uintptr_t>(view.s);
    if (view.s == nullptr || at < begin || at - begin > raw.size() || view.len > raw.size() - (at - begin))
        return false;
    offset = static_cast<size_t>(at - begin);
    return true;
}

} // namespace siphost::modules::textopsx
