// Reference kernels of the array (data movement) ops: identities, slicing, padding, concat /
// split, transpose, tile, gather, one-hot, shape queries, depth/space and space/batch
// rearrangements, range.
//
// Most movement ops are expressed as one "index map": for every output dim d, a table giving the
// input element offset contributed by each output coordinate (the input offset of an output
// element is the sum over its dims). This covers Slice, StridedSlice, Transpose, Tile, Pad,
// MirrorPad, BroadcastTo, DepthToSpace, SpaceToDepth (and nearest-neighbour resize in
// reference_image.cc). Tables are built once at kernel creation from the static shapes.
// Elements are moved as raw bytes, so every dtype is supported.
#include "aamp/backends/cpu/reference_array.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "aamp/ops/attrs.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp::ref {

namespace {

// Copies one element of `es` bytes.
inline void copy_elem(uint8_t* d, const uint8_t* s, size_t es) {
  switch (es) {
    case 1:
      *d = *s;
      break;
    case 2:
      std::memcpy(d, s, 2);
      break;
    case 4:
      std::memcpy(d, s, 4);
      break;
    case 8:
      std::memcpy(d, s, 8);
      break;
    default:
      std::memcpy(d, s, es);
  }
}

}  // namespace

IndexMapKernel::IndexMapKernel(std::vector<std::vector<int64_t>> offsets, int fill_input)
    : offs_(std::move(offsets)), fill_input_(fill_input) {
  if (!offs_.empty() && !offs_.back().empty()) {
    const std::vector<int64_t>& last = offs_.back();
    const auto n = static_cast<int64_t>(last.size());
    int64_t lo = 0;
    while (lo < n && last[static_cast<size_t>(lo)] < 0) ++lo;
    int64_t len = lo < n ? 1 : 0;
    while (lo + len < n &&
           last[static_cast<size_t>(lo + len)] == last[static_cast<size_t>(lo)] + len)
      ++len;
    bool rest_pads = true;
    for (int64_t j = lo + len; j < n && rest_pads; ++j)
      rest_pads = last[static_cast<size_t>(j)] < 0;
    contiguous_rows_ = len > 0 && rest_pads;
    run_lo_ = lo;
    run_len_ = len;
  }
}

void IndexMapKernel::run(KernelContext& ctx) {
  const TensorView& x = ctx.inputs[0];
  TensorView& y = ctx.outputs[0];
  const size_t es = dtype_size(y.dtype);
  std::vector<uint8_t> fill(es, 0);
  if (fill_input_ >= 0 && fill_input_ < static_cast<int>(ctx.inputs.size()) &&
      ctx.inputs[static_cast<size_t>(fill_input_)].num_elements() > 0)
    std::memcpy(fill.data(), ctx.inputs[static_cast<size_t>(fill_input_)].data, es);
  const bool zero_fill = std::all_of(fill.begin(), fill.end(), [](uint8_t b) { return b == 0; });
  const int64_t n = y.num_elements();
  if (n == 0) return;
  const uint8_t* src = static_cast<const uint8_t*>(x.data);
  uint8_t* dst = static_cast<uint8_t*>(y.data);
  const size_t r = offs_.size();
  if (r == 0) {
    copy_elem(dst, src, es);
    return;
  }
  const std::vector<int64_t>& last = offs_.back();
  const int64_t inner = static_cast<int64_t>(last.size());
  const int64_t rows = n / inner;
  parallel_for(rows, std::max<int64_t>(1, 4096 / inner), ctx.threads, [&](int64_t b, int64_t e) {
    std::vector<int64_t> idx(r, 0);
    for (int64_t row = b; row < e; ++row) {
      int64_t rem = row, base = 0;
      for (size_t d = r - 1; d-- > 0;) {
        const int64_t sz = static_cast<int64_t>(offs_[d].size());
        base += offs_[d][static_cast<size_t>(rem % sz)];
        rem /= sz;
      }
      uint8_t* out = dst + static_cast<size_t>(row * inner) * es;
      const int64_t first = contiguous_rows_ ? base + last[static_cast<size_t>(run_lo_)] : -1;
      if (first >= 0) {  // a padded outer index makes base < 0
        auto pad = [&](int64_t j0, int64_t j1) {
          if (zero_fill)
            std::memset(out + static_cast<size_t>(j0) * es, 0, static_cast<size_t>(j1 - j0) * es);
          else
            for (int64_t j = j0; j < j1; ++j)
              copy_elem(out + static_cast<size_t>(j) * es, fill.data(), es);
        };
        pad(0, run_lo_);
        std::memcpy(out + static_cast<size_t>(run_lo_) * es, src + static_cast<size_t>(first) * es,
                    static_cast<size_t>(run_len_) * es);
        pad(run_lo_ + run_len_, inner);
        continue;
      }
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t o = base + last[static_cast<size_t>(j)];
        copy_elem(out + static_cast<size_t>(j) * es,
                  o >= 0 ? src + static_cast<size_t>(o) * es : fill.data(), es);
      }
    }
  });
}

