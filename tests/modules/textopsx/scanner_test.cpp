// textopsx's value scanner and header argument, on their own: the offsets the module edits at.
#include "hf_spec.hpp"
#include "value_scanner.hpp"

#include <siphost/module.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace textopsx = siphost::modules::textopsx;

namespace {

std::vector<std::string> pieces(std::string_view text, char sep) {
    std::vector<std::string> out;
    for (auto span : textopsx::split_outside(text, sep))
        out.emplace_back(span.in(text));
    return out;
}

TEST(textopsx_scanner, commas_inside_quotes_and_angle_brackets_do_not_separate) {
    EXPECT_EQ(pieces(R"("Doe, John" <sip:a@b;x=1,2>;q=1 ,  <sip:c@d>)", ','),
              (std::vector<std::string>{R"("Doe, John" <sip:a@b;x=1,2>;q=1)", "<sip:c@d>"}));
    EXPECT_EQ(pieces(R"(a, "x\", y", , b)", ','), (std::vector<std::string>{"a", R"("x\", y")", "b"}));
    EXPECT_TRUE(pieces("  ", ',').empty());
}

TEST(textopsx_scanner, semicolon_params_after_the_uri) {
    std::string value = R"(<sip:a@b;lr>;tag=x ; lr;q="0;5")";
    auto scanned = textopsx::scan_semicolon_params(value);
    EXPECT_EQ(scanned.main.in(value), "<sip:a@b;lr>");
    ASSERT_EQ(scanned.params.size(), 3u);
    EXPECT_EQ(scanned.params[0].name, "tag");
    EXPECT_EQ(scanned.params[1].whole.in(value), "lr");
    EXPECT_EQ(scanned.params[2].whole.in(value), R"(q="0;5")");
}

TEST(textopsx_scanner, comma_params_skip_the_scheme) {
    std::string value = R"(Digest username="a, b", realm = "r",nc=1)";
    auto params = textopsx::scan_comma_params(value);
    ASSERT_EQ(params.size(), 3u);
    EXPECT_EQ(params[0].whole.in(value), R"(username="a, b")");
    EXPECT_EQ(params[1].name, "realm");
    EXPECT_EQ(params[2].whole.in(value), "nc=1");
    std::string no_scheme = "a = 1, b";
    auto plain = textopsx::scan_comma_params(no_scheme);
    ASSERT_EQ(plain.size(), 2u);
    EXPECT_EQ(plain[0].name, "a");
}

TEST(textopsx_scanner, removal_ranges_take_the_separators) {
    std::string list = "a, b, c, d";
    auto spans = textopsx::split_outside(list, ',');
    auto removed = [&](std::vector<bool> marks) {
        std::string out = list;
        auto ranges = textopsx::removal_ranges(spans, marks);
        for (auto it = ranges.rbegin(); it != ranges.rend(); ++it)
            out.erase(it->begin, it->end - it->begin);
        return out;
    };
    EXPECT_EQ(removed({false, true, false, false}), "a, c, d");
    EXPECT_EQ(removed({true, true, false, false}), "c, d");
    EXPECT_EQ(removed({false, false, true, true}), "a, b");
    EXPECT_EQ(removed({true, false, true, true}), "b");
    EXPECT_EQ(removed({false, true, false, true}), "a, c");
}

TEST(textopsx_hf_spec, names_indexes_and_params) {
    textopsx::hf_spec plain("Supported", {});
    EXPECT_EQ(plain.name(), "Supported");
    EXPECT_EQ(plain.kind(), textopsx::hf_spec::index_kind::none);
    textopsx::hf_spec last(" Route[-1].lr ", {});
    EXPECT_EQ(last.kind(), textopsx::hf_spec::index_kind::number);
    EXPECT_EQ(last.index(), -1);
    EXPECT_EQ(last.param(), "lr");
    textopsx::hf_spec every("X-Foo[*].bar", {});
    EXPECT_EQ(every.kind(), textopsx::hf_spec::index_kind::all);
    EXPECT_EQ(every.param(), "bar");
}

TEST(textopsx_hf_spec, malformed_specs_are_config_errors) {
    using error = siphost::sdk::config_error;
    EXPECT_THROW(textopsx::hf_spec("", {}), error);
    EXPECT_THROW(textopsx::hf_spec("X[0]", {}), error);
    EXPECT_THROW(textopsx::hf_spec("X[a]", {}), error);
    EXPECT_THROW(textopsx::hf_spec("X[1", {}), error);
    EXPECT_THROW(textopsx::hf_spec("X[1]x", {}), error);
    EXPECT_THROW(textopsx::hf_spec("X.", {}), error);
    EXPECT_THROW(textopsx::hf_spec("X: y", {}), error);
    EXPECT_THROW(textopsx::hf_spec("X[*]", {.index = true, .all = false, .param = true}), error);
    EXPECT_THROW(textopsx::hf_spec("X.p", {.index = true, .all = true, .param = false}), error);
    EXPECT_THROW(textopsx::hf_spec("X[2]", {.index = false, .all = false, .param = false}), error);
}

} // namespace
