// oneDNN Conv2D / DepthwiseConv2dNative / Conv2DBackpropInput kernels (plain and fused) against
// the reference kernels.
#include <gtest/gtest.h>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "backends/cpu/kernel_test_util.h"

namespace aamp {
namespace {

using testing::KernelCase;

struct ConvSpec {
  const char* op;
  int64_t n, h, w, c;  // input (forward) / input_sizes (backprop), logical NHWC
  int64_t kh, kw, oc;  // oc = out channels (Conv2D, backprop) or multiplier (depthwise)
  int64_t stride, dil;
  const char* padding;
  std::vector<int64_t> explicit_pads;  // top, bottom, left, right (EXPLICIT)
  bool nchw;
  std::vector<std::string> fused;
  DType dtype;
  bool const_filter = true;
};

std::vector<int64_t> layout(bool nchw, int64_t n, int64_t h, int64_t w, int64_t c) {
  return nchw ? std::vector<int64_t>{n, c, h, w} : std::vector<int64_t>{n, h, w, c};
}

KernelCase conv_case(const ConvSpec& s) {
  AttrMap attrs;
  attrs["strides"] = int_list(s.nchw ? std::vector<int64_t>{1, 1, s.stride, s.stride}
                                     : std::vector<int64_t>{1, s.stride, s.stride, 1});
  attrs["dilations"] = int_list(s.nchw ? std::vector<int64_t>{1, 1, s.dil, s.dil}
                                       : std::vector<int64_t>{1, s.dil, s.dil, 1});
  attrs["padding"] = std::string(s.padding);
  attrs["data_format"] = std::string(s.nchw ? "NCHW" : "NHWC");
  if (!s.explicit_pads.empty()) {
    const auto& p = s.explicit_pads;
    attrs["explicit_paddings"] =
        int_list(s.nchw ? std::vector<int64_t>{0, 0, 0, 0, p[0], p[1], p[2], p[3]}
                        : std::vector<int64_t>{0, 0, p[0], p[1], p[2], p[3], 0, 0});
  }
  KernelCase c{testing::make_node(s.op, s.dtype, attrs), {}, {}, {}, 2};
  const std::string op = s.op;
  const bool bwd = op == "Conv2DBackpropInput";
  const bool dw = op.find("Depthwise") != std::string::npos;
  const std::vector<int64_t> in = layout(s.nchw, s.n, s.h, s.w, s.c);
  const std::vector<int64_t> filter = {s.kh, s.kw, s.c, s.oc};
  const linalg::Conv2DGeom g = linalg::conv_geom(c.node,
                                                 bwd  ? linalg::ConvKind::kBackpropInput
                                                 : dw ? linalg::ConvKind::kDepthwise
                                                      : linalg::ConvKind::kConv2D,
                                                 in, filter);
  const std::vector<int64_t> out = linalg::geom_output_shape(g);
  if (bwd) {
    c.inputs.push_back(
        Tensor::from_vector<int32_t>(Shape{4}, std::vector<int32_t>(in.begin(), in.end())));
    c.inputs.push_back(testing::random_tensor(s.dtype, filter, 11));
    c.inputs.push_back(testing::random_tensor(s.dtype, out, 12));
    c.is_const = {true, s.const_filter, false};
    c.outputs.push_back({s.dtype, in});
    return c;
  }
  c.inputs.push_back(testing::random_tensor(s.dtype, in, 13));
  c.inputs.push_back(testing::random_tensor(s.dtype, filter, 14));
  c.is_const = {false, s.const_filter};
  c.outputs.push_back({s.dtype, out});
  if (!s.fused.empty()) testing::add_fused_ops(c, s.fused, out, g.out_c, true, 15);
  return c;
}

class OnednnConvTest : public ::testing::TestWithParam<ConvSpec> {};

TEST_P(OnednnConvTest, MatchesReference) {
  testing::expect_matches_reference(conv_case(GetParam()));
}

std::vector<ConvSpec> conv_specs() {
  std::vector<ConvSpec> v;
  for (DType t : {DType::kFloat, DType::kBFloat16}) {
    for (bool nchw : {false, true}) {
      for (const char* pad : {"SAME", "VALID"})
        for (int64_t stride : {1, 2})
          for (int64_t dil : {1, 2}) {
            if (stride > 1 && dil > 1) continue;  // TF rejects strides > 1 with dilations > 1
            v.push_back({"Conv2D", 2, 11, 9, 5, 3, 3, 7, stride, dil, pad, {}, nchw, {}, t});
            v.push_back(
                {"DepthwiseConv2dNative", 2, 11, 9, 6, 3, 3, 1, stride, dil, pad, {}, nchw, {}, t});
            v.push_back(
                {"Conv2DBackpropInput", 2, 10, 9, 4, 3, 3, 6, stride, dil, pad, {}, nchw, {}, t});
          }
      v.push_back({"Conv2D", 1, 8, 8, 3, 3, 3, 4, 2, 1, "EXPLICIT", {1, 2, 0, 1}, nchw, {}, t});
      v.push_back({"DepthwiseConv2dNative",
                   1,
                   8,
                   8,
                   3,
                   5,
                   5,
                   2,
                   1,
                   1,
                   "EXPLICIT",
                   {2, 2, 2, 2},
                   nchw,
                   {},
                   t});
      v.push_back({"DepthwiseConv2dNative", 1, 9, 7, 4, 3, 3, 3, 2, 1, "SAME", {}, nchw, {}, t});
      v.push_back({"Conv2D", 1, 6, 6, 8, 1, 1, 16, 1, 1, "VALID", {}, nchw, {}, t, false});
      v.push_back({"Conv2DBackpropInput", 1, 16, 16, 8, 4, 4, 3, 2, 1, "SAME", {}, nchw, {}, t});
    }
    // Fused forms (NHWC, as in the TF.js models), the combinations seen there and those the
    // remapper produces.
    for (auto f : std::vector<std::vector<std::string>>{{"BiasAdd"},
                                                        {"BiasAdd", "Relu"},
                                                        {"BiasAdd", "Relu6"},
                                                        {"BiasAdd", "Prelu"},
                                                        {"BiasAdd", "Elu"},
                                                        {"BiasAdd", "LeakyRelu"},
                                                        {"BiasAdd", "Sigmoid"},
                                                        {"BiasAdd", "Tanh"},
                                                        {"BiasAdd", "Add"},
                                                        {"BiasAdd", "Add", "Relu"},
                                                        {"BiasAdd", "Add", "Prelu"},
                                                        {"BiasAdd", "HardSwish"},
                                                        {"FusedBatchNorm"},
                                                        {"FusedBatchNorm", "Relu"}}) {
      v.push_back({"_FusedConv2D", 2, 12, 12, 8, 3, 3, 16, 1, 1, "SAME", {}, false, f, t});
      v.push_back({"_FusedConv2D", 1, 13, 13, 3, 3, 3, 8, 2, 1, "VALID", {}, false, f, t});
      v.push_back(
          {"FusedDepthwiseConv2dNative", 2, 12, 12, 8, 3, 3, 1, 1, 1, "SAME", {}, false, f, t});
      v.push_back(
          {"FusedDepthwiseConv2dNative", 1, 13, 13, 8, 3, 3, 1, 2, 1, "SAME", {}, false, f, t});
    }
    v.push_back(
        {"_FusedConv2D", 1, 10, 10, 4, 3, 3, 6, 1, 1, "SAME", {}, true, {"BiasAdd", "Relu"}, t});
    // NCHW with the PReLU after the primitive (onednn_tail.h): one channel per H*W plane.
    v.push_back(
        {"_FusedConv2D", 2, 10, 10, 4, 3, 3, 6, 1, 1, "SAME", {}, true, {"BiasAdd", "Prelu"}, t});
    v.push_back({"_FusedConv2D",
                 1,
                 10,
                 10,
                 4,
                 3,
                 3,
                 6,
                 1,
                 1,
                 "SAME",
                 {},
                 true,
                 {"BiasAdd", "Add", "Relu6"},
                 t});
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, OnednnConvTest, ::testing::ValuesIn(conv_specs()));

// Non-constant fused args (bias, Prelu alpha, batch-norm statistics fed at run time).
TEST(OnednnConvFused, NonConstantArgs) {
  for (auto f :
       std::vector<std::vector<std::string>>{{"BiasAdd", "Prelu"}, {"FusedBatchNorm", "Relu"}}) {
    ConvSpec s{"_FusedConv2D", 1, 9, 9, 4, 3, 3, 8, 1, 1, "SAME", {}, false, {}, DType::kFloat};
    KernelCase c = conv_case(s);
    testing::add_fused_ops(c, f, c.outputs[0].shape, 8, false, 40);
    testing::expect_matches_reference(c);
  }
}

}  // namespace
}  // namespace aamp
