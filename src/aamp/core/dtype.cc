#include "aamp/core/dtype.h"

#include <algorithm>
#include <cctype>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "aamp/core/error.h"

namespace aamp {

namespace {
struct DTypeInfo {
  DType t;
  const char* name;
  const char* enum_name;
  size_t size;
};
constexpr DTypeInfo kInfos[] = {
    {DType::kFloat, "float32", "DT_FLOAT", 4},
    {DType::kDouble, "float64", "DT_DOUBLE", 8},
    {DType::kInt32, "int32", "DT_INT32", 4},
    {DType::kUInt8, "uint8", "DT_UINT8", 1},
    {DType::kInt16, "int16", "DT_INT16", 2},
    {DType::kInt8, "int8", "DT_INT8", 1},
    {DType::kString, "string", "DT_STRING", 0},
    {DType::kComplex64, "complex64", "DT_COMPLEX64", 8},
    {DType::kInt64, "int64", "DT_INT64", 8},
    {DType::kBool, "bool", "DT_BOOL", 1},
    {DType::kQInt8, "qint8", "DT_QINT8", 1},
    {DType::kQUInt8, "quint8", "DT_QUINT8", 1},
    {DType::kQInt32, "qint32", "DT_QINT32", 4},
    {DType::kBFloat16, "bfloat16", "DT_BFLOAT16", 2},
    {DType::kQInt16, "qint16", "DT_QINT16", 2},
    {DType::kQUInt16, "quint16", "DT_QUINT16", 2},
    {DType::kUInt16, "uint16", "DT_UINT16", 2},
    {DType::kComplex128, "complex128", "DT_COMPLEX128", 16},
    {DType::kHalf, "float16", "DT_HALF", 2},
    {DType::kResource, "resource", "DT_RESOURCE", 0},
    {DType::kVariant, "variant", "DT_VARIANT", 0},
    {DType::kUInt32, "uint32", "DT_UINT32", 4},
    {DType::kUInt64, "uint64", "DT_UINT64", 8},
};
const DTypeInfo* find_info(DType t) {
  for (const auto& i : kInfos)
    if (i.t == t) return &i;
  return nullptr;
}
}  // namespace

const char* error_code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kParse:
      return "parse error";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kInvalidGraph:
      return "invalid graph";
    case ErrorCode::kUnimplemented:
      return "unimplemented";
    case ErrorCode::kIO:
      return "I/O error";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "error";
}

std::string dtype_name(DType t) {
  int32_t v = static_cast<int32_t>(t);
  if (v > kDTypeRefOffset) {
    const DTypeInfo* i = find_info(static_cast<DType>(v - kDTypeRefOffset));
    if (i) return std::string(i->name) + "_ref";
  }
  const DTypeInfo* i = find_info(t);
  return i ? i->name : "dtype(" + std::to_string(v) + ")";
}

std::optional<DType> parse_dtype(std::string_view s) {
  std::string l(s);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "fp32" || l == "float") return DType::kFloat;
  if (l == "bf16") return DType::kBFloat16;
  if (l == "fp16" || l == "half") return DType::kHalf;
  if (l == "fp64" || l == "double") return DType::kDouble;
  for (const auto& i : kInfos) {
    std::string en(i.enum_name);
    std::transform(en.begin(), en.end(), en.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (l == i.name || l == en) return i.t;
  }
  return std::nullopt;
}

size_t dtype_size(DType t) {
  const DTypeInfo* i = find_info(t);
  return i ? i->size : 0;
}
bool is_float(DType t) {
  return t == DType::kFloat || t == DType::kDouble || t == DType::kBFloat16 || t == DType::kHalf;
}
bool is_low_float(DType t) { return t == DType::kBFloat16 || t == DType::kHalf; }
bool is_integer(DType t) {
  switch (t) {
    case DType::kInt8:
    case DType::kInt16:
    case DType::kInt32:
    case DType::kInt64:
    case DType::kUInt8:
    case DType::kUInt16:
    case DType::kUInt32:
    case DType::kUInt64:
      return true;
    default:
      return false;
  }
}
bool is_valid_dtype_value(int32_t v) {
  if (v > kDTypeRefOffset) v -= kDTypeRefOffset;
  return find_info(static_cast<DType>(v)) != nullptr;
}

uint16_t float_to_half_bits(float f) {
  uint32_t u = f32_bits(f);
  uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((a >> 13) & 0x3ffu));  // NaN
  if (a >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow (>= 65520) or inf
  if (a < 0x38800000u) {
    // Result is subnormal or zero: value = a * 2^-24 units. Round to nearest even.
    if (a < 0x33000000u) return sign;  // < 2^-25 rounds to 0
    uint32_t exp = a >> 23;
    uint32_t mant = (a & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126 - exp;  // 14 + (113 - exp) - ... : exponent -14 subnormal base
    // value = mant * 2^(exp-150); half subnormal unit = 2^-24 -> q = mant * 2^(exp-126)
    uint32_t q = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1u);
    uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;
    return static_cast<uint16_t>(sign | q);
  }
  // Normal: rebias exponent 127 -> 15 and round the 13 dropped mantissa bits to nearest even.
  uint32_t r = a - 0x38000000u;  // exponent - 112
  uint32_t lsb = (r >> 13) & 1u;
  r += 0xfffu + lsb;
  return static_cast<uint16_t>(sign | (r >> 13));
}

float half_bits_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return f32_from_bits(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    if (mant == 0) return f32_from_bits(sign);
    // subnormal: mant * 2^-24
    float v = static_cast<float>(mant) * 5.9604644775390625e-08f;
    return sign ? -v : v;
  }
  return f32_from_bits(sign | ((exp + 112u) << 23) | (mant << 13));
}

namespace {

#if defined(__x86_64__)
// Eight halves per instruction; the tail element by element.
__attribute__((target("avx,f16c"))) void widen_half_f16c(const uint16_t* in, float* out,
                                                         int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i) out[i] = half_bits_to_float(in[i]);
}

// AVX usable (the OS saves the YMM state: the builtin checks) and F16C (CPUID.1:ECX bit 29).
bool cpu_has_f16c() {
  static const bool has = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    return __builtin_cpu_supports("avx") && __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29));
  }();
  return has;
}
#endif

}  // namespace

void widen_to_float(DType from, const void* in, float* out, int64_t n) {
  const auto* bits = static_cast<const uint16_t*>(in);
  if (from == DType::kBFloat16) {
    for (int64_t i = 0; i < n; ++i) out[i] = bf16_bits_to_float(bits[i]);
    return;
  }
  if (from != DType::kHalf)
    throw Error(ErrorCode::kInvalidArgument,
                "widen_to_float: " + dtype_name(from) + " is not float16 or bfloat16");
#if defined(__x86_64__)
  if (cpu_has_f16c()) return widen_half_f16c(bits, out, n);
#endif
  for (int64_t i = 0; i < n; ++i) out[i] = half_bits_to_float(bits[i]);
}

}  // namespace aamp
