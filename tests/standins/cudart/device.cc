// TEST STAND-IN: devices, errors and kernel registration of the host CUDA runtime.
//
// Devices: CUDART_STANDIN_DEVICES virtual devices (default 8), each with 16 GiB of "device"
// memory, compute capability 9.0, its own PCI bus id; the current device is per thread (device 0
// at first), as in CUDA. Errors: every failing call records its code as the thread's last error
// (cudaGetLastError returns and clears it, cudaPeekAtLastError only returns it); cudaErrorNotReady
// is a status, not an error. Kernels: nvcc's registration entry points accept a fat binary (and
// remember kernel names), but no kernel can run on a host stand-in: cudaLaunchKernel (behind every
// <<<...>>>) fails with cudaErrorNoKernelImageForDevice and says which kernel on stderr, never a
// silent no-op. ZipCCL's kernels run through kernels/sim in the emulated-device build instead.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "runtime_state.h"

namespace cudart_standin {
namespace {

thread_local cudaError_t tLastError = cudaSuccess;

std::mutex& kernelsMu() {
  static std::mutex* m = new std::mutex;
  return *m;
}
std::map<const void*, std::string>& kernelNames() {
  static auto* m = new std::map<const void*, std::string>;
  return *m;
}

struct Pending {
  dim3 grid, block;
  size_t shared = 0;
  void* stream = nullptr;
};
thread_local std::vector<Pending> tCallConfig;

cudaError_t checkDevice(int d) { return d >= 0 && d < deviceCount() ? cudaSuccess : cudaErrorInvalidDevice; }

}  // namespace

cudaError_t fail(cudaError_t e) {
  if (e != cudaSuccess && e != cudaErrorNotReady) tLastError = e;
  return e;
}

int deviceCount() {
  static const int n = [] {
    const char* v = std::getenv("CUDART_STANDIN_DEVICES");
    const int k = v != nullptr ? std::atoi(v) : 8;
    return k < 0 ? 0 : k;
  }();
  return n;
}

int& currentDevice() {
  thread_local int d = 0;
  return d;
}

}  // namespace cudart_standin

using namespace cudart_standin;

extern "C" {

// --- errors and versions -------------------------------------------------------------------------

cudaError_t cudaGetLastError(void) {
  const cudaError_t e = tLastError;
  tLastError = cudaSuccess;
  return e;
}

cudaError_t cudaPeekAtLastError(void) { return tLastError; }

const char* cudaGetErrorName(cudaError_t e) {
  switch (e) {
#define STANDIN_NAME(x) \
  case x:               \
    return #x;
    STANDIN_NAME(cudaSuccess)
    STANDIN_NAME(cudaErrorInvalidValue)
    STANDIN_NAME(cudaErrorMemoryAllocation)
    STANDIN_NAME(cudaErrorInvalidMemcpyDirection)
    STANDIN_NAME(cudaErrorInvalidDeviceFunction)
    STANDIN_NAME(cudaErrorNoDevice)
    STANDIN_NAME(cudaErrorInvalidDevice)
    STANDIN_NAME(cudaErrorNoKernelImageForDevice)
    STANDIN_NAME(cudaErrorInvalidResourceHandle)
    STANDIN_NAME(cudaErrorIllegalState)
    STANDIN_NAME(cudaErrorNotReady)
    STANDIN_NAME(cudaErrorHostMemoryAlreadyRegistered)
    STANDIN_NAME(cudaErrorHostMemoryNotRegistered)
    STANDIN_NAME(cudaErrorNotSupported)
    STANDIN_NAME(cudaErrorStreamCaptureUnsupported)
    STANDIN_NAME(cudaErrorStreamCaptureInvalidated)
    STANDIN_NAME(cudaErrorStreamCaptureImplicit)
    STANDIN_NAME(cudaErrorStreamCaptureWrongThread)
    STANDIN_NAME(cudaErrorPeerAccessAlreadyEnabled)
#undef STANDIN_NAME
    default:
      return "cudaErrorUnknown";
  }
}

const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess:
      return "no error";
    case cudaErrorInvalidValue:
      return "invalid argument";
    case cudaErrorMemoryAllocation:
      return "out of memory";
    case cudaErrorInvalidDevice:
      return "invalid device ordinal";
    case cudaErrorNoKernelImageForDevice:
      return "no kernel image is available for execution on the device (host CUDA stand-in: kernels cannot run)";
    case cudaErrorInvalidResourceHandle:
      return "invalid resource handle";
    case cudaErrorNotReady:
      return "device not ready";
    case cudaErrorStreamCaptureUnsupported:
      return "operation not permitted when stream is capturing";
    case cudaErrorStreamCaptureInvalidated:
      return "operation failed due to a previous error during capture";
    case cudaErrorStreamCaptureImplicit:
      return "operation would make the legacy stream depend on a capturing blocking stream";
    default:
      return cudaGetErrorName(e);
  }
}

