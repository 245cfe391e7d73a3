#include "cfg/preprocessor.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace siphost::cfg {
namespace {

bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

/// Splits the first word (the directive or a name) from the rest.
std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
    s = trim(s);
    std::size_t i = 0;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    return {s.substr(0, i), trim(s.substr(i))};
}

bool valid_name(std::string_view name) {
    if (name.empty() || !is_ident_start(name[0]))
        return false;
    for (char c : name)
        if (!is_ident_char(c))
            return false;
    return true;
}

/// Removes surrounding quotes of a directive argument ("file.cfg" or 'file.cfg').
std::optional<std::string> unquote(std::string_view s) {
    s = trim(s);
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        return std::string(s.substr(1, s.size() - 2));
    return std::nullopt;
}

/// Skips a pseudo-variable's name, parentheses and index starting at text[i] == '$'.
std::size_t skip_pvar(std::string_view text, std::size_t i) {
    ++i;
    if (i < text.size() && text[i] == '(') {
        int depth = 0;
        for (; i < text.size(); ++i) {
            if (text[i] == '(')
                ++depth;
            else if (text[i] == ')' && --depth == 0)
                return i + 1;
        }
        return i;
    }
    while (i < text.size() && is_ident_char(text[i]))
        ++i;
    if (i < text.size() && text[i] == '(') {
        int depth = 0;
        for (; i < text.size(); ++i) {
            if (text[i] == '(')
                ++depth;
            else if (text[i] == ')' && --depth == 0) {
                ++i;
                break;
            }
        }
    }
    if (i < text.size() && text[i] == '[') {
        std::size_t close = text.find(']', i);
        if (close != std::string_view::npos)
            i = close + 1;
    }
    return i;
}

} // namespace

source_location source_line::location_at(std::size_t offset) const {
    std::uint32_t column;
    if (columns.empty())
        column = static_cast<std::uint32_t>(offset + 1);
    else if (offset < columns.size())
        column = columns[offset];
    else
        column =
            columns.empty() ? 1 : columns.back() + static_cast<std::uint32_t>(offset - columns.size() + 1);
    return {file, line, column};
}

bool ends_with_continuation(std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
        line.remove_suffix(1);
    return !line.empty() && line.back() == '\\';
}

