#include "aamp/io/proto_convert.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "aamp/core/error.h"

namespace aamp::io_internal {

namespace pb = google::protobuf;

namespace {

// Constants given as a few values (TF repeats the last one) are expanded in memory; refuse to
// expand beyond this so that a tiny malicious file cannot ask for terabytes.
constexpr uint64_t kMaxExpandedBytes = uint64_t{1} << 30;

// Element count of a tensor shape, with overflow and sign checks.
uint64_t tensor_elements(const Shape& s) {
  AAMP_CHECK(!s.unknown_rank, ErrorCode::kParse, "tensor shape has unknown rank");
  uint64_t n = 1;
  bool zero = false;
  for (int64_t d : s.dims) {
    AAMP_CHECK(d >= 0, ErrorCode::kParse,
               "tensor shape " + s.to_string() + " has a negative dimension");
    if (d == 0) zero = true;
  }
  if (zero) return 0;
  for (int64_t d : s.dims) {
    uint64_t ud = static_cast<uint64_t>(d);
    AAMP_CHECK(n <= (uint64_t{1} << 62) / ud, ErrorCode::kParse,
               "tensor shape " + s.to_string() + " has too many elements");
    n *= ud;
  }
  return n;
}

// TF's rule for the typed *_val fields: exactly n values, or fewer (the last one repeats), or
// none (zeros). `group` values make one element (2 for complex numbers).
template <typename Field, typename Store>
void fill_values(const Field& vals, uint64_t n, int group, const char* field, Store store) {
  uint64_t count = static_cast<uint64_t>(vals.size());
  AAMP_CHECK(count % static_cast<uint64_t>(group) == 0, ErrorCode::kParse,
             std::string(field) + " holds an odd number of values for a complex tensor");
  uint64_t m = count / static_cast<uint64_t>(group);
  AAMP_CHECK(m <= n, ErrorCode::kParse,
             "tensor has " + std::to_string(m) + " values in " + field + " for " +
                 std::to_string(n) + " elements");
  if (m == 0) return;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t src = std::min(i, m - 1);
    for (int k = 0; k < group; ++k)
      store(i * static_cast<uint64_t>(group) + static_cast<uint64_t>(k),
            vals.Get(
                static_cast<int>(src * static_cast<uint64_t>(group) + static_cast<uint64_t>(k))));
  }
}

template <typename T>
void put(std::vector<uint8_t>& buf, uint64_t i, T v) {
  std::memcpy(buf.data() + i * sizeof(T), &v, sizeof(T));
}

// Fills `buf` (n elements of dtype dt, zero-initialised) from the typed field matching dt.
void decode_typed_values(const tfproto::TensorProto& p, DType dt, uint64_t n,
                         std::vector<uint8_t>& buf) {
  auto as = [&buf]<typename T>(T*) {
    return [&buf](uint64_t i, auto v) { put<T>(buf, i, static_cast<T>(v)); };
  };
  switch (dt) {
    case DType::kFloat:
      return fill_values(p.float_val(), n, 1, "float_val", as(static_cast<float*>(nullptr)));
    case DType::kDouble:
      return fill_values(p.double_val(), n, 1, "double_val", as(static_cast<double*>(nullptr)));
    case DType::kInt32:
    case DType::kQInt32:
      return fill_values(p.int_val(), n, 1, "int_val", as(static_cast<int32_t*>(nullptr)));
    case DType::kInt16:
    case DType::kQInt16:
      return fill_values(p.int_val(), n, 1, "int_val", as(static_cast<int16_t*>(nullptr)));
    case DType::kUInt16:
    case DType::kQUInt16:
      return fill_values(p.int_val(), n, 1, "int_val", as(static_cast<uint16_t*>(nullptr)));
    case DType::kInt8:
    case DType::kQInt8:
      return fill_values(p.int_val(), n, 1, "int_val", as(static_cast<int8_t*>(nullptr)));
    case DType::kUInt8:
    case DType::kQUInt8:
      return fill_values(p.int_val(), n, 1, "int_val", as(static_cast<uint8_t*>(nullptr)));
    case DType::kInt64:
      return fill_values(p.int64_val(), n, 1, "int64_val", as(static_cast<int64_t*>(nullptr)));
    case DType::kUInt32:
      return fill_values(p.uint32_val(), n, 1, "uint32_val", as(static_cast<uint32_t*>(nullptr)));
    case DType::kUInt64:
      return fill_values(p.uint64_val(), n, 1, "uint64_val", as(static_cast<uint64_t*>(nullptr)));
    case DType::kBool:
      return fill_values(p.bool_val(), n, 1, "bool_val",
                         [&buf](uint64_t i, bool v) { buf[i] = v ? 1 : 0; });
    case DType::kHalf:
    case DType::kBFloat16:
      return fill_values(p.half_val(), n, 1, "half_val", as(static_cast<uint16_t*>(nullptr)));
    case DType::kComplex64:
      return fill_values(p.scomplex_val(), n, 2, "scomplex_val", as(static_cast<float*>(nullptr)));
    case DType::kComplex128:
      return fill_values(p.dcomplex_val(), n, 2, "dcomplex_val", as(static_cast<double*>(nullptr)));
    default:
      throw Error(ErrorCode::kUnimplemented, "unsupported tensor dtype " + dtype_name(dt));
  }
}

void copy_unknown_fields(const pb::Message& from, pb::Message* to) {
  const pb::UnknownFieldSet& uf = from.GetReflection()->GetUnknownFields(from);
  if (!uf.empty()) to->GetReflection()->MutableUnknownFields(to)->MergeFrom(uf);
}

}  // namespace

