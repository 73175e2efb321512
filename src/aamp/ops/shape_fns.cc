// The shape functions of aamp/ops/shape_inference.h (attached to ops by ops/*_ops.cc).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "aamp/core/error.h"
#include "aamp/ops/shape_inference.h"

namespace aamp::shape_fns {

namespace {

bool known(const Shape& s) { return s.is_fully_defined(); }

Tensor int_tensor(DType t, const std::vector<int64_t>& v) {
  Shape s{static_cast<int64_t>(v.size())};
  if (t == DType::kInt64) return Tensor::from_vector<int64_t>(s, v);
  std::vector<int32_t> w(v.begin(), v.end());
  return Tensor::from_vector<int32_t>(s, w);
}

int64_t prod(const std::vector<int64_t>& v, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < std::min(to, v.size()); ++i) p *= v[i];
  return p;
}

// Dims of a shape given as a constant int tensor (Fill, Reshape, BroadcastTo, ...).
std::vector<int64_t> shape_arg(const ShapeContext& c, int i) { return c.ints(i); }

}  // namespace

void unary(ShapeContext& c) {
  for (int i = 0; i < c.num_outputs(); ++i) c.set(i, c.in(0));
}

void broadcast(ShapeContext& c) {
  Shape s = c.in(0);
  for (int i = 1; i < c.num_inputs(); ++i) s = broadcast_shapes(s, c.in(i), c.node);
  for (int i = 0; i < c.num_outputs(); ++i) c.set(i, s);
}

void select(ShapeContext& c) {
  if (c.node->op == "Select" && c.in(0).rank() == 1 && c.in(1).rank() > 1) {
    c.set(0, broadcast_shapes(c.in(1), c.in(2), c.node));
    return;
  }
  broadcast(c);
}

void no_outputs(ShapeContext& c) { (void)c; }

void scalars(ShapeContext& c) {
  for (int i = 0; i < c.num_outputs(); ++i) c.set(i, Shape{});
}

void scalars_first(ShapeContext& c) {
  if (c.num_outputs() > 0 && c.output_dtypes[0] == DType::kVariant) c.set(0, Shape{});
}

void placeholder(ShapeContext& c) {
  const AttrValue* v = c.attr("shape");
  c.set(0, v && v->is<Shape>() ? v->get<Shape>() : Shape::unknown());
}

void constant(ShapeContext& c) {
  const AttrValue* v = c.attr("value");
  if (!v || !v->is<Tensor>()) c.fail("Const without a tensor 'value'");
  c.set_value(0, v->get<Tensor>());
}

void shape_of(ShapeContext& c) {
  for (int i = 0; i < c.num_outputs(); ++i) {
    const Shape& s = c.in(i);
    if (s.unknown_rank) {
      c.set(i, Shape{-1});
      continue;
    }
    c.set(i, Shape{s.rank()});
    if (known(s)) c.set_value(i, int_tensor(c.output_dtypes[static_cast<size_t>(i)], s.dims));
  }
}

void size_of(ShapeContext& c) {
  c.set(0, Shape{});
  if (known(c.in(0))) {
    Tensor t = int_tensor(c.output_dtypes[0], {c.in(0).num_elements()}).reshaped(Shape{});
    c.set_value(0, t);
  }
}

void rank_of(ShapeContext& c) {
  c.set(0, Shape{});
  if (!c.in(0).unknown_rank) c.set_value(0, Tensor::scalar<int32_t>(c.in(0).rank()));
}

void reduce(ShapeContext& c) {
  const Shape& x = c.in(0);
  const bool keep = c.attr_bool("keep_dims", false);
  if (x.unknown_rank || !c.value(1)) {
    c.set(0, Shape::unknown());
    return;
  }
  std::vector<bool> red(static_cast<size_t>(x.rank()), false);
  for (int64_t a : c.ints(1)) red[static_cast<size_t>(normalize_axis(a, x.rank(), c.node))] = true;
  std::vector<int64_t> out;
  for (int i = 0; i < x.rank(); ++i) {
    if (!red[static_cast<size_t>(i)])
      out.push_back(x.dims[static_cast<size_t>(i)]);
    else if (keep)
      out.push_back(1);
  }
  c.set(0, Shape(out));
}

