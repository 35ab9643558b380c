#include "common/host_reduce.h"

#include <cstring>
#include <type_traits>

#include "common/dtype_size.h"
#include "common/float16.h"
#include "common/float8.h"
#include "common/reduce_ops.h"

namespace zccl {
namespace {

// Widening and narrowing of the element types whose accumulator is fp32.
float widen(zcclDataType_t dtype, const uint8_t* p) {
  switch (dtype) {
    case zcclFloat8e4m3:
      return fp8e4m3ToFloat(p[0]);
    case zcclFloat8e5m2:
      return fp8e5m2ToFloat(p[0]);
    default: {
      uint32_t x = 0;
      std::memcpy(&x, p, dtype == zcclFloat32 ? 4 : 2);
      return elementToFloat(dtype, x);
    }
  }
}

void narrow(zcclDataType_t dtype, float f, uint8_t* p) {
  switch (dtype) {
    case zcclFloat8e4m3:
      p[0] = floatToFp8e4m3(f);
      return;
    case zcclFloat8e5m2:
      p[0] = floatToFp8e5m2(f);
      return;
    default: {
      const uint32_t x = floatToElement(dtype, f);
      std::memcpy(p, &x, dtype == zcclFloat32 ? 4 : 2);
    }
  }
}

bool isFp32Accumulated(zcclDataType_t d) {
  return d == zcclFloat16 || d == zcclBfloat16 || d == zcclFloat32 || d == zcclFloat8e4m3 || d == zcclFloat8e5m2;
}

// The 16-bit and fp32 types with the op fixed at compile time: straight loops the compiler
// vectorizes (the generic path above decides dtype and op per element). Same arithmetic, so the
// same bits.
template <zcclDataType_t D>
float widenTyped(const uint8_t* p) {
  uint32_t x = 0;
  std::memcpy(&x, p, D == zcclFloat32 ? 4 : 2);
  return elementToFloat(D, x);
}

template <zcclDataType_t D, int O>
void addTypedFloat(bool first, const uint8_t* s, float* a, size_t n) {
  constexpr size_t eb = D == zcclFloat32 ? 4 : 2;
  if (first) {
    for (size_t i = 0; i < n; ++i) a[i] = widenTyped<D>(s + i * eb);
  } else {
    for (size_t i = 0; i < n; ++i) a[i] = reduceStep(O, a[i], widenTyped<D>(s + i * eb));
  }
}

template <zcclDataType_t D>
void narrowTyped(const float* a, float scale, bool divide, uint8_t* o, size_t n) {
  constexpr size_t eb = D == zcclFloat32 ? 4 : 2;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t x = floatToElement(D, divide ? a[i] / scale : a[i]);
    std::memcpy(o + i * eb, &x, eb);
  }
}

template <zcclDataType_t D>
bool addFastFor(zcclRedOp_t op, bool first, const uint8_t* s, float* a, size_t n) {
  switch (op) {
    case zcclSum:
    case zcclAvg:
      addTypedFloat<D, zcclSum>(first, s, a, n);
      return true;
    case zcclProd:
      addTypedFloat<D, zcclProd>(first, s, a, n);
      return true;
    case zcclMax:
      addTypedFloat<D, zcclMax>(first, s, a, n);
      return true;
    case zcclMin:
      addTypedFloat<D, zcclMin>(first, s, a, n);
      return true;
    default:
      return false;
  }
}

// False for the types without a fast path (fp8).
bool addFast(zcclDataType_t d, zcclRedOp_t op, bool first, const void* source, float* a, size_t n) {
  const uint8_t* s = static_cast<const uint8_t*>(source);
  switch (d) {
    case zcclBfloat16:
      return addFastFor<zcclBfloat16>(op, first, s, a, n);
    case zcclFloat16:
      return addFastFor<zcclFloat16>(op, first, s, a, n);
    case zcclFloat32:
      return addFastFor<zcclFloat32>(op, first, s, a, n);
    default:
      return false;
  }
}

// Rounds (after avg's division when `divide`); false for the types without a fast path.
bool narrowFast(zcclDataType_t d, const float* a, float scale, bool divide, void* out, size_t n) {
  uint8_t* o = static_cast<uint8_t*>(out);
  switch (d) {
    case zcclBfloat16:
      narrowTyped<zcclBfloat16>(a, scale, divide, o, n);
      return true;
    case zcclFloat16:
      narrowTyped<zcclFloat16>(a, scale, divide, o, n);
      return true;
    case zcclFloat32:
      narrowTyped<zcclFloat32>(a, scale, divide, o, n);
      return true;
    default:
      return false;
  }
}

template <class T>
T combine(zcclRedOp_t op, T acc, T v) {
  if constexpr (std::is_floating_point_v<T>) {  // fp64: the rules of reduce_ops.h in double
    switch (op) {
      case zcclProd:
        return acc * v;
      case zcclMax:
        return acc != acc ? acc : v != v ? v : (v > acc ? v : acc);
      case zcclMin:
        return acc != acc ? acc : v != v ? v : (v < acc ? v : acc);
      default:
        return acc + v;
    }
  } else {
    using U = std::make_unsigned_t<T>;  // wrap-around without signed overflow
    switch (op) {
      case zcclProd:
        return static_cast<T>(static_cast<U>(acc) * static_cast<U>(v));
      case zcclMax:
        return v > acc ? v : acc;
      case zcclMin:
        return v < acc ? v : acc;
      default:
        return static_cast<T>(static_cast<U>(acc) + static_cast<U>(v));
    }
  }
}

template <class T>
T finishValue(zcclRedOp_t op, T acc, int n) {
  if (op != zcclAvg) return acc;
  return static_cast<T>(acc / static_cast<T>(n));
}

size_t accBytes(zcclDataType_t d) { return isFp32Accumulated(d) ? 4 : dtypeBytes(d); }

template <class T>
void addTyped(zcclRedOp_t op, bool first, const void* src, void* acc, size_t count) {
  const T* s = static_cast<const T*>(src);
  T* a = static_cast<T*>(acc);
  for (size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, s + i, sizeof(T));
    a[i] = first ? v : combine(op, a[i], v);
  }
}

