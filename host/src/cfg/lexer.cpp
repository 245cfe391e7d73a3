#include "cfg/lexer.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "cfg/pv_name.hpp"

namespace siphost::cfg {
namespace {
bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
} // namespace

const char* describe(token_kind kind) {
    switch (kind) {
    case token_kind::end:
        return "end of file";
    case token_kind::identifier:
        return "a name";
    case token_kind::integer:
        return "a number";
    case token_kind::string:
        return "a string";
    case token_kind::pvar:
        return "a pseudo-variable";
    case token_kind::lparen:
        return "'('";
    case token_kind::rparen:
        return "')'";
    case token_kind::lbrace:
        return "'{'";
    case token_kind::rbrace:
        return "'}'";
    case token_kind::lbracket:
        return "'['";
    case token_kind::rbracket:
        return "']'";
    case token_kind::comma:
        return "','";
    case token_kind::semicolon:
        return "';'";
    case token_kind::colon:
        return "':'";
    case token_kind::dot:
        return "'.'";
    case token_kind::assign:
        return "'='";
    case token_kind::plus_assign:
        return "'+='";
    case token_kind::minus_assign:
        return "'-='";
    case token_kind::star_assign:
        return "'*='";
    case token_kind::slash_assign:
        return "'/='";
    case token_kind::or_assign:
        return "'|='";
    case token_kind::and_assign:
        return "'&='";
    case token_kind::equal:
        return "'=='";
    case token_kind::not_equal:
        return "'!='";
    case token_kind::match:
        return "'=~'";
    case token_kind::not_match:
        return "'!~'";
    case token_kind::less:
        return "'<'";
    case token_kind::greater:
        return "'>'";
    case token_kind::less_equal:
        return "'<='";
    case token_kind::greater_equal:
        return "'>='";
    case token_kind::log_not:
        return "'!'";
    case token_kind::log_and:
        return "'&&'";
    case token_kind::log_or:
        return "'||'";
    case token_kind::plus:
        return "'+'";
    case token_kind::minus:
        return "'-'";
    case token_kind::star:
        return "'*'";
    case token_kind::slash:
        return "'/'";
    case token_kind::percent:
        return "'%'";
    case token_kind::bit_or:
        return "'|'";
    case token_kind::bit_and:
        return "'&'";
    case token_kind::bit_xor:
        return "'^'";
    case token_kind::bit_not:
        return "'~'";
    case token_kind::shift_left:
        return "'<<'";
    case token_kind::shift_right:
        return "'>>'";
    case token_kind::other:
        return "an unexpected character";
    }
    return "a token";
}

lexer::lexer(const std::vector<source_line>& lines, diagnostics& diags) : lines_(lines), diags_(diags) {}

char lexer::peek(std::size_t ahead) const {
    if (at_end())
        return '\0';
    const auto& text = lines_[line_].text;
    return pos_ + ahead < text.size() ? text[pos_ + ahead] : '\0';
}

source_location lexer::here() const {
    if (at_end()) {
        if (lines_.empty())
            return {};
        const auto& last = lines_.back();
        return last.location_at(last.text.size());
    }
    return lines_[line_].location_at(pos_);
}

std::vector<token> lexer::tokenize() {
    std::vector<token> tokens;
    bool comment_before = false; // since the last token
    while (true) {
        // Skip white space, line ends and comments.
        if (at_end())
            break;
        const std::string& text = lines_[line_].text;
        if (pos_ >= text.size()) {
            ++line_;
            pos_ = 0;
            continue;
        }
        char c = text[pos_];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++pos_;
            continue;
        }
        // A no-break space (U+00A0, pasted from web pages) separates tokens as a space does.
        if (c == '\xC2' && peek(1) == '\xA0') {
            pos_ += 2;
            continue;
        }
        if (c == '#' || (c == '/' && peek(1) == '/')) {
            pos_ = text.size();
            comment_before = true;
            continue;
        }
        if (c == '/' && peek(1) == '*') {
            comment_before = true;
            source_location start = here();
            pos_ += 2;
            bool closed = false;
            while (!at_end()) {
                const std::string& t = lines_[line_].text;
                std::size_t close = t.find("*/", pos_);
                if (close != std::string::npos) {
                    pos_ = close + 2;
                    closed = true;
                    break;
                }
                ++line_;
                pos_ = 0;
            }
            if (!closed)
                diags_.error(start, "unterminated comment", "a '/*' comment needs a closing '*/'");
            continue;
        }

        token t;
        t.where = here();
        t.line_index = static_cast<std::uint32_t>(line_);
        t.offset = static_cast<std::uint32_t>(pos_);
        bool spans_lines = false;
        if (c == '"' || c == '\'') {
            lex_string(t);
            spans_lines = line_ != t.line_index;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            lex_number(t);
        } else if (is_ident_start(c)) {
            std::size_t start = pos_;
            while (pos_ < text.size() && is_ident_char(text[pos_]))
                ++pos_;
            t.kind = token_kind::identifier;
            t.text = text.substr(start, pos_ - start);
        } else if (c == '$') {
            lex_pvar(t);
        } else if (c == '@' && pos_ + 1 < text.size() && is_ident_start(text[pos_ + 1])) {
            // A select (@via[1].branch, @msg.header.User-Agent) reads like a pseudo-variable: $sel(...).
            std::size_t start = pos_++;
            while (pos_ < text.size()) {
                char d = text[pos_];
                if (is_ident_char(d) || d == '.' ||
                    (d == '-' && pos_ + 1 < text.size() && is_ident_char(text[pos_ + 1]))) {
                    ++pos_;
                } else if (d == '[') {
                    std::size_t close = text.find(']', pos_);
                    pos_ = close == std::string::npos ? text.size() : close + 1;
                } else {
                    break;
                }
            }
            while (pos_ > start + 1 && text[pos_ - 1] == '.') // a sentence's full stop is not part of it
                --pos_;
            t.kind = token_kind::pvar;
            t.text = text.substr(start, pos_ - start);
        } else {
            t.kind = lex_operator();
            t.text = text.substr(t.offset, pos_ - t.offset);
        }
        // A token that ends on a later line covers the rest of its first line.
        t.length =
            static_cast<std::uint32_t>((spans_lines ? lines_[t.line_index].text.size() : pos_) - t.offset);
        // Adjacent double-quoted strings make one string, as in C ("a=$fU;" "b=$tU"), when only white space
        // lies between them: Kamailio 5.6.3 joins neither a '...' string nor strings around a comment.
        bool joins = t.quoted && !t.single_quoted && !t.broken && !comment_before && !tokens.empty() &&
                     tokens.back().quoted && !tokens.back().single_quoted && !tokens.back().broken;
        comment_before = false;
        if (joins) {
            token& before = tokens.back();
            before.text += t.text;
            if (before.line_index == t.line_index && !spans_lines)
                before.length = t.offset + t.length - before.offset;
            continue;
        }
        tokens.push_back(std::move(t));
    }
    // An escape may make a NUL byte ("\x00"): Kamailio's string ends there, as a C string does.
    for (token& t : tokens)
        if (t.quoted)
            if (auto nul = t.text.find('\0'); nul != std::string::npos)
                t.text.resize(nul);
    token end;
    end.kind = token_kind::end;
    end.where = here();
    end.line_index = static_cast<std::uint32_t>(lines_.size());
    tokens.push_back(end);
    return tokens;
}