void arg_reduce(ShapeContext& c) {
  const Shape& x = c.in(0);
  const int64_t axis = normalize_axis(c.ints(1).at(0), x.rank(), c.node);
  std::vector<int64_t> out = x.dims;
  out.erase(out.begin() + axis);
  c.set(0, Shape(out));
}

void reshape(ShapeContext& c) {
  std::vector<int64_t> d = shape_arg(c, 1);
  const int64_t n = c.in(0).num_elements();
  int infer = -1;
  int64_t p = 1;
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] == -1) {
      if (infer >= 0) c.fail("Reshape: more than one -1 in the shape");
      infer = static_cast<int>(i);
    } else {
      p *= d[i];
    }
  }
  if (n >= 0) {
    if (infer >= 0) {
      if (p == 0 || n % p != 0)
        c.fail("Reshape: cannot reshape " + c.in(0).to_string() + " to " + Shape(d).to_string());
      d[static_cast<size_t>(infer)] = n / p;
    } else if (p != n) {
      c.fail("Reshape: cannot reshape " + c.in(0).to_string() + " (" + std::to_string(n) +
             " elements) to " + Shape(d).to_string());
    }
  }
  c.set(0, Shape(d));
}

void squeeze(ShapeContext& c) {
  const Shape& x = c.in(0);
  std::vector<int64_t> axes = c.attr_ints("squeeze_dims");
  if (axes.empty()) axes = c.attr_ints("axis");
  std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
  for (int64_t a : axes) {
    const int64_t k = normalize_axis(a, x.rank(), c.node);
    if (x.dims[static_cast<size_t>(k)] != 1)
      c.fail("Squeeze: dim " + std::to_string(k) + " of " + x.to_string() + " is not 1");
    drop[static_cast<size_t>(k)] = true;
  }
  std::vector<int64_t> out;
  for (int i = 0; i < x.rank(); ++i) {
    const int64_t d = x.dims[static_cast<size_t>(i)];
    if (axes.empty() ? d == 1 : drop[static_cast<size_t>(i)]) continue;
    out.push_back(d);
  }
  c.set(0, Shape(out));
}

void expand_dims(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims;
  const int64_t r = static_cast<int64_t>(d.size());
  const int64_t axis = normalize_axis(c.ints(1).at(0), r + 1, c.node);
  d.insert(d.begin() + axis, 1);
  c.set(0, Shape(d));
}

void transpose(ShapeContext& c) {
  const Shape& x = c.in(0);
  std::vector<int64_t> perm = c.ints(1);
  if (static_cast<int>(perm.size()) != x.rank())
    c.fail("Transpose: perm of length " + std::to_string(perm.size()) + " for rank " +
           std::to_string(x.rank()));
  std::vector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(x.dims[static_cast<size_t>(normalize_axis(p, x.rank(), c.node))]);
  c.set(0, Shape(out));
}

void concat(ShapeContext& c) {
  const bool v1 = c.node->op == "Concat";
  const int n = c.num_inputs() - 1;
  const int first = v1 ? 1 : 0;
  const int axis_in = v1 ? 0 : n;
  std::vector<int64_t> out = c.in(first).dims;
  const int64_t axis =
      normalize_axis(c.ints(axis_in).at(0), static_cast<int64_t>(out.size()), c.node);
  out[static_cast<size_t>(axis)] = 0;
  for (int i = first; i < first + n; ++i) {
    const Shape& s = c.in(i);
    if (s.rank() != static_cast<int>(out.size()))
      c.fail("ConcatV2: inputs of different ranks " + c.in(first).to_string() + " and " +
             s.to_string());
    for (int k = 0; k < s.rank(); ++k) {
      if (k == axis) continue;
      if (s.dims[static_cast<size_t>(k)] != out[static_cast<size_t>(k)])
        c.fail("ConcatV2: input shapes " + c.in(first).to_string() + " and " + s.to_string() +
               " differ outside the concat axis");
    }
    out[static_cast<size_t>(axis)] += s.dims[static_cast<size_t>(axis)];
  }
  c.set(0, Shape(out));
}

