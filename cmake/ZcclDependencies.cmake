# Finds what ZipCCL builds against. Highway is required (the fast CPU codec); CUDA, MPI and NCCL
# are optional and default to ON where found. zstd, lz4, GoogleTest and Google Benchmark are only
# needed by the tools, tests and benchmarks.
include(CheckLanguage)

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(HWY REQUIRED IMPORTED_TARGET libhwy)

check_language(CUDA)
if(CMAKE_CUDA_COMPILER)
  set(_zccl_cuda_found ON)
else()
  set(_zccl_cuda_found OFF)
endif()
option(ZCCL_WITH_CUDA "Build the CUDA kernels" ${_zccl_cuda_found})
set(ZCCL_CUDA_ARCHS "80;90" CACHE STRING "CUDA architectures of the kernels (never 'native')")
if(ZCCL_WITH_CUDA)
  set(CMAKE_CUDA_ARCHITECTURES ${ZCCL_CUDA_ARCHS})
  enable_language(CUDA)
  find_package(CUDAToolkit REQUIRED)
endif()

find_package(MPI COMPONENTS C QUIET)
option(ZCCL_WITH_MPI "Build the MPI transport" ${MPI_C_FOUND})
if(ZCCL_WITH_MPI AND NOT MPI_C_FOUND)
  message(FATAL_ERROR "ZCCL_WITH_MPI=ON but MPI was not found (apt-get install libopenmpi-dev)")
endif()

find_package(NCCL QUIET)
if(NCCL_FOUND AND ZCCL_WITH_CUDA)
  set(_zccl_nccl_default ON)
else()
  set(_zccl_nccl_default OFF)
endif()
option(ZCCL_WITH_NCCL "Build the NCCL transport" ${_zccl_nccl_default})
if(ZCCL_WITH_NCCL AND NOT (NCCL_FOUND AND ZCCL_WITH_CUDA))
  message(FATAL_ERROR "ZCCL_WITH_NCCL=ON needs CUDA and NCCL")
endif()

pkg_check_modules(ZSTD IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 IMPORTED_TARGET liblz4)
