// The one place where a runtime DType turns into a C++ type. Use these instead of writing
// per-dtype branches:
//   dispatch_float(t.dtype(), [&](auto tag) { using T = typename decltype(tag)::type; ... });
#pragma once

#include <type_traits>

#include "aamp/core/dtype.h"
#include "aamp/core/error.h"

namespace aamp {

template <typename T>
struct TypeTag {
  using type = T;
};

// float, double, bfloat16, half.
template <typename F>
decltype(auto) dispatch_float(DType t, F&& f) {
  switch (t) {
    case DType::kFloat:
      return f(TypeTag<float>{});
    case DType::kBFloat16:
      return f(TypeTag<bfloat16>{});
    case DType::kHalf:
      return f(TypeTag<float16>{});
    case DType::kDouble:
      return f(TypeTag<double>{});
    default:
      throw Error(ErrorCode::kUnimplemented, "unsupported float dtype " + dtype_name(t));
  }
}

// Integer types (int8..int64, uint8, uint16, bool counted as integer-like).
template <typename F>
decltype(auto) dispatch_int(DType t, F&& f) {
  switch (t) {
    case DType::kInt32:
      return f(TypeTag<int32_t>{});
    case DType::kInt64:
      return f(TypeTag<int64_t>{});
    case DType::kUInt8:
      return f(TypeTag<uint8_t>{});
    case DType::kInt8:
      return f(TypeTag<int8_t>{});
    case DType::kInt16:
      return f(TypeTag<int16_t>{});
    case DType::kUInt16:
      return f(TypeTag<uint16_t>{});
    case DType::kBool:
      return f(TypeTag<bool>{});
    default:
      throw Error(ErrorCode::kUnimplemented, "unsupported integer dtype " + dtype_name(t));
  }
}

// Any numeric dtype (float or integer).
template <typename F>
decltype(auto) dispatch_numeric(DType t, F&& f) {
  if (is_float(t)) return dispatch_float(t, std::forward<F>(f));
  return dispatch_int(t, std::forward<F>(f));
}

}  // namespace aamp
