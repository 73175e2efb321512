// The CUDA data-movement and reduction kernels against the CPU reference kernels in float32,
// float16 and bfloat16 (and int32 where the kernel moves bytes): Transpose (tiled, 16-byte and
// general paths), GatherV2 (out-of-range indices -> an Error naming the index, reported after
// the run's synchronization), ConcatV2, Pad / PadV2, Slice / StridedSlice, Select / SelectV2,
// Sum / Mean / Max / Min. Skipped without a CUDA device.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "backends/cuda/cuda_test_util.h"
#include "test_util.h"

namespace aamp::testing {
namespace {

const DType kTypes[] = {DType::kFloat, DType::kHalf, DType::kBFloat16, DType::kInt32};

using Dims = std::vector<int64_t>;

Tensor ints32(const Dims& v) {
  std::vector<int32_t> w(v.begin(), v.end());
  return Tensor::from_vector<int32_t>(Shape{static_cast<int64_t>(w.size())}, w);
}

Tensor data(DType t, const Dims& shape, uint32_t seed) {
  if (t != DType::kInt32) return random_tensor(t, shape, seed, -3.0f, 3.0f);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>((i * 7919 + seed) % 100003);
  return Tensor::from_vector<int32_t>(Shape(shape), v);
}

std::string label(const std::string& op, DType t, const Dims& shape) {
  return op + " " + dtype_name(t) + " " + Shape(shape).to_string();
}

// Moves must be exact: compare with zero tolerance.
void expect_exact(const KernelCase& c, const std::string& what) {
  const std::vector<Tensor> want = run_reference(c);
  const std::vector<Tensor> got = run_gpu(c, 2);
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].byte_size(), want[i].byte_size()) << what;
    EXPECT_EQ(std::memcmp(got[i].raw(), want[i].raw(), want[i].byte_size()), 0) << what;
  }
}

class CudaMove : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }
};

TEST_P(CudaMove, TransposeAnyPermutation) {
  const DType t = GetParam();
  const std::vector<std::pair<Dims, Dims>> cases = {
      {{4, 6}, {1, 0}},                          // tiled
      {{3, 33, 70}, {0, 2, 1}},                  // tiled, partial tiles
      {{2, 16, 12, 64}, {0, 2, 1, 3}},           // BERT heads: 16-byte rows
      {{2, 5, 3, 7}, {0, 2, 1, 3}},              // same, odd rows
      {{2, 3, 4, 5}, {3, 1, 0, 2}},              // general
      {{1, 5, 1, 7}, {2, 3, 0, 1}},              // size-1 dims dropped: tiled
      {{2, 3, 2, 3, 2, 3}, {5, 4, 3, 2, 1, 0}},  // rank 6
      {{2, 8, 8, 3}, {0, 3, 1, 2}},              // NHWC -> NCHW: tiled
      {{5, 4}, {0, 1}}};                         // identity
  for (const auto& [shape, perm] : cases) {
    Dims out;
    for (int64_t p : perm) out.push_back(shape[static_cast<size_t>(p)]);
    Node n = make_node("Transpose", t, {{"Tperm", DType::kInt32}});
    KernelCase c{n, {data(t, shape, 1), ints32(perm)}, {false, true}, {{t, out}}};
    expect_exact(c, label("Transpose", t, shape) + " perm " + Shape(perm).to_string());
  }
}

TEST_P(CudaMove, GatherV2AlongAnyAxis) {
  const DType t = GetParam();
  struct G {
    Dims params, indices;
    int64_t axis;
    bool i64;
  };
  const std::vector<G> cases = {{{50, 16}, {2, 7}, 0, false},  // embeddings: 16-byte rows
                                {{50, 3}, {5}, 0, true},       // odd rows
                                {{3, 10, 5}, {4}, 1, true},
                                {{3, 4, 6}, {2, 2}, -1, false},
                                {{9}, {}, 0, false}};  // scalar index
  for (const G& g : cases) {
    int64_t nidx = 1;
    for (int64_t d : g.indices) nidx *= d;
    const size_t ax = static_cast<size_t>(g.axis < 0 ? g.axis + 3 : g.axis);
    const int64_t size = g.params[ax];
    std::vector<int64_t> iv(static_cast<size_t>(nidx));
    for (size_t i = 0; i < iv.size(); ++i) iv[i] = static_cast<int64_t>(i * 7 + 3) % size;
    Tensor idx = g.i64 ? Tensor::from_vector<int64_t>(Shape(g.indices), iv)
                       : Tensor::from_vector<int32_t>(Shape(g.indices),
                                                      std::vector<int32_t>(iv.begin(), iv.end()));
    Dims out(g.params.begin(), g.params.begin() + static_cast<int64_t>(ax));
    out.insert(out.end(), g.indices.begin(), g.indices.end());
    out.insert(out.end(), g.params.begin() + static_cast<int64_t>(ax) + 1, g.params.end());
    Node n = make_node("GatherV2", t, {{"batch_dims", int64_t{0}}});
    KernelCase c{n, {data(t, g.params, 2), idx, ints32({g.axis})}, {true, false, true}, {{t, out}}};
    expect_exact(c, label("GatherV2", t, g.params) + " axis " + std::to_string(g.axis));
  }
}

