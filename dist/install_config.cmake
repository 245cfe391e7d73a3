# Installs cfg/siphost.cfg as <sysconfdir>/siphost/siphost.cfg, never over an administrator's edited copy: a
# config that differs from the new default is kept, and the new default is installed next to it as
# siphost.cfg.new (the way dpkg treats a changed conffile).
cmake_path(ABSOLUTE_PATH siphost_sysconfdir BASE_DIRECTORY "${CMAKE_INSTALL_PREFIX}" NORMALIZE
           OUTPUT_VARIABLE config_dir)
set(default_config "${siphost_source_dir}/cfg/siphost.cfg")
set(installed_config "$ENV{DESTDIR}${config_dir}/siphost.cfg")
set(rename "")
if(EXISTS "${installed_config}")
  file(SHA256 "${installed_config}" installed_hash)
  file(SHA256 "${default_config}" default_hash)
  if(NOT installed_hash STREQUAL default_hash)
    set(rename RENAME siphost.cfg.new)
    message(STATUS "Keeping the changed ${installed_config}; the new default is siphost.cfg.new next to it")
  endif()
endif()
file(INSTALL DESTINATION "${config_dir}" TYPE FILE FILES "${default_config}" ${rename})
