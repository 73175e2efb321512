// GPU kernels of the data-movement ops (any dtype, moved as bytes): Transpose (any permutation;
// a tiled kernel when the permutation swaps the last two dims after merging dims that stay
// together, 16-byte moves when the innermost dim stays in place, e.g. BERT's [B,S,H,D] ->
// [B,H,S,D]), Slice, StridedSlice, Pad / PadV2 (constant), ConcatV2 (one 2-D copy per input),
// GatherV2 (batch_dims 0; out-of-range indices are recorded on the device and reported by
// check_after_sync) and Select / SelectV2 (broadcasting). Constant operands (perm, begin, paddings,
// axis) are read at creation.
#include <cuda_runtime_api.h>

#include <cstring>
#include <memory>

#include "aamp/backends/cpu/reference_common.h"
#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/backends/cuda/cuda_kernels.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/shape_inference.h"

namespace aamp::cuda {
namespace {

std::vector<int64_t> row_major_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> st(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) st[k - 1] = st[k] * shape[k];
  return st;
}

// A strided map over the output's dims, before simplification (any rank).
struct Map {
  std::vector<int64_t> dims, stride;
  int64_t base = 0;
};

// Drops dims of size 1 and merges neighbours that address memory like one dim.
Map simplify(const Map& m) {
  Map r;
  r.base = m.base;
  for (size_t d = 0; d < m.dims.size(); ++d) {
    if (m.dims[d] == 1) continue;
    if (!r.dims.empty() && r.stride.back() == m.stride[d] * m.dims[d]) {
      r.dims.back() *= m.dims[d];
      r.stride.back() = m.stride[d];
      continue;
    }
    r.dims.push_back(m.dims[d]);
    r.stride.push_back(m.stride[d]);
  }
  return r;
}

StridedMap to_strided(const Map& m) {
  StridedMap s;
  s.rank = static_cast<int>(m.dims.size());
  for (size_t d = 0; d < m.dims.size(); ++d) {
    s.dims[d] = m.dims[d];
    s.stride[d] = m.stride[d];
  }
  s.base = m.base;
  return s;
}

bool fits(const Map& m) { return m.dims.size() <= static_cast<size_t>(kMaxRank); }

// Runs a simplified strided map: a device copy when it is the identity, the tiled transpose when
// it swaps the two innermost dims of contiguous matrices, else the strided copy (in units of up
// to 16 bytes when the innermost dim is contiguous and the pointers allow).
class StridedKernel : public Kernel {
 public:
  StridedKernel(const Map& m, size_t es) : es_(es) {
    const Map s = simplify(m);
    AAMP_CHECK(fits(s), ErrorCode::kUnimplemented, "strided map of rank > 8");
    const size_t r = s.dims.size();
    if (r == 0 || (r == 1 && s.stride[0] == 1)) {
      identity_ = true;
      base_ = s.base;
      return;
    }
    if (s.base == 0 && r >= 2 && r <= 3 && s.stride[r - 2] == 1 &&
        s.stride[r - 1] == s.dims[r - 2] && (r == 2 || s.stride[0] == s.dims[1] * s.dims[2])) {
      last2_ = true;
      batch_ = r == 3 ? s.dims[0] : 1;
      rows_ = s.dims[r - 1];
      cols_ = s.dims[r - 2];
      return;
    }
    map_ = to_strided(s);
    // Wider units: the innermost dim contiguous, every byte offset a multiple of the unit.
    if (s.stride[r - 1] == 1) {
      for (size_t u = 16; u > es; u /= 2) {
        bool ok = (static_cast<size_t>(s.dims[r - 1]) * es) % u == 0 &&
                  (static_cast<size_t>(s.base) * es) % u == 0;
        for (size_t d = 0; d + 1 < r && ok; ++d)
          ok = (static_cast<size_t>(s.stride[d]) * es) % u == 0;
        if (!ok) continue;
        wide_ = map_;
        const int64_t f = static_cast<int64_t>(u / es);
        wide_.dims[r - 1] /= f;
        for (size_t d = 0; d + 1 < r; ++d) wide_.stride[d] /= f;
        wide_.base /= f;
        unit_ = u;
        break;
      }
    }
  }
  void run(KernelContext& ctx) override {
    const void* x = ctx.inputs[0].data;
    void* y = ctx.outputs[0].data;
    if (identity_) {
      copy_device(y, static_cast<const char*>(x) + base_ * static_cast<int64_t>(es_),
                  ctx.outputs[0].byte_size(), ctx.stream);
    } else if (last2_) {
      launch_transpose_last2(es_, x, y, batch_, rows_, cols_, ctx.stream);
    } else if (unit_ && reinterpret_cast<uintptr_t>(x) % unit_ == 0 &&
               reinterpret_cast<uintptr_t>(y) % unit_ == 0) {
      launch_strided_copy(unit_, x, y, wide_, ctx.stream);
    } else {
      launch_strided_copy(es_, x, y, map_, ctx.stream);
    }
  }

