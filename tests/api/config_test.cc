// AmpConfig: environment names (ITEX_ and AAMP_), precedence API > env > default, list edits and
// their errors/warnings; optimize(): pipeline and log-path files.
#include "aamp/api/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "aamp/api/optimize.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "passes/pass_check_util.h"
#include "test_util.h"

namespace aamp {
namespace {

namespace fs = std::filesystem;
using testing::ScopedEnv;

const char* kAllNames[] = {"AUTO_MIXED_PRECISION",
                           "AUTO_MIXED_PRECISION_DATA_TYPE",
                           "AUTO_MIXED_PRECISION_ALLOWLIST_ADD",
                           "AUTO_MIXED_PRECISION_INFERLIST_ADD",
                           "AUTO_MIXED_PRECISION_CLEARLIST_ADD",
                           "AUTO_MIXED_PRECISION_DENYLIST_ADD",
                           "AUTO_MIXED_PRECISION_ALLOWLIST_REMOVE",
                           "AUTO_MIXED_PRECISION_INFERLIST_REMOVE",
                           "AUTO_MIXED_PRECISION_CLEARLIST_REMOVE",
                           "AUTO_MIXED_PRECISION_DENYLIST_REMOVE",
                           "AUTO_MIXED_PRECISION_UNSAFE_FORCE_ALL",
                           "AUTO_MIXED_PRECISION_LOG_PATH",
                           "REMAPPER",
                           "TF_COMPATIBLE"};

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* n : kAllNames) {
      unsetenv((std::string("ITEX_") + n).c_str());
      unsetenv((std::string("AAMP_") + n).c_str());
    }
  }
};

TEST_F(ConfigTest, EmptyEnvironmentSetsNothing) {
  AmpConfig c = AmpConfig::from_env();
  EXPECT_FALSE(c.enabled || c.data_type || c.allowlist_add || c.denylist_remove ||
               c.unsafe_force_all || c.log_path || c.remapper);
  EXPECT_EQ(c.target(DeviceKind::kCPU), DType::kBFloat16);
  EXPECT_EQ(c.target(DeviceKind::kGPU), DType::kHalf);
}

TEST_F(ConfigTest, ReadsEveryItexName) {
  setenv("ITEX_AUTO_MIXED_PRECISION", "1", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_DATA_TYPE", "FLOAT16", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_ALLOWLIST_ADD", "A1", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_INFERLIST_ADD", "I1", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_CLEARLIST_ADD", "C1", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_DENYLIST_ADD", "D1", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_ALLOWLIST_REMOVE", "A2", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_INFERLIST_REMOVE", "I2", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_CLEARLIST_REMOVE", "C2", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_DENYLIST_REMOVE", "D2", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_UNSAFE_FORCE_ALL", "true", 1);
  setenv("ITEX_AUTO_MIXED_PRECISION_LOG_PATH", "/tmp/x", 1);
  setenv("ITEX_REMAPPER", "0", 1);
  AmpConfig c = AmpConfig::from_env();
  EXPECT_EQ(c.enabled, true);
  EXPECT_EQ(c.data_type, "FLOAT16");
  EXPECT_EQ(c.target(DeviceKind::kCPU), DType::kHalf);
  EXPECT_EQ(c.allowlist_add, "A1");
  EXPECT_EQ(c.inferlist_add, "I1");
  EXPECT_EQ(c.clearlist_add, "C1");
  EXPECT_EQ(c.denylist_add, "D1");
  EXPECT_EQ(c.allowlist_remove, "A2");
  EXPECT_EQ(c.inferlist_remove, "I2");
  EXPECT_EQ(c.clearlist_remove, "C2");
  EXPECT_EQ(c.denylist_remove, "D2");
  EXPECT_EQ(c.unsafe_force_all, true);
  EXPECT_EQ(c.log_path, "/tmp/x");
  EXPECT_EQ(c.remapper, false);
}

TEST_F(ConfigTest, AampPrefixWinsOverItex) {
  setenv("ITEX_AUTO_MIXED_PRECISION_ALLOWLIST_ADD", "FromItex", 1);
  setenv("AAMP_AUTO_MIXED_PRECISION_ALLOWLIST_ADD", "FromAamp", 1);
  setenv("AAMP_REMAPPER", "1", 1);
  setenv("ITEX_REMAPPER", "0", 1);
  AmpConfig c = AmpConfig::from_env();
  EXPECT_EQ(c.allowlist_add, "FromAamp");
  EXPECT_EQ(c.remapper, true);
}

