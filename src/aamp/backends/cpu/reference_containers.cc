// Reference kernels of TensorFlow's tensor containers, which only the dynamic executor runs
// (runtime/executor.h):
//   - TensorArrayV3 and its Write / Scatter / Read / Gather / Size / Close ops: the array is a
//     TensorArrayObject behind the DT_RESOURCE handle, shared and mutated by every op that
//     reads the handle (the float "flow" values only order them);
//   - TensorListReserve / FromTensor / SetItem / GetItem / Stack / Length / PushBack / PopBack /
//     ElementShape: the list is a TensorListObject behind a DT_VARIANT value, with value
//     semantics (an op that changes a list outputs a new one).
// Elements never written read as zeros when the element shape is fully known, as in TensorFlow.
#include <algorithm>
#include <cstring>
#include <optional>

#include "aamp/backends/cpu/reference_common.h"
#include "aamp/ops/attrs.h"

namespace aamp::ref {
namespace {

[[noreturn]] void fail(const Node& n, const std::string& msg) {
  throw Error(ErrorCode::kInvalidArgument, n.describe() + ": " + msg);
}

// An element shape given as a tensor (-1 for an unknown dim; a scalar -1: unknown rank).
Shape shape_from_view(const TensorView& v) {
  if (v.shape.empty()) {
    const std::vector<int64_t> x = read_ints(v);
    if (!x.empty() && x[0] == -1) return Shape::unknown();
  }
  return Shape(read_ints(v));
}

// The more specific of two element shapes; fails naming the node when they disagree.
Shape merge_shapes(const Node& n, const Shape& a, const Shape& b) {
  if (a.unknown_rank) return b;
  if (b.unknown_rank) return a;
  if (a.rank() != b.rank())
    fail(n, "element shapes " + a.to_string() + " and " + b.to_string() + " differ in rank");
  Shape s = a;
  for (int i = 0; i < a.rank(); ++i) {
    const int64_t x = a.dims[static_cast<size_t>(i)], y = b.dims[static_cast<size_t>(i)];
    if (x >= 0 && y >= 0 && x != y)
      fail(n, "element shapes " + a.to_string() + " and " + b.to_string() + " differ");
    s.dims[static_cast<size_t>(i)] = x >= 0 ? x : y;
  }
  return s;
}

Tensor tensor_from_view(const TensorView& v) {
  Tensor t(v.dtype, Shape(v.shape));
  if (v.dtype == DType::kString)
    t.mutable_strings() = *v.strings;
  else if (v.byte_size())
    std::memcpy(t.mutable_raw(), v.data, v.byte_size());
  return t;
}

// Copies element `i` of dimension 0 of a view into a tensor of shape elem.
Tensor slice_of(const TensorView& v, int64_t i, const std::vector<int64_t>& elem) {
  Tensor t(v.dtype, Shape(elem));
  const size_t bytes = t.byte_size();
  if (bytes) std::memcpy(t.mutable_raw(), static_cast<const uint8_t*>(v.data) + i * bytes, bytes);
  return t;
}

// A zero tensor of the element shape, which must be fully known.
Tensor zeros(const Node& n, DType t, const Shape& s, int64_t index) {
  if (!s.is_fully_defined())
    fail(n, "element " + std::to_string(index) + " was never written and the element shape " +
                s.to_string() + " is not fully known");
  return Tensor(t, s);
}

// Fails naming the node unless every item has the dtype the node outputs (its element dtype
// attr): a graph whose container ops disagree on it must not read past the items' bytes.
void check_dtypes(const Node& n, const std::vector<Tensor>& items, DType want) {
  for (const Tensor& t : items)
    if (t.dtype() != want)
      fail(n, "reads " + dtype_name(want) + " elements from a container that holds " +
                  dtype_name(t.dtype()));
}

// Copies one element into an output the kernel sizes.
void output_item(KernelContext& ctx, int i, const Node& n, const Tensor& t) {
  check_dtypes(n, {t}, ctx.outputs[static_cast<size_t>(i)].dtype);
  TensorView& out = ctx.allocate_output(i, t.shape().dims);
  if (t.byte_size()) std::memcpy(out.data, t.raw(), t.byte_size());
}

// Stacks elements of one shape into out (allocated by the caller's shape).
void stack_into(const std::vector<Tensor>& items, TensorView& out) {
  uint8_t* dst = static_cast<uint8_t*>(out.data);
  for (const Tensor& t : items) {
    if (t.byte_size()) std::memcpy(dst, t.raw(), t.byte_size());
    dst += t.byte_size();
  }
}

int64_t scalar_index(const TensorView& v) { return read_ints(v).at(0); }

// ---- TensorArray ---------------------------------------------------------------------------
struct TensorArrayObject : TensorObject {
  DType dtype = DType::kFloat;
  Shape element_shape = Shape::unknown();
  bool dynamic_size = false;
  std::vector<std::optional<Tensor>> items;
};

TensorArrayObject& array_of(const Node& n, const TensorView& handle) {
  auto* a = handle.object ? dynamic_cast<TensorArrayObject*>(handle.object->get()) : nullptr;
  if (!a) fail(n, "input 0 is not a TensorArray handle");
  return *a;
}

void write_item(const Node& n, TensorArrayObject& a, int64_t index, Tensor t) {
  if (index < 0) fail(n, "negative index " + std::to_string(index));
  if (index >= static_cast<int64_t>(a.items.size())) {
    if (!a.dynamic_size)
      fail(n, "index " + std::to_string(index) + " is out of range for a TensorArray of size " +
                  std::to_string(a.items.size()));
    a.items.resize(static_cast<size_t>(index) + 1);
  }
  if (t.dtype() != a.dtype)
    fail(n, "writes " + dtype_name(t.dtype()) + " into a TensorArray of " + dtype_name(a.dtype));
  a.element_shape = merge_shapes(n, a.element_shape, t.shape());
  a.items[static_cast<size_t>(index)] = std::move(t);
}

Tensor read_item(const Node& n, const TensorArrayObject& a, int64_t index) {
  if (index < 0 || index >= static_cast<int64_t>(a.items.size()))
    fail(n, "index " + std::to_string(index) + " is out of range for a TensorArray of size " +
                std::to_string(a.items.size()));
  const auto& it = a.items[static_cast<size_t>(index)];
  return it ? *it : zeros(n, a.dtype, a.element_shape, index);
}

void set_flow(KernelContext& ctx, int i) {
  if (i < static_cast<int>(ctx.outputs.size()) && ctx.outputs[static_cast<size_t>(i)].data)
    *ctx.outputs[static_cast<size_t>(i)].as<float>() = 0.0f;
}

class TensorArrayKernel : public Kernel {
 public:
  explicit TensorArrayKernel(const KernelInit& i) : n_(*i.node) {}
  void run(KernelContext& ctx) override {
    auto a = std::make_shared<TensorArrayObject>();
    a->dtype = n_.attr_type("dtype");
    if (const AttrValue* v = n_.find_attr("element_shape"); v && v->is<Shape>())
      a->element_shape = v->get<Shape>();
    a->dynamic_size = op_attr_bool(n_, "dynamic_size");
    const int64_t size = scalar_index(ctx.inputs[0]);
    if (size < 0) fail(n_, "negative size " + std::to_string(size));
    a->items.resize(static_cast<size_t>(size));
    *ctx.outputs[0].object = std::move(a);
    set_flow(ctx, 1);
  }

