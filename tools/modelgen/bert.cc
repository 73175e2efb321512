// BERT encoder (BERT-base by default) in the layout of Google's original TF implementation:
// embeddings via GatherV2, hidden states kept as a [batch*seq, hidden] matrix, attention heads via
// Reshape/Transpose + BatchMatMulV2, additive attention mask, exact Erf GELU, and the
// tf.nn.batch_normalization-style LayerNorm decomposition (spec section 6).
#include <cmath>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "modelgen/builder.h"
#include "modelgen/modelgen.h"

namespace aamp::modelgen {
namespace {

int32_t i32(int64_t v) { return static_cast<int32_t>(v); }

class BertBuilder {
 public:
  BertBuilder(const BertOptions& o, Graph* g) : o_(o), b_(g), init_(o.seed) {}

  void build() {
    const int64_t h = o_.hidden, s = o_.seq;
    std::string ids = b_.placeholder("input_ids", DType::kInt32, Shape{-1, s});
    std::string mask = b_.placeholder("attention_mask", DType::kInt32, Shape{-1, s});
    std::string types = b_.placeholder("token_type_ids", DType::kInt32, Shape{-1, s});

    // Embeddings.
    const std::string e = "bert/embeddings/";
    std::string word_table = embedding_table(e + "word_embeddings", o_.vocab);
    std::string word = b_.gather(e + "GatherV2", word_table, ids);
    std::string pos_table = embedding_table(e + "position_embeddings", o_.max_position);
    std::vector<int32_t> positions(static_cast<size_t>(s));
    for (int64_t i = 0; i < s; ++i) positions[static_cast<size_t>(i)] = i32(i);
    std::string pos_ids = b_.vec_i32(e + "position_ids", positions);
    std::string pos = b_.gather(e + "GatherV2_1", pos_table, pos_ids);
    std::string type_table = embedding_table(e + "token_type_embeddings", o_.type_vocab);
    std::string type = b_.gather(e + "GatherV2_2", type_table, types);
    std::string sum = b_.binary("AddV2", e + "add", word, pos);
    sum = b_.binary("AddV2", e + "add_1", sum, type);
    std::string x = layer_norm(e + "LayerNorm", sum, 2);

    // Additive attention mask [b, 1, 1, seq]: (1 - mask) * -10000.
    const std::string m = "bert/encoder/";
    std::string mf = b_.cast(m + "Cast", mask, DType::kInt32, DType::kFloat);
    std::string mr = b_.reshape(m + "Reshape_1", mf, {-1, 1, 1, i32(s)});
    std::string one = b_.scalar_f32(m + "sub/x", 1.0f);
    std::string inv = b_.binary("Sub", m + "sub", one, mr);
    std::string big = b_.scalar_f32(m + "mul/y", -10000.0f);
    std::string adder = b_.binary("Mul", m + "mul", inv, big);

    x = b_.reshape(m + "Reshape", x, {-1, i32(h)});
    for (int64_t l = 0; l < o_.layers; ++l) {
      x = layer(m + "layer_" + std::to_string(l) + "/", x, adder);
    }
    x = b_.reshape(m + "Reshape_2", x, {-1, i32(s), i32(h)});
    b_.identity("Identity", x);
  }

 private:
  std::string embedding_table(const std::string& name, int64_t rows) {
    return b_.const_f32(name, Shape{rows, o_.hidden},
                        init_.normal(name, rows * o_.hidden, 0.0f, 0.02f));
  }

  // Dense on a [rows, in] matrix: MatMul + BiasAdd, weights "<scope>kernel" / "<scope>bias".
  std::string dense(const std::string& scope, const std::string& x, int64_t in, int64_t out) {
    std::string w = b_.const_f32(scope + "kernel", Shape{in, out},
                                 init_.glorot_uniform(scope + "kernel", in * out, in, out));
    std::string bias =
        b_.const_f32(scope + "bias", Shape{out}, init_.uniform(scope + "bias", out, -0.02f, 0.02f));
    std::string y = b_.matmul(scope + "MatMul", x, w);
    return b_.bias_add(scope + "BiasAdd", y, bias);
  }

  // mean = Mean(x, axis, keep_dims); var = Mean(SquaredDifference(x, StopGradient(mean)));
  // r = Rsqrt(var + eps);
  // g = r * gamma; y = x * g + (beta - mean * g).
  std::string layer_norm(const std::string& scope, const std::string& x, int32_t axis) {
    const int64_t h = o_.hidden;
    const std::string p = scope + "/";
    std::string gamma =
        b_.const_f32(p + "gamma", Shape{h}, init_.uniform(p + "gamma", h, 0.95f, 1.05f));
    std::string beta =
        b_.const_f32(p + "beta", Shape{h}, init_.uniform(p + "beta", h, -0.02f, 0.02f));
    std::string mean = b_.mean(p + "moments/mean", x, {axis}, true);
    // tf.nn.moments stops the gradient through the mean it subtracts.
    std::string stop = b_.unary("StopGradient", p + "moments/StopGradient", mean);
    std::string sq = b_.binary("SquaredDifference", p + "moments/SquaredDifference", x, stop);
    std::string var = b_.mean(p + "moments/variance", sq, {axis}, true);
    std::string eps = b_.scalar_f32(p + "batchnorm/add/y", 1e-12f);
    std::string add = b_.binary("AddV2", p + "batchnorm/add", var, eps);
    std::string rs = b_.unary("Rsqrt", p + "batchnorm/Rsqrt", add);
    std::string mul = b_.binary("Mul", p + "batchnorm/mul", rs, gamma);
    std::string mul1 = b_.binary("Mul", p + "batchnorm/mul_1", x, mul);
    std::string mul2 = b_.binary("Mul", p + "batchnorm/mul_2", mean, mul);
    std::string sub = b_.binary("Sub", p + "batchnorm/sub", beta, mul2);
    return b_.binary("AddV2", p + "batchnorm/add_1", mul1, sub);
  }