std::optional<std::string> as_text(const std::optional<bool>& b) {
  if (!b) return std::nullopt;
  return std::string(*b ? "true" : "false");
}

// Every AmpConfig field with its environment suffix (after ITEX_ / AAMP_), as text.
struct EnvField {
  const char* suffix;
  bool boolean;
  std::function<std::optional<std::string>(const AmpConfig&)> get;
};
const std::vector<EnvField>& env_fields() {
  static const std::vector<EnvField> kFields = {
      {"AUTO_MIXED_PRECISION", true, [](const AmpConfig& c) { return as_text(c.enabled); }},
      {"AUTO_MIXED_PRECISION_DATA_TYPE", false, [](const AmpConfig& c) { return c.data_type; }},
      {"AUTO_MIXED_PRECISION_ALLOWLIST_ADD", false,
       [](const AmpConfig& c) { return c.allowlist_add; }},
      {"AUTO_MIXED_PRECISION_INFERLIST_ADD", false,
       [](const AmpConfig& c) { return c.inferlist_add; }},
      {"AUTO_MIXED_PRECISION_CLEARLIST_ADD", false,
       [](const AmpConfig& c) { return c.clearlist_add; }},
      {"AUTO_MIXED_PRECISION_DENYLIST_ADD", false,
       [](const AmpConfig& c) { return c.denylist_add; }},
      {"AUTO_MIXED_PRECISION_ALLOWLIST_REMOVE", false,
       [](const AmpConfig& c) { return c.allowlist_remove; }},
      {"AUTO_MIXED_PRECISION_INFERLIST_REMOVE", false,
       [](const AmpConfig& c) { return c.inferlist_remove; }},
      {"AUTO_MIXED_PRECISION_CLEARLIST_REMOVE", false,
       [](const AmpConfig& c) { return c.clearlist_remove; }},
      {"AUTO_MIXED_PRECISION_DENYLIST_REMOVE", false,
       [](const AmpConfig& c) { return c.denylist_remove; }},
      {"AUTO_MIXED_PRECISION_UNSAFE_FORCE_ALL", true,
       [](const AmpConfig& c) { return as_text(c.unsafe_force_all); }},
      {"AUTO_MIXED_PRECISION_LOG_PATH", false, [](const AmpConfig& c) { return c.log_path; }},
      {"REMAPPER", true, [](const AmpConfig& c) { return as_text(c.remapper); }},
      {"TF_COMPATIBLE", true, [](const AmpConfig& c) { return as_text(c.tf_compatible); }},
  };
  return kFields;
}

TEST_F(ConfigTest, EnvFieldTableCoversEveryName) {
  ASSERT_EQ(env_fields().size(), std::size(kAllNames));
  for (size_t i = 0; i < env_fields().size(); ++i)
    EXPECT_STREQ(env_fields()[i].suffix, kAllNames[i]);
}

TEST_F(ConfigTest, ReadsEveryAampName) {
  for (const EnvField& f : env_fields()) {
    SCOPED_TRACE(f.suffix);
    const std::string name = std::string("AAMP_") + f.suffix;
    {
      ScopedEnv v(name, f.boolean ? "1" : "aamp-value");
      EXPECT_EQ(f.get(AmpConfig::from_env()), f.boolean ? "true" : "aamp-value");
      // Only this field is set.
      for (const EnvField& other : env_fields()) {
        if (&other != &f) {
          EXPECT_FALSE(other.get(AmpConfig::from_env())) << other.suffix;
        }
      }
    }
    EXPECT_EQ(std::getenv(name.c_str()), nullptr);  // the guard unset it
    EXPECT_FALSE(f.get(AmpConfig::from_env()));
  }
}

TEST_F(ConfigTest, AampWinsOverItexForEveryName) {
  for (const EnvField& f : env_fields()) {
    SCOPED_TRACE(f.suffix);
    const std::string aamp = std::string("AAMP_") + f.suffix,
                      itex = std::string("ITEX_") + f.suffix;
    if (f.boolean) {
      // Both directions, so neither value can win by being the default.
      {
        ScopedEnv a(aamp, "1"), i(itex, "0");
        EXPECT_EQ(f.get(AmpConfig::from_env()), "true");
      }
      {
        ScopedEnv a(aamp, "false"), i(itex, "true");
        EXPECT_EQ(f.get(AmpConfig::from_env()), "false");
      }
      {
        ScopedEnv i(itex, "on");
        EXPECT_EQ(f.get(AmpConfig::from_env()), "true");  // ITEX_ alone is read
      }
    } else {
      {
        ScopedEnv a(aamp, "FromAamp"), i(itex, "FromItex");
        EXPECT_EQ(f.get(AmpConfig::from_env()), "FromAamp");
      }
      {
        ScopedEnv i(itex, "FromItex");
        EXPECT_EQ(f.get(AmpConfig::from_env()), "FromItex");
      }
    }
    EXPECT_FALSE(f.get(AmpConfig::from_env()));
  }
}