 private:
  const Node& n_;
};

class TensorArrayOpKernel : public Kernel {
 public:
  explicit TensorArrayOpKernel(const KernelInit& i) : n_(*i.node) {}
  void run(KernelContext& ctx) override {
    TensorArrayObject& a = array_of(n_, ctx.inputs[0]);
    const std::string& op = n_.op;
    if (op == "TensorArrayWriteV3") {
      write_item(n_, a, scalar_index(ctx.inputs[1]), tensor_from_view(ctx.inputs[2]));
      set_flow(ctx, 0);
    } else if (op == "TensorArrayScatterV3") {
      const std::vector<int64_t> idx = read_ints(ctx.inputs[1]);
      const TensorView& v = ctx.inputs[2];
      if (v.shape.empty() || v.shape[0] != static_cast<int64_t>(idx.size()))
        fail(n_, "scatters " + Shape(v.shape).to_string() + " to " + std::to_string(idx.size()) +
                     " indices");
      const std::vector<int64_t> elem(v.shape.begin() + 1, v.shape.end());
      for (size_t k = 0; k < idx.size(); ++k)
        write_item(n_, a, idx[k], slice_of(v, static_cast<int64_t>(k), elem));
      set_flow(ctx, 0);
    } else if (op == "TensorArrayReadV3") {
      output_item(ctx, 0, n_, read_item(n_, a, scalar_index(ctx.inputs[1])));
    } else if (op == "TensorArrayGatherV3") {
      const std::vector<int64_t> idx = read_ints(ctx.inputs[1]);
      std::vector<Tensor> items;
      for (int64_t i : idx) items.push_back(read_item(n_, a, i));
      Shape elem = a.element_shape;
      if (const AttrValue* v = n_.find_attr("element_shape"); v && v->is<Shape>())
        elem = merge_shapes(n_, elem, v->get<Shape>());
      for (const Tensor& t : items) elem = merge_shapes(n_, elem, t.shape());
      if (!elem.is_fully_defined())
        fail(n_, "cannot gather an empty TensorArray of unknown element shape " + elem.to_string());
      check_dtypes(n_, items, ctx.outputs[0].dtype);
      std::vector<int64_t> shape = {static_cast<int64_t>(items.size())};
      shape.insert(shape.end(), elem.dims.begin(), elem.dims.end());
      stack_into(items, ctx.allocate_output(0, shape));
    } else if (op == "TensorArraySizeV3") {
      *ctx.outputs[0].as<int32_t>() = static_cast<int32_t>(a.items.size());
    } else if (op == "TensorArrayCloseV3") {
      a.items.clear();
    } else {
      fail(n_, "no reference kernel");
    }
  }

