#pragma once
// The *_hf_value functions on one message: values are the comma-separated elements of every line of a header
// (value mode), or each whole line with ','-separated parameters, as Authorization is written (value2 mode).
// Changes are recorded with the host (msg_replace, msg_add_header, msg_remove_header) against the bytes the
// message has now; like Kamailio's, they are seen by what reads the message after msg_apply_changes.

#include "header_table.hpp"
#include "hf_spec.hpp"
#include "value_scanner.hpp"

#include <siphost/module.h>

#include <string_view>
#include <vector>

namespace siphost::modules::textopsx {

enum class value_mode {
    comma_list, ///< append_hf_value, remove_hf_value, assign_hf_value, include/exclude/hf_value_exists
    whole_line  ///< remove_hf_value2, assign_hf_value2
};

class hf_value_editor {
public:
    explicit hf_value_editor(siphost_msg* msg);

    /// Script results: 1 done (true), -1 nothing matched or the host refused (false).
    int append(const hf_spec& spec, std::string_view value);
    int insert(const hf_spec& spec, std::string_view value);
    int remove(const hf_spec& spec, value_mode mode);
    int assign(const hf_spec& spec, std::string_view value, value_mode mode);
    int include(std::string_view name, std::string_view value);
    int exclude(std::string_view name, std::string_view value);
    int exists(std::string_view name, std::string_view value) const;

private:
    /// One value: the line it is on and where it lies in msg_raw.
    struct value_ref {
        size_t line = 0;
        text_span span;
    };

    std::vector<value_ref> values(std::string_view name, value_mode mode) const;
    /// The values a spec names; with no index, the first one.
    static std::vector<size_t> select(const std::vector<value_ref>& all, const hf_spec& spec);
    std::vector<size_t> equal_to(const std::vector<value_ref>& all, std::string_view value) const;
    int remove_values(const std::vector<value_ref>& all, const std::vector<size_t>& which, value_mode mode);
    bool remove_params(const value_ref& v, const std::string& param, value_mode mode);
    bool assign_param(const value_ref& v, const std::string& param, std::string_view value, value_mode mode);
    bool replace(size_t offset, size_t len, std::string_view text);
    bool add_line(std::string_view name, std::string_view value, int position);
    std::string_view text_of(text_span span) const { return span.in(raw_); }

    siphost_msg* msg_;
    std::string_view raw_;
    header_table table_;
};

} // namespace siphost::modules::textopsx
