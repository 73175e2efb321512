#include "aamp/backends/cpu/ref_linalg_params.h"

#include <algorithm>
#include <cmath>

#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/ops/attrs.h"

namespace aamp::linalg {

namespace {

[[noreturn]] void fail(const Node& n, ErrorCode c, const std::string& msg) {
  throw Error(c, n.describe() + ": " + msg);
}

std::string shape_str(const std::vector<int64_t>& s) { return Shape(s).to_string(); }

// A 4-entry list attr (strides, dilations, ksize) in data_format order -> (h, w).
void hw_pair(const Node& n, const char* key, bool nchw, int64_t dflt, int64_t& h, int64_t& w) {
  const AttrValue* a = n.find_attr(key);
  if (!a || !a->is<AttrList>() || a->get<AttrList>().i.empty()) {
    h = w = dflt;
    return;
  }
  const auto& v = a->get<AttrList>().i;
  if (v.size() != 4) fail(n, ErrorCode::kInvalidGraph, std::string(key) + " must have 4 entries");
  const int64_t b = v[0], c = nchw ? v[1] : v[3];
  h = nchw ? v[2] : v[1];
  w = nchw ? v[3] : v[2];
  if (b != 1 || c != 1)
    fail(n, ErrorCode::kUnimplemented, std::string(key) + " over batch/channel dims");
  if (h < 1 || w < 1) fail(n, ErrorCode::kInvalidGraph, std::string(key) + " must be positive");
}

bool is_nchw(const Node& n) {
  const std::string& f = op_attr_string(n, "data_format");
  if (f != "NHWC" && f != "NCHW")
    fail(n, ErrorCode::kUnimplemented, "unsupported data_format '" + f + "'");
  return f == "NCHW";
}

// TF's output size and padding for one spatial dim.
void spatial(const Node& n, const std::string& padding, int64_t in, int64_t k, int64_t s, int64_t d,
             int64_t ep_before, int64_t ep_after, int64_t& out, int64_t& before, int64_t& after) {
  const int64_t eff = (k - 1) * d + 1;
  if (padding == "SAME") {
    out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>((out - 1) * s + eff - in, 0);
    before = total / 2;
    after = total - before;
  } else if (padding == "VALID") {
    if (in < eff) fail(n, ErrorCode::kInvalidGraph, "window larger than the input (VALID)");
    out = (in - eff) / s + 1;
    before = after = 0;
  } else if (padding == "EXPLICIT") {
    if (ep_before < 0 || ep_after < 0) fail(n, ErrorCode::kInvalidGraph, "negative padding");
    if (in + ep_before + ep_after < eff)
      fail(n, ErrorCode::kInvalidGraph, "window larger than the padded input");
    out = (in + ep_before + ep_after - eff) / s + 1;
    before = ep_before;
    after = ep_after;
  } else {
    fail(n, ErrorCode::kUnimplemented, "unsupported padding '" + padding + "'");
  }
}

void fill_spatial(const Node& n, Conv2DGeom& g) {
  // padding is required (no OpDef default for any conv or pool): TensorFlow rejects a node
  // without one, and so does op_attr_string.
  const std::string& padding = op_attr_string(n, "padding");
  int64_t ep[4] = {0, 0, 0, 0};  // top, bottom, left, right
  if (padding == "EXPLICIT") {
    const AttrValue* a = n.find_attr("explicit_paddings");
    if (!a || !a->is<AttrList>() || a->get<AttrList>().i.size() != 8)
      fail(n, ErrorCode::kInvalidGraph, "explicit_paddings must have 8 entries");
    const auto& p = a->get<AttrList>().i;
    const int hd = g.nchw ? 2 : 1, wd = g.nchw ? 3 : 2, cd = g.nchw ? 1 : 3;
    if (p[0] || p[1] || p[2 * cd] || p[2 * cd + 1])
      fail(n, ErrorCode::kUnimplemented, "explicit padding of batch/channel dims");
    ep[0] = p[2 * hd];
    ep[1] = p[2 * hd + 1];
    ep[2] = p[2 * wd];
    ep[3] = p[2 * wd + 1];
  }
  spatial(n, padding, g.in_h, g.k_h, g.stride_h, g.dil_h, ep[0], ep[1], g.out_h, g.pad_t, g.pad_b);
  spatial(n, padding, g.in_w, g.k_w, g.stride_w, g.dil_w, ep[2], ep[3], g.out_w, g.pad_l, g.pad_r);
}

void read_nhwc(const Conv2DGeom& g, const std::vector<int64_t>& s, int64_t& n, int64_t& h,
               int64_t& w, int64_t& c) {
  n = s[0];
  h = g.nchw ? s[2] : s[1];
  w = g.nchw ? s[3] : s[2];
  c = g.nchw ? s[1] : s[3];
}

}  // namespace

namespace {

// fused_ops are checked when the Session is created (not at the first run's plan compile).
const bool kChecksRegistered = [] {
  for (const char* op : {"_FusedMatMul", "_FusedConv2D", "FusedDepthwiseConv2dNative",
                         "_FusedDepthwiseConv2dNative", "_AampFusedBatchMatMulV2"}) {
    KernelRegistry::global().add_check(op, DeviceKind::kCPU, check_fused_ops);
  }
  return true;
}();

}  // namespace

Conv2DGeom conv_geom(const Node& n, ConvKind kind, const std::vector<int64_t>& input,
                     const std::vector<int64_t>& filter) {
  Conv2DGeom g;
  g.nchw = is_nchw(n);
  if (input.size() != 4 || filter.size() != 4)
    fail(n, ErrorCode::kInvalidGraph,
         "input " + shape_str(input) + " and filter " + shape_str(filter) + " must be 4-D");
  read_nhwc(g, input, g.n, g.in_h, g.in_w, g.in_c);
  g.k_h = filter[0];
  g.k_w = filter[1];
  if (filter[2] != g.in_c)
    fail(n, ErrorCode::kInvalidGraph,
         "filter " + shape_str(filter) + " does not match input channels of " + shape_str(input));
  if (kind == ConvKind::kDepthwise) {
    g.multiplier = filter[3];
    g.out_c = g.in_c * filter[3];
  } else {
    g.out_c = filter[3];
  }
  hw_pair(n, "strides", g.nchw, 1, g.stride_h, g.stride_w);
  hw_pair(n, "dilations", g.nchw, 1, g.dil_h, g.dil_w);
  if (g.k_h < 1 || g.k_w < 1) fail(n, ErrorCode::kInvalidGraph, "empty filter");
  fill_spatial(n, g);
  return g;
}

Conv2DGeom pool_geom(const Node& n, const std::vector<int64_t>& input) {
  Conv2DGeom g;
  g.nchw = is_nchw(n);
  if (input.size() != 4)
    fail(n, ErrorCode::kInvalidGraph, "input " + shape_str(input) + " must be 4-D");
  read_nhwc(g, input, g.n, g.in_h, g.in_w, g.in_c);
  g.out_c = g.in_c;
  hw_pair(n, "ksize", g.nchw, 1, g.k_h, g.k_w);
  hw_pair(n, "strides", g.nchw, 1, g.stride_h, g.stride_w);
  fill_spatial(n, g);
  return g;
}

std::vector<int64_t> geom_output_shape(const Conv2DGeom& g) {
  if (g.nchw) return {g.n, g.out_c, g.out_h, g.out_w};
  return {g.n, g.out_h, g.out_w, g.out_c};
}

int64_t MatMulGeom::batch_size() const {
  int64_t b = 1;
  for (int64_t d : batch) b *= d;
  return b;
}

MatMulGeom matmul_geom(const Node& n, const std::vector<int64_t>& a,
                       const std::vector<int64_t>& b) {
  MatMulGeom g;
  const bool plain = n.op == "MatMul" || n.op == "_FusedMatMul";
  g.ta = op_attr_bool(n, plain ? "transpose_a" : "adj_x");
  g.tb = op_attr_bool(n, plain ? "transpose_b" : "adj_y");
  if (a.size() < 2 || b.size() < 2 || (plain && (a.size() != 2 || b.size() != 2)))
    fail(n, ErrorCode::kInvalidGraph, "bad operand ranks " + shape_str(a) + " x " + shape_str(b));
  const size_t ra = a.size(), rb = b.size();
  g.m = g.ta ? a[ra - 1] : a[ra - 2];
  g.k = g.ta ? a[ra - 2] : a[ra - 1];
  const int64_t kb = g.tb ? b[rb - 1] : b[rb - 2];
  g.n = g.tb ? b[rb - 2] : b[rb - 1];
  if (kb != g.k)
    fail(n, ErrorCode::kInvalidGraph,
         "inner dimensions differ: " + shape_str(a) + " x " + shape_str(b));
  const size_t r = std::max(ra, rb) - 2;
  g.batch.assign(r, 1);
  g.a_batch.assign(r, 1);
  g.b_batch.assign(r, 1);
  for (size_t i = 0; i < ra - 2; ++i) g.a_batch[r - (ra - 2) + i] = a[i];
  for (size_t i = 0; i < rb - 2; ++i) g.b_batch[r - (rb - 2) + i] = b[i];
  for (size_t i = 0; i < r; ++i) {
    const int64_t x = g.a_batch[i], y = g.b_batch[i];
    if (x != y && x != 1 && y != 1)
      fail(n, ErrorCode::kInvalidGraph,
           "batch dims do not broadcast: " + shape_str(a) + " x " + shape_str(b));
    g.batch[i] = x == 1 ? y : x;
  }
  return g;
}

void to_floats(const TensorView& t, std::vector<float>& out) {
  const int64_t n = t.num_elements();
  out.resize(static_cast<size_t>(n));
  dispatch_float(t.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.as<T>();
    for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = as_float(p[i]);
  });
}