void lexer::lex_string(token& t) {
    char quote = lines_[line_].text[pos_++];
    t.kind = token_kind::string;
    t.quoted = true;
    t.single_quoted = quote == '\'';
    while (true) {
        const std::string& text = lines_[line_].text;
        if (pos_ >= text.size()) {
            // A string may span lines, as in Kamailio; the line end is part of it.
            if (line_ + 1 < lines_.size()) {
                ++line_;
                pos_ = 0;
                t.text += '\n';
                continue;
            }
            diags_.error(t.where, "unterminated string",
                         std::string("the string opened here never closes: add the closing ") + quote);
            t.broken = true;
            return;
        }
        char c = text[pos_++];
        if (c == quote)
            return;
        // Kamailio 5.6.3 reads a single-quoted string as written: no escapes, and its first ' ends it.
        if (c != '\\' || t.single_quoted) {
            t.text += c;
            continue;
        }
        if (pos_ >= text.size()) {
            // A backslash at the line end joins the next line: Kamailio drops both.
            if (line_ + 1 < lines_.size()) {
                ++line_;
                pos_ = 0;
            }
            continue;
        }
        lex_escape(t.text);
    }
}

void lexer::lex_escape(std::string& out) {
    // What follows a backslash in a double-quoted string, as Kamailio 5.6.3 measures: \n \r \t \a \\ \",
    // \x with one or two hex digits, \ with two or three octal digits; any other escape stays as written
    // ("\'", "\d" and "\$" in a regex, "\0" and "\1" as back-references in {re.subst,...}).
    const std::string& text = lines_[line_].text;
    auto digits = [&](std::size_t from, std::size_t most, auto is_digit) {
        std::size_t n = 0;
        while (n < most && from + n < text.size() && is_digit(static_cast<unsigned char>(text[from + n])))
            ++n;
        return n;
    };
    char e = text[pos_];
    const char* plain = "nrta\\\"";
    const char* decoded = "\n\r\t\a\\\"";
    if (const char* at = std::strchr(plain, e); at && e != '\0') {
        out += decoded[at - plain];
        ++pos_;
        return;
    }
    if (std::size_t hex = e == 'x' ? digits(pos_ + 1, 2, [](int d) { return std::isxdigit(d) != 0; }) : 0) {
        out += static_cast<char>(std::stoi(text.substr(pos_ + 1, hex), nullptr, 16));
        pos_ += 1 + hex;
        return;
    }
    if (std::size_t octal = digits(pos_, 3, [](int d) { return d >= '0' && d <= '7'; }); octal >= 2) {
        out += static_cast<char>(std::stoi(text.substr(pos_, octal), nullptr, 8) & 0xFF);
        pos_ += octal;
        return;
    }
    out += '\\';
    out += e;
    ++pos_;
}

