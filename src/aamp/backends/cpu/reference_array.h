// Shared by the reference array / image kernels: a data-movement kernel driven by per-dim offset
// tables (see reference_array.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "aamp/backends/cpu/reference_common.h"

namespace aamp::ref {

// Output element (i0, ..., iR-1) = input element at offset offsets[0][i0] + ... +
// offsets[R-1][iR-1] (in elements; offsets[d].size() is the output's size along d, the output
// being read as a row-major array of those sizes). A negative sum means "fill": the value is
// the first element of input `fill_input` when >= 0, else zero bytes. Any dtype (byte moves).
class IndexMapKernel : public Kernel {
 public:
  IndexMapKernel(std::vector<std::vector<int64_t>> offsets, int fill_input = -1);
  void run(KernelContext& ctx) override;

 private:
  std::vector<std::vector<int64_t>> offs_;
  int fill_input_;
  // The innermost table is `run_lo_` pad markers, then `run_len_` consecutive elements, then
  // pad markers to its end (Transpose keeping the last dim, Slice, stride-1 StridedSlice,
  // Tile rows: no pads; Pad of the last dim, as the channel padding of TF.js models): each
  // output row is one memcpy between two fills, or all fill.
  bool contiguous_rows_ = false;
  int64_t run_lo_ = 0, run_len_ = 0;
};

}  // namespace aamp::ref
