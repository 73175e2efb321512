// `aamp bench`: FP32 and BF16 side by side on a small MLP, as text and JSON, and its errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "aamp/io/npy.h"
#include "aamp/ir/tensor.h"
#include "tools/cli_fixture.h"

namespace {

using aamp_cli_test::Result;
class Bench : public aamp_cli_test::CliFixture {};

// x[-1,4] -> MatMul(w[4,3]) -> BiasAdd(b) -> Relu -> Softmax.
const char* kMlp = R"pb(
  node {
    name: "x"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "shape"
      value {
        shape {
          dim { size: -1 }
          dim { size: 4 }
        }
      }
    }
  }
  node {
    name: "w"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_FLOAT
          tensor_shape {
            dim { size: 4 }
            dim { size: 3 }
          }
          float_val: [ 0.5, -0.25, 0.125, 0.75, 0.3, -0.6, -0.2, 0.9, 0.4, 0.1, -0.7, 0.2 ]
        }
      }
    }
  }
  node {
    name: "b"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_FLOAT
          tensor_shape { dim { size: 3 } }
          float_val: [ 0.1, -0.1, 0.05 ]
        }
      }
    }
  }
  node {
    name: "mm"
    op: "MatMul"
    input: "x"
    input: "w"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "bias"
    op: "BiasAdd"
    input: "mm"
    input: "b"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "relu"
    op: "Relu"
    input: "bias"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "probs"
    op: "Softmax"
    input: "relu"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
)pb";

TEST_F(Bench, JsonHasBothModesAndAgreement) {
  const std::string m = write("mlp.pbtxt", kMlp);
  Result r = aamp({"bench", m, "--iters", "3", "--warmup", "1", "--batch", "8", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["batch"], 8);
  ASSERT_EQ(j["modes"].size(), 2u);
  EXPECT_EQ(j["modes"][0]["mode"], "fp32");
  EXPECT_EQ(j["modes"][1]["mode"], "bf16");
  for (const auto& e : j["modes"]) {
    EXPECT_GT(e["median_ms"].get<double>(), 0.0);
    EXPECT_LE(e["p10_ms"].get<double>(), e["p90_ms"].get<double>());
    EXPECT_GT(e["weight_bytes"].get<int64_t>(), 0);
  }
  // bf16 weights: half the bytes of the fp32 ones (w and b stored in bfloat16).
  EXPECT_EQ(j["modes"][1]["weight_bytes"].get<int64_t>() * 2,
            j["modes"][0]["weight_bytes"].get<int64_t>());
  EXPECT_LT(j["modes"][1]["rel_l2"].get<double>(), 2e-2);
  EXPECT_NE(j["modes"][1]["amp"].get<std::string>().find("to bfloat16"), std::string::npos);
}

TEST_F(Bench, TextTableAndProfile) {
  const std::string m = write("mlp.pbtxt", kMlp);
  Result r = aamp({"bench", m, "--iters", "2", "--warmup", "0", "--profile"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s : {"FP32", "BF16", "median ms", "BF16 vs FP32:", "AMP: Converted",
                        "profile (top ops by time)"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
}

// --input with real samples and --labels: each mode's accuracy. Rows e0..e3 of the identity give
// the logits relu(w[i] + b), whose argmaxes are 0, 0, 1, 2; the labels 0, 1, 1, 2 are 75% right.
TEST_F(Bench, LabelsGiveEachModesAccuracy) {
  const std::string m = write("mlp.pbtxt", kMlp);
  const std::string x = path("x.npy"), y = path("y.npy");
  aamp::write_npy(x, aamp::Tensor::from_vector<float>(
                         aamp::Shape{4, 4}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}));
  aamp::write_npy(y, aamp::Tensor::from_vector<int32_t>(aamp::Shape{4}, {0, 1, 1, 2}));
  Result r = aamp({"bench", m, "--input", "x=" + x, "--labels", y, "--iters", "2", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["batch"], 4);  // the fed samples, not --batch
  ASSERT_EQ(j["modes"].size(), 2u);
  for (const auto& e : j["modes"]) EXPECT_DOUBLE_EQ(e["accuracy"].get<double>(), 0.75);
  r = aamp({"bench", m, "--input", "x=" + x, "--labels", y, "--iters", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Accuracy against " + y + ": FP32 75.00%, BF16 75.00% (+0.00 points)"),
            std::string::npos)
      << r.out;
  // Labels that do not match the output rows, float labels, a missing file: user errors.
  const std::string y3 = path("y3.npy"), yf = path("yf.npy");
  aamp::write_npy(y3, aamp::Tensor::from_vector<int32_t>(aamp::Shape{3}, {0, 1, 2}));
  aamp::write_npy(yf, aamp::Tensor::from_vector<float>(aamp::Shape{4}, {0, 1, 1, 2}));
  // (--json: no progress lines on stderr before the error)
  expect_user_error(aamp({"bench", m, "--input", "x=" + x, "--labels", y3, "--json"}),
                    {"y3.npy", "3 labels"});
  expect_user_error(aamp({"bench", m, "--input", "x=" + x, "--labels", yf, "--json"}),
                    {"yf.npy", "integers"});
  expect_user_error(aamp({"bench", m, "--labels", "nope.npy", "--json"}), {"nope.npy"});
}

TEST_F(Bench, BadOptionsAreUserErrors) {
  const std::string m = write("mlp.pbtxt", kMlp);
  expect_user_error(aamp({"bench", m, "--iters", "0"}), {"--iters"});
  expect_user_error(aamp({"bench", m, "--dtype", "int8"}), {"--dtype", "bf16"});
  expect_user_error(aamp({"bench", m, "--device", "tpu", "--json"}), {"--device", "cpu, gpu"});
  expect_user_error(aamp({"bench", m, "--input", "nope=x.npy"}), {"nope"});
  expect_user_error(aamp({"bench", write("bad.pbtxt", "node {")}), {"bad.pbtxt"});
}

}  // namespace
