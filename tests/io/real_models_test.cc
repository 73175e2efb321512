// Every TF.js model of the human-models package loads, passes the structural checks, and
// round-trips TF.js -> .pb -> .pbtxt -> .pb with byte-identical .pb files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "aamp/io/graph_io.h"
#include "test_util.h"

namespace aamp {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> model_files() {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(AAMP_MODELS_DIR, ec)) return out;
  for (const auto& e : fs::directory_iterator(AAMP_MODELS_DIR, ec))
    if (e.path().extension() == ".json") out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class RealModel : public ::testing::TestWithParam<std::string> {};

TEST_P(RealModel, LoadsAndRoundTrips) {
  const std::string path = std::string(AAMP_MODELS_DIR) + "/" + GetParam();
  Graph g = load_graph(path);
  ASSERT_GT(g.size(), 0u);
  g.check_structure();
  size_t consts = 0;
  for (const auto& n : g.nodes()) {
    if (n->op != "Const") continue;
    ++consts;
    const AttrValue* v = n->find_attr("value");
    ASSERT_NE(v, nullptr) << n->name;
    ASSERT_TRUE(v->is<Tensor>()) << n->name;
    EXPECT_FALSE(v->get<Tensor>().empty()) << n->name;
  }
  EXPECT_GT(consts, 0u);

  fs::path dir = fs::temp_directory_path() / ("aamp_real_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string stem = fs::path(GetParam()).stem().string();
  const std::string pb1 = (dir / (stem + ".pb")).string();
  const std::string txt = (dir / (stem + ".pbtxt")).string();
  const std::string pb2 = (dir / (stem + "_2.pb")).string();
  save_graph(g, pb1);
  Graph a = load_graph(pb1);
  EXPECT_EQ(a.size(), g.size());
  save_graph(a, txt);
  Graph b = load_graph(txt);
  save_graph(b, pb2);
  const std::string bytes1 = read_file(pb1);
  const std::string bytes2 = read_file(pb2);
  EXPECT_EQ(bytes1.size(), bytes2.size());
  EXPECT_TRUE(bytes1 == bytes2) << "binary differs after .pbtxt round trip";
  // The IR is unchanged by the round trip too.
  ASSERT_EQ(b.size(), g.size());
  for (size_t i = 0; i < g.size(); ++i) {
    const Node& x = *g.nodes()[i];
    const Node& y = *b.nodes()[i];
    ASSERT_EQ(x.name, y.name);
    EXPECT_EQ(x.op, y.op) << x.name;
    EXPECT_EQ(x.inputs, y.inputs) << x.name;
    EXPECT_TRUE(x.attrs == y.attrs) << x.name;
  }
  fs::remove(pb1);
  fs::remove(txt);
  fs::remove(pb2);
  fs::remove(dir);
}

TEST(RealModels, AllFortyOnePresent) {
  auto files = model_files();
  AAMP_REQUIRE_MODELS(!files.empty(), "no models in " << AAMP_MODELS_DIR);
  EXPECT_EQ(files.size(), 41u);
}

INSTANTIATE_TEST_SUITE_P(HumanModels, RealModel, ::testing::ValuesIn(model_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = fs::path(info.param).stem().string();
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RealModel);

}  // namespace
}  // namespace aamp
