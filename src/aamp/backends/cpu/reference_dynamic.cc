// Reference kernels of ops whose work depends on input values: Where, NonMaxSuppressionV3/V4/V5
// (value-dependent output shapes, OpTraits::value_dependent_shape: they size their outputs at run
// time with KernelContext::allocate_output), TopKV2 and SparseToDense (static output shapes, but k
// and output_shape are read from the inputs at run time).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "aamp/backends/cpu/reference_common.h"
#include "aamp/ops/attrs.h"

namespace aamp::ref {

namespace {

[[noreturn]] void fail(const std::string& desc, const std::string& msg) {
  throw Error(ErrorCode::kInvalidArgument, desc + ": " + msg);
}

std::string dims_string(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

// A float-typed view (float32, float64, bfloat16, float16) read as float32.
std::vector<float> read_floats(const TensorView& v) {
  std::vector<float> r(static_cast<size_t>(v.num_elements()));
  dispatch_float(v.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<float>(ld(v.as<T>()[i]));
  });
  return r;
}

// The single value of a scalar input (shape [] or any shape of one element).
float scalar_float(const TensorView& v, const std::string& desc, const char* what) {
  if (v.num_elements() != 1)
    fail(desc, std::string(what) + " must be a scalar, got shape " + dims_string(v.shape));
  return read_floats(v)[0];
}
int64_t scalar_int(const TensorView& v, const std::string& desc, const char* what) {
  if (v.num_elements() != 1)
    fail(desc, std::string(what) + " must be a scalar, got shape " + dims_string(v.shape));
  return read_ints(v)[0];
}

// ---- Where ------------------------------------------------------------------------------------

// The coordinates of the true (non-zero) elements, row-major: int64 [num_true, rank]. A NaN is
// non-zero, so it counts as true (as in TensorFlow).
class WhereKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    const int64_t n = x.num_elements();
    std::vector<int64_t> hits;
    dispatch_all(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* p = x.as<T>();
      for (int64_t i = 0; i < n; ++i)
        if (ld(p[i]) != compute_t<T>(0)) hits.push_back(i);
    });
    const int64_t rank = static_cast<int64_t>(x.shape.size());
    TensorView& y = ctx.allocate_output(0, {static_cast<int64_t>(hits.size()), rank});
    int64_t* out = y.as<int64_t>();
    for (size_t h = 0; h < hits.size(); ++h) {
      int64_t rem = hits[h];
      for (int64_t d = rank; d-- > 0;) {
        const int64_t sz = x.shape[static_cast<size_t>(d)];
        out[static_cast<int64_t>(h) * rank + d] = rem % sz;
        rem /= sz;
      }
    }
  }
};

// ---- NonMaxSuppressionV3 / V4 / V5 ------------------------------------------------------------

// IoU of boxes i and j (rows of [n, 4]: any two opposite corners, y first); 0 when either box has
// no area.
float iou(const float* b, int64_t i, int64_t j) {
  const float* p = b + i * 4;
  const float* q = b + j * 4;
  const float y0i = std::min(p[0], p[2]), y1i = std::max(p[0], p[2]);
  const float x0i = std::min(p[1], p[3]), x1i = std::max(p[1], p[3]);
  const float y0j = std::min(q[0], q[2]), y1j = std::max(q[0], q[2]);
  const float x0j = std::min(q[1], q[3]), x1j = std::max(q[1], q[3]);
  const float area_i = (y1i - y0i) * (x1i - x0i);
  const float area_j = (y1j - y0j) * (x1j - x0j);
  if (area_i <= 0 || area_j <= 0) return 0.0f;
  const float ih = std::max(std::min(y1i, y1j) - std::max(y0i, y0j), 0.0f);
  const float iw = std::max(std::min(x1i, x1j) - std::max(x0i, x0j), 0.0f);
  const float inter = ih * iw;
  return inter / (area_i + area_j - inter);
}

struct NmsResult {
  std::vector<int32_t> indices;
  std::vector<float> scores;
};

