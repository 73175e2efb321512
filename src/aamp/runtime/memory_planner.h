// Arena offset assignment for buffers with known lifetimes (plan steps [first, last],
// inclusive). Buffers whose lifetimes overlap never share bytes; others may. Strategy: greedy by
// size (largest first), each placed at the best-fitting gap (smallest gap that holds it) among
// the already placed buffers that are live at the same time, else after them.
//
// A buffer may shrink once (an in-place output smaller than its input, written over the input's
// first bytes): all `size` bytes are live over [first, shrink_step], only the first
// `shrunk_size` bytes over (shrink_step, last]; other buffers may use the freed tail after
// shrink_step. Such a buffer is placed at the lowest offset where both parts fit.
#pragma once

#include <cstddef>
#include <vector>

namespace aamp {

struct BufferRequest {
  size_t size = 0;
  int first = 0;  // step that writes it
  int last = 0;   // last step that reads it (>= first)
  // Last step at which all `size` bytes are live; -1 (or >= last): the buffer never shrinks.
  int shrink_step = -1;
  size_t shrunk_size = 0;  // bytes live after shrink_step (< size)
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per request
  size_t arena_size = 0;
  size_t naive_size = 0;  // sum of all (aligned) sizes
};

// Sizes are rounded up to `alignment` (a power of two).
MemoryPlan plan_memory(const std::vector<BufferRequest>& reqs, size_t alignment = 64);

// The most (aligned) bytes live at one step: a lower bound of any plan's arena_size.
size_t live_peak(const std::vector<BufferRequest>& reqs, size_t alignment = 64);

}  // namespace aamp