TEST_P(CudaMove, GatherV2OutOfRangeIndexIsAnError) {
  const DType t = GetParam();
  for (int32_t bad : {50, -1}) {
    Node n = make_node("GatherV2", t, {{"batch_dims", int64_t{0}}});
    KernelCase c{
        n,
        {data(t, {50, 8}, 2), Tensor::from_vector<int32_t>(Shape{4}, {1, 2, bad, 3}), ints32({0})},
        {true, false, true},
        {{t, {4, 8}}}};
    expect_error([&] { run_gpu(c); }, ErrorCode::kInvalidArgument,
                 {"'test_GatherV2'", "indices[2] = " + std::to_string(bad), "not in [0, 50)"});
    // The record is cleared: a good run on a fresh kernel passes.
    c.inputs[1] = Tensor::from_vector<int32_t>(Shape{4}, {1, 2, 49, 3});
    expect_exact(c, "GatherV2 after an error");
  }
}

TEST_P(CudaMove, ConcatV2AlongAnyAxis) {
  const DType t = GetParam();
  const std::vector<std::pair<std::vector<Dims>, int64_t>> cases = {
      {{{2, 3}, {2, 5}}, 1},
      {{{2, 3, 4}, {1, 3, 4}, {3, 3, 4}}, 0},
      {{{3, 1, 2}, {3, 1, 5}}, -1},
      {{{2, 0}, {2, 3}}, 1}};
  for (const auto& [shapes, axis] : cases) {
    Node n = make_node("ConcatV2", t, {{"N", static_cast<int64_t>(shapes.size())}});
    KernelCase c{n, {}, {}, {}};
    Dims out = shapes[0];
    const size_t ax =
        static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(out.size()) : axis);
    out[ax] = 0;
    uint32_t seed = 5;
    for (const Dims& s : shapes) {
      c.inputs.push_back(data(t, s, seed++));
      c.is_const.push_back(false);
      out[ax] += s[ax];
    }
    c.inputs.push_back(ints32({axis}));
    c.is_const.push_back(true);
    c.outputs = {{t, out}};
    expect_exact(c, label("ConcatV2", t, out) + " axis " + std::to_string(axis));
  }
}

TEST_P(CudaMove, PadAndPadV2) {
  const DType t = GetParam();
  const std::vector<std::pair<Dims, Dims>> cases = {
      {{2, 3}, {1, 2, 0, 3}}, {{1, 5, 5, 3}, {0, 0, 1, 1, 2, 0, 0, 0}}, {{7}, {3, 0}}};
  for (const auto& [shape, pads] : cases)
    for (const char* op : {"Pad", "PadV2"}) {
      Dims out = shape;
      for (size_t d = 0; d < shape.size(); ++d) out[d] += pads[2 * d] + pads[2 * d + 1];
      std::vector<int32_t> pv(pads.begin(), pads.end());
      KernelCase c{make_node(op, t),
                   {data(t, shape, 9),
                    Tensor::from_vector<int32_t>(Shape{static_cast<int64_t>(shape.size()), 2}, pv)},
                   {false, true},
                   {{t, out}}};
      if (std::string(op) == "PadV2") {
        c.inputs.push_back(data(t, {}, 4));
        c.is_const.push_back(true);
      }
      expect_exact(c, label(op, t, shape));
    }
}