// Greedy selection by score (ties: lower index first) of the boxes whose score is above
// score_threshold. Hard NMS (sigma == 0): a candidate whose IoU with a selected box is above
// iou_threshold is dropped. Soft NMS (sigma > 0): each selected box instead scales the candidate's
// score by exp(-iou^2 / (2 sigma)); a candidate whose score changed goes back into the queue with
// its new score (each selected box scales it once), and is dropped once at or below
// score_threshold. These are TensorFlow's semantics. TF.js differs at the threshold: it drops a
// candidate whose IoU is >= iou_threshold, and does so in soft NMS too (where TensorFlow ignores
// iou_threshold).
NmsResult greedy_nms(const float* boxes, const std::vector<float>& scores, int64_t max_out,
                     float iou_threshold, float score_threshold, float sigma) {
  struct Candidate {
    int32_t index;
    float score;
    size_t compared;  // selected boxes [0, compared) have already scaled this candidate
  };
  // Pops the highest score first, the lower index among equal scores.
  auto after = [](const Candidate& a, const Candidate& b) {
    return a.score < b.score || (a.score == b.score && a.index > b.index);
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(after)> queue(after);
  for (size_t i = 0; i < scores.size(); ++i)
    if (scores[i] > score_threshold) queue.push({static_cast<int32_t>(i), scores[i], 0});
  const bool soft = sigma > 0.0f;
  const float scale = soft ? -0.5f / sigma : 0.0f;
  NmsResult r;
  while (static_cast<int64_t>(r.indices.size()) < max_out && !queue.empty()) {
    Candidate c = queue.top();
    queue.pop();
    const float original = c.score;
    bool suppressed = false;
    // Newest selections first: an overlapping box most likely has a close score.
    for (size_t j = r.indices.size(); j-- > c.compared;) {
      const float o = iou(boxes, c.index, r.indices[j]);
      if (!soft && o > iou_threshold) {
        suppressed = true;
        break;
      }
      if (soft) c.score *= std::exp(scale * o * o);
      if (c.score <= score_threshold) break;
    }
    c.compared = r.indices.size();
    if (suppressed) continue;
    if (c.score == original) {
      r.indices.push_back(c.index);
      r.scores.push_back(c.score);
    } else if (c.score > score_threshold) {
      queue.push(c);
    }
  }
  return r;
}

class NmsKernel : public Kernel {
 public:
  explicit NmsKernel(const KernelInit& init)
      : desc_(init.node->describe()),
        v5_(init.node->op == "NonMaxSuppressionV5"),
        has_valid_(init.node->op != "NonMaxSuppressionV3"),
        pad_(has_valid_ && op_attr_bool(*init.node, "pad_to_max_output_size")) {}

  void run(KernelContext& ctx) override {
    const TensorView& b = ctx.inputs[0];
    const TensorView& s = ctx.inputs[1];
    if (b.shape.size() != 2 || b.shape[1] != 4)
      fail(desc_, "boxes must have shape [num_boxes, 4], got " + dims_string(b.shape));
    const int64_t n = b.shape[0];
    if (s.shape.size() != 1 || s.shape[0] != n)
      fail(desc_, "scores must have shape [" + std::to_string(n) + "] (one per box), got " +
                      dims_string(s.shape));
    const int64_t max_out = scalar_int(ctx.inputs[2], desc_, "max_output_size");
    const float iou_threshold = scalar_float(ctx.inputs[3], desc_, "iou_threshold");
    const float score_threshold = scalar_float(ctx.inputs[4], desc_, "score_threshold");
    const float sigma = v5_ ? scalar_float(ctx.inputs[5], desc_, "soft_nms_sigma") : 0.0f;
    if (max_out < 0)
      fail(desc_, "max_output_size must be non-negative, got " + std::to_string(max_out));
    if (!(iou_threshold >= 0.0f && iou_threshold <= 1.0f))
      fail(desc_, "iou_threshold must be in [0, 1], got " + std::to_string(iou_threshold));
    if (!(sigma >= 0.0f))
      fail(desc_, "soft_nms_sigma must be non-negative, got " + std::to_string(sigma));
    const std::vector<float> boxes = read_floats(b);
    NmsResult r =
        greedy_nms(boxes.data(), read_floats(s), max_out, iou_threshold, score_threshold, sigma);
    const int32_t valid = static_cast<int32_t>(r.indices.size());
    if (pad_) {
      r.indices.resize(static_cast<size_t>(max_out), 0);
      r.scores.resize(static_cast<size_t>(max_out), 0.0f);
    }
    const int64_t m = static_cast<int64_t>(r.indices.size());
    TensorView& idx = ctx.allocate_output(0, {m});
    std::copy(r.indices.begin(), r.indices.end(), idx.as<int32_t>());
    int next = 1;
    if (v5_) {
      TensorView& sc = ctx.allocate_output(next++, {m});
      dispatch_float(sc.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        for (int64_t i = 0; i < m; ++i) sc.as<T>()[i] = st<T>(r.scores[static_cast<size_t>(i)]);
      });
    }
    if (has_valid_) *ctx.allocate_output(next, {}).as<int32_t>() = valid;
  }

 private:
  std::string desc_;
  bool v5_, has_valid_, pad_;
};

