#pragma once
// A table or key name that may hold pseudo-variables ("ipban", "$si", "$au::auth_count"), parsed once when
// the config is read and expanded for each message.

#include <siphost/module.h>

#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::htable {

class key_template {
public:
    key_template() = default;
    /// Parses text, having the host parse each pseudo-variable in it; throws std::invalid_argument.
    key_template(const siphost_host_api* host, std::string_view text);
    ~key_template();
    key_template(key_template&& other) noexcept;
    key_template& operator=(key_template&& other) noexcept;
    key_template(const key_template&) = delete;
    key_template& operator=(const key_template&) = delete;

    /// True when the text has no pseudo-variable: constant() is then its value.
    bool is_constant() const { return parts_.size() <= 1 && (parts_.empty() || parts_[0].spec == nullptr); }
    const std::string& constant() const { return constant_; }
    const std::string& text() const { return text_; }
    /// Expands the template for msg into out (a pseudo-variable without a value gives "<null>", as
    /// Kamailio prints it). False when the host cannot read a pseudo-variable.
    bool expand(siphost_msg* msg, std::string& out) const;

private:
    struct part {
        std::string literal;             ///< when spec is null
        siphost_pv_spec* spec = nullptr; ///< a pseudo-variable
    };
    void release() noexcept;

    const siphost_host_api* host_ = nullptr;
    std::string text_;
    std::string constant_;
    std::vector<part> parts_;
};

/// How far the pseudo-variable that starts text (text[0] == '$') reaches; 0 when '$' starts none.
size_t pv_length(std::string_view text);

/// Whether the module's host table may still be used (false after destroy: free_data may run later).
void set_host_alive(bool alive);

} // namespace siphost::modules::htable
