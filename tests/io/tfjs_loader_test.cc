#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "test_util.h"

namespace aamp {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using aamp::testing::expect_error;

template <typename T>
std::string bytes_of(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// A small model: x -> Mul(x, w) -> Add(., b) where w (float32) is in the topology as a Const
// without value and b is only in the manifest (quantized).
json small_model() {
  return json::parse(R"({
    "format": "graph-model",
    "generatedBy": "test",
    "convertedBy": "hand",
    "modelTopology": {
      "node": [
        {"name": "x", "op": "Placeholder",
         "attr": {"dtype": {"type": "DT_FLOAT"},
                  "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "2"}]}}}},
        {"name": "w", "op": "Const",
         "attr": {"dtype": {"type": "DT_FLOAT"},
                  "value": {"tensor": {"dtype": "DT_FLOAT",
                                       "tensorShape": {"dim": [{"size": "2"}]}}}}},
        {"name": "m", "op": "Mul", "input": ["x", "w"], "device": "/device:CPU:0",
         "attr": {"T": {"type": "DT_FLOAT"}, "s": {"s": "U0FNRQ=="}, "i": {"i": "3"},
                  "f": {"f": 0.5}, "b": {"b": true},
                  "l": {"list": {"i": ["1", "2"], "s": ["TkhXQw=="]}}, "e": {"list": {}}}},
        {"name": "y", "op": "AddV2", "input": ["m", "b:0"], "attr": {"T": {"type": "DT_FLOAT"}}}
      ],
      "library": {},
      "versions": {"producer": 27}
    },
    "weightsManifest": [
      {"paths": ["group1-shard1of2.bin", "group1-shard2of2.bin"],
       "weights": [
         {"name": "w", "shape": [2], "dtype": "float32"},
         {"name": "b", "shape": [2], "dtype": "float32",
          "quantization": {"dtype": "uint8", "min": -1.0, "scale": 0.5,
                           "original_dtype": "float32"}},
         {"name": "h", "shape": [1], "dtype": "float32",
          "quantization": {"dtype": "float16", "original_dtype": "float32"}},
         {"name": "q16", "shape": [2], "dtype": "float32",
          "quantization": {"dtype": "uint16", "min": 1.0, "scale": 0.25}},
         {"name": "qi", "shape": [2], "dtype": "int32",
          "quantization": {"dtype": "uint8", "min": -2.0, "scale": 1.5, "original_dtype": "int32"}},
         {"name": "i", "shape": [], "dtype": "int32"},
         {"name": "flag", "shape": [2], "dtype": "bool"},
         {"name": "str", "shape": [2], "dtype": "string"}
       ]}
    ]
  })");
}

// Shard bytes for small_model(), split over two shards at an odd position.
std::pair<std::string, std::string> small_shards() {
  std::string all = bytes_of(std::vector<float>{1.5f, -2.0f});        // w
  all += std::string("\x00\x05", 2);                                  // b: -1, 1.5
  all += bytes_of(std::vector<uint16_t>{float_to_half_bits(0.75f)});  // h
  all += bytes_of(std::vector<uint16_t>{0, 400});                     // q16: 1, 101
  all += std::string("\x01\x03", 2);                                  // qi: round(-0.5), 2.5
  all += bytes_of(std::vector<int32_t>{-7});                          // i
  all += std::string("\x01\x00", 2);                                  // flag
  all += std::string("\x02\x00\x00\x00hi\x00\x00\x00\x00", 10);       // str: "hi", ""
  return {all.substr(0, 5), all.substr(5)};
}

std::map<std::string, std::string> shard_map() {
  auto [a, b] = small_shards();
  return {{"group1-shard1of2.bin", a}, {"group1-shard2of2.bin", b}};
}

TEST(Tfjs, LoadsTopologyAndWeights) {
  Graph g = parse_tfjs(small_model().dump(), shard_map(), "model.json");
  EXPECT_EQ(g.size(), 11u);
  EXPECT_TRUE(g.versions.present);
  EXPECT_EQ(g.versions.producer, 27);
  const Node& m = g.at("m");
  EXPECT_EQ(m.inputs, (std::vector<std::string>{"x", "w"}));
  EXPECT_EQ(m.device, "/device:CPU:0");
  EXPECT_EQ(m.attr_string("s"), "SAME");
  EXPECT_EQ(m.attr_int("i"), 3);
  EXPECT_EQ(m.attr_float("f"), 0.5f);
  EXPECT_TRUE(m.attr_bool("b"));
  EXPECT_EQ(m.attr_list("l").i, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(m.attr_list("l").s, (std::vector<std::string>{"NHWC"}));
  EXPECT_EQ(m.attr_list("e"), AttrList{});
  EXPECT_EQ(g.at("x").attr_shape("shape"), (Shape{-1, 2}));

  auto floats = [&](const char* n) {
    const Tensor& t = g.at(n).attr_tensor("value");
    EXPECT_EQ(t.dtype(), DType::kFloat) << n;
    EXPECT_EQ(g.at(n).attr_type("dtype"), DType::kFloat) << n;
    return std::vector<float>(t.values<float>().begin(), t.values<float>().end());
  };
  EXPECT_EQ(g.nodes()[1]->name, "w");  // replaced in place, not appended
  EXPECT_EQ(floats("w"), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(floats("b"), (std::vector<float>{-1.0f, 1.5f}));
  EXPECT_EQ(floats("h"), (std::vector<float>{0.75f}));
  EXPECT_EQ(floats("q16"), (std::vector<float>{1.0f, 101.0f}));
  EXPECT_EQ(g.at("b").op, "Const");
  const Tensor& qi = g.at("qi").attr_tensor("value");
  ASSERT_EQ(qi.dtype(), DType::kInt32);
  EXPECT_EQ(qi.values<int32_t>()[0], 0);  // Math.round(-0.5) == 0 in TF.js
  EXPECT_EQ(qi.values<int32_t>()[1], 3);
  const Tensor& i = g.at("i").attr_tensor("value");
  EXPECT_EQ(i.shape(), Shape{});
  EXPECT_EQ(i.values<int32_t>()[0], -7);
  const Tensor& flag = g.at("flag").attr_tensor("value");
  EXPECT_EQ(flag.dtype(), DType::kBool);
  EXPECT_EQ(flag.raw()[0], 1);
  EXPECT_EQ(flag.raw()[1], 0);
  EXPECT_EQ(g.at("str").attr_tensor("value").strings(), (std::vector<std::string>{"hi", ""}));
}

TEST(Tfjs, LoadsFromDiskAndRoundTrips) {
  fs::path dir = fs::temp_directory_path() / ("aamp_tfjs_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto [a, b] = small_shards();
  write_file_atomic((dir / "model.json").string(), small_model().dump(2));
  write_file_atomic((dir / "group1-shard1of2.bin").string(), a);
  write_file_atomic((dir / "group1-shard2of2.bin").string(), b);
  Graph g = load_graph((dir / "model.json").string());
  EXPECT_EQ(g.size(), 11u);
  save_graph(g, (dir / "g.pb").string());
  save_graph(load_graph((dir / "g.pb").string()), (dir / "g.pbtxt").string());
  save_graph(load_graph((dir / "g.pbtxt").string()), (dir / "g2.pb").string());
  EXPECT_EQ(read_file((dir / "g.pb").string()), read_file((dir / "g2.pb").string()));

  fs::remove(dir / "group1-shard2of2.bin");
  expect_error([&] { load_tfjs((dir / "model.json").string()); }, ErrorCode::kNotFound,
               {"model.json", "group1-shard2of2.bin"});
  fs::remove_all(dir);
}

TEST(Tfjs, ByteTotalsMustAddUp) {
  auto shards = shard_map();
  shards["group1-shard2of2.bin"].pop_back();
  expect_error([&] { parse_tfjs(small_model().dump(), shards, "short.json"); }, ErrorCode::kParse,
               {"short.json", "'str'", "group1-shard2of2.bin"});
  shards = shard_map();
  shards["group1-shard2of2.bin"] += "xyz";
  expect_error([&] { parse_tfjs(small_model().dump(), shards, "long.json"); }, ErrorCode::kParse,
               {"long.json", "3 extra bytes", "group1-shard1of2.bin"});
  shards = shard_map();
  shards.erase("group1-shard1of2.bin");
  expect_error([&] { parse_tfjs(small_model().dump(), shards, "missing.json"); },
               ErrorCode::kNotFound, {"missing.json", "group1-shard1of2.bin"});
  json m = small_model();
  m["weightsManifest"][0]["weights"].erase(7);  // "str": its 10 bytes are left over
  expect_error([&] { parse_tfjs(m.dump(), shard_map(), "shape.json"); }, ErrorCode::kParse,
               {"shape.json", "10 extra bytes"});
  m["weightsManifest"][0]["weights"][0]["shape"] = json::array({1 << 30, 1 << 30});
  expect_error([&] { parse_tfjs(m.dump(), shard_map(), "big.json"); }, ErrorCode::kParse,
               {"big.json", "'w'"});
}

// TF.js stores float64/float16 weights as float32 and int64/uint8 ones as int32; the graph
// keeps the declared dtype, and the Const must carry it (faceboxes, nanodet).
json declared_model(const std::vector<std::pair<std::string, std::string>>& consts,
                    const json& weights) {
  json m = {{"format", "graph-model"},
            {"modelTopology", {{"node", json::array()}}},
            {"weightsManifest", json::array({{{"paths", {"w.bin"}}, {"weights", weights}}})}};
  for (const auto& [name, dt] : consts)
    m["modelTopology"]["node"].push_back(
        {{"name", name},
         {"op", "Const"},
         {"attr", {{"dtype", {{"type", dt}}}, {"value", {{"tensor", {{"dtype", dt}}}}}}}});
  return m;
}

TEST(Tfjs, WeightsTakeTheDtypeTheGraphDeclares) {
  const json weights = json::parse(R"([
    {"name": "d", "shape": [2], "dtype": "float32"},
    {"name": "dq", "shape": [], "dtype": "float32",
     "quantization": {"dtype": "float16", "original_dtype": "float32"}},
    {"name": "half", "shape": [1], "dtype": "float32"},
    {"name": "l", "shape": [3], "dtype": "int32"},
    {"name": "empty", "shape": [0, 1], "dtype": "int32"},
    {"name": "u8", "shape": [2], "dtype": "int32"},
    {"name": "f", "shape": [1], "dtype": "float32"}
  ])");
  std::string bin = bytes_of(std::vector<float>{0.1f, -3.0f});
  bin += bytes_of(std::vector<uint16_t>{float_to_half_bits(0.75f)});
  bin += bytes_of(std::vector<float>{0.5f});
  bin += bytes_of(std::vector<int32_t>{-1, 2147483647, 0});
  bin += bytes_of(std::vector<int32_t>{0, 255});
  bin += bytes_of(std::vector<float>{2.5f});
  const json m = declared_model({{"d", "DT_DOUBLE"},
                                 {"dq", "DT_DOUBLE"},
                                 {"half", "DT_HALF"},
                                 {"l", "DT_INT64"},
                                 {"empty", "DT_INT64"},
                                 {"u8", "DT_UINT8"},
                                 {"f", "DT_FLOAT"}},
                                weights);
  Graph g = parse_tfjs(m.dump(), {{"w.bin", bin}}, "declared.json");
  auto value = [&](const char* n, DType want) -> const Tensor& {
    const Tensor& t = g.at(n).attr_tensor("value");
    EXPECT_EQ(t.dtype(), want) << n;
    EXPECT_EQ(g.at(n).attr_type("dtype"), want) << n;
    // Reading values of the wrong type would overrun the buffer: stop the test here.
    if (t.dtype() != want) throw std::runtime_error(std::string(n) + " has the wrong dtype");
    return t;
  };
  const Tensor& d = value("d", DType::kDouble);
  EXPECT_EQ(std::vector<double>(d.values<double>().begin(), d.values<double>().end()),
            (std::vector<double>{static_cast<double>(0.1f), -3.0}));
  EXPECT_EQ(value("dq", DType::kDouble).values<double>()[0], 0.75);
  EXPECT_EQ(value("half", DType::kHalf).element_as_double(0), 0.5);
  const Tensor& l = value("l", DType::kInt64);
  EXPECT_EQ(std::vector<int64_t>(l.values<int64_t>().begin(), l.values<int64_t>().end()),
            (std::vector<int64_t>{-1, 2147483647, 0}));
  const Tensor& empty = value("empty", DType::kInt64);
  EXPECT_EQ(empty.shape(), (Shape{0, 1}));
  EXPECT_EQ(empty.num_elements(), 0);
  const Tensor& u8 = value("u8", DType::kUInt8);
  EXPECT_EQ(u8.raw()[0], 0);
  EXPECT_EQ(u8.raw()[1], 255);
  EXPECT_EQ(value("f", DType::kFloat).values<float>()[0], 2.5f);

  // A value outside the declared type, and a float weight declared as an integer, are errors
  // naming the file and the weight.
  std::string over = bin;
  const int32_t big = 256;
  std::memcpy(&over[over.size() - 8], &big, 4);  // u8[1] = 256
  expect_error(
      [&] {
        parse_tfjs(m.dump(), {{"w.bin", over}}, "over.json");
      },
      ErrorCode::kInvalidGraph,
      {"over.json", "weight 'u8' is stored as int32 but its node declares uint8",
       "value 256 at index 1 does not fit"});
  json bad = m;
  bad["modelTopology"]["node"][6]["attr"]["dtype"]["type"] = "DT_INT32";
  expect_error(
      [&] {
        parse_tfjs(bad.dump(), {{"w.bin", bin}}, "kind.json");
      },
      ErrorCode::kInvalidGraph,
      {"kind.json", "weight 'f' is stored as float32 but its node declares int32"});
}

TEST(Tfjs, BadJsonAndManifestErrors) {
  expect_error([] { parse_tfjs("{\"modelTopology\": ", {}, "trunc.json"); }, ErrorCode::kParse,
               {"trunc.json", "invalid JSON"});
  expect_error([] { parse_tfjs("[1,2]", {}, "arr.json"); }, ErrorCode::kParse, {"arr.json"});
  expect_error([] { parse_tfjs("{}", {}, "none.json"); }, ErrorCode::kParse,
               {"none.json", "modelTopology"});
  expect_error(
      [] { parse_tfjs(std::string(100000, '[') + std::string(100000, ']'), {}, "d.json"); },
      ErrorCode::kParse, {"d.json"});
  expect_error([] { parse_tfjs(R"({"modelTopology": {"node": [{"name": 3}]}})", {}, "topo.json"); },
               ErrorCode::kParse, {"topo.json", "modelTopology"});
  expect_error(
      [] { parse_tfjs(R"({"format": "layers-model", "modelTopology": {}})", {}, "layers.json"); },
      ErrorCode::kUnimplemented, {"layers.json", "layers-model"});
  json m = small_model();
  m["weightsManifest"][0]["weights"][1]["dtype"] = "float8";
  expect_error([&] { parse_tfjs(m.dump(), shard_map(), "dt.json"); }, ErrorCode::kUnimplemented,
               {"dt.json", "'b'", "float8"});
  m = small_model();
  m["weightsManifest"][0]["weights"][0]["name"] = "m";
  expect_error([&] { parse_tfjs(m.dump(), shard_map(), "clash.json"); }, ErrorCode::kInvalidGraph,
               {"clash.json", "'m'", "Mul"});
  m = small_model();
  m["modelTopology"]["node"][2]["input"][1] = "nowhere";
  expect_error([&] { parse_tfjs(m.dump(), shard_map(), "dangling.json"); },
               ErrorCode::kInvalidGraph, {"dangling.json", "nowhere"});
  m = small_model();
  m["weightsManifest"][0]["weights"][1]["quantization"]["dtype"] = "int4";
  expect_error([&] { parse_tfjs(m.dump(), shard_map(), "q.json"); }, ErrorCode::kUnimplemented,
               {"q.json", "int4"});
}

}  // namespace
}  // namespace aamp