std::optional<std::string> read_file_from_disk(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

preprocessor::preprocessor(diagnostics& diags, file_reader reader)
    : diags_(diags), reader_(std::move(reader)) {}

void preprocessor::define_from_command_line(const std::string& spec) {
    auto eq = spec.find('=');
    std::string name = spec.substr(0, eq);
    std::string value = eq == std::string::npos ? std::string() : spec.substr(eq + 1);
    if (!valid_name(name)) {
        diags_.error({}, "invalid define '" + spec + "' on the command line", "use -A NAME or -A NAME=VALUE");
        return;
    }
    defines_[name] = value;
}

preprocessed_config preprocessor::run_file(const std::string& path) {
    preprocessed_config out;
    auto text = reader_(path);
    if (!text) {
        diags_.error({}, "cannot read config file '" + path + "'");
        return out;
    }
    std::uint32_t file = diags_.sources().add_file(path, std::move(*text));
    process_file(file, path, 0, out);
    return out;
}

preprocessed_config preprocessor::run_text(const std::string& display_name, std::string text) {
    preprocessed_config out;
    std::uint32_t file = diags_.sources().add_file(display_name, std::move(text));
    process_file(file, display_name, 0, out);
    return out;
}

void preprocessor::process_file(std::uint32_t file, const std::string& path, int depth,
                                preprocessed_config& out) {
    // The text lives in the source manager; copy it because nested includes add files (and may reallocate).
    const std::string text = diags_.sources().file_text(file);
    std::size_t conditions_at_start = conditions_.size();
    std::size_t pos = 0;
    std::uint32_t line_number = 0;
    while (pos <= text.size()) {
        if (pos == text.size() && (text.empty() || text.back() == '\n'))
            break;
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        ++line_number;
        pos = end + 1;

        std::string_view stripped = line;
        std::size_t indent = 0;
        while (indent < stripped.size() && (stripped[indent] == ' ' || stripped[indent] == '\t'))
            ++indent;
        stripped.remove_prefix(indent);
        bool is_directive =
            !in_block_comment_ && stripped.size() >= 2 &&
            ((stripped[0] == '#' && stripped[1] == '!') || (stripped[0] == '!' && stripped[1] == '!'));
        // include_file and import_file are also written without '#!' at the start of a line.
        bool bare_include = false;
        if (!is_directive && !in_block_comment_) {
            for (std::string_view word : {std::string_view("include_file"), std::string_view("import_file")})
                if (stripped.size() > word.size() && stripped.substr(0, word.size()) == word &&
                    (stripped[word.size()] == ' ' || stripped[word.size()] == '\t' ||
                     stripped[word.size()] == '"' || stripped[word.size()] == '\''))
                    bare_include = true;
        }
        if (bare_include && taking()) {
            std::string_view body = stripped;
            // A trailing comment or ';' after the file name is not part of it.
            auto close = body.find_last_of("\"'");
            if (close != std::string_view::npos)
                body = body.substr(0, close + 1);
            directive(body, {file, line_number, static_cast<std::uint32_t>(indent + 1)}, path, depth, out);
            continue;
        }
        if (is_directive) {
            std::string body(stripped.substr(2));
            // A trailing backslash continues the directive (a define's value) on the next line.
            while (ends_with_continuation(body) && pos < text.size()) {
                auto cut = body.find_last_of('\\');
                body.erase(cut);
                std::size_t next_end = text.find('\n', pos);
                if (next_end == std::string::npos)
                    next_end = text.size();
                std::string_view next(text.data() + pos, next_end - pos);
                if (!next.empty() && next.back() == '\r')
                    next.remove_suffix(1);
                body += '\n';
                body += next;
                pos = next_end + 1;
                ++line_number;
                out.lines.push_back({std::string(), file, line_number, {}}); // keep line numbering visible
            }
            directive(body,
                      {file,
                       line_number - static_cast<std::uint32_t>(std::count(body.begin(), body.end(), '\n')),
                       static_cast<std::uint32_t>(indent + 1)},
                      path, depth, out);
            continue;
        }
        if (!taking())
            continue;
        out.lines.push_back(expand_line(line, file, line_number));
    }
    while (conditions_.size() > conditions_at_start) {
        diags_.error(conditions_.back().where, "this #!ifdef/#!ifndef has no matching #!endif");
        conditions_.pop_back();
    }
    out.defines = defines_;
}

void preprocessor::directive(std::string_view body, source_location where, const std::string& path, int depth,
                             preprocessed_config& out) {
    auto [word, rest] = split_word(body);
    std::string name(word);

    if (name == "ifdef" || name == "ifndef") {
        auto [symbol, extra] = split_word(rest);
        if (symbol.empty())
            diags_.error(where, "#!" + name + " needs a name");
        bool defined = defines_.count(std::string(symbol)) != 0;
        bool parent = taking();
        conditions_.push_back({parent && (name == "ifdef" ? defined : !defined), parent, false, where});
        return;
    }
    if (name == "else") {
        if (conditions_.empty()) {
            diags_.error(where, "#!else without #!ifdef or #!ifndef");
            return;
        }
        auto& c = conditions_.back();
        if (c.in_else)
            diags_.error(where, "a second #!else for the same #!ifdef");
        c.in_else = true;
        c.taking = c.parent_taking && !c.taking;
        return;
    }
    if (name == "endif") {
        if (conditions_.empty())
            diags_.error(where, "#!endif without #!ifdef or #!ifndef");
        else
            conditions_.pop_back();
        return;
    }
    if (!taking())
        return;

    if (name == "KAMAILIO" || name == "OPENSER" || name == "SER" || name == "ALL" || name == "MAXCOMPAT")
        return;

    if (name == "define" || name == "def" || name == "trydef" || name == "trydefine" || name == "redefine" ||
        name == "redef") {
        auto [symbol, value] = split_word(rest);
        std::string key(symbol);
        if (!valid_name(key)) {
            diags_.error(where, "#!" + name + " needs a name made of letters, digits and '_'");
            return;
        }
        bool exists = defines_.count(key) != 0;
        if (exists && (name == "define" || name == "def")) {
            diags_.error(where, "'" + key + "' is already defined",
                         "use #!redefine to change it, or #!trydef");
            return;
        }
        if (exists && (name == "trydef" || name == "trydefine"))
            return;
        defines_[key] = std::string(value);
        return;
    }
    if (name == "undef") {
        auto [symbol, extra] = split_word(rest);
        defines_.erase(std::string(symbol));
        return;
    }
    if (name == "subst" || name == "substdef" || name == "substdefs") {
        std::string define_name;
        if (parse_subst(rest, where, name == "subst" ? nullptr : &define_name)) {
            if (name != "subst") {
                std::string value = substitutions_.back().replacement;
                if (name == "substdefs")
                    value = "\"" + value + "\"";
                defines_[define_name] = value;
            }
        }
        return;
    }
    if (name == "include_file" || name == "import_file") {
        include(rest, name == "include_file", where, path, depth, out);
        return;
    }
    diags_.error(
        where, "unknown preprocessor directive '#!" + name + "'",
        nearest_name(name, {"define", "def", "trydef", "redefine", "undef", "ifdef", "ifndef", "else",
                            "endif", "subst", "substdef", "include_file", "import_file"})
                .empty()
            ? std::string()
            : "did you mean '#!" +
                  nearest_name(name, {"define", "def", "trydef", "redefine", "undef", "ifdef", "ifndef",
                                      "else", "endif", "subst", "substdef", "include_file", "import_file"}) +
                  "'?");
}

void preprocessor::include(std::string_view argument, bool required, source_location where,
                           const std::string& path, int depth, preprocessed_config& out) {
    auto file_name = unquote(argument);
    if (!file_name || file_name->empty()) {
        diags_.error(where, "the file name must be a quoted string", "#!include_file \"other.cfg\"");
        return;
    }
    if (depth + 1 >= max_include_depth) {
        diags_.error(where, "includes nest deeper than " + std::to_string(max_include_depth) + " levels",
                     "a file probably includes itself");
        return;
    }
    if (included_files_ >= max_included_files) {
        diags_.error(where, "more than " + std::to_string(max_included_files) + " files are included",
                     "a file probably includes itself");
        return;
    }
    std::vector<std::string> tried;
    std::filesystem::path wanted(*file_name);
    if (wanted.is_relative())
        tried.push_back((std::filesystem::path(path).parent_path() / wanted).lexically_normal().string());
    if (tried.empty() || tried.front() != *file_name)
        tried.push_back(*file_name);
    for (const auto& candidate : tried) {
        auto text = reader_(candidate);
        if (!text)
            continue;
        ++included_files_;
        std::uint32_t file = diags_.sources().add_file(candidate, std::move(*text));
        bool comment_state = in_block_comment_;
        in_block_comment_ = false;
        process_file(file, candidate, depth + 1, out);
        in_block_comment_ = comment_state;
        return;
    }
    if (!required)
        return;
    std::string list;
    for (const auto& t : tried)
        list += (list.empty() ? "" : ", ") + t;
    diags_.error(where, "cannot read included file '" + *file_name + "'", "tried " + list);
}

bool preprocessor::parse_subst(std::string_view argument, source_location where, std::string* define_name) {
    auto quoted = unquote(argument);
    if (!quoted || quoted->size() < 4) {
        diags_.error(where, "a substitution is written as a quoted \"/regex/replacement/flags\"");
        return false;
    }
    const std::string& s = *quoted;
    char delim = s[0];
    std::vector<std::string> parts(1);
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == delim) {
            parts.back() += delim;
            ++i;
        } else if (s[i] == delim) {
            parts.emplace_back();
        } else {
            parts.back() += s[i];
        }
    }
    if (parts.size() != 3) {
        diags_.error(where, "a substitution needs three parts: /regex/replacement/flags");
        return false;
    }
    bool global = false, icase = false;
    for (char f : parts[2]) {
        if (f == 'g')
            global = true;
        else if (f == 'i')
            icase = true;
        else {
            diags_.error(where, std::string("unknown substitution flag '") + f + "'",
                         "the flags are g and i");
            return false;
        }
    }
    if (define_name) {
        if (!valid_name(parts[0])) {
            diags_.error(where, "#!substdef needs a name made of letters, digits and '_' as its pattern");
            return false;
        }
        *define_name = parts[0];
    }
    if (substitutions_.size() >= max_substitutions) {
        diags_.error(where, "more than " + std::to_string(max_substitutions) + " substitutions");
        return false;
    }
    auto pattern = std::make_shared<compiled_pattern>();
    if (regcomp(&pattern->re, parts[0].c_str(), REG_EXTENDED | (icase ? REG_ICASE : 0)) != 0) {
        diags_.error(where, "invalid regular expression '" + parts[0] + "'");
        return false;
    }
    substitutions_.push_back({std::move(pattern), parts[1], global});
    return true;
}