template <class T>
void finishTyped(zcclRedOp_t op, int n, const void* acc, void* out, size_t count) {
  const T* a = static_cast<const T*>(acc);
  for (size_t i = 0; i < count; ++i) {
    const T v = finishValue(op, a[i], n);
    std::memcpy(static_cast<uint8_t*>(out) + i * sizeof(T), &v, sizeof(T));
  }
}

template <class F>
void dispatchNative(zcclDataType_t d, F&& f) {
  switch (d) {
    case zcclInt8:
      f(int8_t{});
      break;
    case zcclUint8:
      f(uint8_t{});
      break;
    case zcclInt32:
      f(int32_t{});
      break;
    case zcclUint32:
      f(uint32_t{});
      break;
    case zcclInt64:
      f(int64_t{});
      break;
    case zcclUint64:
      f(uint64_t{});
      break;
    case zcclFloat64:
      f(double{});
      break;
    default:
      break;
  }
}

}  // namespace

void ReduceAccumulator::reset(zcclDataType_t dtype, zcclRedOp_t op, size_t count) {
  dtype_ = dtype;
  op_ = op;
  count_ = count;
  added_ = 0;
  acc_.resize(count * accBytes(dtype));  // the first add() overwrites every element
}

void ReduceAccumulator::add(const void* source) {
  const bool first = added_++ == 0;
  if (isFp32Accumulated(dtype_)) {
    float* a = reinterpret_cast<float*>(acc_.data());
    if (addFast(dtype_, op_, first, source, a, count_)) return;
    const uint8_t* s = static_cast<const uint8_t*>(source);
    const size_t eb = dtypeBytes(dtype_);
    for (size_t i = 0; i < count_; ++i) {
      const float v = widen(dtype_, s + i * eb);
      a[i] = first ? v : reduceStep(op_, a[i], v);
    }
    return;
  }
  dispatchNative(dtype_, [&](auto t) { addTyped<decltype(t)>(op_, first, source, acc_.data(), count_); });
}

void ReduceAccumulator::finish(int sources, void* out) const {
  if (isFp32Accumulated(dtype_)) {
    const float* a = reinterpret_cast<const float*>(acc_.data());
    if (narrowFast(dtype_, a, static_cast<float>(sources), op_ == zcclAvg, out, count_)) return;
    uint8_t* o = static_cast<uint8_t*>(out);
    const size_t eb = dtypeBytes(dtype_);
    for (size_t i = 0; i < count_; ++i) narrow(dtype_, reduceFinish(op_, a[i], sources), o + i * eb);
    return;
  }
  dispatchNative(dtype_, [&](auto t) { finishTyped<decltype(t)>(op_, sources, acc_.data(), out, count_); });
}

void ReduceAccumulator::partial(void* out) const {
  if (isFp32Accumulated(dtype_)) {
    const float* a = reinterpret_cast<const float*>(acc_.data());
    if (narrowFast(dtype_, a, 1.0f, false, out, count_)) return;
    uint8_t* o = static_cast<uint8_t*>(out);
    const size_t eb = dtypeBytes(dtype_);
    for (size_t i = 0; i < count_; ++i) narrow(dtype_, a[i], o + i * eb);
    return;
  }
  std::memcpy(out, acc_.data(), acc_.size());
}

void reduceBuffers(zcclDataType_t dtype, zcclRedOp_t op, const void* const* sources, int n, size_t count, void* out) {
  ReduceAccumulator acc(dtype, op, count);
  for (int s = 0; s < n; ++s) acc.add(sources[s]);
  acc.finish(n, out);
}

}  // namespace zccl
