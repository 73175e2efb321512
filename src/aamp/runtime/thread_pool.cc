#include "aamp/runtime/thread_pool.h"

#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace aamp {

// parallel_for runs on OpenMP's thread team: the same threads oneDNN's primitives use (Debian's
// libdnnl is built with OpenMP). A separate pool would compete with OpenMP's spinning workers
// after every oneDNN call; on a 16-core machine that made element-wise kernels ~10x slower.

namespace {

// The CPUs this process may run on: its affinity mask, or the CPUs of OpenMP's places where
// there are more (with OMP_PLACES or OMP_PROC_BIND set, libgomp binds the initial thread to the
// first place at start-up, and this thread's mask then shows that place alone); 0 ..
// hardware_concurrency() - 1 when neither can be read.
std::vector<int> usable_cpus() {
  std::set<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.insert(c);
  }
  std::set<int> placed;
  for (int p = 0; p < omp_get_num_places(); ++p) {
    std::vector<int> ids(static_cast<size_t>(std::max(0, omp_get_place_num_procs(p))));
    if (!ids.empty()) omp_get_place_proc_ids(p, ids.data());
    placed.insert(ids.begin(), ids.end());
  }
  if (placed.size() > cpus.size()) cpus = std::move(placed);
  if (cpus.empty())
    for (unsigned c = 0; c < std::max(1u, std::thread::hardware_concurrency()); ++c)
      cpus.insert(static_cast<int>(c));
  return {cpus.begin(), cpus.end()};
}

int read_int(const std::string& path) {
  std::ifstream f(path);
  int v = -1;
  if (!(f >> v)) return -1;
  return v;
}

}  // namespace

int hardware_threads() {
  static const int n = static_cast<int>(usable_cpus().size());
  return n;
}

int physical_cores() {
  static const int n = [] {
    std::set<std::pair<int, int>> cores;  // (package, core id)
    const std::vector<int> cpus = usable_cpus();
    for (int c : cpus) {
      const std::string t = "/sys/devices/system/cpu/cpu" + std::to_string(c) + "/topology/";
      const int core = read_int(t + "core_id"), pkg = read_int(t + "physical_package_id");
      if (core < 0) return static_cast<int>(cpus.size());  // topology unknown: count threads
      cores.emplace(pkg, core);
    }
    return std::max(1, static_cast<int>(cores.size()));
  }();
  return n;
}

int resolve_threads(int threads) { return threads <= 0 ? physical_cores() : threads; }

void parallel_for(int64_t n, int64_t grain, int threads,
                  const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int team = resolve_threads(threads);
  const int64_t chunks = std::min<int64_t>(team, (n + grain - 1) / grain);
  if (chunks <= 1 || omp_in_parallel()) {
    fn(0, n);
    return;
  }
  const int64_t per = n / chunks, rem = n % chunks;
  std::mutex mu;
  std::exception_ptr err;
  // The whole team every time, threads beyond `chunks` idle: oneDNN's primitives run on the full
  // team, and a region of another size makes libgomp dock the extra threads and wake them again
  // at the next full region (futex waits and wake-ups, costly on a virtual machine's vCPUs).
  // AAMP_OMP_FULL_TEAM=0: teams of `chunks` threads, as before (A/B runs).
  static const bool full_team = [] {
    const char* e = std::getenv("AAMP_OMP_FULL_TEAM");
    return !(e && std::string(e) == "0");
  }();
  const int size = full_team ? team : static_cast<int>(chunks);
#pragma omp parallel for num_threads(size) schedule(static, 1)
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
