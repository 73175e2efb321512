// NumPy .npy files (format version 1.0/2.0, little-endian, C order) for feeds and fetches.
#pragma once

#include <string>
#include <string_view>

#include "aamp/ir/tensor.h"

namespace aamp {

// Supports float32/64, float16, int8/16/32/64, uint8/16, bool. bfloat16 tensors are written as
// float32 (NumPy has no bfloat16). Errors name the file.
Tensor read_npy(const std::string& path);
void write_npy(const std::string& path, const Tensor& t);

// The same in memory: parses the bytes of a .npy file (errors start with `name`), and encodes
// a tensor as .npy bytes (`name` is for errors).
Tensor parse_npy(std::string_view bytes, const std::string& name);
std::string encode_npy(const Tensor& t, const std::string& name);

}  // namespace aamp