// ---- TopKV2 -----------------------------------------------------------------------------------

// The k largest entries of each row (the last dim), largest first; equal values keep the lower
// index first, and a NaN ranks above every number. With sorted=false TensorFlow leaves the order
// unspecified: this kernel returns the sorted order then too.
class TopKKernel : public Kernel {
 public:
  explicit TopKKernel(const KernelInit& init) : desc_(init.node->describe()) {}

  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    if (x.shape.empty()) fail(desc_, "input must have rank >= 1, got a scalar");
    const int64_t k = scalar_int(ctx.inputs[1], desc_, "k");
    const int64_t n = x.shape.back();
    if (k < 0) fail(desc_, "k must be non-negative, got " + std::to_string(k));
    if (k > n)
      fail(desc_, "input must have at least k = " + std::to_string(k) +
                      " entries in its last dim " + dims_string(x.shape));
    TensorView& vals = ctx.outputs[0];
    TensorView& idx = ctx.outputs[1];
    if (vals.shape.empty() || vals.shape.back() != k || idx.num_elements() != vals.num_elements())
      fail(desc_, "k = " + std::to_string(k) + " does not match the planned output shape " +
                      dims_string(vals.shape));
    const int64_t rows = n ? x.num_elements() / n : 0;
    if (k == 0 || rows == 0) return;
    dispatch_numeric(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.as<T>();
      T* out = vals.as<T>();
      int32_t* oi = idx.as<int32_t>();
      parallel_for(rows, 1, ctx.threads, [&](int64_t r0, int64_t r1) {
        std::vector<int32_t> order(static_cast<size_t>(n));
        for (int64_t r = r0; r < r1; ++r) {
          const T* row = in + r * n;
          auto before = [row](int32_t a, int32_t b) {
            const auto va = ld(row[a]), vb = ld(row[b]);
            if constexpr (std::is_floating_point_v<decltype(va)>) {
              const bool na = std::isnan(va), nb = std::isnan(vb);
              if (na || nb) return na && (!nb || a < b);
            }
            return va > vb || (va == vb && a < b);
          };
          for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = static_cast<int32_t>(i);
          std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
          for (int64_t i = 0; i < k; ++i) {
            const int32_t j = order[static_cast<size_t>(i)];
            out[r * k + i] = row[j];
            oi[r * k + i] = j;
          }
        }
      });
    });
  }

 private:
  std::string desc_;
};

// ---- SparseToDense ----------------------------------------------------------------------------

// dense = default_value everywhere, then dense[sparse_indices[i]] = sparse_values[i] (or the
// scalar sparse_values). sparse_indices: 0-D (one index into a 1-D output), 1-D [N] (N indices into
// a 1-D output) or 2-D [N, rank]. An out-of-range index is an error; with validate_indices the
// indices must also be in strictly increasing row-major order (no repeats), as in TensorFlow.
class SparseToDenseKernel : public Kernel {
 public:
  explicit SparseToDenseKernel(const KernelInit& init)
      : desc_(init.node->describe()), validate_(op_attr_bool(*init.node, "validate_indices")) {}