void pack(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims;
  for (int i = 1; i < c.num_inputs(); ++i)
    if (c.in(i).dims != d)
      c.fail("Pack: input shapes differ: " + c.in(0).to_string() + " vs " + c.in(i).to_string());
  const int64_t axis =
      normalize_axis(c.attr_int("axis", 0), static_cast<int64_t>(d.size()) + 1, c.node);
  d.insert(d.begin() + axis, c.num_inputs());
  c.set(0, Shape(d));
}

void unpack(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims;
  const int64_t axis =
      normalize_axis(c.attr_int("axis", 0), static_cast<int64_t>(d.size()), c.node);
  if (d[static_cast<size_t>(axis)] != c.num_outputs())
    c.fail("Unpack: dim " + std::to_string(axis) + " of " + c.in(0).to_string() +
           " is not num=" + std::to_string(c.num_outputs()));
  d.erase(d.begin() + axis);
  for (int i = 0; i < c.num_outputs(); ++i) c.set(i, Shape(d));
}

void split(ShapeContext& c) {
  // Split(split_dim, value).
  std::vector<int64_t> d = c.in(1).dims;
  const int64_t axis = normalize_axis(c.ints(0).at(0), static_cast<int64_t>(d.size()), c.node);
  const int64_t n = c.num_outputs();
  if (n <= 0 || d[static_cast<size_t>(axis)] % n != 0)
    c.fail("Split: dim " + std::to_string(axis) + " of " + c.in(1).to_string() +
           " is not divisible by num_split=" + std::to_string(n));
  d[static_cast<size_t>(axis)] /= n;
  for (int i = 0; i < c.num_outputs(); ++i) c.set(i, Shape(d));
}

void split_v(ShapeContext& c) {
  // SplitV(value, size_splits, split_dim).
  std::vector<int64_t> d = c.in(0).dims;
  const int64_t axis = normalize_axis(c.ints(2).at(0), static_cast<int64_t>(d.size()), c.node);
  std::vector<int64_t> sizes = c.ints(1);
  if (static_cast<int>(sizes.size()) != c.num_outputs())
    c.fail("SplitV: size_splits length != num_split");
  int64_t total = d[static_cast<size_t>(axis)], sum = 0;
  int infer = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1)
      infer = static_cast<int>(i);
    else
      sum += sizes[i];
  }
  if (infer >= 0)
    sizes[static_cast<size_t>(infer)] = total - sum;
  else if (sum != total)
    c.fail("SplitV: size_splits do not add up to dim " + std::to_string(total));
  for (int i = 0; i < c.num_outputs(); ++i) {
    d[static_cast<size_t>(axis)] = sizes[static_cast<size_t>(i)];
    c.set(i, Shape(d));
  }
}

void slice(ShapeContext& c) {
  const Shape& x = c.in(0);
  std::vector<int64_t> b = c.ints(1), s = c.ints(2);
  if (static_cast<int>(b.size()) != x.rank() || s.size() != b.size())
    c.fail("Slice: begin/size length does not match rank of " + x.to_string());
  std::vector<int64_t> out(b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    const int64_t d = x.dims[i];
    out[i] = s[i] == -1 ? d - b[i] : s[i];
    if (b[i] < 0 || out[i] < 0 || b[i] + out[i] > d)
      c.fail("Slice: begin " + Shape(b).to_string() + " size " + Shape(s).to_string() +
             " out of bounds for " + x.to_string());
  }
  c.set(0, Shape(out));
}

void strided_slice(ShapeContext& c) {
  StridedSliceSpec s = resolve_strided_slice(
      c.in(0).dims, c.ints(1), c.ints(2), c.ints(3), c.attr_int("begin_mask", 0),
      c.attr_int("end_mask", 0), c.attr_int("ellipsis_mask", 0), c.attr_int("new_axis_mask", 0),
      c.attr_int("shrink_axis_mask", 0), c.node);
  c.set(0, Shape(s.out_shape));
}

