#pragma once

#include <vector>

#include "cfg/diagnostics.hpp"
#include "cfg/preprocessor.hpp"
#include "cfg/token.hpp"

namespace siphost::cfg {

/// Turns preprocessed lines into tokens. Comments (#, //, /* */) are skipped; errors (an unterminated
/// string or comment, a stray '$') are reported and lexing goes on.
class lexer {
public:
    lexer(const std::vector<source_line>& lines, diagnostics& diags);

    /// Every token up to and including the final token_kind::end.
    std::vector<token> tokenize();

private:
    bool at_end() const { return line_ >= lines_.size(); }
    char peek(std::size_t ahead = 0) const;
    source_location here() const;
    void lex_string(token& t);
    void lex_escape(std::string& out);
    void lex_number(token& t);
    bool lex_ipv4(token& t, std::size_t start);
    void lex_pvar(token& t);
    token_kind lex_operator();

    const std::vector<source_line>& lines_;
    diagnostics& diags_;
    std::size_t line_ = 0;
    std::size_t pos_ = 0;
};

} // namespace siphost::cfg
