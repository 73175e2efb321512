// `aamp bench`: FP32 and BF16 side by side on a small MLP, as text and JSON, and its errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

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

TEST_F(Bench, BadOptionsAreUserErrors) {
  const std::string m = write("mlp.pbtxt", kMlp);
  expect_user_error(aamp({"bench", m, "--iters", "0"}), {"--iters"});
  expect_user_error(aamp({"bench", m, "--dtype", "int8"}), {"--dtype", "bf16"});
  expect_user_error(aamp({"bench", m, "--input", "nope=x.npy"}), {"nope"});
  expect_user_error(aamp({"bench", write("bad.pbtxt", "node {")}), {"bad.pbtxt"});
}

}  // namespace