namespace {

using Offsets = std::vector<std::vector<int64_t>>;

// A pad marker: large negative, so that any sum containing it stays negative.
constexpr int64_t kPad = -(int64_t{1} << 56);

std::unique_ptr<Kernel> make_map(Offsets o, int fill_input = -1) {
  return std::make_unique<IndexMapKernel>(std::move(o), fill_input);
}

// ---- Slice / StridedSlice -------------------------------------------------------------------

std::unique_ptr<Kernel> make_slice(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const std::vector<int64_t> st = strides_of(in);
  std::vector<int64_t> b = const_ints(init, 1), sz = const_ints(init, 2);
  Offsets o(in.size());
  for (size_t d = 0; d < in.size(); ++d) {
    const int64_t n = sz[d] == -1 ? in[d] - b[d] : sz[d];
    for (int64_t i = 0; i < n; ++i) o[d].push_back((b[d] + i) * st[d]);
  }
  return make_map(std::move(o));
}

std::unique_ptr<Kernel> make_strided_slice(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const Node& n = *init.node;
  const StridedSliceSpec s = resolve_strided_slice(
      in, const_ints(init, 1), const_ints(init, 2), const_ints(init, 3),
      op_attr_int(n, "begin_mask"), op_attr_int(n, "end_mask"), op_attr_int(n, "ellipsis_mask"),
      op_attr_int(n, "new_axis_mask"), op_attr_int(n, "shrink_axis_mask"), init.node);
  const std::vector<int64_t> st = strides_of(in);
  Offsets o(in.size());
  for (size_t d = 0; d < in.size(); ++d)
    for (int64_t i = 0; i < s.size[d]; ++i) o[d].push_back((s.begin[d] + i * s.stride[d]) * st[d]);
  return make_map(std::move(o));
}

// ---- Transpose / Tile / BroadcastTo ----------------------------------------------------------

std::unique_ptr<Kernel> make_transpose(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const std::vector<int64_t> perm = const_ints(init, 1);
  if (perm.size() != in.size())
    throw Error(ErrorCode::kInvalidGraph, init.node->describe() + ": perm length " +
                                              std::to_string(perm.size()) + " != rank " +
                                              std::to_string(in.size()));
  const std::vector<int64_t> st = strides_of(in);
  Offsets o(in.size());
  for (size_t d = 0; d < in.size(); ++d) {
    const size_t p =
        static_cast<size_t>(perm[d] < 0 ? perm[d] + static_cast<int64_t>(in.size()) : perm[d]);
    for (int64_t i = 0; i < in.at(p); ++i) o[d].push_back(i * st[p]);
  }
  return make_map(std::move(o));
}

std::unique_ptr<Kernel> make_tile(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const auto& out = init.outputs[0].shape;
  const std::vector<int64_t> st = strides_of(in);
  Offsets o(in.size());
  for (size_t d = 0; d < in.size(); ++d)
    for (int64_t i = 0; i < out[d]; ++i) o[d].push_back((i % in[d]) * st[d]);
  return make_map(std::move(o));
}

std::unique_ptr<Kernel> make_broadcast_to(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const auto& out = init.outputs[0].shape;
  std::vector<int64_t> full(out.size(), 1);
  for (size_t k = 0; k < in.size(); ++k) full[out.size() - in.size() + k] = in[k];
  const std::vector<int64_t> st = strides_of(full);
  Offsets o(out.size());
  for (size_t d = 0; d < out.size(); ++d)
    for (int64_t i = 0; i < out[d]; ++i) o[d].push_back(full[d] == 1 ? 0 : i * st[d]);
  return make_map(std::move(o));
}

// ---- Pad / PadV2 / MirrorPad -----------------------------------------------------------------

std::unique_ptr<Kernel> make_pad(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const std::vector<int64_t> p = const_ints(init, 1);
  const std::string& op = init.node->op;
  const bool mirror = op == "MirrorPad";
  // MirrorPad's mode is required (its OpDef declares no default): TensorFlow rejects a node
  // without one, and so does op_attr_string.
  const bool reflect = mirror && op_attr_string(*init.node, "mode") == "REFLECT";
  const std::vector<int64_t> st = strides_of(in);
  Offsets o(in.size());
  for (size_t d = 0; d < in.size(); ++d) {
    const int64_t lo = p[2 * d], hi = p[2 * d + 1], n = in[d];
    for (int64_t i = -lo; i < n + hi; ++i) {
      int64_t k = i;
      if (k < 0 || k >= n) {
        if (!mirror) {
          o[d].push_back(kPad);
          continue;
        }
        if (k < 0) k = reflect ? -k : -k - 1;
        if (k >= n) k = reflect ? 2 * n - 2 - k : 2 * n - 1 - k;
        if (k < 0 || k >= n)
          throw Error(ErrorCode::kInvalidGraph, init.node->describe() +
                                                    ": MirrorPad paddings too large for dim " +
                                                    std::to_string(d));
      }
      o[d].push_back(k * st[d]);
    }
  }
  return make_map(std::move(o), op == "PadV2" ? 2 : -1);
}

// ---- DepthToSpace / SpaceToDepth (NHWC) ------------------------------------------------------

std::unique_ptr<Kernel> make_depth_to_space(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const auto& out = init.outputs[0].shape;
  // block_size is required (its OpDef declares no default).
  const int64_t b = op_attr_int(*init.node, "block_size");
  const std::vector<int64_t> st = strides_of(in);
  const int64_t c = out[3];
  Offsets o(4);
  for (int64_t i = 0; i < out[0]; ++i) o[0].push_back(i * st[0]);
  for (int64_t h = 0; h < out[1]; ++h) o[1].push_back((h / b) * st[1] + (h % b) * b * c);
  for (int64_t w = 0; w < out[2]; ++w) o[2].push_back((w / b) * st[2] + (w % b) * c);
  for (int64_t k = 0; k < c; ++k) o[3].push_back(k);
  return make_map(std::move(o));
}

std::unique_ptr<Kernel> make_space_to_depth(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const auto& out = init.outputs[0].shape;
  const int64_t b = op_attr_int(*init.node, "block_size");  // required, as above
  const std::vector<int64_t> st = strides_of(in);
  const int64_t c = in[3];
  Offsets o(4);
  for (int64_t i = 0; i < out[0]; ++i) o[0].push_back(i * st[0]);
  for (int64_t h = 0; h < out[1]; ++h) o[1].push_back(h * b * st[1]);
  for (int64_t w = 0; w < out[2]; ++w) o[2].push_back(w * b * st[2]);
  for (int64_t k = 0; k < out[3]; ++k) {
    const int64_t blk = k / c, ch = k % c;
    o[3].push_back((blk / b) * st[1] + (blk % b) * st[2] + ch);
  }
  return make_map(std::move(o));
}

// ---- Concat / Pack and Split / SplitV / Unpack -----------------------------------------------

// Output = inputs[first..first+n) laid side by side along `axis` (outer x chunk copies).
class ConcatKernel : public Kernel {
 public:
  ConcatKernel(int first, int count, int64_t outer) : first_(first), count_(count), outer_(outer) {}
  void run(KernelContext& ctx) override {
    TensorView& y = ctx.outputs[0];
    const size_t es = dtype_size(y.dtype);
    std::vector<size_t> chunk(static_cast<size_t>(count_));
    size_t row = 0;
    for (int i = 0; i < count_; ++i) {
      const int64_t n = ctx.inputs[static_cast<size_t>(first_ + i)].num_elements();
      chunk[static_cast<size_t>(i)] = outer_ ? static_cast<size_t>(n / outer_) * es : 0;
      row += chunk[static_cast<size_t>(i)];
    }
    uint8_t* dst = static_cast<uint8_t*>(y.data);
    for (int64_t o = 0; o < outer_; ++o) {
      size_t at = static_cast<size_t>(o) * row;
      for (int i = 0; i < count_; ++i) {
        const size_t c = chunk[static_cast<size_t>(i)];
        if (c)
          std::memcpy(
              dst + at,
              static_cast<const uint8_t*>(ctx.inputs[static_cast<size_t>(first_ + i)].data) +
                  static_cast<size_t>(o) * c,
              c);
        at += c;
      }
    }
  }

