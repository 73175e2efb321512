// Hand-computed cases for the reference element-wise kernels (backends/cpu/
// reference_elementwise.cc: NumPy broadcasting, Pow, Select/SelectV2, Fill, Cast) and for the
// array kernels that a BERT-style encoder needs (Shape, GatherV2; ExpandDims and Squeeze through
// a Session, where they run as aliases), in float32 and bfloat16 where the kernel has both.
// Every value is exact in bfloat16, so both dtypes expect the same numbers exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "aamp/backends/cpu/reference_common.h"
#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"
#include "backends/cpu/kernel_test_util.h"
#include "tensor_test_util.h"

namespace aamp {
namespace {

using testing::boolean;
using testing::i32;

using testing::KernelCase;

const DType kFloats[] = {DType::kFloat, DType::kBFloat16};

Tensor fl(DType t, std::vector<int64_t> shape, const std::vector<float>& v) {
  return Tensor::from_vector<float>(Shape(std::move(shape)), v).cast_float(t);
}

// Runs the reference kernel of `op` (attr T = `t`) on non-constant inputs, except those listed
// in `consts`; returns the single output of dtype `out_t` and shape `out`.
Tensor run_ref(const std::string& op, DType t, std::vector<Tensor> inputs, std::vector<int64_t> out,
               DType out_t, AttrMap attrs = {}, std::vector<bool> consts = {}) {
  KernelCase c{testing::make_node(op, t, std::move(attrs)),
               std::move(inputs),
               std::move(consts),
               {{out_t, std::move(out)}},
               1};
  const KernelRegistration* r = testing::find_kernel(c, "reference");
  if (!r) {
    ADD_FAILURE() << "no reference kernel for " << op << " in " << dtype_name(t);
    return {};
  }
  std::vector<Tensor> got = testing::run_kernel(c, *r);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(got.at(0).dtype(), out_t) << op;
  return got.at(0);
}

std::vector<float> vals(const Tensor& t) { return testing::to_float_vec(t); }

// ---- binary ops: NumPy broadcasting ----------------------------------------------------------

TEST(ReferenceElementwise, BroadcastRank3AgainstVector) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor a = fl(t, {2, 1, 3}, {0, 1, 2, 3, 4, 5});
    const Tensor b = fl(t, {3}, {10, 20, 30});
    Tensor y = run_ref("AddV2", t, {a, b}, {2, 1, 3}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{10, 21, 32, 13, 24, 35}));
    y = run_ref("Sub", t, {a, b}, {2, 1, 3}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{-10, -19, -28, -7, -16, -25}));
    y = run_ref("Sub", t, {b, a}, {2, 1, 3}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{10, 19, 28, 7, 16, 25}));
  }
}

TEST(ReferenceElementwise, BroadcastColumnAgainstRow) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor a = fl(t, {2, 1}, {1, 2});
    const Tensor b = fl(t, {1, 4}, {10, 20, 30, 40});
    Tensor y = run_ref("Mul", t, {a, b}, {2, 4}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{10, 20, 30, 40, 20, 40, 60, 80}));
    y = run_ref("Sub", t, {a, b}, {2, 4}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{-9, -19, -29, -39, -8, -18, -28, -38}));
    y = run_ref("Maximum", t, {fl(t, {2, 1}, {15, 35}), b}, {2, 4}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{15, 20, 30, 40, 35, 35, 35, 40}));
  }
  // Integers and a comparison (bool output) broadcast the same way.
  Tensor y = run_ref("Sub", DType::kInt32, {i32({2, 1}, {1, 2}), i32({1, 3}, {5, 6, 7})}, {2, 3},
                     DType::kInt32);
  EXPECT_EQ(vals(y), (std::vector<float>{-4, -5, -6, -3, -4, -5}));
  y = run_ref("Greater", DType::kInt32, {i32({2, 1}, {5, 6}), i32({1, 3}, {4, 5, 6})}, {2, 3},
              DType::kBool);
  EXPECT_EQ(vals(y), (std::vector<float>{1, 0, 0, 1, 1, 0}));
}

