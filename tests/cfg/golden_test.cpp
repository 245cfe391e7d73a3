// Golden config cases: every tests/cfg/cases/*.cfg carries its expected diagnostics in comments, in the
// manner of Crafting Interpreters' test suite:
//   # expect: ok                              nothing at all is reported
//   # expect: error 12:5 message              an error at line 12, column 5 of this file
//   # expect: warning 3:1 message             a warning
//   # expect: error include/x.cfg:2:1 message a finding in another file (path relative to cases/)
//   # hint: text                              the hint of the expectation just above
//   # define: NAME[=VALUE]                    as -A on the command line
// The case passes when the reported findings are exactly the expected ones. Each config is read with a
// catalog of fake modules (sl, tm, rr, textops, xlog, maxfwd, pv, testmod) and, when clean, compiled.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cfg/test_modules.hpp"
#include "script/script_loader.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path cases_dir = fs::path(SIPHOST_SOURCE_DIR) / "tests" / "cfg" / "cases";

struct expectation {
    std::string finding; ///< "error file:12:5 message"
    std::string hint;
    bool check_hint = false;
};

struct golden_case {
    std::vector<expectation> expected;
    std::vector<std::string> defines;
    bool expect_ok = false;
};

golden_case read_expectations(const fs::path& file) {
    golden_case c;
    std::ifstream in(file);
    std::string line;
    const std::string main_name = fs::relative(file, cases_dir).string();
    while (std::getline(in, line)) {
        auto pos = line.find("# expect: ");
        if (pos != std::string::npos) {
            std::string rest = line.substr(pos + 10);
            if (rest == "ok") {
                c.expect_ok = true;
                continue;
            }
            // "error 12:5 message" -> "error <main>:12:5 message" unless a file is named.
            auto space = rest.find(' ');
            std::string level = rest.substr(0, space);
            std::string where_and_message = rest.substr(space + 1);
            auto colon = where_and_message.find(':');
            bool has_file =
                colon != std::string::npos && !std::isdigit(static_cast<unsigned char>(where_and_message[0]));
            c.expected.push_back(
                {level + " " + (has_file ? "" : main_name + ":") + where_and_message, "", false});
            continue;
        }
        pos = line.find("# hint: ");
        if (pos != std::string::npos && !c.expected.empty()) {
            c.expected.back().hint = line.substr(pos + 8);
            c.expected.back().check_hint = true;
            continue;
        }
        pos = line.find("# define: ");
        if (pos != std::string::npos)
            c.defines.push_back(line.substr(pos + 10));
    }
    return c;
}

std::vector<std::string> all_cases() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(cases_dir))
        if (entry.path().extension() == ".cfg")
            names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

class cfg_golden : public ::testing::TestWithParam<std::string> {};

TEST_P(cfg_golden, matches_expectations) {
    const fs::path file = cases_dir / (GetParam() + ".cfg");
    golden_case expected = read_expectations(file);
    ASSERT_TRUE(expected.expect_ok || !expected.expected.empty())
        << file << " has no '# expect:' line; every case must state what it expects";
    ASSERT_FALSE(expected.expect_ok && !expected.expected.empty())
        << file << " expects ok and findings at once";

    auto catalog = siphost::test::make_test_catalog();
    siphost::cfg::diagnostics diags;
    siphost::cfg::read_options options;
    options.defines = expected.defines;
    // Diagnostics name files relative to the cases folder, so that expectations do not depend on the
    // checkout.
    options.reader = [](const std::string& path) {
        fs::path p(path);
        return siphost::cfg::read_file_from_disk(p.is_absolute() ? path : (cases_dir / p).string());
    };
    auto script =
        siphost::script::load_script(fs::relative(file, cases_dir).string(), options, &catalog, diags);

    std::vector<std::string> actual;
    std::map<std::string, std::string> hints;
    for (const auto& d : diags.all()) {
        std::string finding = std::string(d.level == siphost::cfg::severity::error ? "error " : "warning ") +
                              diags.sources().file_name(d.where.file) + ":" + std::to_string(d.where.line) +
                              ":" + std::to_string(d.where.column) + " " + d.message;
        actual.push_back(finding);
        hints[finding] = d.hint;
    }
    std::vector<std::string> wanted;
    for (const auto& e : expected.expected)
        wanted.push_back(e.finding);
    std::sort(actual.begin(), actual.end());
    std::sort(wanted.begin(), wanted.end());
    EXPECT_EQ(wanted, actual) << "all diagnostics:\n" << diags.format_all();
    for (const auto& e : expected.expected) {
        if (e.check_hint) {
            EXPECT_EQ(e.hint, hints[e.finding]) << "hint of: " << e.finding;
        }
    }
    if (expected.expect_ok) {
        EXPECT_NE(script, nullptr) << "a clean config must compile";
    } else if (diags.has_errors()) {
        EXPECT_EQ(script, nullptr);
    }
}

INSTANTIATE_TEST_SUITE_P(cases, cfg_golden, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

} // namespace
