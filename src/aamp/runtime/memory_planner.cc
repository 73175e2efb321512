#include "aamp/runtime/memory_planner.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace aamp {

MemoryPlan plan_memory(const std::vector<BufferRequest>& reqs, size_t alignment) {
  const size_t n = reqs.size();
  MemoryPlan p;
  p.offsets.assign(n, 0);
  std::vector<size_t> size(n);
  for (size_t i = 0; i < n; ++i) {
    size[i] = (reqs[i].size + alignment - 1) / alignment * alignment;
    p.naive_size += size[i];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (size[a] != size[b]) return size[a] > size[b];
    return reqs[a].first < reqs[b].first;
  });
  std::vector<size_t> placed;
  for (size_t i : order) {
    if (size[i] == 0) continue;
    // Intervals [offset, offset+size) of placed buffers that are live at the same time.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t j : placed) {
      if (reqs[j].last < reqs[i].first || reqs[i].last < reqs[j].first) continue;
      busy.emplace_back(p.offsets[j], p.offsets[j] + size[j]);
    }
    std::sort(busy.begin(), busy.end());
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (const auto& [b, e] : busy) {
      if (b > cursor) {
        const size_t gap = b - cursor;
        if (gap >= size[i] && gap < best_gap) {
          best_gap = gap;
          best = cursor;
        }
      }
      cursor = std::max(cursor, e);
    }
    if (best == SIZE_MAX) best = cursor;
    p.offsets[i] = best;
    p.arena_size = std::max(p.arena_size, best + size[i]);
    placed.push_back(i);
  }
  return p;
}

}  // namespace aamp
