// A small process-wide thread pool for kernels: parallel_for splits [0, n) into contiguous
// chunks run on up to `threads` threads (the caller takes part). Nested calls run inline.
#pragma once

#include <cstdint>
#include <functional>

namespace aamp {

// Number of hardware threads (>= 1).
int hardware_threads();
// threads <= 0 means all hardware threads.
int resolve_threads(int threads);

// Calls fn(begin, end) over disjoint chunks covering [0, n). Chunks hold at least `grain`
// items (grain >= 1). Runs inline when threads <= 1 or n is small; exceptions thrown by fn are
// rethrown in the caller (the first one).
void parallel_for(int64_t n, int64_t grain, int threads,
                  const std::function<void(int64_t, int64_t)>& fn);

}  // namespace aamp