TEST(ReferenceElementwise, BroadcastScalars) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    Tensor y = run_ref("RealDiv", t, {fl(t, {3}, {2, 4, 6}), fl(t, {}, {2})}, {3}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{1, 2, 3}));
    y = run_ref("Sub", t, {fl(t, {}, {10}), fl(t, {3}, {1, 2, 3})}, {3}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{9, 8, 7}));
    y = run_ref("Mul", t, {fl(t, {}, {3}), fl(t, {}, {4})}, {}, t);
    EXPECT_EQ(y.shape().dims, std::vector<int64_t>{});
    EXPECT_EQ(vals(y), (std::vector<float>{12}));
    // A [1,1] operand broadcasts like a scalar, and raises the rank.
    y = run_ref("AddV2", t, {fl(t, {3}, {1, 2, 3}), fl(t, {1, 1}, {0.5f})}, {1, 3}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{1.5f, 2.5f, 3.5f}));
  }
}

TEST(ReferenceElementwise, Pow) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    Tensor y = run_ref("Pow", t, {fl(t, {4}, {2, 4, 2, 9}), fl(t, {4}, {3, 0.5f, -1, 0})}, {4}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{8, 2, 0.5f, 1}));
    y = run_ref("Pow", t, {fl(t, {2, 2}, {1, 2, 3, -4}), fl(t, {}, {2})}, {2, 2}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{1, 4, 9, 16}));
    y = run_ref("Pow", t, {fl(t, {}, {2}), fl(t, {3}, {0, 1, 10})}, {3}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{1, 2, 1024}));
  }
  const Tensor y = run_ref("Pow", DType::kInt32, {i32({3}, {2, 3, -2}), i32({3}, {3, 2, 3})}, {3},
                           DType::kInt32);
  EXPECT_EQ(vals(y), (std::vector<float>{8, 9, -8}));
}

// ---- Select / SelectV2 ------------------------------------------------------------------------

TEST(ReferenceElementwise, SelectSameShapeAndRowCondition) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor x = fl(t, {2, 2}, {1, 2, 3, 4}), y = fl(t, {2, 2}, {10, 20, 30, 40});
    Tensor o = run_ref("Select", t, {boolean({2, 2}, {1, 0, 0, 1}), x, y}, {2, 2}, t);
    EXPECT_EQ(vals(o), (std::vector<float>{1, 20, 30, 4}));
    // Select (v1): a vector condition picks whole rows.
    o = run_ref("Select", t, {boolean({2}, {1, 0}), x, y}, {2, 2}, t);
    EXPECT_EQ(vals(o), (std::vector<float>{1, 2, 30, 40}));
  }
}

TEST(ReferenceElementwise, SelectV2BroadcastsConditionAndOperands) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor x = fl(t, {2, 2}, {1, 2, 3, 4}), y = fl(t, {2, 2}, {10, 20, 30, 40});
    // SelectV2: a vector condition broadcasts over the last dim (NumPy), unlike Select.
    Tensor o = run_ref("SelectV2", t, {boolean({2}, {1, 0}), x, y}, {2, 2}, t);
    EXPECT_EQ(vals(o), (std::vector<float>{1, 20, 3, 40}));
    o = run_ref("SelectV2", t, {boolean({}, {0}), x, y}, {2, 2}, t);
    EXPECT_EQ(vals(o), (std::vector<float>{10, 20, 30, 40}));
    // Condition [2,1], x [1,3], y scalar -> [2,3].
    o = run_ref("SelectV2", t, {boolean({2, 1}, {1, 0}), fl(t, {1, 3}, {1, 2, 3}), fl(t, {}, {-1})},
                {2, 3}, t);
    EXPECT_EQ(vals(o), (std::vector<float>{1, 2, 3, -1, -1, -1}));
  }
}