void tile(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims, m = c.ints(1);
  if (m.size() != d.size()) c.fail("Tile: multiples length does not match rank");
  for (size_t i = 0; i < d.size(); ++i) d[i] *= m[i];
  c.set(0, Shape(d));
}

void pad(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims, p = c.ints(1);
  if (p.size() != 2 * d.size()) c.fail("Pad: paddings must be [rank, 2]");
  for (size_t i = 0; i < d.size(); ++i) d[i] += p[2 * i] + p[2 * i + 1];
  c.set(0, Shape(d));
}

void gather(ShapeContext& c) {
  const Shape& params = c.in(0);
  const Shape& idx = c.in(1);
  const int64_t axis =
      c.node->op == "Gather" ? 0 : normalize_axis(c.ints(2).at(0), params.rank(), c.node);
  int64_t bd = c.attr_int("batch_dims", 0);
  if (bd < 0) bd += idx.rank();
  std::vector<int64_t> out(params.dims.begin(), params.dims.begin() + axis);
  out.insert(out.end(), idx.dims.begin() + bd, idx.dims.end());
  out.insert(out.end(), params.dims.begin() + axis + 1, params.dims.end());
  c.set(0, Shape(out));
}

void gather_nd(ShapeContext& c) {
  const Shape& params = c.in(0);
  const Shape& idx = c.in(1);
  if (idx.rank() < 1) c.fail("GatherNd: indices must have rank >= 1");
  const int64_t k = idx.dims.back();
  if (k > params.rank()) c.fail("GatherNd: index depth exceeds params rank");
  std::vector<int64_t> out(idx.dims.begin(), idx.dims.end() - 1);
  out.insert(out.end(), params.dims.begin() + k, params.dims.end());
  c.set(0, Shape(out));
}

void one_hot(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims;
  const int64_t depth = c.ints(1).at(0);
  int64_t axis = c.attr_int("axis", -1);
  if (axis == -1) axis = static_cast<int64_t>(d.size());
  d.insert(d.begin() + axis, depth);
  c.set(0, Shape(d));
}

void fill(ShapeContext& c) { c.set(0, Shape(shape_arg(c, 0))); }

void range(ShapeContext& c) {
  const Tensor* s = c.value(0);
  const Tensor* l = c.value(1);
  const Tensor* d = c.value(2);
  if (!s || !l || !d)  // the length is known once the values are (the runtime then runs it)
    throw Error(ErrorCode::kUnimplemented,
                c.node->describe() +
                    ": Range: start, limit and delta must be constants to infer "
                    "its length at plan time");
  const double start = s->element_as_double(0), limit = l->element_as_double(0),
               delta = d->element_as_double(0);
  if (delta == 0) c.fail("Range: delta is 0");
  int64_t n = 0;
  if (is_integer(c.output_dtypes[0]))
    n = static_cast<int64_t>((std::abs(limit - start) + std::abs(delta) - 1) / std::abs(delta));
  else
    n = static_cast<int64_t>(std::ceil(std::abs((limit - start) / delta)));
  if ((delta > 0 && limit < start) || (delta < 0 && limit > start)) n = 0;
  c.set(0, Shape{n});
}

void broadcast_to(ShapeContext& c) {
  Shape target(shape_arg(c, 1));
  c.set(0, broadcast_shapes(c.in(0), target, c.node));
}

void resize(ShapeContext& c) {
  const Shape& x = c.in(0);
  std::vector<int64_t> size = c.ints(1);
  if (x.rank() != 4 || size.size() != 2) c.fail("resize needs a 4-D input and a 2-element size");
  c.set(0, Shape{x.dims[0], size[0], size[1], x.dims[3]});
}

