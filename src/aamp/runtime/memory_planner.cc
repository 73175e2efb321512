#include "aamp/runtime/memory_planner.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>

namespace aamp {

namespace {

size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

// Bytes [begin, end) of a buffer (relative to its offset) live over steps [first, last].
struct Piece {
  size_t begin, end;
  int first, last;
};

// A request's pieces: one, or a head over its whole life and a tail until it shrinks.
std::vector<Piece> pieces_of(const BufferRequest& r, size_t alignment) {
  const size_t size = align_up(r.size, alignment);
  const size_t head = align_up(r.shrunk_size, alignment);
  if (r.shrink_step < r.first || r.shrink_step >= r.last || head >= size)
    return {{0, size, r.first, r.last}};
  return {{0, head, r.first, r.last}, {head, size, r.first, r.shrink_step}};
}

bool overlap_in_time(const Piece& a, const Piece& b) {
  return !(a.last < b.first || b.last < a.first);
}

// Best-fitting gap for one piece of `size` bytes among `busy` (absolute byte intervals).
size_t best_fit(std::vector<std::pair<size_t, size_t>> busy, size_t size) {
  std::sort(busy.begin(), busy.end());
  size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
  for (const auto& [b, e] : busy) {
    if (b > cursor) {
      const size_t gap = b - cursor;
      if (gap >= size && gap < best_gap) {
        best_gap = gap;
        best = cursor;
      }
    }
    cursor = std::max(cursor, e);
  }
  return best == SIZE_MAX ? cursor : best;
}

}  // namespace

MemoryPlan plan_memory(const std::vector<BufferRequest>& reqs, size_t alignment) {
  const size_t n = reqs.size();
  MemoryPlan p;
  p.offsets.assign(n, 0);
  std::vector<size_t> size(n);
  std::vector<std::vector<Piece>> pieces(n);
  for (size_t i = 0; i < n; ++i) {
    size[i] = align_up(reqs[i].size, alignment);
    pieces[i] = pieces_of(reqs[i], alignment);
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
    // Per piece of i: intervals [offset+begin, offset+end) of placed pieces live at the same time.
    std::vector<std::vector<std::pair<size_t, size_t>>> busy(pieces[i].size());
    for (size_t k = 0; k < pieces[i].size(); ++k)
      for (size_t j : placed)
        for (const Piece& q : pieces[j])
          if (overlap_in_time(pieces[i][k], q))
            busy[k].emplace_back(p.offsets[j] + q.begin, p.offsets[j] + q.end);
    size_t best = 0;
    if (pieces[i].size() == 1) {
      best = best_fit(busy[0], size[i]);
    } else {
      // Lowest offset x where every piece [x+begin, x+end) misses its busy intervals. Candidates:
      // 0 and each busy end minus the piece's begin (the highest end always fits).
      auto fits = [&](size_t x) {
        for (size_t k = 0; k < pieces[i].size(); ++k)
          for (const auto& [b, e] : busy[k])
            if (x + pieces[i][k].begin < e && b < x + pieces[i][k].end) return false;
        return true;
      };
      std::vector<size_t> cand = {0};
      for (size_t k = 0; k < pieces[i].size(); ++k)
        for (const auto& be : busy[k])
          if (be.second >= pieces[i][k].begin) cand.push_back(be.second - pieces[i][k].begin);
      std::sort(cand.begin(), cand.end());
      best = SIZE_MAX;
      for (size_t x : cand)
        if (fits(x)) {
          best = x;
          break;
        }
    }
    p.offsets[i] = best;
    p.arena_size = std::max(p.arena_size, best + size[i]);
    placed.push_back(i);
  }
  return p;
}

size_t live_peak(const std::vector<BufferRequest>& reqs, size_t alignment) {
  std::map<int, int64_t> delta;  // step -> change of live bytes
  for (const BufferRequest& r : reqs)
    for (const Piece& q : pieces_of(r, alignment)) {
      delta[q.first] += static_cast<int64_t>(q.end - q.begin);
      delta[q.last + 1] -= static_cast<int64_t>(q.end - q.begin);
    }
  int64_t live = 0, peak = 0;
  for (const auto& [step, d] : delta) peak = std::max(peak, live += d);
  return static_cast<size_t>(peak);
}

}  // namespace aamp