 private:
  int first_, count_;
  int64_t outer_;
};

// Outputs = input `src` cut along `axis` (the reverse of ConcatKernel).
class SplitKernel : public Kernel {
 public:
  SplitKernel(int src, int64_t outer) : src_(src), outer_(outer) {}
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[static_cast<size_t>(src_)];
    const size_t es = dtype_size(x.dtype);
    const size_t no = ctx.outputs.size();
    std::vector<size_t> chunk(no);
    size_t row = 0;
    for (size_t i = 0; i < no; ++i) {
      chunk[i] = outer_ ? static_cast<size_t>(ctx.outputs[i].num_elements() / outer_) * es : 0;
      row += chunk[i];
    }
    const uint8_t* src = static_cast<const uint8_t*>(x.data);
    for (int64_t o = 0; o < outer_; ++o) {
      size_t at = static_cast<size_t>(o) * row;
      for (size_t i = 0; i < no; ++i) {
        if (chunk[i])
          std::memcpy(
              static_cast<uint8_t*>(ctx.outputs[i].data) + static_cast<size_t>(o) * chunk[i],
              src + at, chunk[i]);
        at += chunk[i];
      }
    }
  }

 private:
  int src_;
  int64_t outer_;
};

int64_t outer_of(const std::vector<int64_t>& shape, int64_t axis) {
  int64_t n = 1;
  for (int64_t i = 0; i < axis; ++i) n *= shape[static_cast<size_t>(i)];
  return n;
}