void depth_to_space(ShapeContext& c) {
  const Shape& x = c.in(0);
  const int64_t b = c.attr_int("block_size", 2);
  if (x.rank() != 4) c.fail("DepthToSpace needs a 4-D input");
  if (c.attr_string("data_format", "NHWC") != "NHWC") c.fail("DepthToSpace: only NHWC");
  if (x.dims[3] % (b * b) != 0) c.fail("DepthToSpace: depth not divisible by block_size^2");
  c.set(0, Shape{x.dims[0], x.dims[1] * b, x.dims[2] * b, x.dims[3] / (b * b)});
}

void space_to_depth(ShapeContext& c) {
  const Shape& x = c.in(0);
  const int64_t b = c.attr_int("block_size", 2);
  if (x.rank() != 4 || x.dims[1] % b || x.dims[2] % b) c.fail("SpaceToDepth: bad input shape");
  c.set(0, Shape{x.dims[0], x.dims[1] / b, x.dims[2] / b, x.dims[3] * b * b});
}

void space_to_batch_nd(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims;
  std::vector<int64_t> bs = c.ints(1), p = c.ints(2);
  const size_t m = bs.size();
  if (p.size() != 2 * m || d.size() < m + 1) c.fail("SpaceToBatchND: bad block_shape/paddings");
  for (size_t i = 0; i < m; ++i) {
    const int64_t padded = d[i + 1] + p[2 * i] + p[2 * i + 1];
    if (padded % bs[i]) c.fail("SpaceToBatchND: padded dim not divisible by block size");
    d[i + 1] = padded / bs[i];
  }
  d[0] *= prod(bs);
  c.set(0, Shape(d));
}

void batch_to_space_nd(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims;
  std::vector<int64_t> bs = c.ints(1), cr = c.ints(2);
  const size_t m = bs.size();
  if (cr.size() != 2 * m || d.size() < m + 1) c.fail("BatchToSpaceND: bad block_shape/crops");
  const int64_t p = prod(bs);
  if (d[0] % p) c.fail("BatchToSpaceND: batch not divisible by prod(block_shape)");
  d[0] /= p;
  for (size_t i = 0; i < m; ++i) d[i + 1] = d[i + 1] * bs[i] - cr[2 * i] - cr[2 * i + 1];
  c.set(0, Shape(d));
}

void top_k(ShapeContext& c) {
  std::vector<int64_t> d = c.in(0).dims;
  const int64_t k = c.node->op == "TopK" ? c.attr_int("k", 1) : c.ints(1).at(0);
  if (k < 0) c.fail("TopKV2: k must be non-negative, got " + std::to_string(k));
  if (d.empty() || d.back() < k) c.fail("TopKV2: last dim smaller than k");
  d.back() = k;
  c.set(0, Shape(d));
  c.set(1, Shape(d));
}

void sparse_to_dense(ShapeContext& c) { c.set(0, Shape(shape_arg(c, 1))); }

void where(ShapeContext& c) {
  const Shape& x = c.in(0);
  c.set(0, Shape({-1, x.unknown_rank ? -1 : static_cast<int64_t>(x.rank())}));
}

void non_max_suppression(ShapeContext& c) {
  const Shape& boxes = c.in(0);
  const Shape& scores = c.in(1);
  if (!boxes.unknown_rank && (boxes.rank() != 2 || (boxes.dims[1] >= 0 && boxes.dims[1] != 4)))
    c.fail("boxes must have shape [num_boxes, 4], got " + boxes.to_string());
  if (!scores.unknown_rank && scores.rank() != 1)
    c.fail("scores must be 1-D, got " + scores.to_string());
  // Padded outputs have max_output_size entries when it is known; else the count is a result.
  int64_t m = -1;
  if (c.node->op != "NonMaxSuppressionV3" && c.attr_bool("pad_to_max_output_size", false) &&
      c.value(2))
    m = c.ints(2).at(0);
  c.set(0, Shape({m}));
  if (c.node->op == "NonMaxSuppressionV4") c.set(1, Shape{});
  if (c.node->op == "NonMaxSuppressionV5") {
    c.set(1, Shape({m}));
    c.set(2, Shape{});
  }
}

