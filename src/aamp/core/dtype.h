// Data types with TensorFlow's DataType enum values, and the 16-bit float conversions.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aamp {

// Values are TensorFlow's DataType enum (types.proto), so they go to and from the wire as is.
enum class DType : int32_t {
  kInvalid = 0,
  kFloat = 1,
  kDouble = 2,
  kInt32 = 3,
  kUInt8 = 4,
  kInt16 = 5,
  kInt8 = 6,
  kString = 7,
  kComplex64 = 8,
  kInt64 = 9,
  kBool = 10,
  kQInt8 = 11,
  kQUInt8 = 12,
  kQInt32 = 13,
  kBFloat16 = 14,
  kQInt16 = 15,
  kQUInt16 = 16,
  kUInt16 = 17,
  kComplex128 = 18,
  kHalf = 19,
  kResource = 20,
  kVariant = 21,
  kUInt32 = 22,
  kUInt64 = 23,
};

// TF's reference dtypes are the value types + 100; we keep the raw value where it matters.
constexpr int32_t kDTypeRefOffset = 100;

// "float32", "bfloat16", ... (TF's python names). Unknown values print as "dtype(<n>)".
std::string dtype_name(DType t);
// Accepts python names ("float32", "bfloat16", "half"), TF enum names ("DT_FLOAT") and short
// forms ("fp32", "bf16", "fp16"). Returns nullopt when unknown.
std::optional<DType> parse_dtype(std::string_view s);
// Size in bytes of one element; 0 for string/resource/variant/invalid.
size_t dtype_size(DType t);
bool is_float(DType t);      // half, bfloat16, float, double
bool is_low_float(DType t);  // half, bfloat16
bool is_integer(DType t);
bool is_valid_dtype_value(int32_t v);
// float32, bfloat16, float16: what mixed-precision ops and kernels take. A function, not a
// namespace-scope vector, so that registrations at static-initialisation time can read it.
inline std::vector<DType> amp_float_types() {
  return {DType::kFloat, DType::kBFloat16, DType::kHalf};
}

// ---- 16-bit floats -------------------------------------------------------------------------
struct bfloat16 {
  uint16_t bits = 0;
};
struct float16 {
  uint16_t bits = 0;
};

inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// float32 -> bfloat16, round to nearest even; NaN stays (quiet) NaN with its sign.
// Written as a select, not an early return, so that loops converting arrays vectorize.
inline uint16_t float_to_bf16_bits(float f) {
  const uint32_t u = f32_bits(f);
  const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  const uint32_t quiet_nan = (u >> 16) | 0x0040u;
  return static_cast<uint16_t>((u & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
}
inline float bf16_bits_to_float(uint16_t b) {
  return f32_from_bits(static_cast<uint32_t>(b) << 16);
}

// float32 -> IEEE binary16, round to nearest even; overflow -> inf; subnormals handled.
uint16_t float_to_half_bits(float f);
float half_bits_to_float(uint16_t h);

// float16 / bfloat16 elements widened to float32 (exact; F16C vector instructions where the CPU
// has them). `from` must be kHalf or kBFloat16; throws Error(kInvalidArgument) otherwise.
void widen_to_float(DType from, const void* in, float* out, int64_t n);

inline bfloat16 to_bf16(float f) { return {float_to_bf16_bits(f)}; }
inline float to_float(bfloat16 b) { return bf16_bits_to_float(b.bits); }
inline float16 to_half(float f) { return {float_to_half_bits(f)}; }
inline float to_float(float16 h) { return half_bits_to_float(h.bits); }
inline float to_float(float f) { return f; }
inline float to_float(double d) { return static_cast<float>(d); }

// C++ type <-> DType.
template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::kFloat;
};
template <>
struct DTypeOf<double> {
  static constexpr DType value = DType::kDouble;
};
template <>
struct DTypeOf<bfloat16> {
  static constexpr DType value = DType::kBFloat16;
};
template <>
struct DTypeOf<float16> {
  static constexpr DType value = DType::kHalf;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::kInt32;
};
template <>
struct DTypeOf<int64_t> {
  static constexpr DType value = DType::kInt64;
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr DType value = DType::kUInt8;
};
template <>
struct DTypeOf<int8_t> {
  static constexpr DType value = DType::kInt8;
};
template <>
struct DTypeOf<int16_t> {
  static constexpr DType value = DType::kInt16;
};
template <>
struct DTypeOf<uint16_t> {
  static constexpr DType value = DType::kUInt16;
};
template <>
struct DTypeOf<bool> {
  static constexpr DType value = DType::kBool;
};

// Converts any supported scalar to/from float (for reference kernels computing in float32).
template <typename T>
inline T from_float(float f) {
  if constexpr (std::is_same_v<T, bfloat16>)
    return to_bf16(f);
  else if constexpr (std::is_same_v<T, float16>)
    return to_half(f);
  else
    return static_cast<T>(f);
}
template <typename T>
inline float as_float(T v) {
  if constexpr (std::is_same_v<T, bfloat16> || std::is_same_v<T, float16>)
    return to_float(v);
  else
    return static_cast<float>(v);
}

}  // namespace aamp
