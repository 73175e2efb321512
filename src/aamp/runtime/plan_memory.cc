// Plan memory (plan.h): value lifetimes, kernels in place, the memory planner's offsets in one
// arena (kernels' scratch included), and the views every step's context binds.
#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/runtime/memory_planner.h"
#include "aamp/runtime/plan.h"

namespace aamp {

int Plan::root(int v) const {
  while (parent_[static_cast<size_t>(v)] != v) v = parent_[static_cast<size_t>(v)];
  return v;
}

bool Plan::external(int r) const {
  const Value& x = values_[static_cast<size_t>(r)];
  // A Cast every reader folded has no storage.
  return x.constant.has_value() || x.feed >= 0 || x.deferred_cast;
}

void Plan::plan_memory_and_bind() {
  const size_t nv = values_.size();
  const int end = static_cast<int>(steps_.size());
  for (size_t s = 0; s < steps_.size(); ++s)
    for (int v : steps_[s].inputs)
      values_[static_cast<size_t>(v)].last_use =
          std::max(values_[static_cast<size_t>(v)].last_use, static_cast<int>(s));
  for (int v : fetch_values_) values_[static_cast<size_t>(v)].last_use = end;
  choose_narrow_downloads();
  parent_.resize(nv);
  for (size_t v = 0; v < nv; ++v)
    parent_[v] = values_[v].alias_of >= 0 ? values_[v].alias_of : static_cast<int>(v);
  // Storage lifetimes (by root value).
  std::vector<int> last(nv, -1);
  for (size_t v = 0; v < nv; ++v) {
    const int r = root(static_cast<int>(v));
    last[static_cast<size_t>(r)] =
        std::max({last[static_cast<size_t>(r)], values_[v].last_use, values_[v].producer});
  }
  // In place: an output joins its input's storage when that storage dies at this step.
  // Each output joins at most one input storage, and each input storage takes at most one output
  // (else a second pair would merge two inputs live at the same step into one buffer). Every
  // member of a storage starts at its first byte. An output smaller than its input (the kernel's
  // inplace_shrink_pairs) shrinks the storage: after this step only its first bytes stay live;
  // a storage shrinks at most once.
  std::vector<int> shrink_step(nv, -1);
  std::vector<size_t> shrunk_bytes(nv, 0);
  for (size_t s = 0; s < steps_.size(); ++s) {
    std::set<int> taken;
    std::vector<std::pair<std::pair<int, int>, bool>> pairs;  // ((output, input), shrinks)
    for (auto p : steps_[s].kernel->inplace_pairs()) pairs.push_back({p, false});
    for (auto p : steps_[s].kernel->inplace_shrink_pairs()) pairs.push_back({p, true});
    for (auto [pair, shrinks] : pairs) {
      const auto [o, i] = pair;
      if (o < 0 || i < 0 || o >= static_cast<int>(steps_[s].outputs.size()) ||
          i >= static_cast<int>(steps_[s].inputs.size()))
        continue;
      const int vin = steps_[s].inputs[static_cast<size_t>(i)];
      const int vout = steps_[s].outputs[static_cast<size_t>(o)];
      const int rin = root(vin), rout = root(vout);
      if (rin == rout || rout != vout || taken.count(rin) || external(rin) ||
          last[static_cast<size_t>(rin)] != static_cast<int>(s))
        continue;
      const size_t in_bytes = values_[static_cast<size_t>(vin)].bytes;
      const size_t out_bytes = values_[static_cast<size_t>(vout)].bytes;
      if (shrinks) {
        if (out_bytes >= in_bytes || shrink_step[static_cast<size_t>(rin)] >= 0 ||
            in_bytes != values_[static_cast<size_t>(rin)].bytes)
          continue;
        shrink_step[static_cast<size_t>(rin)] = static_cast<int>(s);
        shrunk_bytes[static_cast<size_t>(rin)] = out_bytes;
      } else if (out_bytes != in_bytes) {
        continue;
      }
      parent_[static_cast<size_t>(rout)] = rin;
      taken.insert(rin);
      last[static_cast<size_t>(rin)] =
          std::max(last[static_cast<size_t>(rin)], last[static_cast<size_t>(rout)]);
      ++stats_.inplace;
    }
  }
  // One buffer request per arena storage.
  std::vector<BufferRequest> reqs;
  std::vector<int> req_of(nv, -1);
  for (size_t v = 0; v < nv; ++v) {
    if (root(static_cast<int>(v)) != static_cast<int>(v) || external(static_cast<int>(v))) continue;
    const Value& x = values_[v];
    req_of[v] = static_cast<int>(reqs.size());
    reqs.push_back(
        {x.bytes, x.producer, std::max(last[v], x.producer), shrink_step[v], shrunk_bytes[v]});
  }
  MemoryPlan mp = plan_memory(reqs);
  stats_.arena_bytes = mp.arena_size;
  // Lower bound of any offset assignment: the most bytes live at one step.
  stats_.live_peak_bytes = live_peak(reqs);
  for (const Step& s : steps_)
    for (int v : s.outputs)
      stats_.naive_bytes += (values_[static_cast<size_t>(v)].bytes + 63) / 64 * 64;
  if (dev_) {
    dev_arena_ = std::make_unique<DeviceBuffer>(dev_, mp.arena_size);
    arena_base_ = dev_arena_->get();
  } else {
    arena_.reset(
        static_cast<uint8_t*>(std::aligned_alloc(64, std::max<size_t>(mp.arena_size, 64))));
    if (!arena_)
      throw Error(ErrorCode::kInternal,
                  "cannot allocate a plan arena of " + std::to_string(mp.arena_size) + " bytes");
    arena_base_ = arena_.get();
  }
  if (dev_) place_device_inputs();
  offset_.assign(nv, 0);
  for (size_t v = 0; v < nv; ++v)
    if (req_of[v] >= 0) offset_[v] = mp.offsets[static_cast<size_t>(req_of[v])];
  // Bind views; weights = distinct constants read by kernels.
  std::set<const uint8_t*> weights;
  for (size_t s = 0; s < steps_.size(); ++s) {
    Step& st = steps_[s];
    st.ctx.threads = threads_;
    st.ctx.stream = stream_;
    for (size_t k = 0; k < st.inputs.size(); ++k) {
      const int v = st.inputs[k];
      const Value& x = values_[static_cast<size_t>(v)];
      st.ctx.inputs.push_back({x.dtype, x.shape, value_ptr(v, nullptr), nullptr});
      const Value& r = values_[static_cast<size_t>(root(v))];
      if (r.feed >= 0 && !dev_)
        feed_patches_.push_back({static_cast<int>(s), static_cast<int>(k), r.feed});
      if (r.constant && weights.insert(r.constant->raw()).second) stats_.weight_bytes += r.bytes;
    }
    for (int v : st.outputs) {
      const Value& x = values_[static_cast<size_t>(v)];
      st.ctx.outputs.push_back({x.dtype, x.shape, value_ptr(v, nullptr), nullptr});
    }
    if (st.scratch >= 0) st.ctx.scratch = value_ptr(st.scratch, nullptr);
  }
  // Constants the dynamic executor's kernels read.
  if (dyn_)
    for (const auto& c : dyn_->boundary_constants())
      if (c && weights.insert(c->raw()).second) stats_.weight_bytes += c->byte_size();
  stats_.steps = static_cast<int>(steps_.size());
}

uint8_t* Plan::value_ptr(int v, const std::vector<const Tensor*>* feeds) const {
  const int r = root(v);
  const Value& x = values_[static_cast<size_t>(r)];
  if (dev_ && !feeds) {  // where kernels read it on the device
    if (x.constant) return dev_consts_->get() + dev_offset_[static_cast<size_t>(r)];
    if (x.feed >= 0) return dev_feeds_->get() + dev_offset_[static_cast<size_t>(r)];
    return arena_base_ + offset_[static_cast<size_t>(r)];
  }
  if (x.constant) return const_cast<uint8_t*>(x.constant->raw());
  if (x.feed >= 0)
    return feeds ? const_cast<uint8_t*>((*feeds)[static_cast<size_t>(x.feed)]->raw()) : nullptr;
  return arena_base_ + offset_[static_cast<size_t>(r)];
}

}  // namespace aamp
