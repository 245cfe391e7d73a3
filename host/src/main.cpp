// siphost: reads a Kamailio configuration, loads its modules and serves SIP.
#include "app/server.hpp"
#include "core/command_line.hpp"
#include "plugin/loaded_module.hpp"
#include "plugin/module_info.hpp"

#include <siphost/module.h>

#include <exception>
#include <iostream>

namespace {

int print_module_info(const std::string& file) {
    try {
        auto module = siphost::plugin::loaded_module::open(file);
        std::cout << siphost::plugin::describe_module(*module);
        return 0;
    } catch (const siphost::plugin::load_error& e) {
        std::cerr << "siphost: " << e.what() << "\n";
        return 1;
    }
}

} // namespace

int main(int argc, char** argv) {
    siphost::core::command_line options;
    try {
        options = siphost::core::parse_command_line(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::cerr << "siphost: " << e.what() << "\n";
        return 2;
    }
    if (options.show_help) {
        std::cout << siphost::core::usage_text("siphost");
        return 0;
    }
    if (options.show_version) {
        std::cout << "siphost " SIPHOST_VERSION " (module ABI " << SIPHOST_ABI_MAJOR << "." << SIPHOST_ABI_MINOR
                  << ")\n";
        return 0;
    }
    if (options.show_build_options) {
        std::cout << "siphost " SIPHOST_VERSION " (module ABI " << SIPHOST_ABI_MAJOR << "." << SIPHOST_ABI_MINOR
                  << ")\ncompiler: g++ " __VERSION__ "\nC++ standard: " << __cplusplus << "\nsanitizers: "
#if defined(__SANITIZE_ADDRESS__)
                  << "address, undefined\n";
#else
                  << "none\n";
#endif
        return 0;
    }
    if (options.module_info_file)
        return print_module_info(*options.module_info_file);
    try {
        if (options.print_config)
            return siphost::app::print_config(options);
        if (options.check_only)
            return siphost::app::check_config(options);
        return siphost::app::run_server(options);
    } catch (const std::exception& e) {
        std::cerr << "siphost: " << e.what() << "\n";
        return 1;
    }
}
