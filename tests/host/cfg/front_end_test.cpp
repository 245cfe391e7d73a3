// The config front end piece by piece: preprocessor, lexer, parser, diagnostics, parameters, pv names,
// the descriptor catalog.

#include <gtest/gtest.h>

#include <map>

#include "cfg/config_reader.hpp"
#include "cfg/core_functions.hpp"
#include "cfg/lexer.hpp"
#include "cfg/parser.hpp"
#include "cfg/pv_name.hpp"
#include "cfg/test_modules.hpp"

namespace siphost::cfg {
namespace {

/// Each finding as "line:column message", in the order reported.
std::vector<std::string> located_messages(const diagnostics& diags) {
    std::vector<std::string> lines;
    for (const auto& d : diags.all())
        lines.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + " " +
                        d.message);
    return lines;
}

std::vector<token> lex(const std::string& text, diagnostics& diags) {
    preprocessor pre(diags, [](const std::string&) { return std::nullopt; });
    auto pp = pre.run_text("t.cfg", text);
    static std::vector<source_line> keep;
    keep = pp.lines;
    return lexer(keep, diags).tokenize();
}

TEST(cfg_lexer, tokens_with_locations) {
    diagnostics diags;
    auto tokens = lex(
        "if ($avp(x)[1] == 0x1f && \"a\\tb\" =~ 'c') // comment\n  # comment\n  /* block\n */ exit;", diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format_all();
    std::vector<token_kind> kinds;
    for (const auto& t : tokens)
        kinds.push_back(t.kind);
    EXPECT_EQ((std::vector<token_kind>{token_kind::identifier, token_kind::lparen, token_kind::pvar,
                                       token_kind::equal, token_kind::integer, token_kind::log_and,
                                       token_kind::string, token_kind::match, token_kind::string,
                                       token_kind::rparen, token_kind::identifier, token_kind::semicolon,
                                       token_kind::end}),
              kinds);
    EXPECT_EQ("$avp(x)[1]", tokens[2].text);
    EXPECT_EQ(31, tokens[4].number);
    EXPECT_EQ("a\tb", tokens[6].text);
    EXPECT_EQ("c", tokens[8].text);
    EXPECT_EQ(4u, tokens[10].where.line);
    EXPECT_EQ(5u, tokens[10].where.column);
}

TEST(cfg_lexer, string_escapes_as_kamailio_reads_them) {
    // Measured on Kamailio 5.6.3 (xlog of the value; "a\0b" has 4 bytes): in "..." \n \r \t \a \\ \" are
    // replaced, \x takes one or two hex digits, an octal escape two or three (one stays as written, so "\0"
    // and "\1" reach {re.subst,...}), \' and unknown escapes stay, a NUL byte ends the string, a backslash at
    // the line end drops both. '...' has no escapes: its first ' ends it, and a backslash keeps the line end.
    const std::pair<const char*, const char*> cases[] = {
        {R"("a\0b")", "a\\0b"},
        {R"("\1\d\$")", "\\1\\d\\$"},
        {R"("\n\r\t\\\"")", "\n\r\t\\\""},
        {R"("[\'][\a][\e][\?]")", "[\\'][\a][\\e][\\?]"},
        {R"("[\x41][\x4g][\x414][\xg][\x]")", "[A][\x04g][A4][\\xg][\\x]"},
        {R"("[\1][\12][\012][\0101][\8][\101]")", "[\\1][\n][\n][\b1][\\8][A]"},
        {R"("a\x00b" "c")", "a"},
        {"\"d\\\ne\"", "de"},
        {R"('[\n][\t][\\][\"][\x41]')", "[\\n][\\t][\\\\][\\\"][\\x41]"},
        {R"('a\')", "a\\"},
        {"'b\\\nc'", "b\\\nc"},
    };
    for (const auto& [text, expected] : cases) {
        diagnostics diags;
        auto tokens = lex(text, diags);
        ASSERT_FALSE(diags.has_errors()) << text << ": " << diags.format_all();
        ASSERT_EQ(2u, tokens.size()) << text;
        EXPECT_EQ(expected, tokens[0].text) << text;
    }
}

TEST(cfg_lexer, numbers_in_kamailios_bases) {
    // Measured on Kamailio 5.6.3: 0600 is 384, 101b is 5, 0x1F is 31; 08 and 0o17 are syntax errors.
    diagnostics diags;
    auto tokens = lex("0600 0x1F 101b 0 7 010.0.0.1 0777", diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format_all();
    ASSERT_EQ(8u, tokens.size());
    EXPECT_EQ(384, tokens[0].number);
    EXPECT_EQ(31, tokens[1].number);
    EXPECT_EQ(token_kind::integer, tokens[2].kind);
    EXPECT_EQ(5, tokens[2].number);
    EXPECT_EQ(0, tokens[3].number);
    EXPECT_EQ(7, tokens[4].number);
    EXPECT_EQ(token_kind::string, tokens[5].kind); // an address keeps its text
    EXPECT_EQ("010.0.0.1", tokens[5].text);
    EXPECT_EQ(0777, tokens[6].number);

    diagnostics bad;
    lex("08 0x", bad);
    EXPECT_EQ(2u, bad.error_count());
    EXPECT_NE(std::string::npos, bad.format_all().find("'08' is not a number: a leading 0 makes it octal"));
}

TEST(cfg_lexer, every_operator) {
    diagnostics diags;
    auto tokens = lex(
        "= += -= *= /= |= &= == != =~ !~ < > <= >= ! && || + - * / % | & ^ ~ << >> , ; : . [ ] { }", diags);
    EXPECT_EQ(38u, tokens.size());
    EXPECT_EQ(token_kind::shift_right, tokens[28].kind);
    EXPECT_FALSE(diags.has_errors());
}

TEST(cfg_lexer, errors_are_reported_and_lexing_goes_on) {
    diagnostics diags;
    // A string may span lines, so one left open runs to the end of the file.
    auto tokens = lex("$ 99999999999999999999999 ok\n\"open\nmore", diags);
    ASSERT_EQ(3u, diags.error_count());
    EXPECT_EQ("'$' must be followed by a pseudo-variable name", diags.all()[0].message);
    EXPECT_EQ("unterminated string", diags.all()[2].message);
    EXPECT_EQ(2u, diags.all()[2].where.line);
    EXPECT_EQ(token_kind::identifier, tokens[tokens.size() - 3].kind);
    EXPECT_EQ("ok", tokens[tokens.size() - 3].text);
    EXPECT_TRUE(tokens[tokens.size() - 2].broken);
}

TEST(cfg_preprocessor, define_substitution_keeps_original_columns) {
    diagnostics diags;
    preprocessor pre(diags, [](const std::string&) { return std::nullopt; });
    auto pp = pre.run_text("t.cfg", "#!define LONG_NAME 1\n  $var(x) = LONG_NAME + oops;\n");
    ASSERT_EQ(1u, pp.lines.size()); // a directive line produces no text; lines keep their own numbers
    const source_line& line = pp.lines[0];
    EXPECT_EQ("  $var(x) = 1 + oops;", line.text);
    // "oops" is at column 25 in the file, though at offset 16 in the substituted line.
    EXPECT_EQ(25u, line.location_at(line.text.find("oops")).column);
    EXPECT_EQ(13u, line.location_at(line.text.find('1')).column);
    EXPECT_EQ(2u, line.line);
}

TEST(cfg_preprocessor, includes_are_relative_to_the_including_file) {
    std::map<std::string, std::string> files = {
        {"/etc/a/main.cfg", "#!include_file \"sub/inc.cfg\"\nmain_line\n"},
        {"/etc/a/sub/inc.cfg", "#!include_file \"deeper.cfg\"\ninc_line\n"},
        {"/etc/a/sub/deeper.cfg", "deep_line\n"}};
    diagnostics diags;
    preprocessor pre(diags, [&](const std::string& p) -> std::optional<std::string> {
        auto it = files.find(p);
        if (it == files.end())
            return std::nullopt;
        return it->second;
    });
    auto pp = pre.run_file("/etc/a/main.cfg");
    ASSERT_FALSE(diags.has_errors()) << diags.format_all();
    std::vector<std::string> seen;
    for (const auto& l : pp.lines)
        if (!l.text.empty())
            seen.push_back(diags.sources().file_name(l.file) + ":" + std::to_string(l.line) + " " + l.text);
    EXPECT_EQ((std::vector<std::string>{"/etc/a/sub/deeper.cfg:1 deep_line", "/etc/a/sub/inc.cfg:2 inc_line",
                                        "/etc/a/main.cfg:2 main_line"}),
              seen);
}

TEST(cfg_preprocessor, an_include_loop_stops) {
    diagnostics diags;
    preprocessor pre(diags, [](const std::string&) -> std::optional<std::string> {
        return "#!include_file \"self.cfg\"\n";
    });
    pre.run_file("self.cfg");
    ASSERT_EQ(1u, diags.error_count());
    EXPECT_EQ("includes nest deeper than 16 levels", diags.all()[0].message);
}

TEST(cfg_preprocessor, directives_inside_block_comments_are_ignored) {
    diagnostics diags;
    preprocessor pre(diags, [](const std::string&) { return std::nullopt; });
    auto pp = pre.run_text("t.cfg", "/*\n#!define X 1\n*/\nX\n");
    EXPECT_EQ("X", pp.lines.back().text);
    EXPECT_FALSE(diags.has_errors());
}

TEST(cfg_preprocessor, command_line_defines) {
    diagnostics diags;
    preprocessor pre(diags, [](const std::string&) { return std::nullopt; });
    pre.define_from_command_line("WITH_TM");
    pre.define_from_command_line("PORT=5070");
    pre.define_from_command_line("9bad");
    auto pp = pre.run_text("t.cfg", "#!ifdef WITH_TM\nPORT\n#!endif\n");
    EXPECT_EQ("5070", pp.lines.back().text);
    ASSERT_EQ(1u, diags.error_count());
    EXPECT_EQ("invalid define '9bad' on the command line", diags.all()[0].message);
}

TEST(cfg_diagnostics, format_has_location_source_line_caret_and_hint) {
    diagnostics diags;
    config cfg;
    read_config_text("demo.cfg", "request_route {\n\tt_relay_to_upd();\n}\n", {}, nullptr, diags, cfg);
    ASSERT_EQ(1u, diags.all().size());
    EXPECT_EQ("demo.cfg:2:2: error: unknown function 't_relay_to_upd' (did you mean 't_relay_to_udp'?)\n"
              " 2 | \tt_relay_to_upd();\n"
              "   | \t^\n"
              "  hint: 't_relay_to_udp' is provided by module 'tm': missing loadmodule \"tm.so\"?\n",
              diags.format(diags.all()[0]));
}

TEST(cfg_diagnostics, bytes_that_are_not_utf8_print_as_escapes) {
    diagnostics diags;
    config cfg;
    // "é" is valid UTF-8 and stays; a lone 0xff and a Latin-1 0xe9 are not and print as \xNN.
    read_config_text("bytes.cfg", "request_route {\n  \xc3\xa9\xff; x\xe9;\n}\n", {}, nullptr, diags, cfg);
    ASSERT_FALSE(diags.all().empty());
    std::string text = diags.format(diags.all()[0]);
    EXPECT_EQ("bytes.cfg:2:3: error: expected a statement, found '\xc3\xa9'\n"
              " 2 |   \xc3\xa9\\xff; x\\xe9;\n"
              "   |   ^\n",
              text.substr(0, text.find("   |   ^\n") + 9));
    EXPECT_EQ(std::string::npos, diags.format_all().find('\xff'));
    EXPECT_EQ(std::string::npos, diags.format_all().find("x\xe9"));
    EXPECT_EQ("a\\x01b\tc\\xc3(", printable("a\x01"
                                            "b\tc\xc3("));
    EXPECT_EQ("\xe2\x82\xac \\xed\\xa0\\x80",
              printable("\xe2\x82\xac \xed\xa0\x80")); // a surrogate is not UTF-8
}

TEST(cfg_lexer, no_break_space_multi_line_and_adjacent_strings) {
    diagnostics diags;
    auto tokens = lex("\xc2\xa0x(\"a\" \"b\"\n  \"c\nd\" \"e\");", diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format_all();
    ASSERT_EQ(6u, tokens.size());
    EXPECT_EQ(token_kind::identifier, tokens[0].kind);
    EXPECT_EQ(3u, tokens[0].where.column); // after the two bytes of U+00A0
    EXPECT_EQ(token_kind::string, tokens[2].kind);
    EXPECT_EQ("abc\nde", tokens[2].text);
    EXPECT_EQ(token_kind::rparen, tokens[3].kind);
    EXPECT_EQ(3u, tokens[3].where.line);
}

TEST(cfg_lexer, only_double_quoted_strings_with_white_space_between_join) {
    // Measured on Kamailio 5.6.3: "a" "b" is "ab"; 'a' 'b', "a" 'b', 'a' "b" and "a" /* c */ "b" are two
    // strings (a syntax error where one is expected).
    diagnostics diags;
    for (const char* text :
         {"'a' 'b'", "\"a\" 'b'", "'a' \"b\"", "\"a\" /* c */ \"b\"", "\"a\" # c\n\"b\""}) {
        auto tokens = lex(text, diags);
        ASSERT_FALSE(diags.has_errors()) << diags.format_all();
        ASSERT_EQ(3u, tokens.size()) << text;
        EXPECT_EQ("a", tokens[0].text) << text;
        EXPECT_EQ("b", tokens[1].text) << text;
    }
}

TEST(cfg_preprocessor, bare_include_and_import_file) {
    std::map<std::string, std::string> files = {
        {"/etc/k/main.cfg",
         "import_file \"local.cfg\"\nimport_file \"absent.cfg\"\n  include_file \"inc.cfg\" # c\n"
         "include_file \"missing.cfg\"\nmain_line\n"},
        {"/etc/k/local.cfg", "local_line\n"},
        {"/etc/k/inc.cfg", "inc_line\n"}};
    diagnostics diags;
    preprocessor pre(diags, [&](const std::string& p) -> std::optional<std::string> {
        auto it = files.find(p);
        if (it == files.end())
            return std::nullopt;
        return it->second;
    });
    auto pp = pre.run_file("/etc/k/main.cfg");
    std::vector<std::string> seen;
    for (const auto& l : pp.lines)
        if (!l.text.empty())
            seen.push_back(l.text);
    EXPECT_EQ((std::vector<std::string>{"local_line", "inc_line", "main_line"}), seen);
    ASSERT_EQ(1u, diags.error_count()); // a missing import_file is skipped, a missing include_file is not
    EXPECT_EQ("cannot read included file 'missing.cfg'", diags.all()[0].message);
    EXPECT_EQ(4u, diags.all()[0].where.line);
}

TEST(cfg_diagnostics, nearest_name) {
    EXPECT_EQ(1u, edit_distance("t_relay_to_upd", "t_relay_to_udp") - 1);
    EXPECT_EQ("children", nearest_name("chidlren", {"children", "debug"}));
    EXPECT_EQ("", nearest_name("xyz", {"children", "debug"}));
    EXPECT_EQ("", nearest_name("debug", {"debug"}));
}

TEST(cfg_parser, precedence_follows_kamailio) {
    diagnostics diags;
    config cfg;
    ASSERT_TRUE(read_config_text("p.cfg", "request_route { $var(x) = 1 | 2 == 3 + 4 * 5 && !6 || 7; }", {},
                                 nullptr, diags, cfg))
        << diags.format_all();
    // Print the tree with parentheses.
    std::function<std::string(const expr&)> show = [&](const expr& e) -> std::string {
        switch (e.kind) {
        case expr_kind::integer:
            return std::to_string(e.number);
        case expr_kind::unary:
            return std::string("(") + spelling(e.op) + show(*e.operands[0]) + ")";
        case expr_kind::binary:
            return "(" + show(*e.operands[0]) + " " + spelling(e.op) + " " + show(*e.operands[1]) + ")";
        default:
            return e.text;
        }
    };
    EXPECT_EQ("(((1 | (2 == (3 + (4 * 5)))) && (!6)) || 7)", show(*cfg.routes[0].body[0]->value));
}

TEST(cfg_parser, routes_and_statements_shape) {
    diagnostics diags;
    config cfg;
    ASSERT_TRUE(read_config_text("p.cfg", R"cfg(
route { switch ($rm) { case "A": break; default: exit; } while (0) { } route(X); return; }
route[X] { if (1) drop; else { exit(2); } }
onreply_route[0] { }
onreply_route["named"] { }
)cfg",
                                 {}, nullptr, diags, cfg))
        << diags.format_all();
    ASSERT_EQ(4u, cfg.routes.size());
    EXPECT_EQ(SIPHOST_ROUTE_CORE_ONREPLY, cfg.routes[2].type);
    EXPECT_EQ("", cfg.routes[2].name);
    EXPECT_EQ(SIPHOST_ROUTE_TM_ONREPLY, cfg.routes[3].type);
    EXPECT_EQ("named", cfg.routes[3].name);
    const auto& body = cfg.routes[0].body;
    ASSERT_EQ(4u, body.size());
    EXPECT_EQ(stmt_kind::switch_stmt, body[0]->kind);
    EXPECT_EQ(2u, body[0]->cases.size());
    EXPECT_TRUE(body[0]->cases[1].is_default);
    EXPECT_EQ(stmt_kind::while_stmt, body[1]->kind);
    EXPECT_EQ(expr_kind::route_call, body[2]->value->kind);
    EXPECT_EQ(1, body[2]->value->binding.route_ids[0]);
    EXPECT_EQ(stmt_kind::return_stmt, body[3]->kind);
    EXPECT_TRUE(cfg.routes[1].body[0]->has_else);
    EXPECT_EQ(1, cfg.find_route(SIPHOST_ROUTE_REQUEST, "X"));
    EXPECT_EQ(2, cfg.find_route(SIPHOST_ROUTE_CORE_ONREPLY, "0"));
}

TEST(cfg_parser, summary_line) {
    diagnostics diags;
    config cfg;
    auto catalog = test::make_test_catalog();
    ASSERT_TRUE(read_config_text("s.cfg",
                                 "children=2\nloadmodule \"tm\"\nmodparam(\"tm\",\"fr_timer\",1)\n"
                                 "request_route { t_relay(); }\n",
                                 {}, &catalog, diags, cfg));
    EXPECT_EQ("config OK: 1 routes (request_route), 1 modules (tm), 1 global parameters, 1 modparams",
              summary(cfg));
}

TEST(cfg_params, listen_forms) {
    listen_address a;
    std::string error;
    ASSERT_TRUE(parse_listen("udp:127.0.0.1:5060", a, error));
    EXPECT_EQ("udp", a.proto);
    EXPECT_EQ("127.0.0.1", a.host);
    EXPECT_EQ(5060, a.port);
    listen_address b;
    ASSERT_TRUE(parse_listen("tcp:[::1]:5061", b, error));
    EXPECT_TRUE(b.ipv6);
    EXPECT_EQ("::1", b.host);
    EXPECT_EQ(5061, b.port);
    listen_address c;
    ASSERT_TRUE(parse_listen("::1", c, error));
    EXPECT_TRUE(c.ipv6);
    EXPECT_EQ(0, c.port);
    listen_address d;
    ASSERT_TRUE(parse_listen("127.0.0.1:5062 advertise 192.0.2.1:5060", d, error));
    EXPECT_EQ("", d.proto);
    EXPECT_EQ("192.0.2.1:5060", d.advertise);
    listen_address e;
    EXPECT_FALSE(parse_listen("udp:127.0.0.1:", e, error));
    EXPECT_FALSE(parse_listen("udp:1.2.3:5060", e, error));
    EXPECT_FALSE(parse_listen("udp:[::g]:5060", e, error));
    EXPECT_FALSE(parse_listen("udp:bad host", e, error));
}

TEST(cfg_params, defaults_are_kamailios) {
    global_params p;
    EXPECT_EQ(0, p.debug);
    EXPECT_TRUE(p.fork);
    EXPECT_FALSE(p.log_stderror);
    EXPECT_EQ("LOG_DAEMON", p.log_facility);
    EXPECT_EQ(8, p.children);
    EXPECT_EQ(5060, p.port);
    EXPECT_TRUE(p.auto_aliases);
    EXPECT_TRUE(p.listen.empty());
}

TEST(cfg_params, values_are_applied) {
    diagnostics diags;
    config cfg;
    ASSERT_TRUE(read_config_text("p.cfg",
                                 "debug=2\nfork=off\nlog_stderror=1\nchildren=3\nport=5070\nalias=a.example\n"
                                 "alias=b.example:5080\nlisten=udp:127.0.0.1\nmpath=\"/m\"\nauto_aliases=no\n"
                                 "log_prefix=\"[$ci] \"\nrequest_route { exit; }",
                                 {}, nullptr, diags, cfg))
        << diags.format_all();
    EXPECT_EQ(2, cfg.params.debug);
    EXPECT_FALSE(cfg.params.fork);
    EXPECT_TRUE(cfg.params.log_stderror);
    EXPECT_EQ(3, cfg.params.children);
    EXPECT_EQ(5070, cfg.params.port);
    EXPECT_EQ((std::vector<std::string>{"a.example", "b.example:5080"}), cfg.params.alias);
    ASSERT_EQ(1u, cfg.params.listen.size());
    EXPECT_EQ("/m", cfg.params.mpath);
    EXPECT_FALSE(cfg.params.auto_aliases);
    EXPECT_EQ("[$ci] ", cfg.params.log_prefix);
}

TEST(cfg_pv_name, forms) {
    std::string error;
    auto a = parse_pv_name("$avp(s:x)[2]", error);
    ASSERT_TRUE(a);
    EXPECT_EQ("avp", a->name);
    EXPECT_EQ("s:x", a->inner);
    EXPECT_EQ(2, a->index);
    auto b = parse_pv_name("$(hdr(Via)[*])", error);
    ASSERT_TRUE(b);
    EXPECT_EQ(SIPHOST_PV_ALL_INDEX, b->index);
    auto c = parse_pv_name("$hdr(Via)[-1]", error);
    ASSERT_TRUE(c);
    EXPECT_EQ(-1, c->index);
    auto q = parse_pv_name("$?", error);
    ASSERT_TRUE(q);
    EXPECT_EQ("?", q->name);
    EXPECT_FALSE(parse_pv_name("$avp(x", error));
    EXPECT_EQ("missing ')'", error);
    EXPECT_FALSE(parse_pv_name("$1x", error));
    EXPECT_FALSE(parse_pv_name("$rm junk", error));
    EXPECT_FALSE(parse_pv_name("$", error));
}

TEST(cfg_pv_name, templates_split_into_pieces) {
    auto parts = split_template("for $rm the $avp(x)[1]$$ costs $5 and $(hdr(To)) $?.");
    std::vector<std::string> shown;
    for (const auto& p : parts)
        shown.push_back((p.is_pv ? "pv:" : "text:") + p.text);
    EXPECT_EQ(
        (std::vector<std::string>{"text:for ", "pv:$rm", "text: the ", "pv:$avp(x)[1]",
                                  "text:$ costs $5 and ", "pv:$(hdr(To))", "text: ", "pv:$?", "text:."}),
        shown);
    EXPECT_EQ(4u, parts[1].offset);
}

TEST(cfg_catalog, modparam_delivers_values_by_kind) {
    auto catalog = test::make_test_catalog();
    ASSERT_TRUE(catalog.load_module("testmod", "", "").ok);
    siphost_value v{};
    v.kind = SIPHOST_VALUE_INT;
    v.num = 17;
    EXPECT_EQ("", catalog.set_module_param("TestMod", "int_param", v));
    EXPECT_EQ(17, test::testmod_int_param());
    v.num = 1LL << 40;
    EXPECT_EQ("the value of 'int_param' is out of range",
              catalog.set_module_param("testmod", "int_param", v));
    siphost_value s{};
    s.kind = SIPHOST_VALUE_STR;
    std::string text = "text value";
    s.str = {text.data(), text.size()};
    EXPECT_EQ("", catalog.set_module_param("test.*", "str_param", s));
    text = "changed after";
    s.str = {text.data(), text.size()};
    EXPECT_STREQ("text value", test::testmod_str_param()); // the catalog kept its own copy
    test::testmod_multi_values().clear();
    EXPECT_EQ("", catalog.set_module_param("testmod", "multi", s));
    EXPECT_EQ("", catalog.set_module_param("testmod", "multi", v));
    EXPECT_EQ((std::vector<std::string>{"changed after", std::to_string(1LL << 40)}),
              test::testmod_multi_values());
    EXPECT_EQ("no loaded module matches 'tm'", catalog.set_module_param("tm", "x", v));
    // The regex must match the whole name.
    EXPECT_EQ("no loaded module matches 'test'", catalog.set_module_param("test", "int_param", v));
}

TEST(cfg_front_end, describing_a_config_has_no_side_effects_and_applying_follows_its_order) {
    // A module's parameter is left as it was by reading; only applying sets it, statement by statement.
    auto catalog = test::make_test_catalog();
    ASSERT_TRUE(catalog.load_module("testmod", "", "").ok);
    siphost_value before{};
    before.kind = SIPHOST_VALUE_INT;
    before.num = 5;
    ASSERT_EQ("", catalog.set_module_param("testmod", "int_param", before));
    const std::string text = "mpath=\"/first\"\nloadmodule \"testmod\"\nmodparam(\"testmod\", \"int_param\", 41)\n"
                             "mpath=\"/second\"\nmodparam(\"testmod\", \"int_param\", 42)\n"
                             "modparam(\"testmod\", \"no_such\", 1)\nrequest_route { exit; }\n";
    diagnostics diags;
    config cfg;
    ASSERT_TRUE(describe_config_text("d.cfg", text, {}, diags, cfg)) << diags.format_all();
    EXPECT_EQ(5, test::testmod_int_param()) << "reading applied a modparam";
    EXPECT_TRUE(cfg.modules.empty()) << "reading loaded a module";
    ASSERT_EQ(cfg.module_statements.size(), 4u);
    EXPECT_EQ(cfg.module_statements[0].what, module_statement::kind::loadmodule);
    EXPECT_EQ(cfg.module_statements[0].mpath, "/first") << "a loadmodule searches mpath as it stood there";
    EXPECT_EQ(cfg.module_statements[2].number, 42);
    EXPECT_EQ(cfg.module_statements[3].where[1].line, 6u);

    EXPECT_FALSE(apply_config(cfg, &catalog, diags));
    EXPECT_EQ(42, test::testmod_int_param()) << "the later modparam wins, as applied in order";
    ASSERT_EQ(cfg.modules.size(), 0u) << "testmod was loaded before: a warning, not a second module";
    std::string all = diags.format_all();
    EXPECT_NE(all.find("d.cfg:2:1: warning: module 'testmod' is already loaded"), std::string::npos) << all;
    EXPECT_NE(all.find("d.cfg:6:21: error: module 'testmod' has no parameter 'no_such'"), std::string::npos)
        << all;
}

TEST(cfg_catalog, modparam_boolean_words_and_joined_strings) {
    auto catalog = test::make_test_catalog();
    diagnostics diags;
    config cfg;
    read_config_text("m.cfg",
                     "loadmodule \"testmod\"\nmodparam(\"testmod\", \"int_param\", yes)\n"
                     "modparam(\"testmod\", \"str_param\", \"a=$fU;\" \"b=$tU\")\n"
                     "fork=off\nrequest_route { exit; }\n",
                     {}, &catalog, diags, cfg);
    ASSERT_FALSE(diags.has_errors()) << diags.format_all();
    EXPECT_EQ(1, test::testmod_int_param());
    EXPECT_STREQ("a=$fU;b=$tU", test::testmod_str_param());
    EXPECT_FALSE(cfg.params.fork);
    read_config_text("m2.cfg",
                     "loadmodule \"testmod\"\nmodparam(\"testmod\", \"int_param\", disable)\n"
                     "request_route { exit; }\n",
                     {}, &catalog, diags, cfg);
    EXPECT_EQ(0, test::testmod_int_param());
}

TEST(cfg_catalog, modparam_strings_are_lexed_as_kamailio_lexes_them) {
    // Measured on Kamailio 5.6.3 (xlog's prefix, pv's shvset): a modparam's "..." decodes \t and \x41 and
    // keeps \'; its '...' is as written.
    auto catalog = test::make_test_catalog();
    diagnostics diags;
    config cfg;
    read_config_text(
        "m.cfg",
        "loadmodule \"testmod\"\nmodparam(\"testmod\", \"str_param\", \"[\\t][\\x41][\\'][\\d]\")\n"
        "request_route { exit; }\n",
        {}, &catalog, diags, cfg);
    ASSERT_FALSE(diags.has_errors()) << diags.format_all();
    EXPECT_STREQ("[\t][A][\\'][\\d]", test::testmod_str_param());
    config cfg2;
    read_config_text("m2.cfg",
                     "loadmodule \"testmod\"\nmodparam(\"testmod\", \"str_param\", '[\\t][\\x41][\\\"]')\n"
                     "request_route { exit; }\n",
                     {}, &catalog, diags, cfg2);
    ASSERT_FALSE(diags.has_errors()) << diags.format_all();
    EXPECT_STREQ("[\\t][\\x41][\\\"]", test::testmod_str_param());
}

TEST(cfg_catalog, lookups) {
    auto catalog = test::make_test_catalog();
    EXPECT_TRUE(catalog.find_commands("t_relay").empty());
    ASSERT_TRUE(catalog.load_module("/x/tm.so", "", "").ok);
    auto again = catalog.load_module("tm", "", "");
    EXPECT_TRUE(again.ok);
    EXPECT_TRUE(again.already_loaded);
    EXPECT_EQ(2u, catalog.find_commands("t_relay").size());
    EXPECT_EQ("tm", catalog.find_commands("t_relay")[0].module);
    EXPECT_FALSE(catalog.find_pv("test_pv"));
    catalog.load_module("testmod", "", "");
    ASSERT_TRUE(catalog.find_pv("test_pv"));
    EXPECT_EQ((std::vector<std::string>{"tm", "testmod"}), catalog.module_names());
    auto failed = catalog.load_module("nope", "", "/usr/lib/x");
    EXPECT_FALSE(failed.ok);
    EXPECT_EQ("cannot find module 'nope' (tried /usr/lib/x/nope.so)", failed.error);
}

TEST(cfg_standard_modules, well_known_functions) {
    EXPECT_EQ("tm", standard_module_for("t_relay"));
    EXPECT_EQ("sl", standard_module_for("sl_send_reply"));
    EXPECT_EQ("rr", standard_module_for("loose_route"));
    EXPECT_EQ("textops", standard_module_for("append_hf"));
    EXPECT_EQ("xlog", standard_module_for("xlog"));
    EXPECT_EQ("maxfwd", standard_module_for("mf_process_maxfwd_header"));
    EXPECT_EQ("tcpops", standard_module_for("tcp_set_connection_lifetime"));
    EXPECT_EQ("", standard_module_for("forward"));
}

TEST(cfg_resolver, selects_are_checked_with_line_and_column) {
    diagnostics diags;
    config cfg;
    read_config_text("sel.cfg",
                     "app.limit = 7\n"
                     "request_route {\n"
                     "  $var(a) = @ruri.user + @via[2].branch + $sel(msg.header.X-Y) + @cfg_get.app.limit;\n"
                     "  $var(b) = @ruri.nothing;\n"
                     "  if (@nothing == 1) exit;\n"
                     "  $var(c) = $sel(cfg_get.app.limt) + @cfg_get.core.nope + @cfg_get.none.x;\n"
                     "  @ruri = 1;\n"
                     "}\n",
                     {}, nullptr, diags, cfg);
    std::vector<std::string> lines;
    for (const auto& d : diags.all())
        lines.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + " " +
                        d.message);
    EXPECT_EQ(
        (std::vector<std::string>{
            "4:13 bad select '@ruri.nothing': 'ruri' has no 'nothing' (it has user, host, port, params, "
            "type, transport, hostport, rn_user, pwd)",
            "5:7 bad select '@nothing': unknown select 'nothing' (siphost has ruri, from, to, via, contact, "
            "cseq, "
            "call_id, msg, src, dst, cfg_get, authorization, proxy_authorization, event, max_forwards, "
            "content_length, content_type, date, "
            "identity, "
            "identity_info, user_agent, record_route)",
            "6:13 bad select '$sel(cfg_get.app.limt)': the cfg group 'app' has no variable 'limt'",
            "6:38 bad select '@cfg_get.core.nope': the core's cfg group has no variable 'nope'",
            "6:59 bad select '@cfg_get.none.x': there is no cfg group 'none'", "7:3 '@ruri' is read-only"}),
        lines);
}

TEST(cfg_resolver, selects_kamailio_refuses_are_refused) {
    // Each refused by Kamailio 5.6.3 too ("invalid select name" / "Unable to resolve select").
    diagnostics diags;
    config cfg;
    read_config_text(
        "sel.cfg",
        "request_route {\n"
        "  $var(a) = @src;\n"
        "  $var(b) = @from.params + @via.params + @contact.params;\n"
        "  $var(c) = @cseq.number + @dst.host + @contact.user;\n"
        "  $var(d) = @src.ip + @dst.port + @contact.uri.params.ob + @via[2].params.branch + @event;\n"
        "}\n",
        {}, nullptr, diags, cfg);
    EXPECT_EQ((std::vector<std::string>{
                  "2:13 bad select '@src': 'src' needs a part: src.ip or src.port",
                  "3:13 bad select '@from.params': 'params' needs a parameter name: params.NAME",
                  "3:28 bad select '@via.params': 'params' needs a parameter name: params.NAME",
                  "3:42 bad select '@contact.params': 'params' needs a parameter name: params.NAME",
                  "4:13 bad select '@cseq.number': 'cseq' has no 'number' (it has method, num)",
                  "4:28 bad select '@dst.host': 'dst' has no 'host' (it has ip, port)",
                  "4:40 bad select '@contact.user': 'contact' has no 'user' (it has uri, name, expires, q, "
                  "params)"}),
              located_messages(diags));
}

TEST(cfg_resolver, credentials_selects_as_kamailio_resolves_them) {
    // Measured on Kamailio 5.6.3: the realm is required and comes first ([\"realm\"] or .realm); its parts
    // are username (.user, .domain), realm, nonce, uri, cnonce, nc, response, opaque, algorithm, qop; no
    // index.
    diagnostics diags;
    config cfg;
    read_config_text("sel.cfg",
                     "request_route {\n"
                     "  $var(a) = @authorization[\"x.org\"].username.user + @proxy_authorization.x.qop;\n"
                     "  $var(b) = @authorization + @authorization[1].username;\n"
                     "  $var(c) = @authorization[\"x.org\"].user + @proxy_authorization.x.username.foo;\n"
                     "}\n",
                     {}, nullptr, diags, cfg);
    EXPECT_EQ((std::vector<std::string>{
                  "3:13 bad select '@authorization': 'authorization' needs the realm of the credentials: "
                  "authorization[\"example.org\"] (and a part: .username, .realm, .nonce, ...)",
                  "3:30 bad select '@authorization[1].username': 'authorization' takes no index",
                  "4:13 bad select '@authorization[\"x.org\"].user': 'authorization[\"x.org\"]' has no "
                  "'user' (it has "
                  "username, realm, nonce, uri, cnonce, nc, response, opaque, algorithm, qop)",
                  "4:44 bad select '@proxy_authorization.x.username.foo': "
                  "'proxy_authorization[\"x\"].username' has no 'foo' (it has user, domain)"}),
              located_messages(diags));
}

TEST(cfg_resolver, xavp_names_are_checked) {
    diagnostics diags;
    config cfg;
    read_config_text("x.cfg",
                     "request_route {\n"
                     "  $xavp(a[1]=>b[*]) = 1; $xavi(A=>b) = $xavu(c=>d);\n"
                     "  $xavu(c[0]) = 1;\n"
                     "  $xavp(a=>) = 1;\n"
                     "}\n",
                     {}, nullptr, diags, cfg);
    ASSERT_EQ(2u, diags.error_count()) << diags.format_all();
    EXPECT_EQ(3u, diags.all()[0].where.line);
    EXPECT_NE(std::string::npos, diags.all()[0].message.find("takes no index"));
    EXPECT_EQ(4u, diags.all()[1].where.line);
}

} // namespace
} // namespace siphost::cfg
