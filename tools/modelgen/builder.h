// Helpers for the model generators: a seeded PRNG for weights and a GraphBuilder that emits
// NodeDefs with the attrs TensorFlow's Python graph construction writes (every attr of the op,
// defaults included), so generated graphs look like frozen Keras graphs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aamp/ir/graph.h"

namespace aamp::modelgen {

// Weight initializers. Every parameter gets its own stream, keyed by (seed, parameter name), so
// a parameter's values do not depend on the order in which parameters are generated.
class WeightInit {
 public:
  explicit WeightInit(uint64_t seed) : seed_(seed) {}

  // Glorot (Xavier) uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)).
  std::vector<float> glorot_uniform(const std::string& name, int64_t count, int64_t fan_in,
                                    int64_t fan_out) const;
  std::vector<float> uniform(const std::string& name, int64_t count, float lo, float hi) const;
  // Approximately normal (Irwin-Hall sum of four uniforms, rescaled), mean and stddev given.
  std::vector<float> normal(const std::string& name, int64_t count, float mean, float stddev) const;

 private:
  uint64_t seed_;
};

class GraphBuilder {
 public:
  explicit GraphBuilder(Graph* g) : g_(g) {}

  // Placeholder with dtype and shape attrs. Returns the node name.
  std::string placeholder(const std::string& name, DType dtype, const Shape& shape);
  // Const node holding `value`.
  std::string constant(const std::string& name, const Tensor& value);
  std::string const_f32(const std::string& name, const Shape& shape, std::vector<float> v);
  std::string const_i32(const std::string& name, const Shape& shape, std::vector<int32_t> v);
  std::string scalar_f32(const std::string& name, float v);
  // 1-D int32 Const (Reshape shapes, Transpose perms, reduction axes, ...).
  std::string vec_i32(const std::string& name, std::vector<int32_t> v);

  // Generic node; returns its name.
  std::string op(const std::string& name, const std::string& op_type,
                 std::vector<std::string> inputs, AttrMap attrs);

  // Float ops (T = float32).
  std::string unary(const std::string& op_type, const std::string& name, const std::string& x);
  std::string binary(const std::string& op_type, const std::string& name, const std::string& a,
                     const std::string& b);
  std::string matmul(const std::string& name, const std::string& a, const std::string& b,
                     bool transpose_a = false, bool transpose_b = false);
  std::string batch_matmul(const std::string& name, const std::string& a, const std::string& b,
                           bool adj_x = false, bool adj_y = false);
  std::string bias_add(const std::string& name, const std::string& x, const std::string& bias);
  // Reshape / Transpose / Mean / ExpandDims with an int32 Const second input named
  // "<name>/shape", "<name>/perm", "<name>/reduction_indices", "<name>/dim".
  std::string reshape(const std::string& name, const std::string& x, std::vector<int32_t> shape,
                      DType t = DType::kFloat);
  std::string transpose(const std::string& name, const std::string& x, std::vector<int32_t> perm);
  std::string mean(const std::string& name, const std::string& x, std::vector<int32_t> axes,
                   bool keep_dims);
  std::string cast(const std::string& name, const std::string& x, DType from, DType to);
  // GatherV2(params float32, indices int32, axis Const int32 "<name>/axis").
  std::string gather(const std::string& name, const std::string& params, const std::string& indices,
                     int32_t axis = 0);
  std::string identity(const std::string& name, const std::string& x, DType t = DType::kFloat);

  Graph& graph() { return *g_; }

 private:
  Graph* g_;
};

// A type attr value (list attrs: int_list, string_list, type_list of aamp/ir/attr.h).
AttrValue type_attr(DType t);

}  // namespace aamp::modelgen