TEST_P(CudaMove, SliceAndStridedSlice) {
  const DType t = GetParam();
  {
    KernelCase c{make_node("Slice", t, {{"Index", DType::kInt32}}),
                 {data(t, {5, 6, 7}, 3), ints32({1, 0, 2}), ints32({3, -1, 4})},
                 {false, true, true},
                 {{t, {3, 6, 4}}}};
    expect_exact(c, label("Slice", t, {5, 6, 7}));
  }
  struct S {
    Dims in, begin, end, strides;
    int64_t shrink;
    Dims out;
  };
  const std::vector<S> cases = {
      {{10, 8}, {1, 0}, {9, 8}, {2, 3}, 0, {4, 3}},
      {{4, 6}, {0, 5}, {4, 0}, {1, -2}, 0, {4, 3}},                   // negative stride
      {{3, 4, 5}, {1, 0, 0}, {2, 4, 5}, {1, 1, 1}, 1, {4, 5}},        // shrink axis 0: one copy
      {{2, 128, 16}, {0, 0, 0}, {2, 1, 16}, {1, 1, 1}, 2, {2, 16}}};  // BERT's [CLS] token
  for (const S& s : cases) {
    Node n =
        make_node("StridedSlice", t, {{"Index", DType::kInt32}, {"shrink_axis_mask", s.shrink}});
    KernelCase c{n,
                 {data(t, s.in, 4), ints32(s.begin), ints32(s.end), ints32(s.strides)},
                 {false, true, true, true},
                 {{t, s.out}}};
    expect_exact(c, label("StridedSlice", t, s.in) + " strides " + Shape(s.strides).to_string());
  }
}

TEST_P(CudaMove, SelectBroadcasts) {
  const DType t = GetParam();
  struct S {
    const char* op;
    Dims c, x, y, out;
  };
  const std::vector<S> cases = {{"SelectV2", {3, 5}, {3, 5}, {3, 5}, {3, 5}},
                                {"SelectV2", {5}, {2, 3, 5}, {}, {2, 3, 5}},
                                {"SelectV2", {2, 1, 1}, {1, 4}, {3, 1}, {2, 3, 4}},
                                {"Select", {4}, {4, 3}, {4, 3}, {4, 3}},  // picks rows
                                {"Select", {2, 6}, {2, 6}, {2, 6}, {2, 6}}};
  for (const S& s : cases) {
    int64_t n = 1;
    for (int64_t d : s.c) n *= d;
    std::vector<uint8_t> cv(static_cast<size_t>(n));
    for (size_t i = 0; i < cv.size(); ++i) cv[i] = (i * 5 + 1) % 3 == 0;
    KernelCase c{
        make_node(s.op, t),
        {Tensor::from_bytes(DType::kBool, Shape(s.c), cv), data(t, s.x, 1), data(t, s.y, 2)},
        {false, false, true},
        {{t, s.out}}};
    expect_exact(c, label(s.op, t, s.out) + " cond " + Shape(s.c).to_string());
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaMove, ::testing::ValuesIn(kTypes),
                         [](const auto& i) { return dtype_name(i.param); });

class CudaReduce : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }
};

TEST_P(CudaReduce, OverConstantAxes) {
  const DType t = GetParam();
  struct R {
    Dims in, axes;
    bool keep;
  };
  const std::vector<R> cases = {{{2, 7, 7, 64}, {1, 2}, false},  // ResNet's global average pool
                                {{3, 50}, {1}, true},            // warp per output
                                {{2, 3, 100}, {-1}, false},
                                {{4, 5, 6}, {0, 2}, false},    // non-adjacent axes
                                {{4, 5, 6}, {0, 1, 2}, true},  // everything
                                {{3, 5}, {0}, false}};
  for (const char* op : {"Sum", "Mean", "Max", "Min"})
    for (const R& r : cases) {
      Dims out;
      for (size_t d = 0; d < r.in.size(); ++d) {
        bool red = false;
        for (int64_t a : r.axes)
          red |= static_cast<size_t>(a < 0 ? a + static_cast<int64_t>(r.in.size()) : a) == d;
        if (!red)
          out.push_back(r.in[d]);
        else if (r.keep)
          out.push_back(1);
      }
      KernelCase c{make_node(op, t, {{"keep_dims", r.keep}, {"Tidx", DType::kInt32}}),
                   {random_tensor(t, r.in, 6, -2.0f, 2.0f), ints32(r.axes)},
                   {false, true},
                   {{t, out}}};
      expect_gpu_matches_reference(c, label(op, t, r.in) + " axes " + Shape(r.axes).to_string());
    }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaReduce,
                         ::testing::Values(DType::kFloat, DType::kHalf, DType::kBFloat16),
                         [](const auto& i) { return dtype_name(i.param); });

}  // namespace
}  // namespace aamp::testing
