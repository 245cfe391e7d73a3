#pragma once
// The host's statistics in the exposition: every metric of the core and the modules, read through
// host->metric_walk (ABI 1.3), selected as xhttp_prom_stats says ("all", "group:", a statistic's name, or ""
// for none) and named as Kamailio's xhttp_prom names them: prefix + group + "_" + name.

#include "exposition.hpp"

#include <siphost/module.h>

#include <string>
#include <string_view>

namespace siphost::modules::xhttp_prom {

/// What xhttp_prom_stats selects.
class statistics_selector {
public:
    /// Parses the modparam; false with the reason.
    bool parse(std::string_view text, std::string& error);
    bool none() const { return mode_ == mode::none; }
    bool selects(std::string_view group, std::string_view name) const;
    /// Kamailio's comment line before the section.
    std::string heading() const;

private:
    enum class mode { none, all, group, name };
    mode mode_ = mode::none;
    std::string value_;
};

/// Writes the selected statistics; returns how many series.
int write_statistics(const siphost_host_api* host, const statistics_selector& selector,
                     std::string_view prefix, exposition_writer& out);

} // namespace siphost::modules::xhttp_prom