bool lexer::lex_ipv4(token& t, std::size_t start) {
    // An IPv4 address written bare, as in "src_ip == 10.0.0.1" or "10.0.0.0/8": four dotted numbers and an
    // optional prefix length make one string token.
    const std::string& text = lines_[line_].text;
    auto digits_at = [&](std::size_t p) {
        std::size_t q = p;
        while (q < text.size() && std::isdigit(static_cast<unsigned char>(text[q])))
            ++q;
        return q - p;
    };
    std::size_t p = pos_;
    for (int part = 1; part < 4; ++part) {
        if (p >= text.size() || text[p] != '.' || digits_at(p + 1) == 0)
            return false;
        p += 1 + digits_at(p + 1);
    }
    if (p + 1 < text.size() && text[p] == '/' && digits_at(p + 1) > 0)
        p += 1 + digits_at(p + 1);
    pos_ = p;
    t.kind = token_kind::string;
    t.text = text.substr(start, pos_ - start);
    return true;
}

void lexer::lex_number(token& t) {
    // Kamailio's forms: 0x1F hexadecimal, 0600 octal, 101b binary, else decimal (0o600 is no number there).
    const std::string& text = lines_[line_].text;
    std::size_t start = pos_;
    auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    auto is_xdigit = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    auto run_of = [&](std::size_t p, auto&& accept) {
        while (p < text.size() && accept(text[p]))
            ++p;
        return p;
    };
    int base = 10;
    std::size_t digits = pos_;
    std::size_t stop = run_of(pos_, is_digit);
    if (text[pos_] == '0' && pos_ + 1 < text.size() && (text[pos_ + 1] == 'x' || text[pos_ + 1] == 'X')) {
        base = 16;
        digits = pos_ + 2;
        stop = run_of(digits, is_xdigit);
    } else if (stop < text.size() && text[stop] == 'b' &&
               (stop + 1 >= text.size() || !is_ident_char(text[stop + 1])) &&
               std::all_of(text.begin() + static_cast<std::ptrdiff_t>(pos_),
                           text.begin() + static_cast<std::ptrdiff_t>(stop),
                           [](char c) { return c == '0' || c == '1'; })) {
        base = 2;
        stop += 1; // the b is part of the token, not of the digits
    } else if (text[pos_] == '0' && stop > pos_ + 1) {
        base = 8;
        digits = pos_ + 1;
    }
    pos_ = stop;
    t.kind = token_kind::integer;
    t.text = text.substr(start, pos_ - start);
    // A dotted quad stays an address, leading zeros and all ("010.0.0.1" is not octal here).
    if ((base == 10 || base == 8) && lex_ipv4(t, start))
        return;
    std::size_t digits_end = base == 2 ? pos_ - 1 : pos_;
    if (digits_end == digits) {
        diags_.error(t.where, "'" + t.text + "' is not a number", "hexadecimal numbers are written 0x1f");
        return;
    }
    // Letters glued to a number (2abc) make a name that is neither; Kamailio rejects it as well.
    if (pos_ < text.size() && is_ident_char(text[pos_])) {
        while (pos_ < text.size() && is_ident_char(text[pos_]))
            ++pos_;
        t.text = text.substr(start, pos_ - start);
        t.kind = token_kind::identifier;
        return;
    }
    std::uint64_t value = 0;
    bool overflow = false;
    for (std::size_t i = digits; i < digits_end; ++i) {
        char d = text[i];
        unsigned v =
            is_digit(d) ? static_cast<unsigned>(d - '0') : static_cast<unsigned>(std::tolower(d) - 'a' + 10);
        if (base == 8 && v > 7) {
            diags_.error(t.where,
                         "'" + t.text + "' is not a number: a leading 0 makes it octal, where '" +
                             std::string(1, d) + "' is not a digit",
                         "write it without the leading 0 for a decimal number");
            t.number = 0;
            return;
        }
        if (value > (UINT64_MAX - v) / static_cast<unsigned>(base))
            overflow = true;
        value = value * static_cast<unsigned>(base) + v;
    }
    if (overflow || (base == 10 && value > static_cast<std::uint64_t>(INT64_MAX))) {
        diags_.error(t.where, "the number " + t.text + " is too large");
        value = 0;
    }
    t.number = static_cast<std::int64_t>(value);
}

