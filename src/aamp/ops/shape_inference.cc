// ShapeContext, signature-driven output dtypes, and the helpers shared with kernels.
#include "aamp/ops/shape_inference.h"

#include <algorithm>

#include "aamp/core/error.h"

namespace aamp {

const Shape& ShapeContext::in(int i) const {
  if (i < 0 || i >= num_inputs()) fail("missing data input " + std::to_string(i));
  return input_shapes[static_cast<size_t>(i)];
}

const Tensor* ShapeContext::value(int i) const {
  if (i < 0 || i >= static_cast<int>(input_values.size())) return nullptr;
  return input_values[static_cast<size_t>(i)];
}

std::vector<int64_t> ShapeContext::ints(int i) const {
  const Tensor* t = value(i);
  if (!t)
    throw Error(ErrorCode::kUnimplemented,
                node->describe() + ": input " + std::to_string(i) +
                    " must be a constant (computable at plan time) to infer static shapes");
  std::vector<int64_t> v(static_cast<size_t>(std::max<int64_t>(t->num_elements(), 0)));
  for (size_t k = 0; k < v.size(); ++k)
    v[k] = static_cast<int64_t>(t->element_as_double(static_cast<int64_t>(k)));
  return v;
}

const AttrValue* ShapeContext::attr(const std::string& name) const {
  if (const AttrValue* v = node->find_attr(name)) return v;
  if (info)
    if (const AttrDef* d = info->def.find_attr(name); d && d->default_value)
      return &*d->default_value;
  return nullptr;
}

int64_t ShapeContext::attr_int(const std::string& name, int64_t dflt) const {
  const AttrValue* v = attr(name);
  return v && v->is<int64_t>() ? v->get<int64_t>() : dflt;
}
float ShapeContext::attr_float(const std::string& name, float dflt) const {
  const AttrValue* v = attr(name);
  return v && v->is<float>() ? v->get<float>() : dflt;
}
bool ShapeContext::attr_bool(const std::string& name, bool dflt) const {
  const AttrValue* v = attr(name);
  return v && v->is<bool>() ? v->get<bool>() : dflt;
}
std::string ShapeContext::attr_string(const std::string& name, const std::string& dflt) const {
  const AttrValue* v = attr(name);
  return v && v->is<std::string>() ? v->get<std::string>() : dflt;
}
std::vector<int64_t> ShapeContext::attr_ints(const std::string& name) const {
  const AttrValue* v = attr(name);
  return v && v->is<AttrList>() ? v->get<AttrList>().i : std::vector<int64_t>{};
}

void ShapeContext::set_value(int i, Tensor t) {
  output_shapes.at(static_cast<size_t>(i)) = t.shape();
  output_dtypes.at(static_cast<size_t>(i)) = t.dtype();
  output_values.at(static_cast<size_t>(i)) = std::move(t);
}

void ShapeContext::fail(const std::string& msg) const {
  throw Error(ErrorCode::kInvalidGraph, (node ? node->describe() + ": " : "") + msg);
}

namespace {

// Number of tensors an arg stands for.
int64_t arg_count(const ShapeContext& c, const ArgDef& a) {
  if (!a.number_attr.empty()) return c.attr_int(a.number_attr, 0);
  if (!a.type_list_attr.empty()) {
    const AttrValue* v = c.attr(a.type_list_attr);
    return v && v->is<AttrList>() ? static_cast<int64_t>(v->get<AttrList>().type.size()) : 0;
  }
  return 1;
}

DType resolve_type(const ShapeContext& c, const std::string& attr_name) {
  if (const AttrValue* v = c.node->find_attr(attr_name); v && v->is<DType>())
    return v->get<DType>();
  // From the first input whose arg uses the attr.
  size_t idx = 0;
  for (const ArgDef& a : c.info->def.inputs) {
    const int64_t n = arg_count(c, a);
    if (a.type_attr == attr_name && n > 0 && idx < c.input_dtypes.size())
      return c.input_dtypes[idx];
    idx += static_cast<size_t>(std::max<int64_t>(n, 0));
  }
  if (const AttrValue* v = c.attr(attr_name); v && v->is<DType>()) return v->get<DType>();
  return DType::kInvalid;
}

}  // namespace

void prepare_outputs(ShapeContext& c) {
  c.output_dtypes.clear();
  c.output_shapes.clear();
  c.output_values.clear();
  if (!c.info || !c.info->def.has_signature) return;
  for (const ArgDef& a : c.info->def.outputs) {
    if (!a.type_list_attr.empty()) {
      const AttrValue* v = c.attr(a.type_list_attr);
      std::vector<DType> types;
      if (v && v->is<AttrList>()) types = v->get<AttrList>().type;
      for (DType t : types) c.output_dtypes.push_back(t);
      continue;
    }
    const int64_t n = arg_count(c, a);
    const DType t = a.type != DType::kInvalid ? a.type : resolve_type(c, a.type_attr);
    for (int64_t k = 0; k < n; ++k) c.output_dtypes.push_back(t);
  }
  c.output_shapes.assign(c.output_dtypes.size(), Shape::unknown());
  c.output_values.assign(c.output_dtypes.size(), std::nullopt);
}

void infer_shapes(ShapeContext& c) {
  prepare_outputs(c);
  if (!c.info || !c.info->shape_fn())
    throw Error(ErrorCode::kUnimplemented,
                c.node->describe() + ": no shape function for op '" + c.node->op + "'");
  c.info->shape_fn()(c);
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const Node* node) {
  if (a.unknown_rank || b.unknown_rank) return Shape::unknown();
  const int r = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(static_cast<size_t>(r));
  for (int i = 0; i < r; ++i) {
    const int ia = i - (r - a.rank()), ib = i - (r - b.rank());
    const int64_t da = ia >= 0 ? a.dims[static_cast<size_t>(ia)] : 1;
    const int64_t db = ib >= 0 ? b.dims[static_cast<size_t>(ib)] : 1;
    int64_t d;
    if (da == 1)
      d = db;
    else if (db == 1)
      d = da;
    else if (da == -1 || db == -1)
      d = da == -1 ? db : da;
    else if (da == db)
      d = da;
    else
      throw Error(ErrorCode::kInvalidGraph, (node ? node->describe() + ": " : std::string()) +
                                                "shapes " + a.to_string() + " and " +
                                                b.to_string() + " cannot be broadcast");
    out[static_cast<size_t>(i)] = d;
  }
  return Shape(out);
}

int64_t normalize_axis(int64_t axis, int64_t rank, const Node* node) {
  if (axis < -rank || axis >= rank)
    throw Error(ErrorCode::kInvalidGraph, (node ? node->describe() + ": " : std::string()) +
                                              "axis " + std::to_string(axis) +
                                              " out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

StridedSliceSpec resolve_strided_slice(const std::vector<int64_t>& in_shape,
                                       const std::vector<int64_t>& begin,
                                       const std::vector<int64_t>& end,
                                       const std::vector<int64_t>& strides, int64_t begin_mask,
                                       int64_t end_mask, int64_t ellipsis_mask,
                                       int64_t new_axis_mask, int64_t shrink_mask,
                                       const Node* node) {
  auto bad = [&](const std::string& m) {
    throw Error(ErrorCode::kInvalidGraph,
                (node ? node->describe() + ": " : std::string()) + "StridedSlice: " + m);
  };
  const int n = static_cast<int>(begin.size());
  if (end.size() != begin.size() || strides.size() != begin.size())
    bad("begin, end and strides differ in length");
  const int rank = static_cast<int>(in_shape.size());
  // Sparse spec -> dense: expand the ellipsis, new axes do not consume input dims.
  int num_new_after_ellipsis = 0, ellipsis_pos = -1;
  for (int i = 0; i < n; ++i) {
    if ((ellipsis_mask >> i) & 1) {
      if (ellipsis_pos < 0) ellipsis_pos = i;
    } else if (ellipsis_pos >= 0 && ((new_axis_mask >> i) & 1)) {
      ++num_new_after_ellipsis;
    }
  }
  int real_dims_in_spec = 0;
  for (int i = 0; i < n; ++i)
    if (!((new_axis_mask >> i) & 1) && !((ellipsis_mask >> i) & 1)) ++real_dims_in_spec;
  StridedSliceSpec s;
  s.begin.assign(static_cast<size_t>(rank), 0);
  s.stride.assign(static_cast<size_t>(rank), 1);
  s.size = in_shape;
  // out_shape built with markers: for each spec entry, what it contributes.
  std::vector<int64_t> out;
  std::vector<bool> handled(static_cast<size_t>(rank), false);
  int dim = 0;
  for (int i = 0; i < n; ++i) {
    if ((ellipsis_mask >> i) & 1) {
      if (i != ellipsis_pos) continue;
      const int span = rank - real_dims_in_spec;
      (void)num_new_after_ellipsis;
      for (int k = 0; k < span && dim < rank; ++k, ++dim)
        out.push_back(in_shape[static_cast<size_t>(dim)]);
      continue;
    }
    if ((new_axis_mask >> i) & 1) {
      out.push_back(1);
      continue;
    }
    if (dim >= rank) bad("slice spec has more dims than the input's rank " + std::to_string(rank));
    const int64_t d = in_shape[static_cast<size_t>(dim)];
    const int64_t st = strides[static_cast<size_t>(i)];
    if (st == 0) bad("stride 0");
    const bool shrink = (shrink_mask >> i) & 1;
    int64_t b = begin[static_cast<size_t>(i)], e = end[static_cast<size_t>(i)];
    int64_t size;
    if (shrink) {
      if (b < 0) b += d;
      if (b < 0 || b >= d)
        bad("index " + std::to_string(begin[static_cast<size_t>(i)]) +
            " out of bounds for dim of size " + std::to_string(d));
      size = 1;
      s.begin[static_cast<size_t>(dim)] = b;
      s.stride[static_cast<size_t>(dim)] = 1;
    } else {
      const bool bm = (begin_mask >> i) & 1, em = (end_mask >> i) & 1;
      if (st > 0) {
        b = bm ? 0 : (b < 0 ? std::max<int64_t>(b + d, 0) : std::min(b, d));
        e = em ? d : (e < 0 ? std::max<int64_t>(e + d, 0) : std::min(e, d));
        size = e > b ? (e - b + st - 1) / st : 0;
      } else {
        b = bm ? d - 1 : (b < 0 ? std::max<int64_t>(b + d, -1) : std::min(b, d - 1));
        e = em ? -1 : (e < 0 ? std::max<int64_t>(e + d, -1) : std::min(e, d - 1));
        size = b > e ? (b - e + (-st) - 1) / (-st) : 0;
      }
      s.begin[static_cast<size_t>(dim)] = b;
      s.stride[static_cast<size_t>(dim)] = st;
      out.push_back(size);
    }
    s.size[static_cast<size_t>(dim)] = size;
    ++dim;
  }
  for (; dim < rank; ++dim) out.push_back(in_shape[static_cast<size_t>(dim)]);
  s.out_shape = out;
  return s;
}

int64_t conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                      const std::string& padding, int64_t pad_lo, int64_t pad_hi,
                      int64_t* pad_before) {
  const int64_t ek = (k - 1) * dilation + 1;
  if (padding == "VALID") {
    if (pad_before) *pad_before = 0;
    return in >= ek ? (in - ek) / stride + 1 : 0;
  }
  if (padding == "EXPLICIT") {
    if (pad_before) *pad_before = pad_lo;
    const int64_t p = in + pad_lo + pad_hi;
    return p >= ek ? (p - ek) / stride + 1 : 0;
  }
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + ek - in, 0);
  if (pad_before) *pad_before = total / 2;
  return out;
}

}  // namespace aamp