void to_floats(const Tensor& t, std::vector<float>& out) {
  TensorView v;
  v.dtype = t.dtype();
  v.shape = t.shape().dims;
  v.data = const_cast<uint8_t*>(t.raw());
  to_floats(v, out);
}

namespace {

// Offsets of a broadcast argument for every element of `shape` (right-aligned NumPy rules).
void broadcast_offsets(const std::vector<int64_t>& arg, const std::vector<int64_t>& shape,
                       std::vector<int64_t>& off) {
  const size_t r = shape.size();
  std::vector<int64_t> st(r, 0);
  int64_t s = 1;
  for (size_t i = 0; i < arg.size() && i < r; ++i) {
    const size_t ai = arg.size() - 1 - i, oi = r - 1 - i;
    if (arg[ai] != 1) st[oi] = s;
    s *= arg[ai];
  }
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  off.assign(static_cast<size_t>(total), 0);
  std::vector<int64_t> idx(r, 0);
  int64_t cur = 0;
  for (int64_t i = 0; i < total; ++i) {
    off[static_cast<size_t>(i)] = cur;
    for (size_t d = r; d-- > 0;) {
      ++idx[d];
      cur += st[d];
      if (idx[d] < shape[d]) break;
      cur -= st[d] * idx[d];
      idx[d] = 0;
    }
  }
}

bool broadcastable(const std::vector<int64_t>& arg, const std::vector<int64_t>& shape) {
  if (arg.size() > shape.size()) {
    for (size_t i = 0; i < arg.size() - shape.size(); ++i)
      if (arg[i] != 1) return false;
  }
  for (size_t i = 0; i < arg.size() && i < shape.size(); ++i) {
    const int64_t a = arg[arg.size() - 1 - i], o = shape[shape.size() - 1 - i];
    if (a != 1 && a != o) return false;
  }
  return true;
}

}  // namespace

