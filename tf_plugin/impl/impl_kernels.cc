// aamp's fused ops as TensorFlow kernels (implementation side): a kernel is the node (parsed
// from TensorFlow's NodeDef); a compute infers the output shapes with the op's aamp shape
// function, asks TensorFlow for the outputs' memory and runs aamp's best CPU kernel for the
// dtype (backends/cpu) directly on TensorFlow's buffers. The aamp kernel (a oneDNN primitive,
// made in tens of microseconds) is kept for the next compute with the same input dtypes and
// shapes; a compute that finds it busy (TensorFlow running the node in two steps at once) makes
// its own.
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/io/proto_convert.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"
#include "aamp/runtime/kernel.h"
#include "impl/impl_internal.h"
#include "impl/impl_ops.h"

namespace aamp::tfplugin {

namespace {

// An aamp kernel made for one signature of input dtypes and shapes, with its outputs' descs and
// its scratch memory.
struct Made {
  std::vector<int64_t> signature;
  std::vector<TensorDesc> outputs;
  std::unique_ptr<Kernel> kernel;
  std::vector<unsigned char> scratch;
};

struct PluginKernel {
  Graph holder;  // owns the node
  const Node* node = nullptr;
  const OpInfo* info = nullptr;
  std::mutex mu;  // guards `last`
  Made last;
};

char* dup_error(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

int kernel_threads() {
  static const int n = [] {
    unsigned hc = std::thread::hardware_concurrency();
    return hc == 0 ? 1 : static_cast<int>(hc);
  }();
  return n;
}

}  // namespace

void* kernel_create(const char* node_def, size_t size, char** error) {
  try {
    tfproto::GraphDef gd;
    if (!gd.add_node()->ParseFromArray(node_def, static_cast<int>(size)))
      throw Error(ErrorCode::kParse, "the kernel's NodeDef does not parse");
    gd.mutable_node(0)->clear_input();  // the kernel sees tensors, not producers
    auto k = std::make_unique<PluginKernel>();
    k->holder = io_internal::graph_from_proto(gd, "TensorFlow kernel");
    Node* n = k->holder.nodes().front().get();
    n->op = aamp_op_name(n->op);
    k->node = n;
    k->info = OpRegistry::global().find(n->op);
    if (!k->info || !k->info->def.has_signature)
      throw Error(ErrorCode::kUnimplemented, n->describe() + ": not an aamp op");
    return k.release();
  } catch (const std::exception& e) {
    if (error) *error = dup_error(e.what());
    return nullptr;
  }
}

namespace {

std::vector<int64_t> signature_of(const AampTfTensor* inputs, int n_inputs) {
  std::vector<int64_t> sig;
  for (int i = 0; i < n_inputs; ++i) {
    sig.push_back(inputs[i].dtype);
    sig.push_back(inputs[i].rank);
    sig.insert(sig.end(), inputs[i].dims, inputs[i].dims + inputs[i].rank);
  }
  return sig;
}

// The aamp kernel of the node for these inputs: output shapes from the op's shape function, the
// best CPU kernel for the first input's dtype.
Made make(const PluginKernel& k, const AampTfTensor* inputs, int n_inputs,
          std::vector<int64_t> signature) {
  ShapeContext sc;
  sc.node = k.node;
  sc.info = k.info;
  KernelInit init;
  init.node = k.node;
  init.threads = kernel_threads();
  for (int i = 0; i < n_inputs; ++i) {
    const AampTfTensor& t = inputs[i];
    std::vector<int64_t> dims(t.dims, t.dims + t.rank);
    sc.input_dtypes.push_back(static_cast<DType>(t.dtype));
    sc.input_shapes.push_back(Shape(dims));
    sc.input_values.push_back(nullptr);
    init.inputs.push_back({static_cast<DType>(t.dtype), dims});
    init.const_inputs.push_back(nullptr);
  }
  infer_shapes(sc);
  for (int i = 0; i < sc.num_outputs(); ++i) {
    const Shape& s = sc.output_shapes[static_cast<size_t>(i)];
    if (!s.is_fully_defined() || s.rank() > AAMP_TF_MAX_RANK)
      throw Error(ErrorCode::kInvalidGraph,
                  k.node->describe() + ": output shape " + s.to_string() + " not computable");
    init.outputs.push_back({sc.output_dtypes[static_cast<size_t>(i)], s.dims});
  }
  const DType t = n_inputs > 0 ? static_cast<DType>(inputs[0].dtype) : DType::kFloat;
  const KernelRegistration* reg =
      KernelRegistry::global().lookup(k.node->op, DeviceKind::kCPU, t, init);
  if (!reg)
    throw Error(ErrorCode::kUnimplemented,
                k.node->describe() + ": no aamp CPU kernel for " + dtype_name(t));
  Made m;
  m.signature = std::move(signature);
  m.outputs = init.outputs;
  m.kernel = reg->factory(init);
  m.scratch.resize(m.kernel->scratch_bytes());
  return m;
}

void run(const PluginKernel& k, Made& m, const AampTfTensor* inputs, int n_inputs,
         AampTfAllocFn alloc, void* alloc_ctx) {
  KernelContext ctx;
  ctx.threads = kernel_threads();
  ctx.scratch = m.scratch.empty() ? nullptr : m.scratch.data();
  for (int i = 0; i < n_inputs; ++i) {
    const AampTfTensor& t = inputs[i];
    ctx.inputs.push_back({static_cast<DType>(t.dtype),
                          std::vector<int64_t>(t.dims, t.dims + t.rank), t.data, nullptr});
  }
  for (size_t i = 0; i < m.outputs.size(); ++i) {
    AampTfTensor desc{};
    desc.dtype = static_cast<int>(m.outputs[i].dtype);
    desc.rank = static_cast<int>(m.outputs[i].shape.size());
    for (int d = 0; d < desc.rank; ++d) desc.dims[d] = m.outputs[i].shape[static_cast<size_t>(d)];
    void* data = alloc(alloc_ctx, static_cast<int>(i), &desc);
    if (!data && TensorView{m.outputs[i].dtype, m.outputs[i].shape}.num_elements() > 0)
      throw Error(ErrorCode::kInternal, k.node->describe() + ": output allocation failed");
    ctx.outputs.push_back({m.outputs[i].dtype, m.outputs[i].shape, data, nullptr});
  }
  m.kernel->run(ctx);
}

}  // namespace

int kernel_compute(void* kernel, const AampTfTensor* inputs, int n_inputs, AampTfAllocFn alloc,
                   void* alloc_ctx, char** error) {
  auto* k = static_cast<PluginKernel*>(kernel);
  try {
    std::vector<int64_t> sig = signature_of(inputs, n_inputs);
    std::unique_lock<std::mutex> lock(k->mu, std::try_to_lock);
    if (lock.owns_lock()) {
      if (!k->last.kernel || k->last.signature != sig) k->last = make(*k, inputs, n_inputs, sig);
      run(*k, k->last, inputs, n_inputs, alloc, alloc_ctx);
    } else {
      Made own = make(*k, inputs, n_inputs, std::move(sig));
      run(*k, own, inputs, n_inputs, alloc, alloc_ctx);
    }
    return 0;
  } catch (const std::exception& e) {
    if (error) *error = dup_error(e.what());
    return 1;
  }
}

void kernel_delete(void* kernel) { delete static_cast<PluginKernel*>(kernel); }

}  // namespace aamp::tfplugin