// AAMP_ wins where the value matters: the dtype and the lists that reach optimize().
TEST_F(ConfigTest, AampEnvWinsInTheEffectiveConfig) {
  ScopedEnv ad("AAMP_AUTO_MIXED_PRECISION_DATA_TYPE", "BFLOAT16");
  ScopedEnv id("ITEX_AUTO_MIXED_PRECISION_DATA_TYPE", "FLOAT16");
  ScopedEnv ar("AAMP_AUTO_MIXED_PRECISION_INFERLIST_REMOVE", "Softmax");
  ScopedEnv aa("AAMP_AUTO_MIXED_PRECISION_ALLOWLIST_ADD", "Softmax");
  ScopedEnv ia("ITEX_AUTO_MIXED_PRECISION_ALLOWLIST_ADD", "Tanh");  // would conflict with infer
  AmpConfig c = AmpConfig::merge({}, AmpConfig::from_env());
  EXPECT_EQ(c.target(DeviceKind::kGPU), DType::kBFloat16);
  AmpLists l = c.lists(DeviceKind::kCPU);
  EXPECT_TRUE(l.allow.count("Softmax"));
  EXPECT_FALSE(l.infer.count("Softmax"));
  EXPECT_TRUE(l.infer.count("Tanh"));
  EXPECT_FALSE(l.allow.count("Tanh"));
}

TEST_F(ConfigTest, ApiBeatsEnvBeatsDefaultPerField) {
  setenv("AAMP_AUTO_MIXED_PRECISION_DATA_TYPE", "FLOAT16", 1);
  setenv("AAMP_AUTO_MIXED_PRECISION_DENYLIST_ADD", "Foo", 1);
  AmpConfig api;
  api.data_type = "BFLOAT16";
  AmpConfig c = AmpConfig::merge(api, AmpConfig::from_env());
  EXPECT_EQ(c.target(DeviceKind::kCPU), DType::kBFloat16);  // API
  EXPECT_EQ(c.denylist_add, "Foo");                         // env
  EXPECT_FALSE(c.remapper.has_value());                     // default (on)
}

TEST_F(ConfigTest, BadBooleanInEnvNamesTheVariable) {
  setenv("ITEX_AUTO_MIXED_PRECISION_UNSAFE_FORCE_ALL", "maybe", 1);
  try {
    AmpConfig::from_env();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ITEX_AUTO_MIXED_PRECISION_UNSAFE_FORCE_ALL"),
              std::string::npos);
  }
}

TEST_F(ConfigTest, BadDataTypeListsValidValues) {
  AmpConfig c;
  c.data_type = "int8";
  try {
    c.target(DeviceKind::kCPU);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(m.find("'int8'"), std::string::npos) << m;
    EXPECT_NE(m.find("BFLOAT16"), std::string::npos) << m;
    EXPECT_NE(m.find("FLOAT16"), std::string::npos) << m;
  }
  c.data_type = "bf16";
  EXPECT_EQ(c.target(DeviceKind::kGPU), DType::kBFloat16);
}

TEST_F(ConfigTest, MoveOpBetweenLists) {
  AmpConfig c;
  c.inferlist_remove = "Softmax, AvgPool";
  c.allowlist_add = "Softmax,AvgPool";
  std::vector<std::string> w;
  AmpLists l = c.lists(DeviceKind::kCPU, &w);
  EXPECT_TRUE(l.allow.count("Softmax"));
  EXPECT_TRUE(l.allow.count("AvgPool"));
  EXPECT_FALSE(l.infer.count("Softmax"));
  EXPECT_TRUE(w.empty());
}

TEST_F(ConfigTest, OpInTwoListsIsAnErrorNamingBoth) {
  AmpConfig c;
  c.allowlist_add = "Softmax";  // still in the infer list
  try {
    c.lists(DeviceKind::kCPU);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("Softmax"), std::string::npos) << m;
    EXPECT_NE(m.find("allowlist"), std::string::npos) << m;
    EXPECT_NE(m.find("inferlist"), std::string::npos) << m;
  }
}