void apply_epilogue(const Epilogue& e, const KernelContext& ctx, const std::vector<int64_t>& shape,
                    int ch_axis, std::vector<float>& y) {
  const int64_t total = static_cast<int64_t>(y.size());
  const int64_t channels = shape.empty() ? 1 : shape[static_cast<size_t>(ch_axis)];
  int64_t inner = 1;
  for (size_t i = static_cast<size_t>(ch_axis) + 1; i < shape.size(); ++i) inner *= shape[i];
  auto chan = [&](int64_t i) { return static_cast<size_t>((i / inner) % channels); };
  std::vector<float> a, b, c, d;
  std::vector<int64_t> off;
  for (const EpilogueStep& s : e.steps) {
    if (is_activation(s.kind)) {
      for (auto& v : y) v = activate(s.kind, v, e.act);
      continue;
    }
    const TensorView& arg = ctx.inputs.at(static_cast<size_t>(s.arg));
    to_floats(arg, a);
    const bool per_channel = epilogue_op_def(s.kind).per_channel_only ||
                             (s.kind == EpilogueOp::kPrelu &&
                              static_cast<int64_t>(a.size()) == channels && arg.shape.size() <= 1);
    if (per_channel) {
      AAMP_CHECK(static_cast<int64_t>(a.size()) == channels, ErrorCode::kInvalidArgument,
                 "fused per-channel argument has " + std::to_string(a.size()) +
                     " elements, expected " + std::to_string(channels));
    } else {
      AAMP_CHECK(broadcastable(arg.shape, shape), ErrorCode::kInvalidArgument,
                 "fused argument " + Shape(arg.shape).to_string() + " does not broadcast to " +
                     Shape(shape).to_string());
      broadcast_offsets(arg.shape, shape, off);
    }
    auto at = [&](int64_t i) {
      return per_channel ? a[chan(i)] : a[static_cast<size_t>(off[static_cast<size_t>(i)])];
    };
    switch (s.kind) {
      case EpilogueOp::kBiasAdd:
      case EpilogueOp::kAdd:
        for (int64_t i = 0; i < total; ++i) y[static_cast<size_t>(i)] += at(i);
        break;
      case EpilogueOp::kMul:
        for (int64_t i = 0; i < total; ++i) y[static_cast<size_t>(i)] *= at(i);
        break;
      case EpilogueOp::kPrelu:
        for (int64_t i = 0; i < total; ++i) {
          float& v = y[static_cast<size_t>(i)];
          v = prelu(v, at(i));
        }
        break;
      case EpilogueOp::kBatchNorm: {
        to_floats(ctx.inputs.at(static_cast<size_t>(s.arg + 1)), b);
        to_floats(ctx.inputs.at(static_cast<size_t>(s.arg + 2)), c);
        to_floats(ctx.inputs.at(static_cast<size_t>(s.arg + 3)), d);
        AAMP_CHECK(b.size() == a.size() && c.size() == a.size() && d.size() == a.size(),
                   ErrorCode::kInvalidArgument, "fused FusedBatchNorm args differ in size");
        for (int64_t i = 0; i < total; ++i) {
          const size_t ch = chan(i);
          float& v = y[static_cast<size_t>(i)];
          v = batch_norm(v, a[ch], b[ch], c[ch], d[ch], e.epsilon);
        }
        break;
      }
      default:
        break;
    }
  }
}

void from_floats(const std::vector<float>& in, TensorView& out) {
  dispatch_float(out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.as<T>();
    for (size_t i = 0; i < in.size(); ++i) p[i] = from_float<T>(in[i]);
  });
}

}  // namespace aamp::linalg