std::string preprocessor::apply_substitutions(std::string_view literal) const {
    std::string text(literal);
    for (const auto& sub : substitutions_) {
        std::string out;
        std::size_t offset = 0;
        // Bound the work per literal, whatever the pattern matches (an empty match advances one byte).
        for (int round = 0; offset <= text.size() && round < 4096; ++round) {
            regmatch_t m[10];
            if (regexec(&sub.pattern->re, text.c_str() + offset, 10, m, offset > 0 ? REG_NOTBOL : 0) != 0)
                break;
            out.append(text, offset, static_cast<std::size_t>(m[0].rm_so));
            for (std::size_t i = 0; i < sub.replacement.size(); ++i) {
                char c = sub.replacement[i];
                if (c == '\\' && i + 1 < sub.replacement.size() &&
                    std::isdigit(static_cast<unsigned char>(sub.replacement[i + 1]))) {
                    int group = sub.replacement[++i] - '0';
                    if (m[group].rm_so >= 0)
                        out.append(text, offset + static_cast<std::size_t>(m[group].rm_so),
                                   static_cast<std::size_t>(m[group].rm_eo - m[group].rm_so));
                } else {
                    out += c;
                }
            }
            std::size_t next = offset + static_cast<std::size_t>(m[0].rm_eo);
            if (m[0].rm_eo == m[0].rm_so) {
                if (next < text.size())
                    out += text[next];
                ++next;
            }
            offset = next;
            if (!sub.global)
                break;
        }
        if (offset < text.size())
            out.append(text, offset, std::string::npos);
        text = std::move(out);
    }
    return text;
}