cudaError_t cudaDriverGetVersion(int* v) {
  if (v == nullptr) return fail(cudaErrorInvalidValue);
  *v = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* v) { return cudaDriverGetVersion(v); }

// --- devices -------------------------------------------------------------------------------------

cudaError_t cudaGetDeviceCount(int* count) {
  if (count == nullptr) return fail(cudaErrorInvalidValue);
  *count = deviceCount();
  return deviceCount() == 0 ? fail(cudaErrorNoDevice) : cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  if (checkDevice(device) != cudaSuccess) return fail(cudaErrorInvalidDevice);
  currentDevice() = device;
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
  if (device == nullptr) return fail(cudaErrorInvalidValue);
  *device = currentDevice();
  return cudaSuccess;
}

cudaError_t cudaInitDevice(int device, unsigned int, unsigned int) { return fail(checkDevice(device)); }
cudaError_t cudaSetDeviceFlags(unsigned int) { return cudaSuccess; }
cudaError_t cudaGetDeviceFlags(unsigned int* flags) {
  if (flags == nullptr) return fail(cudaErrorInvalidValue);
  *flags = 0;
  return cudaSuccess;
}

cudaError_t cudaDeviceReset(void) {
  drainDevice(currentDevice());
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp* prop, int device) {
  if (prop == nullptr) return fail(cudaErrorInvalidValue);
  if (checkDevice(device) != cudaSuccess) return fail(cudaErrorInvalidDevice);
  *prop = cudaDeviceProp{};
  std::snprintf(prop->name, sizeof(prop->name), "ZipCCL host stand-in device %d (no GPU)", device);
  std::memset(prop->uuid.bytes, 0, sizeof(prop->uuid.bytes));
  prop->uuid.bytes[0] = static_cast<char>(device + 1);
  prop->totalGlobalMem = kDeviceMemoryBytes;
  prop->sharedMemPerBlock = 48 << 10;
  prop->sharedMemPerBlockOptin = 227 << 10;
  prop->warpSize = 32;
  prop->maxThreadsPerBlock = 1024;
  prop->maxThreadsDim[0] = prop->maxThreadsDim[1] = 1024;
  prop->maxThreadsDim[2] = 64;
  prop->maxGridSize[0] = 0x7FFFFFFF;
  prop->maxGridSize[1] = prop->maxGridSize[2] = 65535;
  prop->major = 9;
  prop->minor = 0;
  prop->multiProcessorCount = 1;
  prop->canMapHostMemory = 1;
  prop->concurrentKernels = 1;
  prop->pciBusID = device + 1;
  prop->pciDeviceID = 0;
  prop->pciDomainID = 0;
  prop->asyncEngineCount = 1;
  prop->unifiedAddressing = 1;
  prop->managedMemory = 1;
  prop->hostRegisterSupported = 1;
  prop->maxThreadsPerMultiProcessor = 2048;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, enum cudaDeviceAttr attr, int device) {
  if (value == nullptr) return fail(cudaErrorInvalidValue);
  if (checkDevice(device) != cudaSuccess) return fail(cudaErrorInvalidDevice);
  cudaDeviceProp p;
  cudaGetDeviceProperties(&p, device);
  switch (attr) {
    case cudaDevAttrComputeCapabilityMajor:
      *value = p.major;
      break;
    case cudaDevAttrComputeCapabilityMinor:
      *value = p.minor;
      break;
    case cudaDevAttrMultiProcessorCount:
      *value = p.multiProcessorCount;
      break;
    case cudaDevAttrWarpSize:
      *value = p.warpSize;
      break;
    case cudaDevAttrMaxThreadsPerBlock:
      *value = p.maxThreadsPerBlock;
      break;
    case cudaDevAttrPciBusId:
      *value = p.pciBusID;
      break;
    case cudaDevAttrPciDeviceId:
      *value = p.pciDeviceID;
      break;
    case cudaDevAttrPciDomainId:
      *value = p.pciDomainID;
      break;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin:
      *value = static_cast<int>(p.sharedMemPerBlockOptin);
      break;
    case cudaDevAttrUnifiedAddressing:
    case cudaDevAttrManagedMemory:
    case cudaDevAttrCanMapHostMemory:
    case cudaDevAttrConcurrentKernels:
    case cudaDevAttrHostRegisterSupported:
      *value = 1;
      break;
    case cudaDevAttrCooperativeLaunch:
    case cudaDevAttrConcurrentManagedAccess:
    case cudaDevAttrPageableMemoryAccess:
    case cudaDevAttrIntegrated:
    case cudaDevAttrComputeMode:
      *value = 0;
      break;
    default:
      *value = 0;
      return fail(cudaErrorInvalidValue);  // an attribute the stand-in does not model
  }
  return cudaSuccess;
}

