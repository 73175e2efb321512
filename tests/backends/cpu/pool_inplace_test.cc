// The in-place pooling walk (backends/cpu/pool_inplace.h) against the reference pooling kernel,
// over many shapes, kernel sizes, strides and paddings: out of place at 1 and 3 threads, and in
// place (output over the input's first bytes) wherever pool_inplace_safe says so. The safety
// check is compared with a brute-force oracle that visits every window element; where it says
// unsafe, the oneDNN pooling kernel must not offer to run in place.
#include "aamp/backends/cpu/pool_inplace.h"

#include <gtest/gtest.h>

#include <cstring>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "backends/cpu/kernel_test_util.h"

namespace aamp {
namespace {

using linalg::Conv2DGeom;
using testing::KernelCase;

struct Spec {
  std::vector<int64_t> in;  // NHWC
  int64_t k_h, k_w, stride_h, stride_w;
  std::string padding;        // SAME, VALID or EXPLICIT
  std::vector<int64_t> pads;  // EXPLICIT: top, bottom, left, right
};

// In place is unsafe iff some window element lies at a flat input position before its output's
// position (positions before it are overwritten by then).
bool oracle_safe(const Conv2DGeom& g) {
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t oh = 0; oh < g.out_h; ++oh)
      for (int64_t ow = 0; ow < g.out_w; ++ow)
        for (int64_t kh = 0; kh < g.k_h; ++kh)
          for (int64_t kw = 0; kw < g.k_w; ++kw) {
            const int64_t ih = oh * g.stride_h - g.pad_t + kh, iw = ow * g.stride_w - g.pad_l + kw;
            if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) continue;
            if ((b * g.in_h + ih) * g.in_w + iw < (b * g.out_h + oh) * g.out_w + ow) return false;
          }
  return true;
}

KernelCase pool_case(const char* op, DType t, const Spec& s, uint32_t seed) {
  AttrMap attrs;
  attrs["ksize"] = int_list({1, s.k_h, s.k_w, 1});
  attrs["strides"] = int_list({1, s.stride_h, s.stride_w, 1});
  attrs["padding"] = s.padding;
  if (s.padding == "EXPLICIT")
    attrs["explicit_paddings"] = int_list({0, 0, s.pads[0], s.pads[1], s.pads[2], s.pads[3], 0, 0});
  KernelCase c{testing::make_node(op, t, attrs), {}, {}, {}, 1};
  c.inputs.push_back(testing::random_tensor(t, s.in, seed));
  c.outputs.push_back({t, linalg::geom_output_shape(linalg::pool_geom(c.node, s.in))});
  return c;
}

std::vector<Spec> inplace_specs() {
  std::vector<Spec> v;
  for (const std::vector<int64_t>& in : std::vector<std::vector<int64_t>>{
           {1, 7, 7, 3}, {2, 11, 10, 5}, {1, 9, 8, 40}, {2, 5, 6, 300}})
    for (int64_t k : {1, 2, 3, 5})
      for (int64_t s : {1, 2, 3})
        for (const char* pad : {"SAME", "VALID"}) {
          if (std::string(pad) == "VALID" && (k > in[1] || k > in[2])) continue;
          v.push_back({in, k, k, s, s, pad, {}});
        }
  // Non-square windows and strides, and explicit paddings (large top/left paddings are unsafe).
  v.push_back({{1, 8, 9, 16}, 2, 3, 2, 1, "VALID", {}});
  v.push_back({{1, 8, 9, 16}, 3, 2, 1, 2, "SAME", {}});
  v.push_back({{1, 8, 8, 16}, 7, 7, 2, 2, "SAME", {}});
  v.push_back({{2, 8, 8, 16}, 3, 3, 2, 2, "EXPLICIT", {1, 1, 1, 1}});
  v.push_back({{2, 8, 8, 16}, 3, 3, 2, 2, "EXPLICIT", {2, 0, 0, 0}});
  v.push_back({{2, 8, 8, 16}, 3, 3, 2, 2, "EXPLICIT", {0, 0, 3, 0}});
  v.push_back({{1, 9, 9, 8}, 2, 2, 2, 2, "EXPLICIT", {0, 1, 0, 1}});
  return v;
}

