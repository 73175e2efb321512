#include "aamp/backends/cpu/reference_common.h"

#include "aamp/backends/cpu/cpu_clones.h"
#include "aamp/core/bf16_avx512.h"

namespace aamp::ref {

namespace {

AAMP_CPU_CLONES void narrow_emulated(const float* __restrict in, bfloat16* __restrict out,
                                     int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = to_bf16(in[i]);
}

}  // namespace

void narrow_to_bf16(const float* in, bfloat16* out, int64_t n) {
#ifdef AAMP_HAVE_AVX512_BF16_CONVERT
  static_assert(sizeof(bfloat16) == sizeof(uint16_t));
  if (cpu_has_avx512_bf16_convert())
    return narrow_bf16_avx512(in, reinterpret_cast<uint16_t*>(out), n);
#endif
  narrow_emulated(in, out, n);
}

const std::vector<DType>& float_types() {
  static const std::vector<DType> v = {DType::kFloat, DType::kBFloat16, DType::kHalf,
                                       DType::kDouble};
  return v;
}
const std::vector<DType>& numeric_types() {
  static const std::vector<DType> v = {
      DType::kFloat, DType::kBFloat16, DType::kHalf, DType::kDouble, DType::kInt32,
      DType::kInt64, DType::kUInt8,    DType::kInt8, DType::kInt16,  DType::kUInt16};
  return v;
}
const std::vector<DType>& all_types() {
  static const std::vector<DType> v = [] {
    std::vector<DType> r = numeric_types();
    r.push_back(DType::kBool);
    return r;
  }();
  return v;
}

void add_ref(const std::string& op, const std::vector<DType>& dtypes, KernelFactory f) {
  KernelRegistry::global().add({op, DeviceKind::kCPU, dtypes, 0, "reference", std::move(f), {}});
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

Broadcaster::Broadcaster(const std::vector<int64_t>& out,
                         const std::vector<std::vector<int64_t>>& ins) {
  const size_t r = out.size();
  inner_ = r ? out.back() : 1;
  for (size_t i = 0; i + 1 < r; ++i) {
    outer_dims_.push_back(out[i]);
    rows_ *= out[i];
  }
  if (inner_ == 0) rows_ = 0;
  for (const auto& in : ins) {
    // Align right; stride 0 where the input has size 1 (or is missing).
    std::vector<int64_t> full(r, 1);
    for (size_t k = 0; k < in.size(); ++k) full[r - in.size() + k] = in[k];
    std::vector<int64_t> st = strides_of(full);
    for (size_t k = 0; k < r; ++k)
      if (full[k] == 1) st[k] = 0;
    inner_stride_.push_back(r ? st[r - 1] : 0);
    st.resize(r ? r - 1 : 0);
    strides_.push_back(std::move(st));
  }
}

void Broadcaster::row_offsets(int64_t row, int64_t* offs) const {
  for (size_t k = 0; k < strides_.size(); ++k) offs[k] = 0;
  for (size_t d = outer_dims_.size(); d-- > 0;) {
    const int64_t i = row % outer_dims_[d];
    row /= outer_dims_[d];
    for (size_t k = 0; k < strides_.size(); ++k) offs[k] += i * strides_[k][d];
  }
}

std::vector<int64_t> read_ints(const TensorView& v) {
  std::vector<int64_t> r(static_cast<size_t>(v.num_elements()));
  dispatch_int(v.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<int64_t>(v.as<T>()[i]);
  });
  return r;
}

std::vector<int64_t> const_ints(const KernelInit& init, int i) {
  const Tensor* t = i < static_cast<int>(init.const_inputs.size())
                        ? init.const_inputs[static_cast<size_t>(i)]
                        : nullptr;
  if (!t)
    throw Error(ErrorCode::kUnimplemented,
                init.node->describe() + ": input " + std::to_string(i) + " must be a constant");
  std::vector<int64_t> r(static_cast<size_t>(t->num_elements()));
  for (size_t k = 0; k < r.size(); ++k)
    r[k] = static_cast<int64_t>(t->element_as_double(static_cast<int64_t>(k)));
  return r;
}

void CopyKernel::run(KernelContext& ctx) {
  for (size_t i = 0; i < ctx.outputs.size(); ++i) {
    const TensorView& in = ctx.inputs[i];
    TensorView& out = ctx.outputs[i];
    if (in.data != out.data && out.byte_size()) std::memcpy(out.data, in.data, out.byte_size());
  }
}

}  // namespace aamp::ref
