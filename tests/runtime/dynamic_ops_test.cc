// The value-dependent ops (Where, NonMaxSuppression*) and the ops whose shape comes from an input
// value (TopKV2's k, SparseToDense's output_shape) run end to end in a Session: their nodes go
// to the dynamic executor, which sizes the outputs the kernels allocate.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"

namespace aamp {
namespace {

std::string input_node(const std::string& name, const std::string& dtype,
                       const std::vector<int64_t>& dims) {
  std::string d;
  for (int64_t x : dims) d += " dim { size: " + std::to_string(x) + " }";
  return "node { name: \"" + name +
         "\" op: \"Placeholder\" attr { key: \"dtype\" value { type: " + dtype +
         " } } attr { key: \"shape\" value { shape {" + d + " } } } }\n";
}

std::string scalar_const(const std::string& name, const std::string& dtype,
                         const std::string& val) {
  const std::string field = dtype == "DT_INT32" ? "int_val" : "float_val";
  return "node { name: \"" + name +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: " + dtype +
         " } } attr { key: \"value\" value { tensor { dtype: " + dtype + " tensor_shape { } " +
         field + ": " + val + " } } } }\n";
}

std::string node_text(const std::string& name, const std::string& op,
                      const std::vector<std::string>& inputs, const std::string& attrs) {
  std::string s = "node { name: \"" + name + "\" op: \"" + op + "\"";
  for (const auto& i : inputs) s += " input: \"" + i + "\"";
  return s + attrs + " }\n";
}

std::string type_attr(const std::string& key, const std::string& dtype) {
  return " attr { key: \"" + key + "\" value { type: " + dtype + " } }";
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  const auto s = t.values<T>();
  return {s.begin(), s.end()};
}

TEST(DynamicOps, WhereAndNonMaxSuppressionRunInASession) {
  const std::string g =
      input_node("x", "DT_FLOAT", {6}) + input_node("boxes", "DT_FLOAT", {6, 4}) +
      scalar_const("zero", "DT_FLOAT", "0.0") + scalar_const("max", "DT_INT32", "3") +
      scalar_const("iou", "DT_FLOAT", "0.5") + scalar_const("min_score", "DT_FLOAT", "-1000") +
      scalar_const("axis", "DT_INT32", "0") +
      node_text("gt", "Greater", {"x", "zero"}, type_attr("T", "DT_FLOAT")) +
      node_text("where", "Where", {"gt"}, type_attr("T", "DT_BOOL")) +
      node_text("nms", "NonMaxSuppressionV3", {"boxes", "x", "max", "iou", "min_score"},
                type_attr("T", "DT_FLOAT") + type_attr("T_threshold", "DT_FLOAT")) +
      // A consumer of the value-sized output.
      node_text("picked", "GatherV2", {"x", "nms", "axis"},
                type_attr("Tparams", "DT_FLOAT") + type_attr("Tindices", "DT_INT32") +
                    type_attr("Taxis", "DT_INT32"));
  Session s(parse_graphdef_text(g, "dynamic.pbtxt"));
  const std::vector<float> x = {0.9f, 0.75f, -0.6f, 0.95f, 0.5f, 0.3f};
  const std::vector<float> boxes = {0, 0,    1, 1,    0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                    0, 10.f, 1, 11.f, 0, 10.1f, 1, 11.1f, 0, 100.f, 1, 101.f};
  const std::vector<Tensor> out = s.run({{"x", Tensor::from_vector<float>(Shape{6}, x)},
                                         {"boxes", Tensor::from_vector<float>(Shape{6, 4}, boxes)}},
                                        {"where", "nms", "picked"}, {});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].shape().dims, (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{0, 1, 3, 4, 5}));
  EXPECT_EQ(values<int32_t>(out[1]), (std::vector<int32_t>{3, 0, 5}));
  EXPECT_EQ(values<float>(out[2]), (std::vector<float>{0.95f, 0.9f, 0.3f}));
}

TEST(DynamicOps, TopKAndSparseToDenseTakeTheirShapeInputsAtRunTime) {
  const std::string g = input_node("x", "DT_FLOAT", {2, 4}) + input_node("k", "DT_INT32", {}) +
                        input_node("shape", "DT_INT32", {1}) + input_node("idx", "DT_INT32", {2}) +
                        scalar_const("one", "DT_FLOAT", "1.0") +
                        scalar_const("dflt", "DT_FLOAT", "0.0") +
                        node_text("topk", "TopKV2", {"x", "k"}, type_attr("T", "DT_FLOAT")) +
                        node_text("dense", "SparseToDense", {"idx", "shape", "one", "dflt"},
                                  type_attr("T", "DT_FLOAT") + type_attr("Tindices", "DT_INT32"));
  Session s(parse_graphdef_text(g, "shape_inputs.pbtxt"));
  const Tensor x = Tensor::from_vector<float>(Shape{2, 4}, {3, 1, 4, 1, 5, 9, 2, 6});
  for (int32_t k : {1, 3}) {
    const std::vector<Tensor> out =
        s.run({{"x", x},
               {"k", Tensor::scalar<int32_t>(k)},
               {"shape", Tensor::from_vector<int32_t>(Shape{1}, {k + 3})},
               {"idx", Tensor::from_vector<int32_t>(Shape{2}, {0, k + 2})}},
              {"topk:0", "topk:1", "dense"}, {});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].shape().dims, (std::vector<int64_t>{2, k}));
    if (k == 1) {
      EXPECT_EQ(values<float>(out[0]), (std::vector<float>{4, 9}));
      EXPECT_EQ(values<int32_t>(out[1]), (std::vector<int32_t>{2, 1}));
      EXPECT_EQ(values<float>(out[2]), (std::vector<float>{1, 0, 0, 1}));
    } else {
      EXPECT_EQ(values<float>(out[0]), (std::vector<float>{4, 3, 1, 9, 6, 5}));
      EXPECT_EQ(values<int32_t>(out[1]), (std::vector<int32_t>{2, 0, 1, 1, 3, 0}));
      EXPECT_EQ(values<float>(out[2]), (std::vector<float>{1, 0, 0, 0, 0, 1}));
    }
  }
}

}  // namespace
}  // namespace aamp
