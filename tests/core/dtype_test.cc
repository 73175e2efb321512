// DType names/sizes and the bfloat16 / float16 conversions: exhaustive over all 65,536 bit
// patterns, every round-to-nearest-even tie, and the edge cases (overflow, subnormals, zeros).
#include "aamp/core/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "aamp/core/error.h"

namespace aamp {
namespace {

bool half_is_nan(uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x03ffu) != 0; }
bool bf16_is_nan(uint16_t b) { return (b & 0x7f80u) == 0x7f80u && (b & 0x007fu) != 0; }

// Independent reference decoders (exact in double).
double half_reference(uint16_t h) {
  int sign = (h & 0x8000u) ? -1 : 1;
  int exp = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  if (exp == 0x1f) return mant ? std::nan("") : sign * std::numeric_limits<double>::infinity();
  if (exp == 0) return sign * std::ldexp(mant, -24);
  return sign * std::ldexp(1024 + mant, exp - 25);
}
double bf16_reference(uint16_t b) {
  int sign = (b & 0x8000u) ? -1 : 1;
  int exp = (b >> 7) & 0xff;
  int mant = b & 0x7f;
  if (exp == 0xff) return mant ? std::nan("") : sign * std::numeric_limits<double>::infinity();
  if (exp == 0) return sign * std::ldexp(mant, -133);
  return sign * std::ldexp(128 + mant, exp - 134);
}

float next_up(float f) { return std::nextafter(f, std::numeric_limits<float>::infinity()); }
float next_down(float f) { return std::nextafter(f, -std::numeric_limits<float>::infinity()); }

TEST(Float16, DecodeMatchesReferenceForAllPatterns) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    float f = half_bits_to_float(static_cast<uint16_t>(h));
    double ref = half_reference(static_cast<uint16_t>(h));
    if (std::isnan(ref)) {
      EXPECT_TRUE(std::isnan(f)) << "pattern 0x" << std::hex << h;
    } else {
      ASSERT_EQ(static_cast<double>(f), ref) << "pattern 0x" << std::hex << h;
      ASSERT_EQ(std::signbit(f), (h & 0x8000u) != 0) << "pattern 0x" << std::hex << h;
    }
  }
}

TEST(Float16, RoundTripIsIdentityForAllNonNaNPatterns) {
  int nans = 0;
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    uint16_t bits = static_cast<uint16_t>(h);
    float f = half_bits_to_float(bits);
    uint16_t back = float_to_half_bits(f);
    if (half_is_nan(bits)) {
      ++nans;
      EXPECT_TRUE(std::isnan(f));
      EXPECT_TRUE(half_is_nan(back)) << "NaN 0x" << std::hex << h << " became 0x" << back;
      EXPECT_EQ(back & 0x8000u, bits & 0x8000u) << "NaN sign lost for 0x" << std::hex << h;
    } else {
      ASSERT_EQ(back, bits) << "pattern 0x" << std::hex << h;
    }
  }
  EXPECT_EQ(nans, 2 * 1023);
}

TEST(BFloat16, DecodeMatchesReferenceForAllPatterns) {
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    float f = bf16_bits_to_float(static_cast<uint16_t>(b));
    double ref = bf16_reference(static_cast<uint16_t>(b));
    if (std::isnan(ref)) {
      EXPECT_TRUE(std::isnan(f)) << "pattern 0x" << std::hex << b;
    } else {
      ASSERT_EQ(static_cast<double>(f), ref) << "pattern 0x" << std::hex << b;
    }
  }
}

TEST(BFloat16, RoundTripIsIdentityForAllNonNaNPatterns) {
  int nans = 0;
  for (uint32_t b = 0; b <= 0xffff; ++b) {
    uint16_t bits = static_cast<uint16_t>(b);
    float f = bf16_bits_to_float(bits);
    uint16_t back = float_to_bf16_bits(f);
    if (bf16_is_nan(bits)) {
      ++nans;
      EXPECT_TRUE(bf16_is_nan(back)) << "NaN 0x" << std::hex << b << " became 0x" << back;
      EXPECT_EQ(back & 0x8000u, bits & 0x8000u);
    } else {
      ASSERT_EQ(back, bits) << "pattern 0x" << std::hex << b;
    }
  }
  EXPECT_EQ(nans, 2 * 127);
}

