#include "statistics_section.hpp"

#include <set>
#include <vector>

namespace siphost::modules::xhttp_prom {
namespace {

std::string_view view(siphost_str s) {
    return s.s == nullptr ? std::string_view() : std::string_view(s.s, s.len);
}

struct walk_state {
    const statistics_selector* selector;
    std::string_view prefix;
    exposition_writer* out;
    std::string family; ///< the family written last (a family's series come one after another)
    std::set<std::string> written;
    bool skipping = false;
    int count = 0;
};

int visit(const siphost_metric_info* info, void* data) {
    auto& state = *static_cast<walk_state*>(data);
    std::string_view group = view(info->group);
    std::string_view name = view(info->name);
    if (!state.selector->selects(group, name))
        return 0;
    std::string full = metric_name(std::string(state.prefix) + std::string(group) + "_" + std::string(name));
    if (full != state.family) {
        state.family = full;
        // Two statistics whose names differ only in characters the format forbids would make one family
        // twice, which a scraper refuses: the first one wins.
        state.skipping = !state.written.insert(full).second;
        if (!state.skipping) {
            std::string help = std::string(view(info->help));
            if (help.empty())
                help = std::string(group) + ":" + std::string(name);
            state.out->family(full, info->kind == SIPHOST_METRIC_GAUGE ? "gauge" : "counter", help);
        }
    }
    if (state.skipping)
        return 0;
    std::vector<label> labels;
    for (uint32_t i = 0; i < info->label_count; ++i)
        labels.push_back({view(info->label_names[i]), view(info->label_values[i])});
    // Label names come from module code: make sure they are names the format allows.
    std::vector<std::string> label_names;
    label_names.reserve(labels.size());
    for (auto& l : labels) {
        label_names.push_back(metric_name(l.first));
        for (char& c : label_names.back())
            if (c == ':')
                c = '_';
        l.first = label_names.back();
    }
    state.out->sample(full, labels, info->value);
    ++state.count;
    return 0;
}

} // namespace

bool statistics_selector::parse(std::string_view text, std::string& error) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    value_.clear();
    if (text.empty()) {
        mode_ = mode::none;
    } else if (text == "all") {
        mode_ = mode::all;
    } else if (text.back() == ':') {
        if (text.size() == 1) {
            error = "xhttp_prom_stats: ':' names no group";
            return false;
        }
        mode_ = mode::group;
        value_.assign(text.substr(0, text.size() - 1));
    } else {
        mode_ = mode::name;
        value_.assign(text);
    }
    if (value_.find(':') != std::string::npos && mode_ == mode::group) {
        error = "xhttp_prom_stats: '" + std::string(text) + "' is not all, group: or a statistic's name";
        return false;
    }
    return true;
}

bool statistics_selector::selects(std::string_view group, std::string_view name) const {
    switch (mode_) {
    case mode::none:
        return false;
    case mode::all:
        return true;
    case mode::group:
        return group == value_;
    case mode::name: {
        // "group:name" names one statistic; a bare name finds it in whichever group has it.
        size_t colon = value_.find(':');
        if (colon == std::string::npos)
            return name == value_;
        return group == std::string_view(value_).substr(0, colon) &&
               name == std::string_view(value_).substr(colon + 1);
    }
    }
    return false;
}

std::string statistics_selector::heading() const {
    switch (mode_) {
    case mode::all:
        return "Kamailio whole internal statistics";
    case mode::group:
        return "Kamailio statistics for group: " + value_;
    case mode::name:
        return "Kamailio statistics for: " + value_;
    case mode::none:
        break;
    }
    return "";
}

int write_statistics(const siphost_host_api* host, const statistics_selector& selector,
                     std::string_view prefix, exposition_writer& out) {
    if (selector.none() || host == nullptr || !SIPHOST_HAS(siphost_host_api, host, metric_walk))
        return 0;
    walk_state state{&selector, prefix, &out, {}, {}, false, 0};
    out.comment(selector.heading());
    host->metric_walk(visit, &state);
    return state.count;
}

} // namespace siphost::modules::xhttp_prom
