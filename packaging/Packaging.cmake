# packaging/Packaging.cmake: the Debian (.deb) and RPM packages, built by
# CPack from an ordinary build folder:
#
#   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build/release
#   cd build/release && cpack -G DEB     # or: cpack -G RPM (needs rpmbuild)
#
# Included at the END of the root CMakeLists.txt (after every install()
# rule), by one line:
#
#   include(${CMAKE_SOURCE_DIR}/packaging/Packaging.cmake)
#
# The packages hold exactly: /usr/bin/sstablefs, the mount(8) helper
# /usr/sbin/mount.fuse.sstablefs (a symlink to fuse3's mount.fuse3), the man
# page(s) (gzipped), bash completion, README.md and the licence (Debian:
# /usr/share/doc/sstablefs/copyright pointing at common-licenses; RPM:
# /usr/share/licenses/sstablefs/LICENSE), plus Debian's changelog.Debian.gz.
# Only the default ("Unspecified") install component goes in, so developer
# tools installed under other components (tools/gen: "dev") stay out.
# See packaging/README for the choices and the lintian results.

set(SSTFS_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SSTFS_PACKAGE_CONTACT "sstablefs maintainers <sstablefs@users.noreply.github.com>"
    CACHE STRING "Maintainer of the .deb/.rpm packages (Name <email>)")
set(SSTFS_PACKAGE_RELEASE "1" CACHE STRING
    "Package revision (Debian revision / RPM release)")
set(SSTFS_PACKAGE_HOMEPAGE "https://github.com/sstablefs/sstablefs" CACHE STRING
    "Homepage field of the packages")

# --- Extra files installed with the program ------------------------------------

# The mount(8) helper. `mount -t fuse.sstablefs SRC MNT -o OPTS` and fstab
# lines of type fuse.sstablefs make mount(8) run /sbin/mount.fuse.sstablefs
# SRC MNT -o OPTS; mount.fuse3, called by that name, runs
# `sstablefs SRC MNT -o OPTS`. mount(8) looks only in /sbin (= /usr/sbin on
# merged-/usr systems), so the link is made only for the /usr prefix; with
# another prefix mount(8) falls back to /sbin/mount.fuse, which works the
# same when sstablefs is in PATH.
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(_sstfs_sbin "$ENV{DESTDIR}/usr/sbin")
    file(MAKE_DIRECTORY "${_sstfs_sbin}")
    file(REMOVE "${_sstfs_sbin}/mount.fuse.sstablefs")
    file(CREATE_LINK mount.fuse3 "${_sstfs_sbin}/mount.fuse.sstablefs" SYMBOLIC)
    message(STATUS "Installing: ${_sstfs_sbin}/mount.fuse.sstablefs -> mount.fuse3")
  endif()
]])

# bash completion, where bash-completion looks it up on demand.
install(FILES ${SSTFS_PACKAGING_DIR}/completion/sstablefs
        DESTINATION share/bash-completion/completions)

install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION share/doc/sstablefs)

# Man pages are shipped gzipped (Debian policy 12.1; rpmbuild would do it
# too). -n keeps the package reproducible (no name or time stamp). The rule
# is deferred to the end of the root CMakeLists.txt so it runs after every
# man page is installed, wherever this file is included.
find_program(SSTFS_GZIP gzip)
function(sstfs_install_gzip_man_pages)
  if(NOT SSTFS_GZIP)
    return()
  endif()
  install(CODE "set(SSTFS_GZIP \"${SSTFS_GZIP}\")")
  install(CODE [[
    file(GLOB _sstfs_man "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/share/man/man*/sstablefs*.[1-9]")
    foreach(_page ${_sstfs_man})
      execute_process(COMMAND "${SSTFS_GZIP}" -9nf "${_page}" RESULT_VARIABLE _rc)
      if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "gzip ${_page} failed")
      endif()
      message(STATUS "Compressed: ${_page}.gz")
    endforeach()
    # mount.fuse.sstablefs(8): the mount helper is documented by
    # sstablefs(1) (its mount form), as `man mount.fuse.sstablefs` shows.
    set(_man1 "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/share/man/man1/sstablefs.1.gz")
    if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" AND EXISTS "${_man1}")
      set(_man8 "$ENV{DESTDIR}/usr/share/man/man8")
      file(MAKE_DIRECTORY "${_man8}")
      file(REMOVE "${_man8}/mount.fuse.sstablefs.8.gz")
      file(CREATE_LINK ../man1/sstablefs.1.gz "${_man8}/mount.fuse.sstablefs.8.gz" SYMBOLIC)
      message(STATUS "Installing: ${_man8}/mount.fuse.sstablefs.8.gz -> ../man1/sstablefs.1.gz")
    endif()
  ]])
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR}
               CALL sstfs_install_gzip_man_pages)