// ---- shapes and tensors ----------------------------------------------------------------------
Shape shape_from_proto(const tfproto::TensorShapeProto& p) {
  if (p.unknown_rank()) return Shape::unknown();
  Shape s;
  s.dims.reserve(static_cast<size_t>(p.dim_size()));
  bool named = false;
  for (const auto& d : p.dim()) {
    s.dims.push_back(d.size());
    named = named || !d.name().empty();
  }
  if (named)
    for (const auto& d : p.dim()) s.dim_names.push_back(d.name());
  return s;
}

void shape_to_proto(const Shape& s, tfproto::TensorShapeProto* p) {
  p->Clear();
  if (s.unknown_rank) {
    p->set_unknown_rank(true);
    return;
  }
  for (size_t i = 0; i < s.dims.size(); ++i) {
    auto* d = p->add_dim();
    d->set_size(s.dims[i]);
    if (i < s.dim_names.size()) d->set_name(s.dim_names[i]);
  }
}

Tensor tensor_from_proto(const tfproto::TensorProto& p) {
  const DType dt = static_cast<DType>(p.dtype());
  Shape shape = shape_from_proto(p.tensor_shape());
  AAMP_CHECK(!shape.unknown_rank, ErrorCode::kParse, "tensor shape has unknown rank");
  shape.dim_names.clear();
  const uint64_t n = tensor_elements(shape);

  if (dt == DType::kString) {
    AAMP_CHECK(p.tensor_content().empty(), ErrorCode::kParse,
               "string tensor must use string_val, not tensor_content");
    AAMP_CHECK(n <= kMaxExpandedBytes / 32, ErrorCode::kUnimplemented,
               "string tensor " + shape.to_string() + " is too large");
    uint64_t m = static_cast<uint64_t>(p.string_val_size());
    AAMP_CHECK(m <= n, ErrorCode::kParse,
               "tensor has " + std::to_string(m) + " values in string_val for " +
                   std::to_string(n) + " elements");
    Tensor t(dt, shape);
    auto& out = t.mutable_strings();
    for (uint64_t i = 0; i < n && m > 0; ++i)
      out[i] = p.string_val(static_cast<int>(std::min(i, m - 1)));
    return t;
  }
  if (dt == DType::kResource || dt == DType::kVariant) {
    // Handles and variants have no byte representation in the IR; only dtype and shape survive.
    return Tensor(dt, shape);
  }
  const size_t size = dtype_size(dt);
  AAMP_CHECK(size > 0, ErrorCode::kUnimplemented, "unsupported tensor dtype " + dtype_name(dt));
  AAMP_CHECK(n <= std::numeric_limits<uint64_t>::max() / 16, ErrorCode::kParse,
             "tensor shape " + shape.to_string() + " has too many elements");
  const uint64_t want = n * size;
  if (!p.tensor_content().empty()) {
    const std::string& c = p.tensor_content();
    AAMP_CHECK(c.size() == want, ErrorCode::kParse,
               "tensor_content of " + dtype_name(dt) + shape.to_string() + " has " +
                   std::to_string(c.size()) + " bytes, expected " + std::to_string(want));
    std::vector<uint8_t> bytes(c.begin(), c.end());
    if (dt == DType::kBool)
      for (auto& b : bytes) b = b ? 1 : 0;
    return Tensor::from_bytes(dt, std::move(shape), std::move(bytes));
  }
  AAMP_CHECK(want <= kMaxExpandedBytes, ErrorCode::kUnimplemented,
             "constant " + dtype_name(dt) + shape.to_string() + " is too large to expand");
  std::vector<uint8_t> bytes(static_cast<size_t>(want));
  decode_typed_values(p, dt, n, bytes);
  return Tensor::from_bytes(dt, std::move(shape), std::move(bytes));
}

