// NumPy .npy files (format version 1.0/2.0, little-endian, C order) for feeds and fetches.
#pragma once

#include <string>

#include "aamp/ir/tensor.h"

namespace aamp {

// Supports float32/64, float16, int8/16/32/64, uint8/16, bool. bfloat16 tensors are written as
// float32 (NumPy has no bfloat16). Errors name the file.
Tensor read_npy(const std::string& path);
void write_npy(const std::string& path, const Tensor& t);

}  // namespace aamp
