// textops' string tests on their own: the codes Kamailio 5.6.3 returns for them (measured with the
// compat scenario tests/compat/scenarios/textops_strings.cfg, which runs the same cases on both).
#include "string_checks.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace textops = siphost::modules::textops;

namespace {

TEST(textops_string_checks, cmp_str_orders_bytewise) {
    EXPECT_EQ(textops::compare_strings("abc", "abc", false), 1);
    EXPECT_EQ(textops::compare_strings("", "", false), 1);
    EXPECT_EQ(textops::compare_strings("abc", "abd", false), -2) << "first sorts before: -2";
    EXPECT_EQ(textops::compare_strings("abd", "abc", false), -1) << "first sorts after: -1";
    EXPECT_EQ(textops::compare_strings("ab", "abc", false), -2) << "a shorter string it begins sorts before";
    EXPECT_EQ(textops::compare_strings("abc", "ab", false), -1);
    EXPECT_EQ(textops::compare_strings("", "a", false), -2);
    EXPECT_EQ(textops::compare_strings("ABC", "abc", false), -2);
    EXPECT_EQ(textops::compare_strings("\xff", "a", false), -1) << "bytes compare unsigned";
}

TEST(textops_string_checks, cmp_istr_compares_lower_case) {
    EXPECT_EQ(textops::compare_strings("abc", "ABC", true), 1);
    EXPECT_EQ(textops::compare_strings("abd", "ABC", true), -1);
    EXPECT_EQ(textops::compare_strings("ab", "ABC", true), -2);
    // '_' lies between 'Z' and 'a': lower-cased, it sorts before 'a'.
    EXPECT_EQ(textops::compare_strings("_", "A", true), -2);
    EXPECT_EQ(textops::compare_strings("a", "_", true), -1);
}

TEST(textops_string_checks, starts_with_and_ends_with) {
    EXPECT_EQ(textops::starts_with("+49301", "+49"), 1);
    EXPECT_EQ(textops::starts_with("abc", "abc"), 1);
    EXPECT_EQ(textops::starts_with("abc", ""), 1);
    EXPECT_EQ(textops::starts_with("", ""), 1);
    EXPECT_EQ(textops::starts_with("+49301", "+48"), -1) << "the beginning sorts after";
    EXPECT_EQ(textops::starts_with("ab", "b"), -2) << "the beginning sorts before";
    EXPECT_EQ(textops::starts_with("ABC", "ab"), -2);
    EXPECT_EQ(textops::starts_with("+4", "+49"), -1) << "shorter than the prefix";
    EXPECT_EQ(textops::starts_with("", "a"), -1);

    EXPECT_EQ(textops::ends_with("12348800", "8800"), 1);
    EXPECT_EQ(textops::ends_with("abc", ""), 1);
    EXPECT_EQ(textops::ends_with("12348800", "8801"), -2);
    EXPECT_EQ(textops::ends_with("ab", "AB"), -1);
    EXPECT_EQ(textops::ends_with("800", "8800"), -1);
}

TEST(textops_string_checks, str_find_gives_the_one_based_position) {
    EXPECT_EQ(textops::find_string("hello world", "world"), 7);
    EXPECT_EQ(textops::find_string("hello world", "hello"), 1);
    EXPECT_EQ(textops::find_string("hello world", "o"), 5) << "the first occurrence";
    EXPECT_EQ(textops::find_string("abab", "bab"), 2);
    EXPECT_EQ(textops::find_string("hello world", "World"), -1);
    EXPECT_EQ(textops::find_string("hello", "hello world"), -1);
    EXPECT_EQ(textops::find_string("", "a"), -1);
    EXPECT_EQ(textops::find_string("abcdef", ""), 7) << "an empty needle: length + 1";
    EXPECT_EQ(textops::find_string("", ""), 1);
}

TEST(textops_string_checks, str_ifind_ignores_case) {
    EXPECT_EQ(textops::ifind_string("hello world", "WORLD"), 7);
    EXPECT_EQ(textops::ifind_string("xyzAB", "ab"), 4);
    EXPECT_EQ(textops::ifind_string("abAB", "bab"), 2);
    EXPECT_EQ(textops::ifind_string("hello", "x"), -1);
    EXPECT_EQ(textops::ifind_string("ab", "abc"), -1);
    EXPECT_EQ(textops::ifind_string("abcdef", ""), 1) << "an empty needle: 1, unlike str_find";
}

/// One list case: the subject, the list, its separator, and what in_list and in_list_prefix say.
struct list_case {
    std::string_view subject;
    std::string_view list;
    char separator;
    bool in_list;
    bool in_list_prefix;
};

TEST(textops_string_checks, in_list_and_in_list_prefix) {
    const list_case cases[] = {
        {"fi", "dk,fi,no,se", ',', true, true},
        {"dk", "dk,fi,no,se", ',', true, true},
        {"se", "dk,fi,no,se", ',', true, true},
        {"a", "a", ',', true, true},
        {"f", "dk,fi,no,se", ',', false, false},
        {"FI", "dk,fi,no,se", ',', false, false}, // case-sensitive
        {"fi", "dk, fi", ',', true, true},        // items are trimmed
        {"fi", "dk,\tfi ", ',', true, true},
        {" fi", "dk, fi", ',', false, false}, // the subject is not
        {"f i", "f i,dk", ',', true, true},
        {"fi", "dk;fi", ';', true, true},
        {"x", ",", ',', false, false},
        {"final", "dk,fi,no,se", ',', false, true},
        {"sea", "dk,fi,no,se", ',', false, true},
        {"final", "dk, fi ", ',', false, true},
        {"abc", "a,", ',', false, true},
        {"fi", "dk,final", ',', false, false},
        {"FInal", "dk,fi", ',', false, false},
        {" final", "dk,fi", ',', false, false},
        {"abc", "", ',', false, false},
        {"abc", " ,x", ',', false, false}, // an empty item begins nothing
        {"abc", "x,,", ',', false, false},
    };
    for (const list_case& c : cases) {
        EXPECT_EQ(textops::in_list(c.subject, c.list, c.separator), c.in_list)
            << c.subject << " in " << c.list;
        EXPECT_EQ(textops::in_list_prefix(c.subject, c.list, c.separator), c.in_list_prefix)
            << c.subject << " prefix in " << c.list;
    }
}

} // namespace
