#include "aamp/runtime/thread_pool.h"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace aamp {

// parallel_for runs on OpenMP's thread team: the same threads oneDNN's primitives use (Debian's
// libdnnl is built with OpenMP). A separate pool would compete with OpenMP's spinning workers
// after every oneDNN call; on a 16-core machine that made element-wise kernels ~10x slower.

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

int resolve_threads(int threads) { return threads <= 0 ? hardware_threads() : threads; }

void parallel_for(int64_t n, int64_t grain, int threads,
                  const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t chunks = std::min<int64_t>(resolve_threads(threads), (n + grain - 1) / grain);
  if (chunks <= 1 || omp_in_parallel()) {
    fn(0, n);
    return;
  }
  const int64_t per = n / chunks, rem = n % chunks;
  std::mutex mu;
  std::exception_ptr err;
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t b = c * per + std::min(c, rem);
    const int64_t e = b + per + (c < rem ? 1 : 0);
    try {
      fn(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> l(mu);
      if (!err) err = std::current_exception();
    }
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace aamp