std::string preprocessor::expand_value(std::string_view value, int depth, std::vector<std::string>& active) {
    std::string out;
    for (std::size_t i = 0; i < value.size();) {
        char c = value[i];
        if (c == '"' || c == '\'') {
            std::size_t j = i + 1;
            while (j < value.size() && value[j] != c)
                j += value[j] == '\\' ? 2 : 1;
            j = std::min(j + 1, value.size());
            out.append(value.substr(i, j - i));
            i = j;
        } else if (c == '$') {
            std::size_t j = skip_pvar(value, i);
            out.append(value.substr(i, j - i));
            i = j;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t j = i;
            while (j < value.size() && is_ident_char(value[j]))
                ++j;
            out.append(value.substr(i, j - i));
            i = j;
        } else if (is_ident_start(c)) {
            std::size_t j = i;
            while (j < value.size() && is_ident_char(value[j]))
                ++j;
            std::string word(value.substr(i, j - i));
            auto it = defines_.find(word);
            if (it != defines_.end() && depth < max_expansion_depth &&
                std::find(active.begin(), active.end(), word) == active.end()) {
                active.push_back(word);
                out += expand_value(it->second, depth + 1, active);
                active.pop_back();
            } else {
                out += word;
            }
            i = j;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

source_line preprocessor::expand_line(std::string_view text, std::uint32_t file, std::uint32_t line) {
    source_line out{std::string(), file, line, {}};
    bool changed = false;
    std::vector<std::uint32_t> columns;
    auto copy = [&](std::size_t from, std::size_t to) {
        out.text.append(text.substr(from, to - from));
        for (std::size_t k = from; k < to; ++k)
            columns.push_back(static_cast<std::uint32_t>(k + 1));
    };
    auto replace = [&](std::size_t at, const std::string& with) {
        out.text += with;
        for (std::size_t k = 0; k < with.size(); ++k)
            columns.push_back(static_cast<std::uint32_t>(at + 1));
        changed = true;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        if (in_block_comment_) {
            std::size_t close = text.find("*/", i);
            std::size_t end = close == std::string_view::npos ? text.size() : close + 2;
            copy(i, end);
            if (close != std::string_view::npos)
                in_block_comment_ = false;
            i = end;
            continue;
        }
        char c = text[i];
        if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
            copy(i, text.size());
            break;
        }
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            in_block_comment_ = true;
            copy(i, i + 2);
            i += 2;
            continue;
        }
        if (c == '"' || c == '\'') {
            std::size_t j = i + 1;
            while (j < text.size() && text[j] != c)
                j += text[j] == '\\' ? 2 : 1;
            if (j >= text.size()) {
                copy(i, text.size()); // the lexer reports the unterminated string
                break;
            }
            if (!substitutions_.empty()) {
                std::string inner(text.substr(i + 1, j - i - 1));
                std::string replaced = apply_substitutions(inner);
                if (replaced != inner) {
                    copy(i, i + 1);
                    replace(i + 1, replaced);
                    copy(j, j + 1);
                    i = j + 1;
                    continue;
                }
            }
            copy(i, j + 1);
            i = j + 1;
            continue;
        }
        if (c == '$') {
            std::size_t j = skip_pvar(text, i);
            copy(i, j);
            i = j;
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t j = i;
            while (j < text.size() && is_ident_char(text[j]))
                ++j;
            copy(i, j);
            i = j;
            continue;
        }
        if (is_ident_start(c)) {
            std::size_t j = i;
            while (j < text.size() && is_ident_char(text[j]))
                ++j;
            std::string word(text.substr(i, j - i));
            auto it = defines_.find(word);
            if (it != defines_.end()) {
                std::vector<std::string> active{word};
                replace(i, expand_value(it->second, 1, active));
            } else {
                copy(i, j);
            }
            i = j;
            continue;
        }
        copy(i, i + 1);
        ++i;
    }
    if (changed)
        out.columns = std::move(columns);
    return out;
}

} // namespace siphost::cfg