std::unique_ptr<Kernel> make_concat(const KernelInit& init) {
  const bool v1 = init.node->op == "Concat";
  const int n = static_cast<int>(init.inputs.size()) - 1;
  const auto& out = init.outputs[0].shape;
  const int64_t axis = normalize_axis(const_ints(init, v1 ? 0 : n).at(0),
                                      static_cast<int64_t>(out.size()), init.node);
  return std::make_unique<ConcatKernel>(v1 ? 1 : 0, n, outer_of(out, axis));
}

std::unique_ptr<Kernel> make_pack(const KernelInit& init) {
  const auto& out = init.outputs[0].shape;
  const int64_t axis =
      normalize_axis(op_attr_int(*init.node, "axis"), static_cast<int64_t>(out.size()), init.node);
  return std::make_unique<ConcatKernel>(0, static_cast<int>(init.inputs.size()),
                                        outer_of(out, axis));
}

std::unique_ptr<Kernel> make_split(const KernelInit& init) {
  const std::string& op = init.node->op;
  const int src = op == "Split" ? 1 : 0;
  const auto& in = init.inputs[static_cast<size_t>(src)].shape;
  int64_t axis = 0;
  if (op == "Split")
    axis = const_ints(init, 0).at(0);
  else if (op == "SplitV")
    axis = const_ints(init, 2).at(0);
  else
    axis = op_attr_int(*init.node, "axis");  // Unpack
  axis = normalize_axis(axis, static_cast<int64_t>(in.size()), init.node);
  return std::make_unique<SplitKernel>(src, outer_of(in, axis));
}

// ---- GatherV2 / Gather / GatherNd ------------------------------------------------------------

class GatherKernel : public Kernel {
 public:
  GatherKernel(std::string desc, int64_t axis, int64_t batch, int64_t outer, int64_t n,
               int64_t inner, int64_t nidx)
      : desc_(std::move(desc)),
        axis_(axis),
        batch_(batch),
        outer_(outer),
        n_(n),
        inner_(inner),
        nidx_(nidx) {}
  void run(KernelContext& ctx) override {
    const TensorView& p = ctx.inputs[0];
    const std::vector<int64_t> idx = read_ints(ctx.inputs[1]);
    // Like TensorFlow's CPU kernel (TF.js reads zeros instead): an out-of-range index is an error.
    for (size_t i = 0; i < idx.size(); ++i)
      if (idx[i] < 0 || idx[i] >= n_)
        throw Error(ErrorCode::kInvalidArgument,
                    desc_ + ": indices[" + std::to_string(i) + "] = " + std::to_string(idx[i]) +
                        " is not in [0, " + std::to_string(n_) + ") (params dim " +
                        std::to_string(axis_) + " has " + std::to_string(n_) + " entries)");
    const size_t es = dtype_size(p.dtype);
    const size_t row = static_cast<size_t>(inner_) * es;
    const uint8_t* src = static_cast<const uint8_t*>(p.data);
    uint8_t* dst = static_cast<uint8_t*>(ctx.outputs[0].data);
    for (int64_t b = 0; b < batch_; ++b)
      for (int64_t o = 0; o < outer_; ++o)
        for (int64_t i = 0; i < nidx_; ++i) {
          const int64_t k = idx[static_cast<size_t>(b * nidx_ + i)];
          uint8_t* d = dst + static_cast<size_t>((b * outer_ + o) * nidx_ + i) * row;
          std::memcpy(d, src + static_cast<size_t>((b * outer_ + o) * n_ + k) * row, row);
        }
  }