void lexer::lex_pvar(token& t) {
    const std::string& text = lines_[line_].text;
    std::size_t start = pos_++;
    t.kind = token_kind::pvar;
    // Kamailio 5.6.3 ends "$(...)" at the ')' that pairs with its '(', in transformations' parameters too
    // ({s.select,0,)} ends it early, and is refused).
    auto skip_parens = [&]() {
        int depth = 0;
        while (pos_ < text.size()) {
            char c = text[pos_++];
            if (c == '(')
                ++depth;
            else if (c == ')' && --depth == 0)
                return true;
        }
        return false;
    };
    if (pos_ < text.size() && text[pos_] == '?') {
        ++pos_;
    } else if (pos_ < text.size() && text[pos_] == '(') {
        if (!skip_parens())
            diags_.error(t.where, "unbalanced parentheses in pseudo-variable");
    } else if (pos_ < text.size() && is_ident_start(text[pos_])) {
        while (pos_ < text.size() && is_ident_char(text[pos_]))
            ++pos_;
        // SER's attributes ($t.did, $fu.name): one token, so that the error names them whole.
        if (pos_ + 1 < text.size() && text[pos_] == '.' && is_ident_start(text[pos_ + 1]) &&
            is_ser_attribute_class(std::string_view(text).substr(start + 1, pos_ - start - 1))) {
            ++pos_;
            while (pos_ < text.size() && is_ident_char(text[pos_]))
                ++pos_;
        }
        if (pos_ < text.size() && text[pos_] == '(') {
            if (!skip_parens())
                diags_.error(t.where, "unbalanced parentheses in pseudo-variable");
        }
        if (pos_ < text.size() && text[pos_] == '[') {
            std::size_t close = text.find(']', pos_);
            if (close == std::string::npos) {
                diags_.error(t.where, "missing ']' after the pseudo-variable's index");
                pos_ = text.size();
            } else {
                pos_ = close + 1;
            }
        }
    } else {
        diags_.error(t.where, "'$' must be followed by a pseudo-variable name",
                     "for example $ru or $avp(name)");
        t.broken = true;
    }
    t.text = text.substr(start, pos_ - start);
}

