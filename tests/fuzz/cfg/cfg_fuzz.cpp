// libFuzzer target over the config front end: preprocessor, lexer, parser and resolver on arbitrary text.
// Nothing may crash, hang or read out of bounds; every input ends with diagnostics or a config. Includes
// resolve to the fuzz input itself, so include handling (and its depth limit) is exercised too.

#include <cstddef>
#include <cstdint>
#include <string>

#include "cfg/config_reader.hpp"
#include "cfg/descriptor_catalog.hpp"

namespace {

// A small module so that calls, arities, route-type checks and modparam run against real tables.
int handler(siphost_msg*, const siphost_value*, void*) {
    return 1;
}
std::int32_t int_target = 0;
const char* string_target = nullptr;

const siphost_command commands[] = {
    {sizeof(siphost_command),
     "t_relay",
     0,
     SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE,
     {},
     {},
     {},
     handler,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "t_on_reply",
     1,
     SIPHOST_ROUTE_REQUEST,
     {SIPHOST_ARG_ROUTE},
     {},
     {SIPHOST_ROUTE_TM_ONREPLY},
     handler,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "xlog",
     1,
     SIPHOST_ROUTE_ANY,
     {SIPHOST_ARG_STRING},
     {},
     {},
     handler,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "xlog",
     2,
     SIPHOST_ROUTE_ANY,
     {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
     {},
     {},
     handler,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "sl_send_reply",
     2,
     SIPHOST_ROUTE_REQUEST,
     {SIPHOST_ARG_INT, SIPHOST_ARG_STRING},
     {},
     {},
     handler,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command),
     "pv_isset",
     1,
     SIPHOST_ROUTE_ANY,
     {SIPHOST_ARG_PVAR},
     {},
     {},
     handler,
     nullptr,
     nullptr,
     nullptr,
     {}},
    {sizeof(siphost_command), nullptr, 0, 0, {}, {}, {}, nullptr, nullptr, nullptr, nullptr, {}}};
const siphost_param params[] = {
    {sizeof(siphost_param), "n", SIPHOST_PARAM_INT, 0, &int_target, nullptr, nullptr, {}},
    {sizeof(siphost_param), "s", SIPHOST_PARAM_STRING, 0, &string_target, nullptr, nullptr, {}},
    {sizeof(siphost_param), nullptr, 0, 0, nullptr, nullptr, nullptr, {}}};
const siphost_module module = {sizeof(siphost_module),
                               SIPHOST_ABI_MAJOR,
                               SIPHOST_ABI_MINOR,
                               "fz",
                               "1",
                               commands,
                               params,
                               nullptr,
                               nullptr,
                               nullptr,
                               nullptr,
                               {}};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    siphost::cfg::descriptor_catalog catalog([](std::string_view name, std::string_view, std::string_view,
                                                std::string& error) -> const siphost_module* {
        if (name == "fz" || name == "fz.so")
            return &module;
        error = "no such module";
        return nullptr;
    });
    siphost::cfg::read_options options;
    options.defines = {"FUZZ", "VALUE=1"};
    // An include reads the input itself, a few times (enough for nesting, not so many that a self-include
    // makes every run slow; the include limits have unit tests of their own).
    int reads = 0;
    options.reader = [&text, &reads](const std::string&) -> std::optional<std::string> {
        if (++reads > 4)
            return std::nullopt;
        return text;
    };
    siphost::cfg::diagnostics diags;
    siphost::cfg::config cfg;
    siphost::cfg::read_config_text("fuzz.cfg", text, options, &catalog, diags, cfg);
    // Formatting walks the source lines with the reported columns: it must stay in bounds too.
    std::string printed = diags.format_all();
    (void)printed;
    (void)siphost::cfg::summary(cfg);
    return 0;
}
