// The aamp binary, run as a user would: help texts, `aamp inspect` on real and hand-written
// models, and the exit code / one-line message for bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "tools/cli_fixture.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;

using aamp_cli_test::Result;
class Cli : public aamp_cli_test::CliFixture {};

const char* kBlazeface = AAMP_MODELS_DIR "/blazeface.json";

// A small valid graph: x[2,3] -> MatMul(w[3,4]) -> Relu.
const char* kSmallPbtxt = R"pb(
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
            dim { size: 3 }
            dim { size: 4 }
          }
          float_val: [ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 ]
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
    attr {
      key: "_output_shapes"
      value {
        list {
          shape {
            dim { size: 2 }
            dim { size: 4 }
          }
        }
      }
    }
  }
  node {
    name: "out"
    op: "Relu"
    input: "mm"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
)pb";

TEST_F(Cli, HelpListsEveryCommandWithExamples) {
  Result r = aamp({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"inspect", "run", "bench", "convert", "Examples:"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd << " missing from:\n" << r.out;
  }
  for (const char* cmd : {"inspect", "run", "bench", "convert"}) {
    Result h = aamp({cmd, "--help"});
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.out.find("Examples:\n  aamp " + std::string(cmd)), std::string::npos)
        << cmd << " --help has no examples:\n"
        << h.out;
  }
}

TEST_F(Cli, NoArgumentsPrintsHelpAndVersionWorks) {
  Result r = aamp({});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Usage: aamp"), std::string::npos) << r.out;
  Result v = aamp({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out, "0.1.0\n");
}

TEST_F(Cli, UsageErrorsExitWithTwo) {
  expect_user_error(aamp({"frob"}), {"unknown command 'frob'", "inspect"});
  expect_user_error(aamp({"inspect"}), {"model is required", "aamp inspect --help"});
  expect_user_error(aamp({"inspect", "m.pb", "--bogus"}), {"--bogus"});
}

TEST_F(Cli, InspectRealModel) {
  AAMP_REQUIRE_MODELS(fs::exists(kBlazeface), kBlazeface);
  Result r = aamp({"inspect", kBlazeface});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("format: TF.js graph model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nodes:  257"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inputs (1):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  input  Placeholder  float32  [1,256,256,3]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ops (10 distinct):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Const                    112"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  _FusedConv2D              37"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parameters: 134,732 values in 112 constants"), std::string::npos) << r.out;
}

// Every model.json of the package (41): `aamp inspect --json` exits 0 with a graph that
// validates, and its op counts add up to the node count.
TEST_F(Cli, InspectEveryRealModel) {
  const fs::path dir = AAMP_MODELS_DIR;
  AAMP_REQUIRE_MODELS(fs::exists(dir), dir);
  int models = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    const std::string text = aamp_cli_test::slurp(e.path());
    if (text.find("\"modelTopology\"") == std::string::npos) continue;  // not a model.json
    ++models;
    SCOPED_TRACE(e.path().filename().string());
    Result r = aamp({"inspect", "--json", e.path().string()});
    ASSERT_EQ(r.code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["format"], "tfjs");
    EXPECT_TRUE(j["validation"]["ok"].get<bool>()) << j["validation"].dump();
    int total = 0;
    for (const auto& op : j["ops"]) total += op["count"].get<int>();
    EXPECT_EQ(total, j["nodes"].get<int>());
    EXPECT_GE(j["inputs"].size(), 1u);
    EXPECT_GE(j["outputs"].size(), 1u);
  }
  EXPECT_EQ(models, 41);
}

TEST_F(Cli, InspectRealModelJson) {
  AAMP_REQUIRE_MODELS(fs::exists(kBlazeface), kBlazeface);
  Result r = aamp({"inspect", "--json", kBlazeface});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);  // throws (test fails) if not JSON
  EXPECT_EQ(j["format"], "tfjs");
  EXPECT_EQ(j["nodes"], 257);
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["name"], "input");
  EXPECT_EQ(j["inputs"][0]["dtype"], "float32");
  EXPECT_EQ(j["inputs"][0]["shape"], nlohmann::json::array({1, 256, 256, 3}));
  EXPECT_EQ(j["outputs"].size(), 4u);
  ASSERT_EQ(j["ops"].size(), 10u);
  EXPECT_EQ(j["ops"][0]["op"], "Const");
  EXPECT_EQ(j["ops"][0]["count"], 112);
  int total = 0;
  for (size_t i = 0; i < j["ops"].size(); ++i) {
    total += j["ops"][i]["count"].get<int>();
    if (i) {
      EXPECT_GE(j["ops"][i - 1]["count"].get<int>(), j["ops"][i]["count"].get<int>());
    }
  }
  EXPECT_EQ(total, 257);
  EXPECT_EQ(j["parameters"]["count"], 134732);
  EXPECT_EQ(j["parameters"]["by_dtype"]["float32"]["bytes"], 134704 * 4);
  EXPECT_TRUE(j["validation"].is_object());
}