token_kind lexer::lex_operator() {
    char c = peek();
    char n = peek(1);
    auto take = [&](std::size_t count, token_kind kind) {
        pos_ += count;
        return kind;
    };
    switch (c) {
    case '(':
        return take(1, token_kind::lparen);
    case ')':
        return take(1, token_kind::rparen);
    case '{':
        return take(1, token_kind::lbrace);
    case '}':
        return take(1, token_kind::rbrace);
    case '[':
        return take(1, token_kind::lbracket);
    case ']':
        return take(1, token_kind::rbracket);
    case ',':
        return take(1, token_kind::comma);
    case ';':
        return take(1, token_kind::semicolon);
    case ':':
        return take(1, token_kind::colon);
    case '.':
        return take(1, token_kind::dot);
    case '~':
        return take(1, token_kind::bit_not);
    case '^':
        return take(1, token_kind::bit_xor);
    case '%':
        return take(1, token_kind::percent);
    case '=':
        if (n == '=')
            return take(2, token_kind::equal);
        if (n == '~')
            return take(2, token_kind::match);
        return take(1, token_kind::assign);
    case '!':
        if (n == '=')
            return take(2, token_kind::not_equal);
        if (n == '~')
            return take(2, token_kind::not_match);
        return take(1, token_kind::log_not);
    case '<':
        if (n == '=')
            return take(2, token_kind::less_equal);
        if (n == '<')
            return take(2, token_kind::shift_left);
        return take(1, token_kind::less);
    case '>':
        if (n == '=')
            return take(2, token_kind::greater_equal);
        if (n == '>')
            return take(2, token_kind::shift_right);
        return take(1, token_kind::greater);
    case '&':
        if (n == '&')
            return take(2, token_kind::log_and);
        if (n == '=')
            return take(2, token_kind::and_assign);
        return take(1, token_kind::bit_and);
    case '|':
        if (n == '|')
            return take(2, token_kind::log_or);
        if (n == '=')
            return take(2, token_kind::or_assign);
        return take(1, token_kind::bit_or);
    case '+':
        if (n == '=')
            return take(2, token_kind::plus_assign);
        return take(1, token_kind::plus);
    case '-':
        if (n == '=')
            return take(2, token_kind::minus_assign);
        return take(1, token_kind::minus);
    case '*':
        if (n == '=')
            return take(2, token_kind::star_assign);
        return take(1, token_kind::star);
    case '/':
        if (n == '=')
            return take(2, token_kind::slash_assign);
        return take(1, token_kind::slash);
    default: {
        // A character outside the language is one token, all of its UTF-8 bytes (one byte when not UTF-8).
        std::size_t n = utf8_length(lines_[line_].text, pos_);
        return take(n == 0 ? 1 : n, token_kind::other);
    }
    }
}

} // namespace siphost::cfg
