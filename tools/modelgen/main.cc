// aamp-modelgen: writes deterministic benchmark models as TF GraphDefs (.pb or .pbtxt).
//   aamp-modelgen mlp --hidden 4096 -o mlp.pb
//   aamp-modelgen bert --layers 12 --seq 128 -o bert.pb
//   aamp-modelgen resnet50 -o resnet50.pb
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "modelgen/modelgen.h"

int main(int argc, char** argv) {
  using namespace aamp::modelgen;
  CLI::App app{"aamp-modelgen: deterministic TF GraphDef models (MLP, BERT, ResNet-50)"};
  app.require_subcommand(1);
  std::string out;
  uint64_t seed = 0;
  bool quiet = false;
  auto common = [&](CLI::App* sub) {
    sub->add_option("-o,--output", out, "Output file (.pb binary or .pbtxt text)")->required();
    sub->add_option("--seed", seed, "Seed for the weights (default 0)");
    sub->add_flag("-q,--quiet", quiet, "Print nothing on success");
  };

  MlpOptions mlp;
  CLI::App* mlp_cmd = app.add_subcommand("mlp", "784-N-N-10 MLP (Dense+ReLU x2, Dense+Softmax)");
  mlp_cmd->add_option("--hidden", mlp.hidden, "Hidden width N (default 4096)");
  mlp_cmd->add_option("--inputs", mlp.inputs, "Input features (default 784)");
  mlp_cmd->add_option("--classes", mlp.classes, "Output classes (default 10)");
  mlp_cmd->add_option("--weights-dir", mlp.weights_dir,
                      "Folder with dense{,_1,_2}_{kernel,bias}.npy (float32) instead of random "
                      "weights");
  common(mlp_cmd);

  BertOptions bert;
  CLI::App* bert_cmd = app.add_subcommand("bert", "BERT encoder (BERT-base by default)");
  bert_cmd->add_option("--layers", bert.layers, "Encoder layers (default 12)");
  bert_cmd->add_option("--seq", bert.seq, "Sequence length (default 128)");
  bert_cmd->add_option("--hidden", bert.hidden, "Hidden size (default 768)");
  bert_cmd->add_option("--heads", bert.heads, "Attention heads (default 12)");
  bert_cmd->add_option("--intermediate", bert.intermediate, "FFN size (default 3072)");
  bert_cmd->add_option("--vocab", bert.vocab, "Vocabulary size (default 30522)");
  bert_cmd->add_option("--max-position", bert.max_position, "Position table rows (default 512)");
  common(bert_cmd);

  ResNetOptions resnet;
  CLI::App* resnet_cmd = app.add_subcommand("resnet50", "ResNet-50 v1.5, NHWC");
  resnet_cmd->add_option("--image-size", resnet.image_size, "Input height/width (default 224)");
  resnet_cmd->add_option("--classes", resnet.classes, "Classes (default 1000)");
  resnet_cmd->add_option("--base-width", resnet.base_width,
                         "Width of the first stage (default 64; smaller for tests)");
  common(resnet_cmd);

  CLI11_PARSE(app, argc, argv);
  try {
    aamp::Graph g;
    if (mlp_cmd->parsed()) {
      mlp.seed = seed;
      g = make_mlp(mlp);
    } else if (bert_cmd->parsed()) {
      bert.seed = seed;
      g = make_bert(bert);
    } else {
      resnet.seed = seed;
      g = make_resnet50(resnet);
    }
    aamp::save_graph(g, out);
    if (!quiet) std::printf("wrote %s (%zu nodes)\n", out.c_str(), g.size());
  } catch (const aamp::Error& e) {
    std::fprintf(stderr, "aamp-modelgen: error: %s\n", e.what());
    return e.is_user_error() ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aamp-modelgen: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