  void run(KernelContext& ctx) override {
    const TensorView& ix = ctx.inputs[0];
    const TensorView& shape_v = ctx.inputs[1];
    const TensorView& vals = ctx.inputs[2];
    const TensorView& dflt = ctx.inputs[3];
    TensorView& y = ctx.outputs[0];
    if (ix.shape.size() > 2)
      fail(desc_, "sparse_indices must be 0-D, 1-D or 2-D, got shape " + dims_string(ix.shape));
    if (shape_v.shape.size() != 1)
      fail(desc_, "output_shape must be 1-D, got shape " + dims_string(shape_v.shape));
    const std::vector<int64_t> shape = read_ints(shape_v);
    if (shape != y.shape)
      fail(desc_, "output_shape " + dims_string(shape) + " does not match the planned output " +
                      dims_string(y.shape));
    const int64_t num = ix.shape.empty() ? 1 : ix.shape[0];
    const int64_t rank = ix.shape.size() > 1 ? ix.shape[1] : 1;
    if (static_cast<int64_t>(shape.size()) != rank)
      fail(desc_, "output_shape has " + std::to_string(shape.size()) +
                      " entries but sparse_indices index " + std::to_string(rank) + " dims");
    const bool scalar_values = vals.shape.empty();
    if (!scalar_values && !(vals.shape.size() == 1 && vals.shape[0] == num))
      fail(desc_, "sparse_values must be a scalar or have shape [" + std::to_string(num) +
                      "], got " + dims_string(vals.shape));
    if (dflt.num_elements() != 1 || !dflt.shape.empty())
      fail(desc_, "default_value must be a scalar, got shape " + dims_string(dflt.shape));
    const size_t es = dtype_size(y.dtype);
    uint8_t* out = static_cast<uint8_t*>(y.data);
    const int64_t total = y.num_elements();
    for (int64_t i = 0; i < total; ++i) std::memcpy(out + i * es, dflt.data, es);
    const std::vector<int64_t> idx = read_ints(ix);
    const std::vector<int64_t> strides = strides_of(shape);
    const uint8_t* src = static_cast<const uint8_t*>(vals.data);
    int64_t prev = -1;
    for (int64_t i = 0; i < num; ++i) {
      const int64_t* c = idx.data() + i * rank;
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d) {
        if (c[d] < 0 || c[d] >= shape[static_cast<size_t>(d)])
          fail(desc_, "sparse_indices[" + std::to_string(i) +
                          "] = " + dims_string(std::vector<int64_t>(c, c + rank)) +
                          " is out of bounds of the output shape " + dims_string(shape));
        off += c[d] * strides[static_cast<size_t>(d)];
      }
      // In bounds, row-major order is the order of the flat offsets.
      if (validate_ && off <= prev)
        fail(desc_, "sparse_indices[" + std::to_string(i) +
                        "] = " + dims_string(std::vector<int64_t>(c, c + rank)) +
                        (off == prev ? " is repeated" : " is out of order") +
                        " (validate_indices needs them in increasing row-major order)");
      prev = off;
      std::memcpy(out + off * static_cast<int64_t>(es), src + (scalar_values ? 0 : i * es), es);
    }
  }

 private:
  std::string desc_;
  bool validate_;
};

const bool kRegistered = register_kernels([] {
  add_ref("Where", all_types(), [](const KernelInit&) { return std::make_unique<WhereKernel>(); });
  for (const char* op : {"NonMaxSuppressionV3", "NonMaxSuppressionV4", "NonMaxSuppressionV5"})
    add_ref(op, {DType::kFloat, DType::kHalf},
            [](const KernelInit& i) { return std::make_unique<NmsKernel>(i); });
  add_ref("TopKV2", numeric_types(),
          [](const KernelInit& i) { return std::make_unique<TopKKernel>(i); });
  add_ref("SparseToDense", all_types(),
          [](const KernelInit& i) { return std::make_unique<SparseToDenseKernel>(i); });
});

}  // namespace
}  // namespace aamp::ref
