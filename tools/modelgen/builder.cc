#include "modelgen/builder.h"

#include <cmath>
#include <utility>

#include "aamp/core/error.h"

namespace aamp::modelgen {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// xoshiro256** seeded through splitmix64.
class Rng {
 public:
  Rng(uint64_t seed, const std::string& stream) {
    uint64_t x = seed ^ fnv1a(stream);
    for (auto& w : s_) w = splitmix64(x);
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 24 random bits (exact in float32).
  float uniform01() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace

AttrValue type_attr(DType t) { return AttrValue(t); }

std::vector<float> WeightInit::uniform(const std::string& name, int64_t count, float lo,
                                       float hi) const {
  Rng rng(seed_, name);
  std::vector<float> v(static_cast<size_t>(count));
  const float span = hi - lo;
  for (auto& x : v) x = lo + span * rng.uniform01();
  return v;
}

std::vector<float> WeightInit::glorot_uniform(const std::string& name, int64_t count,
                                              int64_t fan_in, int64_t fan_out) const {
  const float limit = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
  return uniform(name, count, -limit, limit);
}

std::vector<float> WeightInit::normal(const std::string& name, int64_t count, float mean,
                                      float stddev) const {
  Rng rng(seed_, name);
  std::vector<float> v(static_cast<size_t>(count));
  // The sum of four U(0,1) has mean 2 and variance 1/3.
  const float scale = stddev * std::sqrt(3.0f);
  for (auto& x : v) {
    float s = rng.uniform01() + rng.uniform01() + rng.uniform01() + rng.uniform01();
    x = mean + (s - 2.0f) * scale;
  }
  return v;
}

std::string GraphBuilder::op(const std::string& name, const std::string& op_type,
                             std::vector<std::string> inputs, AttrMap attrs) {
  Node n;
  n.name = name;
  n.op = op_type;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  g_->add(std::move(n));
  return name;
}

std::string GraphBuilder::placeholder(const std::string& name, DType dtype, const Shape& shape) {
  return op(name, "Placeholder", {}, {{"dtype", type_attr(dtype)}, {"shape", AttrValue(shape)}});
}

std::string GraphBuilder::constant(const std::string& name, const Tensor& value) {
  return op(name, "Const", {}, {{"dtype", type_attr(value.dtype())}, {"value", AttrValue(value)}});
}

std::string GraphBuilder::const_f32(const std::string& name, const Shape& shape,
                                    std::vector<float> v) {
  AAMP_CHECK(static_cast<int64_t>(v.size()) == shape.num_elements(), ErrorCode::kInternal,
             "modelgen: const '" + name + "' has " + std::to_string(v.size()) +
                 " values for shape " + shape.to_string());
  return constant(name, Tensor::from_vector<float>(shape, v));
}

std::string GraphBuilder::const_i32(const std::string& name, const Shape& shape,
                                    std::vector<int32_t> v) {
  AAMP_CHECK(static_cast<int64_t>(v.size()) == shape.num_elements(), ErrorCode::kInternal,
             "modelgen: const '" + name + "' has " + std::to_string(v.size()) +
                 " values for shape " + shape.to_string());
  return constant(name, Tensor::from_vector<int32_t>(shape, v));
}

std::string GraphBuilder::scalar_f32(const std::string& name, float v) {
  return constant(name, Tensor::scalar<float>(v));
}

std::string GraphBuilder::vec_i32(const std::string& name, std::vector<int32_t> v) {
  const auto n = static_cast<int64_t>(v.size());
  return const_i32(name, Shape{n}, std::move(v));
}

std::string GraphBuilder::unary(const std::string& op_type, const std::string& name,
                                const std::string& x) {
  return op(name, op_type, {x}, {{"T", type_attr(DType::kFloat)}});
}

std::string GraphBuilder::binary(const std::string& op_type, const std::string& name,
                                 const std::string& a, const std::string& b) {
  return op(name, op_type, {a, b}, {{"T", type_attr(DType::kFloat)}});
}

std::string GraphBuilder::matmul(const std::string& name, const std::string& a,
                                 const std::string& b, bool transpose_a, bool transpose_b) {
  return op(name, "MatMul", {a, b},
            {{"T", type_attr(DType::kFloat)},
             {"transpose_a", AttrValue(transpose_a)},
             {"transpose_b", AttrValue(transpose_b)}});
}

std::string GraphBuilder::batch_matmul(const std::string& name, const std::string& a,
                                       const std::string& b, bool adj_x, bool adj_y) {
  return op(
      name, "BatchMatMulV2", {a, b},
      {{"T", type_attr(DType::kFloat)}, {"adj_x", AttrValue(adj_x)}, {"adj_y", AttrValue(adj_y)}});
}

std::string GraphBuilder::bias_add(const std::string& name, const std::string& x,
                                   const std::string& bias) {
  return op(name, "BiasAdd", {x, bias},
            {{"T", type_attr(DType::kFloat)}, {"data_format", AttrValue("NHWC")}});
}

std::string GraphBuilder::reshape(const std::string& name, const std::string& x,
                                  std::vector<int32_t> shape, DType t) {
  std::string s = vec_i32(name + "/shape", std::move(shape));
  return op(name, "Reshape", {x, s}, {{"T", type_attr(t)}, {"Tshape", type_attr(DType::kInt32)}});
}

std::string GraphBuilder::transpose(const std::string& name, const std::string& x,
                                    std::vector<int32_t> perm) {
  std::string p = vec_i32(name + "/perm", std::move(perm));
  return op(name, "Transpose", {x, p},
            {{"T", type_attr(DType::kFloat)}, {"Tperm", type_attr(DType::kInt32)}});
}

std::string GraphBuilder::mean(const std::string& name, const std::string& x,
                               std::vector<int32_t> axes, bool keep_dims) {
  std::string a = vec_i32(name + "/reduction_indices", std::move(axes));
  return op(name, "Mean", {x, a},
            {{"T", type_attr(DType::kFloat)},
             {"Tidx", type_attr(DType::kInt32)},
             {"keep_dims", AttrValue(keep_dims)}});
}

std::string GraphBuilder::cast(const std::string& name, const std::string& x, DType from,
                               DType to) {
  return op(name, "Cast", {x},
            {{"SrcT", type_attr(from)}, {"DstT", type_attr(to)}, {"Truncate", AttrValue(false)}});
}

std::string GraphBuilder::gather(const std::string& name, const std::string& params,
                                 const std::string& indices, int32_t axis) {
  std::string a = constant(name + "/axis", Tensor::scalar<int32_t>(axis));
  return op(name, "GatherV2", {params, indices, a},
            {{"Tparams", type_attr(DType::kFloat)},
             {"Tindices", type_attr(DType::kInt32)},
             {"Taxis", type_attr(DType::kInt32)},
             {"batch_dims", AttrValue(int64_t{0})}});
}

std::string GraphBuilder::identity(const std::string& name, const std::string& x, DType t) {
  return op(name, "Identity", {x}, {{"T", type_attr(t)}});
}

}  // namespace aamp::modelgen
