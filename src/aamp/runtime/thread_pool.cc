#include "aamp/runtime/thread_pool.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace aamp {

namespace {

thread_local bool t_in_pool_task = false;

class ThreadPool {
 public:
  explicit ThreadPool(int n) {
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return static_cast<int>(workers_.size()); }
  void submit(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> l(mu_);
      q_.push_back(std::move(f));
    }
    cv_.notify_one();
  }

 private:
  void loop() {
    t_in_pool_task = true;
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [this] { return stop_ || !q_.empty(); });
        if (stop_ && q_.empty()) return;
        f = std::move(q_.front());
        q_.pop_front();
      }
      f();
    }
  }
  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> q_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

ThreadPool& pool() {
  // Never destroyed: kernels may run from static destructors of tests.
  static ThreadPool* p = new ThreadPool(std::max(hardware_threads() - 1, 1));
  return *p;
}

}  // namespace

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

int resolve_threads(int threads) { return threads <= 0 ? hardware_threads() : threads; }

void parallel_for(int64_t n, int64_t grain, int threads,
                  const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  threads = std::min(resolve_threads(threads), pool().size() + 1);
  const int64_t chunks = std::min<int64_t>(threads, (n + grain - 1) / grain);
  if (chunks <= 1 || t_in_pool_task) {
    fn(0, n);
    return;
  }
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    int64_t left;
    std::exception_ptr err;
  };
  auto sh = std::make_shared<Shared>();
  sh->left = chunks - 1;
  const int64_t per = n / chunks, rem = n % chunks;
  auto range = [per, rem](int64_t c) {
    const int64_t b = c * per + std::min(c, rem);
    return std::pair<int64_t, int64_t>{b, b + per + (c < rem ? 1 : 0)};
  };
  for (int64_t c = 1; c < chunks; ++c) {
    auto [b, e] = range(c);
    pool().submit([sh, &fn, b = b, e = e] {
      try {
        fn(b, e);
      } catch (...) {
        std::lock_guard<std::mutex> l(sh->mu);
        if (!sh->err) sh->err = std::current_exception();
      }
      std::lock_guard<std::mutex> l(sh->mu);
      if (--sh->left == 0) sh->cv.notify_all();
    });
  }
  std::exception_ptr mine;
  try {
    auto [b, e] = range(0);
    fn(b, e);
  } catch (...) {
    mine = std::current_exception();
  }
  std::unique_lock<std::mutex> l(sh->mu);
  sh->cv.wait(l, [&] { return sh->left == 0; });
  if (mine) std::rethrow_exception(mine);
  if (sh->err) std::rethrow_exception(sh->err);
}

}  // namespace aamp