std::string name(const Spec& s) {
  std::string n;
  for (int64_t d : s.in) n += std::to_string(d) + "x";
  return n + " k" + std::to_string(s.k_h) + "x" + std::to_string(s.k_w) + " s" +
         std::to_string(s.stride_h) + "x" + std::to_string(s.stride_w) + " " + s.padding;
}

void expect_equal(const Tensor& got, const Tensor& want, const std::string& what) {
  const std::vector<float> a = testing::to_float_vec(got), b = testing::to_float_vec(want);
  ASSERT_EQ(a.size(), b.size()) << what;
  size_t bad = 0;
  for (size_t i = 0; i < a.size(); ++i) bad += !(a[i] == b[i]);
  EXPECT_EQ(bad, 0u) << what;
}

TEST(PoolInplace, MatchesReferenceInAndOutOfPlace) {
  int safe = 0, unsafe = 0, unsafe_wrong = 0;
  for (DType t : {DType::kFloat, DType::kBFloat16})
    for (const char* op : {"MaxPool", "AvgPool"})
      for (const Spec& s : inplace_specs()) {
        const std::string what = std::string(op) + " " + dtype_name(t) + " " + name(s);
        if (s.padding == "EXPLICIT" && std::string(op) == "AvgPool") continue;  // MaxPool only
        const KernelCase c = pool_case(op, t, s, 11);
        const Conv2DGeom g = linalg::pool_geom(c.node, s.in);
        const KernelRegistration* ref = testing::find_kernel(c, "reference");
        const KernelRegistration* dnn = testing::find_kernel(c, "onednn");
        ASSERT_NE(ref, nullptr) << what;
        const Tensor want = testing::run_kernel(c, *ref)[0];
        const Tensor& x = c.inputs[0];
        // Out of place.
        for (int threads : {1, 3}) {
          Tensor y(t, Shape(c.outputs[0].shape));
          linalg::pool_nhwc(g, std::string(op) == "MaxPool",
                            {t, x.shape().dims, const_cast<uint8_t*>(x.raw()), nullptr},
                            {t, y.shape().dims, y.mutable_raw(), nullptr}, threads);
          expect_equal(y, want, what + " out of place, threads " + std::to_string(threads));
        }
        const bool is_safe = linalg::pool_inplace_safe(g);
        EXPECT_EQ(is_safe, oracle_safe(g)) << what;
        (is_safe ? safe : unsafe)++;
        if (!dnn) {  // oneDNN may not pool bfloat16 on this CPU
          ASSERT_NE(t, DType::kFloat) << what;
          continue;
        }
        const std::unique_ptr<Kernel> k = dnn->factory(c.init());
        using Pairs = std::vector<std::pair<int, int>>;
        EXPECT_EQ(k->inplace_shrink_pairs(), (is_safe ? Pairs{{0, 0}} : Pairs{})) << what;
        if (want.byte_size() > x.byte_size()) continue;  // cannot be written over the input
        // In place through the oneDNN registration's kernel (it detects the shared memory), at 1
        // and 3 threads: the output is the first bytes of the input's buffer.
        for (int threads : {1, 3}) {
          std::vector<uint8_t> buf(x.raw(), x.raw() + x.byte_size());
          KernelContext ctx;
          ctx.threads = threads;
          ctx.inputs.push_back({t, x.shape().dims, buf.data(), nullptr});
          ctx.outputs.push_back({t, want.shape().dims, buf.data(), nullptr});
          k->run(ctx);
          Tensor y(t, want.shape());
          std::memcpy(y.mutable_raw(), buf.data(), y.byte_size());
          if (is_safe) {
            expect_equal(y, want, what + " in place, threads " + std::to_string(threads));
          } else if (threads == 1) {
            unsafe_wrong += testing::to_float_vec(y) != testing::to_float_vec(want);
          }
        }
      }
  // The shapes cover both kinds, and running the unsafe ones in place really goes wrong.
  EXPECT_GT(safe, 100);
  EXPECT_GT(unsafe, 50);
  EXPECT_GT(unsafe_wrong, 20);
}

}  // namespace
}  // namespace aamp
