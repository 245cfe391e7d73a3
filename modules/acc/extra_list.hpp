#pragma once
// log_extra and db_extra: "name=$pv;name=$pv", what acc adds to each record after its fixed fields (the
// name is the log attribute, or the database column). Read and checked when the module starts; the
// pseudo-variables are then parsed by the host, which can do that from the script's compilation on.

#include <siphost/module.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::acc {

class extra_list {
public:
    extra_list() = default;
    extra_list(const extra_list&) = delete;
    extra_list& operator=(const extra_list&) = delete;

    /// Reads the parameter's text (white space around names and values allowed, empty items skipped).
    /// Throws sdk::config_error naming param on a syntax error or on more than max items.
    void read(std::string_view param, std::string_view text, size_t max);
    /// Parses each pseudo-variable with the host (once). False with the reason in error.
    bool resolve(const siphost_host_api* host, std::string& error);
    /// Frees the parsed pseudo-variables (at the module's destroy: the host is gone when statics go).
    void release(const siphost_host_api* host);

    bool empty() const { return items_.empty(); }
    size_t size() const { return items_.size(); }
    const std::string& name(size_t i) const { return items_[i].name; }
    /// The pseudo-variable as written ("$dlg_var(x)").
    const std::string& pv_text(size_t i) const { return items_[i].pv_text; }
    /// The values for msg, in order: nullopt for a value that is not there ($null, a missing header).
    std::vector<std::optional<std::string>> evaluate(const siphost_host_api* host, siphost_msg* msg) const;

private:
    struct item {
        std::string name;
        std::string pv_text;
        siphost_pv_spec* spec = nullptr;
    };
    std::vector<item> items_;
    std::string param_;
};

} // namespace siphost::modules::acc
