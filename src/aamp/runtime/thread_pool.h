// A small process-wide thread pool for kernels: parallel_for splits [0, n) into contiguous
// chunks run on up to `threads` threads (the caller takes part). Nested calls run inline.
#pragma once

#include <cstdint>
#include <functional>

namespace aamp {

// Number of hardware threads this process may run on (its CPU affinity mask; >= 1).
int hardware_threads();
// Number of physical cores among them: SMT siblings (hyperthreads) count once, as read from
// /sys/devices/system/cpu/cpu*/topology; hardware_threads() where that is not readable.
int physical_cores();
// threads <= 0 means one thread per physical core: a second thread on a core's SMT sibling shares
// its FMA / AMX units, and oneDNN's GEMMs then wait at every barrier for the slower half.
int resolve_threads(int threads);

// Calls fn(begin, end) over disjoint chunks covering [0, n). Chunks hold at least `grain`
// items (grain >= 1). Runs inline when threads <= 1 or n is small; exceptions thrown by fn are
// rethrown in the caller (the first one). The OpenMP team is always all `threads` threads, those
// beyond the chunk count idle (AAMP_OMP_FULL_TEAM=0: a team of the chunk count).
void parallel_for(int64_t n, int64_t grain, int threads,
                  const std::function<void(int64_t, int64_t)>& fn);

}  // namespace aamp
