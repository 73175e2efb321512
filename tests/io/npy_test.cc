#include "aamp/io/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"

namespace aamp {
namespace {

namespace fs = std::filesystem;

class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aamp_npy_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& n) const { return (dir_ / n).string(); }
  fs::path dir_;
};

void expect_parse_error(const std::string& path, const std::string& needle,
                        ErrorCode code = ErrorCode::kParse) {
  try {
    read_npy(path);
    ADD_FAILURE() << "no error for " << path;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST_F(NpyTest, HeaderMatchesNumpy) {
  // What numpy.save writes for np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32).
  write_npy(file("a.npy"), Tensor::from_vector<float>(Shape{2, 3}, {1, 2, 3, 4, 5, 6}));
  std::string bytes = read_file(file("a.npy"));
  ASSERT_EQ(bytes.size(), 128u + 24u);
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  header.resize(117, ' ');
  header += '\n';
  EXPECT_EQ(bytes.substr(0, 10), std::string("\x93NUMPY\x01\x00\x76\x00", 10));
  EXPECT_EQ(bytes.substr(10, 118), header);
  write_npy(file("v.npy"), Tensor::from_vector<int64_t>(Shape{3}, {1, 2, 3}));
  EXPECT_NE(read_file(file("v.npy")).find("'shape': (3,), }"), std::string::npos);
  write_npy(file("s.npy"), Tensor::scalar<uint8_t>(7));
  EXPECT_NE(read_file(file("s.npy")).find("'descr': '|u1', 'fortran_order': False, 'shape': (), }"),
            std::string::npos);
}

TEST_F(NpyTest, RoundTripsEveryDtype) {
  std::vector<Tensor> ts = {
      Tensor::from_vector<float>(Shape{2, 2}, {1.5f, -2, 0, 3e38f}),
      Tensor::from_vector<double>(Shape{1}, {0.1}),
      Tensor::from_vector<float16>(Shape{2}, {to_half(1.0f), to_half(-0.5f)}),
      Tensor::from_vector<int8_t>(Shape{3}, {-128, 0, 127}),
      Tensor::from_vector<int16_t>(Shape{1, 1}, {-300}),
      Tensor::from_vector<int32_t>(Shape{2}, {-5, 1 << 30}),
      Tensor::from_vector<int64_t>(Shape{0, 3}, {}),
      Tensor::from_vector<uint8_t>(Shape{1}, {255}),
      Tensor::from_vector<uint16_t>(Shape{2}, {1, 65535}),
      Tensor::from_bytes(DType::kBool, Shape{2}, {1, 0}),
      Tensor::scalar<float>(42.0f),
  };
  for (size_t i = 0; i < ts.size(); ++i) {
    std::string p = file("t" + std::to_string(i) + ".npy");
    write_npy(p, ts[i]);
    Tensor back = read_npy(p);
    EXPECT_EQ(back, ts[i]) << i << " " << dtype_name(ts[i].dtype()) << ts[i].shape().to_string();
    EXPECT_EQ(read_file(p).size() % 64, ts[i].byte_size() % 64);
  }
}

TEST_F(NpyTest, Bfloat16IsWrittenAsFloat32) {
  Tensor t = Tensor::from_vector<bfloat16>(Shape{2}, {to_bf16(1.0f), to_bf16(-3.0f)});
  write_npy(file("bf.npy"), t);
  Tensor back = read_npy(file("bf.npy"));
  EXPECT_EQ(back, Tensor::from_vector<float>(Shape{2}, {1.0f, -3.0f}));
}

TEST_F(NpyTest, ReadsVersion2AndRejectsBadFiles) {
  std::string header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
  header.resize(128 - 12 - 1, ' ');
  header += '\n';
  std::string v2 = std::string("\x93NUMPY\x02\x00", 8);
  v2 += std::string("\x74\x00\x00\x00", 4) + header;
  v2 += std::string("\x01\x00\x00\x00\x02\x00\x00\x00", 8);
  write_file_atomic(file("v2.npy"), v2);
  EXPECT_EQ(read_npy(file("v2.npy")), Tensor::from_vector<int32_t>(Shape{2}, {1, 2}));

  write_file_atomic(file("short.npy"), v2.substr(0, v2.size() - 1));
  expect_parse_error(file("short.npy"), "needs 8 bytes");
  write_file_atomic(file("magic.npy"), "hello world, not numpy");
  expect_parse_error(file("magic.npy"), "magic");
  std::string be = v2;
  be.replace(be.find("<i4"), 3, ">i4");
  write_file_atomic(file("be.npy"), be);
  expect_parse_error(file("be.npy"), ">i4", ErrorCode::kUnimplemented);
  std::string fo = v2;
  fo.replace(fo.find("False"), 5, "True ");
  write_file_atomic(file("fo.npy"), fo);
  expect_parse_error(file("fo.npy"), "Fortran", ErrorCode::kUnimplemented);
  write_file_atomic(file("trunc.npy"), v2.substr(0, 40));
  expect_parse_error(file("trunc.npy"), "truncated");
  expect_parse_error(file("missing.npy"), "missing.npy", ErrorCode::kNotFound);
  try {
    write_npy(file("s.npy"), Tensor(DType::kString, Shape{1}));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("s.npy"), std::string::npos);
  }
}

// The fuzz seeds were written by numpy 1.24 (np.save; u8_v2.npy with format version 2.0).
TEST_F(NpyTest, ReadsWhatNumpyWrites) {
  const std::string dir = AAMP_SOURCE_DIR "/tests/fuzz/corpus/npy/";
  EXPECT_EQ(read_npy(dir + "f32_2x3.npy"),
            Tensor::from_vector<float>(Shape{2, 3}, {-1, -0.5f, 0, 0.5f, 1, 1.5f}));
  EXPECT_EQ(read_npy(dir + "i64_3.npy"),
            Tensor::from_vector<int64_t>(Shape{3}, {-1, int64_t{1} << 40, 7}));
  EXPECT_EQ(read_npy(dir + "bool_scalar.npy"), Tensor::from_bytes(DType::kBool, Shape{}, {1}));
  EXPECT_EQ(read_npy(dir + "u8_v2.npy"), Tensor::from_vector<uint8_t>(Shape{1, 2}, {0, 255}));
  // What aamp writes is what numpy writes, byte for byte.
  EXPECT_EQ(encode_npy(read_npy(dir + "f32_2x3.npy"), "x"), read_file(dir + "f32_2x3.npy"));
  EXPECT_EQ(encode_npy(read_npy(dir + "i64_3.npy"), "x"), read_file(dir + "i64_3.npy"));
}

TEST_F(NpyTest, ParsesAndEncodesInMemory) {
  const Tensor t = Tensor::from_vector<int16_t>(Shape{2, 2}, {-3, 0, 7, 32767});
  const std::string bytes = encode_npy(t, "mem");
  write_npy(file("t.npy"), t);
  EXPECT_EQ(bytes, read_file(file("t.npy")));
  EXPECT_EQ(parse_npy(bytes, "mem"), t);
  // Errors name what the caller called the bytes.
  for (const auto& [cut, needle] : std::vector<std::pair<size_t, std::string>>{
           {5, "bad magic"}, {40, "truncated .npy header"}, {bytes.size() - 1, "needs 8 bytes"}}) {
    try {
      parse_npy(std::string_view(bytes).substr(0, cut), "blob #3");
      ADD_FAILURE() << "no error at " << cut;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("blob #3: ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace aamp