void tensor_to_proto(const Tensor& t, tfproto::TensorProto* p) {
  p->Clear();
  p->set_dtype(static_cast<tfproto::DataType>(t.dtype()));
  shape_to_proto(t.shape(), p->mutable_tensor_shape());
  if (t.dtype() == DType::kString) {
    for (const auto& s : t.strings()) p->add_string_val(s);
  } else if (t.byte_size() > 0) {
    p->set_tensor_content(reinterpret_cast<const char*>(t.raw()), t.byte_size());
  }
}

// ---- attrs -----------------------------------------------------------------------------------
namespace {
FuncAttr func_from_proto(const tfproto::NameAttrList& p) {
  FuncAttr f;
  f.name = p.name();
  for (const auto& [k, v] : p.attr()) f.attrs.emplace(k, attr_from_proto(v));
  return f;
}
void func_to_proto(const FuncAttr& f, tfproto::NameAttrList* p) {
  p->set_name(f.name);
  auto* m = p->mutable_attr();
  for (const auto& [k, v] : f.attrs) attr_to_proto(v, &(*m)[k]);
}
}  // namespace

AttrValue attr_from_proto(const tfproto::AttrValue& p) {
  using V = tfproto::AttrValue;
  switch (p.value_case()) {
    case V::kS:
      return AttrValue(std::string(p.s()));
    case V::kI:
      return AttrValue(static_cast<int64_t>(p.i()));
    case V::kF:
      return AttrValue(p.f());
    case V::kB:
      return AttrValue(p.b());
    case V::kType:
      return AttrValue(static_cast<DType>(p.type()));
    case V::kShape:
      return AttrValue(shape_from_proto(p.shape()));
    case V::kTensor:
      return AttrValue(tensor_from_proto(p.tensor()));
    case V::kPlaceholder:
      return AttrValue(AttrPlaceholder{p.placeholder()});
    case V::kFunc:
      return AttrValue(func_from_proto(p.func()));
    case V::kList: {
      const auto& l = p.list();
      AttrList out;
      out.s.assign(l.s().begin(), l.s().end());
      out.i.assign(l.i().begin(), l.i().end());
      out.f.assign(l.f().begin(), l.f().end());
      out.b.assign(l.b().begin(), l.b().end());
      for (int t : l.type()) out.type.push_back(static_cast<DType>(t));
      for (const auto& s : l.shape()) out.shape.push_back(shape_from_proto(s));
      for (const auto& t : l.tensor()) out.tensor.push_back(tensor_from_proto(t));
      for (const auto& f : l.func()) out.func.push_back(func_from_proto(f));
      return AttrValue(std::move(out));
    }
    case V::VALUE_NOT_SET:
      break;
  }
  return AttrValue();
}

void attr_to_proto(const AttrValue& a, tfproto::AttrValue* p) {
  p->Clear();
  std::visit(
      [p](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          p->set_s(v);
        else if constexpr (std::is_same_v<T, int64_t>)
          p->set_i(v);
        else if constexpr (std::is_same_v<T, float>)
          p->set_f(v);
        else if constexpr (std::is_same_v<T, bool>)
          p->set_b(v);
        else if constexpr (std::is_same_v<T, DType>)
          p->set_type(static_cast<tfproto::DataType>(v));
        else if constexpr (std::is_same_v<T, Shape>)
          shape_to_proto(v, p->mutable_shape());
        else if constexpr (std::is_same_v<T, Tensor>)
          tensor_to_proto(v, p->mutable_tensor());
        else if constexpr (std::is_same_v<T, AttrPlaceholder>)
          p->set_placeholder(v.name);
        else if constexpr (std::is_same_v<T, FuncAttr>)
          func_to_proto(v, p->mutable_func());
        else if constexpr (std::is_same_v<T, AttrList>) {
          auto* l = p->mutable_list();
          for (const auto& s : v.s) l->add_s(s);
          for (auto i : v.i) l->add_i(i);
          for (auto f : v.f) l->add_f(f);
          for (bool b : v.b) l->add_b(b);
          for (DType t : v.type) l->add_type(static_cast<tfproto::DataType>(t));
          for (const auto& s : v.shape) shape_to_proto(s, l->add_shape());
          for (const auto& t : v.tensor) tensor_to_proto(t, l->add_tensor());
          for (const auto& f : v.func) func_to_proto(f, l->add_func());
        }
        // monostate: leave the value unset.
      },
      a.value);
}