void identity_n(ShapeContext& c) {
  for (int i = 0; i < c.num_outputs() && i < c.num_inputs(); ++i) {
    c.set(i, c.in(i));
    c.output_dtypes[static_cast<size_t>(i)] = c.input_dtypes[static_cast<size_t>(i)];
  }
}

void merge(ShapeContext& c) {
  Shape s = c.in(0);
  for (int i = 1; i < c.num_inputs() && !s.unknown_rank; ++i) {
    const Shape& o = c.in(i);
    if (o.unknown_rank || o.rank() != s.rank()) {
      s = Shape::unknown();
      break;
    }
    for (int d = 0; d < s.rank(); ++d)
      if (s.dims[static_cast<size_t>(d)] != o.dims[static_cast<size_t>(d)])
        s.dims[static_cast<size_t>(d)] = -1;
  }
  c.set(0, s);
  c.set(1, Shape{});
}

void conv2d(ShapeContext& c) {
  const Shape& x = c.in(0);
  const Shape& w = c.in(1);
  if (x.rank() != 4 || w.rank() != 4) c.fail("convolution needs 4-D input and filter");
  const bool nchw = c.attr_string("data_format", "NHWC") == "NCHW";
  std::vector<int64_t> st = c.attr_ints("strides"), dl = c.attr_ints("dilations");
  if (st.size() != 4) st = {1, 1, 1, 1};
  if (dl.size() != 4) dl = {1, 1, 1, 1};
  const std::string padding = c.attr_string("padding", "VALID");
  std::vector<int64_t> ep = c.attr_ints("explicit_paddings");
  const int hd = nchw ? 2 : 1, wd = nchw ? 3 : 2, cd = nchw ? 1 : 3;
  auto pad_at = [&](int dim, int side) {
    return ep.size() == 8 ? ep[static_cast<size_t>(2 * dim + side)] : 0;
  };
  const int64_t oh =
      conv_out_size(x.dims[static_cast<size_t>(hd)], w.dims[0], st[static_cast<size_t>(hd)],
                    dl[static_cast<size_t>(hd)], padding, pad_at(hd, 0), pad_at(hd, 1), nullptr);
  const int64_t ow =
      conv_out_size(x.dims[static_cast<size_t>(wd)], w.dims[1], st[static_cast<size_t>(wd)],
                    dl[static_cast<size_t>(wd)], padding, pad_at(wd, 0), pad_at(wd, 1), nullptr);
  const bool depthwise = c.node->op.find("Depthwise") != std::string::npos;
  const int64_t oc = depthwise ? w.dims[2] * w.dims[3] : w.dims[3];
  if (nchw)
    c.set(0, Shape{x.dims[0], oc, oh, ow});
  else
    c.set(0, Shape{x.dims[0], oh, ow, oc});
  (void)cd;
}

void conv2d_backprop_input(ShapeContext& c) { c.set(0, Shape(c.ints(0))); }

void pool(ShapeContext& c) {
  const Shape& x = c.in(0);
  if (x.rank() != 4) c.fail("pooling needs a 4-D input");
  const bool nchw = c.attr_string("data_format", "NHWC") == "NCHW";
  std::vector<int64_t> k = c.attr_ints("ksize"), st = c.attr_ints("strides");
  if (k.size() != 4 || st.size() != 4) c.fail("pooling needs 4-element ksize and strides");
  const std::string padding = c.attr_string("padding", "VALID");
  const size_t hd = nchw ? 2 : 1, wd = nchw ? 3 : 2;
  // MaxPool's EXPLICIT padding (the remapper folds a Pad into it): [before, after] per dim.
  std::vector<int64_t> ep = c.attr_ints("explicit_paddings");
  auto pad_at = [&](size_t dim, size_t side) { return ep.size() == 8 ? ep[2 * dim + side] : 0; };
  std::vector<int64_t> out = x.dims;
  out[hd] =
      conv_out_size(x.dims[hd], k[hd], st[hd], 1, padding, pad_at(hd, 0), pad_at(hd, 1), nullptr);
  out[wd] =
      conv_out_size(x.dims[wd], k[wd], st[wd], 1, padding, pad_at(wd, 0), pad_at(wd, 1), nullptr);
  c.set(0, Shape(out));
}

