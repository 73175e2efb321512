// Validation over real graphs: inline pbtxt goldens and every TF.js model of human-models.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "aamp/io/graph_io.h"
#include "aamp/ops/validate.h"

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

// TF.js stores float64 / int64 weights as float32 / int32; a loader that keeps the manifest's
// dtype leaves a Const of the narrower type feeding an op that expects the wider one.
bool is_tfjs_narrowed_weight(const Graph& g, const ValidationIssue& i) {
  bool narrowed = i.message.find("is float32, expected float64") != std::string::npos ||
                  i.message.find("is int32, expected int64") != std::string::npos;
  if (!narrowed) return false;
  size_t a = i.message.find("('"), b = i.message.find("')");
  if (a == std::string::npos || b == std::string::npos) return false;
  const Node* p = g.find(TensorRef::parse(i.message.substr(a + 2, b - a - 2)).node);
  return p && p->op == "Const";
}

TEST(ValidateModels, EveryTfjsModelValidates) {
  fs::path dir = AAMP_MODELS_DIR;
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no models at " << dir;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 30u);
  int narrowed = 0, tfjs_only = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    Graph g = load_tfjs(f.string());
    ASSERT_GT(g.size(), 0u);
    ValidationResult r = validate(g, /*tf_compatible=*/true);
    for (const auto& i : r.issues) {
      if (is_tfjs_narrowed_weight(g, i)) {
        ++narrowed;
        continue;
      }
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
  // Known loader behaviour (faceboxes: 2 float64 consts, nanodet: 30 int64 inputs) is tolerated
  // here and reported; once the loader widens such weights this count drops to 0.
  RecordProperty("tfjs_narrowed_weight_issues", narrowed);
}

}  // namespace
}  // namespace aamp