 private:
  const Node& n_;
};

// ---- TensorList ----------------------------------------------------------------------------
struct TensorListObject : TensorObject {
  DType dtype = DType::kFloat;
  Shape element_shape = Shape::unknown();
  std::vector<Tensor> items;  // empty() = never set
};

const TensorListObject& list_of(const Node& n, const TensorView& v) {
  auto* l = v.object ? dynamic_cast<const TensorListObject*>(v.object->get()) : nullptr;
  if (!l) fail(n, "input 0 is not a TensorList");
  return *l;
}

Tensor list_item(const Node& n, const TensorListObject& l, int64_t index, const Shape& hint) {
  if (index < 0 || index >= static_cast<int64_t>(l.items.size()))
    fail(n, "index " + std::to_string(index) + " is out of range for a list of " +
                std::to_string(l.items.size()) + " elements");
  const Tensor& t = l.items[static_cast<size_t>(index)];
  return t.empty() ? zeros(n, l.dtype, merge_shapes(n, l.element_shape, hint), index) : t;
}

class TensorListKernel : public Kernel {
 public:
  explicit TensorListKernel(const KernelInit& i) : n_(*i.node) {}
  void run(KernelContext& ctx) override {
    const std::string& op = n_.op;
    auto out_list = [&](std::shared_ptr<TensorListObject> l) { *ctx.outputs[0].object = l; };
    if (op == "TensorListReserve" || op == "EmptyTensorList") {
      auto l = std::make_shared<TensorListObject>();
      l->dtype = n_.attr_type("element_dtype");
      l->element_shape = shape_from_view(ctx.inputs[0]);
      const int64_t count = op == "TensorListReserve" ? scalar_index(ctx.inputs[1]) : 0;
      if (count < 0) fail(n_, "negative number of elements " + std::to_string(count));
      l->items.resize(static_cast<size_t>(count));
      return out_list(std::move(l));
    }
    if (op == "TensorListFromTensor") {
      const TensorView& v = ctx.inputs[0];
      if (v.shape.empty()) fail(n_, "cannot make a list from a scalar");
      auto l = std::make_shared<TensorListObject>();
      l->dtype = v.dtype;
      const std::vector<int64_t> elem(v.shape.begin() + 1, v.shape.end());
      l->element_shape = merge_shapes(n_, shape_from_view(ctx.inputs[1]), Shape(elem));
      for (int64_t i = 0; i < v.shape[0]; ++i) l->items.push_back(slice_of(v, i, elem));
      return out_list(std::move(l));
    }
    const TensorListObject& in = list_of(n_, ctx.inputs[0]);
    if (op == "TensorListSetItem" || op == "TensorListPushBack") {
      auto l = std::make_shared<TensorListObject>(in);
      Tensor item = tensor_from_view(ctx.inputs[op == "TensorListSetItem" ? 2 : 1]);
      if (item.dtype() != l->dtype)
        fail(n_,
             "sets a " + dtype_name(item.dtype()) + " item in a list of " + dtype_name(l->dtype));
      l->element_shape = merge_shapes(n_, l->element_shape, item.shape());
      if (op == "TensorListPushBack") {
        l->items.push_back(std::move(item));
      } else {
        const int64_t i = scalar_index(ctx.inputs[1]);
        if (i < 0 || i >= static_cast<int64_t>(l->items.size()))
          fail(n_, "index " + std::to_string(i) + " is out of range for a list of " +
                       std::to_string(l->items.size()) + " elements");
        l->items[static_cast<size_t>(i)] = std::move(item);
      }
      return out_list(std::move(l));
    }
    if (op == "TensorListGetItem") {
      output_item(ctx, 0, n_,
                  list_item(n_, in, scalar_index(ctx.inputs[1]), shape_from_view(ctx.inputs[2])));
      return;
    }
    if (op == "TensorListPopBack") {
      if (in.items.empty()) fail(n_, "pops from an empty list");
      auto l = std::make_shared<TensorListObject>(in);
      const Tensor t = list_item(n_, in, static_cast<int64_t>(in.items.size()) - 1,
                                 shape_from_view(ctx.inputs[1]));
      l->items.pop_back();
      out_list(std::move(l));
      output_item(ctx, 1, n_, t);
      return;
    }
    if (op == "TensorListStack") {
      const int64_t want = op_attr_int(n_, "num_elements");
      if (want >= 0 && want != static_cast<int64_t>(in.items.size()))
        fail(n_, "expected " + std::to_string(want) + " elements, the list has " +
                     std::to_string(in.items.size()));
      const Shape hint = shape_from_view(ctx.inputs[1]);
      Shape elem = merge_shapes(n_, in.element_shape, hint);
      for (const Tensor& t : in.items)
        if (!t.empty()) elem = merge_shapes(n_, elem, t.shape());
      std::vector<Tensor> items;
      for (size_t i = 0; i < in.items.size(); ++i)
        items.push_back(list_item(n_, in, static_cast<int64_t>(i), elem));
      if (!elem.is_fully_defined())
        fail(n_, "cannot stack a list of unknown element shape " + elem.to_string());
      check_dtypes(n_, items, ctx.outputs[0].dtype);
      std::vector<int64_t> shape = {static_cast<int64_t>(items.size())};
      shape.insert(shape.end(), elem.dims.begin(), elem.dims.end());
      stack_into(items, ctx.allocate_output(0, shape));
      return;
    }
    if (op == "TensorListLength") {
      *ctx.outputs[0].as<int32_t>() = static_cast<int32_t>(in.items.size());
      return;
    }
    if (op == "TensorListElementShape") {
      const Shape& s = in.element_shape;
      const std::vector<int64_t> dims = s.unknown_rank ? std::vector<int64_t>{} : s.dims;
      TensorView& out = ctx.allocate_output(
          0, s.unknown_rank ? std::vector<int64_t>{} : std::vector<int64_t>{s.rank()});
      for (size_t i = 0; i < dims.size() || (s.unknown_rank && i == 0); ++i) {
        const int64_t d = s.unknown_rank ? -1 : dims[i];
        if (out.dtype == DType::kInt64)
          out.as<int64_t>()[i] = d;
        else
          out.as<int32_t>()[i] = static_cast<int32_t>(d);
      }
      return;
    }
    fail(n_, "no reference kernel");
  }

