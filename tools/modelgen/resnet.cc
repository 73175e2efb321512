// ResNet-50 v1.5 (stride on the bottleneck's 3x3 conv), NHWC, inference form, with Keras
// applications' node names (conv1_pad, conv1_conv/Conv2D, conv1_bn/FusedBatchNormV3, ...).
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "modelgen/builder.h"
#include "modelgen/modelgen.h"

namespace aamp::modelgen {
namespace {

class ResNetBuilder {
 public:
  ResNetBuilder(const ResNetOptions& o, Graph* g) : o_(o), b_(g), init_(o.seed) {}

  void build() {
    const int64_t w = o_.base_width;
    std::string x =
        b_.placeholder("input_1", DType::kFloat, Shape{-1, o_.image_size, o_.image_size, 3});
    // Stem as tf.keras.applications.ResNet50 emits it: ZeroPadding2D(3) + Conv 7x7/2 VALID
    // (with bias), BN, ReLU, ZeroPadding2D(1) + MaxPool 3x3/2 VALID.
    std::string pads =
        b_.const_i32("conv1_pad/Pad/paddings", Shape{4, 2}, {0, 0, 3, 3, 3, 3, 0, 0});
    x = b_.op("conv1_pad/Pad", "Pad", {x, pads},
              {{"T", type_attr(DType::kFloat)}, {"Tpaddings", type_attr(DType::kInt32)}});
    x = conv_bn("conv1", x, 7, 3, w, 2, "VALID");
    x = b_.unary("Relu", "conv1_relu/Relu", x);
    std::string pool_pads =
        b_.const_i32("pool1_pad/Pad/paddings", Shape{4, 2}, {0, 0, 1, 1, 1, 1, 0, 0});
    x = b_.op("pool1_pad/Pad", "Pad", {x, pool_pads},
              {{"T", type_attr(DType::kFloat)}, {"Tpaddings", type_attr(DType::kInt32)}});
    x = b_.op("pool1_pool/MaxPool", "MaxPool", {x},
              {{"T", type_attr(DType::kFloat)},
               {"ksize", int_list({1, 3, 3, 1})},
               {"strides", int_list({1, 2, 2, 1})},
               {"padding", AttrValue("VALID")},
               {"explicit_paddings", int_list({})},
               {"data_format", AttrValue("NHWC")}});

    const int blocks[] = {3, 4, 6, 3};
    int64_t in_ch = w;
    for (int stage = 0; stage < 4; ++stage) {
      const int64_t filters = w << stage;
      for (int blk = 0; blk < blocks[stage]; ++blk) {
        const int stride = (blk == 0 && stage > 0) ? 2 : 1;
        const std::string p =
            "conv" + std::to_string(stage + 2) + "_block" + std::to_string(blk + 1);
        x = bottleneck(p, x, in_ch, filters, stride, blk == 0);
        in_ch = filters * 4;
      }
    }

    x = b_.mean("avg_pool/Mean", x, {1, 2}, false);
    std::string kernel = b_.const_f32(
        "predictions/kernel", Shape{in_ch, o_.classes},
        init_.glorot_uniform("predictions/kernel", in_ch * o_.classes, in_ch, o_.classes));
    std::string bias = b_.const_f32("predictions/bias", Shape{o_.classes},
                                    init_.uniform("predictions/bias", o_.classes, -0.01f, 0.01f));
    x = b_.matmul("predictions/MatMul", x, kernel);
    x = b_.bias_add("predictions/BiasAdd", x, bias);
    x = b_.unary("Softmax", "predictions/Softmax", x);
    b_.identity("Identity", x);
  }

 private:
  // Conv2D "<p>_conv/Conv2D" + BiasAdd "<p>_conv/BiasAdd" (Keras' Conv2D has use_bias=True) +
  // FusedBatchNormV3 "<p>_bn/FusedBatchNormV3".
  std::string conv_bn(const std::string& p, const std::string& x, int64_t k, int64_t cin,
                      int64_t cout, int stride, const char* padding) {
    const std::string c = p + "_conv/";
    std::string kernel = b_.const_f32(
        c + "kernel", Shape{k, k, cin, cout},
        init_.glorot_uniform(c + "kernel", k * k * cin * cout, k * k * cin, k * k * cout));
    std::string y = b_.op(c + "Conv2D", "Conv2D", {x, kernel},
                          {{"T", type_attr(DType::kFloat)},
                           {"strides", int_list({1, stride, stride, 1})},
                           {"padding", AttrValue(padding)},
                           {"explicit_paddings", int_list({})},
                           {"data_format", AttrValue("NHWC")},
                           {"dilations", int_list({1, 1, 1, 1})},
                           {"use_cudnn_on_gpu", AttrValue(true)}});
    std::string bias =
        b_.const_f32(c + "bias", Shape{cout}, init_.uniform(c + "bias", cout, -0.01f, 0.01f));
    y = b_.bias_add(c + "BiasAdd", y, bias);
    const std::string n = p + "_bn/";
    std::string gamma =
        b_.const_f32(n + "gamma", Shape{cout}, init_.uniform(n + "gamma", cout, 0.8f, 1.2f));
    std::string beta =
        b_.const_f32(n + "beta", Shape{cout}, init_.uniform(n + "beta", cout, -0.1f, 0.1f));
    std::string mean = b_.const_f32(n + "moving_mean", Shape{cout},
                                    init_.uniform(n + "moving_mean", cout, -0.1f, 0.1f));
    std::string var = b_.const_f32(n + "moving_variance", Shape{cout},
                                   init_.uniform(n + "moving_variance", cout, 0.8f, 1.2f));
    return b_.op(n + "FusedBatchNormV3", "FusedBatchNormV3", {y, gamma, beta, mean, var},
                 {{"T", type_attr(DType::kFloat)},
                  {"U", type_attr(DType::kFloat)},
                  {"epsilon", AttrValue(1.001e-5f)},
                  {"exponential_avg_factor", AttrValue(1.0f)},
                  {"data_format", AttrValue("NHWC")},
                  {"is_training", AttrValue(false)}});
  }

  std::string bottleneck(const std::string& p, const std::string& x, int64_t in_ch, int64_t filters,
                         int stride, bool project) {
    std::string shortcut = x;
    if (project) shortcut = conv_bn(p + "_0", x, 1, in_ch, filters * 4, stride, "SAME");
    std::string y = conv_bn(p + "_1", x, 1, in_ch, filters, 1, "SAME");
    y = b_.unary("Relu", p + "_1_relu/Relu", y);
    y = conv_bn(p + "_2", y, 3, filters, filters, stride, "SAME");
    y = b_.unary("Relu", p + "_2_relu/Relu", y);
    y = conv_bn(p + "_3", y, 1, filters, filters * 4, 1, "SAME");
    y = b_.binary("AddV2", p + "_add/add", shortcut, y);
    return b_.unary("Relu", p + "_out/Relu", y);
  }

  const ResNetOptions& o_;
  GraphBuilder b_;
  WeightInit init_;
};

}  // namespace

Graph make_resnet50(const ResNetOptions& o) {
  AAMP_CHECK(o.image_size >= 32 && o.classes > 0 && o.base_width > 0, ErrorCode::kInvalidArgument,
             "resnet50: image size must be >= 32, classes and base width positive");
  Graph g;
  g.versions.producer = 1286;
  g.versions.present = true;
  ResNetBuilder(o, &g).build();
  return g;
}

}  // namespace aamp::modelgen
