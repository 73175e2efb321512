// The kernels' thread pool: how many threads the default means (one per physical core, SMT
// siblings counted once) and parallel_for's contract (every index once, errors rethrown, the
// whole OpenMP team even for fewer chunks).
#include "aamp/runtime/thread_pool.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace aamp {
namespace {

TEST(ThreadPool, DefaultIsOneThreadPerPhysicalCore) {
  const int hw = hardware_threads(), cores = physical_cores();
  EXPECT_GE(cores, 1);
  EXPECT_LE(cores, hw);
  // SMT machines have 1, 2 or 4 threads per core: never fewer threads than cores, never a
  // fraction of a core.
  EXPECT_LE(hw, 4 * cores);
  EXPECT_EQ(resolve_threads(0), cores);
  EXPECT_EQ(resolve_threads(-1), cores);
  EXPECT_EQ(resolve_threads(3), 3);  // an explicit count is taken as asked
}

TEST(ThreadPool, ParallelForVisitsEveryIndexOnce) {
  for (int threads : {1, 2, 5}) {
    std::vector<std::atomic<int>> seen(1001);
    parallel_for(1001, 7, threads, [&](int64_t b, int64_t e) {
      EXPECT_LT(b, e);
      for (int64_t i = b; i < e; ++i) seen[static_cast<size_t>(i)]++;
    });
    for (const auto& s : seen) ASSERT_EQ(s.load(), 1) << threads << " threads";
  }
}

// Fewer chunks than threads still run on a team of all `threads` (the others idle): a smaller
// team made libgomp dock and wake threads between regions (BERT-base b1 on a 16-core VM: 34.6 ms
// at 16 threads with teams of the chunk count, 11.9 ms with the full team).
TEST(ThreadPool, ParallelForKeepsTheWholeTeam) {
  std::atomic<int> team{0}, calls{0};
  parallel_for(3, 1, 5, [&](int64_t, int64_t) {
    team = omp_get_num_threads();
    ++calls;
  });
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(team.load(), 5);
}

TEST(ThreadPool, ParallelForRethrowsTheWorkersError) {
  EXPECT_THROW(parallel_for(100, 1, 4,
                            [](int64_t b, int64_t) {
                              if (b >= 50) throw std::runtime_error("chunk failed");
                            }),
               std::runtime_error);
}

}  // namespace
}  // namespace aamp
