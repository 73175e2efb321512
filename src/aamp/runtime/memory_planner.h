// Arena offset assignment for buffers with known lifetimes (plan steps [first, last],
// inclusive). Buffers whose lifetimes overlap never share bytes; others may. Strategy: greedy by
// size (largest first), each placed at the best-fitting gap (smallest gap that holds it) among
// the already placed buffers that are live at the same time, else after them.
#pragma once

#include <cstddef>
#include <vector>

namespace aamp {

struct BufferRequest {
  size_t size = 0;
  int first = 0;  // step that writes it
  int last = 0;   // last step that reads it (>= first)
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per request
  size_t arena_size = 0;
  size_t naive_size = 0;  // sum of all (aligned) sizes
};

// Sizes are rounded up to `alignment` (a power of two).
MemoryPlan plan_memory(const std::vector<BufferRequest>& reqs, size_t alignment = 64);

}  // namespace aamp