# Debian-only files (component "debian", installed for the DEB generator
# only, see CPackProjectConfig.cmake): the copyright file and the changelog.
# (string(TIMESTAMP) honours SOURCE_DATE_EPOCH for reproducible builds.)
string(TIMESTAMP SSTFS_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${SSTFS_PACKAGING_DIR}/debian/changelog.in
               ${CMAKE_BINARY_DIR}/packaging/changelog.Debian @ONLY)
if(SSTFS_GZIP)
  execute_process(
    COMMAND ${SSTFS_GZIP} -9nc ${CMAKE_BINARY_DIR}/packaging/changelog.Debian
    OUTPUT_FILE ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz)
  install(FILES ${CMAKE_BINARY_DIR}/packaging/changelog.Debian.gz
          DESTINATION share/doc/sstablefs COMPONENT debian EXCLUDE_FROM_ALL)
endif()
install(FILES ${SSTFS_PACKAGING_DIR}/debian/copyright
        DESTINATION share/doc/sstablefs COMPONENT debian EXCLUDE_FROM_ALL)
# RPM keeps licences apart from docs (%license).
install(FILES ${SSTFS_PACKAGING_DIR}/LICENSE
        DESTINATION share/licenses/sstablefs COMPONENT rpm EXCLUDE_FROM_ALL)

# --- CPack -----------------------------------------------------------------------

set(CPACK_PACKAGE_NAME sstablefs)
set(CPACK_PACKAGE_VENDOR "sstablefs")
set(CPACK_PACKAGE_CONTACT "${SSTFS_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL "${SSTFS_PACKAGE_HOMEPAGE}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "read Apache Cassandra SSTables as a read-only file system")
# Extended description, wrapped for dpkg (lines under 80 columns).
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "sstablefs shows the SSTables of a Cassandra data directory, keyspace,\n"
    "table, snapshot or backup as folders: schema.cql, every live row as JSON\n"
    "Lines and CSV, one folder per partition with its rows and cell history,\n"
    "and one folder per SSTable with sstabledump-compatible JSON, metadata\n"
    "and an integrity verdict. It needs no Cassandra and no JVM, reads the\n"
    "big formats of Cassandra 3.0 to 5.0 (ma to nb) with LZ4, Snappy, Deflate\n"
    "or Zstd compression, and never writes to its source.\n"
    ".\n"
    "The same command dumps one SSTable as JSON without FUSE (sstablefs dump)\n"
    "and checks the integrity of SSTables (sstablefs verify). Mount it with\n"
    "mount -t fuse.sstablefs or an /etc/fstab line.")
set(CPACK_RESOURCE_FILE_LICENSE ${SSTFS_PACKAGING_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${CMAKE_SOURCE_DIR}/README.md)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)  # no debug info in the package
# Not relocatable: mount(8) finds the helper only in /sbin (= /usr/sbin).
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_SOURCE_IGNORE_FILES "/build.*/;/\\\\.git/")
set(CPACK_GENERATOR DEB)
# Per-generator settings (which components go in) live in a script CPack
# reads once per generator.
configure_file(${SSTFS_PACKAGING_DIR}/CPackProjectConfig.cmake.in
               ${CMAKE_BINARY_DIR}/packaging/CPackProjectConfig.cmake @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/packaging/CPackProjectConfig.cmake)

# Debian
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # sstablefs_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${SSTFS_PACKAGE_RELEASE})
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies as the distribution names them, computed from the
# binary by dpkg-shlibdeps (libfuse3-3, liblz4-1, libzstd1, libdeflate0,
# zlib1g, libsnappy1v5, libstdc++6, libgcc-s1, libc6 on Debian 12), plus
# fuse3 itself: fusermount3 and mount.fuse3 (the mount helper's target).
find_program(SSTFS_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SSTFS_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "fuse3")
else()
  # Without dpkg-dev: the Debian 12 names, unversioned.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "fuse3, libfuse3-3, liblz4-1, libzstd1, libdeflate0, zlib1g, libsnappy1v5, libstdc++6, libgcc-s1, libc6")
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")

# RPM (Fedora/RHEL names; rpmbuild adds the library requirements itself).
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE ${SSTFS_PACKAGE_RELEASE})
set(CPACK_RPM_PACKAGE_RELEASE_DIST ON)
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")  # SPDX, as Fedora writes it
set(CPACK_RPM_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_PACKAGE_URL "${SSTFS_PACKAGE_HOMEPAGE}")
set(CPACK_RPM_PACKAGE_REQUIRES "fuse3")
# No /usr/lib/.build-id links: the package holds one stripped binary.
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
string(REPLACE "\n.\n" "\n\n" CPACK_RPM_PACKAGE_DESCRIPTION
       "${CPACK_PACKAGE_DESCRIPTION}")
# Directories owned by the filesystem package are not ours to own.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/sbin /usr/share/man /usr/share/man/man1 /usr/share/man/man5
    /usr/share/man/man8 /usr/share/bash-completion
    /usr/share/bash-completion/completions /usr/share/licenses)

include(CPack)