 private:
  size_t es_;
  bool identity_ = false, last2_ = false;
  int64_t base_ = 0, batch_ = 1, rows_ = 0, cols_ = 0;
  StridedMap map_, wide_;
  size_t unit_ = 0;
};

int64_t norm_axis(int64_t a, size_t rank) { return a < 0 ? a + static_cast<int64_t>(rank) : a; }

Map transpose_map(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const std::vector<int64_t> perm = ref::const_ints(init, 1);
  AAMP_CHECK(perm.size() == in.size(), ErrorCode::kInvalidGraph,
             init.node->describe() + ": perm length " + std::to_string(perm.size()) + " != rank " +
                 std::to_string(in.size()));
  const std::vector<int64_t> st = row_major_strides(in);
  Map m;
  for (int64_t p : perm) {
    const auto k = static_cast<size_t>(norm_axis(p, in.size()));
    m.dims.push_back(in.at(k));
    m.stride.push_back(st[k]);
  }
  return m;
}

Map slice_map(const KernelInit& init) {
  const auto& in = init.inputs[0].shape;
  const std::vector<int64_t> st = row_major_strides(in);
  std::vector<int64_t> begin, size, stride;
  if (init.node->op == "Slice") {
    begin = ref::const_ints(init, 1);
    size = ref::const_ints(init, 2);
    stride.assign(in.size(), 1);
    for (size_t d = 0; d < in.size() && d < size.size(); ++d)
      if (size[d] == -1) size[d] = in[d] - begin[d];
  } else {
    const Node& n = *init.node;
    const StridedSliceSpec s = resolve_strided_slice(
        in, ref::const_ints(init, 1), ref::const_ints(init, 2), ref::const_ints(init, 3),
        op_attr_int(n, "begin_mask"), op_attr_int(n, "end_mask"), op_attr_int(n, "ellipsis_mask"),
        op_attr_int(n, "new_axis_mask"), op_attr_int(n, "shrink_axis_mask"), init.node);
    begin = s.begin, size = s.size, stride = s.stride;
  }
  AAMP_CHECK(begin.size() == in.size() && size.size() == in.size(), ErrorCode::kInvalidGraph,
             init.node->describe() + ": begin/size must have one entry per input dim");
  Map m;
  for (size_t d = 0; d < in.size(); ++d) {
    m.base += begin[d] * st[d];
    m.dims.push_back(size[d]);
    m.stride.push_back(stride[d] * st[d]);
  }
  return m;
}

// Whether a map-building op can run: its constants exist and the simplified map has rank <= 8.
template <typename F>
bool map_supported(const KernelInit& i, F make) {
  for (size_t k = 1; k < i.inputs.size(); ++k)
    if (k >= i.const_inputs.size() || !i.const_inputs[k]) return false;
  try {
    return fits(simplify(make(i)));
  } catch (const Error&) {
    return false;
  }
}

// ---- Pad / PadV2 ----------------------------------------------------------------------------

class PadKernel : public Kernel {
 public:
  explicit PadKernel(const KernelInit& init) : es_(dtype_size(init.inputs[0].dtype)) {
    const auto& in = init.inputs[0].shape;
    const std::vector<int64_t> p = ref::const_ints(init, 1);
    AAMP_CHECK(p.size() == 2 * in.size() && in.size() <= static_cast<size_t>(kMaxRank),
               ErrorCode::kInvalidGraph, init.node->describe() + ": paddings must be [rank, 2]");
    idx_.rank = static_cast<int>(in.size());
    for (size_t d = 0; d < in.size(); ++d) {
      idx_.in[d] = in[d];
      idx_.lo[d] = p[2 * d];
      idx_.out[d] = in[d] + p[2 * d] + p[2 * d + 1];
    }
    if (init.node->op == "PadV2") {
      const Tensor& v = *init.const_inputs.at(2);
      if (v.num_elements() > 0) std::memcpy(&fill_, v.raw(), es_);
    }
  }
  void run(KernelContext& ctx) override {
    launch_pad(es_, ctx.inputs[0].data, ctx.outputs[0].data, idx_, fill_, ctx.stream);
  }

