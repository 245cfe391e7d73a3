#pragma once
// A table name that may hold pseudo-variables, evaluated per record: db_table_acc
// "acc_$time(year)_$time(mon)" as Kamailio allows. Text without '$' is used as it is.

#include <siphost/module.h>

#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::acc {

class text_template {
public:
    text_template() = default;
    text_template(const text_template&) = delete;
    text_template& operator=(const text_template&) = delete;

    /// Cuts text into literal parts and pseudo-variables. Throws sdk::config_error naming param when a '$'
    /// does not start a well-formed pseudo-variable.
    void read(std::string_view param, std::string_view text);
    /// Parses the pseudo-variables with the host (once). False with the reason in error.
    bool resolve(const siphost_host_api* host, std::string& error);
    /// Frees them (at the module's destroy).
    void release(const siphost_host_api* host);

    bool empty() const { return parts_.empty(); }
    /// The text for msg (a pseudo-variable without a value adds nothing).
    std::string evaluate(const siphost_host_api* host, siphost_msg* msg) const;

private:
    struct part {
        std::string text; ///< literal text, or the pseudo-variable as written
        bool is_pv = false;
        siphost_pv_spec* spec = nullptr;
    };
    std::vector<part> parts_;
    std::string param_;
};

} // namespace siphost::modules::acc
