# siphost_add_module(<name> SOURCES <files>... [LINK <libs>...])
#
# Builds <name>.so, a siphost module, the way a third party builds one: a MODULE library with no "lib"
# prefix, hidden visibility so that only the entry function is exported, and -z defs so that a module that
# uses a symbol of the host (or anything not linked in) fails to link instead of failing at load.
include_guard(GLOBAL)

function(siphost_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;LINK")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "siphost_add_module(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${name}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(SIPHOST_MODULE_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${SIPHOST_MODULE_OUTPUT_DIR})
  endif()
  target_link_libraries(${name} PRIVATE siphost::sdk ${ARG_LINK})
  # Export the entry function only: C++ inline statics (std::to_string's digit table, for one) are
  # default-visibility unique symbols that -fvisibility=hidden leaves exported; a version script hides them.
  set(exports ${CMAKE_CURRENT_BINARY_DIR}/${name}.exports.map)
  file(WRITE ${exports} "{ global: siphost_module_v1; local: *; };\n")
  target_link_options(${name} PRIVATE "LINKER:--version-script=${exports}")
  # Sanitizer runtimes live in the host executable, so -z defs cannot hold for sanitized builds.
  if(NOT SIPHOST_SANITIZE)
    target_link_options(${name} PRIVATE "LINKER:-z,defs")
  endif()
endfunction()
