# What `cmake --install` puts under the prefix, and the .deb CPack makes of it (docs/install.md):
#   include/zccl/*.h                      the public C API
#   lib/libzccl.so.0 (SONAME) + .so link  the library
#   lib/cmake/zccl/                       find_package(zccl): zccl::zccl, version file, MPI found
#                                         with find_dependency
#   lib/pkgconfig/zccl.pc                 pkg-config --cflags --libs zccl
#   bin/                                  the perf binaries, zccl-inspect, zccl-cuda-archs
#   share/zccl/                           shaped_bench.sh, the torch plugin's sources (plugins/torch)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ZCCL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/zccl)
set(ZCCL_DEB_EXTRA_DEPENDS "" CACHE STRING "Extra Depends of the .deb (e.g. NVIDIA's packages for a CUDA build)")

# Users of zccl_mpi.h need MPI's headers and library (C API only, as the library itself).
if(ZCCL_WITH_MPI)
  target_link_libraries(zccl INTERFACE MPI::MPI_C)
  target_compile_definitions(zccl INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
endif()

install(TARGETS zccl EXPORT zcclTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Unspecified
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/zccl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING
        PATTERN "*.h")
install(EXPORT zcclTargets NAMESPACE zccl:: DESTINATION ${ZCCL_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/zcclConfig.cmake.in ${PROJECT_BINARY_DIR}/zcclConfig.cmake
                              INSTALL_DESTINATION ${ZCCL_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/zcclConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/zcclConfig.cmake ${PROJECT_BINARY_DIR}/zcclConfigVersion.cmake
        DESTINATION ${ZCCL_INSTALL_CMAKEDIR})

# zccl.pc: relocatable (prefix found from the file's own place), MPI's flags written in.
file(RELATIVE_PATH ZCCL_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" ZCCL_PC_TO_PREFIX "${ZCCL_PC_TO_PREFIX}")
set(ZCCL_PC_CFLAGS "")
set(ZCCL_PC_LIBS "")
if(ZCCL_WITH_MPI)
  foreach(dir IN LISTS MPI_C_INCLUDE_DIRS)
    string(APPEND ZCCL_PC_CFLAGS " -I${dir}")
  endforeach()
  string(APPEND ZCCL_PC_CFLAGS " -DOMPI_SKIP_MPICXX=1 -DMPICH_SKIP_MPICXX=1")
  foreach(lib IN LISTS MPI_C_LIBRARIES)
    string(APPEND ZCCL_PC_LIBS " ${lib}")
  endforeach()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/zccl.pc.in ${PROJECT_BINARY_DIR}/zccl.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/zccl.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Executables: the perf binaries find libzccl next to them ($ORIGIN/../lib).
set(_zccl_programs zccl-inspect zccl-cuda-archs)
foreach(coll all_reduce all_gather reduce_scatter alltoall broadcast reduce sendrecv)
  list(APPEND _zccl_programs ${coll}_perf)
endforeach()
foreach(program IN LISTS _zccl_programs)
  if(TARGET ${program})
    file(RELATIVE_PATH _zccl_bin_to_lib /root/${CMAKE_INSTALL_BINDIR} /root/${CMAKE_INSTALL_LIBDIR})
    set_target_properties(${program} PROPERTIES INSTALL_RPATH "$ORIGIN/${_zccl_bin_to_lib}")
    install(TARGETS ${program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/shaped_bench.sh DESTINATION ${CMAKE_INSTALL_DATADIR}/zccl)
if(EXISTS ${PROJECT_SOURCE_DIR}/plugins/torch)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugins/torch DESTINATION ${CMAKE_INSTALL_DATADIR}/zccl/plugins
          PATTERN "__pycache__" EXCLUDE PATTERN "build" EXCLUDE PATTERN "*.egg-info" EXCLUDE PATTERN "*.so" EXCLUDE)
endif()

# The .deb: one package (library, headers, CMake and pkg-config files, programs) under /usr.
# Depends are Debian 12's packages of the shared libraries the binaries load; MPI's headers and
# mpirun are recommended (needed to build against zccl_mpi.h and to run the perf binaries).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zccl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION} (ZipCCL)")
set(CPACK_PACKAGE_CONTACT "ZipCCL developers <zccl@invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(_zccl_depends "libc6 (>= 2.34), libstdc++6 (>= 11), libgcc-s1 (>= 3.4), libhwy1 (>= 0.16.0)")
if(ZCCL_WITH_MPI)
  string(APPEND _zccl_depends ", libopenmpi3 (>= 4.1.4)")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenmpi-dev, openmpi-bin")
endif()
if(TARGET zccl-inspect)
  string(APPEND _zccl_depends ", libzstd1 (>= 1.5.2)")
endif()
if(ZCCL_DEB_EXTRA_DEPENDS)
  string(APPEND _zccl_depends ", ${ZCCL_DEB_EXTRA_DEPENDS}")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_zccl_depends}")
include(CPack)