// ---- Fill / Cast ------------------------------------------------------------------------------

TEST(ReferenceElementwise, Fill) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor y =
        run_ref("Fill", t, {i32({2}, {2, 3}), fl(t, {}, {-2.5f})}, {2, 3}, t, {}, {true, false});
    EXPECT_EQ(vals(y), (std::vector<float>(6, -2.5f)));
  }
  const Tensor y = run_ref("Fill", DType::kInt32, {i32({1}, {4}), i32({}, {7})}, {4}, DType::kInt32,
                           {}, {true, false});
  EXPECT_EQ(vals(y), (std::vector<float>{7, 7, 7, 7}));
}

AttrMap cast_attrs(DType from, DType to) { return {{"SrcT", from}, {"DstT", to}}; }

TEST(ReferenceElementwise, CastFloatToIntTruncatesTowardZero) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor y = run_ref("Cast", t, {fl(t, {5}, {1.75f, -1.75f, 2.5f, -0.5f, 0})}, {5},
                             DType::kInt32, cast_attrs(t, DType::kInt32));
    EXPECT_EQ(std::vector<int32_t>(y.values<int32_t>().begin(), y.values<int32_t>().end()),
              (std::vector<int32_t>{1, -1, 2, 0, 0}));
  }
  const Tensor b = run_ref("Cast", DType::kFloat, {fl(DType::kFloat, {3}, {0, 0.5f, -1})}, {3},
                           DType::kBool, cast_attrs(DType::kFloat, DType::kBool));
  EXPECT_EQ(vals(b), (std::vector<float>{0, 1, 1}));
}

TEST(ReferenceElementwise, CastIntToFloat) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor y = run_ref("Cast", DType::kInt32, {i32({3}, {3, -2, 0})}, {3}, t,
                             cast_attrs(DType::kInt32, t));
    EXPECT_EQ(vals(y), (std::vector<float>{3, -2, 0}));
  }
  // 257 is halfway between the bfloat16 values 256 and 258: to even (256); 259 -> 260.
  const Tensor y = run_ref("Cast", DType::kInt32, {i32({2}, {257, 259})}, {2}, DType::kBFloat16,
                           cast_attrs(DType::kInt32, DType::kBFloat16));
  EXPECT_EQ(vals(y), (std::vector<float>{256, 260}));
}

TEST(ReferenceElementwise, CastFloatToBFloat16RoundsToNearestEven) {
  // bfloat16 keeps 8 significant bits: next to 1 its step is 2^-7 = 0.0078125.
  const Tensor x = fl(DType::kFloat, {6},
                      {1.00390625f, 1.005859375f, 1.01171875f, -1.01171875f, 1.0029296875f, 3.0f});
  const Tensor y = run_ref("Cast", DType::kFloat, {x}, {6}, DType::kBFloat16,
                           cast_attrs(DType::kFloat, DType::kBFloat16));
  // 1 + 2^-8 ties to even (1), 1 + 3*2^-9 rounds up, 1 + 3*2^-8 ties to even (1 + 2^-6),
  // 1 + 3*2^-10 rounds down.
  EXPECT_EQ(vals(y), (std::vector<float>{1.0f, 1.0078125f, 1.015625f, -1.015625f, 1.0f, 3.0f}));
  EXPECT_EQ(y.data<bfloat16>()[1].bits, 0x3f81u);
  // And back to float32 exactly.
  const Tensor z = run_ref("Cast", DType::kBFloat16, {y}, {6}, DType::kFloat,
                           cast_attrs(DType::kBFloat16, DType::kFloat));
  EXPECT_EQ(vals(z), vals(y));
}

// ---- Shape / GatherV2 -------------------------------------------------------------------------

