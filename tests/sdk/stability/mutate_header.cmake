# cmake -DMUTATION=<name> -DSOURCE=<include dir> -DOUTPUT=<include dir> -P mutate_header.cmake
#
# Copies siphost/module.h, api/sl.h and api/tm.h from SOURCE (the current SDK headers) to OUTPUT, with one
# edit to module.h: the negative cases of the stability test (a change that must be caught) and one positive
# case (what a later minor may do, which must not be). Made from the current header at build time, so that
# the cases follow it; when an edit no longer finds its place, this stops rather than test an unmutated copy.
#
#   swapped     siphost_module's name and version trade places (same type: only their offsets show it)
#   inserted    a function lands in the middle of siphost_host_api, before msg_method
#   removed     siphost_host_api loses msg_status (the baseline side names it, so this fails to compile)
#   retyped     msg_status returns unsigned instead of int (same size and offset: only its type shows it)
#   renumbered  SIPHOST_PROTO_TLS changes its value
#   shrunk      siphost_uri gives up a reserved slot and so shrinks
#   grown       a legal minor: the minor goes up, siphost_sip_api and siphost_module gain a field at their
#               end, the host table's first reserved slot becomes a function, siphost_param's reserved_flags
#               gets a name and an enum gains a value
cmake_minimum_required(VERSION 3.20)

file(READ ${SOURCE}/siphost/module.h header)

# mutate(<regex> <replacement>): the regex must match exactly once. A function, not a macro: a macro would
# evaluate the backslashes of the regex a second time.
function(mutate regex replacement)
  # Counted through a marker: the matched text itself holds ';', which would split a CMake list.
  string(REGEX REPLACE "${regex}" "@MUTATION@" probe "${header}")
  string(REGEX MATCHALL "@MUTATION@" matches "${probe}")
  list(LENGTH matches count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "mutation '${MUTATION}' of ${SOURCE}/siphost/module.h: '${regex}' matches ${count} "
      "times, not once; adapt tests/sdk/stability/mutate_header.cmake to the header")
  endif()
  string(REGEX REPLACE "${regex}" "${replacement}" header "${header}")
  set(header "${header}" PARENT_SCOPE)
endfunction()

set(line "[^\n]*\n")
if(MUTATION STREQUAL "swapped")
  mutate("([ ]*const char \\*name;${line})([ ]*const char \\*version;${line})" "\\2\\1")
elseif(MUTATION STREQUAL "inserted")
  mutate("\n([ ]*)(siphost_str \\(\\*msg_method\\))" "\n\\1int (*msg_inserted)(const siphost_msg *msg);\n\\1\\2")
elseif(MUTATION STREQUAL "removed")
  mutate("\n[ ]*int \\(\\*msg_status\\)${line}" "\n")
elseif(MUTATION STREQUAL "retyped")
  mutate("int \\(\\*msg_status\\)" "unsigned (*msg_status)")
elseif(MUTATION STREQUAL "renumbered")
  mutate("SIPHOST_PROTO_TLS = 3" "SIPHOST_PROTO_TLS = 7")
elseif(MUTATION STREQUAL "shrunk")
  mutate("(siphost_str transport;${line}[ ]*void \\*reserved)\\[2\\]" "\\1[1]")
elseif(MUTATION STREQUAL "grown")
  mutate("#define SIPHOST_ABI_MINOR 8\n" "#define SIPHOST_ABI_MINOR 9\n")
  mutate("(int \\(\\*parse_credentials\\)${line})" "\\1    int (*appended)(void);\n")
  mutate("(void \\*reserved\\[6\\]; /\\* zero \\*/\n)" "\\1    void (*appended_hook)(void);\n")
  mutate("void \\*reserved\\[3\\]; /\\* NULL" "int (*taken_slot)(void);\n    void *reserved[2]; /* NULL")
  mutate("(uint32_t kinds;${line}[ ]*uint32_t )reserved_flags;" "\\1flags;")
  mutate("SIPHOST_PROTO_WSS = 6\n" "SIPHOST_PROTO_WSS = 6,\n    SIPHOST_PROTO_NEXT = 7\n")
else()
  message(FATAL_ERROR "unknown MUTATION '${MUTATION}'")
endif()

file(WRITE ${OUTPUT}/siphost/module.h "${header}")
file(COPY ${SOURCE}/siphost/api/sl.h ${SOURCE}/siphost/api/tm.h DESTINATION ${OUTPUT}/siphost/api)
