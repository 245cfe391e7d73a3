#pragma once

#include <cstdint>
#include <string>

#include "cfg/source_location.hpp"

namespace siphost::cfg {

enum class token_kind {
    end,
    identifier,
    integer,
    string,
    pvar, ///< "$name", "$name(inner)[index]", "$(name(inner))", "$?"
    lparen,
    rparen,
    lbrace,
    rbrace,
    lbracket,
    rbracket,
    comma,
    semicolon,
    colon,
    dot,
    assign,       // =
    plus_assign,  // +=
    minus_assign, // -=
    star_assign,  // *=
    slash_assign, // /=
    or_assign,    // |=
    and_assign,   // &=
    equal,        // ==
    not_equal,    // !=
    match,        // =~
    not_match,    // !~
    less,
    greater,
    less_equal,
    greater_equal,
    log_not, // !
    log_and, // &&
    log_or,  // ||
    plus,
    minus,
    star,
    slash,
    percent,
    bit_or,
    bit_and,
    bit_xor,
    bit_not,
    shift_left,
    shift_right,
    other ///< a character the language does not use; the parser reports it where it matters
};

/// A printable name of a token kind for messages ("';'", "identifier").
const char* describe(token_kind kind);

/// One token with where it starts in the original source and where its bytes are in the preprocessed line.
struct token {
    token_kind kind = token_kind::end;
    std::string text; ///< identifier / pvar text; a string literal's decoded value
    std::int64_t number = 0;
    source_location where;
    std::uint32_t line_index = 0; ///< which preprocessed line
    std::uint32_t offset = 0;     ///< byte offset in that line
    std::uint32_t length = 0;     ///< bytes in that line
    bool broken = false;          ///< the lexer reported this token already (an unterminated string)
    bool quoted = false;          ///< a string literal written in quotes (not a bare IPv4 address)
    bool single_quoted = false;   ///< written in '...': as written, and never joined to another string
};

} // namespace siphost::cfg