TEST(ReferenceArrayKernels, ShapeInt32AndInt64) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor x(t, Shape{2, 3, 4});
    Tensor y = run_ref("Shape", t, {x}, {3}, DType::kInt32, {{"out_type", DType::kInt32}});
    EXPECT_EQ(vals(y), (std::vector<float>{2, 3, 4}));
    y = run_ref("Shape", t, {x}, {3}, DType::kInt64, {{"out_type", DType::kInt64}});
    EXPECT_EQ(std::vector<int64_t>(y.values<int64_t>().begin(), y.values<int64_t>().end()),
              (std::vector<int64_t>{2, 3, 4}));
  }
}

AttrMap gather_attrs(int64_t batch_dims = 0) {
  return {{"Tindices", DType::kInt32}, {"Taxis", DType::kInt32}, {"batch_dims", batch_dims}};
}

TEST(ReferenceArrayKernels, GatherV2Axes) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor p = fl(t, {2, 3}, {1, 2, 3, 4, 5, 6});
    // axis 0, indices [2] -> rows.
    Tensor y = run_ref("GatherV2", t, {p, i32({2}, {1, 0}), i32({}, {0})}, {2, 3}, t,
                       gather_attrs(), {false, false, true});
    EXPECT_EQ(vals(y), (std::vector<float>{4, 5, 6, 1, 2, 3}));
    // axis 1, indices [2,2] -> [2,2,2].
    y = run_ref("GatherV2", t, {p, i32({2, 2}, {2, 0, 1, 1}), i32({}, {1})}, {2, 2, 2}, t,
                gather_attrs(), {false, false, true});
    EXPECT_EQ(vals(y), (std::vector<float>{3, 1, 2, 2, 6, 4, 5, 5}));
    // axis -1 is axis 1; a scalar index drops the dim.
    y = run_ref("GatherV2", t, {p, i32({}, {2}), i32({}, {-1})}, {2}, t, gather_attrs(),
                {false, false, true});
    EXPECT_EQ(vals(y), (std::vector<float>{3, 6}));
    // batch_dims 1, axis 1: out[b, i] = p[b, idx[b, i]].
    y = run_ref("GatherV2", t, {p, i32({2, 2}, {2, 2, 0, 1}), i32({}, {1})}, {2, 2}, t,
                gather_attrs(1), {false, false, true});
    EXPECT_EQ(vals(y), (std::vector<float>{3, 3, 4, 5}));
  }
  // int32 params (embedding ids, shapes) gather the same way.
  const Tensor y = run_ref("GatherV2", DType::kInt32,
                           {i32({3}, {7, 8, 9}), i32({4}, {2, 2, 0, 1}), i32({}, {0})}, {4},
                           DType::kInt32, gather_attrs(), {false, false, true});
  EXPECT_EQ(vals(y), (std::vector<float>{9, 9, 7, 8}));
}

TEST(ReferenceArrayKernels, GatherV2OutOfRangeIndexThrows) {
  const Tensor p = fl(DType::kFloat, {2, 3}, {1, 2, 3, 4, 5, 6});
  try {
    run_ref("GatherV2", DType::kFloat, {p, i32({2, 2}, {0, 1, 2, 3}), i32({}, {1})}, {2, 2, 2},
            DType::kFloat, gather_attrs(), {false, false, true});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(std::string(e.what()),
              "node 'test_GatherV2' (GatherV2): indices[3] = 3 is not in [0, 3) (params dim 1 "
              "has 3 entries)");
  }
}

// ---- ExpandDims / Squeeze (aliases in a Session) ----------------------------------------------

std::string placeholder(const std::string& type, const std::string& dims) {
  return "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: " + type +
         " } } attr { key: \"shape\" value { shape { " + dims + " } } } }\n";
}

std::string expand_dims(const std::string& name, const std::string& type, int axis) {
  return "node { name: \"" + name + "_dim\" op: \"Const\" attr { key: \"dtype\" value { type: " +
         "DT_INT32 } } attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { } " +
         "int_val: " + std::to_string(axis) + " } } } }\n" + "node { name: \"" + name +
         "\" op: \"ExpandDims\" input: \"x\" input: \"" + name + "_dim\" attr { key: \"T\" " +
         "value { type: " + type + " } } attr { key: \"Tdim\" value { type: DT_INT32 } } }\n";
}