  // Splits [b*seq, hidden] into heads: Reshape [-1, seq, heads, dh] + Transpose -> [b, h, s, dh].
  std::string split_heads(const std::string& scope, const std::string& x) {
    const int64_t dh = o_.hidden / o_.heads;
    std::string r = b_.reshape(scope + "Reshape", x, {-1, i32(o_.seq), i32(o_.heads), i32(dh)});
    return b_.transpose(scope + "transpose", r, {0, 2, 1, 3});
  }

  std::string layer(const std::string& p, const std::string& x, const std::string& adder) {
    const int64_t h = o_.hidden, dh = o_.hidden / o_.heads;
    const std::string a = p + "attention/self/";
    std::string q = split_heads(a + "query/", dense(a + "query/", x, h, h));
    std::string k = split_heads(a + "key/", dense(a + "key/", x, h, h));
    std::string v = split_heads(a + "value/", dense(a + "value/", x, h, h));
    std::string scores = b_.batch_matmul(a + "MatMul", q, k, false, true);
    std::string scale = b_.scalar_f32(a + "Mul/y", 1.0f / std::sqrt(static_cast<float>(dh)));
    scores = b_.binary("Mul", a + "Mul", scores, scale);
    scores = b_.binary("AddV2", a + "add", scores, adder);
    std::string probs = b_.unary("Softmax", a + "Softmax", scores);
    std::string ctx = b_.batch_matmul(a + "MatMul_1", probs, v);
    ctx = b_.transpose(a + "transpose_3", ctx, {0, 2, 1, 3});
    ctx = b_.reshape(a + "Reshape_3", ctx, {-1, i32(h)});

    const std::string ao = p + "attention/output/";
    std::string attn = dense(ao + "dense/", ctx, h, h);
    attn = b_.binary("AddV2", ao + "add", attn, x);
    attn = layer_norm(ao + "LayerNorm", attn, 1);

    const std::string in = p + "intermediate/dense/";
    std::string inter = dense(in, attn, h, o_.intermediate);
    // Exact GELU: 0.5 * x * (1 + erf(x * 0.7071068)).
    std::string c = b_.scalar_f32(in + "gelu/mul/y", 0.7071068f);
    std::string xs = b_.binary("Mul", in + "gelu/mul", inter, c);
    std::string erf = b_.unary("Erf", in + "gelu/Erf", xs);
    std::string one = b_.scalar_f32(in + "gelu/add/x", 1.0f);
    std::string cdf = b_.binary("AddV2", in + "gelu/add", one, erf);
    std::string half = b_.scalar_f32(in + "gelu/mul_1/x", 0.5f);
    std::string hx = b_.binary("Mul", in + "gelu/mul_1", half, inter);
    std::string gelu = b_.binary("Mul", in + "gelu/mul_2", hx, cdf);

    const std::string out = p + "output/";
    std::string y = dense(out + "dense/", gelu, o_.intermediate, h);
    y = b_.binary("AddV2", out + "add", y, attn);
    return layer_norm(out + "LayerNorm", y, 1);
  }

  const BertOptions& o_;
  GraphBuilder b_;
  WeightInit init_;
};

}  // namespace

Graph make_bert(const BertOptions& o) {
  AAMP_CHECK(o.layers >= 0 && o.seq > 0 && o.hidden > 0 && o.heads > 0 && o.intermediate > 0 &&
                 o.vocab > 0 && o.type_vocab > 0,
             ErrorCode::kInvalidArgument, "bert: sizes must be positive");
  AAMP_CHECK(o.hidden % o.heads == 0, ErrorCode::kInvalidArgument,
             "bert: hidden (" + std::to_string(o.hidden) + ") must be a multiple of heads (" +
                 std::to_string(o.heads) + ")");
  AAMP_CHECK(o.seq <= o.max_position, ErrorCode::kInvalidArgument,
             "bert: seq (" + std::to_string(o.seq) + ") exceeds max_position (" +
                 std::to_string(o.max_position) + ")");
  Graph g;
  g.versions.producer = 1286;
  g.versions.present = true;
  BertBuilder(o, &g).build();
  return g;
}

}  // namespace aamp::modelgen
