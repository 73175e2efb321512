// Tests for the model generators (tools/modelgen) and the aamp-modelgen binary.
#include <gtest/gtest.h>

#ifdef AAMP_HAVE_MODELGEN

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/io/npy.h"
#include "modelgen/modelgen.h"

#if __has_include("aamp/ops/validate.h")
#include "aamp/ops/validate.h"
#define AAMP_MODELGEN_HAVE_VALIDATE 1
#endif

namespace aamp::modelgen {
namespace {

namespace fs = std::filesystem;

std::map<std::string, int> histogram(const Graph& g) {
  std::map<std::string, int> h;
  for (const auto& n : g.nodes()) ++h[n->op];
  return h;
}

// Number of float32 values held by Const nodes whose name ends with one of the suffixes.
int64_t count_params(const Graph& g, std::initializer_list<std::string> suffixes) {
  int64_t total = 0;
  for (const auto& n : g.nodes()) {
    if (n->op != "Const") continue;
    const Tensor& t = n->attr_tensor("value");
    if (t.dtype() != DType::kFloat) continue;
    for (const auto& s : suffixes) {
      if (n->name.size() >= s.size() &&
          n->name.compare(n->name.size() - s.size(), s.size(), s) == 0) {
        total += t.num_elements();
        break;
      }
    }
  }
  return total;
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("aamp_modelgen_test_" + std::to_string(::getpid()) + "_" + std::to_string(++n_));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int n_ = 0;
  fs::path path_;
};

void expect_valid(const Graph& g) {
  EXPECT_NO_THROW(g.check_structure());
#ifdef AAMP_MODELGEN_HAVE_VALIDATE
  ValidationResult r = validate(g, /*tf_compatible=*/true);
  EXPECT_TRUE(r.ok()) << r.summary();
#endif
}

BertOptions small_bert() {
  BertOptions o;
  o.layers = 2;
  o.seq = 8;
  o.hidden = 32;
  o.heads = 4;
  o.intermediate = 64;
  o.vocab = 100;
  o.max_position = 16;
  o.seed = 3;
  return o;
}

TEST(ModelGen, MlpStructure) {
  MlpOptions o;
  o.hidden = 16;
  Graph g = make_mlp(o);
  std::map<std::string, int> want = {{"Placeholder", 1}, {"Const", 6}, {"MatMul", 3},
                                     {"BiasAdd", 3},     {"Relu", 2},  {"Softmax", 1},
                                     {"Identity", 1}};
  EXPECT_EQ(histogram(g), want);
  const Node& in = g.at("input_1");
  EXPECT_EQ(in.attr_type("dtype"), DType::kFloat);
  EXPECT_EQ(in.attr_shape("shape"), (Shape{-1, 784}));
  EXPECT_EQ(g.at("dense/kernel").attr_tensor("value").shape(), (Shape{784, 16}));
  EXPECT_EQ(g.at("dense_1/kernel").attr_tensor("value").shape(), (Shape{16, 16}));
  EXPECT_EQ(g.at("dense_2/kernel").attr_tensor("value").shape(), (Shape{16, 10}));
  const Node& mm = g.at("dense_1/MatMul");
  EXPECT_EQ(mm.inputs, (std::vector<std::string>{"dense/Relu", "dense_1/kernel"}));
  EXPECT_FALSE(mm.attr_bool("transpose_a"));
  EXPECT_FALSE(mm.attr_bool("transpose_b"));
  EXPECT_EQ(mm.attr_type("T"), DType::kFloat);
  EXPECT_EQ(g.at("dense_2/BiasAdd").attr_string("data_format"), "NHWC");
  EXPECT_EQ(g.at("Identity").inputs, (std::vector<std::string>{"dense_2/Softmax"}));
  // Glorot uniform bound for 784x16.
  const float limit = std::sqrt(6.0f / 800.0f);
  float max_abs = 0;
  for (float v : g.at("dense/kernel").attr_tensor("value").values<float>())
    max_abs = std::max(max_abs, std::abs(v));
  EXPECT_LE(max_abs, limit);
  EXPECT_GT(max_abs, 0.9f * limit);
  expect_valid(g);
}

TEST(ModelGen, BertStructure) {
  Graph g = make_bert(small_bert());
  std::map<std::string, int> want = {{"Const", 85},
                                     {"MatMul", 12},
                                     {"BiasAdd", 12},
                                     {"Reshape", 11},
                                     {"Transpose", 8},
                                     {"BatchMatMulV2", 4},
                                     {"Mul", 24},
                                     {"AddV2", 20},
                                     {"Softmax", 2},
                                     {"Mean", 10},
                                     {"SquaredDifference", 5},
                                     {"StopGradient", 5},
                                     {"Rsqrt", 5},
                                     {"Sub", 6},
                                     {"Erf", 2},
                                     {"Placeholder", 3},
                                     {"GatherV2", 3},
                                     {"Cast", 1},
                                     {"Identity", 1}};
  EXPECT_EQ(histogram(g), want);
  EXPECT_EQ(g.size(), 219u);
  for (const char* in : {"input_ids", "attention_mask", "token_type_ids"}) {
    EXPECT_EQ(g.at(in).attr_type("dtype"), DType::kInt32) << in;
    EXPECT_EQ(g.at(in).attr_shape("shape"), (Shape{-1, 8})) << in;
  }
  const std::string a = "bert/encoder/layer_1/attention/self/";
  EXPECT_TRUE(g.at(a + "MatMul").attr_bool("adj_y"));
  EXPECT_FALSE(g.at(a + "MatMul").attr_bool("adj_x"));
  EXPECT_FLOAT_EQ(g.at(a + "Mul/y").attr_tensor("value").values<float>()[0],
                  1.0f / std::sqrt(8.0f));
  EXPECT_EQ(g.at(a + "query/Reshape/shape").attr_tensor("value").values<int32_t>().size(), 4u);
  EXPECT_EQ(g.at(a + "query/Reshape/shape").attr_tensor("value").values<int32_t>()[0], -1);
  EXPECT_EQ(g.at("bert/encoder/Reshape_1/shape").attr_tensor("value").values<int32_t>()[3], 8);
  const Node& gather = g.at("bert/embeddings/GatherV2");
  EXPECT_EQ(gather.attr_int("batch_dims"), 0);
  EXPECT_EQ(gather.inputs.size(), 3u);
  EXPECT_FLOAT_EQ(
      g.at("bert/embeddings/LayerNorm/batchnorm/add/y").attr_tensor("value").values<float>()[0],
      1e-12f);
  EXPECT_TRUE(g.at("bert/embeddings/LayerNorm/moments/mean").attr_bool("keep_dims"));
  EXPECT_EQ(g.at("bert/encoder/Cast").attr_type("SrcT"), DType::kInt32);
  EXPECT_EQ(g.at("bert/encoder/Cast").attr_type("DstT"), DType::kFloat);
  EXPECT_EQ(g.at("Identity").inputs, (std::vector<std::string>{"bert/encoder/Reshape_2"}));
  expect_valid(g);
}

TEST(ModelGen, BertParamCount) {
  // BERT-base parameter count without the pooler, on a reduced vocabulary: embeddings
  // (V + 512 + 2) * 768 + LayerNorm 2*768, then 12 layers of 7,087,872.
  BertOptions o = small_bert();
  o.layers = 1;
  o.hidden = 768;
  o.heads = 12;
  o.intermediate = 3072;
  o.vocab = 1000;
  o.max_position = 512;
  Graph g = make_bert(o);
  EXPECT_EQ(count_params(g, {"_embeddings", "kernel", "bias", "gamma", "beta"}),
            (1000 + 512 + 2) * 768 + 2 * 768 + 7087872);
}

TEST(ModelGen, ResNet50Structure) {
  Graph g = make_resnet50({});
  std::map<std::string, int> want = {
      {"Conv2D", 53},  {"FusedBatchNormV3", 53}, {"Relu", 49},       {"AddV2", 16},
      {"Pad", 2},      {"MaxPool", 1},           {"Mean", 1},        {"MatMul", 1},
      {"BiasAdd", 54}, {"Softmax", 1},           {"Placeholder", 1}, {"Identity", 1},
      {"Const", 323}};
  EXPECT_EQ(histogram(g), want);
  // Trainable parameters of Keras' ResNet50 (conv kernels and biases, BN gamma/beta, FC): the
  // published 25,583,592 (25,636,712 with the BN moving statistics).
  EXPECT_EQ(count_params(g, {"kernel", "bias", "gamma", "beta"}), 25583592);
  EXPECT_EQ(count_params(g, {"kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"}),
            25636712);
  EXPECT_EQ(g.at("pool1_pool/MaxPool").inputs[0], "pool1_pad/Pad");
  EXPECT_EQ(g.at("pool1_pool/MaxPool").attr_string("padding"), "VALID");
  EXPECT_EQ(g.at("conv1_bn/FusedBatchNormV3").inputs[0], "conv1_conv/BiasAdd");
  EXPECT_EQ(g.at("input_1").attr_shape("shape"), (Shape{-1, 224, 224, 3}));
  const Node& stem = g.at("conv1_conv/Conv2D");
  EXPECT_EQ(stem.inputs[0], "conv1_pad/Pad");
  EXPECT_EQ(stem.attr_string("padding"), "VALID");
  EXPECT_EQ(stem.attr_list("strides").i, (std::vector<int64_t>{1, 2, 2, 1}));
  EXPECT_EQ(stem.attr_list("dilations").i, (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_TRUE(stem.attr_list("explicit_paddings").i.empty());
  EXPECT_EQ(stem.attr_string("data_format"), "NHWC");
  EXPECT_TRUE(stem.attr_bool("use_cudnn_on_gpu"));
  // v1.5: the stride sits on the 3x3 conv of the first block of stages 3-5.
  EXPECT_EQ(g.at("conv3_block1_1_conv/Conv2D").attr_list("strides").i,
            (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(g.at("conv3_block1_2_conv/Conv2D").attr_list("strides").i,
            (std::vector<int64_t>{1, 2, 2, 1}));
  EXPECT_EQ(g.at("conv3_block1_0_conv/Conv2D").attr_list("strides").i,
            (std::vector<int64_t>{1, 2, 2, 1}));
  EXPECT_EQ(g.at("conv2_block1_2_conv/Conv2D").attr_list("strides").i,
            (std::vector<int64_t>{1, 1, 1, 1}));
  const Node& bn = g.at("conv5_block3_3_bn/FusedBatchNormV3");
  EXPECT_FALSE(bn.attr_bool("is_training"));
  EXPECT_FLOAT_EQ(bn.attr_float("epsilon"), 1.001e-5f);
  EXPECT_EQ(bn.inputs.size(), 5u);
  const Node& pool = g.at("pool1_pool/MaxPool");
  EXPECT_EQ(pool.attr_string("padding"), "VALID");  // after pool1_pad, as Keras emits it
  EXPECT_EQ(pool.attr_list("ksize").i, (std::vector<int64_t>{1, 3, 3, 1}));
  EXPECT_EQ(g.at("predictions/kernel").attr_tensor("value").shape(), (Shape{2048, 1000}));
  EXPECT_FALSE(g.at("avg_pool/Mean").attr_bool("keep_dims"));
  expect_valid(g);
}

TEST(ModelGen, DeterministicAndSeeded) {
  MlpOptions o;
  o.hidden = 32;
  o.seed = 7;
  const std::string a = serialize_graphdef_binary(make_mlp(o));
  EXPECT_EQ(a, serialize_graphdef_binary(make_mlp(o)));
  o.seed = 8;
  EXPECT_NE(a, serialize_graphdef_binary(make_mlp(o)));
  BertOptions b = small_bert();
  EXPECT_EQ(serialize_graphdef_binary(make_bert(b)), serialize_graphdef_binary(make_bert(b)));
  ResNetOptions r;
  r.base_width = 8;
  r.image_size = 32;
  r.classes = 10;
  EXPECT_EQ(serialize_graphdef_binary(make_resnet50(r)),
            serialize_graphdef_binary(make_resnet50(r)));
}

TEST(ModelGen, SaveAndLoadBack) {
  TempDir dir;
  BertOptions bo = small_bert();
  ResNetOptions ro;
  ro.base_width = 8;
  ro.image_size = 32;
  MlpOptions mo;
  mo.hidden = 8;
  for (const Graph& g : {make_mlp(mo), make_bert(bo), make_resnet50(ro)}) {
    for (const char* ext : {".pb", ".pbtxt"}) {
      const std::string path = dir.file(std::string("model") + ext);
      save_graph(g, path);
      Graph back = load_graph(path);
      ASSERT_EQ(back.size(), g.size());
      EXPECT_EQ(histogram(back), histogram(g));
      for (const auto& n : g.nodes()) {
        const Node& m = back.at(n->name);
        EXPECT_EQ(m.op, n->op);
        EXPECT_EQ(m.inputs, n->inputs);
        EXPECT_EQ(m.attrs, n->attrs) << n->name;
      }
      EXPECT_EQ(serialize_graphdef_binary(back), serialize_graphdef_binary(g));
      expect_valid(back);
    }
  }
}

TEST(ModelGen, MlpWeightsDir) {
  TempDir dir;
  const int64_t n = 4;
  const int64_t dims[] = {784, n, n, 10};
  const char* names[] = {"dense", "dense_1", "dense_2"};
  for (int i = 0; i < 3; ++i) {
    std::vector<float> k(static_cast<size_t>(dims[i] * dims[i + 1]));
    for (size_t j = 0; j < k.size(); ++j) k[j] = static_cast<float>(j % 13) * 0.25f - i;
    std::vector<float> b(static_cast<size_t>(dims[i + 1]), 0.5f + static_cast<float>(i));
    write_npy(dir.file(std::string(names[i]) + "_kernel.npy"),
              Tensor::from_vector<float>(Shape{dims[i], dims[i + 1]}, k));
    write_npy(dir.file(std::string(names[i]) + "_bias.npy"),
              Tensor::from_vector<float>(Shape{dims[i + 1]}, b));
  }
  MlpOptions o;
  o.hidden = n;
  o.weights_dir = dir.file("");
  Graph g = make_mlp(o);
  auto k1 = g.at("dense_1/kernel").attr_tensor("value").values<float>();
  ASSERT_EQ(k1.size(), 16u);
  EXPECT_EQ(k1[5], 5 * 0.25f - 1);
  EXPECT_EQ(g.at("dense_2/bias").attr_tensor("value").values<float>()[9], 2.5f);
  // A mis-shaped file is a user error naming the file.
  o.hidden = 5;
  try {
    make_mlp(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("dense_kernel.npy"), std::string::npos) << e.what();
  }
  o.weights_dir = dir.file("missing");
  EXPECT_THROW(make_mlp(o), Error);
}

TEST(ModelGen, BadOptionsThrow) {
  BertOptions b = small_bert();
  b.heads = 5;
  EXPECT_THROW(make_bert(b), Error);
  b = small_bert();
  b.seq = 17;
  EXPECT_THROW(make_bert(b), Error);
  MlpOptions m;
  m.hidden = 0;
  EXPECT_THROW(make_mlp(m), Error);
}

TEST(ModelGen, BinaryWritesIdenticalFiles) {
  const std::string bin = std::string(AAMP_BINARY_DIR) + "/aamp-modelgen";
  if (!fs::exists(bin)) GTEST_SKIP() << "no " << bin;
  TempDir dir;
  auto run = [&](const std::string& args) {
    return std::system((bin + " " + args + " -q").c_str());
  };
  ASSERT_EQ(run("bert --layers 1 --seq 8 --hidden 16 --heads 2 --intermediate 32 --vocab 50 "
                "--seed 5 -o " +
                dir.file("a.pb")),
            0);
  ASSERT_EQ(run("bert --layers 1 --seq 8 --hidden 16 --heads 2 --intermediate 32 --vocab 50 "
                "--seed 5 -o " +
                dir.file("b.pb")),
            0);
  ASSERT_EQ(run("bert --layers 1 --seq 8 --hidden 16 --heads 2 --intermediate 32 --vocab 50 "
                "--seed 6 -o " +
                dir.file("c.pb")),
            0);
  EXPECT_EQ(read_file(dir.file("a.pb")), read_file(dir.file("b.pb")));
  EXPECT_NE(read_file(dir.file("a.pb")), read_file(dir.file("c.pb")));
  // 43 nodes outside the layers + 88 per layer (a StopGradient per LayerNorm).
  EXPECT_EQ(load_graph(dir.file("a.pb")).size(), 131u);
  // Bad options: a user error (exit status 2), nothing written.
  EXPECT_NE(run("bert --heads 5 --hidden 16 -o " + dir.file("d.pb") + " 2>/dev/null"), 0);
  EXPECT_FALSE(fs::exists(dir.file("d.pb")));
}

}  // namespace
}  // namespace aamp::modelgen

#endif  // AAMP_HAVE_MODELGEN
