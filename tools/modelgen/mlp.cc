// MLP: input -> Dense(N, relu) -> Dense(N, relu) -> Dense(classes, softmax), as a frozen Keras
// Sequential model writes it (dense/MatMul, dense/BiasAdd, dense/Relu, ..., dense_2/Softmax).
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/io/npy.h"
#include "modelgen/builder.h"
#include "modelgen/modelgen.h"

namespace aamp::modelgen {
namespace {

std::vector<float> load_weights(const std::string& dir, const std::string& file,
                                const Shape& want) {
  const std::string path = dir + "/" + file;
  Tensor t = read_npy(path);
  AAMP_CHECK(t.dtype() == DType::kFloat, ErrorCode::kInvalidArgument,
             path + ": expected float32 weights, got " + dtype_name(t.dtype()));
  AAMP_CHECK(t.shape().dims == want.dims, ErrorCode::kInvalidArgument,
             path + ": expected shape " + want.to_string() + ", got " + t.shape().to_string());
  auto v = t.values<float>();
  return {v.begin(), v.end()};
}

}  // namespace

Graph make_mlp(const MlpOptions& o) {
  AAMP_CHECK(o.inputs > 0 && o.hidden > 0 && o.classes > 0, ErrorCode::kInvalidArgument,
             "mlp: inputs, hidden and classes must be positive");
  Graph g;
  g.versions.producer = 1286;
  g.versions.present = true;
  GraphBuilder b(&g);
  WeightInit init(o.seed);

  std::string x = b.placeholder("input_1", DType::kFloat, Shape{-1, o.inputs});
  const int64_t dims[] = {o.inputs, o.hidden, o.hidden, o.classes};
  const char* names[] = {"dense", "dense_1", "dense_2"};
  for (int i = 0; i < 3; ++i) {
    const std::string l = names[i];
    const int64_t in = dims[i], out = dims[i + 1];
    std::vector<float> kernel, bias;
    if (o.weights_dir.empty()) {
      kernel = init.glorot_uniform(l + "/kernel", in * out, in, out);
      bias.assign(static_cast<size_t>(out), 0.0f);
    } else {
      kernel = load_weights(o.weights_dir, l + "_kernel.npy", Shape{in, out});
      bias = load_weights(o.weights_dir, l + "_bias.npy", Shape{out});
    }
    std::string w = b.const_f32(l + "/kernel", Shape{in, out}, std::move(kernel));
    std::string bb = b.const_f32(l + "/bias", Shape{out}, std::move(bias));
    x = b.matmul(l + "/MatMul", x, w);
    x = b.bias_add(l + "/BiasAdd", x, bb);
    x = b.unary(i < 2 ? "Relu" : "Softmax", l + (i < 2 ? "/Relu" : "/Softmax"), x);
  }
  b.identity("Identity", x);
  return g;
}

}  // namespace aamp::modelgen
