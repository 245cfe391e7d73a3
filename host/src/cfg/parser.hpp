#pragma once

#include <memory>
#include <vector>

#include "cfg/config.hpp"
#include "cfg/diagnostics.hpp"
#include "cfg/preprocessor.hpp"
#include "cfg/token.hpp"

namespace siphost::cfg {

/// Recursive-descent parser of Kamailio's config language. It reports an error, skips to a point where it
/// can go on (the end of the statement or of the block), and continues, so one run finds every error.
/// `loadmodule` and `modparam` are recorded in the config (module_statements), not carried out: reading has
/// no side effects, and apply_module_statements (config_reader.hpp) carries them out in order afterwards.
class parser {
public:
    /// Expressions and blocks may nest this deep; more is an error (and keeps the stack bounded).
    static constexpr int max_nesting = 200;

    parser(const std::vector<source_line>& lines, std::vector<token> tokens, diagnostics& diags);

    /// Parses the whole config into out.
    void parse(config& out);

private:
    const token& peek(std::size_t ahead = 0) const;
    const token& previous() const;
    bool check(token_kind kind) const { return peek().kind == kind; }
    bool check_word(std::string_view word) const;
    bool match(token_kind kind);
    bool match_word(std::string_view word);
    const token& advance();
    bool expect(token_kind kind, const char* what);
    source_location after_previous() const;
    std::string raw_text(const token& t) const;
    /// A hint for two strings in a row that Kamailio does not join ('a' 'b'); empty otherwise.
    std::string adjacent_strings_hint() const;
    bool starts_line(const token& t) const;

    void top_level(config& out);
    void global_param(config& out);
    void custom_variable_statement(config& out);
    /// avpflags name[, name]... ;
    void avp_flags_statement(config& out);
    /// flags NAME[: n][, NAME[: n]]... ;
    void flags_statement(config& out);
    void loadmodule(config& out);
    void modparam(config& out);
    void route_block_statement(config& out);
    void skip_top_level();

    std::vector<std::unique_ptr<stmt>> block();
    std::unique_ptr<stmt> statement();
    std::unique_ptr<stmt> if_statement();
    std::unique_ptr<stmt> switch_statement();
    std::unique_ptr<stmt> while_statement();
    std::unique_ptr<stmt> return_or_exit(stmt_kind kind);
    std::unique_ptr<stmt> assignment();
    std::unique_ptr<stmt> call_statement();
    void end_statement(const char* after);
    void synchronize();
    std::vector<std::unique_ptr<stmt>> body_of(std::unique_ptr<stmt> s);

    std::unique_ptr<expr> expression();
    std::unique_ptr<expr> binary_level(int level);
    std::unique_ptr<expr> unary();
    std::unique_ptr<expr> primary();
    std::unique_ptr<expr> call_expression(const token& name);
    std::unique_ptr<expr> route_reference(source_location where);
    std::optional<op_kind> binary_operator(int level) const;

    const std::vector<source_line>& lines_;
    std::vector<token> tokens_;
    diagnostics& diags_;
    std::size_t current_ = 0;
    int depth_ = 0;
    int loop_depth_ = 0; ///< inside switch or while: 'break' is theirs
};

} // namespace siphost::cfg