cudaError_t cudaDeviceGetPCIBusId(char* id, int len, int device) {
  if (id == nullptr || len <= 0) return fail(cudaErrorInvalidValue);
  if (checkDevice(device) != cudaSuccess) return fail(cudaErrorInvalidDevice);
  std::snprintf(id, len, "00000000:%02X:00.0", device + 1);
  return cudaSuccess;
}

cudaError_t cudaDeviceGetByPCIBusId(int* device, const char* id) {
  if (device == nullptr || id == nullptr) return fail(cudaErrorInvalidValue);
  unsigned domain = 0, bus = 0;
  if (std::sscanf(id, "%x:%x", &domain, &bus) != 2 || checkDevice(static_cast<int>(bus) - 1) != cudaSuccess)
    return fail(cudaErrorInvalidDevice);
  *device = static_cast<int>(bus) - 1;
  return cudaSuccess;
}

cudaError_t cudaDeviceCanAccessPeer(int* can, int device, int peer) {
  if (can == nullptr) return fail(cudaErrorInvalidValue);
  if (checkDevice(device) != cudaSuccess || checkDevice(peer) != cudaSuccess) return fail(cudaErrorInvalidDevice);
  *can = device != peer;
  return cudaSuccess;
}

cudaError_t cudaDeviceEnablePeerAccess(int peer, unsigned int) { return fail(checkDevice(peer)); }

// --- kernels: registration accepted, launches refused ------------------------------------------------

void** __cudaRegisterFatBinary(void* fatCubin) {
  static void* handle = nullptr;
  (void)fatCubin;
  return &handle;
}
void __cudaRegisterFatBinaryEnd(void**) {}
void __cudaUnregisterFatBinary(void**) {}
void __cudaRegisterFunction(void**, const char* hostFun, char*, const char* deviceName, int, uint3*, uint3*, dim3*,
                            dim3*, int*) {
  std::lock_guard<std::mutex> l(kernelsMu());
  kernelNames()[hostFun] = deviceName != nullptr ? deviceName : "?";
}
void __cudaRegisterVar(void**, char*, char*, const char*, int, size_t, int, int) {}
void __cudaRegisterManagedVar(void**, void**, char*, const char*, int, size_t, int, int) {}
void __cudaRegisterHostVar(void**, const char*, char*, size_t) {}
char __cudaInitModule(void**) { return 0; }

unsigned __cudaPushCallConfiguration(dim3 grid, dim3 block, size_t shared, void* stream) {
  tCallConfig.push_back({grid, block, shared, stream});
  return 0;
}

cudaError_t __cudaPopCallConfiguration(dim3* grid, dim3* block, size_t* shared, void* stream) {
  if (tCallConfig.empty()) return fail(cudaErrorInvalidValue);
  const Pending p = tCallConfig.back();
  tCallConfig.pop_back();
  if (grid != nullptr) *grid = p.grid;
  if (block != nullptr) *block = p.block;
  if (shared != nullptr) *shared = p.shared;
  if (stream != nullptr) *static_cast<void**>(stream) = p.stream;
  return cudaSuccess;
}

cudaError_t cudaLaunchKernel(const void* func, dim3, dim3, void**, size_t, cudaStream_t) {
  std::string name = "unregistered function";
  {
    std::lock_guard<std::mutex> l(kernelsMu());
    auto it = kernelNames().find(func);
    if (it != kernelNames().end()) name = it->second;
  }
  std::fprintf(stderr, "cudart stand-in: kernel %s cannot run on a host stand-in device (no GPU)\n", name.c_str());
  return fail(cudaErrorNoKernelImageForDevice);
}

// CUDA 13's <<<...>>> path: the kernel handle is the host stub's address.
cudaError_t __cudaGetKernel(cudaKernel_t* kernel, const void* func) {
  if (kernel == nullptr) return fail(cudaErrorInvalidValue);
  *kernel = reinterpret_cast<cudaKernel_t>(const_cast<void*>(func));
  return cudaSuccess;
}

cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 grid, dim3 block, void** args, size_t shared,
                               cudaStream_t stream) {
  return cudaLaunchKernel(reinterpret_cast<const void*>(kernel), grid, block, args, shared, stream);
}

cudaError_t __cudaLaunchKernel_ptsz(cudaKernel_t kernel, dim3 grid, dim3 block, void** args, size_t shared,
                                    cudaStream_t stream) {
  return __cudaLaunchKernel(kernel, grid, block, args, shared, stream);
}

cudaError_t cudaFuncGetAttributes(struct cudaFuncAttributes* attr, const void*) {
  if (attr != nullptr) *attr = cudaFuncAttributes{};
  return fail(cudaErrorInvalidDeviceFunction);
}

}  // extern "C"
