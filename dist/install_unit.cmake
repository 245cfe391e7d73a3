# Writes siphost.service with the absolute paths of this install's prefix, then installs it.
foreach(dir bindir sysconfdir docdir unitdir)
  cmake_path(ABSOLUTE_PATH siphost_${dir} BASE_DIRECTORY "${CMAKE_INSTALL_PREFIX}" NORMALIZE
             OUTPUT_VARIABLE full_${dir})
endforeach()
set(SIPHOST_BINDIR "${full_bindir}")
set(SIPHOST_CONFIG "${full_sysconfdir}/siphost.cfg")
set(SIPHOST_DOCDIR "${full_docdir}")
# One scratch file per prefix: two installs into different prefixes may run at once (parallel tests).
string(SHA1 prefix_key "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(unit "${siphost_work_dir}/${prefix_key}/siphost.service")
configure_file("${siphost_dist_dir}/siphost.service.in" "${unit}" @ONLY)
file(INSTALL DESTINATION "${full_unitdir}" TYPE FILE FILES "${unit}")