TEST_F(Cli, InspectSmallTextGraph) {
  std::string path = write("small.pbtxt", kSmallPbtxt);
  Result r = aamp({"inspect", "--json", path});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["file"], path);
  EXPECT_EQ(j["format"], "pbtxt");
  EXPECT_EQ(j["nodes"], 4);
  EXPECT_EQ(j["inputs"],
            nlohmann::json::parse(
                R"([{"name":"x","op":"Placeholder","dtype":"float32","shape":[2,3]}])"));
  // Relu's dtype follows T; its shape is not recorded.
  EXPECT_EQ(j["outputs"], nlohmann::json::parse(
                              R"([{"name":"out","op":"Relu","dtype":"float32","shape":null}])"));
  EXPECT_EQ(j["parameters"]["count"], 12);
  EXPECT_EQ(j["parameters"]["bytes"], 48);
  EXPECT_EQ(j["validation"]["ok"], true) << j["validation"].dump();

  Result t = aamp({"inspect", path});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.out.find("format: text GraphDef"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("  out   Relu  float32  ?"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("parameters: 12 values in 1 constants, 48 B"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("validation: ok"), std::string::npos) << t.out;
}

TEST_F(Cli, MissingFile) {
  std::string path = (dir_ / "nope.pb").string();
  expect_user_error(aamp({"inspect", path}), {path, "does not exist"});
}

TEST_F(Cli, GarbageBinaryGraphDef) {
  std::string bytes;
  for (int i = 0; i < 512; ++i) bytes += static_cast<char>((i * 7919 + 13) & 0xff);
  std::string path = write("garbage.pb", bytes);
  expect_user_error(aamp({"inspect", path}), {"garbage.pb"});
}

TEST_F(Cli, BadJson) {
  std::string path = write("model.json", "{\"modelTopology\": ");
  expect_user_error(aamp({"inspect", path}), {"model.json"});
  std::string empty = write("empty.json", "{}");
  expect_user_error(aamp({"inspect", empty}), {"empty.json"});
}

TEST_F(Cli, UnknownExtension) {
  std::string path = write("model.onnx", "x");
  expect_user_error(aamp({"inspect", path}), {"model.onnx", ".pb"});
}

TEST_F(Cli, DanglingInput) {
  std::string path = write("dangling.pbtxt",
                           "node { name: \"x\" op: \"Placeholder\" }\n"
                           "node { name: \"y\" op: \"Relu\" input: \"ghost\" }\n");
  expect_user_error(aamp({"inspect", path}), {"dangling.pbtxt", "'y'", "'ghost'"});
}

TEST_F(Cli, Cycle) {
  std::string path = write("cycle.pbtxt",
                           "node { name: \"a\" op: \"Relu\" input: \"b\" }\n"
                           "node { name: \"b\" op: \"Relu\" input: \"a\" }\n");
  expect_user_error(aamp({"inspect", path}), {"cycle.pbtxt", "cycle"});
}

TEST_F(Cli, DuplicateName) {
  std::string path = write("dup.pbtxt",
                           "node { name: \"a\" op: \"Placeholder\" }\n"
                           "node { name: \"a\" op: \"Relu\" }\n");
  expect_user_error(aamp({"inspect", path}), {"dup.pbtxt", "duplicate", "'a'"});
}

// A graph in binary form, for cutting: kSmallPbtxt through the library's own writer.
std::string small_pb() {
  return aamp::serialize_graphdef_binary(aamp::parse_graphdef_text(kSmallPbtxt, "small.pbtxt"));
}

TEST_F(Cli, TruncatedBinaryGraphDef) {
  const std::string pb = small_pb();
  ASSERT_EQ(aamp({"inspect", write("whole.pb", pb)}).code, 0);
  // Cuts inside a node (the first byte of a node is its tag; any cut after it leaves the node
  // incomplete): the last byte, the middle, and just after the first node's length prefix.
  for (size_t cut : {pb.size() - 1, pb.size() / 2, size_t{2}}) {
    SCOPED_TRACE(cut);
    const std::string path = write("cut" + std::to_string(cut) + ".pb", pb.substr(0, cut));
    expect_user_error(aamp({"inspect", path}), {path});
  }
}

TEST_F(Cli, DuplicateNameInBinaryGraphDef) {
  aamp::Graph g;
  aamp::Node x;
  x.name = "x";
  x.op = "Placeholder";
  g.add(x);
  // GraphDef's nodes are a repeated field: two serializations back to back hold x twice.
  const std::string one = aamp::serialize_graphdef_binary(g);
  const std::string path = write("dup.pb", one + one);
  expect_user_error(aamp({"inspect", path}), {"dup.pb", "duplicate", "'x'"});
}

// A TF.js model: x[2,3] -> MatMul(w[3,4]); w's 48 bytes in w.bin.
const char* kTfjsModel = R"({
  "format": "graph-model",
  "modelTopology": {"node": [
    {"name": "x", "op": "Placeholder",
     "attr": {"dtype": {"type": "DT_FLOAT"},
              "shape": {"shape": {"dim": [{"size": "2"}, {"size": "3"}]}}}},
    {"name": "w", "op": "Const", "attr": {"dtype": {"type": "DT_FLOAT"}}},
    {"name": "y", "op": "MatMul", "input": ["x", "w"], "attr": {"T": {"type": "DT_FLOAT"}}}
  ]},
  "weightsManifest": [{"paths": ["w.bin"],
                       "weights": [{"name": "w", "shape": [3, 4], "dtype": "float32"}]}]
})";

TEST_F(Cli, TfjsShardTooShortOrMissing) {
  const std::string model = write("model.json", kTfjsModel);
  write("w.bin", std::string(48, '\0'));
  Result ok = aamp({"inspect", model});
  ASSERT_EQ(ok.code, 0) << ok.err;
  write("w.bin", std::string(47, '\0'));
  expect_user_error(aamp({"inspect", model}),
                    {model, "weight 'w' needs 48 bytes", "[w.bin] hold only 47 bytes"});
  fs::remove(path("w.bin"));
  expect_user_error(aamp({"inspect", model}), {model, "weight shard 'w.bin'", path("w.bin")});
}

TEST_F(Cli, TfjsDuplicateNodeName) {
  std::string json = kTfjsModel;
  json.replace(json.find("{\"name\": \"y\""), 12, "{\"name\": \"x\"");
  const std::string model = write("model.json", json);
  write("w.bin", std::string(48, '\0'));
  expect_user_error(aamp({"inspect", model}), {model, "duplicate", "'x'"});
}

}  // namespace