 private:
  std::string desc_;
  int64_t axis_, batch_, outer_, n_, inner_, nidx_;
};

std::unique_ptr<Kernel> make_gather(const KernelInit& init) {
  const auto& p = init.inputs[0].shape;
  const auto& ix = init.inputs[1].shape;
  const bool v2 = init.node->op == "GatherV2";
  const int64_t axis =
      v2 ? normalize_axis(const_ints(init, 2).at(0), static_cast<int64_t>(p.size()), init.node) : 0;
  // Gather (v1) declares no batch_dims (it has none; an explicit attr is still read).
  int64_t bd = v2 ? op_attr_int(*init.node, "batch_dims") : init.node->attr_int_or("batch_dims", 0);
  if (bd < 0) bd += static_cast<int64_t>(ix.size());
  if (bd > axis)
    throw Error(ErrorCode::kInvalidGraph, init.node->describe() + ": batch_dims > axis");
  int64_t batch = 1, outer = 1, inner = 1, nidx = 1;
  for (int64_t i = 0; i < bd; ++i) batch *= p[static_cast<size_t>(i)];
  for (int64_t i = bd; i < axis; ++i) outer *= p[static_cast<size_t>(i)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < p.size(); ++i) inner *= p[i];
  for (size_t i = static_cast<size_t>(bd); i < ix.size(); ++i) nidx *= ix[i];
  return std::make_unique<GatherKernel>(init.node->describe(), axis, batch, outer,
                                        p[static_cast<size_t>(axis)], inner, nidx);
}

class GatherNdKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const TensorView& p = ctx.inputs[0];
    const TensorView& ix = ctx.inputs[1];
    const std::vector<int64_t> idx = read_ints(ix);
    const size_t k = static_cast<size_t>(ix.shape.back());
    const std::vector<int64_t> st = strides_of(p.shape);
    int64_t inner = 1;
    for (size_t i = k; i < p.shape.size(); ++i) inner *= p.shape[i];
    const size_t es = dtype_size(p.dtype), row = static_cast<size_t>(inner) * es;
    const size_t n = k ? idx.size() / k : 0;
    const uint8_t* src = static_cast<const uint8_t*>(p.data);
    uint8_t* dst = static_cast<uint8_t*>(ctx.outputs[0].data);
    for (size_t i = 0; i < n; ++i) {
      int64_t off = 0;
      bool ok = true;
      for (size_t j = 0; j < k; ++j) {
        const int64_t v = idx[i * k + j];
        ok &= v >= 0 && v < p.shape[j];
        off += v * st[j];
      }
      if (ok)
        std::memcpy(dst + i * row, src + static_cast<size_t>(off) * es, row);
      else
        std::memset(dst + i * row, 0, row);
    }
  }
};

// ---- SpaceToBatchND / BatchToSpaceND ----------------------------------------------------------