TEST_F(ConfigTest, UnknownOpsWarnButAreKept) {
  AmpConfig c;
  c.allowlist_add = "MyCustomOp,MatMul";
  c.denylist_add = "OtherCustom";
  std::vector<std::string> w;
  AmpLists l = c.lists(DeviceKind::kCPU, &w);
  EXPECT_TRUE(l.allow.count("MyCustomOp"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("MyCustomOp"), std::string::npos) << w[0];
  EXPECT_NE(w[0].find("OtherCustom"), std::string::npos) << w[0];
  EXPECT_EQ(w[0].find("MatMul"), std::string::npos) << w[0];
}

const char* kMlp = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } }
  float_val: 1 float_val: 2 float_val: 3 float_val: 4 } } } }
node { name: "m" op: "MatMul" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "m" attr { key: "T" value { type: DT_FLOAT } } }
)";

TEST_F(ConfigTest, OptimizeWritesLogFiles) {
  fs::path dir = fs::path(::testing::TempDir()) / ("aamp_config_test_" + std::to_string(getpid()));
  fs::remove_all(dir);
  Graph g = parse_graphdef_text(kMlp, "<mlp>");
  AmpConfig c;
  c.log_path = dir.string();
  OptimizeResult r = optimize(g, testing::checked(c), DeviceKind::kCPU);
  EXPECT_TRUE(r.amp_ran);
  EXPECT_EQ(g.at("m").attr_type("T"), DType::kBFloat16);
  const std::string& ts = r.timestamp;
  std::vector<std::string> names = {"graphdef_preop_" + ts + ".pb",
                                    "graphdef_preop_" + ts + ".pb.txt",
                                    "graphdef_AutoMixedPrecision_" + ts + ".pb",
                                    "graphdef_AutoMixedPrecision_" + ts + ".pb.txt",
                                    "paintbuckets_AutoMixedPrecision_" + ts + ".txt",
                                    "decisions_" + ts + ".tsv",
                                    "report_" + ts + ".html"};
  for (const auto& n : names) EXPECT_TRUE(fs::exists(dir / n)) << n;
  EXPECT_EQ(r.log_files.size(), names.size());
  Graph pre = load_graph((dir / names[0]).string());
  EXPECT_EQ(pre.at("m").attr_type("T"), DType::kFloat);
  Graph post = load_graph((dir / names[3]).string());
  EXPECT_EQ(post.at("m").attr_type("T"), DType::kBFloat16);
  std::string buckets = read_file((dir / names[4]).string());
  EXPECT_EQ(buckets.rfind("AllowList:\n", 0), 0u);
  EXPECT_NE(buckets.find("\nMatMul\n"), std::string::npos);
  EXPECT_NE(buckets.find("\n\nDenyList:\n"), std::string::npos);
  std::string tsv = read_file((dir / names[5]).string());
  EXPECT_NE(tsv.find("m\tMatMul\tbfloat16\tallowlist"), std::string::npos) << tsv;
  fs::remove_all(dir);
}

TEST_F(ConfigTest, OptimizeRejectsBadConfigBeforeTouchingGraph) {
  Graph g = parse_graphdef_text(kMlp, "<mlp>");
  std::string before = serialize_graphdef_binary(g);
  AmpConfig c;
  c.clearlist_add = "MatMul";
  EXPECT_THROW(optimize(g, testing::checked(c), DeviceKind::kCPU), Error);
  EXPECT_EQ(serialize_graphdef_binary(g), before);
  if (!cpu_has_native_fp16()) {
    AmpConfig h;
    h.data_type = "FLOAT16";
    try {
      optimize(g, testing::checked(h), DeviceKind::kCPU);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("native FP16"), std::string::npos);
    }
    EXPECT_EQ(serialize_graphdef_binary(g), before);
  }
}

TEST_F(ConfigTest, AmpCanBeDisabled) {
  Graph g = parse_graphdef_text(kMlp, "<mlp>");
  std::string before = serialize_graphdef_binary(g);
  setenv("ITEX_AUTO_MIXED_PRECISION", "0", 1);
  OptimizeResult r =
      optimize(g, testing::checked(AmpConfig::merge({}, AmpConfig::from_env())), DeviceKind::kCPU);
  EXPECT_FALSE(r.amp_ran);
  EXPECT_EQ(serialize_graphdef_binary(g), before);
}

}  // namespace
}  // namespace aamp