 private:
  size_t es_;
  PadIndex idx_;
  uint64_t fill_ = 0;
};

bool pad_supported(const KernelInit& i) {
  const size_t need = i.node->op == "PadV2" ? 3 : 2;
  if (i.inputs.size() != need || i.const_inputs.size() < need) return false;
  for (size_t k = 1; k < need; ++k)
    if (!i.const_inputs[k]) return false;
  const size_t es = dtype_size(i.inputs[0].dtype);
  return i.inputs[0].shape.size() <= static_cast<size_t>(kMaxRank) && es >= 1 && es <= 8 &&
         (es & (es - 1)) == 0;
}

// ---- ConcatV2 -------------------------------------------------------------------------------

class ConcatKernel : public Kernel {
 public:
  explicit ConcatKernel(const KernelInit& init) {
    const int n = static_cast<int>(init.inputs.size()) - 1;
    const auto& out = init.outputs[0].shape;
    const auto axis = static_cast<size_t>(normalize_axis(
        ref::const_ints(init, n).at(0), static_cast<int64_t>(out.size()), init.node));
    const size_t es = dtype_size(init.outputs[0].dtype);
    for (size_t d = 0; d < axis; ++d) outer_ *= static_cast<size_t>(out[d]);
    size_t row = es;
    for (size_t d = axis; d < out.size(); ++d) row *= static_cast<size_t>(out[d]);
    pitch_ = row;
    for (int k = 0; k < n; ++k) {
      size_t w = es;
      const auto& s = init.inputs[static_cast<size_t>(k)].shape;
      for (size_t d = axis; d < s.size(); ++d) w *= static_cast<size_t>(s[d]);
      widths_.push_back(w);
    }
  }
  void run(KernelContext& ctx) override {
    char* y = static_cast<char*>(ctx.outputs[0].data);
    size_t off = 0;
    for (size_t k = 0; k < widths_.size(); ++k) {
      const size_t w = widths_[k];
      if (w && outer_)
        check(cudaMemcpy2DAsync(y + off, pitch_, ctx.inputs[k].data, w, w, outer_,
                                cudaMemcpyDeviceToDevice, stream_of(ctx.stream)),
              "cudaMemcpy2DAsync (ConcatV2)");
      off += w;
    }
  }

 private:
  size_t outer_ = 1, pitch_ = 0;
  std::vector<size_t> widths_;
};

bool concat_supported(const KernelInit& i) {
  if (i.inputs.size() < 2 || i.const_inputs.size() < i.inputs.size() || !i.const_inputs.back() ||
      i.outputs.size() != 1)
    return false;
  for (size_t k = 0; k + 1 < i.inputs.size(); ++k)
    if (i.inputs[k].dtype != i.outputs[0].dtype) return false;
  return true;
}

// ---- GatherV2 -------------------------------------------------------------------------------

class GatherKernel : public Kernel {
 public:
  explicit GatherKernel(const KernelInit& init) : desc_(init.node->describe()) {
    const auto& p = init.inputs[0].shape;
    axis_ =
        normalize_axis(ref::const_ints(init, 2).at(0), static_cast<int64_t>(p.size()), init.node);
    for (int64_t d = 0; d < axis_; ++d) outer_ *= p[static_cast<size_t>(d)];
    for (size_t d = static_cast<size_t>(axis_) + 1; d < p.size(); ++d) inner_ *= p[d];
    n_ = p[static_cast<size_t>(axis_)];
    for (int64_t d : init.inputs[1].shape) n_idx_ *= d;
    es_ = dtype_size(init.inputs[0].dtype);
    index_type_ = init.inputs[1].dtype;
    // Mapped pinned memory: the kernel records a bad index there, the host reads it after the
    // plan's synchronization without a copy.
    check(cudaHostAlloc(reinterpret_cast<void**>(&host_err_), sizeof(GatherError),
                        cudaHostAllocMapped),
          "cudaHostAlloc of the GatherV2 error record");
    std::memset(host_err_, 0, sizeof(GatherError));
    void* d = nullptr;
    check(cudaHostGetDevicePointer(&d, host_err_, 0), "cudaHostGetDevicePointer");
    dev_err_ = static_cast<GatherError*>(d);
  }
  ~GatherKernel() override {
    if (host_err_) cudaFreeHost(host_err_);
  }
  void run(KernelContext& ctx) override {
    // Rows of inner elements move in units of up to 16 bytes where sizes and pointers allow.
    const void* p = ctx.inputs[0].data;
    void* y = ctx.outputs[0].data;
    size_t unit = es_;
    for (size_t u = 16; u > es_; u /= 2)
      if ((static_cast<size_t>(inner_) * es_) % u == 0 && reinterpret_cast<uintptr_t>(p) % u == 0 &&
          reinterpret_cast<uintptr_t>(y) % u == 0) {
        unit = u;
        break;
      }
    const int64_t inner = inner_ * static_cast<int64_t>(es_) / static_cast<int64_t>(unit);
    launch_gather(unit, p, ctx.inputs[1].data, index_type_, y, outer_, n_, inner, n_idx_, dev_err_,
                  ctx.stream);
  }
  void check_after_sync() override {
    volatile GatherError* e = host_err_;
    if (e->flag == 0) return;
    const int64_t v = e->index, pos = e->position;
    e->flag = 0;  // the next run starts clean
    throw Error(ErrorCode::kInvalidArgument,
                desc_ + ": indices[" + std::to_string(pos) + "] = " + std::to_string(v) +
                    " is not in [0, " + std::to_string(n_) + ") (params dim " +
                    std::to_string(axis_) + " has " + std::to_string(n_) + " entries)");
  }

