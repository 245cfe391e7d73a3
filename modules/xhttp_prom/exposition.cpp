#include "exposition.hpp"

#include <cmath>
#include <cstdio>

namespace siphost::modules::xhttp_prom {
namespace {

bool name_char(char c, bool first) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    return letter || (!first && c >= '0' && c <= '9');
}

} // namespace

std::string metric_name(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 1);
    if (text.empty() || !name_char(text.front(), true))
        out += '_';
    for (char c : text)
        out += name_char(c, false) ? c : '_';
    return out;
}

std::string escape_label_value(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escape_help(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_double(double value) {
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    char buffer[64];
    int n = std::snprintf(buffer, sizeof buffer, "%f", value);
    if (n > 0 && static_cast<size_t>(n) < sizeof buffer)
        return std::string(buffer, static_cast<size_t>(n));
    // Too large for %f in 64 bytes (beyond 1e56): the exponent form is as valid to the format.
    n = std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0);
}

void exposition_writer::comment(std::string_view text) {
    text_ += "# ";
    // A comment is one line: a line feed in it would start a sample.
    for (char c : text)
        text_ += c == '\n' ? ' ' : c;
    text_ += '\n';
}

void exposition_writer::family(std::string_view name, std::string_view type, std::string_view help) {
    if (!help.empty()) {
        text_ += "# HELP ";
        text_ += name;
        text_ += ' ';
        text_ += escape_help(help);
        text_ += '\n';
    }
    text_ += "# TYPE ";
    text_ += name;
    text_ += ' ';
    text_ += type;
    text_ += '\n';
}

void exposition_writer::sample(std::string_view name, const std::vector<label>& labels,
                               std::string_view value) {
    text_ += name;
    if (!labels.empty()) {
        text_ += '{';
        for (size_t i = 0; i < labels.size(); ++i) {
            if (i > 0)
                text_ += ',';
            text_ += labels[i].first;
            text_ += "=\"";
            text_ += escape_label_value(labels[i].second);
            text_ += '"';
        }
        text_ += '}';
    }
    text_ += ' ';
    text_ += value;
    if (timestamp_ms_ != 0) {
        text_ += ' ';
        text_ += std::to_string(timestamp_ms_);
    }
    text_ += '\n';
}

void exposition_writer::sample(std::string_view name, const std::vector<label>& labels, int64_t value) {
    sample(name, labels, std::to_string(value));
}

void exposition_writer::histogram(std::string_view name, const std::vector<label>& labels,
                                  const std::vector<double>& bounds, const std::vector<uint64_t>& cumulative,
                                  double sum, uint64_t count) {
    std::string bucket = std::string(name) + "_bucket";
    std::vector<label> with_le = labels;
    for (size_t i = 0; i < bounds.size() && i < cumulative.size(); ++i) {
        std::string le = format_double(bounds[i]);
        with_le.push_back({"le", le});
        sample(bucket, with_le, std::to_string(cumulative[i]));
        with_le.pop_back();
    }
    with_le.push_back({"le", "+Inf"});
    sample(bucket, with_le, std::to_string(count));
    sample(std::string(name) + "_sum", labels, format_double(sum));
    sample(std::string(name) + "_count", labels, std::to_string(count));
}

} // namespace siphost::modules::xhttp_prom
