// Deterministic model generators: TF GraphDefs shaped like frozen Keras models (MLP, BERT-base
// encoder, ResNet-50 v1.5) with seeded random weights. Used by aamp-modelgen and the tests.
//
// Tensor names (for feeds/fetches):
//   mlp:      input "input_1" float32 [-1, inputs]           -> "Identity" [-1, classes] (softmax)
//   bert:     "input_ids", "attention_mask", "token_type_ids" int32 [-1, seq]
//                                                            -> "Identity" [-1, seq, hidden]
//   resnet50: "input_1" float32 [-1, size, size, 3] (NHWC)   -> "Identity" [-1, classes] (softmax)
#pragma once

#include <cstdint>
#include <string>

#include "aamp/ir/graph.h"

namespace aamp::modelgen {

struct MlpOptions {
  int64_t inputs = 784;
  int64_t hidden = 4096;
  int64_t classes = 10;
  uint64_t seed = 0;
  // When set, the weights come from <dir>/dense_kernel.npy, dense_bias.npy, dense_1_kernel.npy,
  // dense_1_bias.npy, dense_2_kernel.npy, dense_2_bias.npy (float32, kernels [in, out]).
  std::string weights_dir;
};

struct BertOptions {
  int64_t layers = 12;
  int64_t seq = 128;
  int64_t hidden = 768;
  int64_t heads = 12;
  int64_t intermediate = 3072;
  int64_t vocab = 30522;
  int64_t max_position = 512;
  int64_t type_vocab = 2;
  uint64_t seed = 0;
};

struct ResNetOptions {
  int64_t image_size = 224;
  int64_t classes = 1000;
  int64_t base_width = 64;  // 64 = ResNet-50; smaller values shrink every stage (for tests)
  uint64_t seed = 0;
};

// Each throws aamp::Error(kInvalidArgument) on bad options (and kNotFound/kParse/kInvalidArgument
// for missing or mis-shaped weight files).
Graph make_mlp(const MlpOptions& o);
Graph make_bert(const BertOptions& o);
Graph make_resnet50(const ResNetOptions& o);

}  // namespace aamp::modelgen
