// TEST STAND-IN: NCCL's reduction operators on the host (reduce_ops.h). Conversions for half,
// bfloat16 and fp8 come from the CUDA toolkit's own headers (host code paths), not from ZipCCL,
// so the stand-in does not share ZipCCL's conversion code.
#include "reduce_ops.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <cmath>
#include <cstring>
#include <type_traits>

namespace nccl_standin {
namespace {

// Storage type S, computed in C.
template <class S>
struct Traits {
  using C = S;
  static C load(S v) { return v; }
  static S store(C v) { return v; }
};
template <>
struct Traits<__half> {
  using C = float;
  static C load(__half v) { return __half2float(v); }
  static __half store(C v) { return __float2half_rn(v); }
};
template <>
struct Traits<__nv_bfloat16> {
  using C = float;
  static C load(__nv_bfloat16 v) { return __bfloat162float(v); }
  static __nv_bfloat16 store(C v) { return __float2bfloat16_rn(v); }
};
template <>
struct Traits<__nv_fp8_e4m3> {
  using C = float;
  static C load(__nv_fp8_e4m3 v) { return static_cast<float>(v); }
  static __nv_fp8_e4m3 store(C v) { return __nv_fp8_e4m3(v); }
};
template <>
struct Traits<__nv_fp8_e5m2> {
  using C = float;
  static C load(__nv_fp8_e5m2 v) { return static_cast<float>(v); }
  static __nv_fp8_e5m2 store(C v) { return __nv_fp8_e5m2(v); }
};

template <class C>
C wrapAdd(C a, C b) {
  if constexpr (std::is_integral_v<C>) {
    using U = std::make_unsigned_t<C>;
    return static_cast<C>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <class C>
C wrapMul(C a, C b) {
  if constexpr (std::is_integral_v<C>) {
    using U = std::make_unsigned_t<std::conditional_t<sizeof(C) < sizeof(int), int, C>>;
    return static_cast<C>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}

template <class C>
C combine(Kind k, C a, C b) {
  switch (k) {
    case Kind::kProd:
      return wrapMul(a, b);
    case Kind::kMax:
      if constexpr (std::is_floating_point_v<C>) return std::fmax(a, b);
      return a > b ? a : b;
    case Kind::kMin:
      if constexpr (std::is_floating_point_v<C>) return std::fmin(a, b);
      return a < b ? a : b;
    default:
      return wrapAdd(a, b);
  }
}

template <class S>
void reduceTyped(const Reduction& r, const void* const* in, int n, size_t count, void* out) {
  using T = Traits<S>;
  using C = typename T::C;
  S scalar;
  std::memcpy(&scalar, r.scalar, sizeof(S));
  const C mul = T::load(scalar);
  for (size_t i = 0; i < count; ++i) {
    S acc{};
    for (int s = 0; s < n; ++s) {
      S v;
      std::memcpy(&v, static_cast<const uint8_t*>(in[s]) + i * sizeof(S), sizeof(S));
      if (r.kind == Kind::kPreMulSum) v = T::store(wrapMul(T::load(v), mul));
      acc = s == 0 ? v : T::store(combine(r.kind, T::load(acc), T::load(v)));
    }
    if (r.kind == Kind::kSumPostDiv) {
      if constexpr (std::is_integral_v<C>) acc = static_cast<S>(acc / static_cast<C>(r.divisor));
    }
    std::memcpy(static_cast<uint8_t*>(out) + i * sizeof(S), &acc, sizeof(S));
  }
}

template <class S>
void storeScalar(Reduction* r, double v) {
  const S s = Traits<S>::store(static_cast<typename Traits<S>::C>(v));
  std::memcpy(r->scalar, &s, sizeof(S));
}

}  // namespace

size_t typeBytes(ncclDataType_t t) {
  switch (t) {
    case ncclInt8:
    case ncclUint8:
    case ncclFloat8e4m3:
    case ncclFloat8e5m2:
      return 1;
    case ncclFloat16:
    case ncclBfloat16:
      return 2;
    case ncclInt32:
    case ncclUint32:
    case ncclFloat32:
      return 4;
    case ncclInt64:
    case ncclUint64:
    case ncclFloat64:
      return 8;
    default:
      return 0;
  }
}

Reduction builtinReduction(ncclRedOp_t op, ncclDataType_t type, int nranks) {
  Reduction r;
  r.type = type;
  const bool integer = type <= ncclUint64;
  switch (op) {
    case ncclProd:
      r.kind = Kind::kProd;
      break;
    case ncclMax:
      r.kind = Kind::kMax;
      break;
    case ncclMin:
      r.kind = Kind::kMin;
      break;
    case ncclAvg:
      if (integer) {
        r.kind = Kind::kSumPostDiv;
        r.divisor = static_cast<uint64_t>(nranks);
        break;
      }
      r.kind = Kind::kPreMulSum;
      switch (type) {
        case ncclFloat16:
          storeScalar<__half>(&r, 1.0f / nranks);
          break;
        case ncclBfloat16:
          storeScalar<__nv_bfloat16>(&r, 1.0f / nranks);
          break;
        case ncclFloat8e4m3:
          storeScalar<__nv_fp8_e4m3>(&r, 1.0f / nranks);
          break;
        case ncclFloat8e5m2:
          storeScalar<__nv_fp8_e5m2>(&r, 1.0f / nranks);
          break;
        case ncclFloat32:
          storeScalar<float>(&r, static_cast<float>(1.0 / nranks));
          break;
        default:
          storeScalar<double>(&r, 1.0 / nranks);
          break;
      }
      break;
    default:
      r.kind = Kind::kSum;
      break;
  }
  return r;
}

void reduce(const Reduction& r, const void* const* in, int n, size_t count, void* out) {
  switch (r.type) {
    case ncclInt8:
      return reduceTyped<int8_t>(r, in, n, count, out);
    case ncclUint8:
      return reduceTyped<uint8_t>(r, in, n, count, out);
    case ncclInt32:
      return reduceTyped<int32_t>(r, in, n, count, out);
    case ncclUint32:
      return reduceTyped<uint32_t>(r, in, n, count, out);
    case ncclInt64:
      return reduceTyped<int64_t>(r, in, n, count, out);
    case ncclUint64:
      return reduceTyped<uint64_t>(r, in, n, count, out);
    case ncclFloat16:
      return reduceTyped<__half>(r, in, n, count, out);
    case ncclFloat32:
      return reduceTyped<float>(r, in, n, count, out);
    case ncclFloat64:
      return reduceTyped<double>(r, in, n, count, out);
    case ncclBfloat16:
      return reduceTyped<__nv_bfloat16>(r, in, n, count, out);
    case ncclFloat8e4m3:
      return reduceTyped<__nv_fp8_e4m3>(r, in, n, count, out);
    case ncclFloat8e5m2:
      return reduceTyped<__nv_fp8_e5m2>(r, in, n, count, out);
    default:
      return;
  }
}

}  // namespace nccl_standin