// Both move blocks between the batch and M spatial dims (dims 1..M; the dims after them, the
// "row", move whole). SpaceToBatchND: output batch index g * B + b, where g is the row-major
// offset inside the block (g_1..g_M); output spatial o_i reads padded input position
// o_i * block_i + g_i, i.e. input o_i * block_i + g_i - pad_before_i, zero outside the input.
// BatchToSpaceND is the inverse, with crops instead of paddings: output spatial s_i is position
// p_i = s_i + crop_before_i of the un-cropped result, read from input batch g * B + b (g_i =
// p_i % block_i) at spatial p_i / block_i. block_shape and paddings / crops are read at run time.
class SpaceBatchKernel : public Kernel {
 public:
  SpaceBatchKernel(std::string desc, bool to_batch) : desc_(std::move(desc)), to_batch_(to_batch) {}

  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    TensorView& y = ctx.outputs[0];
    const std::vector<int64_t> block = read_ints(ctx.inputs[1]);
    const std::vector<int64_t> pads = read_ints(ctx.inputs[2]);
    const size_t m = block.size();
    if (pads.size() != 2 * m || x.shape.size() < m + 1 || y.shape.size() != x.shape.size())
      throw Error(ErrorCode::kInvalidArgument,
                  desc_ + ": block_shape has " + std::to_string(m) + " entries, " +
                      (to_batch_ ? "paddings " : "crops ") + std::to_string(pads.size()) +
                      ", for an input of rank " + std::to_string(x.shape.size()));
    // "Space" is the input of SpaceToBatchND and the output of BatchToSpaceND.
    const std::vector<int64_t>& space = to_batch_ ? x.shape : y.shape;
    const std::vector<int64_t>& batch = to_batch_ ? y.shape : x.shape;
    int64_t nblock = 1;
    for (int64_t b : block) {
      if (b < 1) throw Error(ErrorCode::kInvalidArgument, desc_ + ": block_shape must be >= 1");
      nblock *= b;
    }
    for (int64_t p : pads)
      if (p < 0)
        throw Error(ErrorCode::kInvalidArgument,
                    desc_ + ": " + (to_batch_ ? "paddings" : "crops") + " must be >= 0");
    const int64_t nb = space[0];
    bool ok = batch[0] == nb * nblock;
    for (size_t i = 0; i < m; ++i)
      ok &= space[i + 1] + pads[2 * i] + pads[2 * i + 1] == batch[i + 1] * block[i];
    if (!ok)
      throw Error(ErrorCode::kInvalidArgument, desc_ + ": block_shape and " +
                                                   (to_batch_ ? "paddings" : "crops") +
                                                   " do not match the planned output shape");
    int64_t row = 1;
    for (size_t i = m + 1; i < x.shape.size(); ++i) row *= x.shape[i];
    const size_t es = dtype_size(x.dtype), row_bytes = static_cast<size_t>(row) * es;
    const std::vector<int64_t> space_st = strides_of(space);
    const uint8_t* src = static_cast<const uint8_t*>(x.data);
    uint8_t* dst = static_cast<uint8_t*>(y.data);
    // Walk every row of the batch-side tensor: (batch index g * nb + b, spatial position o).
    int64_t rows = batch[0];
    for (size_t i = 0; i < m; ++i) rows *= batch[i + 1];
    auto copy_rows = [&](int64_t r0, int64_t r1) {
      std::vector<int64_t> g(m), o(m);
      for (int64_t r = r0; r < r1; ++r) {
        int64_t rem = r;
        for (size_t i = m; i-- > 0;) {
          o[i] = rem % batch[i + 1];
          rem /= batch[i + 1];
        }
        const int64_t bb = rem;  // batch-side batch index = g * nb + b
        const int64_t b = bb % nb;
        int64_t gr = bb / nb;
        for (size_t i = m; i-- > 0;) {
          g[i] = gr % block[i];
          gr /= block[i];
        }
        int64_t soff = b * space_st[0];
        bool inside = true;
        for (size_t i = 0; i < m; ++i) {
          const int64_t s = o[i] * block[i] + g[i] - pads[2 * i];
          inside &= s >= 0 && s < space[i + 1];
          soff += s * space_st[i + 1];
        }
        const int64_t boff = r * row;
        if (to_batch_) {
          uint8_t* d = dst + static_cast<size_t>(boff) * es;
          if (inside)
            std::memcpy(d, src + static_cast<size_t>(soff) * es, row_bytes);
          else
            std::memset(d, 0, row_bytes);
        } else if (inside) {
          std::memcpy(dst + static_cast<size_t>(soff) * es, src + static_cast<size_t>(boff) * es,
                      row_bytes);
        }
      }
    };
    parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(row, 1)), ctx.threads,
                 copy_rows);
  }

 private:
  std::string desc_;
  bool to_batch_;
};

// ---- OneHot / Range / Shape ------------------------------------------------------------------

