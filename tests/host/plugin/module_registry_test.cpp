#include "plugin/host_services.hpp"
#include "plugin/module_registry.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using siphost::plugin::load_error;
using siphost::plugin::module_registry;

namespace {

std::vector<std::string> logged;

// The handle a module passes is its loaded_module's: it names the module.
void capture_log(siphost_module_handle* self, int, siphost_str text) {
    logged.push_back((self != nullptr ? self->name : std::string("?")) + ": " + std::string(text.s, text.len));
}

siphost_host_api capturing_host() {
    siphost_host_api api{};
    api.struct_size = sizeof api;
    api.abi_major = SIPHOST_ABI_MAJOR;
    api.abi_minor = SIPHOST_ABI_MINOR;
    api.log = capture_log;
    return api;
}

std::string load_failure(module_registry& registry, std::string_view name) {
    try {
        registry.load(name);
    } catch (const load_error& e) {
        return e.what();
    }
    return "(loaded)";
}

class ModuleRegistry : public ::testing::Test {
protected:
    void SetUp() override {
        logged.clear();
        registry.set_search_dirs({"/nonexistent-dir", FIXTURE_DIR});
    }
    // Declared before the registry: modules keep the table they were initialised with until their destroy,
    // which the registry's destructor runs.
    siphost_host_api host = capturing_host();
    module_registry registry;
};

} // namespace

TEST_F(ModuleRegistry, FindsABareNameInTheSearchDirectories) {
    auto outcome = registry.load("fixture_ok");
    EXPECT_EQ(outcome.module->name(), "fixture_ok");
    EXPECT_FALSE(outcome.warning);
    EXPECT_EQ(registry.modules().size(), 1u);
}

TEST_F(ModuleRegistry, NotFoundListsEveryPathTried) {
    EXPECT_EQ(load_failure(registry, "nosuch"),
              "module 'nosuch' not found; tried /nonexistent-dir/nosuch.so, /nonexistent-dir/nosuch/nosuch.so, " +
                  std::string(FIXTURE_DIR) + "/nosuch.so, " + std::string(FIXTURE_DIR) + "/nosuch/nosuch.so");
}

TEST_F(ModuleRegistry, ADuplicateNameIsAWarningAndLoadedOnce) {
    registry.load("fixture_ok");
    auto outcome = registry.load("fixture_duplicate.so");
    ASSERT_TRUE(outcome.warning);
    EXPECT_EQ(*outcome.warning, "module 'fixture_ok' is already loaded from '" + std::string(FIXTURE_DIR) +
                                    "/fixture_ok.so'; '" + std::string(FIXTURE_DIR) +
                                    "/fixture_duplicate.so' is ignored");
    EXPECT_EQ(outcome.module->version(), "1.2.3");
    EXPECT_EQ(registry.modules().size(), 1u);
}

TEST_F(ModuleRegistry, TheSameFileTwiceIsAWarning) {
    registry.load("fixture_ok");
    auto outcome = registry.load(std::string(FIXTURE_DIR) + "/fixture_ok.so");
    ASSERT_TRUE(outcome.warning);
    EXPECT_NE(outcome.warning->find("is already loaded"), std::string::npos);
    EXPECT_EQ(registry.modules().size(), 1u);
}

TEST_F(ModuleRegistry, InitRunsInLoadOrderAndDestroyInReverse) {
    registry.load("fixture_ok");
    registry.load("fixture_second");
    registry.init_all(&host);
    registry.destroy_all();
    EXPECT_EQ(logged, (std::vector<std::string>{"fixture_ok: init timeout=1000 greeting=hello setter_calls=0",
                                                "fixture_second: init", "fixture_second: destroy",
                                                "fixture_ok: destroy"}));
}

TEST_F(ModuleRegistry, InitFailureCarriesTheModulesMessageAndUndoesEarlierInits) {
    registry.load("fixture_ok");
    registry.load("fixture_init_fails");
    try {
        registry.init_all(&host);
        FAIL() << "init should have failed";
    } catch (const load_error& e) {
        EXPECT_STREQ(e.what(),
                     "module 'fixture_init_fails' failed to initialise: cannot open /nonexistent/db: no such file");
    }
    EXPECT_EQ(logged.back(), "fixture_ok: destroy");
}

