// MaxPool / AvgPool over NHWC that may write its output over its input (the output at the start
// of the input's memory). oneDNN's pooling gives no such guarantee; this walk does when
// pool_inplace_safe(g): output positions are visited in raster order (batch, row, column) and an
// output position p is written only after its window was read, so in place is safe when no
// window reads an input position before its own output position p (every input position < p
// is already overwritten). Threads split the channels (disjoint bytes), never the positions.
#pragma once

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/runtime/kernel.h"

namespace aamp::linalg {

// NHWC, out_c == in_c, and for every output position the first input position its window reads
// (in flat N*H*W order) is not before the output's own position. O(N*out_h*out_w).
bool pool_inplace_safe(const Conv2DGeom& g);

// Pools `x` into `y` (any float dtype, float32 accumulation; AvgPool divides by the number of
// window elements inside the input, MaxPool of an all-padding window is -inf, as the reference
// kernel). y.data may equal x.data when pool_inplace_safe(g).
void pool_nhwc(const Conv2DGeom& g, bool max, const TensorView& x, const TensorView& y,
               int threads);

}  // namespace aamp::linalg
