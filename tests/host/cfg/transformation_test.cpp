// Transformations after a pseudo-variable: parsing, parameter checks and the config's diagnostics.

#include <gtest/gtest.h>

#include "cfg/config_reader.hpp"
#include "cfg/pv_name.hpp"
#include "cfg/test_modules.hpp"

namespace siphost::cfg {
namespace {

TEST(cfg_transformations, parsed_in_order_with_their_parameters) {
    std::string error;
    auto pv = parse_pv_name("$(hdr(From)[1]{nameaddr.uri}{uri.param,transport}{s.substr,-3,0})", error);
    ASSERT_TRUE(pv) << error;
    EXPECT_EQ("hdr", pv->name);
    EXPECT_EQ("From", pv->inner);
    EXPECT_EQ(1, pv->index);
    ASSERT_EQ(3u, pv->transforms.size());
    EXPECT_EQ(tr_kind::nameaddr_uri, pv->transforms[0].kind);
    EXPECT_EQ(tr_kind::uri_param, pv->transforms[1].kind);
    EXPECT_EQ("transport", pv->transforms[1].text);
    EXPECT_EQ(tr_kind::s_substr, pv->transforms[2].kind);
    EXPECT_EQ(-3, pv->transforms[2].number);
    EXPECT_EQ(0, pv->transforms[2].number2);

    auto select = parse_pv_name("$(var(x){s.select,-1,,}{param.value,a,&}{s.replace,ab,})", error);
    ASSERT_TRUE(select) << error;
    EXPECT_EQ(',', select->transforms[0].separator);
    EXPECT_EQ(-1, select->transforms[0].number);
    EXPECT_EQ('&', select->transforms[1].separator);
    EXPECT_EQ("a", select->transforms[1].text);
    EXPECT_EQ("ab", select->transforms[2].text);
    EXPECT_EQ("", select->transforms[2].text2);

    auto plain = parse_pv_name("$(ru)", error);
    ASSERT_TRUE(plain) << error;
    EXPECT_TRUE(plain->transforms.empty());
}

TEST(cfg_transformations, bad_ones_name_the_reason_and_the_byte) {
    struct bad_case {
        const char* text;
        const char* error;
        std::size_t offset;
    };
    const bad_case cases[] = {
        {"$(ru{uri.usr})", "unknown transformation 'uri.usr'", 4},
        {"$(ru{s.len}{s.lenght})", "unknown transformation 's.lenght'", 11},
        {"$(ru{s.len,1})", "bad parameters for transformation 's.len': it takes no parameter; usage {s.len}",
         4},
        {"$(ru{s.substr,1})",
         "bad parameters for transformation 's.substr': offset and length must be integers; usage "
         "{s.substr,offset,length}",
         4},
        {"$(ru{s.substr,a,1})",
         "bad parameters for transformation 's.substr': offset and length must be integers; usage "
         "{s.substr,offset,length}",
         4},
        {"$(ru{s.select,1,ab})",
         "bad parameters for transformation 's.select': the separator must be one character; usage "
         "{s.select,index,separator}",
         4},
        {"$(ru{uri.param})",
         "bad parameters for transformation 'uri.param': missing parameter; usage {uri.param,name}", 4},
        {"$(ru{s.select,1,$var(c)})", // Kamailio takes no pseudo-variable as a separator
         "bad parameters for transformation 's.select': the separator must be one character; usage "
         "{s.select,index,separator}",
         4},
        {"$(ru{s.strip,$var(n})", // Kamailio counts the '(' of $var( too: the outer one stays open
         "unbalanced parentheses: a transformation's parameter cannot hold an unpaired '(' or ')'", 0},
        {"$(ru{s.len)",
         "missing '}' after the transformation (a '{' in a parameter needs its '}', and a '(' or ')' its "
         "partner: the pseudo-variable ends at the ')' that pairs with its '(')",
         4},
        // Measured on Kamailio 5.6.3: a '}' separator ends the transformations; braces elsewhere in a
        // parameter, and escapes other than \\ \n \r \t in s.select's separator, are refused.
        {"$(ru{s.select,1,}}{s.len})",
         "nothing may follow {s.select,N,}} (a '}' separator): Kamailio 5.6.3 ends the transformations "
         "there; apply the others to a variable that holds this value",
         18},
        {"$(ru{s.replace,{a},b})",
         "a parameter of 's.replace' cannot hold '{' or '}' (Kamailio 5.6.3 refuses it; only re.subst's "
         "expression may hold braces that pair, and s.select's separator may be '}')",
         4},
        {"$(ru{s.select,1,\\}})",
         "bad parameters for transformation 's.select': the separator's escape \\} is not one of \\\\ \\n "
         "\\r \\t; usage {s.select,index,separator}",
         4},
        {"$(ru{s.select,1,\\a})",
         "bad parameters for transformation 's.select': the separator's escape \\a is not one of \\\\ \\n "
         "\\r \\t; usage {s.select,index,separator}",
         4},
        {"$(ru{re.subst,/a}/b/})",
         "bad parameters for transformation 're.subst': the substitution '/a' is not "
         "/regex/replacement/flags",
         4},
        {"$(ru{s.len}x)", "unexpected 'x' after the transformations", 11},
        {"$(ru{re.subst,/a/b})",
         "bad parameters for transformation 're.subst': the substitution '/a/b' has no end to its "
         "replacement",
         4},
        {"$(ru{re.subst,/a/b/x})",
         "bad parameters for transformation 're.subst': the substitution '/a/b/x' has an unknown flag 'x' "
         "(the flags are i, g and s)",
         4},
        {"$(ru{re.subst})",
         "bad parameters for transformation 're.subst': missing parameter; usage "
         "{re.subst,/regex/replacement/flags}",
         4},
        {"$(ru{s.prefixes,x})",
         "bad parameters for transformation 's.prefixes': the parameter must be an integer; usage "
         "{s.prefixes[,max length]}",
         4},
        {"$(ru{s.unquote,1})",
         "bad parameters for transformation 's.unquote': it takes no parameter; usage {s.unquote}", 4},
        {"$(ru{param.in})",
         "bad parameters for transformation 'param.in': missing parameter; usage {param.in,name[,separator]}",
         4},
        {"$(ru{param.in,a,xy})",
         "bad parameters for transformation 'param.in': the separator must be one character; usage "
         "{param.in,name[,separator]}",
         4},
        {"$(ru{param.value,a,,})",
         "bad parameters for transformation 'param.value': the separator cannot be ','; usage "
         "{param.value,name[,separator]}",
         4},
        {"$(ru{via.branch})", "unknown transformation 'via.branch'", 4}, // not in Kamailio 5.6
        {"$(ru{param.name,x})",
         "bad parameters for transformation 'param.name': the index must be an integer; usage "
         "{param.name,index[,separator]}",
         4},
    };
    for (const auto& c : cases) {
        std::string error;
        std::size_t offset = 99;
        EXPECT_FALSE(parse_pv_name(c.text, error, &offset)) << c.text;
        EXPECT_EQ(c.error, error) << c.text;
        EXPECT_EQ(c.offset, offset) << c.text;
    }
    // Only the long form takes transformations.
    std::string error;
    EXPECT_FALSE(parse_pv_name("$ru{s.len}", error));
    EXPECT_EQ("unexpected '{s.len}' after the pseudo-variable", error);
}

TEST(cfg_transformations, braces_in_parameters_as_kamailio_reads_them) {
    // Measured on Kamailio 5.6.3: s.select's separator may be '}' (the last transformation, blanks before
    // its own '}' allowed) or an escape \\ \n \r \t; re.subst's expression may hold braces that pair.
    std::string error;
    auto last = parse_pv_name("$(var(x){s.len}{s.select,1,}})", error);
    ASSERT_TRUE(last) << error;
    ASSERT_EQ(2u, last->transforms.size());
    EXPECT_EQ('}', last->transforms[1].separator);
    EXPECT_EQ(1, last->transforms[1].number);
    auto blank = parse_pv_name("$(var(x){s.select,-1,} })", error);
    ASSERT_TRUE(blank) << error;
    EXPECT_EQ('}', blank->transforms[0].separator);
    for (auto [text, separator] : {std::pair{"$(var(x){s.select,0,\\t})", '\t'},
                                   {"$(var(x){s.select,0,\\n})", '\n'},
                                   {"$(var(x){s.select,0,\\r})", '\r'},
                                   {"$(var(x){s.select,0,\\\\})", '\\'}}) {
        auto escaped = parse_pv_name(text, error);
        ASSERT_TRUE(escaped) << text << ": " << error;
        EXPECT_EQ(separator, escaped->transforms[0].separator) << text;
    }
    auto regex = parse_pv_name("$(var(x){re.subst,/[{}]/X/g}{s.len})", error);
    ASSERT_TRUE(regex) << error;
    ASSERT_EQ(2u, regex->transforms.size());
    EXPECT_EQ(tr_kind::re_subst, regex->transforms[0].kind);
}

TEST(cfg_transformations, parentheses_in_parameters_end_the_pseudo_variable_as_in_kamailio) {
    // Kamailio 5.6.3 ends "$(...)" at the ')' that pairs with its '(', also inside a transformation: in an
    // expression and in a string template alike ({s.select,0,)} and {s.select,0,(} are refused there).
    diagnostics diags;
    config cfg;
    auto catalog = test::make_test_catalog();
    read_config_text("t.cfg",
                     "loadmodule \"xlog\"\nrequest_route {\n  xlog(\"$(var(a){s.select,0,)})\");\n"
                     "  xlog(\"$(var(a){s.select,0,(})\");\n}\n",
                     {}, &catalog, diags, cfg);
    ASSERT_EQ(2u, diags.error_count()) << diags.format_all();
    EXPECT_NE(std::string::npos, diags.all()[0].message.find("missing '}' after the transformation"))
        << diags.format_all();
    EXPECT_EQ(4u, diags.all()[1].where.line);
    // In an expression the pseudo-variable ends at "0,)", and what follows is a syntax error, as in Kamailio.
    diagnostics expression;
    config cfg2;
    read_config_text("t.cfg", "request_route {\n  $var(b) = $(var(a){s.select,0,)});\n}\n", {}, nullptr,
                     expression, cfg2);
    ASSERT_TRUE(expression.has_errors());
    EXPECT_EQ(
        "bad pseudo-variable '$(var(a){s.select,0,)': missing '}' after the transformation (a '{' in a "
        "parameter needs its '}', and a '(' or ')' its partner: the pseudo-variable ends at the ')' that "
        "pairs with its '(')",
        expression.all()[0].message);
    EXPECT_EQ(21u, expression.all()[0].where.column);
}

TEST(cfg_transformations, new_members_parse_with_their_parameters) {
    std::string error;
    auto pv =
        parse_pv_name("$(var(x){s.prefixes,3}{s.corehash,16}{param.in,a,&}{re.subst,/a,$/\\0\\0/gi})", error);
    ASSERT_TRUE(pv) << error;
    ASSERT_EQ(4u, pv->transforms.size());
    EXPECT_EQ(tr_kind::s_prefixes, pv->transforms[0].kind);
    EXPECT_EQ(3, pv->transforms[0].number);
    EXPECT_EQ(16, pv->transforms[1].number);
    EXPECT_EQ("a", pv->transforms[2].text);
    EXPECT_EQ('&', pv->transforms[2].separator);
    ASSERT_NE(nullptr, pv->transforms[3].substitution); // a '$' and a ',' in the regex are its own
    EXPECT_EQ("xa,A,A,", *pv->transforms[3].substitution->apply("xa,A,"));
    auto bad_regex = parse_pv_name("$(var(x){re.subst,/[a/b/})", error);
    EXPECT_FALSE(bad_regex);
    EXPECT_EQ(0u,
              error.find("bad parameters for transformation 're.subst': the substitution '/[a/b/' has a bad "
                         "regex: "))
        << error;
}

TEST(cfg_transformations, parameters_may_be_pseudo_variables) {
    std::string error;
    auto pv =
        parse_pv_name("$(var(x){s.substr,$var(i),1}{s.replace,a$,$hdr(X)}{param.value,$avp(n),&})", error);
    ASSERT_TRUE(pv) << error;
    ASSERT_EQ(3u, pv->transforms.size());
    EXPECT_EQ("$var(i)", pv->transforms[0].pv_params[0].text);
    EXPECT_TRUE(pv->transforms[0].pv_params[0].integer);
    EXPECT_EQ("", pv->transforms[0].pv_params[1].text);
    EXPECT_EQ(1, pv->transforms[0].number2);
    EXPECT_EQ("a$", pv->transforms[1].text); // only a leading '$' makes a pseudo-variable
    EXPECT_EQ("$hdr(X)", pv->transforms[1].pv_params[1].text);
    EXPECT_FALSE(pv->transforms[1].pv_params[1].integer);
    EXPECT_EQ("$avp(n)", pv->transforms[2].pv_params[0].text);
    EXPECT_EQ('&', pv->transforms[2].separator);

    diagnostics diags;
    config cfg;
    read_config_text("t.cfg", "request_route {\n  $var(a) = $(ru{s.substr,$nosuch(x),1});\n}\n", {}, nullptr,
                     diags, cfg);
    EXPECT_EQ(1u, diags.error_count()) << diags.format_all();
    EXPECT_NE(std::string::npos, diags.format_all().find("nosuch")) << diags.format_all();
}

TEST(cfg_transformations, re_subst_needs_textops) {
    auto catalog = test::make_test_catalog();
    diagnostics diags;
    config cfg;
    read_config_text("t.cfg",
                     "loadmodule \"pv\"\nrequest_route {\n  $var(a) = $(ru{s.len}{re.subst,/a/b/});\n}\n", {},
                     &catalog, diags, cfg);
    ASSERT_EQ(1u, diags.error_count()) << diags.format_all();
    EXPECT_EQ(3u, diags.all()[0].where.line);
    EXPECT_EQ(24u, diags.all()[0].where.column); // the '{' of {re.subst
    EXPECT_NE(std::string::npos, diags.format_all().find("the transformation 're.subst' is textops'"))
        << diags.format_all();

    diagnostics with_textops;
    config cfg2;
    read_config_text(
        "t.cfg", "loadmodule \"textops\"\nrequest_route {\n  $var(a) = $(ru{s.len}{re.subst,/a/b/});\n}\n",
        {}, &catalog, with_textops, cfg2);
    EXPECT_FALSE(with_textops.has_errors()) << with_textops.format_all();
}

TEST(cfg_transformations, config_errors_point_at_the_transformation) {
    diagnostics diags;
    config cfg;
    read_config_text("t.cfg", "request_route {\n  $var(a) = $(ru{uri.user}{s.lenn});\n}\n", {}, nullptr,
                     diags, cfg);
    ASSERT_EQ(1u, diags.error_count()) << diags.format_all();
    EXPECT_EQ(2u, diags.all()[0].where.line);
    EXPECT_EQ(27u, diags.all()[0].where.column); // the '{' of {s.lenn}
    EXPECT_EQ("bad pseudo-variable '$(ru{uri.user}{s.lenn})': unknown transformation 's.lenn'",
              diags.all()[0].message);
    EXPECT_NE(std::string::npos, diags.format_all().find("did you mean 's.len'?")) << diags.format_all();
}

TEST(cfg_transformations, inside_a_string_template_the_column_counts_from_the_quote) {
    diagnostics diags;
    config cfg;
    auto catalog = test::make_test_catalog();
    read_config_text("t.cfg", "loadmodule \"xlog\"\nrequest_route {\n  xlog(\"x $(ru{s.substr,1}) y\");\n}\n",
                     {}, &catalog, diags, cfg);
    ASSERT_EQ(1u, diags.error_count()) << diags.format_all();
    EXPECT_EQ(3u, diags.all()[0].where.line);
    EXPECT_EQ(15u, diags.all()[0].where.column); // the { of {s.substr,1}
}

TEST(cfg_transformations, a_transformed_pseudo_variable_cannot_be_assigned) {
    diagnostics diags;
    config cfg;
    read_config_text("t.cfg", "request_route {\n  $(var(a){s.len}) = 1;\n}\n", {}, nullptr, diags, cfg);
    ASSERT_EQ(1u, diags.error_count()) << diags.format_all();
    EXPECT_EQ(2u, diags.all()[0].where.line);
    EXPECT_EQ(3u, diags.all()[0].where.column);
    EXPECT_EQ("'$(var(a){s.len})' has transformations and cannot be assigned", diags.all()[0].message);
}

TEST(cfg_transformations, good_ones_load_without_diagnostics) {
    diagnostics diags;
    config cfg;
    read_config_text("t.cfg",
                     "request_route {\n"
                     "  $var(a) = $(hdr(From){nameaddr.uri}{uri.host}{s.toupper});\n"
                     "  $var(b) = \"len=$(var(a){s.len}) user=$(ru{uri.user})\";\n"
                     "  if ($(fu{uri.param,transport}) == \"tcp\") { exit; }\n"
                     "}\n",
                     {}, nullptr, diags, cfg);
    EXPECT_FALSE(diags.has_errors()) << diags.format_all();
}

} // namespace
} // namespace siphost::cfg