std::string squeeze(const std::string& name, const std::string& type, const std::string& dims) {
  return "node { name: \"" + name + "\" op: \"Squeeze\" input: \"x\" attr { key: \"T\" value { " +
         "type: " + type + " } } attr { key: \"squeeze_dims\" value { list { " + dims +
         " } } } }\n";
}

TEST(ReferenceArrayKernels, ExpandDimsNegativeAxisThroughSession) {
  for (const auto& [t, name] :
       {std::pair{DType::kFloat, "DT_FLOAT"}, std::pair{DType::kBFloat16, "DT_BFLOAT16"}}) {
    SCOPED_TRACE(name);
    const std::string g = placeholder(name, "dim { size: 2 } dim { size: 3 }") +
                          expand_dims("e1", name, -1) + expand_dims("e3", name, -3) +
                          expand_dims("e2", name, -2);
    Session s(parse_graphdef_text(g, "expand_dims.pbtxt"));
    const Tensor x = fl(t, {2, 3}, {1, 2, 3, 4, 5, 6});
    const std::vector<Tensor> out = s.run({{"x", x}}, {"e1", "e3", "e2"});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].shape().dims, (std::vector<int64_t>{2, 3, 1}));
    EXPECT_EQ(out[1].shape().dims, (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(out[2].shape().dims, (std::vector<int64_t>{2, 1, 3}));
    for (const Tensor& o : out) {
      EXPECT_EQ(o.dtype(), t);
      EXPECT_EQ(vals(o), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    }
  }
}

TEST(ReferenceArrayKernels, SqueezeAllAndListedDimsThroughSession) {
  for (const auto& [t, name] :
       {std::pair{DType::kFloat, "DT_FLOAT"}, std::pair{DType::kBFloat16, "DT_BFLOAT16"}}) {
    SCOPED_TRACE(name);
    const std::string g =
        placeholder(name, "dim { size: 1 } dim { size: 2 } dim { size: 1 } dim { size: 3 }") +
        squeeze("all", name, "") + squeeze("neg", name, "i: -2") + squeeze("first", name, "i: 0");
    Session s(parse_graphdef_text(g, "squeeze.pbtxt"));
    const Tensor x = fl(t, {1, 2, 1, 3}, {1, 2, 3, 4, 5, 6});
    const std::vector<Tensor> out = s.run({{"x", x}}, {"all", "neg", "first"});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].shape().dims, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(out[1].shape().dims, (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(out[2].shape().dims, (std::vector<int64_t>{2, 1, 3}));
    for (const Tensor& o : out) EXPECT_EQ(vals(o), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  }
}

}  // namespace
}  // namespace aamp

namespace aamp {
namespace {

// Prelu: x where x >= 0, alpha * x below, alpha per channel (last dim), -0 and 0 kept.
TEST(ReferenceElementwise, PreluPerChannel) {
  for (DType t : kFloats) {
    SCOPED_TRACE(dtype_name(t));
    const Tensor x = fl(t, {2, 3}, {-2, 0, 4, 1, -8, -0.5f});
    const Tensor a = fl(t, {3}, {0.5f, 0.25f, 2});
    const Tensor y = run_ref("Prelu", t, {x, a}, {2, 3}, t);
    EXPECT_EQ(vals(y), (std::vector<float>{-1, 0, 4, 1, -2, -1}));
  }
}

// _AampFusedAddSoftmax (aamp_fused_kernels.cc, its own vectorizable exp) against softmax in
// double precision: logits over [-90, 30] (including values whose exp underflows float32), a
// mask broadcast over rows with a -1e9 entry (attention padding), and a row of equal values.
TEST(ReferenceElementwise, AddSoftmaxMatchesDoublePrecision) {
  const int64_t rows = 4, cols = 37;
  std::vector<float> logits(static_cast<size_t>(rows * cols)), mask(static_cast<size_t>(cols));
  for (int64_t i = 0; i < rows * cols; ++i)
    logits[static_cast<size_t>(i)] =
        i < 3 * cols ? -90.0f + 120.0f * static_cast<float>((i * 7919) % 1000) / 1000.0f : 1.5f;
  for (int64_t c = 0; c < cols; ++c)
    mask[static_cast<size_t>(c)] = c == 5 ? -1e9f : 0.25f * static_cast<float>(c % 3);
  const Tensor got =
      run_ref("_AampFusedAddSoftmax", DType::kFloat,
              {fl(DType::kFloat, {rows, cols}, logits), fl(DType::kFloat, {cols}, mask)},
              {rows, cols}, DType::kFloat);
  const std::vector<float> y = vals(got);
  ASSERT_EQ(y.size(), logits.size());
  for (int64_t r = 0; r < rows; ++r) {
    double mx = -1e300, sum = 0;
    for (int64_t c = 0; c < cols; ++c)
      mx = std::max(mx, static_cast<double>(logits[static_cast<size_t>(r * cols + c)]) +
                            mask[static_cast<size_t>(c)]);
    for (int64_t c = 0; c < cols; ++c)
      sum += std::exp(static_cast<double>(logits[static_cast<size_t>(r * cols + c)]) +
                      mask[static_cast<size_t>(c)] - mx);
    for (int64_t c = 0; c < cols; ++c) {
      const double want = std::exp(static_cast<double>(logits[static_cast<size_t>(r * cols + c)]) +
                                   mask[static_cast<size_t>(c)] - mx) /
                          sum;
      const float g = y[static_cast<size_t>(r * cols + c)];
      EXPECT_NEAR(g, want, 2e-7 + 1e-6 * want) << "row " << r << " col " << c;
    }
  }
}

}  // namespace
}  // namespace aamp

namespace aamp {
namespace {

// narrow_to_bf16 (the element-wise kernels' float32 -> bfloat16 store) rounds as the scalar
// float_to_bf16_bits over every length's vector body and remainder: ties to even, NaN kept
// quiet, infinities kept. Subnormal float32 values may become +-0 (the AVX512_BF16 instruction
// flushes them) but keep their sign.
TEST(ReferenceElementwise, NarrowToBf16RoundsAsTheScalarConversion) {
  std::vector<float> v;
  for (uint32_t bits :
       {0x3f808000u, 0x3f818000u, 0x3f80c000u, 0x3f807fffu, 0x7f7fffffu, 0x7f800000u, 0xff800000u,
        0x7fc00000u, 0x7f800001u, 0x80000000u, 0x00000001u, 0x80400000u, 0x00800000u})
    v.push_back(f32_from_bits(bits));
  for (int i = 0; i < 997; ++i)
    v.push_back(std::ldexp(static_cast<float>((i * 7919) % 65537), -8 - i % 40) *
                (i % 3 ? 1.f : -1.f));
  for (size_t n : {size_t{1}, size_t{7}, size_t{16}, size_t{17}, size_t{33}, v.size()}) {
    std::vector<bfloat16> out(n);
    ref::narrow_to_bf16(v.data(), out.data(), static_cast<int64_t>(n));
    for (size_t i = 0; i < n; ++i) {
      const uint16_t want = float_to_bf16_bits(v[i]);
      const bool subnormal = std::fpclassify(v[i]) == FP_SUBNORMAL;
      const uint16_t signed_zero = static_cast<uint16_t>((f32_bits(v[i]) >> 16) & 0x8000u);
      EXPECT_TRUE(out[i].bits == want || (subnormal && out[i].bits == signed_zero))
          << "n " << n << " element " << i << ": got " << std::hex << out[i].bits << " want "
          << want;
    }
  }
}

}  // namespace
}  // namespace aamp
