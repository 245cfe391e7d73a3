#include "matcher.hpp"

namespace siphost::modules::htable {

bool matcher::assign(std::string_view op_name, std::string_view allowed, const std::string& value,
                     std::string& error) {
    bool known = op_name.size() == 2 && allowed.find(op_name) != std::string_view::npos;
    if (!known) {
        error =
            "unknown operator \"" + std::string(op_name) + "\" (use one of: " + std::string(allowed) + ")";
        return false;
    }
    text_ = value;
    regex_.reset();
    if (op_name == "eq")
        op_ = op::eq;
    else if (op_name == "ne")
        op_ = op::ne;
    else if (op_name == "sw")
        op_ = op::sw;
    else {
        op_ = op::re;
        regex_ = std::make_unique<posix_regex>();
        return regex_->compile(value, error);
    }
    return true;
}

bool matcher::assign_expression(const std::string& expression, std::string& error) {
    std::string_view e = expression;
    regex_.reset();
    if (e.size() >= 2) {
        std::string_view prefix = e.substr(0, 2);
        std::string rest(e.substr(2));
        if (prefix == "**") {
            op_ = op::all;
            return true;
        }
        if (prefix == "==" || prefix == "~%" || prefix == "%~") {
            op_ = prefix == "==" ? op::eq : prefix == "%~" ? op::sw : op::ew;
            text_ = rest;
            return true;
        }
        if (prefix == "~~") {
            op_ = op::re;
            regex_ = std::make_unique<posix_regex>();
            return regex_->compile(rest, error);
        }
    }
    op_ = op::re;
    regex_ = std::make_unique<posix_regex>();
    return regex_->compile(expression, error);
}

bool matcher::matches(const std::string& text) const {
    switch (op_) {
    case op::eq:
        return text == text_;
    case op::ne:
        return text != text_;
    case op::sw:
        return text.compare(0, text_.size(), text_) == 0;
    case op::ew:
        return text.size() >= text_.size() &&
               text.compare(text.size() - text_.size(), text_.size(), text_) == 0;
    case op::all:
        return true;
    case op::re:
        return regex_ != nullptr && regex_->matches(text);
    }
    return false;
}

} // namespace siphost::modules::htable