// ---- graphs ----------------------------------------------------------------------------------
std::string serialize_deterministic(const pb::Message& m) {
  std::string out;
  {
    pb::io::StringOutputStream sos(&out);
    pb::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    AAMP_CHECK(m.SerializeToCodedStream(&cos), ErrorCode::kInternal,
               "cannot serialize " + m.GetTypeName() + " (larger than 2 GiB?)");
  }
  return out;
}

Graph graph_from_proto(const tfproto::GraphDef& gd, const std::string& source) {
  Graph g;
  for (const auto& nd : gd.node()) {
    Node n;
    n.name = nd.name();
    n.op = nd.op();
    try {
      n.inputs.assign(nd.input().begin(), nd.input().end());
      n.device = nd.device();
      for (const auto& [k, v] : nd.attr()) {
        try {
          n.attrs.emplace(k, attr_from_proto(v));
        } catch (const Error& e) {
          throw Error(e.code(), "attr '" + k + "': " + e.what());
        }
      }
      tfproto::NodeDef rest;
      if (nd.has_experimental_debug_info())
        *rest.mutable_experimental_debug_info() = nd.experimental_debug_info();
      if (nd.has_experimental_type()) *rest.mutable_experimental_type() = nd.experimental_type();
      copy_unknown_fields(nd, &rest);
      if (rest.ByteSizeLong() > 0) n.passthrough = serialize_deterministic(rest);
      g.add(std::move(n));
    } catch (const Error& e) {
      throw Error(e.code(), source + ": node '" + nd.name() + "' (" + nd.op() + "): " + e.what());
    }
  }
  if (gd.has_versions()) {
    g.versions.present = true;
    g.versions.producer = gd.versions().producer();
    g.versions.min_consumer = gd.versions().min_consumer();
    g.versions.bad_consumers.assign(gd.versions().bad_consumers().begin(),
                                    gd.versions().bad_consumers().end());
  }
  tfproto::GraphDef rest;
  rest.set_version(gd.version());
  if (gd.has_library()) *rest.mutable_library() = gd.library();
  if (gd.has_debug_info()) *rest.mutable_debug_info() = gd.debug_info();
  copy_unknown_fields(gd, &rest);
  if (rest.ByteSizeLong() > 0) g.passthrough = serialize_deterministic(rest);
  return g;
}

void graph_to_proto(const Graph& g, tfproto::GraphDef* gd) {
  gd->Clear();
  if (!g.passthrough.empty()) {
    AAMP_CHECK(gd->ParseFromString(g.passthrough), ErrorCode::kInternal,
               "graph passthrough data is not a GraphDef");
    gd->clear_node();
    gd->clear_versions();
  }
  if (g.versions.present) {
    auto* v = gd->mutable_versions();
    v->set_producer(g.versions.producer);
    v->set_min_consumer(g.versions.min_consumer);
    for (int32_t b : g.versions.bad_consumers) v->add_bad_consumers(b);
  }
  gd->mutable_node()->Reserve(static_cast<int>(g.size()));
  for (const auto& n : g.nodes()) {
    tfproto::NodeDef* nd = gd->add_node();
    if (!n->passthrough.empty()) {
      AAMP_CHECK(nd->ParseFromString(n->passthrough), ErrorCode::kInternal,
                 n->describe() + ": passthrough data is not a NodeDef");
      nd->clear_name();
      nd->clear_op();
      nd->clear_input();
      nd->clear_device();
      nd->clear_attr();
    }
    nd->set_name(n->name);
    nd->set_op(n->op);
    for (const auto& in : n->inputs) nd->add_input(in);
    nd->set_device(n->device);
    auto* attrs = nd->mutable_attr();
    for (const auto& [k, v] : n->attrs) attr_to_proto(v, &(*attrs)[k]);
  }
}

}  // namespace aamp::io_internal