// For every pair of adjacent finite positive values (lo, hi): the exact midpoint rounds to the
// one with an even last bit, and one float ulp either side of it rounds to the nearer one. The
// midpoint needs at most 12 (fp16) / 9 (bf16) significant bits, so it is exact in float. Also
// checks the negative side.
template <typename Decode, typename Encode>
void check_all_ties(uint16_t max_finite, double beyond_max, Decode decode, Encode encode) {
  for (uint32_t lo = 0; lo <= max_finite; ++lo) {
    uint16_t l = static_cast<uint16_t>(lo);
    uint16_t h = static_cast<uint16_t>(lo + 1);
    double lo_v = decode(l);
    double hi_v = lo == max_finite ? beyond_max : decode(h);
    float mid = static_cast<float>((lo_v + hi_v) / 2);
    ASSERT_EQ(static_cast<double>(mid), (lo_v + hi_v) / 2) << "midpoint not exact at 0x" << lo;
    uint16_t even = (l & 1u) ? h : l;
    ASSERT_EQ(encode(mid), even) << "tie above 0x" << std::hex << lo;
    ASSERT_EQ(encode(next_down(mid)), l) << "below tie above 0x" << std::hex << lo;
    ASSERT_EQ(encode(next_up(mid)), h) << "above tie above 0x" << std::hex << lo;
    ASSERT_EQ(encode(-mid), static_cast<uint16_t>(even | 0x8000u)) << "negative tie 0x" << lo;
  }
}

TEST(Float16, EveryTieRoundsToEven) {
  check_all_ties(0x7bff, 65536.0, half_reference, [](float f) { return float_to_half_bits(f); });
}

TEST(BFloat16, EveryTieRoundsToEven) {
  check_all_ties(0x7f7f, std::ldexp(1.0, 128), bf16_reference,
                 [](float f) { return float_to_bf16_bits(f); });
}

TEST(Float16, EdgeCases) {
  // Halfway cases both ways around 1.0 (ulp 2^-10).
  EXPECT_EQ(float_to_half_bits(1.0f + std::ldexp(1.0f, -11)), 0x3c00u);      // tie -> even (down)
  EXPECT_EQ(float_to_half_bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02u);  // tie -> even (up)
  // Largest finite and overflow.
  EXPECT_EQ(float_to_half_bits(65504.0f), 0x7bffu);
  EXPECT_EQ(float_to_half_bits(next_down(65520.0f)), 0x7bffu);
  EXPECT_EQ(float_to_half_bits(65520.0f), 0x7c00u);
  EXPECT_EQ(float_to_half_bits(-65520.0f), 0xfc00u);
  EXPECT_EQ(float_to_half_bits(1e10f), 0x7c00u);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::max()), 0x7c00u);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::infinity()), 0x7c00u);
  EXPECT_EQ(float_to_half_bits(-std::numeric_limits<float>::infinity()), 0xfc00u);
  EXPECT_EQ(half_bits_to_float(0x7bff), 65504.0f);
  // Subnormals: min subnormal 2^-24; 2^-25 is the tie between 0 and it.
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -24)), 0x0001u);
  EXPECT_EQ(half_bits_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -25)), 0x0000u);
  EXPECT_EQ(float_to_half_bits(next_up(std::ldexp(1.0f, -25))), 0x0001u);
  EXPECT_EQ(float_to_half_bits(-std::ldexp(1.0f, -25)), 0x8000u);
  EXPECT_EQ(float_to_half_bits(3 * std::ldexp(1.0f, -25)), 0x0002u);  // 1.5 units -> 2
  EXPECT_EQ(float_to_half_bits(5 * std::ldexp(1.0f, -25)), 0x0002u);  // 2.5 units -> 2
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -26)), 0x0000u);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::denorm_min()), 0x0000u);
  EXPECT_EQ(float_to_half_bits(1023 * std::ldexp(1.0f, -24)), 0x03ffu);  // largest subnormal
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0f, -14)), 0x0400u);         // smallest normal
  EXPECT_EQ(float_to_half_bits(2047 * std::ldexp(1.0f, -25)), 0x0400u);  // rounds up into normal
  // Signed zero.
  EXPECT_EQ(float_to_half_bits(0.0f), 0x0000u);
  EXPECT_EQ(float_to_half_bits(-0.0f), 0x8000u);
  EXPECT_TRUE(std::signbit(half_bits_to_float(0x8000)));
  EXPECT_EQ(half_bits_to_float(0x8000), 0.0f);
  // NaN, including a signalling NaN whose payload lives only in the low bits.
  EXPECT_TRUE(half_is_nan(float_to_half_bits(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(half_is_nan(float_to_half_bits(f32_from_bits(0x7f800001u))));
  EXPECT_EQ(float_to_half_bits(f32_from_bits(0xff800001u)) & 0x8000u, 0x8000u);
  // Ordinary values.
  EXPECT_EQ(float_to_half_bits(1.0f), 0x3c00u);
  EXPECT_EQ(float_to_half_bits(-2.0f), 0xc000u);
  EXPECT_EQ(float_to_half_bits(0.1f), 0x2e66u);
}

TEST(BFloat16, EdgeCases) {
  EXPECT_EQ(float_to_bf16_bits(1.0f), 0x3f80u);
  EXPECT_EQ(float_to_bf16_bits(1.0f + std::ldexp(1.0f, -8)), 0x3f80u);      // tie -> even (down)
  EXPECT_EQ(float_to_bf16_bits(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82u);  // tie -> even (up)
  EXPECT_EQ(float_to_bf16_bits(next_up(1.0f + std::ldexp(1.0f, -8))), 0x3f81u);
  EXPECT_EQ(float_to_bf16_bits(0.1f), 0x3dcdu);
  // Largest finite; FLT_MAX is above the last tie and overflows to inf.
  EXPECT_EQ(bf16_bits_to_float(0x7f7f), std::ldexp(255.0f, 120));
  EXPECT_EQ(float_to_bf16_bits(std::ldexp(255.0f, 120)), 0x7f7fu);
  EXPECT_EQ(float_to_bf16_bits(std::numeric_limits<float>::max()), 0x7f80u);
  EXPECT_EQ(float_to_bf16_bits(-std::numeric_limits<float>::max()), 0xff80u);
  EXPECT_EQ(float_to_bf16_bits(std::numeric_limits<float>::infinity()), 0x7f80u);
  // Subnormals keep float's exponent range: ties at the bottom go to even.
  EXPECT_EQ(float_to_bf16_bits(f32_from_bits(0x00010000u)), 0x0001u);
  EXPECT_EQ(float_to_bf16_bits(f32_from_bits(0x00008000u)), 0x0000u);
  EXPECT_EQ(float_to_bf16_bits(f32_from_bits(0x00008001u)), 0x0001u);
  EXPECT_EQ(float_to_bf16_bits(f32_from_bits(0x00018000u)), 0x0002u);
  EXPECT_EQ(float_to_bf16_bits(std::numeric_limits<float>::denorm_min()), 0x0000u);
  // Signed zero.
  EXPECT_EQ(float_to_bf16_bits(-0.0f), 0x8000u);
  EXPECT_TRUE(std::signbit(bf16_bits_to_float(0x8000)));
  // A signalling NaN must not truncate to inf.
  EXPECT_TRUE(bf16_is_nan(float_to_bf16_bits(f32_from_bits(0x7f800001u))));
  EXPECT_TRUE(bf16_is_nan(float_to_bf16_bits(f32_from_bits(0xffc00000u))));
  EXPECT_EQ(float_to_bf16_bits(f32_from_bits(0xff800001u)) & 0x8000u, 0x8000u);
}

// widen_to_float (the vector path where the CPU has F16C, then the tail) decodes every pattern
// as the references do, whatever the length and the start's alignment.
TEST(WidenToFloat, EveryPatternAtEveryTailLength) {
  std::vector<uint16_t> bits(0x10000 + 9);
  for (size_t i = 0; i < bits.size(); ++i) bits[i] = static_cast<uint16_t>(i & 0xffff);
  for (DType t : {DType::kHalf, DType::kBFloat16}) {
    for (int64_t start : {0, 1, 3}) {
      for (int64_t n : {int64_t{0}, int64_t{5}, int64_t{8}, int64_t{15}, int64_t{0x10000}}) {
        std::vector<float> out(static_cast<size_t>(n) + 1, -7.0f);
        widen_to_float(t, bits.data() + start, out.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          const uint16_t h = bits[static_cast<size_t>(start + i)];
          const double ref = t == DType::kHalf ? half_reference(h) : bf16_reference(h);
          const float f = out[static_cast<size_t>(i)];
          if (std::isnan(ref)) {
            ASSERT_TRUE(std::isnan(f)) << dtype_name(t) << " 0x" << std::hex << h;
          } else {
            ASSERT_EQ(static_cast<double>(f), ref) << dtype_name(t) << " 0x" << std::hex << h;
            ASSERT_EQ(std::signbit(f), (h & 0x8000u) != 0) << dtype_name(t) << " 0x" << h;
          }
        }
        EXPECT_EQ(out[static_cast<size_t>(n)], -7.0f) << "wrote past n = " << n;
      }
    }
  }
  float f = 0;
  EXPECT_THROW(widen_to_float(DType::kFloat, &f, &f, 1), Error);
}

TEST(Float16Types, WrappersAndGenericHelpers) {
  EXPECT_EQ(to_bf16(1.5f).bits, 0x3fc0u);
  EXPECT_EQ(to_float(bfloat16{0x3fc0}), 1.5f);
  EXPECT_EQ(to_half(1.5f).bits, 0x3e00u);
  EXPECT_EQ(to_float(float16{0x3e00}), 1.5f);
  EXPECT_EQ(from_float<bfloat16>(2.0f).bits, 0x4000u);
  EXPECT_EQ(from_float<float16>(2.0f).bits, 0x4000u);
  EXPECT_EQ(from_float<int32_t>(3.0f), 3);
  EXPECT_EQ(as_float(float16{0xc000}), -2.0f);
  EXPECT_EQ(as_float(int64_t{7}), 7.0f);
  EXPECT_EQ(DTypeOf<bfloat16>::value, DType::kBFloat16);
  EXPECT_EQ(DTypeOf<float16>::value, DType::kHalf);
  EXPECT_EQ(DTypeOf<int64_t>::value, DType::kInt64);
}

TEST(DTypeNames, NamesAndEnumValues) {
  EXPECT_EQ(static_cast<int>(DType::kFloat), 1);
  EXPECT_EQ(static_cast<int>(DType::kBFloat16), 14);
  EXPECT_EQ(static_cast<int>(DType::kHalf), 19);
  EXPECT_EQ(dtype_name(DType::kFloat), "float32");
  EXPECT_EQ(dtype_name(DType::kBFloat16), "bfloat16");
  EXPECT_EQ(dtype_name(DType::kHalf), "float16");
  EXPECT_EQ(dtype_name(DType::kDouble), "float64");
  EXPECT_EQ(dtype_name(DType::kInt64), "int64");
  EXPECT_EQ(dtype_name(DType::kBool), "bool");
  EXPECT_EQ(dtype_name(DType::kString), "string");
  EXPECT_EQ(dtype_name(static_cast<DType>(101)), "float32_ref");
  EXPECT_EQ(dtype_name(static_cast<DType>(99)), "dtype(99)");
  EXPECT_EQ(dtype_name(DType::kInvalid), "dtype(0)");
}

TEST(DTypeNames, Parse) {
  EXPECT_EQ(parse_dtype("float32"), DType::kFloat);
  EXPECT_EQ(parse_dtype("fp32"), DType::kFloat);
  EXPECT_EQ(parse_dtype("float"), DType::kFloat);
  EXPECT_EQ(parse_dtype("DT_FLOAT"), DType::kFloat);
  EXPECT_EQ(parse_dtype("bfloat16"), DType::kBFloat16);
  EXPECT_EQ(parse_dtype("bf16"), DType::kBFloat16);
  EXPECT_EQ(parse_dtype("BF16"), DType::kBFloat16);
  EXPECT_EQ(parse_dtype("dt_bfloat16"), DType::kBFloat16);
  EXPECT_EQ(parse_dtype("float16"), DType::kHalf);
  EXPECT_EQ(parse_dtype("half"), DType::kHalf);
  EXPECT_EQ(parse_dtype("fp16"), DType::kHalf);
  EXPECT_EQ(parse_dtype("DT_HALF"), DType::kHalf);
  EXPECT_EQ(parse_dtype("double"), DType::kDouble);
  EXPECT_EQ(parse_dtype("int8"), DType::kInt8);
  EXPECT_EQ(parse_dtype("uint64"), DType::kUInt64);
  EXPECT_FALSE(parse_dtype("").has_value());
  EXPECT_FALSE(parse_dtype("float8").has_value());
  EXPECT_FALSE(parse_dtype("bf").has_value());
  EXPECT_FALSE(parse_dtype("float32 ").has_value());
  // Every named dtype parses back from its name.
  for (int v = 1; v <= 23; ++v) {
    DType t = static_cast<DType>(v);
    EXPECT_EQ(parse_dtype(dtype_name(t)), t) << dtype_name(t);
  }
}

TEST(DTypeNames, SizesAndClasses) {
  EXPECT_EQ(dtype_size(DType::kFloat), 4u);
  EXPECT_EQ(dtype_size(DType::kDouble), 8u);
  EXPECT_EQ(dtype_size(DType::kBFloat16), 2u);
  EXPECT_EQ(dtype_size(DType::kHalf), 2u);
  EXPECT_EQ(dtype_size(DType::kInt8), 1u);
  EXPECT_EQ(dtype_size(DType::kUInt8), 1u);
  EXPECT_EQ(dtype_size(DType::kInt16), 2u);
  EXPECT_EQ(dtype_size(DType::kInt32), 4u);
  EXPECT_EQ(dtype_size(DType::kInt64), 8u);
  EXPECT_EQ(dtype_size(DType::kBool), 1u);
  EXPECT_EQ(dtype_size(DType::kComplex64), 8u);
  EXPECT_EQ(dtype_size(DType::kComplex128), 16u);
  EXPECT_EQ(dtype_size(DType::kString), 0u);
  EXPECT_EQ(dtype_size(DType::kResource), 0u);
  EXPECT_EQ(dtype_size(DType::kInvalid), 0u);
  EXPECT_TRUE(is_float(DType::kBFloat16));
  EXPECT_TRUE(is_float(DType::kDouble));
  EXPECT_FALSE(is_float(DType::kInt32));
  EXPECT_TRUE(is_low_float(DType::kHalf));
  EXPECT_TRUE(is_low_float(DType::kBFloat16));
  EXPECT_FALSE(is_low_float(DType::kFloat));
  EXPECT_TRUE(is_integer(DType::kUInt64));
  EXPECT_TRUE(is_integer(DType::kInt8));
  EXPECT_FALSE(is_integer(DType::kBool));
  EXPECT_FALSE(is_integer(DType::kFloat));
  EXPECT_TRUE(is_valid_dtype_value(1));
  EXPECT_TRUE(is_valid_dtype_value(23));
  EXPECT_TRUE(is_valid_dtype_value(114));  // bfloat16_ref
  EXPECT_FALSE(is_valid_dtype_value(0));
  EXPECT_FALSE(is_valid_dtype_value(24));
  EXPECT_FALSE(is_valid_dtype_value(-1));
  EXPECT_FALSE(is_valid_dtype_value(100));
}

}  // namespace
}  // namespace aamp