TEST_F(ModuleRegistry, ModparamDeliversIntegersStringsAndSetterValues) {
    registry.load("fixture_ok");
    registry.set_param("fixture_ok", "timeout", int64_t{2500});
    registry.set_param("FIXTURE_.*", "greeting", std::string("good day"));
    registry.set_param("fixture_ok", "note", std::string("first"));
    registry.set_param("fixture_ok", "note", int64_t{7});
    registry.init_all(&host);
    EXPECT_EQ(logged.front(), "fixture_ok: init timeout=2500 greeting=good day setter_calls=2");
}

TEST_F(ModuleRegistry, ModparamRefusals) {
    registry.load("fixture_ok");
    auto refusal = [&](std::string_view module, std::string_view param, siphost::plugin::param_value value) {
        try {
            registry.set_param(module, param, value);
        } catch (const load_error& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    EXPECT_EQ(refusal("fixture_ok", "timeout", std::string("30")),
              "modparam: parameter 'timeout' of module 'fixture_ok' takes integer, not a string");
    EXPECT_EQ(refusal("fixture_ok", "greeting", int64_t{3}),
              "modparam: parameter 'greeting' of module 'fixture_ok' takes string, not an integer");
    EXPECT_EQ(refusal("fixture_ok", "timout", int64_t{3}),
              "modparam: module 'fixture_ok' has no parameter 'timout' (did you mean 'timeout'?)");
    EXPECT_EQ(refusal("tm", "fr_timer", int64_t{3}),
              "modparam: no loaded module matches 'tm' (loadmodule must come before modparam)");
    EXPECT_EQ(refusal("fixture_ok", "note", int64_t{-1}),
              "modparam: module 'fixture_ok' refused 'note': must not be negative");
    EXPECT_EQ(refusal("fixture_ok", "timeout", int64_t{1} << 40),
              "modparam: value 1099511627776 of 'timeout' does not fit a 32-bit integer");
    EXPECT_EQ(refusal("fixture_(", "timeout", int64_t{3}),
              "modparam: 'fixture_(' is not a valid module name pattern");
}

TEST_F(ModuleRegistry, IndexesCommandOverloadsAndPseudoVariables) {
    registry.load("fixture_ok");
    const auto& overloads = registry.find_commands("ok_check");
    ASSERT_EQ(overloads.size(), 2u);
    EXPECT_EQ(overloads[0].command->arg_count, 0u);
    EXPECT_EQ(overloads[1].command->arg_count, 2u);
    EXPECT_EQ(overloads[1].owner->name(), "fixture_ok");
    EXPECT_TRUE(registry.find_commands("t_relay").empty());
    ASSERT_TRUE(registry.find_pv("ok_calls"));
    EXPECT_FALSE(registry.find_pv("rm"));
}

TEST_F(ModuleRegistry, ADependencyMustBeLoadedFirst) {
    registry.load("fixture_needs_ok");
    EXPECT_EQ(registry.check_dependencies(),
              "module 'fixture_needs_ok' needs module 'fixture_ok': add loadmodule \"fixture_ok.so\" before it");
    registry.load("fixture_ok");
    EXPECT_EQ(registry.check_dependencies(), "module 'fixture_needs_ok' needs module 'fixture_ok' loaded before "
                                             "it: move loadmodule \"fixture_ok.so\" above loadmodule "
                                             "\"fixture_needs_ok.so\"");
    try {
        registry.init_all(&host);
        ADD_FAILURE() << "init_all accepted a wrong load order";
    } catch (const load_error& e) {
        EXPECT_NE(std::string(e.what()).find("needs module 'fixture_ok' loaded before it"), std::string::npos);
    }
    EXPECT_TRUE(logged.empty()) << "no init ran";
}

TEST_F(ModuleRegistry, ADependencyLoadedFirstIsFine) {
    registry.load("fixture_ok");
    registry.load("fixture_needs_ok");
    EXPECT_EQ(registry.check_dependencies(), "");
    registry.init_all(&host);
}
