#include "aamp/backends/cpu/onednn_common.h"

#include <dlfcn.h>

#include <cmath>

#include "aamp/core/error.h"

namespace aamp::onednn {

dnnl::engine& engine() {
  static dnnl::engine* e = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *e;
}

dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

memory::data_type dt(DType t) {
  switch (t) {
    case DType::kFloat:
      return memory::data_type::f32;
    case DType::kBFloat16:
      return memory::data_type::bf16;
    default:
      throw Error(ErrorCode::kUnimplemented, "oneDNN kernels do not take " + dtype_name(t));
  }
}

void set_threads(int n) {
  if (n < 1) return;
  // oneDNN from Debian runs on OpenMP; libgomp is loaded with libdnnl, so look the symbol up
  // rather than linking OpenMP into aamp.
  using SetFn = void (*)(int);
  using GetFn = int (*)();
  static SetFn set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  static GetFn get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  if (set && (!get || get() != n)) set(n);
}

std::string version_string() {
  const dnnl_version_t* v = dnnl::version();
  const char* rt = v->cpu_runtime == DNNL_RUNTIME_OMP   ? "OpenMP"
                   : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB"
                   : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "sequential"
                                                        : "threadpool";
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + " (" + rt + ")";
}

memory::dims to_dims(const std::vector<int64_t>& v) { return memory::dims(v.begin(), v.end()); }

memory::dims row_major(const memory::dims& shape) {
  memory::dims s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

memory::desc plain_desc(const memory::dims& dims, memory::data_type t,
                        const std::vector<int>& perm) {
  if (perm.empty()) return memory::desc(dims, t, row_major(dims));
  memory::dims tf(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) tf[static_cast<size_t>(perm[i])] = dims[i];
  const memory::dims tfs = row_major(tf);
  memory::dims strides(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) strides[i] = tfs[static_cast<size_t>(perm[i])];
  return memory::desc(dims, t, strides);
}

memory pack_const(const Tensor& value, const memory::dims& dims, const memory::dims& strides,
                  const memory::desc& dst_md) {
  Tensor v = value;
  if (v.dtype() != DType::kFloat && v.dtype() != DType::kBFloat16) v = v.cast_float(DType::kFloat);
  memory::desc smd(dims, dt(v.dtype()), strides);
  AAMP_CHECK(smd.get_size() <= v.byte_size(), ErrorCode::kInternal,
             "oneDNN: constant tensor smaller than its descriptor");
  memory src(smd, engine(), const_cast<uint8_t*>(v.raw()));
  memory dst(dst_md, engine());
  dnnl::reorder(src, dst).execute(stream(), src, dst);
  stream().wait();
  return dst;
}

void PrimitiveKernel::bind(int arg, const memory::desc& md, Source src, int index) {
  args_[arg] = memory(md, engine(), DNNL_MEMORY_NONE);
  bindings_.push_back({arg, src, index});
}

void PrimitiveKernel::run(KernelContext& ctx) {
  for (const Binding& b : bindings_) {
    void* p = b.src == Source::kInput ? ctx.inputs[static_cast<size_t>(b.index)].data
                                      : ctx.outputs[static_cast<size_t>(b.index)].data;
    args_[b.arg].set_data_handle(p);
  }
  prepare(ctx);
  set_threads(ctx.threads);
  prim_.execute(stream(), args_);
  stream().wait();
}

// ---- EpilogueBuilder ------------------------------------------------------------------------

bool eltwise_of(EpilogueOp k, const ActParams& p, dnnl::algorithm& alg, float& alpha, float& beta) {
  using A = dnnl::algorithm;
  using K = EpilogueOp;
  alpha = 0.0f;
  beta = 0.0f;
  switch (k) {
    case K::kRelu:
      alg = A::eltwise_relu;
      return true;
    case K::kRelu6:
      alg = A::eltwise_clip;
      beta = 6.0f;
      return true;
    case K::kElu:
      alg = A::eltwise_elu;
      alpha = 1.0f;
      return true;
    case K::kLeakyRelu:
      alg = A::eltwise_relu;
      alpha = p.alpha;
      return true;
    case K::kSigmoid:
      alg = A::eltwise_logistic;
      return true;
    case K::kTanh:
      alg = A::eltwise_tanh;
      return true;
    case K::kSwish:
      alg = A::eltwise_swish;
      alpha = p.beta;
      return true;
    case K::kMish:
      alg = A::eltwise_mish;
      return true;
    case K::kHardSwish:
      alg = A::eltwise_hardswish;
      return true;
    case K::kGeluExact:
      alg = A::eltwise_gelu_erf;
      return true;
    case K::kGeluApprox:
      alg = A::eltwise_gelu_tanh;
      return true;
    case K::kBiasAdd:  // argument steps: binary post-ops or the primitive's bias
    case K::kAdd:
    case K::kMul:
    case K::kPrelu:
    case K::kBatchNorm:
      return false;
  }
  return false;
}

EpilogueBuilder::EpilogueBuilder(const Epilogue& e, const KernelInit& init,
                                 const memory::dims& dst_dims, int ch_dim, std::vector<int> perm)
    : ep_(e) {
  using K = EpilogueOp;
  const size_t rank = dst_dims.size();
  const int64_t channels = dst_dims[static_cast<size_t>(ch_dim)];
  memory::dims per_ch(rank, 1);
  per_ch[static_cast<size_t>(ch_dim)] = channels;
  auto input_desc = [&](int i) -> const TensorDesc& {
    return init.inputs.at(static_cast<size_t>(i));
  };
  auto const_of = [&](int i) -> const Tensor* {
    return static_cast<size_t>(i) < init.const_inputs.size()
               ? init.const_inputs[static_cast<size_t>(i)]
               : nullptr;
  };
  auto elements = [&](int i) {
    int64_t n = 1;
    for (int64_t d : input_desc(i).shape) n *= d;
    return n;
  };
  // Broadcast arg desc: TF shape left-padded to rank, mapped to logical dims.
  auto broadcast_desc = [&](int i) {
    const auto& s = input_desc(i).shape;
    AAMP_CHECK(s.size() <= rank, ErrorCode::kUnimplemented, "oneDNN: fused arg of higher rank");
    memory::dims tf(rank, 1);
    for (size_t k = 0; k < s.size(); ++k) tf[rank - s.size() + k] = s[k];
    memory::dims ld(rank);
    for (size_t k = 0; k < rank; ++k)
      ld[k] = perm.empty() ? tf[k] : tf[static_cast<size_t>(perm[k])];
    for (size_t k = 0; k < rank; ++k)
      AAMP_CHECK(ld[k] == 1 || ld[k] == dst_dims[k], ErrorCode::kUnimplemented,
                 "oneDNN: fused arg does not broadcast");
    return plain_desc(ld, dt(input_desc(i).dtype), perm);
  };
  dnnl::post_ops po;
  int idx = 0;  // post-op index
  for (size_t si = 0; si < e.steps.size(); ++si) {
    const EpilogueStep& s = e.steps[si];
    dnnl::algorithm alg;
    float alpha, beta;
    if (eltwise_of(s.kind, e.act, alg, alpha, beta)) {
      po.append_eltwise(1.0f, alg, alpha, beta);
      ++idx;
      continue;
    }
    switch (s.kind) {
      case K::kBiasAdd:
        AAMP_CHECK(elements(s.arg) == channels, ErrorCode::kInvalidArgument,
                   "oneDNN: BiasAdd arg size differs from the channel count");
        if (si == 0) {
          bias_arg_ = s.arg;
          bias_md_ = memory::desc(per_ch, dt(input_desc(s.arg).dtype), row_major(per_ch));
          continue;
        }
        args_.push_back({idx,
                         DNNL_ARG_ATTR_MULTIPLE_POST_OP(idx) | DNNL_ARG_SRC_1,
                         memory::desc(per_ch, dt(input_desc(s.arg).dtype), row_major(per_ch)),
                         s.arg,
                         {}});
        po.append_binary(dnnl::algorithm::binary_add, args_.back().md);
        ++idx;
        break;
      case K::kAdd:
      case K::kMul: {
        const Tensor* c = const_of(s.arg);
        if (s.kind == K::kMul && c && c->num_elements() == 1) {
          po.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear,
                            static_cast<float>(c->element_as_double(0)), 0.0f);
          ++idx;
          break;
        }
        args_.push_back({idx,
                         DNNL_ARG_ATTR_MULTIPLE_POST_OP(idx) | DNNL_ARG_SRC_1,
                         broadcast_desc(s.arg),
                         s.arg,
                         {}});
        po.append_binary(
            s.kind == K::kAdd ? dnnl::algorithm::binary_add : dnnl::algorithm::binary_mul,
            args_.back().md);
        ++idx;
        break;
      }
      case K::kPrelu: {
        AAMP_CHECK(elements(s.arg) == channels, ErrorCode::kUnimplemented,
                   "oneDNN: Prelu alpha must have one value per channel");
        memory::desc md(per_ch, memory::data_type::f32, row_major(per_ch));
        args_.push_back({idx, DNNL_ARG_ATTR_MULTIPLE_POST_OP(idx) | DNNL_ARG_WEIGHTS, md, -1,
                         std::vector<float>(static_cast<size_t>(channels))});
        po.append_prelu(1 << ch_dim);
        if (const Tensor* c = const_of(s.arg)) {
          linalg::to_floats(*c, args_.back().owned);
        } else {
          dynamic_.push_back({args_.size() - 1, s.kind, s.arg, 0});
        }
        ++idx;
        break;
      }
      case K::kBatchNorm: {
        bool all_const = true;
        for (int k = 0; k < 4; ++k) {
          AAMP_CHECK(elements(s.arg + k) == channels, ErrorCode::kInvalidArgument,
                     "oneDNN: FusedBatchNorm args must have one value per channel");
          all_const &= const_of(s.arg + k) != nullptr;
        }
        memory::desc md(per_ch, memory::data_type::f32, row_major(per_ch));
        for (int part = 0; part < 2; ++part) {
          args_.push_back({idx, DNNL_ARG_ATTR_MULTIPLE_POST_OP(idx) | DNNL_ARG_SRC_1, md, -1,
                           std::vector<float>(static_cast<size_t>(channels))});
          po.append_binary(part == 0 ? dnnl::algorithm::binary_mul : dnnl::algorithm::binary_add,
                           md);
          if (all_const) {
            fill_owned(args_.back(), s.kind, s.arg, part,
                       [&](int i, std::vector<float>& v) { linalg::to_floats(*const_of(i), v); });
          } else {
            dynamic_.push_back({args_.size() - 1, s.kind, s.arg, part});
          }
          ++idx;
        }
        break;
      }
      default:
        throw Error(ErrorCode::kUnimplemented, "oneDNN: unsupported fused op");
    }
  }
  if (po.len() > 0) attr_.set_post_ops(po);
}

void EpilogueBuilder::fill_owned(Arg& a, EpilogueOp kind, int input, int part,
                                 const std::function<void(int, std::vector<float>&)>& read) {
  if (kind == EpilogueOp::kPrelu) {
    read(input, scratch_[0]);
    std::copy(scratch_[0].begin(), scratch_[0].end(), a.owned.begin());
    return;
  }
  for (int k = 0; k < 4; ++k) read(input + k, scratch_[k]);
  const auto &scale = scratch_[0], &offset = scratch_[1], &mean = scratch_[2], &var = scratch_[3];
  for (size_t c = 0; c < a.owned.size(); ++c) {
    const float s = scale[c] / std::sqrt(var[c] + ep_.epsilon);
    a.owned[c] = part == 0 ? s : offset[c] - mean[c] * s;
  }
}

void EpilogueBuilder::bind(std::function<void(int, const memory::desc&, int)> bind_input,
                           std::function<void(int, const memory&)> bind_fixed) {
  for (Arg& a : args_) {
    if (a.input >= 0) {
      bind_input(a.dnnl_arg, a.md, a.input);
    } else {
      owned_mems_.emplace_back(a.md, engine(), a.owned.data());
      bind_fixed(a.dnnl_arg, owned_mems_.back());
    }
  }
}

void EpilogueBuilder::prepare(const KernelContext& ctx) {
  for (const Dynamic& d : dynamic_) {
    fill_owned(args_[d.arg], d.kind, d.input, d.part, [&](int i, std::vector<float>& v) {
      linalg::to_floats(ctx.inputs.at(static_cast<size_t>(i)), v);
    });
  }
}

void register_onednn(const std::string& op, std::function<void(const KernelInit&)> probe,
                     KernelFactory factory, bool folds_input_casts) {
  KernelRegistration r;
  r.folds_input_casts = folds_input_casts;
  r.op = op;
  r.device = DeviceKind::kCPU;
  r.dtypes = {DType::kFloat, DType::kBFloat16};
  r.priority = 10;
  r.name = "onednn";
  r.factory = std::move(factory);
  r.supports = [probe = std::move(probe)](const KernelInit& init) {
    try {
      probe(init);
      return true;
    } catch (const dnnl::error&) {
      return false;
    } catch (const Error&) {
      return false;
    }
  };
  KernelRegistry::global().add(std::move(r));
}

}  // namespace aamp::onednn
