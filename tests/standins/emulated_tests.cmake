# Tests of the emulated-device build (label `emulated`, docs/emulation.md): the stand-ins checked
# against the real libraries' documented behaviour, then ZipCCL's GPU path on them.
zccl_add_test(gpu_comm_emulated_test SOURCES collectives/gpu_comm_test.cc LABELS emulated)
zccl_add_test(device_semantics_test SOURCES emulated/device_semantics_test.cc LABELS emulated)
zccl_add_test(device_lossless_test SOURCES emulated/device_lossless_test.cc LABELS emulated)
zccl_add_test(device_errors_test SOURCES emulated/device_errors_test.cc LABELS emulated)
target_include_directories(device_errors_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/standins/nccl)
# The GPU path with ranks as processes: one ctest per rank count.
if(ZCCL_WITH_MPI)
  add_executable(device_mpi_test emulated/device_mpi_test.cc)
  target_link_libraries(device_mpi_test PRIVATE zccl_internal zccl_data GTest::gtest MPI::MPI_C)
  target_include_directories(device_mpi_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  foreach(np 2 3 4)
    add_test(NAME device_mpi_np${np}
             COMMAND ${MPIEXEC_EXECUTABLE} --allow-run-as-root --oversubscribe ${MPIEXEC_NUMPROC_FLAG} ${np}
                     $<TARGET_FILE:device_mpi_test>)
    set_tests_properties(device_mpi_np${np} PROPERTIES LABELS emulated TIMEOUT 600 PROCESSORS ${np}
                                                       ENVIRONMENT NCCL_STANDIN_TIMEOUT=120)
  endforeach()
endif()
# The stand-ins themselves, against the real libraries' documented behaviour.
foreach(standin cudart nccl)
  add_executable(${standin}_standin_test standins/tests/${standin}_standin_test.cc)
  target_link_libraries(${standin}_standin_test PRIVATE nccl_standin cudart_standin GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${standin}_standin_test PROPERTIES LABELS emulated DISCOVERY_TIMEOUT 60)
endforeach()
# Without a device (the stand-in offers none): GPU communicators refuse to initialise, cleanly.
add_test(NAME gpu_comm_emulated_without_device COMMAND gpu_comm_emulated_test --gtest_filter=GpuCommWithoutDevice.*)
set_tests_properties(gpu_comm_emulated_without_device PROPERTIES LABELS emulated ENVIRONMENT CUDART_STANDIN_DEVICES=0
                                                                 FAIL_REGULAR_EXPRESSION "SKIPPED|FAILED")
