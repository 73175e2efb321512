// `aamp run`, run as a user would: .npy inputs and outputs checked value by value on a tiny
// graph, --stats, seeded random inputs, --threads, inputs of unknown rank, and user errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aamp/io/npy.h"
#include "aamp/ir/tensor.h"
#include "tensor_test_util.h"
#include "test_util.h"
#include "tools/cli_fixture.h"

namespace {

using aamp::testing::values;

namespace fs = std::filesystem;

using aamp::DType;
using aamp::Shape;
using aamp::Tensor;
using aamp_cli_test::Result;
class Run : public aamp_cli_test::CliFixture {};

// x[2,3], y[2,3] -> relu = Relu(Add(x, y)); scaled/mul = Mul(x, c) with c[3] = {1, 2, 3}.
const char* kTiny = R"pb(
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
          dim { size: 2 }
          dim { size: 3 }
        }
      }
    }
  }
  node {
    name: "y"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "shape"
      value {
        shape {
          dim { size: 2 }
          dim { size: 3 }
        }
      }
    }
  }
  node {
    name: "c"
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
          float_val: [ 1, 2, 3 ]
        }
      }
    }
  }
  node {
    name: "sum"
    op: "AddV2"
    input: "x"
    input: "y"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "relu"
    op: "Relu"
    input: "sum"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "scaled/mul"
    op: "Mul"
    input: "x"
    input: "c"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
)pb";

// x of unknown rank (no shape attr) -> Relu.
// x of unknown rank into a MatMul with a [2, 2] constant: a scalar cannot run.
const char* kUnknownRankMatMul = R"pb(
  node {
    name: "x"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
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
            dim { size: 2 }
            dim { size: 2 }
          }
          float_val: 1
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
)pb";

const char* kUnknownRank = R"pb(
  node {
    name: "x"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "out"
    op: "Relu"
    input: "x"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
)pb";

class RunTiny : public Run {
 protected:
  void SetUp() override {
    Run::SetUp();
    model_ = write("tiny.pbtxt", kTiny);
    x_ = path("x.npy");
    y_ = path("y.npy");
    aamp::write_npy(x_, Tensor::from_vector<float>(Shape{2, 3}, {-1, 2, -3, 4, -5, 6}));
    aamp::write_npy(y_, Tensor::from_vector<float>(Shape{2, 3}, {0.5f, -3, 1, 1, 10, -7}));
  }
  std::string model_, x_, y_;
};

