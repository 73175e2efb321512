// Tensors from literals, and back, for the kernel, session and tool tests:
//   f32({2, 3}, {1, 2, 3, 4, 5, 6}), i32({2}, {7, 8}), boolean({2}, {1, 0}), values(t).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "aamp/ir/tensor.h"

namespace aamp::testing {

inline Tensor f32(std::vector<int64_t> shape, const std::vector<float>& v) {
  return Tensor::from_vector<float>(Shape(std::move(shape)), v);
}
inline Tensor i32(std::vector<int64_t> shape, const std::vector<int32_t>& v) {
  return Tensor::from_vector<int32_t>(Shape(std::move(shape)), v);
}
inline Tensor i64(std::vector<int64_t> shape, const std::vector<int64_t>& v) {
  return Tensor::from_vector<int64_t>(Shape(std::move(shape)), v);
}
// A bool tensor from one byte per element (0 or 1).
inline Tensor boolean(std::vector<int64_t> shape, std::vector<uint8_t> v) {
  return Tensor::from_bytes(DType::kBool, Shape(std::move(shape)), std::move(v));
}
// Every element as a float (any numeric dtype).
inline std::vector<float> values(const Tensor& t) {
  std::vector<float> v;
  v.reserve(static_cast<size_t>(t.num_elements()));
  for (int64_t i = 0; i < t.num_elements(); ++i)
    v.push_back(static_cast<float>(t.element_as_double(i)));
  return v;
}

}  // namespace aamp::testing
