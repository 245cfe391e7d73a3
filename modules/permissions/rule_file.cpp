#include "rule_file.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace siphost::modules::permissions {

bool rule_file::expression::matches(const std::string& text) const {
    bool in = all;
    for (size_t i = 0; !in && i < include.size(); ++i)
        in = include[i]->matches(text);
    if (!in)
        return false;
    for (const auto& e : except)
        if (e->matches(text))
            return false;
    return true;
}

namespace {

/// Reads one side of a rule from text at pos: ALL or quoted expressions separated by commas, then an
/// optional EXCEPT list. Throws std::invalid_argument.
class side_parser {
public:
    explicit side_parser(std::string_view text) : text_(text) {}

    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r'))
            ++pos_;
    }
    bool at_end() {
        skip_space();
        return pos_ >= text_.size();
    }
    bool take(char c) {
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    bool take_word(std::string_view word) {
        skip_space();
        if (text_.substr(pos_, word.size()) != word)
            return false;
        size_t after = pos_ + word.size();
        if (after < text_.size() && text_[after] != ' ' && text_[after] != '\t' && text_[after] != ',' &&
            text_[after] != ':' && text_[after] != '\r')
            return false;
        pos_ = after;
        return true;
    }
    std::string quoted() {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '"')
            throw std::invalid_argument("expected ALL or a quoted regular expression");
        size_t close = text_.find('"', pos_ + 1);
        if (close == std::string_view::npos)
            throw std::invalid_argument("unterminated quoted expression");
        std::string out(text_.substr(pos_ + 1, close - pos_ - 1));
        pos_ = close + 1;
        return out;
    }
    /// A list of ALL / "regex" items; sets all when ALL is among them.
    void list(bool& all, std::vector<std::shared_ptr<posix_regex>>& out) {
        do {
            if (take_word("ALL"))
                all = true;
            else
                out.push_back(std::make_shared<posix_regex>(quoted(), true));
        } while (take(','));
    }

private:
    std::string_view text_;
    size_t pos_ = 0;
};

} // namespace

rule_file rule_file::parse(const std::string& name, const std::string& text) {
    rule_file file;
    std::istringstream in(text);
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        // '#' starts a comment outside quotes.
        bool quoted = false;
        for (size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '"')
                quoted = !quoted;
            else if (line[i] == '#' && !quoted) {
                line.erase(i);
                break;
            }
        }
        side_parser p(line);
        if (p.at_end())
            continue;
        try {
            rule r;
            p.list(r.left.all, r.left.include);
            if (p.take_word("EXCEPT")) {
                bool ignored = false;
                p.list(ignored, r.left.except);
            }
            if (!p.take(':'))
                throw std::invalid_argument("expected ':' between the two sides");
            p.list(r.right.all, r.right.include);
            if (p.take_word("EXCEPT")) {
                bool ignored = false;
                p.list(ignored, r.right.except);
            }
            if (!p.at_end())
                throw std::invalid_argument("unexpected text after the rule");
            file.rules_.push_back(std::move(r));
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(name + " line " + std::to_string(number) + ": " + e.what());
        }
    }
    return file;
}

rule_file rule_file::load(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return rule_file{}; // Kamailio: a missing file is an empty one
    std::stringstream text;
    text << in.rdbuf();
    return parse(path, text.str());
}

bool rule_file::matches(const std::string& left, const std::string& right) const {
    for (const rule& r : rules_)
        if (r.left.matches(left) && r.right.matches(right))
            return true;
    return false;
}

bool rule_pair::allows(const std::string& left, const std::vector<std::string>& rights) const {
    for (const std::string& right : rights)
        if (!allow.matches(left, right) && deny.matches(left, right))
            return false;
    return true;
}

} // namespace siphost::modules::permissions