 private:
  std::string desc_;
  int64_t axis_ = 0, outer_ = 1, inner_ = 1, n_ = 0, n_idx_ = 1;
  size_t es_ = 1;
  DType index_type_ = DType::kInt32;
  GatherError* host_err_ = nullptr;
  GatherError* dev_err_ = nullptr;
};

bool gather_supported(const KernelInit& i) {
  const size_t es = i.inputs.empty() ? 0 : dtype_size(i.inputs[0].dtype);
  return i.inputs.size() == 3 && i.const_inputs.size() == 3 && i.const_inputs[2] &&
         op_attr_int(*i.node, "batch_dims") == 0 &&
         (i.inputs[1].dtype == DType::kInt32 || i.inputs[1].dtype == DType::kInt64) && es >= 1 &&
         es <= 8 && (es & (es - 1)) == 0 && !i.inputs[0].shape.empty();
}

// ---- Select / SelectV2 ----------------------------------------------------------------------

class SelectKernel : public Kernel {
 public:
  explicit SelectKernel(const KernelInit& init) : es_(dtype_size(init.inputs[1].dtype)) {
    std::vector<int64_t> c = init.inputs[0].shape;
    const auto& out = init.outputs[0].shape;
    // Select (v1) with a vector condition picks along the first dim.
    if (init.node->op == "Select" && c.size() == 1 && init.inputs[1].shape.size() > 1)
      c.resize(init.inputs[1].shape.size(), 1);
    idx_.rank = static_cast<int>(out.size());
    for (size_t d = 0; d < out.size(); ++d) idx_.out[d] = out[d];
    aligned_strides(c, out, idx_.c_stride);
    aligned_strides(init.inputs[1].shape, out, idx_.t_stride);
    aligned_strides(init.inputs[2].shape, out, idx_.e_stride);
  }
  void run(KernelContext& ctx) override {
    launch_select(es_, ctx.inputs[0].data, ctx.inputs[1].data, ctx.inputs[2].data,
                  ctx.outputs[0].data, idx_, ctx.stream);
  }

 private:
  size_t es_;
  SelectIndex idx_;
};

bool select_supported(const KernelInit& i) {
  if (i.inputs.size() != 3 || i.outputs.size() != 1 || i.inputs[0].dtype != DType::kBool ||
      i.inputs[1].dtype != i.inputs[2].dtype ||
      i.outputs[0].shape.size() > static_cast<size_t>(kMaxRank))
    return false;
  const size_t es = dtype_size(i.inputs[1].dtype);
  return es >= 1 && es <= 8 && (es & (es - 1)) == 0;
}

bool byte_movable(const KernelInit& i) {
  const size_t es = i.inputs.empty() ? 0 : dtype_size(i.inputs[0].dtype);
  return es >= 1 && es <= 8 && (es & (es - 1)) == 0;
}

const bool kRegistered = [] {
  add_gpu(
      "Transpose", gpu_all_types(),
      [](const KernelInit& i) {
        return std::make_unique<StridedKernel>(transpose_map(i), dtype_size(i.inputs[0].dtype));
      },
      [](const KernelInit& i) { return byte_movable(i) && map_supported(i, transpose_map); });
  for (const char* op : {"Slice", "StridedSlice"})
    add_gpu(
        op, gpu_all_types(),
        [](const KernelInit& i) {
          return std::make_unique<StridedKernel>(slice_map(i), dtype_size(i.inputs[0].dtype));
        },
        [](const KernelInit& i) { return byte_movable(i) && map_supported(i, slice_map); });
  for (const char* op : {"Pad", "PadV2"})
    add_gpu(
        op, gpu_all_types(), [](const KernelInit& i) { return std::make_unique<PadKernel>(i); },
        pad_supported);
  add_gpu(
      "ConcatV2", gpu_all_types(),
      [](const KernelInit& i) { return std::make_unique<ConcatKernel>(i); }, concat_supported);
  for (const char* op : {"Select", "SelectV2"})
    add_gpu(
        op, gpu_all_types(), [](const KernelInit& i) { return std::make_unique<SelectKernel>(i); },
        select_supported);
  add_gpu(
      "GatherV2", gpu_all_types(),
      [](const KernelInit& i) { return std::make_unique<GatherKernel>(i); }, gather_supported);
  return true;
}();

}  // namespace
}  // namespace aamp::cuda