 private:
  const Node& n_;
};

// Every dtype a container op may be looked up by (its element dtype, or the handle's).
std::vector<DType> container_types() {
  std::vector<DType> v = all_types();
  v.push_back(DType::kString);
  v.push_back(DType::kVariant);
  v.push_back(DType::kResource);
  return v;
}

const bool kRegistered = register_kernels([] {
  add_ref("TensorArrayV3", container_types(),
          [](const KernelInit& i) { return std::make_unique<TensorArrayKernel>(i); });
  for (const char* op : {"TensorArrayWriteV3", "TensorArrayScatterV3", "TensorArrayReadV3",
                         "TensorArrayGatherV3", "TensorArraySizeV3", "TensorArrayCloseV3"})
    add_ref(op, container_types(),
            [](const KernelInit& i) { return std::make_unique<TensorArrayOpKernel>(i); });
  for (const char* op :
       {"TensorListReserve", "EmptyTensorList", "TensorListFromTensor", "TensorListSetItem",
        "TensorListPushBack", "TensorListGetItem", "TensorListPopBack", "TensorListStack",
        "TensorListLength", "TensorListElementShape"})
    add_ref(op, container_types(),
            [](const KernelInit& i) { return std::make_unique<TensorListKernel>(i); });
});

}  // namespace
}  // namespace aamp::ref