void matmul(ShapeContext& c) {
  const Shape& a = c.in(0);
  const Shape& b = c.in(1);
  if (a.rank() != 2 || b.rank() != 2) c.fail("MatMul needs 2-D inputs");
  const bool ta = c.attr_bool("transpose_a", false), tb = c.attr_bool("transpose_b", false);
  const int64_t k1 = ta ? a.dims[0] : a.dims[1], k2 = tb ? b.dims[1] : b.dims[0];
  if (k1 != k2) c.fail("MatMul: inner dims differ: " + a.to_string() + " x " + b.to_string());
  c.set(0, Shape{ta ? a.dims[1] : a.dims[0], tb ? b.dims[0] : b.dims[1]});
}

void batch_matmul(ShapeContext& c) {
  const Shape& a = c.in(0);
  const Shape& b = c.in(1);
  if (a.rank() < 2 || b.rank() < 2) c.fail("BatchMatMul needs inputs of rank >= 2");
  const bool ta = c.attr_bool("adj_x", false), tb = c.attr_bool("adj_y", false);
  const size_t ra = a.dims.size(), rb = b.dims.size();
  const int64_t m = ta ? a.dims[ra - 1] : a.dims[ra - 2], k1 = ta ? a.dims[ra - 2] : a.dims[ra - 1];
  const int64_t k2 = tb ? b.dims[rb - 1] : b.dims[rb - 2], n = tb ? b.dims[rb - 2] : b.dims[rb - 1];
  if (k1 != k2) c.fail("BatchMatMul: inner dims differ: " + a.to_string() + " x " + b.to_string());
  Shape ba(std::vector<int64_t>(a.dims.begin(), a.dims.end() - 2));
  Shape bb(std::vector<int64_t>(b.dims.begin(), b.dims.end() - 2));
  Shape batch = broadcast_shapes(ba, bb, c.node);
  std::vector<int64_t> out = batch.dims;
  out.push_back(m);
  out.push_back(n);
  c.set(0, Shape(out));
}

void fused_batch_norm(ShapeContext& c) {
  c.set(0, c.in(0));
  const Shape ch = c.num_inputs() > 1 ? c.in(1) : Shape{-1};
  for (int i = 1; i < c.num_outputs(); ++i) c.set(i, ch);
}

void attention(ShapeContext& c) {
  const Shape& q = c.in(0);
  const Shape& k = c.in(1);
  const Shape& v = c.in(2);
  if (c.attr_string("layout", "BHSD") == "BS3HD") {  // [B,S,3,H,D] -> [B,S,H,D]
    if (q.unknown_rank) return c.set(0, Shape::unknown());
    if (q.rank() != 5) c.fail("_AampFusedAttention BS3HD needs q of rank 5, got " + q.to_string());
    return c.set(0, Shape({q.dims[0], q.dims[1], q.dims[3], q.dims[4]}));
  }
  for (const Shape* s : {&q, &k, &v})
    if (!s->unknown_rank && s->rank() != 4)
      c.fail("_AampFusedAttention needs q, k and v of rank 4, got " + s->to_string());
  if (q.unknown_rank) return c.set(0, Shape::unknown());
  auto dim = [](const Shape& s, size_t i) { return s.unknown_rank ? int64_t{-1} : s.dims[i]; };
  auto differ = [](int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; };
  const bool bshd = c.attr_string("layout", "BHSD") == "BSHD";
  const size_t seq = bshd ? 1 : 2;
  if (differ(dim(q, 3), dim(k, 3)))
    c.fail("_AampFusedAttention: q and k differ in depth: " + q.to_string() + " vs " +
           k.to_string());
  if (differ(dim(k, seq), dim(v, seq)))
    c.fail("_AampFusedAttention: k and v differ in length: " + k.to_string() + " vs " +
           v.to_string());
  std::vector<int64_t> out = q.dims;
  out[3] = dim(v, 3);
  c.set(0, Shape(out));
}

}  // namespace aamp::shape_fns