TEST_F(RunTiny, InputFilesAndOutputDirGiveExactValues) {
  const std::string out = path("out");
  Result r = aamp({"run", model_, "--input", "x=" + x_, "--input", "y=" + y_, "--output-dir", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("wrote 2 output(s) to " + out + "\n"), std::string::npos) << r.out;
  // One file per output, named after the tensor ('/' becomes '_'), and nothing else.
  EXPECT_EQ(aamp::testing::files_in(out), (std::vector<std::string>{"relu.npy", "scaled_mul.npy"}));

  const Tensor relu = aamp::read_npy(out + "/relu.npy");
  EXPECT_EQ(relu.dtype(), DType::kFloat);
  EXPECT_EQ(relu.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(relu), (std::vector<float>{0, 0, 0, 5, 5, 0}));
  const Tensor mul = aamp::read_npy(out + "/scaled_mul.npy");
  EXPECT_EQ(mul.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(mul), (std::vector<float>{-1, 4, -9, 4, -10, 18}));

  // The text report lists the fed inputs and each output's summary.
  EXPECT_NE(r.out.find("model: " + model_ + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("relu"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scaled/mul"), std::string::npos) << r.out;
}

TEST_F(RunTiny, JsonReportsInputsOutputsAndFiles) {
  const std::string out = path("out");
  Result r = aamp(
      {"run", model_, "--input", "x=" + x_, "--input", "y=" + y_, "--output-dir", out, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["inputs"].size(), 2u);
  EXPECT_EQ(j["inputs"][0]["name"], "x");
  EXPECT_EQ(j["inputs"][0]["shape"], nlohmann::json::parse("[2,3]"));
  ASSERT_EQ(j["outputs"].size(), 2u);
  EXPECT_EQ(j["outputs"][0]["name"], "relu");
  EXPECT_EQ(j["outputs"][0]["min"], 0.0);
  EXPECT_EQ(j["outputs"][0]["max"], 5.0);
  EXPECT_EQ(j["outputs"][1]["name"], "scaled/mul");
  EXPECT_EQ(j["outputs"][1]["min"], -10.0);
  EXPECT_EQ(j["outputs"][1]["max"], 18.0);
  EXPECT_EQ(j["outputs"][1]["mean"], 1.0);
  EXPECT_EQ(j["outputs"][1]["file"], (fs::path(out) / "scaled_mul.npy").string());
}

TEST_F(RunTiny, StatsPrintWeightPeakAndNaiveBytes) {
  Result r = aamp({"run", model_, "--stats", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto st = nlohmann::json::parse(r.out)["stats"];
  // The only weight is c: 3 float32 = 12 bytes. Three kernel outputs (sum, relu, mul) of
  // float32[2,3] = 24 bytes, each rounded up to 64-byte alignment: the naive sum is 192. Relu
  // runs in place on sum, and both outputs live to the end: the arena holds two buffers, 128.
  EXPECT_EQ(st["weight_bytes"], 12);
  EXPECT_EQ(st["naive_bytes"], 192);
  EXPECT_EQ(st["arena_bytes"], 128);
  EXPECT_EQ(st["inplace"], 1);

  Result t = aamp({"run", model_, "--stats"});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("stats:\n  weight bytes:         12 B (12)\n"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("  planned peak (arena): 128 B (128)\n"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("  naive sum of outputs: 192 B (192)\n"), std::string::npos) << t.out;
  // Without --stats nothing of it is printed.
  Result n = aamp({"run", model_});
  ASSERT_EQ(n.code, 0) << n.err;
  EXPECT_EQ(n.out.find("stats:"), std::string::npos) << n.out;
}

TEST_F(RunTiny, SeededRandomInputsAreDeterministic) {
  const std::string a = path("a"), b = path("b"), c = path("c");
  ASSERT_EQ(aamp({"run", model_, "--output-dir", a}).code, 0);
  ASSERT_EQ(aamp({"run", model_, "--output-dir", b, "--seed", "0"}).code, 0);
  ASSERT_EQ(aamp({"run", model_, "--output-dir", c, "--seed", "7"}).code, 0);
  for (const char* f : {"relu.npy", "scaled_mul.npy"}) {
    SCOPED_TRACE(f);
    const std::string fa = aamp_cli_test::slurp(fs::path(a) / f);
    ASSERT_FALSE(fa.empty());
    EXPECT_EQ(fa, aamp_cli_test::slurp(fs::path(b) / f));  // byte-identical
    EXPECT_NE(fa, aamp_cli_test::slurp(fs::path(c) / f));  // another seed, other values
  }
  // Random floats lie in [0, 1): x * c lies in [0, 3) elementwise, relu(x + y) in [0, 2).
  const std::vector<float> mul = values(aamp::read_npy(a + "/scaled_mul.npy"));
  const std::vector<float> relu = values(aamp::read_npy(a + "/relu.npy"));
  for (size_t i = 0; i < mul.size(); ++i) {
    EXPECT_GE(mul[i], 0.0f);
    EXPECT_LT(mul[i], static_cast<float>(i % 3 + 1));
    EXPECT_GE(relu[i], 0.0f);
    EXPECT_LT(relu[i], 2.0f);
  }
}

TEST_F(RunTiny, FileInputKeepsTheOtherInputRandom) {
  // Only y from a file: x stays random, so x*c differs from the all-files run but not between
  // two such runs.
  const std::string a = path("a"), b = path("b");
  ASSERT_EQ(aamp({"run", model_, "--input", "y=" + y_, "--output-dir", a}).code, 0);
  ASSERT_EQ(aamp({"run", model_, "--input", "y=" + y_, "--output-dir", b}).code, 0);
  EXPECT_EQ(aamp_cli_test::slurp(fs::path(a) / "scaled_mul.npy"),
            aamp_cli_test::slurp(fs::path(b) / "scaled_mul.npy"));
  for (float v : values(aamp::read_npy(a + "/scaled_mul.npy"))) EXPECT_GE(v, 0.0f);
}

TEST_F(RunTiny, ThreadCountsGiveTheSameOutputs) {
  const std::string one = path("one"), two = path("two");
  ASSERT_EQ(aamp({"run", model_, "--threads", "1", "--output-dir", one}).code, 0);
  ASSERT_EQ(aamp({"run", model_, "--threads", "2", "--output-dir", two}).code, 0);
  for (const char* f : {"relu.npy", "scaled_mul.npy"})
    EXPECT_EQ(aamp_cli_test::slurp(fs::path(one) / f), aamp_cli_test::slurp(fs::path(two) / f))
        << f;
  expect_user_error(aamp({"run", model_, "--threads", "-1"}), {"--threads", "0 (one per physical core)"});
  expect_user_error(aamp({"run", model_, "--threads", "two"}), {"--threads", "aamp run --help"});
}

TEST_F(RunTiny, UserErrorsExitWithTwo) {
  expect_user_error(aamp({"run", model_, "--input", "z=" + x_}),
                    {"--input 'z=", "no input (Placeholder) named 'z'"});
  expect_user_error(aamp({"run", model_, "--input", "relu=" + x_}),
                    {"no input (Placeholder) named 'relu'"});
  expect_user_error(aamp({"run", model_, "--input", "x"}), {"--input 'x'", "NAME=FILE.npy"});
  expect_user_error(aamp({"run", model_, "--input", "x=" + x_, "--input", "x=" + x_}),
                    {"input 'x' is given twice"});
  // Wrong shape, wrong dtype: the message names the file and what the input wants.
  const std::string wide = path("wide.npy");
  aamp::write_npy(wide, Tensor::from_vector<float>(Shape{3, 2}, {1, 2, 3, 4, 5, 6}));
  expect_user_error(aamp({"run", model_, "--input", "x=" + wide}),
                    {wide + " holds float32 [3,2], but input 'x' is float32 [2,3]"});
  const std::string ints = path("ints.npy");
  aamp::write_npy(ints, Tensor::from_vector<int32_t>(Shape{2, 3}, {1, 2, 3, 4, 5, 6}));
  expect_user_error(aamp({"run", model_, "--input", "y=" + ints}),
                    {ints + " holds int32 [2,3], but input 'y' is float32 [2,3]"});
  // Missing and malformed files name the file.
  const std::string missing = path("missing.npy");
  expect_user_error(aamp({"run", model_, "--input", "x=" + missing}), {missing});
  const std::string junk = write("junk.npy", "not numpy");
  expect_user_error(aamp({"run", model_, "--input", "x=" + junk}), {junk, "not a .npy file"});
  expect_user_error(aamp({"run", path("nope.pbtxt")}), {"nope.pbtxt"});
  expect_user_error(aamp({"run", model_, "--batch", "0"}), {"--batch must be at least 1"});
  // An output dir that cannot be created (a file is in the way).
  const std::string blocker = write("blocker", "x");
  expect_user_error(aamp({"run", model_, "--output-dir", blocker + "/sub"}),
                    {"--output-dir '" + blocker + "/sub'"});
}

TEST_F(Run, UnknownRankInputRunsFromAFile) {
  const std::string model = write("unknown_rank.pbtxt", kUnknownRank);
  // Not given: a random scalar, and a note saying so and how to give it.
  const std::string scalar_out = path("scalar_out");
  Result d = aamp({"run", model, "--output-dir", scalar_out});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_NE(d.err.find("aamp: note: input 'x' of unknown rank was fed as a random scalar; give "
                       "it with --input x=file.npy"),
            std::string::npos)
      << d.err;
  EXPECT_EQ(aamp::read_npy(scalar_out + "/out.npy").shape(), Shape{});
  // A model that needs more than a scalar fails with one line that says what was fed.
  const std::string matmul = write("unknown_rank_matmul.pbtxt", kUnknownRankMatMul);
  expect_user_error(aamp({"run", matmul}),
                    {"'mm'",
                     "input 'x' of unknown rank was fed as a random scalar; give it with "
                     "--input x=file.npy"});
  // Given: any rank runs.
  const std::string x = path("x.npy");
  aamp::write_npy(x, Tensor::from_vector<float>(Shape{2, 1, 2}, {-2, 3, 0.5f, -0.25f}));
  const std::string out = path("out");
  Result r = aamp({"run", model, "--input", "x=" + x, "--output-dir", out});
  ASSERT_EQ(r.code, 0) << r.err;
  const Tensor y = aamp::read_npy(out + "/out.npy");
  EXPECT_EQ(y.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(values(y), (std::vector<float>{0, 3, 0.5f, 0}));
  // The dtype is still checked.
  const std::string ints = path("ints.npy");
  aamp::write_npy(ints, Tensor::from_vector<int32_t>(Shape{2}, {1, 2}));
  expect_user_error(aamp({"run", model, "--input", "x=" + ints}),
                    {ints + " holds int32 [2], but input 'x' is float32 <unknown>"});
}

TEST_F(Run, BenchTakesAnUnknownRankInputFromAFile) {
  const std::string model = write("unknown_rank.pbtxt", kUnknownRank);
  Result s = aamp({"bench", model, "--iters", "1", "--warmup", "0", "--fp32-only"});
  EXPECT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.err.find("input 'x' of unknown rank was fed as a random scalar"), std::string::npos)
      << s.err;
  const std::string x = path("x.npy");
  aamp::write_npy(x, Tensor::from_vector<float>(Shape{4, 2}, {1, -1, 2, -2, 3, -3, 4, -4}));
  Result r =
      aamp({"bench", model, "--input", "x=" + x, "--iters", "1", "--warmup", "0", "--fp32-only"});
  EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace
