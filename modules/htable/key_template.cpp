#include "key_template.hpp"

#include <siphost/module.hpp>

#include <atomic>
#include <cctype>
#include <stdexcept>

namespace siphost::modules::htable {
namespace {

std::atomic<bool> host_alive_{false};

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

/// Skips a balanced "( ... )" starting at text[i]; returns the index after it, or npos when unbalanced.
size_t skip_parens(std::string_view text, size_t i) {
    int depth = 0;
    for (; i < text.size(); ++i) {
        if (text[i] == '(')
            ++depth;
        else if (text[i] == ')' && --depth == 0)
            return i + 1;
    }
    return std::string_view::npos;
}

} // namespace

void set_host_alive(bool alive) {
    host_alive_.store(alive);
}

size_t pv_length(std::string_view text) {
    if (text.size() < 2 || text[0] != '$')
        return 0;
    if (text[1] == '(') {
        size_t end = skip_parens(text, 1);
        return end == std::string_view::npos ? text.size() : end;
    }
    if (!ident_start(text[1]))
        return 0;
    size_t i = 1;
    while (i < text.size() && ident_char(text[i]))
        ++i;
    if (i < text.size() && text[i] == '(') {
        size_t end = skip_parens(text, i);
        if (end == std::string_view::npos)
            return text.size();
        i = end;
    }
    if (i < text.size() && text[i] == '[') {
        size_t close = text.find(']', i);
        if (close != std::string_view::npos)
            i = close + 1;
    }
    return i;
}

key_template::key_template(const siphost_host_api* host, std::string_view text) : host_(host), text_(text) {
    size_t i = 0;
    auto add_literal = [&](std::string_view piece) {
        if (!parts_.empty() && parts_.back().spec == nullptr)
            parts_.back().literal.append(piece);
        else
            parts_.push_back(part{std::string(piece), nullptr});
    };
    while (i < text.size()) {
        if (text[i] == '$') {
            if (i + 1 < text.size() && text[i + 1] == '$') {
                add_literal("$");
                i += 2;
                continue;
            }
            size_t n = pv_length(text.substr(i));
            if (n > 0) {
                std::string pv(text.substr(i, n));
                char err[256] = "";
                siphost_pv_spec* spec = host->pv_parse(sdk::str(pv), err, sizeof err);
                if (spec == nullptr) {
                    release();
                    throw std::invalid_argument("cannot use \"" + pv + "\" in \"" + std::string(text) +
                                                "\": " + err);
                }
                parts_.push_back(part{{}, spec});
                i += n;
                continue;
            }
        }
        size_t next = text.find('$', i + 1);
        if (next == std::string_view::npos)
            next = text.size();
        add_literal(text.substr(i, next - i));
        i = next;
    }
    if (is_constant())
        constant_ = parts_.empty() ? std::string() : parts_[0].literal;
}

key_template::~key_template() {
    release();
}

key_template::key_template(key_template&& other) noexcept
    : host_(other.host_), text_(std::move(other.text_)), constant_(std::move(other.constant_)),
      parts_(std::move(other.parts_)) {
    other.parts_.clear();
}

key_template& key_template::operator=(key_template&& other) noexcept {
    if (this != &other) {
        release();
        host_ = other.host_;
        text_ = std::move(other.text_);
        constant_ = std::move(other.constant_);
        parts_ = std::move(other.parts_);
        other.parts_.clear();
    }
    return *this;
}

void key_template::release() noexcept {
    for (auto& p : parts_)
        if (p.spec != nullptr && host_ != nullptr && host_alive_.load())
            host_->pv_free(p.spec);
    parts_.clear();
}

bool key_template::expand(siphost_msg* msg, std::string& out) const {
    if (is_constant()) {
        out = constant_;
        return true;
    }
    out.clear();
    for (const auto& p : parts_) {
        if (p.spec == nullptr) {
            out.append(p.literal);
            continue;
        }
        siphost_value v = sdk::null_value();
        if (host_->pv_get(p.spec, msg, &v) != 0)
            return false;
        if (v.kind == SIPHOST_VALUE_INT)
            out.append(std::to_string(v.num));
        else if (v.kind == SIPHOST_VALUE_STR)
            out.append(sdk::view(v.str));
        else
            out.append("<null>");
    }
    return true;
}

} // namespace siphost::modules::htable