class OneHotKernel : public Kernel {
 public:
  OneHotKernel(int64_t outer, int64_t depth, int64_t inner)
      : outer_(outer), depth_(depth), inner_(inner) {}
  void run(KernelContext& ctx) override {
    const std::vector<int64_t> idx = read_ints(ctx.inputs[0]);
    const size_t es = dtype_size(ctx.outputs[0].dtype);
    const uint8_t* on = static_cast<const uint8_t*>(ctx.inputs[2].data);
    const uint8_t* off = static_cast<const uint8_t*>(ctx.inputs[3].data);
    uint8_t* dst = static_cast<uint8_t*>(ctx.outputs[0].data);
    for (int64_t o = 0; o < outer_; ++o)
      for (int64_t d = 0; d < depth_; ++d)
        for (int64_t i = 0; i < inner_; ++i)
          copy_elem(dst + static_cast<size_t>((o * depth_ + d) * inner_ + i) * es,
                    idx[static_cast<size_t>(o * inner_ + i)] == d ? on : off, es);
  }

 private:
  int64_t outer_, depth_, inner_;
};

std::unique_ptr<Kernel> make_one_hot(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  int64_t axis = op_attr_int(*init.node, "axis");
  if (axis < 0) axis = static_cast<int64_t>(in.size());
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < in.size(); ++i) (static_cast<int64_t>(i) < axis ? outer : inner) *= in[i];
  return std::make_unique<OneHotKernel>(outer, init.outputs[0].shape.at(static_cast<size_t>(axis)),
                                        inner);
}

class RangeKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    TensorView& y = ctx.outputs[0];
    dispatch_numeric(y.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_t<T>;
      const C start = ld(ctx.inputs[0].as<T>()[0]), delta = ld(ctx.inputs[2].as<T>()[0]);
      T* out = y.as<T>();
      for (int64_t i = 0; i < y.num_elements(); ++i)
        out[i] = st<T>(start + static_cast<C>(i) * delta);
    });
  }
};

// Shape / ShapeN / Size / Rank from the static input shapes.
class ShapeKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const std::string_view op = op_;
    for (size_t o = 0; o < ctx.outputs.size(); ++o) {
      TensorView& y = ctx.outputs[o];
      const auto& s = ctx.inputs[op == "ShapeN" ? o : 0].shape;
      std::vector<int64_t> v;
      if (op == "Size")
        v = {ctx.inputs[0].num_elements()};
      else if (op == "Rank")
        v = {static_cast<int64_t>(s.size())};
      else
        v = s;
      dispatch_int(y.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        for (size_t i = 0; i < v.size(); ++i) y.as<T>()[i] = static_cast<T>(v[i]);
      });
    }
  }
  explicit ShapeKernel(std::string op) : op_(std::move(op)) {}

 private:
  std::string op_;
};

template <typename F>
void reg(const char* op, F f) {
  add_ref(op, all_types(), [f](const KernelInit& i) -> std::unique_ptr<Kernel> { return f(i); });
}

const bool kRegistered = register_kernels([] {
  for (const std::string& op :
       OpRegistry::global().ops_where([](const OpInfo& i) { return i.traits().alias; }))
    reg(op.c_str(), [](const KernelInit&) { return std::make_unique<CopyKernel>(); });
  for (const char* op : {"Pad", "PadV2", "MirrorPad"}) reg(op, make_pad);
  reg("Slice", make_slice);
  reg("StridedSlice", make_strided_slice);
  reg("Transpose", make_transpose);
  reg("Tile", make_tile);
  reg("BroadcastTo", make_broadcast_to);
  reg("DepthToSpace", make_depth_to_space);
  reg("SpaceToDepth", make_space_to_depth);
  reg("ConcatV2", make_concat);
  reg("Concat", make_concat);
  reg("Pack", make_pack);
  for (const char* op : {"Split", "SplitV", "Unpack"}) reg(op, make_split);
  reg("GatherV2", make_gather);
  reg("Gather", make_gather);
  reg("SpaceToBatchND", [](const KernelInit& i) {
    return std::make_unique<SpaceBatchKernel>(i.node->describe(), true);
  });
  reg("BatchToSpaceND", [](const KernelInit& i) {
    return std::make_unique<SpaceBatchKernel>(i.node->describe(), false);
  });
  reg("GatherNd", [](const KernelInit&) { return std::make_unique<GatherNdKernel>(); });
  reg("OneHot", make_one_hot);
  add_ref("Range", numeric_types(),
          [](const KernelInit&) { return std::make_unique<RangeKernel>(); });
  for (const char* op : {"Shape", "ShapeN", "Size", "Rank"})
    reg(op, [op](const KernelInit&) { return std::make_unique<ShapeKernel>(op); });
});

}  // namespace
}  // namespace aamp::ref
